package pgwire

import (
	"context"

	"github.com/ccql/ccql"
	"github.com/jackc/pgx/v5/pgproto3"
)

// portal is a bound statement: a prepared statement with its parameters
// and result formats, and, once executed, its result.
type portal struct {
	p       *prepared
	args    []any
	formats []int16 // result format codes as Bind gave them

	described []uint32 // column types promised by Describe, nil if none
	res       *ccql.Result
	oids      []uint32
	pos       int  // next row to send
	ran       bool // res is set
}

// handle answers one message.
func (c *conn) handle(msg pgproto3.FrontendMessage) error {
	if c.skipUntilSync {
		switch msg.(type) {
		case *pgproto3.Sync:
		case *pgproto3.Terminate:
			return errSessionEnded
		default:
			return nil
		}
	}
	var err error
	switch m := msg.(type) {
	case *pgproto3.Query:
		return c.simpleQuery(m.String)
	case *pgproto3.Parse:
		err = c.parse(m)
	case *pgproto3.Bind:
		err = c.bind(m)
	case *pgproto3.Describe:
		err = c.describeMsg(m)
	case *pgproto3.Execute:
		err = c.execute(m)
	case *pgproto3.Close:
		if m.ObjectType == 'S' {
			delete(c.stmts, m.Name)
		} else {
			delete(c.portals, m.Name)
		}
		c.be.Send(&pgproto3.CloseComplete{})
	case *pgproto3.Sync:
		c.skipUntilSync = false
		if c.txStatus == 'I' {
			clear(c.portals)
		}
		return c.readyForQuery()
	case *pgproto3.Flush:
		return c.be.Flush()
	case *pgproto3.Terminate:
		return errSessionEnded
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// Ignored, as PostgreSQL does outside COPY.
		return nil
	default:
		err = errorf(CodeFeatureNotSupported, "%T messages are not supported", msg)
	}
	if err != nil {
		c.be.Send(toWire(err))
		c.skipUntilSync = true
		return c.be.Flush()
	}
	return nil
}

// simpleQuery runs a Query message: every statement in it, in order,
// stopping at the first error. All are parsed before any runs, so a
// syntax error in the last statement leaves the first undone.
func (c *conn) simpleQuery(text string) error {
	c.skipUntilSync = false
	pieces, err := ccql.Split(text)
	if err != nil {
		c.be.Send(toWire(err))
		return c.readyForQuery()
	}
	if len(pieces) == 0 {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
		return c.readyForQuery()
	}
	ctx, done := c.statementContext()
	defer done()
	stmts := make([]*prepared, len(pieces))
	for i, pc := range pieces {
		if stmts[i], err = prepare(ctx, c, pc.Text, nil); err != nil {
			c.be.Send(toWire(err))
			return c.readyForQuery()
		}
		if stmts[i].stmt != nil && stmts[i].stmt.NumParams() > 0 {
			c.be.Send(toWire(errorf(CodeUndefinedParameter, "there is no parameter $1 in a simple query (use the extended protocol to bind parameters)")))
			return c.readyForQuery()
		}
	}
	for _, p := range stmts {
		res, err := c.run(ctx, p, nil)
		if err == nil {
			err = c.sendResult(p, res)
		}
		if ctx.Err() != nil && c.peerGone() {
			return errSessionEnded // nobody to answer
		}
		if err != nil {
			c.be.Send(toWire(err))
			break
		}
		// Stream each statement's result as it completes.
		if err := c.be.Flush(); err != nil {
			return err
		}
	}
	return c.readyForQuery()
}

// sendResult sends a whole result in the text format (simple protocol).
func (c *conn) sendResult(p *prepared, res *ccql.Result) error {
	if res.Kind == ccql.KindQuery {
		oids := fitColumns(res)
		c.be.Send(rowDescription(res.Columns, oids, nil))
		for _, row := range res.Rows {
			dr, err := dataRow(row, oids, nil, res.Columns)
			if err != nil {
				return err
			}
			c.be.Send(dr)
		}
	} else if res.Message != "" && res.Message != "OK" {
		c.be.Send(&pgproto3.NoticeResponse{Severity: "NOTICE", SeverityUnlocalized: "NOTICE", Code: "00000", Message: res.Message})
	}
	c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(commandTag(p, res))})
	return nil
}

// fitColumns returns each column's type OID, falling back to text for a
// column holding a value its declared type cannot carry (SQLite's typing
// is per value).
func fitColumns(res *ccql.Result) []uint32 {
	oids := make([]uint32, len(res.Columns))
	var scratch []byte
	for i, col := range res.Columns {
		oids[i] = oidOf(col.Type)
		if oids[i] == oidText {
			continue
		}
		for _, row := range res.Rows {
			if i >= len(row) || row[i] == nil {
				continue
			}
			var err error
			if scratch, err = encodeValue(scratch[:0], oids[i], 0, row[i]); err != nil {
				oids[i] = oidText
				break
			}
		}
	}
	return oids
}

func formatOf(formats []int16, i int) int16 {
	switch len(formats) {
	case 0:
		return 0
	case 1:
		return formats[0]
	}
	if i < len(formats) {
		return formats[i]
	}
	return 0
}

func rowDescription(cols []ccql.Column, oids []uint32, formats []int16) *pgproto3.RowDescription {
	rd := &pgproto3.RowDescription{Fields: make([]pgproto3.FieldDescription, len(cols))}
	for i, col := range cols {
		rd.Fields[i] = pgproto3.FieldDescription{Name: []byte(col.Name), DataTypeOID: oids[i],
			DataTypeSize: typeSize(oids[i]), TypeModifier: -1, Format: formatOf(formats, i)}
	}
	return rd
}

func dataRow(row []any, oids []uint32, formats []int16, cols []ccql.Column) (*pgproto3.DataRow, error) {
	dr := &pgproto3.DataRow{Values: make([][]byte, len(oids))}
	for i := range oids {
		if i >= len(row) || row[i] == nil {
			continue // nil is NULL
		}
		b, err := encodeValue(make([]byte, 0, 16), oids[i], formatOf(formats, i), row[i])
		if err != nil {
			return nil, errorf("22P02", "column %s: %v", cols[i].Name, err)
		}
		dr.Values[i] = b
	}
	return dr, nil
}

func (c *conn) parse(m *pgproto3.Parse) error {
	if _, exists := c.stmts[m.Name]; exists && m.Name != "" {
		return errorf(CodeDuplicateStatement, "prepared statement %q already exists", m.Name)
	}
	pieces, err := ccql.Split(m.Query)
	if err != nil {
		return err
	}
	if len(pieces) > 1 {
		return errorf(CodeSyntax, "cannot insert multiple commands into a prepared statement")
	}
	text := ""
	if len(pieces) == 1 {
		text = pieces[0].Text
	}
	ctx, done := c.statementContext()
	defer done()
	p, err := prepare(ctx, c, text, append([]uint32(nil), m.ParameterOIDs...))
	if err != nil {
		return err
	}
	c.stmts[m.Name] = p
	c.be.Send(&pgproto3.ParseComplete{})
	return nil
}

func (c *conn) bind(m *pgproto3.Bind) error {
	p, ok := c.stmts[m.PreparedStatement]
	if !ok {
		return errorf(CodeUndefinedStatement, "prepared statement %q does not exist", m.PreparedStatement)
	}
	if _, exists := c.portals[m.DestinationPortal]; exists && m.DestinationPortal != "" {
		return errorf("42P03", "portal %q already exists", m.DestinationPortal)
	}
	if len(m.Parameters) != len(p.params) {
		return errorf(CodeProtocolViolation, "bind message supplies %d parameters, but prepared statement %q requires %d",
			len(m.Parameters), m.PreparedStatement, len(p.params))
	}
	if n := len(m.ParameterFormatCodes); n > 1 && n != len(m.Parameters) {
		return errorf(CodeProtocolViolation, "bind message has %d parameter formats but %d parameters", n, len(m.Parameters))
	}
	args := make([]any, len(m.Parameters))
	for i, raw := range m.Parameters {
		v, err := decodeParam(p.params[i], formatOf(m.ParameterFormatCodes, i), raw)
		if err != nil {
			return err
		}
		args[i] = v
	}
	c.portals[m.DestinationPortal] = &portal{p: p, args: args, formats: append([]int16(nil), m.ResultFormatCodes...)}
	c.be.Send(&pgproto3.BindComplete{})
	return nil
}

func (c *conn) describeMsg(m *pgproto3.Describe) error {
	ctx, done := c.statementContext()
	defer done()
	if m.ObjectType == 'S' {
		p, ok := c.stmts[m.Name]
		if !ok {
			return errorf(CodeUndefinedStatement, "prepared statement %q does not exist", m.Name)
		}
		cols, err := c.describeStatement(ctx, p)
		if err != nil {
			return err
		}
		c.be.Send(&pgproto3.ParameterDescription{ParameterOIDs: p.params})
		if cols == nil {
			p.described = nil
			c.be.Send(&pgproto3.NoData{})
			return nil
		}
		p.described = describedOIDs(cols)
		c.be.Send(rowDescription(cols, p.described, nil))
		return nil
	}
	pt, ok := c.portals[m.Name]
	if !ok {
		return errorf(CodeUndefinedPortal, "portal %q does not exist", m.Name)
	}
	// A portal's parameters are known: a statement that only reads runs
	// now, so that RowDescription carries the types of the values it
	// returns (SQLite types expression columns per value), and Execute
	// sends the rows kept here.
	if !pt.ran && pt.p.readOnly() {
		if err := c.runPortal(ctx, pt, nil); err != nil {
			return err
		}
	}
	if pt.ran {
		if pt.res.Kind != ccql.KindQuery {
			c.be.Send(&pgproto3.NoData{})
			return nil
		}
		pt.described = pt.oids
		c.be.Send(rowDescription(pt.res.Columns, pt.described, pt.formats))
		return nil
	}
	cols, err := c.describe(pt.p)
	if err != nil {
		return err
	}
	if cols == nil {
		c.be.Send(&pgproto3.NoData{})
		return nil
	}
	pt.described = describedOIDs(cols)
	c.be.Send(rowDescription(cols, pt.described, pt.formats))
	return nil
}

// runPortal runs a portal's statement and keeps its result. promised are
// the column types a Describe gave the client, which the rows must then be
// sent as; nil types the columns from the rows.
func (c *conn) runPortal(ctx context.Context, pt *portal, promised []uint32) error {
	res, err := c.run(ctx, pt.p, pt.args)
	if err != nil {
		return err
	}
	if n := len(pt.formats); n > 1 && n != len(res.Columns) {
		return errorf(CodeProtocolViolation, "bind message has %d result formats but query has %d columns", n, len(res.Columns))
	}
	pt.res, pt.ran = res, true
	if promised != nil && len(promised) == len(res.Columns) {
		pt.oids = promised
	} else {
		pt.oids = fitColumns(res)
	}
	return nil
}

func describedOIDs(cols []ccql.Column) []uint32 {
	oids := make([]uint32, len(cols))
	for i, col := range cols {
		oids[i] = oidOf(col.Type)
	}
	return oids
}

func (c *conn) execute(m *pgproto3.Execute) error {
	pt, ok := c.portals[m.Portal]
	if !ok {
		return errorf(CodeUndefinedPortal, "portal %q does not exist", m.Portal)
	}
	if pt.p.stmt == nil && pt.p.local == nil {
		c.be.Send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	if !pt.ran {
		// Types promised by a Describe of the portal or, for clients that
		// only describe the statement (pgx), of the statement: the client
		// decodes the rows by them.
		promised := pt.described
		if promised == nil {
			promised = pt.p.described
		}
		ctx, done := c.statementContext()
		err := c.runPortal(ctx, pt, promised)
		done()
		if err != nil {
			return err
		}
	}
	res := pt.res
	if res.Kind != ccql.KindQuery {
		if pt.pos == 0 && res.Message != "" && res.Message != "OK" {
			c.be.Send(&pgproto3.NoticeResponse{Severity: "NOTICE", SeverityUnlocalized: "NOTICE", Code: "00000", Message: res.Message})
		}
		pt.pos = 1
		c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(commandTag(pt.p, res))})
		return nil
	}
	end := len(res.Rows)
	if m.MaxRows > 0 && pt.pos+int(m.MaxRows) < end {
		end = pt.pos + int(m.MaxRows)
	}
	for ; pt.pos < end; pt.pos++ {
		dr, err := dataRow(res.Rows[pt.pos], pt.oids, pt.formats, res.Columns)
		if err != nil {
			return err
		}
		c.be.Send(dr)
	}
	if pt.pos < len(res.Rows) {
		c.be.Send(&pgproto3.PortalSuspended{})
		return nil
	}
	c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(commandTag(pt.p, res))})
	return nil
}
