package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// Link-time fallbacks (-ldflags "-X main.vcsRevision=…"): make sets the
// vcs ones from git because go build does not stamp VCS information in a
// git worktree; version overrides the module version. What go build
// stamped itself wins over the vcs ones.
var (
	version     string
	vcsRevision string
	vcsTime     string
	vcsModified string
)

// buildInfo is what ccql version prints: the module version, the VCS
// commit and time, and the toolchain.
type buildInfo struct {
	Version  string // "v1.2.3", a pseudo-version, or "(devel)"
	Commit   string // full hash; "" when built outside a VCS checkout
	Date     string // the commit's time, RFC 3339; "" without VCS info
	Modified bool   // the working tree had uncommitted changes
	Go       string // "go1.26.0"
	Platform string // "linux/amd64"
}

// readBuildInfo reads the version from the binary's embedded build info,
// which go build fills from the module and (-buildvcs, on by default in a
// checkout) the git commit.
func readBuildInfo() buildInfo {
	bi := buildInfo{Version: "(devel)", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if info, ok := debug.ReadBuildInfo(); ok {
		if v := info.Main.Version; v != "" {
			bi.Version = v
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				bi.Commit = s.Value
			case "vcs.time":
				bi.Date = s.Value
			case "vcs.modified":
				bi.Modified = s.Value == "true"
			}
		}
	}
	if bi.Commit == "" && vcsRevision != "" {
		bi.Commit, bi.Date, bi.Modified = vcsRevision, vcsTime, vcsModified == "true"
		if bi.Version == "(devel)" {
			bi.Version = pseudoVersion(bi.Commit, bi.Date, bi.Modified)
		}
	}
	if version != "" {
		bi.Version = version
	}
	return bi
}

// pseudoVersion is the version go build gives an untagged commit
// (v0.0.0-20261202063000-0123456789ab, +dirty when modified), for builds
// where make supplied the commit.
func pseudoVersion(commit, date string, modified bool) string {
	t, err := time.Parse(time.RFC3339, date)
	if err != nil || len(commit) < 12 {
		return "(devel)"
	}
	v := "v0.0.0-" + t.UTC().Format("20060102150405") + "-" + commit[:12]
	if modified {
		v += "+dirty"
	}
	return v
}

// String is what ccql version and ccql --version print:
//
//	ccql v1.2.3
//	commit: 0123abcd… (modified)
//	date:   2026-12-02T06:30:00Z
//	go:     go1.26.0 linux/amd64
//
// commit and date say "unknown" for a build without VCS information (go
// build outside a checkout, or -buildvcs=false).
func (b buildInfo) String() string {
	commit, date := b.Commit, b.Date
	if commit == "" {
		commit = "unknown"
	} else if b.Modified {
		commit += " (modified)"
	}
	if date == "" {
		date = "unknown"
	}
	return fmt.Sprintf("ccql %s\ncommit: %s\ndate:   %s\ngo:     %s %s", b.Version, commit, date, b.Go, b.Platform)
}

// short is the version alone, for the shell's banner.
func (b buildInfo) short() string {
	if b.Commit != "" && (b.Version == "(devel)" || strings.Contains(b.Version, "+dirty")) {
		return b.Version + " " + b.Commit[:min(len(b.Commit), 12)]
	}
	return b.Version
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the ccql version, commit, date and Go version (as --version)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(a.stdout, readBuildInfo())
			return err
		},
	}
}
