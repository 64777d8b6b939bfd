package iql

import (
	"fmt"
	"strings"
)

// parseInsert parses INSERT INTO resource (columns) source [RETURNING …].
func (p *parser) parseInsert(base Base) (Statement, error) {
	p.i++ // INSERT
	if p.kw("OR") {
		return nil, p.fail("INSERT OR … is not supported")
	}
	if err := p.expectKw("INTO"); err != nil {
		return nil, err
	}
	ins := &Insert{Base: base}
	var err error
	if ins.Table, err = p.tableName(); err != nil {
		return nil, err
	}
	if !p.op("(") {
		if p.kwAny("SELECT", "VALUES", "WITH", "DEFAULT") {
			return nil, p.fail("expected '(' and the column names: INSERT needs a column list")
		}
		return nil, p.fail("expected '(' and the column names")
	}
	p.i++
	seen := map[string]bool{}
	for {
		t := p.tok()
		c, err := p.name("a column name")
		if err != nil {
			return nil, err
		}
		if k := strings.ToLower(c); seen[k] {
			return nil, errAt(p.src, t.pos, t.end, fmt.Sprintf("column %s is listed twice", c))
		} else {
			seen[k] = true
		}
		ins.Columns = append(ins.Columns, c)
		if p.acceptOp(",") {
			continue
		}
		if err := p.expectOp(")"); err != nil {
			return nil, p.fail("expected ',' or ')' in the column list")
		}
		break
	}
	ins.StringColumns = make([]bool, len(ins.Columns))
	srcStart := p.i
	if p.kw("WITH") {
		if err := p.skipWith(); err != nil {
			return nil, err
		}
	}
	switch {
	case p.kw("VALUES"):
		ins.Values = true
		if err := p.valuesRows(ins); err != nil {
			return nil, err
		}
	case p.kw("SELECT"):
		if err := p.insertProjection(ins); err != nil {
			return nil, err
		}
	case p.kw("DEFAULT"):
		return nil, p.fail("DEFAULT VALUES is not supported: give the values")
	default:
		return nil, p.fail("expected VALUES or SELECT")
	}
	// The rest of the source (FROM, WHERE, UNION ALL SELECT, ORDER BY …) is
	// SQLite's; it ends at RETURNING outside parentheses.
	srcEnd, err := p.scanTo("RETURNING")
	if err != nil {
		return nil, err
	}
	ins.Source, ins.Tables = p.rewrite(srcStart, srcEnd, nil)
	p.i = srcEnd
	if ins.Returning, err = p.returning(); err != nil {
		return nil, err
	}
	return ins, p.expectEnd("RETURNING")
}

// valuesRows parses VALUES (…), (…) and checks each row's width.
func (p *parser) valuesRows(ins *Insert) error {
	p.i++ // VALUES
	for row := 0; ; row++ {
		open := p.tok()
		if !p.op("(") {
			return p.fail("expected '(' and a row of values")
		}
		p.i++
		n := 0
		for {
			s := p.i
			if err := p.expr(); err != nil {
				return err
			}
			if row == 0 && n < len(ins.StringColumns) {
				ins.StringColumns[n] = p.isStringCall(s, p.i)
			}
			n++
			if !p.acceptOp(",") {
				break
			}
		}
		if !p.acceptOp(")") {
			return p.fail("expected ',' or ')' in the row of values")
		}
		if n != len(ins.Columns) {
			return errAt(p.src, open.pos, open.end, countMsg("this row", n, len(ins.Columns)))
		}
		if !p.acceptOp(",") {
			break
		}
	}
	if !p.kwAny("RETURNING", "UNION", "INTERSECT", "EXCEPT", "ORDER", "LIMIT") && p.tok().kind != kEOF {
		return p.fail("expected ',', RETURNING or end of statement")
	}
	return nil
}

// insertProjection parses the first SELECT's projection of an INSERT
// source, marks string(…) columns and checks the width.
func (p *parser) insertProjection(ins *Insert) error {
	sel := p.tok()
	p.i++ // SELECT
	if !p.accept("DISTINCT") {
		p.accept("ALL")
	}
	n, star := 0, false
	for {
		t := p.tok()
		switch {
		case p.isOp(t, "*"):
			p.i++
			star = true
		case p.isName(t) && p.starChain():
			star = true
		default:
			s := p.i
			if err := p.expr(); err != nil {
				return err
			}
			if n < len(ins.StringColumns) {
				ins.StringColumns[n] = p.isStringCall(s, p.i)
			}
			if err := p.alias(); err != nil {
				return err
			}
		}
		n++
		if !p.acceptOp(",") {
			break
		}
	}
	if !p.kwAny("FROM", "WHERE", "GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT",
		"UNION", "INTERSECT", "EXCEPT", "RETURNING") && p.tok().kind != kEOF {
		return p.fail("expected ',', FROM, RETURNING or end of statement")
	}
	if !star && n != len(ins.Columns) {
		return errAt(p.src, sel.pos, sel.end, countMsg("the SELECT", n, len(ins.Columns)))
	}
	return nil
}

func countMsg(what string, values, columns int) string {
	s := "s"
	if values == 1 {
		s = ""
	}
	c := "s"
	if columns == 1 {
		c = ""
	}
	return fmt.Sprintf("%s has %d value%s for %d column%s", what, values, s, columns, c)
}

// starChain moves past t.* or s.t.* at the current token, if that is what
// is there.
func (p *parser) starChain() bool {
	_, next := p.chainAt(p.i)
	if p.isOp(p.toks[next], ".") && p.isOp(p.toks[next+1], "*") {
		p.i = next + 2
		return true
	}
	return false
}

// alias parses an optional [AS] alias after a projection item.
func (p *parser) alias() error {
	if p.accept("AS") {
		t := p.tok()
		if t.kind == kString || t.kind == kQIdent || t.kind == kIdent {
			p.i++
			return nil
		}
		return p.fail("expected an alias after AS")
	}
	t := p.tok()
	if t.kind == kString || t.kind == kQIdent || t.kind == kIdent && !reserved(p.text(t)) {
		p.i++
	}
	return nil
}

// scanTo returns the index of the first bare keyword w outside parentheses
// from the current token on, or of EOF. Parentheses must balance.
func (p *parser) scanTo(w string) (int, error) {
	j := p.i
	for ; p.toks[j].kind != kEOF && !p.isKw(p.toks[j], w); j++ {
		if p.isOp(p.toks[j], ")") {
			return 0, errAt(p.src, p.toks[j].pos, p.toks[j].end, "unbalanced ')'")
		}
		if p.isOp(p.toks[j], "(") {
			save := p.i
			p.i = j
			end, err := p.matchParen(j)
			p.i = save
			if err != nil {
				return 0, err
			}
			j = end
		}
	}
	return j, nil
}

// parseUpdate parses UPDATE resource SET … [WHERE …] [RETURNING …].
func (p *parser) parseUpdate(base Base) (Statement, error) {
	p.i++ // UPDATE
	if p.kw("OR") {
		return nil, p.fail("UPDATE OR … is not supported")
	}
	up := &Update{Base: base}
	var err error
	if up.Table, err = p.tableName(); err != nil {
		return nil, err
	}
	known := []TableName{up.Table.TableName}
	if err := p.expectKw("SET"); err != nil {
		return nil, err
	}
	for {
		t := p.tok()
		if p.op("(") {
			return nil, p.fail("SET (a, b) = … is not supported; assign each column")
		}
		col, err := p.name("a column name")
		if err != nil {
			return nil, err
		}
		if !p.acceptOp("=") && !p.acceptOp("==") {
			return nil, p.fail("expected '='")
		}
		s := p.i
		if err := p.expr(); err != nil {
			return nil, err
		}
		a := Assignment{Column: col, Pos: t.pos}
		var refs []TableRef
		a.Expr, refs = p.rewrite(s, p.i, known)
		up.Tables = append(up.Tables, refs...)
		a.IsString = p.isStringCall(s, p.i)
		a.IsNull = p.i-s == 1 && p.isKw(p.toks[s], "NULL")
		a.Literal = p.literalOf(s, p.i)
		up.Set = append(up.Set, a)
		if !p.acceptOp(",") {
			break
		}
	}
	if p.kw("FROM") {
		return nil, p.fail("UPDATE … FROM is not supported")
	}
	if p.tok().kind != kEOF && !p.kwAny("WHERE", "RETURNING") {
		return nil, p.fail("expected ',', WHERE, RETURNING or end of statement")
	}
	var refs []TableRef
	if up.Where, refs, err = p.where(known); err != nil {
		return nil, err
	}
	up.Tables = append(up.Tables, refs...)
	if up.Returning, err = p.returning(); err != nil {
		return nil, err
	}
	return up, p.expectEnd("RETURNING")
}

// parseDelete parses DELETE FROM resource [WHERE …] [RETURNING …].
func (p *parser) parseDelete(base Base) (Statement, error) {
	p.i++ // DELETE
	if err := p.expectKw("FROM"); err != nil {
		return nil, err
	}
	del := &Delete{Base: base}
	var err error
	if del.Table, err = p.tableName(); err != nil {
		return nil, err
	}
	if p.tok().kind != kEOF && !p.kwAny("WHERE", "RETURNING") {
		return nil, p.fail("expected WHERE, RETURNING or end of statement")
	}
	if del.Where, del.Tables, err = p.where([]TableName{del.Table.TableName}); err != nil {
		return nil, err
	}
	if del.Returning, err = p.returning(); err != nil {
		return nil, err
	}
	return del, p.expectEnd("RETURNING")
}

// where parses an optional WHERE clause of a mutation.
func (p *parser) where(known []TableName) (Where, []TableRef, error) {
	if !p.accept("WHERE") {
		return Where{}, nil, nil
	}
	s := p.i
	bindings, err := p.condition()
	if err != nil {
		return Where{}, nil, err
	}
	if p.tok().kind != kEOF && !p.kw("RETURNING") {
		return Where{}, nil, p.fail("expected RETURNING or end of statement")
	}
	var w Where
	var refs []TableRef
	w.SQL, refs = p.rewrite(s, p.i, known)
	w.Bindings = bindings
	return w, refs, nil
}

// condition parses a WHERE expression and returns its bindings: the
// `column = value` and `column IN (values)` predicates among its top-level
// AND-ed conjuncts. A top-level OR means no bindings at all.
func (p *parser) condition() ([]Binding, error) {
	var ranges [][2]int
	for {
		s := p.i
		if err := p.notExpr(); err != nil {
			return nil, err
		}
		ranges = append(ranges, [2]int{s, p.i})
		if !p.accept("AND") {
			break
		}
	}
	if p.kw("OR") {
		for p.accept("OR") {
			if err := p.andExpr(); err != nil {
				return nil, err
			}
		}
		return nil, nil
	}
	var out []Binding
	for _, r := range ranges {
		out = append(out, p.bindingsIn(r[0], r[1])...)
	}
	return out, nil
}

// maxUnwrap bounds how many levels of parentheses around conjuncts are
// looked into for bindings; each level re-parses its inside.
const maxUnwrap = 8

// bindingsIn returns the bindings of the conjunct in tokens [s, e).
func (p *parser) bindingsIn(s, e int) []Binding {
	if p.isOp(p.toks[s], "(") {
		end, err := p.matchParen(s)
		if err != nil || end != e-1 || p.unwrapped >= maxUnwrap {
			return nil
		}
		// (a = 'x' AND b = 'y'): the inner conjuncts are top-level too.
		inner := make([]token, 0, e-s-1)
		inner = append(inner, p.toks[s+1:e-1]...)
		inner = append(inner, token{kind: kEOF, pos: p.toks[e-1].pos, end: p.toks[e-1].pos})
		q := &parser{src: p.src, toks: inner, unwrapped: p.unwrapped + 1}
		b, err := q.condition()
		if err != nil || q.tok().kind != kEOF {
			return nil
		}
		return b
	}
	col := func(t token) (string, bool) {
		if t.kind == kQIdent || t.kind == kIdent && !reserved(p.text(t)) {
			return p.unquoteName(t), true
		}
		return "", false
	}
	isEq := func(t token) bool { return p.isOp(t, "=") || p.isOp(t, "==") }
	// column = value
	if c, ok := col(p.toks[s]); ok && s+1 < e && isEq(p.toks[s+1]) {
		if v, n := p.valueAt(s+2, e); n == e {
			return []Binding{{Column: c, Values: []Value{v}, Pos: p.toks[s].pos}}
		}
	}
	// value = column
	if v, n := p.valueAt(s, e); n > s && n+2 == e && isEq(p.toks[n]) {
		if c, ok := col(p.toks[n+1]); ok {
			return []Binding{{Column: c, Values: []Value{v}, Pos: p.toks[n+1].pos}}
		}
	}
	// column IN (value, …)
	if c, ok := col(p.toks[s]); ok && s+3 < e && p.isKw(p.toks[s+1], "IN") && p.isOp(p.toks[s+2], "(") && p.isOp(p.toks[e-1], ")") {
		var vals []Value
		for j := s + 3; j < e-1; {
			v, n := p.valueAt(j, e-1)
			if n == j {
				return nil
			}
			vals = append(vals, v)
			j = n
			if j < e-1 {
				if !p.isOp(p.toks[j], ",") {
					return nil
				}
				j++
				if j == e-1 { // trailing comma: not valid SQL anyway
					return nil
				}
			}
		}
		if len(vals) == 0 {
			return nil
		}
		return []Binding{{Column: c, Values: vals, Pos: p.toks[s].pos}}
	}
	return nil
}

// valueAt reads a literal or parameter at token j (< e) and returns it with
// the index after it; the index is j when there is none.
func (p *parser) valueAt(j, e int) (Value, int) {
	if j >= e {
		return Value{}, j
	}
	t := p.toks[j]
	switch t.kind {
	case kString:
		return Value{Kind: ValueString, Text: unquoteString(p.text(t))}, j + 1
	case kNumber:
		return Value{Kind: ValueNumber, Text: p.text(t)}, j + 1
	case kParam:
		return Value{Kind: ValueParam, Text: p.text(t)}, j + 1
	case kOp:
		if (p.isOp(t, "-") || p.isOp(t, "+")) && j+1 < e && p.toks[j+1].kind == kNumber {
			n := p.toks[j+1]
			sign := ""
			if p.isOp(t, "-") {
				sign = "-"
			}
			return Value{Kind: ValueNumber, Text: sign + p.text(n)}, j + 2
		}
	}
	return Value{}, j
}
