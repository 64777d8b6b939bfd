package shell

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/ccql/ccql/internal/catalog"
)

// Catalog answers the names the completer offers. The shell implements it by
// running SHOW PROVIDERS, SHOW SERVICES, SHOW RESOURCES and DESCRIBE through
// the engine; tests use a map.
type Catalog interface {
	Providers(ctx context.Context) ([]string, error)
	Services(ctx context.Context, provider string) ([]string, error)
	Resources(ctx context.Context, provider, service string) ([]string, error)
	// Columns returns the columns of a resource named provider.service.resource.
	Columns(ctx context.Context, resource string) ([]string, error)
}

// ReturningFields are the ProgressEvent fields a mutation's RETURNING
// projects.
func ReturningFields() []string { return catalog.ProgressEventFields() }

// keywords are offered for a word outside a name context. Phrases are
// offered whole: completing "ins" gives "INSERT INTO".
var keywords = []string{
	"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "GLOB", "BETWEEN",
	"EXISTS", "AS", "ON", "USING", "JOIN", "LEFT JOIN", "INNER JOIN", "CROSS JOIN", "GROUP BY",
	"ORDER BY", "HAVING", "LIMIT", "OFFSET", "DISTINCT", "UNION", "UNION ALL", "WITH", "CASE",
	"WHEN", "THEN", "ELSE", "END", "ASC", "DESC", "TRUE", "FALSE", "COUNT(", "INSERT INTO",
	"VALUES", "UPDATE", "SET", "DELETE FROM", "RETURNING", "SHOW PROVIDERS", "SHOW SERVICES IN",
	"SHOW RESOURCES IN", "SHOW METHODS IN", "DESCRIBE", "DESCRIBE EXTENDED", "EXPLAIN",
}

// functions are offered as written (SQLite's names are lower case).
var functions = []string{"string(", "json_extract(", "json_each(", "json_array_length(", "json_group_array("}

// starters are offered on Tab at the start of a statement.
var starters = []string{"SELECT", "INSERT INTO", "UPDATE", "DELETE FROM", "SHOW", "DESCRIBE"}

// showWhat follows SHOW.
var showWhat = []string{"PROVIDERS", "SERVICES IN", "RESOURCES IN", "METHODS IN"}

// notAlias are words that can follow a table name without being its alias.
var notAlias = map[string]bool{
	"WHERE": true, "JOIN": true, "ON": true, "LEFT": true, "RIGHT": true, "INNER": true, "OUTER": true,
	"CROSS": true, "NATURAL": true, "FULL": true, "USING": true, "SET": true, "GROUP": true, "ORDER": true,
	"LIMIT": true, "UNION": true, "EXCEPT": true, "INTERSECT": true, "RETURNING": true, "VALUES": true,
	"SELECT": true, "AS": true, "WITH": true, "AND": true, "OR": true, "HAVING": true, "WINDOW": true,
	"LIKE": true, "OFFSET": true,
}

var (
	// resourceName finds three-part names: provider.service.resource.
	resourceName = regexp.MustCompile(`(?i)\b([a-z_][a-z0-9_]*)\.([a-z0-9_]+)\.([a-z0-9_]+)\b`)
	// aliased finds `provider.service.resource [AS] alias`.
	aliased = regexp.MustCompile(`(?i)\b([a-z_][a-z0-9_]*\.[a-z0-9_]+\.[a-z0-9_]+)\s+(?:as\s+)?([a-z_][a-z0-9_]*)\b`)
	// word splits sanitized statement text into words and single symbols.
	word = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_$.]*|[^\sA-Za-z_]`)
)

// Completer completes the word at the cursor. Catalog answers are cached
// for the Completer's life (the catalog does not change under a session).
// It is safe for concurrent use.
type Completer struct {
	cat Catalog

	mu    sync.Mutex
	cache map[string][]string
}

// NewCompleter returns a Completer over cat.
func NewCompleter(cat Catalog) *Completer {
	return &Completer{cat: cat, cache: map[string][]string{}}
}

// Complete completes the word that ends at the cursor, in the shape of
// liner's WordCompleter: the line is cut into head, the word (which a
// candidate replaces) and tail. buffer holds the lines of the statement typed
// before this one; with the line it names the resources whose columns are
// offered. pos is the cursor's position in runes, as liner gives it.
// Candidates are sorted and unique; there are none inside a string literal
// or a comment.
func (c *Completer) Complete(ctx context.Context, buffer, line string, pos int) (head string, candidates []string, tail string) {
	// Work in byte offsets of the line as given (runes only count the
	// cursor), so that head and tail are always exact cuts of it.
	cut := len(line)
	for i := range line {
		if pos <= 0 {
			cut = i
			break
		}
		pos--
	}
	before, after := line[:cut], line[cut:]
	if sp := scan(buffer + before); len(sp) > 0 && sp[len(sp)-1].open {
		return before, nil, after
	}
	start := cut
	for start > 0 {
		r, size := utf8.DecodeLastRuneInString(line[:start])
		if !isWordRune(r) {
			break
		}
		start -= size
	}
	head, w := line[:start], line[start:cut]

	if strings.TrimSpace(buffer) == "" && strings.HasPrefix(strings.TrimLeft(before, " \t"), `\`) {
		return c.completeMeta(ctx, before, after)
	}

	full := buffer + line
	cur := len(buffer) + len(head)
	stmt, stmtStart := statementAround(full, cur)
	toks := word.FindAllString(sanitize(full[stmtStart:cur]), -1)
	prev, prev2 := "", ""
	if n := len(toks); n > 0 {
		prev = strings.ToUpper(toks[n-1])
		if n > 1 {
			prev2 = strings.ToUpper(toks[n-2])
		}
	}
	// SHOW RESOURCES IN takes a service; everything else takes a resource,
	// so a completed service gets its '.' to go on with.
	serviceOnly := prev == "IN" && prev2 == "RESOURCES"

	if dot := strings.IndexByte(w, '.'); dot >= 0 {
		first := w[:dot]
		if c.isProvider(ctx, first) {
			return head, c.names(ctx, w, !serviceOnly), after
		}
		if res, ok := c.aliases(ctx, stmt)[strings.ToLower(first)]; ok {
			return head, prefixed(first+".", match(w[dot+1:], c.columns(ctx, res))), after
		}
		return head, nil, after
	}

	switch {
	case prev == "SHOW":
		return head, match(w, adaptCase(w, showWhat)), after
	case prev == "IN" && prev2 == "SERVICES":
		return head, match(w, c.providers(ctx)), after
	case prev == "FROM" || prev == "JOIN" || prev == "INTO" || prev == "UPDATE" || prev == "DESCRIBE" ||
		prev == "DESC" && len(toks) == 1 || prev == "EXTENDED" || prev == "IN" && (prev2 == "RESOURCES" || prev2 == "METHODS"):
		return head, match(w, prefixedSuffix(c.providers(ctx), ".")), after
	case len(toks) == 0:
		return head, match(w, adaptCase(w, starters)), after
	}

	var cands []string
	for _, r := range c.resourcesIn(ctx, stmt) {
		cands = append(cands, c.columns(ctx, r)...)
	}
	if len(cands) > 0 {
		cands = append(cands, "Identifier")
	}
	if slices.Contains(toks, "RETURNING") || slices.Contains(toks, "returning") {
		cands = append(cands, ReturningFields()...)
	}
	if strings.EqualFold(toks[0], "UPDATE") && prev == "SET" || prev == "," && strings.EqualFold(toks[0], "UPDATE") {
		cands = append(cands, "PatchDocument")
	}
	if w != "" {
		cands = append(cands, adaptCase(w, keywords)...)
		cands = append(cands, functions...)
		cands = append(cands, prefixedSuffix(c.providers(ctx), ".")...)
	}
	return head, match(w, cands), after
}

// completeMeta completes a meta-command's name or its argument.
func (c *Completer) completeMeta(ctx context.Context, before, after string) (string, []string, string) {
	lead := before[:len(before)-len(strings.TrimLeft(before, " \t"))]
	text := before[len(lead):]
	name, arg, hasArg := strings.Cut(text, " ")
	if !hasArg {
		var names []string
		for _, cmd := range Commands() {
			names = append(names, cmd.Name)
		}
		names = append(names, `\d+`)
		return lead, match(name, names), after
	}
	arg = strings.TrimLeft(arg, " ")
	head := before[:len(before)-len(arg)]
	switch canonical(strings.ToLower(name)) {
	case `\o`:
		return head, match(arg, []string{"csv", "json", "jsonl", "table", "text"}), after
	case `\wait`, `\timing`:
		return head, match(arg, []string{"off", "on"}), after
	case `\d`, `\d+`:
		if strings.Contains(arg, ".") {
			if c.isProvider(ctx, arg[:strings.IndexByte(arg, '.')]) {
				return head, c.names(ctx, arg, true), after
			}
			return head, nil, after
		}
		return head, match(arg, prefixedSuffix(c.providers(ctx), ".")), after
	case `\dt`:
		var svcs []string
		for _, p := range c.providers(ctx) {
			svcs = append(svcs, c.services(ctx, p)...)
		}
		return head, match(arg, svcs), after
	case `\i`:
		return head, files(arg), after
	}
	return head, nil, after
}

// names completes a dotted name whose first part is a provider: services
// after "provider.", resources after "provider.service.".
func (c *Completer) names(ctx context.Context, w string, serviceDot bool) []string {
	parts := strings.Split(w, ".")
	prov := strings.ToLower(parts[0])
	switch len(parts) {
	case 2:
		suffix := ""
		if serviceDot {
			suffix = "."
		}
		return prefixed(prov+".", match(parts[1], prefixedSuffix(c.services(ctx, prov), suffix)))
	case 3:
		return prefixed(prov+"."+parts[1]+".", match(parts[2], c.resources(ctx, prov, parts[1])))
	}
	return nil
}

// resourcesIn returns the resources the statement names, in order, once each.
func (c *Completer) resourcesIn(ctx context.Context, stmt string) []string {
	var out []string
	for _, m := range resourceName.FindAllStringSubmatch(sanitize(stmt), -1) {
		name := strings.ToLower(m[0])
		if c.isProvider(ctx, m[1]) && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// aliases maps the statement's table aliases (lower case) to resource names.
func (c *Completer) aliases(ctx context.Context, stmt string) map[string]string {
	out := map[string]string{}
	for _, m := range aliased.FindAllStringSubmatch(sanitize(stmt), -1) {
		res, alias := strings.ToLower(m[1]), m[2]
		if notAlias[strings.ToUpper(alias)] || !c.isProvider(ctx, res[:strings.IndexByte(res, '.')]) {
			continue
		}
		out[strings.ToLower(alias)] = res
	}
	return out
}

func (c *Completer) isProvider(ctx context.Context, name string) bool {
	return slices.Contains(c.providers(ctx), strings.ToLower(name))
}

func (c *Completer) providers(ctx context.Context) []string {
	return c.cached("p", func() ([]string, error) { return c.cat.Providers(ctx) })
}

func (c *Completer) services(ctx context.Context, prov string) []string {
	return c.cached("s\x00"+prov, func() ([]string, error) { return c.cat.Services(ctx, prov) })
}

func (c *Completer) resources(ctx context.Context, prov, svc string) []string {
	return c.cached("r\x00"+prov+"."+svc, func() ([]string, error) { return c.cat.Resources(ctx, prov, svc) })
}

func (c *Completer) columns(ctx context.Context, res string) []string {
	return c.cached("c\x00"+res, func() ([]string, error) { return c.cat.Columns(ctx, res) })
}

// cached returns the answer for key, asking fetch once. A failed fetch (an
// unknown service, say) is cached as no names, so Tab stays quick.
func (c *Completer) cached(key string, fetch func() ([]string, error)) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.cache[key]; ok {
		return v
	}
	v, err := fetch()
	if err != nil {
		v = nil
	}
	c.cache[key] = v
	return v
}

// statementAround returns the statement of text that holds offset cur (cut
// at ';' outside literals and comments) and its start offset.
func statementAround(text string, cur int) (string, int) {
	start, end := 0, len(text)
	spans := scan(text)
	k := 0
	for i := 0; i < len(text); i++ {
		for k < len(spans) && spans[k].end <= i {
			k++
		}
		if k < len(spans) && spans[k].start <= i {
			i = spans[k].end - 1
			continue
		}
		if text[i] == ';' {
			if i < cur {
				start = i + 1
			} else {
				end = i
				break
			}
		}
	}
	return text[start:end], start
}

// sanitize blanks out literals and comments, keeping offsets, so that names
// and keywords inside them are not seen.
func sanitize(text string) string {
	spans := scan(text)
	if len(spans) == 0 {
		return text
	}
	b := []byte(text)
	for _, sp := range spans {
		for i := sp.start; i < sp.end; i++ {
			b[i] = ' '
		}
		if sp.kind == '\'' {
			b[sp.start] = '0' // a value, so that `= 'x' |` is not at a statement start
		}
	}
	return string(b)
}

func isWordRune(r rune) bool {
	return r == '_' || r == '$' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// match keeps the candidates that start with prefix (case-insensitively),
// sorted and unique.
func match(prefix string, cands []string) []string {
	p := strings.ToLower(prefix)
	var out []string
	for _, c := range cands {
		if strings.HasPrefix(strings.ToLower(c), p) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	return out
}

// adaptCase lowers keywords when the word typed so far is lower case.
func adaptCase(w string, kws []string) []string {
	if w == "" || strings.ToLower(w) != w || strings.ToUpper(w) == w {
		return kws
	}
	out := make([]string, len(kws))
	for i, k := range kws {
		out[i] = strings.ToLower(k)
	}
	return out
}

func prefixed(p string, names []string) []string {
	if len(names) == 0 {
		return nil
	}
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = p + n
	}
	return out
}

func prefixedSuffix(names []string, s string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n + s
	}
	return out
}

// files completes a path for \i.
func files(arg string) []string {
	dir, base := filepath.Split(arg)
	readDir := dir
	if readDir == "" {
		readDir = "."
	}
	ents, err := os.ReadDir(readDir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, base) || strings.HasPrefix(name, ".") && !strings.HasPrefix(base, ".") {
			continue
		}
		if e.IsDir() {
			name += string(filepath.Separator)
		}
		out = append(out, dir+name)
	}
	slices.Sort(out)
	return out
}
