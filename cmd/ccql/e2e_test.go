package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ccql/ccql/internal/e2etest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// binary builds the ccql command once per test run.
var binary = sync.OnceValues(func() (string, error) { return e2etest.Build("ccql-e2e-bin") })

// ccqlBin runs the built binary and returns stdout, stderr and the exit code.
func ccqlBin(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(cleanEnv(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run ccql %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), code
}

// cleanEnv drops AWS settings from the test's environment so that runs are
// the same on every machine.
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "AWS_") || strings.HasPrefix(kv, "CCQL_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(filepath.Dir(wd))
}

// normalizers replace the values that differ on every run.
var normalizers = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`), "<UUID>"},
	{regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`), "<TIME>"},
	{regexp.MustCompile(`\b([a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]{9}\b`), "${1}_<POOL>"},
	{regexp.MustCompile(`\b[a-z0-9]{26}\b`), "<CLIENT_ID>"},
	{regexp.MustCompile(`\b[a-z0-9]{52}\b`), "<SECRET>"},
	{regexp.MustCompile(`UserPoolClient-[A-Z0-9]{12}`), "UserPoolClient-<GENERATED>"},
}

func normalize(s string) string {
	for _, n := range normalizers {
		s = n.re.ReplaceAllString(s, n.repl)
	}
	return s
}

// checkGolden compares got (normalized) with testdata/e2e/<name>.golden.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	got = normalize(got)
	path := filepath.Join("testdata", "e2e", name+".golden")
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s: output differs from %s\n--- got:\n%s\n--- want:\n%s", name, path, got, want)
	}
}

// TestE2E_Catalog pins every SHOW and DESCRIBE of the seed's resources.
func TestE2E_Catalog(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	env := []string{"CCQL_DATA_DIR=" + t.TempDir()}
	cases := []struct{ name, stmt, format string }{
		{"show_providers", "SHOW PROVIDERS", "table"},
		{"show_services_like", "SHOW SERVICES IN awscc LIKE 'cog%'", "table"},
		{"show_services_json", "SHOW SERVICES IN awscc LIKE 'c%'", "json"},
		{"show_resources_cognito", "SHOW RESOURCES IN awscc.cognito", "table"},
		{"show_resources_cloud_control", "SHOW RESOURCES IN awscc.cloud_control", "csv"},
		{"show_methods_user_pool_clients", "SHOW METHODS IN awscc.cognito.user_pool_clients", "table"},
		{"show_methods_user_pool_clients_list_only", "SHOW METHODS IN awscc.cognito.user_pool_clients_list_only", "table"},
		{"show_methods_user_pools", "SHOW METHODS IN awscc.cognito.user_pools", "json"},
		{"describe_user_pool_clients", "DESCRIBE awscc.cognito.user_pool_clients", "table"},
		{"describe_extended_user_pool_clients", "DESCRIBE EXTENDED awscc.cognito.user_pool_clients", "table"},
		{"describe_user_pool_clients_list_only", "DESCRIBE awscc.cognito.user_pool_clients_list_only", "table"},
		{"describe_extended_user_pools", "DESCRIBE EXTENDED awscc.cognito.user_pools", "json"},
		{"describe_resource_request", "DESCRIBE awscc.cloud_control.resource_request", "table"},
		{"show_resources_cognito_outbox", "SHOW RESOURCES IN awscc.cognito_outbox", "csv"},
		{"show_methods_cognito_outbox_messages", "SHOW METHODS IN awscc.cognito_outbox.messages", "table"},
		{"describe_extended_cognito_outbox_messages", "DESCRIBE EXTENDED awscc.cognito_outbox.messages", "table"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, code := ccqlBin(t, env, "exec", "-o", c.format, c.stmt)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			checkGolden(t, "catalog/"+c.name, out)
		})
	}
}

// seedRun runs the seed page's statements in order against one backend and
// checks each output against the same golden files, so the embedded
// emulator and an endpoint must give identical results.
func seedRun(t *testing.T, backend []string) {
	env := []string{"CCQL_DATA_DIR=" + t.TempDir()}
	run := func(name string, args ...string) string {
		t.Helper()
		out, errOut, code := ccqlBin(t, env, append(append([]string{"exec"}, backend...), args...)...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errOut)
		}
		return out
	}
	pool := strings.TrimSpace(run("create pool", "-o", "text", "--wait",
		"INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'seed-pool', 'us-east-1' RETURNING Identifier"))
	if !regexp.MustCompile(`^us-east-1_[0-9A-Za-z]{9}$`).MatchString(pool) {
		t.Fatalf("pool id %q does not look like a Cognito pool id", pool)
	}
	vars := []string{"--var", "region=us-east-1", "--var", "user_pool_id=" + pool}

	// INSERT, as on the page (it sends only UserPoolId), awaited.
	out := run("insert", append([]string{"-o", "json", "--wait", "-f", "examples/seed/insert.iql"}, vars...)...)
	checkGolden(t, "seed/01-insert", out)
	id := regexp.MustCompile(`"Identifier":"(us-east-1_[0-9A-Za-z]{9})\|([a-z0-9]{26})"`).FindStringSubmatch(out)
	if id == nil {
		t.Fatalf("no identifier in the INSERT's RETURNING: %s", out)
	}
	client := id[2]
	vars = append(vars, "--var", "client_id="+client)
	all := append([]string{"--var-file", "examples/seed/vars.example.yaml"}, vars...)

	checkGolden(t, "seed/02-select", run("select", append([]string{"-o", "json", "-f", "examples/seed/select.iql"}, all...)...))
	checkGolden(t, "seed/03-update", run("update", append([]string{"-o", "json", "--wait", "-f", "examples/seed/update.iql"}, all...)...))
	checkGolden(t, "seed/04-select-after-update", run("select", append([]string{"-o", "json", "-f", "examples/seed/select.iql"}, all...)...))
	checkGolden(t, "seed/05-list", run("list", append([]string{"-f", "examples/seed/list.iql"}, vars...)...))
	checkGolden(t, "seed/06-delete", run("delete", append([]string{"-o", "json", "--wait", "-f", "examples/seed/delete.iql"}, all...)...))
	checkGolden(t, "seed/07-select-after-delete", run("select", append([]string{"-o", "json", "-f", "examples/seed/select.iql"}, all...)...))
}

func TestE2E_SeedEmbedded(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	seedRun(t, nil)
}

// TestE2E_SeedEndpoint runs the same statements through the AWS SDK
// against a ccql serve started here.
func TestE2E_SeedEndpoint(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	addr := startServe(t)
	seedRun(t, []string{"--endpoint", "http://" + addr})
}

// startServe starts `ccql serve` on a free loopback port and waits until it
// accepts connections.
func startServe(t *testing.T) string {
	t.Helper()
	return startServeArgs(t, "--data-dir", t.TempDir())
}

// startServeArgs starts `ccql serve --addr <free loopback port> args…` and
// returns the address once it accepts connections; the server is stopped
// when the test ends.
func startServeArgs(t *testing.T, args ...string) string {
	t.Helper()
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	return e2etest.Serve(t, bin, cleanEnv(), args...)
}

// TestE2E_EndpointFromEnv selects the endpoint backend by
// AWS_ENDPOINT_URL_CLOUDCONTROL alone, with a custom CA bundle configured
// and no AWS credentials anywhere, as on a developer's machine.
func TestE2E_EndpointFromEnv(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	addr := startServe(t)
	env := []string{"AWS_ENDPOINT_URL_CLOUDCONTROL=http://" + addr, "HOME=" + t.TempDir(), "CCQL_DATA_DIR=" + t.TempDir()}
	if _, err := os.Stat("/etc/ssl/certs/ca-certificates.crt"); err == nil {
		env = append(env, "AWS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt")
	}
	out, errOut, code := ccqlBin(t, env, "exec", "-o", "csv", "SELECT count(*) AS n FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'")
	if code != 0 || out != "n\n0\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if strings.Contains(errOut, "IMDS") {
		t.Errorf("stderr mentions instance metadata: %q", errOut)
	}
}

// mustCCQL returns a runner of the built binary with env that fails the
// test on a non-zero exit and returns stdout and stderr.
func mustCCQL(t *testing.T, env []string) func(args ...string) (string, string) {
	return func(args ...string) (string, string) {
		t.Helper()
		stdout, stderr, code := ccqlBin(t, env, args...)
		if code != 0 {
			t.Fatalf("ccql %v: exit %d\nstdout:\n%s\nstderr:\n%s", args, code, stdout, stderr)
		}
		return stdout, stderr
	}
}

// wantLinesIn returns a check that text matches every multi-line regexp.
func wantLinesIn(t *testing.T) func(what, text string, lines ...string) {
	return func(what, text string, lines ...string) {
		t.Helper()
		for _, l := range lines {
			if !regexp.MustCompile(`(?m)` + l).MatchString(text) {
				t.Errorf("%s lacks /%s/:\n%s", what, l, text)
			}
		}
	}
}
