package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ccql/ccql"
	"github.com/ccql/ccql/internal/shell"
	"github.com/google/go-cmp/cmp"
)

// runShellTest runs `ccql shell` in process with input piped on stdin.
func runShellTest(t *testing.T, dataDir, input string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	t.Setenv("AWS_ENDPOINT_URL_CLOUDCONTROL", "")
	var out, errOut bytes.Buffer
	argv := append([]string{"shell", "--data-dir", dataDir}, args...)
	code = run(context.Background(), argv, strings.NewReader(input), &out, &errOut)
	return out.String(), errOut.String(), code
}

func TestShell_Piped(t *testing.T) {
	dir := t.TempDir()
	include := filepath.Join(dir, "inc.iql")
	if err := os.WriteFile(include, []byte("-- a file for \\i\n\\o csv\nSELECT 'from file' AS src;\n\\q\nSELECT 'after quit in file';\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		args       []string
		input      string
		wantOut    string   // stdout, exactly
		wantErr    []string // substrings of stderr, in order
		notErr     []string // absent from stderr
		wantCode   int
		outMatches string // a regexp stdout must match, instead of wantOut
	}{
		{
			name:    "multi-line statement with ; inside a string",
			args:    []string{"-o", "json"},
			input:   "SELECT 1 AS a,\n  'x;y' AS b\n;\n",
			wantOut: `[{"a":1,"b":"x;y"}]` + "\n",
		},
		{
			name:    "two statements on one line, comments between",
			args:    []string{"-o", "csv"},
			input:   "-- first\nSELECT 1 AS n; /* two */ SELECT 2 AS n;\n",
			wantOut: "n\n1\nn\n2\n",
		},
		{
			name:    "a last statement without ; runs at EOF",
			args:    []string{"-o", "csv"},
			input:   "SELECT 3 AS n",
			wantOut: "n\n3\n",
		},
		{
			name:    `\o switches the format`,
			input:   "\\o json\nSELECT 'x' AS v;\n\\o csv\nSELECT 'y' AS v;\n",
			wantOut: `[{"v":"x"}]` + "\nv\ny\n",
		},
		{
			name:     "an error, then a good statement",
			args:     []string{"-o", "csv"},
			input:    "SELECT * FROM awscc.cognito.no_such_thing;\nSELECT 'still here' AS ok;\n",
			wantOut:  "ok\nstill here\n",
			wantErr:  []string{"<stdin>:1: SELECT * FROM awscc.cognito.no_such_thing: unknown resource", "1 statement(s) failed"},
			wantCode: 1,
		},
		{
			name:     "a syntax error names its line",
			args:     []string{"-o", "csv"},
			input:    "SELECT 1 AS n;\n\nSELEKT 2;\nSELECT 3 AS n;\n",
			wantOut:  "n\n1\nn\n3\n",
			wantErr:  []string{"<stdin>:3: SELEKT 2: syntax error"},
			wantCode: 1,
		},
		{
			name:    `\dt and \d`,
			args:    []string{"-o", "csv"},
			input:   "\\dt cloud_control\n\\d cognito.user_pool_clients\n",
			wantOut: "", // checked by outMatches
			outMatches: `(?s)^name,id\nresource,awscc.cloud_control.resource\n.*resource_requests,awscc.cloud_control.resource_requests\n.*` +
				`name,type\nclient_name,string\n.*client_secret,string\nclient_id,string\nregion,string\n$`,
		},
		{
			name:       `\d+ adds descriptions`,
			args:       []string{"-o", "csv"},
			input:      "\\d+ awscc.cognito.user_pool_clients;\n",
			outMatches: `(?s)^name,type,description\nclient_name,string,`,
		},
		{
			name:     `\d of a bad name`,
			input:    "\\d x; DROP\n\\d user_pools\n",
			wantErr:  []string{`\d "x; DROP": want a resource`, `\d "user_pools": want a resource`},
			wantCode: 1,
		},
		{
			name:       `\dt without a service lists services`,
			args:       []string{"-o", "csv"},
			input:      "\\dt\n",
			outMatches: `(?s)^id,name,title\n.*\ncognito:v00\.00\.00000,cognito,cognito\n`,
		},
		{
			name:    `\set and --var feed templates`,
			args:    []string{"-o", "csv", "--var", "region=us-west-2"},
			input:   "\\set n 41\n\\set who the shell\nSELECT '{{ region }}' AS region, {{ n + 1 }} AS n, '{{ who }}' AS who;\n\\unset who\nSELECT '{{ who }}';\nSELECT 'ok' AS after;\n",
			wantOut: "region,n,who\nus-west-2,42,the shell\nafter\nok\n",
			wantErr: []string{"who"},
			// the undefined variable fails its statement only
			wantCode: 1,
		},
		{
			name:    `\set lists variables`,
			args:    []string{"--var", "a=1"},
			input:   "\\set b [1,2]\n\\set\n",
			wantOut: "a = 1\nb = [1,2]\n",
		},
		{
			name:    `\wait on awaits mutations`,
			args:    []string{"-o", "csv", "--latency", "200ms"},
			input:   "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p1', 'us-east-1' RETURNING OperationStatus;\n\\wait on\nINSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p2', 'us-east-1' RETURNING OperationStatus;\n\\wait off\nINSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p3', 'us-east-1' RETURNING OperationStatus;\n",
			wantOut: "OperationStatus\nIN_PROGRESS\nOperationStatus\nSUCCESS\nOperationStatus\nIN_PROGRESS\n",
		},
		{
			name:    `--wait is the initial \wait`,
			args:    []string{"-o", "csv", "--latency", "200ms", "--wait"},
			input:   "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p1', 'us-east-1' RETURNING OperationStatus;\n",
			wantOut: "OperationStatus\nSUCCESS\n",
		},
		{
			name:    "a mutation without RETURNING notes on stderr",
			input:   "INSERT INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p1', 'us-east-1';\n",
			wantOut: "",
			wantErr: []string{"1 request(s)"},
		},
		{
			name:    `\timing prints elapsed time on stderr`,
			args:    []string{"-o", "csv"},
			input:   "SELECT 1 AS n;\n\\timing on\nSELECT 2 AS n;\n\\timing off\nSELECT 3 AS n;\n",
			wantOut: "n\n1\nn\n2\nn\n3\n",
			wantErr: []string{"Time: "},
		},
		{
			name:    `\i runs a file; its \q ends only the file`,
			input:   "\\i " + include + "\nSELECT 'back' AS src;\n",
			wantOut: "src\nfrom file\nsrc\nback\n",
		},
		{
			name:     `\i of a missing file`,
			input:    "\\i " + filepath.Join(dir, "missing.iql") + "\n",
			wantErr:  []string{`\i: open `},
			wantCode: 1,
		},
		{
			name:    `\q stops reading`,
			args:    []string{"-o", "csv"},
			input:   "SELECT 1 AS n;\n\\q\nSELECT 2 AS n;\n",
			wantOut: "n\n1\n",
		},
		{
			name:    "quit and exit stop reading",
			args:    []string{"-o", "csv"},
			input:   "SELECT 1 AS n;\nexit\nSELECT 2 AS n;\n",
			wantOut: "n\n1\n",
		},
		{
			name:    "quit inside a statement is part of it",
			args:    []string{"-o", "csv"},
			input:   "SELECT 1 AS\nquit\n;\n",
			wantOut: "quit\n1\n",
		},
		{
			name:    "a backslash line inside a string is not a command",
			args:    []string{"-o", "json"},
			input:   "SELECT 'a\n\\q\nb' AS v;\n",
			wantOut: `[{"v":"a\n\\q\nb"}]` + "\n",
		},
		{
			name:    `\r discards the statement being typed`,
			args:    []string{"-o", "csv"},
			input:   "SELECT 1 AS n,\n\\r\nSELECT 2 AS n;\n",
			wantOut: "n\n2\n",
		},
		{
			name:     "unknown meta-command",
			args:     []string{"-o", "csv"},
			input:    "\\frobnicate\nSELECT 1 AS n;\n",
			wantOut:  "n\n1\n",
			wantErr:  []string{`unknown command \frobnicate`},
			wantCode: 1,
		},
		{
			name:       `\? shows help`,
			input:      "\\?\n",
			outMatches: `(?s)\\o \[table\|json\|jsonl\|csv\|text\].*SHOW SERVICES IN awscc`,
		},
		{
			name:    "no prompts or banner when piped",
			args:    []string{"-o", "csv"},
			input:   "SELECT\n1 AS n;\n",
			wantOut: "n\n1\n",
			notErr:  []string{"ccql>", "->", "help"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runShellTest(t, t.TempDir(), tt.input, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, errOut)
			}
			if tt.outMatches != "" {
				if !regexp.MustCompile(tt.outMatches).MatchString(out) {
					t.Errorf("stdout does not match %s:\n%s", tt.outMatches, out)
				}
			} else if diff := cmp.Diff(tt.wantOut, out); diff != "" {
				t.Errorf("stdout (-want +got):\n%s\nstderr:\n%s", diff, errOut)
			}
			rest := errOut
			for _, w := range tt.wantErr {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Errorf("stderr lacks %q (in order):\n%s", w, errOut)
					break
				}
				rest = rest[i+len(w):]
			}
			for _, w := range tt.notErr {
				if strings.Contains(errOut, w) {
					t.Errorf("stderr has %q:\n%s", w, errOut)
				}
			}
		})
	}
}

func TestShell_History(t *testing.T) {
	dataDir := t.TempDir()
	secretPatch := `UPDATE awscc.cognito.user_pool_clients SET PatchDocument = string('[{"op":"add","path":"/ClientSecret","value":"hunter2"}]') WHERE region = 'us-east-1' AND Identifier = 'a|b';`
	input := strings.Join([]string{
		"SELECT 1 AS n,",
		"  -- a comment that must not swallow the rest",
		"  2 AS m;",
		"SELECT client_secret FROM awscc.cognito.user_pool_clients WHERE region = 'us-east-1' AND Identifier = 'p|c';",
		secretPatch,
		`\o csv`,
		"SELECT 1 AS n,",
		"  2 AS m;",
		"",
	}, "\n")
	_, _, _ = runShellTest(t, dataDir, input)
	path := filepath.Join(dataDir, "history")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("history file: %v", err)
	}
	want := "SELECT 1 AS n, 2 AS m;\n\\o csv\nSELECT 1 AS n, 2 AS m;\n"
	if diff := cmp.Diff(want, string(b)); diff != "" {
		t.Errorf("history file (-want +got):\n%s", diff)
	}
	if strings.Contains(strings.ToLower(string(b)), "secret") || strings.Contains(string(b), "hunter2") {
		t.Errorf("history file holds a secret:\n%s", b)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := st.Mode().Perm(); perm != 0o600 {
		t.Errorf("history file mode = %v, want 0600", perm)
	}

	// A second session appends.
	runShellTest(t, dataDir, "SELECT 'again';\n")
	b, _ = os.ReadFile(path)
	if !strings.HasSuffix(string(b), want+"SELECT 'again';\n") {
		t.Errorf("second session did not append:\n%s", b)
	}

	// --no-history neither reads nor writes.
	other := t.TempDir()
	runShellTest(t, other, "SELECT 1;\n", "--no-history")
	if _, err := os.Stat(filepath.Join(other, "history")); !os.IsNotExist(err) {
		t.Errorf("--no-history wrote a history file (stat: %v)", err)
	}
}

func TestShell_Flags(t *testing.T) {
	tests := []struct {
		args []string
		want string
		code int
	}{
		{[]string{"-o", "yaml"}, `unknown output format "yaml"`, 2},
		{[]string{"--backend", "nope"}, `--backend "nope"`, 2},
		{[]string{"--var", "novalue"}, `--var "novalue": want NAME=VALUE`, 2},
		{[]string{"extra-arg"}, `shell takes no arguments, got "extra-arg" (usage: ccql shell [flags])`, 2},
	}
	for _, tt := range tests {
		_, errOut, code := runShellTest(t, t.TempDir(), "", tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("shell %v: code %d, stderr %q; want code %d and %q", tt.args, code, errOut, tt.code, tt.want)
		}
	}
}

// TestShell_CompleteEngine drives the completer over the real engine's
// catalog, as Tab does in the shell.
func TestShell_CompleteEngine(t *testing.T) {
	ctx := context.Background()
	eng, err := ccql.Open(ctx, ccql.Config{DataDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	c := shell.NewCompleter(shell.EngineCatalog{Q: eng})
	tests := []struct {
		buffer, line string // | marks the cursor
		want         []string
	}{
		{line: "SELECT * FROM |", want: []string{"awscc."}},
		{line: "SELECT * FROM awscc.cogn|", want: []string{"awscc.cognito.", "awscc.cognito_outbox."}},
		{line: "SELECT * FROM awscc.cognito_outbox.m|", want: []string{"awscc.cognito_outbox.messages"}},
		{line: "SHOW RESOURCES IN awscc.cogn|", want: []string{"awscc.cognito", "awscc.cognito_outbox"}},
		{line: "SELECT * FROM awscc.cognito.user_pool_cl|", want: []string{"awscc.cognito.user_pool_clients", "awscc.cognito.user_pool_clients_list_only"}},
		{line: "SELECT * FROM awscc.cloud_control.resource_req|", want: []string{"awscc.cloud_control.resource_request", "awscc.cloud_control.resource_requests"}},
		{line: "SELECT client_| FROM awscc.cognito.user_pool_clients", want: []string{"client_id", "client_name", "client_secret"}},
		{buffer: "SELECT *\nFROM awscc.cognito.user_pools p\n", line: "WHERE p.user_pool_n|", want: []string{"p.user_pool_name"}},
		{line: "DELETE FROM awscc.cognito.user_pools WHERE Identifier = 'x' RETURNING Req|", want: []string{"RequestToken"}},
		{line: `\d awscc.cognito.user_pool_c|`, want: []string{"awscc.cognito.user_pool_clients", "awscc.cognito.user_pool_clients_list_only"}},
		{line: `\dt cogn|`, want: []string{"cognito", "cognito_outbox"}},
	}
	for _, tt := range tests {
		i := strings.Index(tt.line, "|")
		line := tt.line[:i] + tt.line[i+1:]
		_, got, _ := c.Complete(ctx, tt.buffer, line, len([]rune(tt.line[:i])))
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Complete(%q) (-want +got):\n%s", tt.line, diff)
		}
	}
}

// TestShell_Tmux drives the shell on a real terminal (tmux): prompts,
// continuation lines, Tab completion, Ctrl-C on a running statement and at
// the prompt, and \q. It is skipped where tmux is not installed.
func TestShell_Tmux(t *testing.T) {
	tmux, err := exec.LookPath("tmux")
	if err != nil {
		t.Skip("tmux not installed")
	}
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "ccql")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dataDir := filepath.Join(dir, "data")
	socket := filepath.Join(dir, "tmux.sock")
	tm := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(tmux, append([]string{"-S", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	// The pane outlives the shell (sleep) so that its exit status can be read.
	tm("new-session", "-d", "-s", "ccql", "-x", "160", "-y", "50",
		"TERM=xterm AWS_ENDPOINT_URL_CLOUDCONTROL= '"+bin+"' shell --data-dir '"+dataDir+"' -o csv --latency 4s; echo EXITED=$?; sleep 60")
	t.Cleanup(func() { exec.Command(tmux, "-S", socket, "kill-server").Run() })

	// waitFor polls the screen until it matches: the shell answers
	// asynchronously, and a terminal has no other completion signal.
	waitFor := func(what string, re *regexp.Regexp) string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			screen := tm("capture-pane", "-p", "-t", "ccql")
			if re.MatchString(screen) {
				return screen
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: screen never matched %s:\n%s", what, re, screen)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	keys := func(k ...string) { t.Helper(); tm(append([]string{"send-keys", "-t", "ccql"}, k...)...) }

	waitFor("banner and prompt", regexp.MustCompile(`(?m)Type \\\? for help.*\n^ccql>$`))
	// Ctrl-C while a statement runs stops it, not the shell. The spinner
	// shows the statement is running (the emulator takes 4s).
	keys("-l", `INSERT /*+ AWAIT */ INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p', 'us-east-1'\;`)
	keys("Enter")
	waitFor("awaiting spinner", regexp.MustCompile(`awaiting CREATE AWS::Cognito::UserPool`))
	keys("C-c")
	waitFor("statement interrupted", regexp.MustCompile(`(?m)interrupted \(requests already sent go on[^>]*\n^ccql>$`))

	keys("-l", "SELECT 40 + 2 AS answer")
	keys("Enter")
	waitFor("continuation prompt", regexp.MustCompile(`(?m)^   ->$`))
	keys("-l", `\;`) // a bare ; separates tmux commands
	keys("Enter")
	waitFor("result", regexp.MustCompile(`(?m)^answer\n42\nccql>$`))

	keys("-l", "SHOW RESOURCES IN awscc.cogn")
	keys("Tab")
	waitFor("completed service", regexp.MustCompile(`(?m)^ccql> SHOW RESOURCES IN awscc\.cognito$`))
	keys("C-c")
	waitFor("Ctrl-C discards the line", regexp.MustCompile(`(?m)^ccql> SHOW RESOURCES IN awscc\.cognito(\^C)?\nccql>$`))

	keys("-l", `SELECT 'secret' AS client_secret\;`)
	keys("Enter")
	waitFor("secret statement ran", regexp.MustCompile(`(?m)^client_secret\nsecret\n`))
	keys("-l", `\q`)
	keys("Enter")
	waitFor("shell exited", regexp.MustCompile(`(?m)^EXITED=0$`))
	b, err := os.ReadFile(filepath.Join(dataDir, "history"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "INSERT /*+ AWAIT */ INTO awscc.cognito.user_pools (UserPoolName, region) SELECT 'p', 'us-east-1';\nSELECT 40 + 2 AS answer ;\n\\q\n"; string(b) != want {
		t.Errorf("history = %q, want %q", b, want)
	}
}
