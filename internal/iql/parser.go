package iql

import (
	"fmt"
	"strings"
)

// parser is a recursive-descent parser over the significant tokens of one
// statement. The last token is always kEOF.
type parser struct {
	src   string
	toks  []token
	i     int
	depth int // nesting of primary expressions, bounded by maxDepth
	// unwrapped counts the parentheses around the conjuncts this parser
	// looks at for bindings (see bindingsIn).
	unwrapped int
}

func (p *parser) tok() token { return p.toks[p.i] }

// peek returns the token k places ahead, or the EOF token.
func (p *parser) peek(k int) token {
	if p.i+k < len(p.toks) {
		return p.toks[p.i+k]
	}
	return p.toks[len(p.toks)-1]
}

func (p *parser) text(t token) string { return p.src[t.pos:t.end] }

// isKw reports whether t is the bare keyword w (w in upper case).
func (p *parser) isKw(t token, w string) bool {
	return t.kind == kIdent && t.end-t.pos == len(w) && strings.EqualFold(p.src[t.pos:t.end], w)
}

func (p *parser) kw(w string) bool { return p.isKw(p.tok(), w) }

// kwAny reports whether the current token is one of the keywords.
func (p *parser) kwAny(ws ...string) bool {
	for _, w := range ws {
		if p.kw(w) {
			return true
		}
	}
	return false
}

func (p *parser) accept(w string) bool {
	if p.kw(w) {
		p.i++
		return true
	}
	return false
}

func (p *parser) isOp(t token, op string) bool {
	return t.kind == kOp && p.src[t.pos:t.end] == op
}

func (p *parser) op(op string) bool { return p.isOp(p.tok(), op) }

func (p *parser) acceptOp(op string) bool {
	if p.op(op) {
		p.i++
		return true
	}
	return false
}

// fail returns a *SyntaxError at the current token.
func (p *parser) fail(msg string) error {
	t := p.tok()
	return errAt(p.src, t.pos, t.end, msg)
}

func (p *parser) failf(format string, args ...any) error {
	return p.fail(fmt.Sprintf(format, args...))
}

func (p *parser) expectKw(w string) error {
	if !p.accept(w) {
		return p.failf("expected %s", w)
	}
	return nil
}

func (p *parser) expectOp(op string) error {
	if !p.acceptOp(op) {
		return p.failf("expected '%s'", op)
	}
	return nil
}

// expectEnd checks that the statement is over; what lists what else could
// have come, for the message.
func (p *parser) expectEnd(what string) error {
	if p.tok().kind != kEOF {
		if what == "" {
			return p.fail("expected end of statement")
		}
		return p.failf("expected %s or end of statement", what)
	}
	return nil
}

// name reads one identifier (bare but not reserved, or quoted) and returns
// it unquoted.
func (p *parser) name(what string) (string, error) {
	t := p.tok()
	switch {
	case t.kind == kQIdent:
		p.i++
		return unquoteIdent(p.text(t)), nil
	case t.kind == kIdent && !reserved(p.text(t)):
		p.i++
		return p.text(t), nil
	}
	return "", p.failf("expected %s", what)
}

// isName reports whether t can be (part of) a name.
func (p *parser) isName(t token) bool {
	return t.kind == kQIdent || t.kind == kIdent
}

// chainAt reads a dotted name a.b.c starting at token i (which must be a
// name) and returns its unquoted parts and the index after it.
func (p *parser) chainAt(i int) (parts []string, next int) {
	for {
		t := p.toks[i]
		if t.kind == kQIdent {
			parts = append(parts, unquoteIdent(p.text(t)))
		} else {
			parts = append(parts, p.text(t))
		}
		i++
		if p.isOp(p.toks[i], ".") && p.isName(p.toks[i+1]) {
			i++
			continue
		}
		return parts, i
	}
}

// dottedName reads a dotted name at the current token. A single quoted
// identifier with dots in it ("awscc.cognito.user_pools") counts as the
// parts it spells.
func (p *parser) dottedName(what string) ([]string, int, error) {
	t := p.tok()
	if !p.isName(t) || t.kind == kIdent && reserved(p.text(t)) {
		return nil, 0, p.failf("expected %s", what)
	}
	parts, next := p.chainAt(p.i)
	p.i = next
	if len(parts) == 1 && t.kind == kQIdent && strings.Contains(parts[0], ".") {
		parts = strings.Split(parts[0], ".")
	}
	return parts, t.pos, nil
}

// tableName reads a resource name provider.service.resource.
func (p *parser) tableName() (TableRef, error) {
	const what = "a resource name provider.service.resource (like awscc.cognito.user_pool_clients)"
	start := p.i
	parts, pos, err := p.dottedName(what)
	if err != nil {
		return TableRef{}, err
	}
	if len(parts) != 3 || !plainParts(parts) {
		p.i = start
		return TableRef{}, p.failf("expected %s", what)
	}
	return TableRef{TableName: TableName{parts[0], parts[1], parts[2]}, Pos: pos}, nil
}

// matchParen returns the index of the ')' that closes the '(' at i, or an
// error when the input ends first.
func (p *parser) matchParen(i int) (int, error) {
	depth := 0
	for j := i; j < len(p.toks); j++ {
		t := p.toks[j]
		switch {
		case t.kind == kEOF:
			// Point at the '(' rather than at the end: that is where the
			// mistake usually is.
			open := p.toks[i]
			return 0, errAt(p.src, open.pos, open.end, "this '(' is never closed")
		case p.isOp(t, "("):
			depth++
		case p.isOp(t, ")"):
			depth--
			if depth == 0 {
				return j, nil
			}
		}
	}
	panic("unreachable: token list without EOF")
}

// skipParens moves past the parenthesized group at the current '('.
func (p *parser) skipParens() error {
	j, err := p.matchParen(p.i)
	if err != nil {
		return err
	}
	p.i = j + 1
	return nil
}

// Parse parses one statement. The text may end with ';' and may have
// comments anywhere; a second statement after the ';' is an error (use
// Split for scripts). Text with no statement gives ErrEmpty; anything that
// does not parse gives a *SyntaxError.
func Parse(text string) (Statement, error) {
	toks, hints, err := tokenize(text)
	if err != nil {
		return nil, err
	}
	for i, t := range toks {
		if t.kind == kOp && text[t.pos] == ';' {
			for _, n := range toks[i+1:] {
				if n.kind != kEOF && !(n.kind == kOp && text[n.pos] == ';') {
					return nil, errAt(text, n.pos, n.end, "a second statement after ';' (split scripts into statements first)")
				}
			}
			toks = append(toks[:i], token{kind: kEOF, pos: t.pos, end: t.pos})
			break
		}
	}
	if toks[0].kind == kEOF {
		return nil, ErrEmpty
	}
	p := &parser{src: text, toks: toks}
	base := Base{Text: text}
	// SHOW INSERT /*+ REQUIRED */ INTO …: StackQL's hint follows two words.
	showInsert := len(toks) > 2 && p.isKw(toks[0], "SHOW") && p.isKw(toks[1], "INSERT")
	for _, h := range hints {
		if h.next > 1 && !(showInsert && h.next == 2) {
			continue
		}
		body := text[h.tok.pos+3 : h.tok.end]
		if !h.tok.open {
			body = body[:len(body)-2]
		}
		base.HintText = append(base.HintText, body)
		base.Hints = append(base.Hints, parseHints(body)...)
	}
	verb := toks[0]
	if verb.kind != kIdent {
		return nil, p.fail("expected a statement (SELECT, INSERT, UPDATE, DELETE, SHOW, DESCRIBE …)")
	}
	switch strings.ToUpper(text[verb.pos:verb.end]) {
	case "SELECT", "WITH", "VALUES", "EXPLAIN":
		return p.parseSelect(base)
	case "INSERT":
		return p.parseInsert(base)
	case "UPDATE":
		return p.parseUpdate(base)
	case "DELETE":
		return p.parseDelete(base)
	case "SHOW":
		return p.parseShow(base)
	case "DESCRIBE", "DESC":
		return p.parseDescribe(base)
	case "SET":
		return p.parseSet(base)
	case "BEGIN", "START":
		return p.parseBegin(base)
	case "COMMIT", "END", "ROLLBACK":
		return p.parseEndTxn(base)
	case "REGISTRY":
		return p.parseRegistry(base)
	case "USE":
		p.i++
		parts, _, err := p.dottedName("a provider name")
		if err != nil {
			return nil, err
		}
		if err := p.expectEnd(""); err != nil {
			return nil, err
		}
		return &Use{Base: base, Name: strings.Join(parts, ".")}, nil
	}
	return nil, p.fail("unsupported statement: expected SELECT, INSERT, UPDATE, DELETE, SHOW or DESCRIBE")
}

// parseSelect takes SELECT, VALUES and WITH … SELECT, optionally after
// EXPLAIN [QUERY PLAN]. SQLite checks the rest; iql only rewrites names.
func (p *parser) parseSelect(base Base) (Statement, error) {
	s := &Select{Base: base}
	if p.accept("EXPLAIN") {
		s.Explain = true
		if p.accept("QUERY") {
			if err := p.expectKw("PLAN"); err != nil {
				return nil, err
			}
		}
	}
	if p.kw("WITH") {
		if err := p.skipWith(); err != nil {
			return nil, err
		}
	}
	if !p.kwAny("SELECT", "VALUES") {
		if p.kwAny("INSERT", "UPDATE", "DELETE", "REPLACE") {
			return nil, p.fail("WITH … before INSERT, UPDATE or DELETE is not supported")
		}
		return nil, p.fail("expected SELECT or VALUES")
	}
	// SQLite reports its own errors for the body; iql still needs the
	// parentheses balanced to find FROM clauses reliably.
	if err := p.balanced(p.i, len(p.toks)-1); err != nil {
		return nil, err
	}
	s.SQL, s.Tables = p.rewrite(0, len(p.toks)-1, nil)
	// p.i == 0: the statement starts with SELECT itself (no WITH before it).
	if !s.Explain && p.kw("SELECT") && p.i == 0 {
		s.Bindings = p.selectBindings()
	}
	return s, nil
}

// selectBindings finds the WHERE of a plain SELECT at parenthesis depth 0
// and returns the bindings of its top-level conjuncts; nil for a compound
// SELECT or when there is no WHERE.
func (p *parser) selectBindings() []Binding {
	depth, where, end := 0, -1, len(p.toks)-1
	for i := p.i; i < len(p.toks)-1; i++ {
		t := p.toks[i]
		switch {
		case p.isOp(t, "("):
			depth++
		case p.isOp(t, ")"):
			depth--
		case depth != 0:
		case p.isKw(t, "UNION"), p.isKw(t, "INTERSECT"), p.isKw(t, "EXCEPT"):
			return nil
		case where < 0 && p.isKw(t, "WHERE"):
			where = i
		case where >= 0 && end == len(p.toks)-1 && (p.isKw(t, "GROUP") || p.isKw(t, "ORDER") ||
			p.isKw(t, "LIMIT") || p.isKw(t, "WINDOW") || p.isKw(t, "HAVING")):
			end = i
		}
	}
	if where < 0 || where+1 >= end {
		return nil
	}
	inner := make([]token, 0, end-where)
	inner = append(inner, p.toks[where+1:end]...)
	inner = append(inner, token{kind: kEOF, pos: p.toks[end].pos, end: p.toks[end].pos})
	q := &parser{src: p.src, toks: inner}
	b, err := q.condition()
	if err != nil || q.tok().kind != kEOF {
		return nil
	}
	return b
}

// skipWith moves past WITH [RECURSIVE] cte {, cte}, leaving the current
// token on the statement the CTEs belong to.
func (p *parser) skipWith() error {
	p.i++ // WITH
	p.accept("RECURSIVE")
	for {
		if _, err := p.name("a common table expression name"); err != nil {
			return err
		}
		if p.op("(") {
			if err := p.skipParens(); err != nil {
				return err
			}
		}
		if err := p.expectKw("AS"); err != nil {
			return err
		}
		p.accept("NOT")
		p.accept("MATERIALIZED")
		if !p.op("(") {
			return p.fail("expected '(' and the common table expression's query")
		}
		if err := p.skipParens(); err != nil {
			return err
		}
		if !p.acceptOp(",") {
			return nil
		}
	}
}

// balanced checks that parentheses balance in tokens [from, to).
func (p *parser) balanced(from, to int) error {
	depth := 0
	var open []int
	for j := from; j < to; j++ {
		t := p.toks[j]
		switch {
		case p.isOp(t, "("):
			depth++
			open = append(open, j)
		case p.isOp(t, ")"):
			if depth == 0 {
				return errAt(p.src, t.pos, t.end, "unbalanced ')'")
			}
			depth--
			open = open[:len(open)-1]
		}
	}
	if depth > 0 {
		save := p.i
		p.i = open[len(open)-1]
		_, err := p.matchParen(p.i)
		p.i = save
		return err
	}
	return nil
}

// returning parses an optional RETURNING list of names and '*'.
func (p *parser) returning() ([]string, error) {
	if !p.accept("RETURNING") {
		return nil, nil
	}
	out := []string{}
	for {
		t := p.tok()
		switch {
		case p.isOp(t, "*"):
			p.i++
			out = append(out, "*")
		case t.kind == kQIdent || t.kind == kIdent && !reserved(p.text(t)):
			p.i++
			out = append(out, p.unquoteName(t))
		default:
			return nil, p.fail("expected a column name or * after RETURNING")
		}
		if p.acceptOp(",") {
			continue
		}
		if p.tok().kind != kEOF {
			return nil, p.fail("RETURNING takes column names and *, separated by commas")
		}
		return out, nil
	}
}

func (p *parser) unquoteName(t token) string {
	if t.kind == kQIdent {
		return unquoteIdent(p.text(t))
	}
	return p.text(t)
}

// unquoteIdent removes the quotes of "x", `x` or [x] and undoubles a doubled quote inside.
func unquoteIdent(s string) string {
	if len(s) < 2 {
		return s
	}
	switch s[0] {
	case '"':
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	case '`':
		return strings.ReplaceAll(s[1:len(s)-1], "``", "`")
	case '[':
		return s[1 : len(s)-1]
	}
	return s
}

// unquoteString returns the value of the string literal s, a doubled quote inside standing for one.
func unquoteString(s string) string {
	return strings.ReplaceAll(s[1:len(s)-1], "''", "'")
}

// reserved reports whether w is an SQLite keyword that cannot be used as an
// unquoted name, plus the few StackQL words that end clauses. Any other
// bare word can be a name, as in SQLite (which lets most keywords stand in
// for identifiers).
func reserved(w string) bool {
	if len(w) < 2 || len(w) > 13 {
		return false
	}
	switch strings.ToUpper(w) {
	case "ADD", "ALL", "ALTER", "AND", "AS", "AUTOINCREMENT", "BETWEEN", "CASE", "CHECK",
		"COLLATE", "COMMIT", "CONSTRAINT", "CREATE", "DEFAULT", "DEFERRABLE", "DELETE",
		"DISTINCT", "DROP", "ELSE", "ESCAPE", "EXCEPT", "EXISTS", "FOREIGN", "FROM", "GROUP",
		"HAVING", "IN", "INDEX", "INSERT", "INTERSECT", "INTO", "IS", "ISNULL", "JOIN", "LIMIT",
		"NOT", "NOTNULL", "NULL", "ON", "OR", "ORDER", "PRIMARY", "REFERENCES", "RETURNING",
		"SELECT", "SET", "TABLE", "THEN", "TO", "TRANSACTION", "UNION", "UNIQUE", "UPDATE",
		"USING", "VALUES", "WHEN", "WHERE":
		return true
	}
	return false
}
