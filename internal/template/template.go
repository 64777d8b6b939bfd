// Package template renders the Jinja templates of ccql: the {{ … }} in
// statements given to `ccql exec --var`, and the manifests and .iql files of
// `ccql deploy`. It is gonja (a Go Jinja) with its own environment, strict
// about undefined names, plus stackql-deploy's filters:
//
//	generate_patch_document  dict → RFC 6902 patch, byte-compatible with stackql-deploy v1
//	from_json, tojson        JSON in and out (tojson is Jinja2's: sorted keys, ' < > & escaped)
//	base64_encode            standard base64 of the text
//	merge_lists, merge_objects  union of lists, shallow merge of dicts (values or JSON text)
//	sql_list, sql_escape     ('a','b') lists and '' escaping for SQL literals
//	uuid()                   a fresh UUID v4 per call
//
// Values passed in are normalised (see Normalize): JSON/YAML objects and
// arrays are dicts and lists in the template that print as compact JSON, so
// '{{ explicit_auth_flows }}' renders ["ALLOW_USER_SRP_AUTH",…]. The names
// vars and globals are aliases of the whole variable set, so
// {{ vars.AWS_REGION }} (as the stackql-provider docs write it) and
// {{ AWS_REGION }} are the same value.
//
// Templates can include nothing: there is no file system loader.
package template

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"strconv"
	"strings"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// ErrUndefined is matched (errors.Is) by an *Error whose cause is an
// undefined variable, attribute or item.
var ErrUndefined = errors.New("undefined")

// Error is a template that failed to parse or render. Its text never holds a
// variable's value, only names and the template's own text.
type Error struct {
	Template  string // the name given to Render, e.g. "resources/app_client.iql"
	Line      int    // 1-based line in the rendered text; 0 when unknown
	Undefined string // the undefined name ("region", "vars.AWS_REGION", "m['k']"), "" for other errors
	Msg       string // what went wrong
}

// Error implements error.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Template)
	if e.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Undefined != "" {
		fmt.Fprintf(&b, "undefined %q", e.Undefined)
	} else {
		b.WriteString(e.Msg)
	}
	return b.String()
}

// Is reports whether target is ErrUndefined and this error is one.
func (e *Error) Is(target error) bool { return target == ErrUndefined && e.Undefined != "" }

// Renderer renders templates. It is safe for concurrent use; the zero value
// is not usable, call New.
type Renderer struct {
	env *exec.Environment
	cfg *config.Config
}

// New returns a Renderer with gonja's built-in filters, tests and control
// structures plus ccql's filters and globals. Gonja's global sets are copied,
// never modified.
func New() *Renderer {
	fs := exec.NewFilterSet(map[string]exec.FilterFunction{}).Update(builtins.Filters)
	// Our filters replace gonja's (tojson) in our copy only.
	fs.Update(exec.NewFilterSet(filters()))
	ctx := exec.EmptyContext().
		Update(builtins.GlobalFunctions).
		Update(builtins.GlobalVariables).
		Update(exec.NewContext(globals()))
	cfg := config.New()
	cfg.StrictUndefined = true
	cfg.KeepTrailingNewline = true
	return &Renderer{
		env: &exec.Environment{
			Context:           ctx,
			Filters:           fs,
			Tests:             exec.NewTestSet(map[string]exec.TestFunction{}).Update(builtins.Tests),
			ControlStructures: exec.NewControlStructureSet(map[string]parser.ControlStructureParser{}).Update(builtins.ControlStructures),
			Methods:           methods(),
		},
		cfg: cfg,
	}
}

// Render renders text with vars. name identifies the template in errors
// (a file name, "statement 2"). vars are normalised (see Normalize); the
// caller's map is not modified. Any failure is an *Error.
func (r *Renderer) Render(name, text string, vars map[string]any) (out string, err error) {
	if !strings.Contains(text, "{{") && !strings.Contains(text, "{%") && !strings.Contains(text, "{#") {
		return text, nil // the common case in exec: nothing to render
	}
	data := make(map[string]any, len(vars)+2)
	for k, v := range vars {
		data[k] = Normalize(v)
	}
	all := Map(maps.Clone(data))
	for _, alias := range []string{"vars", "globals"} {
		if _, ok := data[alias]; !ok {
			data[alias] = all
		}
	}
	// Gonja panics on some inputs ({{ 0 % 0 }}, some malformed tags); a
	// template must never take the process down.
	defer func() {
		if p := recover(); p != nil {
			out, err = "", &Error{Template: name, Msg: fmt.Sprintf("template engine failure: %v", p)}
		}
	}()
	tpl, origLine, err := r.parse(name, text)
	if err != nil {
		return "", err
	}
	out, err = tpl.ExecuteToString(exec.NewContext(data))
	if err != nil {
		return "", fixLine(renderError(name, err), origLine)
	}
	return out, nil
}

// Check parses text as Render would, without rendering it: it reports a
// syntax error (an *Error with its line) before any variable is known.
func (r *Renderer) Check(name, text string) (err error) {
	if !strings.Contains(text, "{{") && !strings.Contains(text, "{%") && !strings.Contains(text, "{#") {
		return nil
	}
	defer func() {
		if p := recover(); p != nil {
			err = &Error{Template: name, Msg: fmt.Sprintf("template engine failure: %v", p)}
		}
	}()
	_, _, err = r.parse(name, text)
	return err
}

// parse parses text for Render and Check. origLine maps lines of the
// parsed (newline-joined) text back to text's; a failure is an *Error.
// The caller recovers gonja's panics.
func (r *Renderer) parse(name, text string) (*exec.Template, []int, error) {
	joined, origLine := joinExpressionLines(text)
	const path = "/template"
	// The memory loader holds only this template: {% include %} and friends
	// find nothing, so a template can never read a file.
	loader, err := loaders.NewMemoryLoader(map[string]string{path: joined})
	if err != nil {
		return nil, nil, &Error{Template: name, Msg: err.Error()}
	}
	tpl, err := exec.NewTemplate(path, r.cfg, loader, r.env)
	if err != nil {
		return nil, nil, fixLine(r.parseError(name, joined, err), origLine)
	}
	return tpl, origLine, nil
}

// fixLine maps the error's line in the rewritten text back to the source.
func fixLine(e *Error, origLine []int) *Error {
	if e.Line > 0 && e.Line < len(origLine) {
		e.Line = origLine[e.Line]
	}
	return e
}

// parseError turns a gonja parse failure of the (newline-joined) text
// into an *Error with the line of the failure in that text.
func (r *Renderer) parseError(name, joined string, err error) *Error {
	e := &Error{Template: name}
	var se *parser.SyntaxError
	if errors.As(err, &se) {
		e.Line, e.Msg = se.Line, "syntax error: "+se.Message
	} else {
		// gonja's own message quotes the whole source; keep only its cause.
		e.Msg = err.Error()
		if i := strings.LastIndex(e.Msg, ": "); i >= 0 {
			e.Msg = e.Msg[i+2:]
		}
	}
	if e.Line == 0 {
		// The parser stopped at a token the lexer could not make (an
		// unterminated string, a stray '}'): gonja gives such a token no
		// line, and its parser's message ("'}}' expected here") misleads.
		if line, msg, ok := r.lexError(joined); ok {
			e.Line, e.Msg = line, "syntax error: "+msg
		}
	}
	return e
}

// lexError lexes text as gonja does and returns the 1-based line of the
// first text the lexer fails on, and what is wrong there.
func (r *Renderer) lexError(text string) (line int, msg string, ok bool) {
	l := tokens.NewLexer(text, r.cfg)
	go l.Run()
	var bad *tokens.Token
	for tok := range l.Tokens { // read to the end: Run closes the channel when it stops
		if tok.Type == tokens.Error && bad == nil {
			bad = tok
		}
	}
	if bad == nil {
		return 0, "", false
	}
	// The lexer has stopped (its channel is closed): Start is where the
	// text it failed on begins; the error token's own position is where
	// it gave up, the end of the template for an unterminated string.
	start := min(max(l.Start, 0), len(l.Input))
	line = 1 + strings.Count(l.Input[:start], "\n")
	rest := strings.TrimLeft(l.Input[start:], " \t")
	switch {
	case strings.HasPrefix(rest, "'") || strings.HasPrefix(rest, `"`):
		// gonja's message is the string's text, which may be a secret's
		// template; say what is wrong instead.
		msg = "unterminated string"
	case bad.Val != "":
		msg = bad.Val
	default:
		msg = "unexpected end of template"
	}
	return line, msg, true
}

var (
	reLine      = regexp.MustCompile(`at line (\d+)`)
	reName      = regexp.MustCompile(`Unable to evaluate name "([^"]+)"`)
	reAttribute = regexp.MustCompile(`(?i)unable to evaluate (\S+): (?:attribute|item) '?([^' ]*)'? not found`)
)

// renderError turns gonja's chain of wrapped messages into an *Error: the
// innermost line, the undefined name if that is the cause, and the
// innermost message.
func renderError(name string, err error) *Error {
	msg := err.Error()
	e := &Error{Template: name}
	if m := reLine.FindAllStringSubmatch(msg, -1); m != nil {
		e.Line, _ = strconv.Atoi(m[len(m)-1][1])
	}
	if m := reName.FindStringSubmatch(msg); m != nil {
		e.Undefined = m[1]
	} else if m := reAttribute.FindStringSubmatch(msg); m != nil {
		e.Undefined = m[1]
	}
	switch {
	case strings.Contains(msg, "failed to resolve filename"):
		msg = "templates cannot include, import or extend other templates"
	case e.Undefined == "":
		msg = innermost(msg)
	}
	e.Msg = msg
	return e
}

// methods are gonja's methods, with the dict methods' results normalised so
// that m.items(), m.values() and m.get(k) print lists and dicts as JSON like
// the values they come from.
func methods() exec.Methods {
	m := builtins.Methods
	dict := map[string]exec.Method[map[string]any]{}
	for _, name := range []string{"keys", "values", "items", "get", "pop", "setdefault", "update", "copy", "clear"} {
		orig, ok := builtins.Methods.Dict.Get(name)
		if !ok {
			continue
		}
		dict[name] = func(self map[string]any, sv *exec.Value, args *exec.VarArgs) (any, error) {
			out, err := orig(self, sv, args)
			if err != nil {
				return nil, err
			}
			return Normalize(out), nil
		}
	}
	m.Dict = exec.NewMethodSet(dict)
	return m
}

// innermost keeps the cause of a gonja error chain ("a: b: c: cause").
// Our filters name themselves ("sql_list: input must be …"), so when the
// second-to-last segment is a filter name it is kept.
func innermost(msg string) string {
	parts := strings.Split(msg, ": ")
	if len(parts) >= 2 {
		if _, ok := filters()[parts[len(parts)-2]]; ok {
			return parts[len(parts)-2] + ": " + parts[len(parts)-1]
		}
	}
	return parts[len(parts)-1]
}
