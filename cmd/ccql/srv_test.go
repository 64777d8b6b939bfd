package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ccql/ccql/pgwire"
	"github.com/jackc/pgx/v5"
)

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestSrvPasswd(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"srv", "passwd", "alice"}, strings.NewReader("s3cret\n"), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if !regexp.MustCompile(`^alice:SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+\n$`).MatchString(out.String()) {
		t.Errorf("line = %q", out.String())
	}
	if strings.Contains(out.String()+errOut.String(), "s3cret") {
		t.Error("the password was printed")
	}

	// --users-file adds, then replaces, keeping other lines.
	path := filepath.Join(t.TempDir(), "users")
	if err := os.WriteFile(path, []byte("# team\n"+strings.TrimSpace(out.String())+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"srv", "passwd", "bob", "--users-file", path}, {"srv", "passwd", "alice", "--users-file", path}} {
		if code := run(context.Background(), args, strings.NewReader("other\n"), &out, &errOut); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
	}
	users, err := pgwire.LoadUsers(path)
	if err != nil {
		t.Fatal(err)
	}
	if users.Len() != 2 || !users.Has("alice") || !users.Has("bob") {
		t.Errorf("users file has %d users", users.Len())
	}
	body, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(body), "# team\n") {
		t.Errorf("comment lost: %q", body)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}

	for _, tt := range []struct {
		args  []string
		stdin string
	}{{[]string{"srv", "passwd", "a:b"}, "pw\n"}, {[]string{"srv", "passwd", "alice"}, "\n"}} {
		if code := run(context.Background(), tt.args, strings.NewReader(tt.stdin), &out, &errOut); code != 2 {
			t.Errorf("%v: exit %d, want 2", tt.args, code)
		}
	}
}

func TestSrv_RefusesNonLoopbackWithoutAuth(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"srv", "--addr", "0.0.0.0:0", "--data-dir", t.TempDir()}, strings.NewReader(""), &out, &errOut)
	if code != 2 {
		t.Fatalf("exit %d, want 2", code)
	}
	for _, flag := range []string{"--users-file", "--tls-client-ca"} {
		if !strings.Contains(errOut.String(), flag) {
			t.Errorf("error %q does not name %s", errOut.String(), flag)
		}
	}
}

func TestSrv_ServesUntilCancelled(t *testing.T) {
	dir := t.TempDir()
	usersPath := filepath.Join(dir, "users")
	line, err := pgwire.UsersLine("ops", "pw")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(usersPath, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	errOut := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"srv", "--addr", "127.0.0.1:0", "--data-dir", filepath.Join(dir, "data"), "--users-file", usersPath, "--read-only"},
			strings.NewReader(""), pw, errOut)
		pw.Close()
		done <- code
	}()
	// The banner on stdout says where it listens.
	banner, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("srv exited before listening: %v: %s", err, errOut.String())
	}
	go io.Copy(io.Discard, pr)
	m := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`).FindStringSubmatch(banner)
	if m == nil {
		t.Fatalf("banner %q", banner)
	}
	addr := m[1]
	conn, err := pgx.Connect(ctx, "postgres://ops:pw@"+addr+"/ccql?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	var n string
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'").Scan(&n); err != nil || n != "0" {
		t.Fatalf("count = %q, %v", n, err)
	}
	_, err = conn.Exec(ctx, "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p', 'us-east-1'")
	if err == nil || !strings.Contains(err.Error(), "25006") {
		t.Errorf("insert on --read-only: %v", err)
	}
	conn.Close(ctx)
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d after cancel: %s", code, errOut.String())
	}
}

// TestSrv_StatementTimeout: --statement-timeout is every session's
// default statement_timeout.
func TestSrv_StatementTimeout(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	errOut := &lockedBuffer{}
	done := make(chan int, 1)
	go func() {
		code := run(ctx, []string{"srv", "--addr", "127.0.0.1:0", "--data-dir", t.TempDir(), "--latency", "1h", "--wait-timeout", "1h",
			"--statement-timeout", "100ms"}, strings.NewReader(""), pw, errOut)
		pw.Close()
		done <- code
	}()
	banner, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("srv exited before listening: %v: %s", err, errOut.String())
	}
	go io.Copy(io.Discard, pr)
	m := regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`).FindStringSubmatch(banner)
	if m == nil {
		t.Fatalf("banner %q", banner)
	}
	conn, err := pgx.Connect(ctx, "postgres://u@"+m[1]+"/ccql?sslmode=disable")
	if err != nil {
		t.Fatal(err)
	}
	var v string
	if err := conn.QueryRow(ctx, "SHOW statement_timeout").Scan(&v); err != nil || v != "100ms" {
		t.Errorf("SHOW statement_timeout = %q, %v", v, err)
	}
	_, err = conn.Exec(ctx, "INSERT /*+ AWAIT */ INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p', 'us-east-1'")
	if err == nil || !strings.Contains(err.Error(), "57014") {
		t.Errorf("a statement past --statement-timeout: %v, want SQLSTATE 57014", err)
	}
	conn.Close(ctx)
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d after cancel: %s", code, errOut.String())
	}
}
