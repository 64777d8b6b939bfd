package deploy_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ccql/ccql"
)

// fakeCloud is a Querier over a tiny SQL dialect about "things", with
// fault injection. It records every statement it runs.
type fakeCloud struct {
	mu         sync.Mutex
	things     map[string]*thing // by id
	next       int
	stmts      []string
	patches    []string
	errOn      map[string]error // statement substring → error
	staleState int              // statechecks that still answer 0 after a change
	failCreate bool             // create returns FAILED
	dupExports bool             // exports returns two rows
}

type thing struct {
	ID, Name, Secret string
	Size             int
}

func newFake() *fakeCloud { return &fakeCloud{things: map[string]*thing{}, errOn: map[string]error{}} }

var (
	reExists  = regexp.MustCompile(`^SELECT id FROM things WHERE name = '([^']*)'`)
	reState   = regexp.MustCompile(`^SELECT COUNT\(\*\) AS count FROM things WHERE id = '([^']*)' AND size = (\d+)`)
	reInsert  = regexp.MustCompile(`^INSERT INTO things \(name, size, secret\) VALUES \('([^']*)', (\d+), '([^']*)'\)`)
	reUpdate  = regexp.MustCompile(`(?s)^UPDATE things SET PatchDocument = string\('((?:[^']|'')*)'\) WHERE id = '([^']*)'`)
	reDelete  = regexp.MustCompile(`^DELETE FROM things WHERE id = '([^']*)'`)
	reExports = regexp.MustCompile(`^SELECT id, secret FROM things WHERE id = '([^']*)'`)
	// By name, for createorupdate files (no exists to capture an id) and
	// commands.
	reUpsert        = regexp.MustCompile(`^INSERT OR REPLACE INTO things \(name, size\) VALUES \('([^']*)', (\d+)\)`)
	reStateByName   = regexp.MustCompile(`^SELECT COUNT\(\*\) AS count FROM things WHERE name = '([^']*)' AND size = (\d+)`)
	reExportsByName = regexp.MustCompile(`^SELECT id, secret FROM things WHERE name = '([^']*)'`)
	reDeleteByName  = regexp.MustCompile(`^DELETE FROM things WHERE name = '([^']*)'`)
	reResize        = regexp.MustCompile(`^UPDATE things SET size = (\d+) WHERE id = '([^']*)'`)
)

func (f *fakeCloud) Query(_ context.Context, stmt string, _ ...any) (*ccql.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stmts = append(f.stmts, stmt)
	for sub, err := range f.errOn {
		if strings.Contains(stmt, sub) {
			return nil, err
		}
	}
	norm := strings.Join(strings.Fields(stmt), " ")
	switch {
	case reExists.MatchString(norm):
		m := reExists.FindStringSubmatch(norm)
		res := &ccql.Result{Columns: []ccql.Column{{Name: "id"}}}
		for _, t := range f.things {
			if t.Name == m[1] {
				res.Rows = append(res.Rows, []any{t.ID})
			}
		}
		return res, nil
	case reState.MatchString(norm):
		m := reState.FindStringSubmatch(norm)
		size, _ := strconv.Atoi(m[2])
		n := int64(0)
		if t := f.things[m[1]]; t != nil && t.Size == size {
			n = 1
		}
		if f.staleState > 0 {
			f.staleState--
			n = 0
		}
		return &ccql.Result{Columns: []ccql.Column{{Name: "count", Type: ccql.TypeInt}}, Rows: [][]any{{n}}}, nil
	case reInsert.MatchString(norm):
		m := reInsert.FindStringSubmatch(norm)
		if f.failCreate {
			return event("FAILED", "InvalidRequest", "size is silly"), nil
		}
		f.next++
		size, _ := strconv.Atoi(m[2])
		id := fmt.Sprintf("id-%d", f.next)
		f.things[id] = &thing{ID: id, Name: m[1], Size: size, Secret: m[3]}
		return event("SUCCESS", "", ""), nil
	case reUpdate.MatchString(stmt):
		m := reUpdate.FindStringSubmatch(stmt)
		patch := strings.ReplaceAll(m[1], "''", "'")
		f.patches = append(f.patches, patch)
		var ops []struct {
			Path  string
			Value any
		}
		if err := json.Unmarshal([]byte(patch), &ops); err != nil {
			return nil, fmt.Errorf("bad patch: %w", err)
		}
		t := f.things[m[2]]
		if t == nil {
			return nil, &ccql.ServiceError{Operation: "UpdateResource", Code: "ResourceNotFoundException", Message: "no such thing"}
		}
		for _, op := range ops {
			if op.Path == "/Size" {
				t.Size = int(op.Value.(float64))
			}
		}
		return event("SUCCESS", "", ""), nil
	case reDelete.MatchString(norm):
		delete(f.things, reDelete.FindStringSubmatch(norm)[1])
		return event("SUCCESS", "", ""), nil
	case reUpsert.MatchString(norm):
		m := reUpsert.FindStringSubmatch(norm)
		size, _ := strconv.Atoi(m[2])
		for _, t := range f.things {
			if t.Name == m[1] {
				t.Size = size
				return event("SUCCESS", "", ""), nil
			}
		}
		f.next++
		id := fmt.Sprintf("id-%d", f.next)
		f.things[id] = &thing{ID: id, Name: m[1], Size: size}
		return event("SUCCESS", "", ""), nil
	case reStateByName.MatchString(norm):
		m := reStateByName.FindStringSubmatch(norm)
		size, _ := strconv.Atoi(m[2])
		n := int64(0)
		for _, t := range f.things {
			if t.Name == m[1] && t.Size == size {
				n = 1
			}
		}
		if f.staleState > 0 {
			f.staleState--
			n = 0
		}
		return &ccql.Result{Columns: []ccql.Column{{Name: "count", Type: ccql.TypeInt}}, Rows: [][]any{{n}}}, nil
	case reExportsByName.MatchString(norm):
		m := reExportsByName.FindStringSubmatch(norm)
		res := &ccql.Result{Columns: []ccql.Column{{Name: "id"}, {Name: "secret"}}}
		for _, t := range f.things {
			if t.Name == m[1] {
				res.Rows = append(res.Rows, []any{t.ID, t.Secret})
			}
		}
		return res, nil
	case reDeleteByName.MatchString(norm):
		m := reDeleteByName.FindStringSubmatch(norm)
		for id, t := range f.things {
			if t.Name == m[1] {
				delete(f.things, id)
			}
		}
		return event("SUCCESS", "", ""), nil
	case reResize.MatchString(norm):
		m := reResize.FindStringSubmatch(norm)
		t := f.things[m[2]]
		if t == nil {
			return nil, &ccql.ServiceError{Operation: "UpdateResource", Code: "ResourceNotFoundException", Message: "no such thing"}
		}
		t.Size, _ = strconv.Atoi(m[1])
		return event("SUCCESS", "", ""), nil
	case reExports.MatchString(norm):
		id := reExports.FindStringSubmatch(norm)[1]
		res := &ccql.Result{Columns: []ccql.Column{{Name: "id"}, {Name: "secret"}}}
		if t := f.things[id]; t != nil {
			res.Rows = append(res.Rows, []any{t.ID, t.Secret})
			if f.dupExports {
				res.Rows = append(res.Rows, []any{t.ID, t.Secret})
			}
		}
		return res, nil
	}
	return nil, fmt.Errorf("fake: unknown statement %q", stmt)
}

func event(status, code, msg string) *ccql.Result {
	row := []any{status, nil, nil}
	if code != "" {
		row[1], row[2] = code, msg
	}
	return &ccql.Result{Columns: []ccql.Column{{Name: "OperationStatus"}, {Name: "ErrorCode"}, {Name: "StatusMessage"}}, Rows: [][]any{row}}
}

func (f *fakeCloud) count(prefix string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, s := range f.stmts {
		if strings.HasPrefix(strings.TrimSpace(s), prefix) {
			n++
		}
	}
	return n
}

func (f *fakeCloud) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stmts, f.patches = nil, nil
}

// thingsIQL is the query file of the test stack's resource.
const thingsIQL = `/*+ exists */
SELECT id FROM things WHERE name = '{{ thing_name }}'

/*+ create */
INSERT INTO things (name, size, secret) VALUES ('{{ thing_name }}', {{ size }}, '{{ THING_SECRET }}')
RETURNING OperationStatus, ErrorCode, StatusMessage

/*+ statecheck, retries=3, retry_delay=7 */
SELECT COUNT(*) AS count FROM things WHERE id = '{{ this.id }}' AND size = {{ size }}

/*+ update */
UPDATE things SET PatchDocument = string('{{ {"Size": size, "Name": thing_name} | generate_patch_document }}') WHERE id = '{{ this.id }}'

/*+ exports */
SELECT id, secret FROM things WHERE id = '{{ this.id }}'

/*+ delete, retries=2 */
DELETE FROM things WHERE id = '{{ this.id }}'
`

const thingsManifest = `version: 1
name: things
globals:
  - name: region
    value: "{{ REGION | default('r1') }}"
resources:
  - name: thing
    props:
      - name: thing_name
        value: "{{ stack_name }}-{{ stack_env }}"
      - name: size
        values:
          dev: {value: "{{ SIZE | default(1) }}"}
          prd: {value: 3}
    exports:
      - id: thing_id
      - secret: thing_secret
    protected: [thing_secret]
exports:
  - thing_id
  - thing_secret
`

// writeStack writes a stack into a temp dir: files maps relative paths to
// contents.
func writeStack(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// sleeps records the delays a run asked for, without sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}
