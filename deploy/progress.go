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
	case rr.Action == ActionSkipped || rr.Action == ActionNotFound || rr.Action == ActionKept || rr.Action == ActionNoChange:
		mark = "-"
	case rr.Action == ActionDelete:
		mark = "x"
	case rn.command == "teardown" && rr.Action != ActionDeleted && rr.Action != ActionRendered:
		// A query or script in a teardown read something; nothing was
		// torn down.
		mark = "-"
	case rr.Action == ActionCreate || rr.Action == ActionCreateOrUpdate || rr.Action == ActionRun:
		mark = "+"
	case rr.Action == ActionUpdate:
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
