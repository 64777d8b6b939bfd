package pgwire

import (
	"context"

	"github.com/ccql/ccql"
	"github.com/jackc/pgx/v5/pgproto3"
)

// portal is a bound statement: a prepared statement with its parameters
// and result formats, and, once executed, its rows. A SELECT's rows stream
// from the engine: the portal holds them open (and with them a statement
// session of the engine) until they are all sent or the portal is closed.
type portal struct {
	p       *prepared
	args    []any
	formats []int16 // result format codes as Bind gave them

	described []uint32 // column types promised by Describe, nil if none
	rows      *ccql.Rows
	ahead     [][]any // rows read from rows (to type the columns, or to see whether more come), not yet sent
	oids      []uint32
	sent      int64 // rows sent
	ran       bool  // rows is set
	done      bool  // every row was sent

	ctx    context.Context // the rows' context, cancelled by close
	cancel context.CancelFunc
}

// next returns the portal's next row; false at the end or on an error
// (pt.rows.Err).
func (pt *portal) next() ([]any, bool) {
	if len(pt.ahead) > 0 {
		row := pt.ahead[0]
		pt.ahead = pt.ahead[1:]
		return row, true
	}
	if pt.rows.Next() {
		return pt.rows.Row(), true
	}
	return nil, false
}

// close ends the portal's rows, if open: no further Cloud Control page is
// read, and the engine's session is free.
func (pt *portal) close() {
	if pt.rows != nil {
		pt.rows.Close()
	}
	if pt.cancel != nil {
		pt.cancel()
	}
	pt.ahead = nil
}

// dropPortal closes and forgets a portal.
func (c *conn) dropPortal(name string) {
	if pt, ok := c.portals[name]; ok {
		pt.close()
		delete(c.portals, name)
	}
}

// dropPortals closes and forgets every portal (at Sync outside a
// transaction, and when the session ends).
func (c *conn) dropPortals() {
	for _, pt := range c.portals {
		pt.close()
	}
	clear(c.portals)
}

// parkPortals reads the rest of every other portal's open rows into
// memory and closes them, before a statement opens its own: each open
// portal holds one of the engine's statement sessions, which are bounded
// (ccql.Config.MaxStatements), so one connection holds at most one.
func (c *conn) parkPortals(except *portal) {
	for _, pt := range c.portals {
		if pt == except || pt.rows == nil || pt.done || pt.rows.Kind() != ccql.KindQuery {
			continue
		}
		for pt.rows.Next() {
			pt.ahead = append(pt.ahead, pt.rows.Row())
		}
		pt.rows.Close() // an error stays in rows.Err for its Execute
	}
}

// fitAheadRows is how many rows a result's column types are fitted to
// (see fitColumns) before RowDescription is sent and the rest stream.
const fitAheadRows = ccql.TypeAheadRows

// flushEvery is how many DataRows are buffered before they are flushed to
// the client while a result streams.
const flushEvery = 256

// readAhead reads up to n rows of rows; an error that ends them is
// returned.
func readAhead(rows *ccql.Rows, n int) ([][]any, error) {
	var out [][]any
	for len(out) < n && rows.Next() {
		out = append(out, rows.Row())
	}
	return out, rows.Err()
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
			c.dropPortal(m.Name)
		}
		c.be.Send(&pgproto3.CloseComplete{})
	case *pgproto3.Sync:
		c.skipUntilSync = false
		if c.txStatus == 'I' {
			c.dropPortals()
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
		c.parkPortals(nil)
		rows, err := c.open(ctx, p, nil)
		if err == nil {
			err = c.sendRows(p, rows)
			rows.Close()
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

// sendRows sends a statement's rows in the text format (simple protocol)
// as they are read: RowDescription once the first rows (fitAheadRows) have
// typed the columns, then DataRows, flushed every flushEvery rows, so a
// large result never sits whole in memory. An error while reading comes
// after the rows sent so far, as PostgreSQL sends one.
func (c *conn) sendRows(p *prepared, rows *ccql.Rows) error {
	if rows.Kind() != ccql.KindQuery {
		res := rows.Result()
		if res.Message != "" && res.Message != "OK" {
			c.be.Send(&pgproto3.NoticeResponse{Severity: "NOTICE", SeverityUnlocalized: "NOTICE", Code: "00000", Message: res.Message})
		}
		c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(commandTag(p, res))})
		return nil
	}
	cols := rows.Columns()
	ahead, err := readAhead(rows, fitAheadRows)
	if err != nil {
		return err
	}
	oids := fitRows(rows, ahead)
	c.be.Send(rowDescription(cols, oids, nil))
	var n int64
	send := func(row []any) error {
		dr, err := dataRow(row, oids, nil, cols)
		if err != nil {
			return err
		}
		c.be.Send(dr)
		if n++; n%flushEvery == 0 {
			return c.be.Flush()
		}
		return nil
	}
	for _, row := range ahead {
		if err := send(row); err != nil {
			return err
		}
	}
	ahead = nil
	for rows.Next() {
		if err := send(rows.Row()); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(commandTagN(p, n))})
	return nil
}

// fitRows fits the column types to the rows read ahead of a streamed
// result, or to every row of one already whole (a RETURNING list).
func fitRows(rows *ccql.Rows, ahead [][]any) []uint32 {
	if res := rows.Result(); res != nil {
		return fitColumns(res)
	}
	return fitColumns(&ccql.Result{Columns: rows.Columns(), Rows: ahead})
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
	c.dropPortal(m.DestinationPortal) // the unnamed portal is replaced
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
		if pt.rows.Kind() != ccql.KindQuery {
			c.be.Send(&pgproto3.NoData{})
			return nil
		}
		pt.described = pt.oids
		c.be.Send(rowDescription(pt.rows.Columns(), pt.described, pt.formats))
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

// runPortal runs a portal's statement and keeps its rows open. promised
// are the column types a Describe gave the client, which the rows must
// then be sent as; nil types the columns from the first rows. The rows
// live with the portal, past the message: ctx (the message's) cancels
// them only while it works on them.
func (c *conn) runPortal(ctx context.Context, pt *portal, promised []uint32) error {
	c.parkPortals(pt)
	pt.ctx, pt.cancel = context.WithCancel(c.s.baseCtx)
	defer linkPortal(ctx, pt)()
	rows, err := c.open(pt.ctx, pt.p, pt.args)
	if err != nil {
		pt.cancel()
		return err
	}
	cols := rows.Columns()
	if n := len(pt.formats); n > 1 && n != len(cols) {
		rows.Close()
		pt.cancel()
		return errorf(CodeProtocolViolation, "bind message has %d result formats but query has %d columns", n, len(cols))
	}
	pt.rows, pt.ran = rows, true
	if promised != nil && len(promised) == len(cols) {
		pt.oids = promised
		return nil
	}
	if pt.ahead, err = readAhead(rows, fitAheadRows); err != nil {
		pt.close()
		pt.ran, pt.rows = false, nil
		return err
	}
	pt.oids = fitRows(rows, pt.ahead)
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
	ctx, done := c.statementContext()
	defer done()
	if !pt.ran {
		// Types promised by a Describe of the portal or, for clients that
		// only describe the statement (pgx), of the statement: the client
		// decodes the rows by them.
		promised := pt.described
		if promised == nil {
			promised = pt.p.described
		}
		if err := c.runPortal(ctx, pt, promised); err != nil {
			return err
		}
	}
	rows := pt.rows
	if rows.Kind() != ccql.KindQuery {
		res := rows.Result()
		if !pt.done && res.Message != "" && res.Message != "OK" {
			c.be.Send(&pgproto3.NoticeResponse{Severity: "NOTICE", SeverityUnlocalized: "NOTICE", Code: "00000", Message: res.Message})
		}
		pt.done = true
		c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(commandTag(pt.p, res))})
		return nil
	}
	if !pt.done {
		defer linkPortal(ctx, pt)()
		var n int64
		for m.MaxRows == 0 || n < int64(m.MaxRows) {
			row, ok := pt.next()
			if !ok {
				if err := rows.Err(); err != nil {
					pt.close()
					pt.done = true
					return err
				}
				pt.done = true
				break
			}
			dr, err := dataRow(row, pt.oids, pt.formats, rows.Columns())
			if err != nil {
				pt.close()
				pt.done = true
				return err
			}
			c.be.Send(dr)
			pt.sent++
			if n++; n%flushEvery == 0 {
				if err := c.be.Flush(); err != nil {
					return err
				}
			}
		}
		if !pt.done {
			// The row limit is reached: suspend if more rows come.
			row, ok := pt.next()
			if ok {
				pt.ahead = append([][]any{row}, pt.ahead...)
				c.be.Send(&pgproto3.PortalSuspended{})
				return nil
			}
			pt.done = true
			if err := rows.Err(); err != nil {
				pt.close()
				return err
			}
		}
		pt.close() // every row is sent: free the session now
	}
	c.be.Send(&pgproto3.CommandComplete{CommandTag: []byte(commandTagN(pt.p, pt.sent))})
	return nil
}
