// Package e2etest holds the helpers shared by the end-to-end tests that
// build the ccql binary and drive `ccql serve` with real clients (e2e/* and
// cmd/ccql). It is imported only from _test.go files and keeps no state:
// callers that want one build per test binary wrap Build in sync.OnceValues.
package e2etest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// Build compiles the ccql command with CGO_ENABLED=0 (as released) into a
// new temporary directory whose name starts with prefix, and returns the
// binary's path.
func Build(prefix string) (string, error) {
	dir, err := os.MkdirTemp("", prefix)
	if err != nil {
		return "", fmt.Errorf("build ccql: %w", err)
	}
	bin := filepath.Join(dir, "ccql")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	cmd := exec.Command("go", "build", "-o", bin, "github.com/ccql/ccql/cmd/ccql")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bin, nil
}

// Serve starts `bin serve --addr <free loopback port> args…` with the
// environment env, waits until it accepts connections and returns its
// address (host:port). The server is stopped when the test ends; the test
// fails if it exits first or does not listen within 30 seconds.
func Serve(t testing.TB, bin string, env []string, args ...string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", "--addr", addr}, args...)...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() { cancel(); <-done })
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-done:
			t.Fatalf("ccql serve exited: %v\n%s", err, stderr.String())
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("ccql serve did not listen on %s: %s", addr, stderr.String())
		}
		time.Sleep(20 * time.Millisecond) // polling for readiness, not synchronisation
	}
}

// RequireNodeModules returns when node is on PATH and the npm package
// module is installed under node_modules in the test's working directory,
// the e2e directory named dir (e.g. "e2e/signin"). Otherwise it skips the
// test, except when the CI environment variable is set, where a missing
// client is a failure rather than a silently skipped test.
func RequireNodeModules(t testing.TB, dir, module string) {
	t.Helper()
	_, err := os.Stat(filepath.Join("node_modules", module))
	_, nodeErr := exec.LookPath("node")
	if err == nil && nodeErr == nil {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("node or %s/node_modules missing under CI (run npm ci in %s): %v %v", dir, dir, err, nodeErr)
	}
	t.Skipf("node or %s/node_modules missing; run npm ci in %s", dir, dir)
}
