package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/ccql/ccql/internal/template"
)

var (
	rePatch = regexp.MustCompile(`(?is)PatchDocument\s*=\s*(?:string\s*\(\s*)?'((?:[^']|'')*)'`)
	// The table and the resource an UPDATE is about.
	reUpdateTable = regexp.MustCompile(`(?is)^\s*UPDATE\s+([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)+)\s`)
	reIdentifier  = regexp.MustCompile(`(?is)\bIdentifier\s*=\s*'((?:[^']|'')*)'`)
	reRegion      = regexp.MustCompile(`(?is)\bregion\s*=\s*'((?:[^']|'')*)'`)
)

// patchDocument is the PatchDocument literal of an UPDATE, unquoted.
func patchDocument(stmt string) (string, bool) {
	m := rePatch.FindStringSubmatch(stmt)
	if m == nil {
		return "", false
	}
	return strings.ReplaceAll(m[1], "''", "'"), true
}

// diff reads the resource an UPDATE … SET PatchDocument = … statement is
// about and returns the properties whose patched value differs from the
// current one. Secrets are masked.
func (rn *run) diff(ctx context.Context, res *Resource, stmt string) ([]Change, error) {
	patch, ok := patchDocument(stmt)
	if !ok {
		return nil, errors.New("the statement has no PatchDocument")
	}
	var ops []struct {
		Op    string          `json:"op"`
		Path  string          `json:"path"`
		Value json.RawMessage `json:"value"`
	}
	if err := json.Unmarshal([]byte(patch), &ops); err != nil {
		return nil, fmt.Errorf("the PatchDocument is not a JSON patch: %w", err)
	}
	table, id, region := reUpdateTable.FindStringSubmatch(stmt), reIdentifier.FindStringSubmatch(stmt), reRegion.FindStringSubmatch(stmt)
	if table == nil || id == nil || region == nil {
		return nil, errors.New("the UPDATE does not name its table, Identifier and region")
	}
	q := fmt.Sprintf("SELECT * FROM %s WHERE region = '%s' AND Identifier = '%s'", table[1], region[1], id[1])
	out, err := rn.q.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(out.Rows) != 1 {
		return nil, fmt.Errorf("%s %s not found", table[1], rn.mask.mask(strings.ReplaceAll(id[1], "''", "'")))
	}
	current := map[string]any{}
	for k, v := range rowMap(out, 0) {
		current[columnKey(k)] = v
	}
	var changes []Change
	for _, op := range ops {
		path := strings.Split(strings.TrimPrefix(op.Path, "/"), "/")
		var desired any
		if op.Op != "remove" {
			desired = template.Normalize(op.Value)
		}
		cur, ok := current[columnKey(path[0])]
		for _, p := range path[1:] {
			if !ok {
				break
			}
			cur, ok = dig(cur, strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~"))
		}
		if !ok {
			cur = nil
		}
		if sameValue(cur, desired) {
			continue
		}
		prop := strings.Join(path, ".")
		c := Change{Property: prop, Current: rn.maskValue(prop, cur), Desired: rn.maskValue(prop, desired)}
		changes = append(changes, c)
	}
	return changes, nil
}

// columnKey matches a property (AccessTokenValidity, CallbackURLs) to its
// column (access_token_validity, callback_urls).
func columnKey(s string) string { return strings.ToLower(strings.ReplaceAll(s, "_", "")) }

// sameValue compares two values as JSON (key order does not matter; a
// number equals its text, as Cloud Control coerces).
func sameValue(a, b any) bool {
	ca, _ := canonicalJSON(a)
	cb, _ := canonicalJSON(b)
	if ca == cb {
		return true
	}
	sa, aok := a.(string)
	sb, bok := b.(string)
	switch {
	case aok && !bok:
		cs, _ := canonicalJSON(b)
		return strings.TrimSpace(cs) == sa
	case bok && !aok:
		cs, _ := canonicalJSON(a)
		return strings.TrimSpace(cs) == sb
	}
	return false
}

// maskValue is v as plain JSON data with secrets masked: the whole value
// when the property is named like a secret, else every registered secret
// inside it.
func (rn *run) maskValue(prop string, v any) any {
	if v == nil {
		return nil
	}
	if looksSecret(prop) {
		return Masked
	}
	plain := exportValue(v)
	b, err := json.Marshal(plain)
	if err != nil {
		return Masked
	}
	masked := rn.mask.mask(string(b))
	if masked == string(b) {
		return plain
	}
	var out any
	if json.Unmarshal([]byte(masked), &out) != nil {
		return Masked
	}
	return out
}

// diffNote explains a false statecheck for an error message: the
// properties the resource's update anchor would change, with both values.
// It is "" when that cannot be told (no update anchor, no PatchDocument, a
// failing read).
func (rn *run) diffNote(ctx context.Context, res *Resource, vars map[string]any) string {
	if rn.cfg.DryRun || rn.q == nil {
		return ""
	}
	u := rn.stack.queries[res.Name].Get(AnchorUpdate)
	if u == nil {
		return ""
	}
	stmt, err := rn.tpl.Render("update", u.Text, vars)
	if err != nil {
		return ""
	}
	changes, err := rn.diff(ctx, res, stmt)
	if err != nil || len(changes) == 0 {
		return ""
	}
	parts := make([]string, len(changes))
	for i, c := range changes {
		parts[i] = fmt.Sprintf("%s is %s, desired %s", c.Property, compactValue(c.Current), compactValue(c.Desired))
	}
	return ": " + strings.Join(parts, "; ")
}
