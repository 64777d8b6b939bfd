package catalog

import (
	_ "embed"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ccql/ccql/internal/schema"
)

// namesData is the precomputed name of every provisionable type, one line
// each, sorted: TypeName \t service \t resource \t flags ("L" when the type
// has a list handler, so a _list_only twin). Pluralising 1,490 names
// compiles and runs a few hundred regexps per word, too slow for a CLI that
// answers SHOW SERVICES in milliseconds; this file makes it a table read.
// internal/catalog/gen writes it with WriteNames.
//
//go:embed awscc.tsv
var namesData string

// entryFor computes a type's index entry from its schema. ok is false for
// types that are not Cloud Control resources (no create handler, or not in
// the AWS:: namespace).
func entryFor(r *schema.Resource, p *Pluralizer) (e entry, ok bool) {
	if !Provisionable(r) {
		return entry{}, false
	}
	svc := ServiceName(r.TypeName)
	if svc == "" {
		return entry{}, false
	}
	return entry{typeName: r.TypeName, service: svc, resource: p.ResourceName(r.TypeName), list: hasHandler(r, "list")}, true
}

// Provisionable reports whether a schema is one the awscc provider serves:
// an AWS type whose create handler has permissions (Cloud Control can
// create it). The catalog generator keeps exactly these types.
func Provisionable(r *schema.Resource) bool {
	return strings.HasPrefix(r.TypeName, "AWS::") && hasHandler(r, "create")
}

// parseNames reads namesData into entries by type name.
func parseNames(data string) (map[string]entry, error) {
	out := make(map[string]entry, strings.Count(data, "\n"))
	for data != "" {
		line, rest, _ := strings.Cut(data, "\n")
		data = rest
		tn, f, _ := strings.Cut(line, "\t")
		svc, f, _ := strings.Cut(f, "\t")
		res, flags, ok := strings.Cut(f, "\t")
		if !ok || tn == "" || svc == "" || res == "" || strings.Contains(flags, "\t") {
			return nil, fmt.Errorf("catalog: bad name index line %q", line)
		}
		out[tn] = entry{typeName: tn, service: svc, resource: res, list: strings.Contains(flags, "L")}
	}
	return out, nil
}

// WriteNames writes the name index of the given schemas (the contents of
// awscc.tsv) after checking what StackQL's registry guarantees: no two types
// of a service share a resource name, no resource name ends in _list_only,
// and no two columns of a table share a name (SQL names are
// case-insensitive, so neither may they differ only in case). Schemas that
// are not Cloud Control resources are skipped. The generator calls it.
func WriteNames(w io.Writer, rs []*schema.Resource) error {
	p := NewPluralizer()
	var es []entry
	seen := map[string]string{} // service.resource → type
	for _, r := range rs {
		e, ok := entryFor(r, p)
		if !ok {
			continue
		}
		key := e.service + "." + e.resource
		if prev, dup := seen[key]; dup {
			return fmt.Errorf("write names: %s and %s are both %s", prev, r.TypeName, key)
		}
		seen[key] = r.TypeName
		if strings.HasSuffix(e.resource, ListOnlySuffix) {
			return fmt.Errorf("write names: %s is named %s, which reads as a list view", r.TypeName, e.resource)
		}
		full, listOnly := resourceTables(r, e.service, e.resource)
		for _, t := range []*Table{full, listOnly} {
			if t == nil {
				continue
			}
			cols := map[string]bool{}
			for _, c := range t.Columns {
				k := strings.ToLower(c.Name)
				if cols[k] {
					return fmt.Errorf("write names: %s: two columns named %s", t.ID(), c.Name)
				}
				cols[k] = true
			}
		}
		es = append(es, e)
	}
	sort.Slice(es, func(i, j int) bool { return es[i].typeName < es[j].typeName })
	for _, e := range es {
		flags := "-"
		if e.list {
			flags = "L"
		}
		if _, err := fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", e.typeName, e.service, e.resource, flags); err != nil {
			return fmt.Errorf("write names: %w", err)
		}
	}
	return nil
}
