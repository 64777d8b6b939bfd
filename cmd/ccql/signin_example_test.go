package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// TestE2E_SignInExample runs examples/signin/signin.sh as a reader would:
// pool, client and user in SQL through `ccql exec --endpoint`, then
// `aws cognito-idp initiate-auth` and get-user against `ccql serve`.
func TestE2E_SignInExample(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the AWS CLI is missing under CI")
		}
		t.Skip("the AWS CLI is not installed")
	}
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(repoRoot(t), "examples", "signin", "signin.sh"))
	cmd.Env = append(cleanEnv(), "CCQL="+bin, "ADDR="+addr, "HOME="+t.TempDir(),
		"AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull, "AWS_EC2_METADATA_DISABLED=true")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("signin.sh: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`(?m)^alice\talice@example\.com$`).Match(out) {
		t.Fatalf("signin.sh did not sign alice in:\n%s", out)
	}
}
