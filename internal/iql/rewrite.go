package iql

import (
	"sort"
	"strings"
)

// Rewriting splices the original text: every resource name in a table
// position becomes one quoted identifier, and nothing else moves, so
// literals, comments and the user's formatting reach SQLite untouched.
//
// A dotted name is a resource only where SQLite expects a table: right after
// FROM or JOIN, after a comma in a FROM list, or first inside a
// parenthesized join group. There SQLite allows at most schema.table, so
// three parts can only be provider.service.resource. Elsewhere a.b.c is
// schema.table.column and is left alone, except that a four-part column
// reference p.s.r.col (or p.s.r.*) whose first three parts name a resource
// of the statement becomes "p.s.r".col.

type splice struct {
	pos, end int
	with     string
}

// level is the FROM-clause state of one parenthesis depth.
type level struct {
	inFrom bool // inside a FROM list (a comma starts a new table)
	expect bool // the next token is in table position
}

// rewrite returns the text of tokens [from, to) for SQLite and the
// resources referenced in it. known lists resources the fragment may refer
// to by four-part column names without naming them in a FROM (the target
// of an UPDATE or DELETE).
func (p *parser) rewrite(from, to int, known []TableName) (string, []TableRef) {
	if from >= to {
		return "", nil
	}
	var (
		refs    []TableRef
		splices []splice
		cands   []splice // four-part column references, decided once all tables are known
		candIDs []string
		stack   = []level{{}}
	)
	for i := from; i < to; i++ {
		t := p.toks[i]
		top := &stack[len(stack)-1]
		switch t.kind {
		case kOp:
			switch p.text(t) {
			case "(":
				inner := level{}
				if top.expect { // a subquery or a parenthesized join
					inner = level{inFrom: true, expect: true}
				}
				top.expect = false
				stack = append(stack, inner)
			case ")":
				if len(stack) > 1 {
					stack = stack[:len(stack)-1]
				}
			case ",":
				top.expect = top.inFrom
			default:
				top.expect = false
			}
			continue
		case kIdent, kQIdent:
		default:
			top.expect = false
			continue
		}
		parts, next := p.chainAt(i)
		if next > to {
			// A chain cannot run past the fragment: its end is a keyword.
			parts, next = parts[:1], i+1
		}
		if top.expect {
			top.expect = false
			switch {
			case next < to && p.isOp(p.toks[next], "("): // table-valued function
				i = next - 1
				continue
			case len(parts) == 3 && plainParts(parts):
				n := TableName{parts[0], parts[1], parts[2]}
				refs = append(refs, TableRef{TableName: n, Pos: t.pos})
				splices = append(splices, splice{t.pos, p.toks[next-1].end, n.Ident()})
				i = next - 1
				continue
			case len(parts) == 1 && t.kind == kQIdent:
				if q := strings.Split(parts[0], "."); len(q) == 3 && plainParts(q) {
					refs = append(refs, TableRef{TableName: TableName{q[0], q[1], q[2]}, Pos: t.pos})
				}
				continue
			case len(parts) > 1:
				i = next - 1
				continue
			}
			// One bare word: a table or CTE name, or a keyword such as the
			// SELECT of a subquery; keywords are handled below.
		} else if len(parts) > 1 {
			star := len(parts) == 3 && next+1 < to && p.isOp(p.toks[next], ".") && p.isOp(p.toks[next+1], "*")
			if (len(parts) == 4 || star) && plainParts(parts[:3]) {
				n := TableName{parts[0], parts[1], parts[2]}
				end := p.toks[next-1].end
				if !star {
					end = p.toks[next-3].end // up to the third part
				}
				cands = append(cands, splice{t.pos, end, n.Ident()})
				candIDs = append(candIDs, n.String())
			}
			i = next - 1
			continue
		}
		if t.kind != kIdent {
			continue
		}
		switch strings.ToUpper(p.text(t)) {
		case "FROM":
			if !p.distinctFrom(i, from) {
				top.inFrom, top.expect = true, true
			}
		case "JOIN":
			top.inFrom, top.expect = true, true
		case "WHERE", "GROUP", "HAVING", "WINDOW", "ORDER", "LIMIT", "UNION", "INTERSECT",
			"EXCEPT", "RETURNING", "SELECT", "VALUES", "SET":
			top.inFrom = false
		}
	}
	for k, c := range cands {
		if tableKnown(candIDs[k], refs, known) {
			splices = append(splices, c)
		}
	}
	sort.Slice(splices, func(a, b int) bool { return splices[a].pos < splices[b].pos })
	start, end := p.toks[from].pos, p.toks[to-1].end
	var b strings.Builder
	b.Grow(end - start + 8*len(splices))
	at := start
	for _, s := range splices {
		b.WriteString(p.src[at:s.pos])
		// A quote right before or after the new identifier would merge with
		// it into one token ("x""a.b.c"), so keep them apart.
		if s.pos > 0 && p.src[s.pos-1] == '"' {
			b.WriteByte(' ')
		}
		b.WriteString(s.with)
		if s.end < len(p.src) && p.src[s.end] == '"' {
			b.WriteByte(' ')
		}
		at = s.end
	}
	b.WriteString(p.src[at:end])
	return b.String(), refs
}

// distinctFrom reports whether the FROM at token i belongs to
// IS [NOT] DISTINCT FROM, an operator rather than a clause.
func (p *parser) distinctFrom(i, from int) bool {
	if i-2 < from || !p.isKw(p.toks[i-1], "DISTINCT") {
		return false
	}
	return p.isKw(p.toks[i-2], "IS") || p.isKw(p.toks[i-2], "NOT")
}

func tableKnown(id string, refs []TableRef, known []TableName) bool {
	for _, r := range refs {
		if strings.EqualFold(r.String(), id) {
			return true
		}
	}
	for _, n := range known {
		if strings.EqualFold(n.String(), id) {
			return true
		}
	}
	return false
}

// plainParts reports whether the parts of a resource name are non-empty and
// free of dots; "a.b".c.d would be ambiguous once joined into one
// identifier, so it is not treated as a resource.
func plainParts(parts []string) bool {
	for _, s := range parts {
		if s == "" || strings.Contains(s, ".") {
			return false
		}
	}
	return true
}
