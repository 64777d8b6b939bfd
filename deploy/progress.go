package deploy

import (
	"fmt"
	"time"
)

// begin shows, on a terminal, which resource is running.
func (rn *run) begin(res *Resource) {
	if rn.cfg.Terminal {
		fmt.Fprintf(rn.cfg.Progress, "\r\033[K  … %s", res.Name)
	}
}

// done prints a resource's line: mark, name, action, elapsed time.
func (rn *run) done(rr ResourceResult, err error) {
	mark, action := "✓", string(rr.Action)
	switch {
	case err != nil:
		mark, action = "✗", "failed"
	case rr.Action == ActionSkipped || rr.Action == ActionNotFound || rr.Action == ActionKept:
		mark = "-"
	case rr.Action == ActionWouldCreate || rr.Action == ActionWouldUpdate || rr.Action == ActionWouldDeploy || rr.Action == ActionWouldRun:
		mark = "~"
	}
	prefix := ""
	if rn.cfg.Terminal {
		prefix = "\r\033[K"
	}
	line := fmt.Sprintf("%s%s %-24s %-14s %s", prefix, mark, rr.Name, action, rr.Elapsed.Round(time.Millisecond))
	if rr.Note != "" {
		line += "  (" + rn.mask.mask(rr.Note) + ")"
	}
	fmt.Fprintln(rn.cfg.Progress, line)
}
