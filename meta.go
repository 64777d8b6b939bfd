package ccql

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/ccql/ccql/internal/catalog"
)

// showProviders answers SHOW PROVIDERS.
func (e *Engine) showProviders(like string) (*Result, error) {
	res := &Result{Columns: []Column{{Name: "name", Type: TypeText}, {Name: "version", Type: TypeText}}}
	match := likeMatcher(like)
	for _, p := range e.cat.Providers() {
		if match(p.Name) {
			res.Rows = append(res.Rows, []any{p.Name, p.Version})
		}
	}
	return res, nil
}

// showServices answers SHOW SERVICES IN provider: id, name, title, by name.
func (e *Engine) showServices(provider, like string) (*Result, error) {
	svcs, err := e.cat.Services(provider)
	if err != nil {
		return nil, fmt.Errorf("%w: provider %s", ErrUnknownResource, provider)
	}
	res := &Result{Columns: []Column{{Name: "id", Type: TypeText}, {Name: "name", Type: TypeText}, {Name: "title", Type: TypeText}}}
	match := likeMatcher(like)
	for _, s := range svcs {
		if match(s.Name) {
			res.Rows = append(res.Rows, []any{s.ID, s.Name, s.Title})
		}
	}
	return res, nil
}

// showResources answers SHOW RESOURCES IN provider.service: name, id.
func (e *Engine) showResources(provider, service, like string) (*Result, error) {
	refs, err := e.cat.Resources(provider, service)
	if err != nil {
		return nil, fmt.Errorf("%w: service %s.%s", ErrUnknownResource, provider, service)
	}
	res := &Result{Columns: []Column{{Name: "name", Type: TypeText}, {Name: "id", Type: TypeText}}}
	match := likeMatcher(like)
	for _, r := range refs {
		if match(r.Name) {
			res.Rows = append(res.Rows, []any{r.Name, r.ID})
		}
	}
	return res, nil
}

// showMethods answers SHOW METHODS IN provider.service.resource: the seed
// page's Methods table. A full resource also lists its _list_only twin's
// list_resources, as the page does.
func (e *Engine) showMethods(t *catalog.Table, like string) (*Result, error) {
	res := &Result{Columns: []Column{
		{Name: "MethodName", Type: TypeText}, {Name: "Resource", Type: TypeText},
		{Name: "SQLVerb", Type: TypeText}, {Name: "RequiredParams", Type: TypeText},
	}}
	match := likeMatcher(like)
	for _, m := range t.Methods {
		if match(m.Name) {
			res.Rows = append(res.Rows, []any{m.Name, m.Resource, m.SQLVerb, strings.Join(m.RequiredParams, ", ")})
		}
	}
	return res, nil
}

// describe answers DESCRIBE [EXTENDED]: the seed page's Fields table.
func (e *Engine) describe(t *catalog.Table, extended bool) (*Result, error) {
	res := &Result{Columns: []Column{{Name: "name", Type: TypeText}, {Name: "type", Type: TypeText}}}
	if extended {
		res.Columns = append(res.Columns, Column{Name: "description", Type: TypeText})
	}
	for _, c := range t.Columns {
		typ := c.Type
		if len(c.Types) > 1 {
			typ = strings.Join(c.Types, " | ") // a union: any of them is accepted
		}
		row := []any{c.Name, typ}
		if extended {
			row = append(row, c.Description)
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// matchLike applies a SQL LIKE pattern (case-insensitive, % and _) to s;
// an empty pattern matches everything.
func matchLike(pattern, s string) bool { return likeMatcher(pattern)(s) }

// likeMatcher compiles a SQL LIKE pattern once, for matching many names.
func likeMatcher(pattern string) func(string) bool {
	if pattern == "" {
		return func(string) bool { return true }
	}
	var b strings.Builder
	b.WriteString("(?is)^")
	for _, r := range pattern {
		switch r {
		case '%':
			b.WriteString(".*")
		case '_':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	re := regexp.MustCompile(b.String()) // every rune is quoted or . / .*: always valid
	return re.MatchString
}
