package deploy_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ccql/ccql"
)

// cloud is the Querier of deploy's tests: the real ccql engine on the
// embedded emulator (a fresh data dir per test), opened as ccql deploy
// opens it. It records every statement and can make statements that
// contain a given text fail (a Querier-level fault, as a broken network
// or a denied call would be), so that error paths are tested on the real
// dialect too.
type cloud struct {
	eng   *ccql.Engine
	mu    sync.Mutex
	stmts []string
	errOn map[string]error // statement substring → error
}

func newCloud(t *testing.T) *cloud {
	t.Helper()
	return openCloud(t, ccql.Config{DataDir: t.TempDir(), Wait: true, FailOnFailed: true})
}

func openCloud(t *testing.T, cfg ccql.Config) *cloud {
	t.Helper()
	eng, err := ccql.Open(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return &cloud{eng: eng, errOn: map[string]error{}}
}

func (c *cloud) Query(ctx context.Context, stmt string, args ...any) (*ccql.Result, error) {
	c.mu.Lock()
	c.stmts = append(c.stmts, stmt)
	var injected error
	for sub, err := range c.errOn {
		if strings.Contains(stmt, sub) {
			injected = err
		}
	}
	c.mu.Unlock()
	if injected != nil {
		return nil, injected
	}
	return c.eng.Query(ctx, stmt, args...)
}

// count is how many recorded statements start with prefix.
func (c *cloud) count(prefix string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, s := range c.stmts {
		if strings.HasPrefix(strings.TrimSpace(s), prefix) {
			n++
		}
	}
	return n
}

// mutations is how many recorded statements were INSERT, UPDATE or DELETE.
func (c *cloud) mutations() int {
	return c.count("INSERT") + c.count("UPDATE") + c.count("DELETE")
}

func (c *cloud) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stmts = nil
}

// rows runs a statement directly (not recorded) and returns its rows.
func (c *cloud) rows(t *testing.T, stmt string) [][]any {
	t.Helper()
	res, err := c.eng.Query(context.Background(), stmt)
	if err != nil {
		t.Fatalf("%s: %v", stmt, err)
	}
	return res.Rows
}

// logGroups lists the names of the log groups in us-east-1.
func (c *cloud) logGroups(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, r := range c.rows(t, "SELECT log_group_name FROM awscc.logs.log_groups_list_only WHERE region = 'us-east-1' ORDER BY log_group_name") {
		out = append(out, r[0].(string))
	}
	return out
}

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

func (s *sleeps) get() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

var errBoom = errors.New("boom")
