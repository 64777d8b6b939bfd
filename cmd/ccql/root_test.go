package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun_ExitCodes(t *testing.T) {
	tests := []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"version"}, 0, "ccql "},
		{[]string{"--version"}, 0, "\ngo:     go"},
		{[]string{"nosuch"}, 2, ""},
		{[]string{"exec", "--nosuch-flag", "SHOW PROVIDERS"}, 2, ""},
		{[]string{"exec", "a", "b"}, 2, ""},
		{[]string{"exec", "-o", "xml", "SHOW PROVIDERS"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, strings.NewReader(""), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.code, stderr.String())
			}
			if !strings.Contains(stdout.String(), tt.out) {
				t.Errorf("stdout = %q, want it to contain %q", stdout.String(), tt.out)
			}
			if tt.code != 0 && !strings.HasPrefix(stderr.String(), "ccql: ") {
				t.Errorf("stderr = %q, want a ccql: message", stderr.String())
			}
		})
	}
}
