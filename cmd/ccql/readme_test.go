//go:build unix

package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readmeBlock is one ```sh block of the README.
type readmeBlock struct {
	line int    // the line of its opening fence
	text string // its commands, unindented
	skip string // why it is not run ("" to run it)
}

// readmeBlocks extracts the sh blocks of a Markdown file; a block whose
// previous non-blank line is <!-- readme-test: skip (why) --> is marked
// skipped.
func readmeBlocks(src string) []readmeBlock {
	var out []readmeBlock
	var cur *readmeBlock
	indent, prev := "", ""
	sc := bufio.NewScanner(strings.NewReader(src))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case cur == nil && trimmed == "```sh":
			cur = &readmeBlock{line: n}
			indent = line[:len(line)-len(strings.TrimLeft(line, " "))]
			if s, ok := strings.CutPrefix(prev, "<!-- readme-test: skip"); ok {
				cur.skip = strings.TrimSpace(strings.TrimSuffix(s, "-->"))
			}
		case cur != nil && trimmed == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += strings.TrimPrefix(line, indent) + "\n"
		}
		if trimmed != "" {
			prev = trimmed
		}
	}
	return out
}

func TestReadmeBlocks(t *testing.T) {
	src := "text\n\n```sh\na\n  b\n```\n<!-- readme-test: skip (slow) -->\n\n```sh\nc\n```\n- item:\n\n  ```sh\n  d &\n    e\n  ```\n```go\nx\n```\n"
	got := readmeBlocks(src)
	want := []readmeBlock{{3, "a\n  b\n", ""}, {9, "c\n", "(slow)"}, {14, "d &\n  e\n", ""}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("readmeBlocks = %+v, want %+v", got, want)
	}
}

// TestREADME runs every sh block of the README as written, one bash per
// block, in the repository, on a machine without AWS credentials: the
// fixed ports are moved to free ones and 0.0.0.0 to loopback (tests listen
// on loopback only); nothing else is changed. Servers a block starts in the
// background are stopped (its process group) when it ends.
func TestREADME(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	for _, tool := range []string{"make", "aws", "psql", "openssl"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed (.ci/run installs it)", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	root := repoRoot(t)
	src, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeBlocks(string(src))
	if len(blocks) < 4 {
		t.Fatalf("found %d sh blocks in README.md", len(blocks))
	}
	// The README's scratch state lives in .tmp; start from none, as a fresh
	// clone does.
	for _, d := range []string{"tour", "serve", "users.txt", "srv.key", "srv.crt"} {
		if err := os.RemoveAll(filepath.Join(root, ".tmp", d)); err != nil {
			t.Fatal(err)
		}
	}
	ports := strings.NewReplacer("0.0.0.0:", "127.0.0.1:", "4566", freePort(t), "5466", freePort(t), "5467", freePort(t))
	for _, b := range blocks {
		t.Run("line"+strconv.Itoa(b.line), func(t *testing.T) {
			if b.skip != "" {
				t.Skipf("README marks it: %s", b.skip)
			}
			runBlock(t, root, ports.Replace(b.text))
		})
	}
}

// runBlock runs one block with bash -e in its own process group and kills
// the group afterwards.
func runBlock(t *testing.T, dir, text string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-e", "-c", text)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(),
		"AWS_CONFIG_FILE=/nonexistent/config",
		"AWS_SHARED_CREDENTIALS_FILE=/nonexistent/credentials",
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
	)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Files, not pipes: a server left in the background keeps a pipe open,
	// and Wait would wait for it.
	out, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pgid := cmd.Process.Pid
	t.Cleanup(func() { _ = syscall.Kill(-pgid, syscall.SIGKILL) })
	err = cmd.Wait()
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	log, _ := os.ReadFile(out.Name())
	if err != nil {
		t.Fatalf("block failed: %v\n--- block\n%s--- output\n%s", err, text, log)
	}
	t.Logf("output:\n%s", log)
}

// freePort returns a loopback port nothing listens on.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}
