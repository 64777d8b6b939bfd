package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"

	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/ccql/ccql/internal/store"
)

// serveProc is a ccql serve child process.
type serveProc struct {
	cmd  *exec.Cmd
	url  string
	done chan error
}

// startServeProc starts the built binary's serve on a free loopback port
// and reads the address it prints.
func startServeProc(t *testing.T, dataDir string, extra ...string) *serveProc {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, append([]string{"serve", "--addr", "127.0.0.1:0", "--data-dir", dataDir, "--log-level", "warn"}, extra...)...)
	cmd.Env = cleanEnv()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, done: make(chan error, 1)}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		cmd.Process.Kill()
		t.Fatalf("ccql serve printed no address: %v\n%s", err, stderr.String())
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "ccql serve: listening on ")
	if !ok {
		t.Fatalf("unexpected first line %q", line)
	}
	p.url = url
	return p
}

func (p *serveProc) client() *cc.Client {
	return cc.New(cc.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.url), RetryMaxAttempts: 1,
		HTTPClient: cloudcontrol.BufferBodies(awshttp.NewBuildableClient()), Credentials: aws.AnonymousCredentials{}})
}

func awaitRequest(ctx context.Context, c *cc.Client, token *string) (*types.ProgressEvent, error) {
	for {
		out, err := c.GetResourceRequestStatus(ctx, &cc.GetResourceRequestStatusInput{RequestToken: token})
		if err != nil {
			return nil, err
		}
		switch out.ProgressEvent.OperationStatus {
		case types.OperationStatusSuccess, types.OperationStatusFailed, types.OperationStatusCancelComplete:
			return out.ProgressEvent, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("request %s still %s: %w", *token, out.ProgressEvent.OperationStatus, ctx.Err())
		case <-time.After(5 * time.Millisecond): // polling a remote process
		}
	}
}

// TestServe_KillDurability fires a burst of creates at ccql serve, kills it
// with SIGKILL in the middle, restarts it on the same data dir and checks
// that every acknowledged create is there and finished, and that the
// SQLite file is intact.
func TestServe_KillDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and kills a server")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dataDir := t.TempDir()
	// With latency, the last requests acknowledged are still IN_PROGRESS
	// when the process dies: the next one must finish them.
	p := startServeProc(t, dataDir, "--latency", "300ms")
	c := p.client()

	// AWS::Cognito::UserPool creates need no parent, so every one acknowledged must succeed.
	type ack struct{ token, id string }
	var (
		mu     sync.Mutex
		acks   []ack
		sent   atomic.Int64
		killed atomic.Bool
	)
	const workers, killAfter = 16, 300
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := 0; ; i++ {
				if killed.Load() && sent.Load() > killAfter+200 {
					return
				}
				sent.Add(1)
				out, err := c.CreateResource(ctx, &cc.CreateResourceInput{
					TypeName:     aws.String("AWS::Cognito::UserPool"),
					DesiredState: aws.String(fmt.Sprintf(`{"UserPoolName":"burst-%d-%d"}`, w, i)),
				})
				if err != nil {
					if !killed.Load() {
						t.Errorf("create before the kill: %v", err)
					}
					return // the server is gone
				}
				mu.Lock()
				acks = append(acks, ack{aws.ToString(out.ProgressEvent.RequestToken), aws.ToString(out.ProgressEvent.Identifier)})
				n := len(acks)
				mu.Unlock()
				if n == killAfter && killed.CompareAndSwap(false, true) {
					// Kill mid-burst: other workers have requests in flight.
					if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
						t.Errorf("kill: %v", err)
					}
				}
			}
		})
	}
	wg.Wait()
	if err := <-p.done; err == nil {
		t.Fatal("ccql serve exited cleanly; it should have been killed")
	}
	p.done <- nil // for the cleanup
	mu.Lock()
	acked := append([]ack(nil), acks...)
	mu.Unlock()
	t.Logf("%d creates sent, %d acknowledged before or around the kill", sent.Load(), len(acked))

	checkIntegrity(t, filepath.Join(dataDir, store.FileName))
	pending := unfinished(t, filepath.Join(dataDir, store.FileName))
	t.Logf("%d requests unfinished in the file after the kill", pending)
	if pending == 0 {
		t.Error("no request was in flight at the kill; the test did not exercise recovery")
	}

	q := startServeProc(t, dataDir)
	c = q.client()
	for _, a := range acked {
		ev, err := awaitRequest(ctx, c, aws.String(a.token))
		if err != nil {
			t.Fatalf("acknowledged request %s lost: %v", a.token, err)
		}
		if ev.OperationStatus != types.OperationStatusSuccess {
			t.Errorf("acknowledged request %s ended %s: %s", a.token, ev.OperationStatus, aws.ToString(ev.StatusMessage))
			continue
		}
		if _, err := c.GetResource(ctx, &cc.GetResourceInput{TypeName: aws.String("AWS::Cognito::UserPool"), Identifier: aws.String(a.id)}); err != nil {
			t.Errorf("acknowledged pool %s missing: %v", a.id, err)
		}
	}
	// A clean stop this time.
	if err := q.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-q.done; err != nil {
		t.Errorf("ccql serve after SIGTERM: %v", err)
	}
	q.done <- nil
	checkIntegrity(t, filepath.Join(dataDir, store.FileName))
}

func unfinished(t *testing.T, path string) int {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM requests WHERE status IN ('PENDING', 'IN_PROGRESS', 'CANCEL_IN_PROGRESS')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil {
		t.Fatal(errors.Join(errors.New("integrity_check"), err))
	}
	if res != "ok" {
		t.Errorf("PRAGMA integrity_check = %q", res)
	}
}
