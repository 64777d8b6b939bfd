package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/ccql/ccql/internal/cloudcontrol"
	"github.com/google/go-cmp/cmp"
)

func TestServeDataDir(t *testing.T) {
	tests := []struct {
		name string
		flag string
		env  map[string]string
		want string
	}{
		{"flag wins", "/d/flag", map[string]string{"CCQL_DATA_DIR": "/d/env", "HOME": "/home/u"}, "/d/flag"},
		{"CCQL_DATA_DIR", "", map[string]string{"CCQL_DATA_DIR": "/d/env", "XDG_DATA_HOME": "/x", "HOME": "/home/u"}, "/d/env"},
		{"XDG_DATA_HOME", "", map[string]string{"XDG_DATA_HOME": "/x", "HOME": "/home/u"}, "/x/ccql"},
		{"relative XDG_DATA_HOME is ignored", "", map[string]string{"XDG_DATA_HOME": "rel", "HOME": "/home/u"}, "/home/u/.local/share/ccql"},
		{"HOME", "", map[string]string{"HOME": "/home/u"}, "/home/u/.local/share/ccql"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := serveDataDir(tt.flag, func(k string) string { return tt.env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if got != filepath.FromSlash(tt.want) {
				t.Errorf("serveDataDir = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestServeCredentials(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good", "# keys\nAKID1:secret1\n\n  123456789012 : secret2  \n")
	tests := []struct {
		name    string
		file    string
		env     map[string]string
		want    map[string]string
		wantErr string
	}{
		{name: "none", want: nil},
		{name: "file", file: good, want: map[string]string{"AKID1": "secret1", "123456789012": "secret2"}},
		{name: "env", env: map[string]string{"CCQL_AUTH_ACCESS_KEY_ID": "AKENV", "CCQL_AUTH_SECRET_ACCESS_KEY": "s"}, want: map[string]string{"AKENV": "s"}},
		{name: "file and env", file: good, env: map[string]string{"CCQL_AUTH_ACCESS_KEY_ID": "AKENV", "CCQL_AUTH_SECRET_ACCESS_KEY": "s"},
			want: map[string]string{"AKID1": "secret1", "123456789012": "secret2", "AKENV": "s"}},
		{name: "half env", env: map[string]string{"CCQL_AUTH_ACCESS_KEY_ID": "AKENV"}, wantErr: "set both"},
		{name: "bad line", file: write("bad", "AKID1:secret1\nsupersecretwithoutcolon\n"), wantErr: "line 2: want ACCESS_KEY_ID:SECRET"},
		{name: "empty secret", file: write("empty", "AKID1:\n"), wantErr: "line 1"},
		{name: "no keys", file: write("blank", "# nothing\n"), wantErr: "no credentials"},
		{name: "missing file", file: filepath.Join(dir, "nope"), wantErr: "auth file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := serveCredentials(tt.file, func(k string) string { return tt.env[k] })
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "supersecret") {
					t.Errorf("error leaks the line's content: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("credentials mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestServeCmd runs ccql serve in process: it prints its address, answers
// the SDK with SigV4 checked, and shuts down cleanly when its context ends.
func TestServeCmd(t *testing.T) {
	dir := t.TempDir()
	auth := filepath.Join(dir, "auth")
	if err := os.WriteFile(auth, []byte("AKIDSERVE:topsecret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", filepath.Join(dir, "data"), "--auth-file", auth},
			strings.NewReader(""), outW, &stderr)
		outW.Close()
	}()
	line, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatalf("no address printed: %v (stderr %s)", err, stderr.String())
	}
	url, ok := strings.CutPrefix(strings.TrimSpace(line), "ccql serve: listening on ")
	if !ok || !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("first line %q", line)
	}
	go io.Copy(io.Discard, outR) //nolint:errcheck

	client := func(secret string) *cc.Client {
		return cc.New(cc.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
			HTTPClient: cloudcontrol.BufferBodies(awshttp.NewBuildableClient()), Credentials: credentials.NewStaticCredentialsProvider("AKIDSERVE", secret, "")})
	}
	if _, err := client("topsecret").ListResources(ctx, &cc.ListResourcesInput{TypeName: aws.String("AWS::Cognito::UserPool")}); err != nil {
		t.Errorf("signed request: %v", err)
	}
	if _, err := client("wrong").ListResources(ctx, &cc.ListResourcesInput{TypeName: aws.String("AWS::Cognito::UserPool")}); err == nil ||
		!strings.Contains(err.Error(), "InvalidSignatureException") {
		t.Errorf("bad signature: %v", err)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit code %d, stderr:\n%s", code, stderr.String())
	}
	logs := stderr.String()
	if strings.Contains(logs, "topsecret") {
		t.Errorf("logs contain the secret:\n%s", logs)
	}
	if !strings.Contains(logs, "stopped") {
		t.Errorf("no clean shutdown in logs:\n%s", logs)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "ccql.db")); err != nil {
		t.Errorf("data file: %v", err)
	}
}
