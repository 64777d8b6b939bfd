//go:build unix

package main

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestE2E_ExecInterrupted: Ctrl-C while exec awaits a request it sent
// exits 130 and says that the request goes on in Cloud Control, where to
// see it, and that the later statements did not run.
func TestE2E_ExecInterrupted(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "exec", "--data-dir", data, "--latency", "1h", "--wait",
		"INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'slow', 'us-east-1'; SELECT 1; SELECT 2")
	cmd.Env = cleanEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the request is in the store, seen from another process.
	for {
		out, errOut, code := ccqlBin(t, nil, "exec", "--data-dir", data, "-o", "text",
			"SELECT OperationStatus FROM awscc.cloud_control.resource_requests WHERE region = 'us-east-1'")
		if code != 0 {
			t.Fatalf("list requests: exit %d: %s", code, errOut)
		}
		if strings.Contains(out, "IN_PROGRESS") {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the request never showed up")
		}
		time.Sleep(50 * time.Millisecond) // polling an observable state, not timing
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err = cmd.Wait()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	if code != 130 {
		t.Errorf("exit code = %d, want 130 (stderr %q)", code, stderr.String())
	}
	want := "ccql: <arg>:1: INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT …: interrupted; " +
		"requests already sent go on in Cloud Control (only the waiting stopped): see them with SELECT * FROM awscc.cloud_control.resource_requests WHERE region = '…'; " +
		"2 later statements were not run\n"
	if stderr.String() != want {
		t.Errorf("stderr = %q\nwant    %q", stderr.String(), want)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing", stdout.String())
	}
}
