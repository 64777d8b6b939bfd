package benchmark

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// CognitoLocalPackage is the npm package (and pinned version) that
// StartCognitoLocal installs.
const CognitoLocalPackage = "cognito-local@5.3.0"

// ErrNoNPM is returned by StartCognitoLocal when npm or node is not on PATH.
var ErrNoNPM = errors.New("npm and node are needed to run cognito-local")

// CognitoLocal is a cognito-local server started for a benchmark, with a
// fresh state directory of its own.
type CognitoLocal struct {
	URL      string // http://127.0.0.1:PORT
	cmd      *exec.Cmd
	stateDir string
	done     chan error
	out      *lockedBuffer
}

// StartCognitoLocal installs cognito-local into installDir with npm unless
// it is there already, starts it on a free loopback port and waits until it
// accepts connections. progress (may be nil) receives npm's output.
func StartCognitoLocal(ctx context.Context, installDir string, progress io.Writer) (*CognitoLocal, error) {
	if progress == nil {
		progress = io.Discard
	}
	for _, tool := range []string{"npm", "node"} {
		if _, err := exec.LookPath(tool); err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrNoNPM, tool, err)
		}
	}
	bin := filepath.Join(installDir, "node_modules", ".bin", "cognito-local")
	if _, err := os.Stat(bin); err != nil {
		if err := os.MkdirAll(installDir, 0o755); err != nil {
			return nil, fmt.Errorf("install cognito-local: %w", err)
		}
		fmt.Fprintf(progress, "installing %s into %s with npm\n", CognitoLocalPackage, installDir)
		npm := exec.CommandContext(ctx, "npm", "install", "--prefix", installDir, "--no-audit", "--no-fund", "--loglevel=error", CognitoLocalPackage)
		npm.Stdout, npm.Stderr = progress, progress
		if err := npm.Run(); err != nil {
			return nil, fmt.Errorf("npm install %s: %w", CognitoLocalPackage, err)
		}
		if _, err := os.Stat(bin); err != nil {
			return nil, fmt.Errorf("npm install %s: no cognito-local binary: %w", CognitoLocalPackage, err)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cognito-local: pick a port: %w", err)
	}
	addr := l.Addr().(*net.TCPAddr)
	l.Close()
	stateDir, err := os.MkdirTemp("", "ccql-bench-cognito-local-")
	if err != nil {
		return nil, fmt.Errorf("cognito-local: %w", err)
	}
	c := &CognitoLocal{URL: fmt.Sprintf("http://127.0.0.1:%d", addr.Port), stateDir: stateDir, done: make(chan error, 1), out: &lockedBuffer{}}
	// cognito-local keeps its state in ./.cognito of its working directory.
	c.cmd = exec.Command(bin)
	c.cmd.Dir = stateDir
	c.cmd.Env = append(os.Environ(), fmt.Sprintf("PORT=%d", addr.Port), "HOST=127.0.0.1")
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	if err := c.cmd.Start(); err != nil {
		os.RemoveAll(stateDir)
		return nil, fmt.Errorf("start cognito-local: %w", err)
	}
	go func() { c.done <- c.cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case err := <-c.done:
			c.done <- err
			c.Close()
			return nil, fmt.Errorf("cognito-local exited: %v: %s", err, c.out.tail(2000))
		default:
		}
		conn, err := net.DialTimeout("tcp", addr.String(), 200*time.Millisecond)
		if err == nil {
			conn.Close()
			return c, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			c.Close()
			return nil, fmt.Errorf("cognito-local did not listen on %s: %s", addr, c.out.tail(2000))
		}
		time.Sleep(50 * time.Millisecond) // polling for readiness
	}
}

// Close stops cognito-local and removes its state. The binary is a node
// script run directly, so the process is node itself: no children remain.
func (c *CognitoLocal) Close() error {
	if c.cmd.Process != nil {
		c.cmd.Process.Signal(os.Interrupt) //nolint:errcheck // it may have exited
		select {
		case err := <-c.done:
			c.done <- err
		case <-time.After(5 * time.Second):
			c.cmd.Process.Kill() //nolint:errcheck
			c.done <- <-c.done
		}
	}
	return os.RemoveAll(c.stateDir)
}

// lockedBuffer collects a child's output from two streams.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 {
		return len(p), nil // enough to diagnose; drop the rest
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) tail(n int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.b.String()
	if len(s) > n {
		s = s[len(s)-n:]
	}
	return s
}
