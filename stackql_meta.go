package ccql

import (
	"fmt"
	"strings"

	"github.com/ccql/ccql/internal/catalog"
)

// This file answers the StackQL statements that describe rather than
// query: SHOW INSERT (an INSERT template), REGISTRY LIST and SHOW EXTENDED
// RESOURCES.

// showInsert answers SHOW INSERT [/*+ REQUIRED */] INTO resource: an INSERT
// with every writable column (or only the required ones) and a '{{ … }}'
// placeholder for each, named like the column, ready for --var-file. One
// row per line, so that -o text writes a file that runs as it is.
// Properties are listed in PascalCase and region last, as StackQL does;
// numbers and booleans are unquoted (ccql would coerce quoted ones too),
// strings, arrays and objects quoted (a list or a map from a YAML var file
// renders as JSON).
func (e *Engine) showInsert(t *catalog.Table, required bool) (*Result, error) {
	if t.Kind != catalog.KindResource || t.Schema == nil || !t.Schema.HasHandler("create") {
		return nil, fmt.Errorf("%w: %s has no create handler, so no INSERT", ErrUnsupported, t.ID())
	}
	var cols []catalog.Column
	for _, c := range t.Columns {
		if c.Property == "" || c.ReadOnly || strings.Contains(c.Property, "/") {
			continue
		}
		if required && !c.Required {
			continue
		}
		cols = append(cols, c)
	}
	cols = append(cols, catalog.Column{Name: catalog.RegionColumn, Property: catalog.RegionColumn, Type: "string"})
	lines := []string{"INSERT INTO " + t.ID() + " ("}
	for i, c := range cols {
		lines = append(lines, "  "+c.Property+comma(i, len(cols)))
	}
	lines = append(lines, ")", "SELECT")
	for i, c := range cols {
		v := "{{ " + c.Name + " }}"
		switch c.Type {
		case "integer", "number", "boolean":
		default:
			v = "'" + v + "'"
		}
		lines = append(lines, "  "+v+comma(i, len(cols)))
	}
	lines = append(lines, ";")
	res := &Result{Columns: []Column{{Name: "insert_statement", Type: TypeText}}}
	for _, l := range lines {
		res.Rows = append(res.Rows, []any{l})
	}
	return res, nil
}

func comma(i, n int) string {
	if i < n-1 {
		return ","
	}
	return ""
}

// registryList answers REGISTRY LIST [provider]: the embedded provider and
// its version (there is nothing to pull).
func (e *Engine) registryList(provider string) (*Result, error) {
	res := &Result{Columns: []Column{{Name: "provider", Type: TypeText}, {Name: "versions", Type: TypeText}}}
	for _, p := range e.cat.Providers() {
		if provider == "" || strings.EqualFold(provider, p.Name) {
			res.Rows = append(res.Rows, []any{p.Name, p.Version})
		}
	}
	if provider != "" && len(res.Rows) == 0 {
		return nil, e.unknownTable(tableNameOf(provider))
	}
	return res, nil
}

// showExtendedResources answers SHOW EXTENDED RESOURCES IN provider.service:
// name, id and the type's description, as StackQL's extended listing.
func (e *Engine) showExtendedResources(provider, service, like string) (*Result, error) {
	res, err := e.showResources(provider, service, like)
	if err != nil {
		return nil, err
	}
	res.Columns = append(res.Columns, Column{Name: "description", Type: TypeText})
	for i, row := range res.Rows {
		desc := ""
		if t, err := e.cat.TableByID(row[1].(string)); err == nil {
			desc = oneLine(t.Description)
		}
		res.Rows[i] = append(row, desc)
	}
	return res, nil
}

// showElsewhere maps the SHOW statements of MySQL and friends that a new
// user tries first to the StackQL ones that answer them.
var showElsewhere = map[string]string{
	"tables":    "resources are listed with SHOW RESOURCES IN awscc.<service>; SHOW SERVICES IN awscc lists the services",
	"databases": "SHOW PROVIDERS lists the providers, SHOW SERVICES IN awscc the services",
	"schemas":   "SHOW SERVICES IN awscc lists the services",
	"columns":   "DESCRIBE awscc.<service>.<resource> lists a resource's columns",
}

// oneLine folds a schema description's line breaks and runs of spaces into
// single spaces: descriptions are prose, and a table cell with \n escapes
// in it is hard to read.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
