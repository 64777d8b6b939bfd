package deploy

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"

	"github.com/ccql/ccql/internal/template"
)

// script runs a script resource: its run command, rendered, through sh in
// the stack directory, with the run's variables in its environment. Its
// standard output must be a JSON object holding the resource's exports.
func (rn *run) script(ctx context.Context, res *Resource, vars map[string]any) error {
	v, err := rn.renderValue("resources."+res.Name+".run", res.Run, vars)
	if err != nil {
		return rn.fail(res, "run", err)
	}
	cmdText := fmt.Sprint(v)
	if rn.cfg.DryRun || rn.cfg.ShowQueries {
		fmt.Fprintf(rn.cfg.Out, "-- %s: run\n%s\n\n", res.Name, rn.mask.mask(cmdText))
	}
	if rn.cfg.DryRun {
		for _, e := range res.Exports {
			rn.setExport(res, e.As, placeholder)
		}
		return nil
	}
	cmd := exec.CommandContext(ctx, "sh", "-c", cmdText)
	cmd.Dir = rn.stack.Dir
	cmd.Env = os.Environ()
	keys := make([]string, 0, len(rn.cfg.Vars))
	for k := range rn.cfg.Vars {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		cmd.Env = append(cmd.Env, k+"="+rn.cfg.Vars[k])
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		tail := strings.TrimSpace(stderr.String())
		if len(tail) > 500 {
			tail = "…" + tail[len(tail)-500:]
		}
		return rn.fail(res, "run", fmt.Errorf("%w: %v: %s", ErrScript, err, tail))
	}
	if len(res.Exports) == 0 {
		return nil
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &out); err != nil {
		return rn.fail(res, "run", fmt.Errorf("%w: standard output is not a JSON object", ErrScript))
	}
	for _, e := range res.Exports {
		raw, ok := out[e.Column]
		if !ok {
			return rn.fail(res, "run", fmt.Errorf("%w: the output has no %q", ErrExports, e.Column))
		}
		rn.setExport(res, e.As, template.Normalize(raw))
	}
	return nil
}
