package main

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// freeAddr returns a loopback address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestE2E_OAuthExample runs examples/oauth/run.sh as a reader would: pool,
// domain, client and user in SQL, then the code + PKCE sign-in of
// examples/oauth, which prints the verified ID token's claims.
func TestE2E_OAuthExample(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	for _, tool := range []string{"aws", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is missing under CI", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	root := repoRoot(t)
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(root, "examples", "oauth", "run.sh"))
	cmd.Dir = root
	cmd.Env = append(cleanEnv(), "CCQL="+bin, "ADDR="+freeAddr(t), "CALLBACK="+freeAddr(t), "HOME="+t.TempDir(),
		"AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull, "AWS_EC2_METADATA_DISABLED=true")
	if gocache, err := exec.Command("go", "env", "GOCACHE").Output(); err == nil {
		cmd.Env = append(cmd.Env, "GOCACHE="+strings.TrimSpace(string(gocache)))
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("run.sh: %v\n%s", err, out)
	}
	for _, want := range []string{`"cognito:username": "alice"`, `"email": "alice@example.com"`, `"token_use": "id"`, `"nonce": "`, `"at_hash": "`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("run.sh printed no %s:\n%s", want, out)
		}
	}
}
