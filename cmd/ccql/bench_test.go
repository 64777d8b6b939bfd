package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/internal/benchmark"
)

// runBenchCmd runs `ccql bench ARGS` in process.
func runBenchCmd(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := &app{ctx: context.Background(), stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}
	cmd := newBenchCmd(a)
	cmd.SetArgs(args)
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.ExecuteContext(context.Background())
	return stdout.String(), stderr.String(), err
}

func TestBenchCmd_JSON(t *testing.T) {
	other, err := emulator.NewServer(emulator.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	out, errOut, err := runBenchCmd(t, "--clients", "2", "--duration", "40ms", "--data-dir", t.TempDir(),
		"--cognito-local-url", other.URL(), "-o", "json")
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, errOut)
	}
	var rep benchmark.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("output is not a JSON report: %v\n%s", err, out)
	}
	if rep.Clients != 2 || len(rep.Results) != 12 || len(rep.Checks) == 0 {
		t.Errorf("report: %d clients, %d results, %d checks", rep.Clients, len(rep.Results), len(rep.Checks))
	}
	if !strings.Contains(errOut, "GetResource over HTTP") {
		t.Errorf("no progress on stderr: %q", errOut)
	}
}

func TestBenchCmd_Table(t *testing.T) {
	out, errOut, err := runBenchCmd(t, "--clients", "1", "--duration", "30ms")
	if err != nil {
		t.Fatalf("bench: %v\n%s", err, errOut)
	}
	for _, want := range []string{"operation", "GetResource", benchmark.TargetBare, "CreateResource", benchmark.LoadPasswordSignIn, benchmark.LoadSRPSignIn, "HTTP GetResource / bare net/http", "in-process GetResource p50"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "cognito-local") {
		t.Errorf("cognito-local measured without being asked:\n%s", out)
	}
}

func TestBenchCmd_Errors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad output", []string{"-o", "xml"}, 2, "--output"},
		{"no clients", []string{"--clients", "0"}, 2, "--clients"},
		{"bad duration", []string{"--duration", "-1s"}, 2, "--duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := runBenchCmd(t, tt.args...)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != tt.code || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want exit %d mentioning %s", err, tt.code, tt.want)
			}
		})
	}
}

// TestBenchCmd_CognitoLocalUnavailable: without npm on PATH the rest is
// still measured and printed, and the command exits 1 saying why.
func TestBenchCmd_CognitoLocalUnavailable(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	out, errOut, err := runBenchCmd(t, "--clients", "1", "--duration", "20ms", "--cognito-local", "--cognito-local-dir", t.TempDir())
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !errors.Is(err, benchmark.ErrNoNPM) {
		t.Fatalf("err = %v, want exit 1 wrapping ErrNoNPM", err)
	}
	if !strings.Contains(errOut, "cognito-local comparison skipped") {
		t.Errorf("stderr does not say the comparison was skipped: %q", errOut)
	}
	if !strings.Contains(out, "GetResource") {
		t.Errorf("the other results were not printed:\n%s", out)
	}
}
