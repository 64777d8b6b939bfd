package iql

import "strings"

// The expression parser follows SQLite's grammar and precedence closely
// enough to find where an expression ends and to catch typos with a
// position (`WHERE a = 'x' RETURNIN …`). It builds no tree: the text goes to
// SQLite, which evaluates it. Subqueries, function arguments and window
// definitions are skipped as balanced groups and left to SQLite to check.
//
// Precedence, loosest first: OR; AND; NOT; = == != <> IS IN LIKE GLOB
// MATCH REGEXP BETWEEN ISNULL NOTNULL; < <= > >=; & | << >>; + -; * / %;
// || -> ->>; COLLATE; unary - + ~.

// maxDepth is how deeply expressions may nest.
const maxDepth = 1000

func (p *parser) expr() error {
	if err := p.andExpr(); err != nil {
		return err
	}
	for p.accept("OR") {
		if err := p.andExpr(); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) andExpr() error {
	if err := p.notExpr(); err != nil {
		return err
	}
	for p.accept("AND") {
		if err := p.notExpr(); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) notExpr() error {
	for p.accept("NOT") {
	}
	return p.cmpExpr()
}

func (p *parser) cmpExpr() error {
	if err := p.relExpr(); err != nil {
		return err
	}
	for {
		t := p.tok()
		switch {
		case p.isOp(t, "=") || p.isOp(t, "==") || p.isOp(t, "!=") || p.isOp(t, "<>"):
			p.i++
			if err := p.relExpr(); err != nil {
				return err
			}
		case p.isKw(t, "IS"):
			p.i++
			p.accept("NOT")
			if p.accept("DISTINCT") {
				if err := p.expectKw("FROM"); err != nil {
					return err
				}
			}
			if err := p.relExpr(); err != nil {
				return err
			}
		case p.isKw(t, "ISNULL") || p.isKw(t, "NOTNULL"):
			p.i++
		case p.isKw(t, "NOT") && p.isKw(p.peek(1), "NULL"):
			p.i += 2
		case p.isKw(t, "NOT") && p.isPredicateKw(p.peek(1)):
			p.i++
			if err := p.predicate(); err != nil {
				return err
			}
		case p.isPredicateKw(t):
			if err := p.predicate(); err != nil {
				return err
			}
		default:
			return nil
		}
	}
}

func (p *parser) isPredicateKw(t token) bool {
	for _, w := range [...]string{"IN", "LIKE", "GLOB", "MATCH", "REGEXP", "BETWEEN"} {
		if p.isKw(t, w) {
			return true
		}
	}
	return false
}

// predicate parses IN …, LIKE … [ESCAPE …] and BETWEEN … AND … from the
// keyword on.
func (p *parser) predicate() error {
	switch {
	case p.accept("IN"):
		return p.inList()
	case p.accept("BETWEEN"):
		if err := p.relExpr(); err != nil {
			return err
		}
		if err := p.expectKw("AND"); err != nil {
			return err
		}
		return p.relExpr()
	default: // LIKE, GLOB, MATCH, REGEXP
		p.i++
		if err := p.relExpr(); err != nil {
			return err
		}
		if p.accept("ESCAPE") {
			return p.relExpr()
		}
		return nil
	}
}

// inList parses what follows IN: (subquery), (expr, …), (), a table name or
// a table-valued function call.
func (p *parser) inList() error {
	if p.op("(") {
		if p.isKw(p.peek(1), "SELECT") || p.isKw(p.peek(1), "WITH") || p.isKw(p.peek(1), "VALUES") {
			return p.skipParens()
		}
		p.i++
		if p.acceptOp(")") {
			return nil
		}
		if err := p.exprList(); err != nil {
			return err
		}
		return p.expectOp(")")
	}
	if !p.isName(p.tok()) {
		return p.fail("expected '(' after IN")
	}
	_, p.i = p.chainAt(p.i)
	if p.op("(") {
		return p.skipParens()
	}
	return nil
}

func (p *parser) exprList() error {
	for {
		if err := p.expr(); err != nil {
			return err
		}
		if !p.acceptOp(",") {
			return nil
		}
	}
}

// binary parses a left-associative chain of next-level operands joined by
// any of ops.
func (p *parser) binary(next func() error, ops ...string) error {
	if err := next(); err != nil {
		return err
	}
	for {
		t := p.tok()
		found := false
		if t.kind == kOp {
			for _, o := range ops {
				if p.text(t) == o {
					found = true
					break
				}
			}
		}
		if !found {
			return nil
		}
		p.i++
		if err := next(); err != nil {
			return err
		}
	}
}

func (p *parser) relExpr() error { return p.binary(p.bitExpr, "<", "<=", ">", ">=") }
func (p *parser) bitExpr() error { return p.binary(p.addExpr, "&", "|", "<<", ">>") }
func (p *parser) addExpr() error { return p.binary(p.mulExpr, "+", "-") }
func (p *parser) mulExpr() error { return p.binary(p.catExpr, "*", "/", "%") }
func (p *parser) catExpr() error { return p.binary(p.collateExpr, "||", "->", "->>") }

func (p *parser) collateExpr() error {
	if err := p.unaryExpr(); err != nil {
		return err
	}
	for p.accept("COLLATE") {
		if _, err := p.name("a collation name"); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) unaryExpr() error {
	// NOT is accepted here too (a = NOT b), as SQLite's grammar allows.
	for p.op("-") || p.op("+") || p.op("~") || p.kw("NOT") {
		p.i++
	}
	return p.primary()
}

// primary parses an operand: a literal, parameter, name, function call,
// parenthesized expression or list, subquery, CAST, CASE or EXISTS.
func (p *parser) primary() error {
	// Bound the recursion, as SQLite does (SQLITE_MAX_EXPR_DEPTH), so that
	// "((((…" cannot exhaust the stack.
	if p.depth++; p.depth > maxDepth {
		return p.fail("expression nested too deeply")
	}
	defer func() { p.depth-- }()
	t := p.tok()
	switch t.kind {
	case kString, kNumber, kBlob, kParam:
		p.i++
		return nil
	case kOp:
		if !p.isOp(t, "(") {
			break
		}
		if n := p.peek(1); p.isKw(n, "SELECT") || p.isKw(n, "WITH") || p.isKw(n, "VALUES") {
			return p.skipParens()
		}
		p.i++
		if err := p.exprList(); err != nil {
			return err
		}
		return p.expectOp(")")
	case kQIdent:
		return p.nameOrCall()
	case kIdent:
		switch strings.ToUpper(p.text(t)) {
		case "NULL", "TRUE", "FALSE", "CURRENT_TIME", "CURRENT_DATE", "CURRENT_TIMESTAMP":
			p.i++
			return nil
		case "CASE":
			return p.caseExpr()
		case "CAST":
			p.i++
			if !p.op("(") {
				return p.fail("expected '(' after CAST")
			}
			end, err := p.matchParen(p.i)
			if err != nil {
				return err
			}
			p.i++
			if err := p.expr(); err != nil {
				return err
			}
			if err := p.expectKw("AS"); err != nil {
				return err
			}
			if p.i >= end {
				return p.fail("expected a type name")
			}
			p.i = end + 1 // the type name is SQLite's business
			return nil
		case "EXISTS":
			p.i++
			if !p.op("(") {
				return p.fail("expected '(' and a subquery after EXISTS")
			}
			return p.skipParens()
		case "RAISE":
			if p.isOp(p.peek(1), "(") {
				p.i++
				return p.skipParens()
			}
		}
		if reserved(p.text(t)) {
			break
		}
		return p.nameOrCall()
	}
	return p.fail("expected an expression")
}

// nameOrCall parses a column reference (a, t.a, s.t.a) or a function call
// with its optional FILTER and OVER clauses.
func (p *parser) nameOrCall() error {
	_, p.i = p.chainAt(p.i)
	if !p.op("(") {
		return nil
	}
	if err := p.skipParens(); err != nil {
		return err
	}
	if p.kw("FILTER") && p.isOp(p.peek(1), "(") {
		p.i++
		if err := p.skipParens(); err != nil {
			return err
		}
	}
	if p.accept("OVER") {
		if p.op("(") {
			return p.skipParens()
		}
		if _, err := p.name("a window name or '('"); err != nil {
			return err
		}
	}
	return nil
}

func (p *parser) caseExpr() error {
	p.i++ // CASE
	if !p.kw("WHEN") {
		if err := p.expr(); err != nil {
			return err
		}
	}
	if !p.kw("WHEN") {
		return p.fail("expected WHEN")
	}
	for p.accept("WHEN") {
		if err := p.expr(); err != nil {
			return err
		}
		if err := p.expectKw("THEN"); err != nil {
			return err
		}
		if err := p.expr(); err != nil {
			return err
		}
	}
	if p.accept("ELSE") {
		if err := p.expr(); err != nil {
			return err
		}
	}
	return p.expectKw("END")
}

// isStringCall reports whether tokens [s, e) are exactly one call
// string(…).
func (p *parser) isStringCall(s, e int) bool {
	if e-s < 3 || !p.isKw(p.toks[s], "STRING") || !p.isOp(p.toks[s+1], "(") {
		return false
	}
	save := p.i
	defer func() { p.i = save }()
	end, err := p.matchParen(s + 1)
	return err == nil && end == e-1
}

// literalOf returns the unquoted value when tokens [s, e) are a string
// literal or string() of one.
func (p *parser) literalOf(s, e int) *string {
	var t token
	switch {
	case e-s == 1 && p.toks[s].kind == kString:
		t = p.toks[s]
	case e-s == 4 && p.isStringCall(s, e) && p.toks[s+2].kind == kString:
		t = p.toks[s+2]
	default:
		return nil
	}
	v := unquoteString(p.text(t))
	return &v
}
