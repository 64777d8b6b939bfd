package main

import (
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestBuild_StaticStrippedVersioned builds ccql the way the README says
// (make build) with cgo on in the environment, as on a machine with gcc,
// and checks that the binary is static and stripped and that --version
// and version report the module version, the commit, its date and the Go
// version.
func TestBuild_StaticStrippedVersioned(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if runtime.GOOS != "linux" {
		t.Skip("checks an ELF binary")
	}
	bin := filepath.Join(t.TempDir(), "ccql")
	cmd := exec.Command("make", "-s", "build", "BIN="+bin)
	cmd.Dir = repoRoot(t)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1", "GOFLAGS=-buildvcs=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("make build: %v\n%s", err, out)
	}

	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Error("the binary has a program interpreter: it is dynamically linked")
		}
	}
	if libs, err := f.ImportedLibraries(); err != nil || len(libs) > 0 {
		t.Errorf("the binary needs shared libraries %v (err %v)", libs, err)
	}
	if _, err := f.Symbols(); !errors.Is(err, elf.ErrNoSymbols) {
		t.Errorf("the binary has a symbol table (want -ldflags -s): %v", err)
	}
	if s := f.Section(".debug_info"); s != nil {
		t.Error("the binary has DWARF (want -ldflags -w)")
	}

	commit := ""
	if out, err := exec.Command("git", "-C", repoRoot(t), "rev-parse", "HEAD").Output(); err == nil {
		commit = strings.TrimSpace(string(out))
	}
	want := regexp.MustCompile(`^ccql (v\S+|\(devel\))\ncommit: ([0-9a-f]{40}( \(modified\))?|unknown)\ndate:   (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|unknown)\ngo:     go\S+ ` + runtime.GOOS + "/" + runtime.GOARCH + `\n$`)
	var outs []string
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, err := exec.Command(bin, args...).Output()
		if err != nil {
			t.Fatalf("ccql %v: %v", args, err)
		}
		if !want.Match(out) {
			t.Errorf("ccql %v printed %q, want version, commit, date and Go version", args, out)
		}
		if commit != "" && (!strings.Contains(string(out), "commit: "+commit) || !strings.Contains(string(out), commit[:12])) {
			t.Errorf("ccql %v printed %q, want commit %s in the version and the commit line", args, out, commit)
		}
		outs = append(outs, string(out))
	}
	if outs[0] != outs[1] {
		t.Errorf("--version and version differ:\n%s\n%s", outs[0], outs[1])
	}
}

func TestPseudoVersion(t *testing.T) {
	tests := []struct {
		commit, date string
		modified     bool
		want         string
	}{
		{"612a6a197fe9fc0831063ff2361f9aac0ff03c70", "2026-12-02T06:34:15Z", false, "v0.0.0-20261202063415-612a6a197fe9"},
		{"612a6a197fe9fc0831063ff2361f9aac0ff03c70", "2026-12-02T07:34:15+01:00", true, "v0.0.0-20261202063415-612a6a197fe9+dirty"},
		{"612a6a", "2026-12-02T06:34:15Z", false, "(devel)"},
		{"612a6a197fe9fc0831063ff2361f9aac0ff03c70", "yesterday", false, "(devel)"},
	}
	for _, tt := range tests {
		if got := pseudoVersion(tt.commit, tt.date, tt.modified); got != tt.want {
			t.Errorf("pseudoVersion(%q, %q, %v) = %q, want %q", tt.commit, tt.date, tt.modified, got, tt.want)
		}
	}
}
