package iql

import "strings"

// parseShow parses SHOW [EXTENDED] PROVIDERS|SERVICES|RESOURCES|METHODS …
// and, for anything else, SHOW name (a run-time setting).
func (p *parser) parseShow(base Base) (Statement, error) {
	p.i++ // SHOW
	sh := &Show{Base: base}
	sh.Extended = p.accept("EXTENDED")
	var want int // how many parts the IN name has
	switch {
	case p.accept("PROVIDERS"):
		sh.Kind = ShowProviders
	case p.accept("SERVICES"):
		sh.Kind, want = ShowServices, 1
	case p.accept("RESOURCES"):
		sh.Kind, want = ShowResources, 2
	case p.accept("METHODS"):
		sh.Kind, want = ShowMethods, 3
	case !sh.Extended && p.kw("INSERT"):
		return p.showInsert(sh)
	default:
		if sh.Extended {
			return nil, p.fail("expected PROVIDERS, SERVICES, RESOURCES or METHODS")
		}
		return p.showVar(base)
	}
	if want > 0 {
		in := p.accept("IN") || p.accept("FROM")
		if !in && want > 1 {
			return nil, p.failf("expected IN and a name like %s", exampleName(want))
		}
		if in {
			start := p.i
			parts, _, err := p.dottedName("a name like " + exampleName(want))
			if err != nil {
				return nil, err
			}
			if len(parts) != want {
				p.i = start
				return nil, p.failf("expected a name like %s", exampleName(want))
			}
			sh.Provider = parts[0]
			if want > 1 {
				sh.Service = parts[1]
			}
			if want > 2 {
				sh.Resource = parts[2]
			}
		}
	}
	switch {
	case p.accept("LIKE"):
		t := p.tok()
		if t.kind != kString {
			return nil, p.fail("expected a string pattern after LIKE")
		}
		p.i++
		v := unquoteString(p.text(t))
		sh.Like = &v
	case p.accept("WHERE"):
		s := p.i
		if err := p.expr(); err != nil {
			return nil, err
		}
		sh.Where, sh.Tables = p.rewrite(s, p.i, nil)
	}
	if err := p.expectEnd("LIKE, WHERE"); err != nil {
		return nil, err
	}
	return sh, nil
}

// showInsert parses SHOW INSERT [/*+ REQUIRED */] INTO
// provider.service.resource, StackQL's INSERT template generator.
func (p *parser) showInsert(sh *Show) (Statement, error) {
	p.i++ // INSERT
	if err := p.expectKw("INTO"); err != nil {
		return nil, err
	}
	t, err := p.tableName()
	if err != nil {
		return nil, err
	}
	sh.Kind = ShowInsert
	sh.Provider, sh.Service, sh.Resource = t.Provider, t.Service, t.Resource
	sh.Required = sh.Hints.Has("required")
	return sh, p.expectEnd("")
}

// parseRegistry parses REGISTRY LIST [provider]. REGISTRY PULL has nothing
// to do: the one provider is embedded.
func (p *parser) parseRegistry(base Base) (Statement, error) {
	p.i++ // REGISTRY
	if p.kw("PULL") {
		return nil, p.fail("REGISTRY PULL is not needed: the awscc provider is embedded in ccql (REGISTRY LIST shows its version)")
	}
	if err := p.expectKw("LIST"); err != nil {
		return nil, err
	}
	r := &RegistryList{Base: base}
	if p.tok().kind != kEOF {
		name, err := p.name("a provider name")
		if err != nil {
			return nil, err
		}
		r.Provider = name
	}
	return r, p.expectEnd("")
}

func exampleName(parts int) string {
	switch parts {
	case 1:
		return "awscc"
	case 2:
		return "awscc.cognito"
	}
	return "awscc.cognito.user_pool_clients"
}

// showVar parses SHOW name [name …] (SHOW server_version,
// SHOW TRANSACTION ISOLATION LEVEL, SHOW ALL).
func (p *parser) showVar(base Base) (Statement, error) {
	if p.kwAny("AUTH") {
		return nil, p.failf("SHOW %s is not supported", strings.ToUpper(p.text(p.tok())))
	}
	var words []string
	for p.tok().kind != kEOF {
		t := p.tok()
		if t.kind != kIdent && t.kind != kQIdent {
			return nil, p.fail("expected a setting name")
		}
		parts, next := p.chainAt(p.i)
		p.i = next
		words = append(words, strings.ToLower(strings.Join(parts, ".")))
	}
	if len(words) == 0 {
		return nil, p.fail("expected PROVIDERS, SERVICES, RESOURCES, METHODS or a setting name")
	}
	return &ShowVar{Base: base, Name: strings.Join(words, " ")}, nil
}

// parseDescribe parses DESCRIBE|DESC [EXTENDED] resource.
func (p *parser) parseDescribe(base Base) (Statement, error) {
	p.i++ // DESCRIBE
	d := &Describe{Base: base}
	d.Extended = p.accept("EXTENDED")
	var err error
	if d.Table, err = p.tableName(); err != nil {
		return nil, err
	}
	return d, p.expectEnd("")
}

// parseSet parses SET [SESSION|LOCAL] name {=|TO} value and SET TIME ZONE
// value. It is lenient, because PostgreSQL clients send many forms on
// connect: without = or TO, the rest of the statement is the value.
func (p *parser) parseSet(base Base) (Statement, error) {
	p.i++ // SET
	s := &Set{Base: base}
	if !p.accept("SESSION") {
		s.Local = p.accept("LOCAL")
	}
	if p.kw("TIME") && p.isKw(p.peek(1), "ZONE") {
		p.i += 2
		s.Name = "timezone"
	} else {
		t := p.tok()
		if t.kind != kIdent && t.kind != kQIdent {
			return nil, p.fail("expected a setting name")
		}
		parts, next := p.chainAt(p.i)
		p.i = next
		s.Name = strings.ToLower(strings.Join(parts, "."))
		if !p.acceptOp("=") {
			p.accept("TO")
		}
	}
	if p.tok().kind == kEOF {
		return nil, p.fail("expected a value")
	}
	s.Value = p.src[p.tok().pos:p.toks[len(p.toks)-2].end]
	for item := p.i; ; {
		j := item
		for p.toks[j].kind != kEOF && !p.isOp(p.toks[j], ",") {
			j++
		}
		if j == item {
			return nil, errAt(p.src, p.toks[j].pos, p.toks[j].end, "expected a value")
		}
		if j == item+1 {
			switch t := p.toks[item]; t.kind {
			case kString:
				s.Values = append(s.Values, unquoteString(p.text(t)))
			case kQIdent:
				s.Values = append(s.Values, unquoteIdent(p.text(t)))
			default:
				s.Values = append(s.Values, p.text(t))
			}
		} else {
			s.Values = append(s.Values, p.src[p.toks[item].pos:p.toks[j-1].end])
		}
		if p.toks[j].kind == kEOF {
			break
		}
		item = j + 1
	}
	return s, nil
}

// parseBegin parses BEGIN [DEFERRED|IMMEDIATE|EXCLUSIVE] [TRANSACTION|WORK]
// and START TRANSACTION; PostgreSQL's transaction modes after them
// (ISOLATION LEVEL …, READ ONLY) are accepted and ignored.
func (p *parser) parseBegin(base Base) (Statement, error) {
	if p.accept("START") {
		if err := p.expectKw("TRANSACTION"); err != nil {
			return nil, err
		}
	} else {
		p.i++ // BEGIN
	}
	for p.tok().kind != kEOF {
		if t := p.tok(); t.kind != kIdent && !p.isOp(t, ",") {
			return nil, p.fail("expected end of statement")
		}
		p.i++
	}
	return &Begin{Base: base}, nil
}

// parseEndTxn parses COMMIT, END and ROLLBACK [TRANSACTION|WORK] [AND [NO]
// CHAIN]. Savepoints are not supported.
func (p *parser) parseEndTxn(base Base) (Statement, error) {
	rollback := p.kw("ROLLBACK")
	p.i++
	if !p.accept("TRANSACTION") {
		p.accept("WORK")
	}
	if p.kw("TO") {
		return nil, p.fail("savepoints are not supported")
	}
	if p.accept("AND") {
		p.accept("NO")
		if err := p.expectKw("CHAIN"); err != nil {
			return nil, err
		}
	}
	if err := p.expectEnd(""); err != nil {
		return nil, err
	}
	if rollback {
		return &Rollback{Base: base}, nil
	}
	return &Commit{Base: base}, nil
}
