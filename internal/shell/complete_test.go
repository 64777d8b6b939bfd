package shell_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ccql/ccql/internal/shell"
	"github.com/google/go-cmp/cmp"
)

// fakeCatalog is a small awscc: two services, a few resources, and it counts
// calls so caching can be checked.
type fakeCatalog struct {
	calls int
}

var (
	fakeServices  = []string{"cognito", "cloud_control", "ec2"}
	fakeResources = map[string][]string{
		"cognito":       {"user_pool_clients", "user_pool_clients_list_only", "user_pools", "user_pools_list_only"},
		"cloud_control": {"resource_request", "resource_requests"},
	}
	fakeColumns = map[string][]string{
		"awscc.cognito.user_pool_clients": {"client_name", "client_id", "user_pool_id", "region"},
		"awscc.cognito.user_pools":        {"user_pool_name", "user_pool_id", "region"},
	}
)

func (f *fakeCatalog) Providers(context.Context) ([]string, error) {
	f.calls++
	return []string{"awscc"}, nil
}

func (f *fakeCatalog) Services(_ context.Context, p string) ([]string, error) {
	f.calls++
	if p != "awscc" {
		return nil, errors.New("no such provider")
	}
	return fakeServices, nil
}

func (f *fakeCatalog) Resources(_ context.Context, p, s string) ([]string, error) {
	f.calls++
	r, ok := fakeResources[s]
	if p != "awscc" || !ok {
		return nil, errors.New("no such service")
	}
	return r, nil
}

func (f *fakeCatalog) Columns(_ context.Context, res string) ([]string, error) {
	f.calls++
	c, ok := fakeColumns[res]
	if !ok {
		return nil, errors.New("no such resource")
	}
	return c, nil
}

// cursor marks the cursor position in test lines.
const cursor = "|"

func TestCompleter_Complete(t *testing.T) {
	tests := []struct {
		name   string
		buffer string // earlier lines of the statement
		line   string // with | at the cursor
		want   []string
		head   string // when set, the expected head
	}{
		{name: "statement start", line: "|", want: []string{"DELETE FROM", "DESCRIBE", "INSERT INTO", "SELECT", "SHOW", "UPDATE"}},
		{name: "keyword upper", line: "SEL|", want: []string{"SELECT"}},
		{name: "keyword lower follows the typing", line: "ins|", want: []string{"insert into"}},
		{name: "keyword mixed case is upper", line: "Del|", want: []string{"DELETE FROM"}},
		{name: "provider after FROM", line: "SELECT * FROM |", want: []string{"awscc."}, head: "SELECT * FROM "},
		{name: "provider after FROM with prefix", line: "SELECT * FROM aw|", want: []string{"awscc."}},
		{name: "services after provider dot", line: "SELECT * FROM awscc.c|", want: []string{"awscc.cloud_control.", "awscc.cognito."}, head: "SELECT * FROM "},
		{name: "resources after service dot", line: "SELECT * FROM awscc.cognito.user_pool_c|",
			want: []string{"awscc.cognito.user_pool_clients", "awscc.cognito.user_pool_clients_list_only"}},
		{name: "all resources of a service", line: "DESCRIBE awscc.cloud_control.|",
			want: []string{"awscc.cloud_control.resource_request", "awscc.cloud_control.resource_requests"}},
		{name: "unknown service has none", line: "SELECT * FROM awscc.nope.|", want: nil},
		{name: "SHOW then what", line: "SHOW |", want: []string{"METHODS IN", "PROVIDERS", "RESOURCES IN", "SERVICES IN"}},
		{name: "SHOW SERVICES IN takes a provider", line: "SHOW SERVICES IN |", want: []string{"awscc"}},
		{name: "SHOW RESOURCES IN takes a service without dot", line: "SHOW RESOURCES IN awscc.cog|", want: []string{"awscc.cognito"}},
		{name: "SHOW METHODS IN takes a resource", line: "SHOW METHODS IN awscc.cog|", want: []string{"awscc.cognito."}},
		{name: "INSERT INTO after hint", line: "INSERT /*+ AWAIT */ INTO |", want: []string{"awscc."}},
		{name: "columns of the named resource", line: "SELECT client_|, region FROM awscc.cognito.user_pool_clients",
			want: []string{"client_id", "client_name"}, head: "SELECT "},
		{name: "columns in WHERE with empty word", line: "SELECT * FROM awscc.cognito.user_pools WHERE |",
			want: []string{"Identifier", "region", "user_pool_id", "user_pool_name"}},
		{name: "columns from an earlier line", buffer: "SELECT *\nFROM awscc.cognito.user_pool_clients\n", line: "WHERE user_|",
			want: []string{"user_pool_id"}},
		{name: "columns and keywords", line: "SELECT * FROM awscc.cognito.user_pools WHERE re|",
			want: []string{"region", "returning"}},
		{name: "columns and keywords upper", line: "SELECT * FROM awscc.cognito.user_pools WHERE RE|",
			want: []string{"region", "RETURNING"}},
		{name: "columns of every joined resource", line: "SELECT user_pool_|  FROM awscc.cognito.user_pools p JOIN awscc.cognito.user_pool_clients c ON 1",
			want: []string{"user_pool_id", "user_pool_name"}},
		{name: "alias qualified", line: "SELECT c.cl| FROM awscc.cognito.user_pools AS p JOIN awscc.cognito.user_pool_clients c ON 1",
			want: []string{"c.client_id", "c.client_name"}, head: "SELECT "},
		{name: "alias with empty column", line: "SELECT p.| FROM awscc.cognito.user_pools p",
			want: []string{"p.region", "p.user_pool_id", "p.user_pool_name"}},
		{name: "unknown alias", line: "SELECT z.| FROM awscc.cognito.user_pools p", want: nil},
		{name: "RETURNING fields", line: "DELETE FROM awscc.cognito.user_pools WHERE Identifier = 'x' RETURNING |",
			want: []string{"ErrorCode", "EventTime", "Identifier", "Operation", "OperationStatus", "region", "RequestToken",
				"ResourceModel", "RetryAfter", "StatusMessage", "TypeName", "user_pool_id", "user_pool_name"}},
		{name: "RETURNING field prefix", buffer: "INSERT INTO awscc.cognito.user_pools (UserPoolName, region)\nSELECT 'a', 'b'\n", line: "RETURNING Operation|",
			want: []string{"Operation", "OperationStatus"}},
		{name: "PatchDocument after UPDATE SET", line: "UPDATE awscc.cognito.user_pools SET Pat|", want: []string{"PatchDocument"}},
		{name: "nothing inside a string", line: "SELECT * FROM awscc.cognito.user_pools WHERE region = 'us-|", want: nil},
		{name: "nothing inside a multi-line string", buffer: "SELECT '\n", line: "SEL|", want: nil},
		{name: "nothing inside a comment", line: "SELECT 1 -- FR|", want: nil},
		{name: "name in a string is not a resource", line: "SELECT cl| FROM x WHERE a = 'awscc.cognito.user_pool_clients'", want: nil},
		{name: "only the current statement's resources", line: "SELECT * FROM awscc.cognito.user_pools; SELECT client_| FROM awscc.cognito.user_pool_clients",
			want: []string{"client_id", "client_name"}},
		{name: "cursor mid-line keeps the tail", line: "SELECT * FR| awscc", want: []string{"FROM"}},
		{name: "function", line: "SELECT json_ex|", want: []string{"json_extract("}},
		{name: "meta names", line: `\ti|`, want: []string{`\timing`}},
		{name: "meta d", line: `\d|`, want: []string{`\d`, `\d+`, `\dt`}},
		{name: "meta output formats", line: `\o j|`, want: []string{"json", "jsonl"}, head: `\o `},
		{name: "meta on off", line: `\wait |`, want: []string{"off", "on"}},
		{name: "meta describe resource", line: `\d awscc.cognito.user_pools|`, want: []string{"awscc.cognito.user_pools", "awscc.cognito.user_pools_list_only"}},
		{name: "meta describe provider", line: `\d+ |`, want: []string{"awscc."}},
		{name: "meta dt services", line: `\dt co|`, want: []string{"cognito"}},
		{name: "backslash inside a statement is not meta", buffer: "SELECT 1\n", line: `\o|`, want: []string{"offset", "on", "or", "order by"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := shell.NewCompleter(&fakeCatalog{})
			i := strings.Index(tt.line, cursor)
			if i < 0 {
				t.Fatalf("test line %q has no cursor", tt.line)
			}
			line := tt.line[:i] + tt.line[i+1:]
			pos := len([]rune(tt.line[:i]))
			head, got, tail := c.Complete(context.Background(), tt.buffer, line, pos)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("candidates (-want +got):\n%s", diff)
			}
			if tail != tt.line[i+1:] {
				t.Errorf("tail = %q, want %q", tail, tt.line[i+1:])
			}
			if tt.head != "" && head != tt.head {
				t.Errorf("head = %q, want %q", head, tt.head)
			}
			if !strings.HasPrefix(line, head) {
				t.Errorf("head %q is not a prefix of the line %q", head, line)
			}
		})
	}
}

func TestCompleter_CompleteRunes(t *testing.T) {
	// liner gives the cursor in runes; a multi-byte rune before it must not
	// shift the word.
	c := shell.NewCompleter(&fakeCatalog{})
	line := "SELECT 'é', * FROM awscc.cog"
	head, got, tail := c.Complete(context.Background(), "", line, len([]rune(line)))
	if want := []string{"awscc.cognito."}; !cmp.Equal(got, want) {
		t.Errorf("candidates = %q, want %q", got, want)
	}
	if head != "SELECT 'é', * FROM " || tail != "" {
		t.Errorf("head, tail = %q, %q", head, tail)
	}
}

func TestCompleter_Caches(t *testing.T) {
	f := &fakeCatalog{}
	c := shell.NewCompleter(f)
	ctx := context.Background()
	line := "SELECT * FROM awscc.cognito.user_pools WHERE "
	c.Complete(ctx, "", line, len(line))
	first := f.calls
	if first == 0 {
		t.Fatal("catalog never asked")
	}
	for range 3 {
		c.Complete(ctx, "", line, len(line))
		c.Complete(ctx, "", "SELECT * FROM awscc.nope.", 25) // a failure is cached too
	}
	second := f.calls
	c.Complete(ctx, "", "SELECT * FROM awscc.nope.", 25)
	if f.calls != second {
		t.Errorf("catalog asked %d more times for cached answers", f.calls-second)
	}
}

func TestCompleter_Files(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"setup.iql", "select.iql", "other.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	c := shell.NewCompleter(&fakeCatalog{})
	line := `\i ` + dir + "/s"
	_, got, _ := c.Complete(context.Background(), "", line, len([]rune(line)))
	want := []string{dir + "/select.iql", dir + "/setup.iql", dir + "/sub/"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
}
