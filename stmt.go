package ccql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/iql"
)

// StatementKind tells what a prepared statement is.
type StatementKind int

// Statement kinds.
const (
	StmtSelect   StatementKind = iota + 1 // SELECT, WITH … SELECT, VALUES, EXPLAIN
	StmtInsert                            // INSERT: one CreateResource per source row
	StmtUpdate                            // UPDATE: one UpdateResource per target
	StmtDelete                            // DELETE: one DeleteResource per target (CancelResourceRequest on resource_requests)
	StmtShow                              // SHOW PROVIDERS|SERVICES|RESOURCES|METHODS
	StmtShowVar                           // SHOW name (a setting PostgreSQL clients ask for)
	StmtDescribe                          // DESCRIBE [EXTENDED]
	StmtSet                               // SET name = value (accepted, no effect)
	StmtBegin                             // BEGIN (accepted: Cloud Control has no transactions)
	StmtCommit                            // COMMIT
	StmtRollback                          // ROLLBACK
	StmtUse                               // USE provider
)

// String returns the statement's verb, e.g. "SELECT", "INSERT", "SHOW".
func (k StatementKind) String() string {
	switch k {
	case StmtSelect:
		return "SELECT"
	case StmtInsert:
		return "INSERT"
	case StmtUpdate:
		return "UPDATE"
	case StmtDelete:
		return "DELETE"
	case StmtShow, StmtShowVar:
		return "SHOW"
	case StmtDescribe:
		return "DESCRIBE"
	case StmtSet:
		return "SET"
	case StmtBegin:
		return "BEGIN"
	case StmtCommit:
		return "COMMIT"
	case StmtRollback:
		return "ROLLBACK"
	case StmtUse:
		return "USE"
	}
	return "UNKNOWN"
}

// Stmt is a statement parsed and checked by Engine.Prepare, ready to run
// any number of times with different arguments. It is safe for concurrent
// use.
type Stmt struct {
	e       *Engine
	text    string // as given to Prepare
	st      iql.Statement
	kind    StatementKind
	nparams int
	columns []Column
	await   bool

	ins *insertPlan
	upd *updatePlan
	del *deletePlan
	// fixed are the requests of a mutation whose requests do not depend on
	// its arguments or on Cloud Control (INSERT … VALUES of literals), built
	// once by Prepare.
	fixed []Request
	// fn runs a statement made by NewStmt.
	fn func(ctx context.Context, args []any) (*Result, error)
}

// NewStmt returns a statement that fn answers: for a front end's
// statements answered outside the engine (a PostgreSQL server's
// SELECT version()), and for testing front ends without Cloud Control.
// Exec checks the number of arguments and calls fn; Plan is unsupported.
func NewStmt(text string, kind StatementKind, numParams int, columns []Column, fn func(ctx context.Context, args []any) (*Result, error)) *Stmt {
	return &Stmt{text: text, kind: kind, nparams: numParams, columns: columns, fn: fn}
}

// Setting returns the name (lower-cased) and value (unquoted, items joined
// by ", ") of a SET statement; ok is false for any other statement.
func (s *Stmt) Setting() (name, value string, ok bool) {
	set, isSet := s.st.(*iql.Set)
	if !isSet {
		return "", "", false
	}
	return set.Name, strings.Join(set.Values, ", "), true
}

// Prepare parses statement and checks all of it against the catalog before
// anything is sent: the resource, every column (an unknown or read-only one
// is an error that names it), the request parameters, RETURNING, and —
// when they are literals — the values, coerced by the schema. A SELECT is
// prepared in SQLite, which checks its columns and gives its result
// columns. Prepare calls no Cloud Control operation. Errors wrap the
// package's sentinels (ErrSyntax, ErrUnknownResource, ErrUnknownColumn,
// ErrReadOnly, ErrInvalidValue, ErrMissingKey, ErrUnsupported).
func (e *Engine) Prepare(ctx context.Context, statement string) (*Stmt, error) {
	return e.prepare(ctx, statement, true)
}

// Query prepares and runs one statement (Prepare, then Stmt.Exec): args
// bind its parameters (?, ?NNN, $NNN, :name, @name) in every kind of
// statement. A mutation whose requests were sent returns its Result even
// when some of them failed, together with the error (see Stmt.Exec).
func (e *Engine) Query(ctx context.Context, statement string, args ...any) (*Result, error) {
	s, err := e.prepare(ctx, statement, false)
	if err != nil {
		return nil, err
	}
	return s.Exec(ctx, args...)
}

// prepare is Prepare; describe=false skips preparing a SELECT in SQLite
// (Query runs it at once, which checks it the same way).
func (e *Engine) prepare(ctx context.Context, text string, describe bool) (*Stmt, error) {
	st, err := iql.Parse(text)
	if err != nil {
		return nil, &syntaxError{err}
	}
	numbered, n, err := iql.NumberParams(text)
	if err != nil {
		return nil, &syntaxError{err}
	}
	if numbered != text {
		// Parse again with every parameter numbered (?NNN), so that each
		// piece of the statement SQLite runs alone binds the arguments as
		// the whole statement would.
		if st, err = iql.Parse(numbered); err != nil {
			return nil, &syntaxError{err}
		}
	}
	s := &Stmt{e: e, text: text, st: st, nparams: n}
	if b := st.Info(); b != nil {
		s.await = b.Hints.Has("await")
	}
	switch x := st.(type) {
	case *iql.Select:
		s.kind = StmtSelect
		for _, name := range iql.Names(x.Tables) {
			if _, err := e.table(name); err != nil {
				return nil, err
			}
		}
		if describe {
			if s.columns, err = e.selectColumns(ctx, x, n); err != nil {
				return nil, err
			}
		}
	case *iql.Insert:
		s.kind = StmtInsert
		if s.ins, err = e.prepareInsert(x); err != nil {
			return nil, err
		}
		if s.columns, err = returningColumns(x.Returning); err != nil {
			return nil, err
		}
		if len(x.Tables) == 0 && n == 0 {
			// Literal values: build the requests now, so that a bad value
			// fails Prepare.
			if s.fixed, err = e.planInsert(ctx, s.ins, nil); err != nil {
				return nil, err
			}
		}
	case *iql.Update:
		s.kind = StmtUpdate
		if s.upd, err = e.prepareUpdate(x); err != nil {
			return nil, err
		}
		if s.columns, err = returningColumns(x.Returning); err != nil {
			return nil, err
		}
		if n == 0 {
			if _, _, err := e.buildPatch(ctx, s.upd, nil); err != nil {
				return nil, err
			}
		}
	case *iql.Delete:
		s.kind = StmtDelete
		if s.del, err = e.prepareDelete(x); err != nil {
			return nil, err
		}
		if s.columns, err = returningColumns(x.Returning); err != nil {
			return nil, err
		}
	case *iql.Show:
		s.kind = StmtShow
		s.columns = showColumns(x)
		if x.Kind == iql.ShowMethods {
			if _, err := e.table(iql.TableName{Provider: x.Provider, Service: x.Service, Resource: x.Resource}); err != nil {
				return nil, err
			}
		}
	case *iql.ShowVar:
		s.kind = StmtShowVar
		s.columns = []Column{{Name: x.Name, Type: TypeText}}
	case *iql.Describe:
		s.kind = StmtDescribe
		if _, err := e.table(x.Table.TableName); err != nil {
			return nil, err
		}
		s.columns = describeColumns(x.Extended)
	case *iql.Set:
		s.kind = StmtSet
	case *iql.Begin:
		s.kind = StmtBegin
	case *iql.Commit:
		s.kind = StmtCommit
	case *iql.Rollback:
		s.kind = StmtRollback
	case *iql.Use:
		s.kind = StmtUse
	default:
		return nil, fmt.Errorf("%w: statement %T", ErrUnsupported, st)
	}
	return s, nil
}

// Text returns the statement as given to Prepare.
func (s *Stmt) Text() string { return s.text }

// Kind returns what the statement is.
func (s *Stmt) Kind() StatementKind { return s.kind }

// ReadOnly reports whether running the statement sends no request that
// changes anything: true for everything but INSERT, UPDATE and DELETE. A
// SELECT reads Cloud Control.
func (s *Stmt) ReadOnly() bool {
	switch s.kind {
	case StmtInsert, StmtUpdate, StmtDelete:
		return false
	}
	return true
}

// Columns returns the columns of the rows the statement returns (its
// Result's Kind is then KindQuery): a SELECT's, RETURNING's, SHOW's and
// DESCRIBE's. It is nil for a mutation without RETURNING, whose Result
// (KindMutation) reports its requests instead, and for SET, BEGIN and the
// like. An expression column of a SELECT (count(*), a || b) has TypeAny
// until it has values: its Result types it from them. Query does not
// prepare a SELECT in SQLite, so there Columns is nil for a SELECT.
func (s *Stmt) Columns() []Column { return s.columns }

// NumParams returns the number of arguments Exec and Plan take: the highest
// parameter number in the statement (?, ?NNN, $NNN, :name and @name are
// numbered as SQLite numbers them).
func (s *Stmt) NumParams() int { return s.nparams }

// Await reports whether the statement awaits its requests (/*+ AWAIT */, or
// Config.Wait).
func (s *Stmt) Await() bool { return s.await || s.e != nil && s.e.cfg.Wait }

// Exec runs the statement with args bound to its parameters (NumParams of
// them): nil (NULL), string, []byte, json.RawMessage (its text), bool, any
// integer or float type, or time.Time.
//
// A mutation sends one request per row (INSERT) or target (UPDATE, DELETE),
// all of them, in parallel up to Config.Concurrency: every value was
// checked before the first is sent, and a request that fails does not stop
// the others (Cloud Control has no transactions, and a request sent cannot
// be taken back). Its Result has one row per request, in order: the
// RETURNING fields, or without RETURNING the Identifier, RequestToken,
// OperationStatus, ErrorCode and StatusMessage of each (Kind KindMutation).
// When any request failed — refused when sent, or, once awaited (or
// already known), ended FAILED or CANCEL_COMPLETE — Exec returns that
// Result and an error joining one *RequestError per failed request.
func (s *Stmt) Exec(ctx context.Context, args ...any) (*Result, error) {
	args, err := s.bindArgs(args)
	if err != nil {
		return nil, err
	}
	if s.fn != nil {
		return s.fn(ctx, args)
	}
	e := s.e
	switch x := s.st.(type) {
	case *iql.Select:
		return e.runSelect(ctx, x, args)
	case *iql.Insert, *iql.Update, *iql.Delete:
		if s.del != nil && s.del.cancel {
			return e.runCancel(ctx, s.del, args, s.returning())
		}
		reqs, err := s.plan(ctx, args)
		if err != nil {
			return nil, err
		}
		return e.dispatch(ctx, reqs, s.Await(), s.returning())
	case *iql.Show:
		return e.runShow(ctx, x)
	case *iql.Describe:
		t, err := e.table(x.Table.TableName)
		if err != nil {
			return nil, err
		}
		return e.describe(t, x.Extended)
	case *iql.ShowVar:
		return e.showVar(x.Name), nil
	}
	return &Result{Kind: KindMutation, Message: "OK"}, nil
}

// Plan returns the requests a mutation (INSERT, UPDATE, DELETE) would send
// with args, in order, without sending any: their operation, type,
// region, identifier, desired state or patch document, and request
// parameters. It is what Exec sends, so it fails where Exec would fail
// before sending (an invalid value, a missing region). An INSERT's plan
// reads Cloud Control only when its source SELECT reads resources; an
// UPDATE or DELETE whose WHERE does not bind region and Identifier (or the
// identifier columns) by equality lists the matching resources first,
// as Exec does. Plan of any other statement is an ErrUnsupported error.
func (s *Stmt) Plan(ctx context.Context, args ...any) ([]Request, error) {
	args, err := s.bindArgs(args)
	if err != nil {
		return nil, err
	}
	if s.del != nil && s.del.cancel {
		return s.e.planCancel(s.del, args)
	}
	if s.fn != nil {
		return nil, fmt.Errorf("%w: a statement from NewStmt has no plan", ErrUnsupported)
	}
	return s.plan(ctx, args)
}

func (s *Stmt) plan(ctx context.Context, args []any) ([]Request, error) {
	switch {
	case s.fixed != nil:
		return s.fixed, nil
	case s.ins != nil:
		return s.e.planInsert(ctx, s.ins, args)
	case s.upd != nil:
		return s.e.planUpdate(ctx, s.upd, args)
	case s.del != nil:
		return s.e.planDelete(ctx, s.del, args)
	}
	return nil, fmt.Errorf("%w: %s sends no requests to plan", ErrUnsupported, s.kind)
}

func (s *Stmt) returning() []string {
	switch x := s.st.(type) {
	case *iql.Insert:
		return x.Returning
	case *iql.Update:
		return x.Returning
	case *iql.Delete:
		return x.Returning
	}
	return nil
}

// bindArgs checks the number of arguments and turns each into a value
// SQLite binds.
func (s *Stmt) bindArgs(args []any) ([]any, error) {
	if len(args) != s.nparams {
		return nil, fmt.Errorf("%w: the statement has %d parameter(s), %d argument(s) given", ErrInvalidValue, s.nparams, len(args))
	}
	if len(args) == 0 {
		return nil, nil
	}
	out := make([]any, len(args))
	for i, a := range args {
		v, err := sqlArg(a)
		if f, ok := v.(float64); ok && math.IsNaN(f) && !s.ReadOnly() {
			// SQLite would bind it as NULL, which a mutation sends as "no
			// value": refuse rather than drop it.
			err = errors.New("NaN has no JSON value")
		}
		if err != nil {
			return nil, fmt.Errorf("%w: parameter %d: %v", ErrInvalidValue, i+1, err)
		}
		out[i] = v
	}
	return out, nil
}

// sqlArg converts an argument to a type the SQLite driver binds.
func sqlArg(v any) (any, error) {
	switch x := v.(type) {
	case nil, string, []byte, bool, int64, float64:
		return x, nil
	case json.RawMessage:
		return string(x), nil
	case int:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint:
		if uint64(x) > math.MaxInt64 {
			return nil, fmt.Errorf("%d does not fit a 64-bit integer", x)
		}
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return nil, fmt.Errorf("%d does not fit a 64-bit integer", x)
		}
		return int64(x), nil
	case float32:
		return float64(x), nil
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), nil
	case fmt.Stringer:
		return x.String(), nil
	}
	return nil, fmt.Errorf("no SQL value for %T", v)
}

// argsFor returns the arguments SQLite wants for a piece of the statement:
// as many as its highest parameter number.
func argsFor(piece string, args []any) []any {
	n := iql.MaxParam(piece)
	if n > len(args) {
		n = len(args)
	}
	return args[:n]
}

// boundValues returns the values a WHERE binding holds with args: literals
// as written, parameters as their arguments' text. ok is false when a
// parameter is NULL (no value is equal to it).
func boundValues(b iql.Binding, args []any) (vals []string, ok bool) {
	for _, v := range b.Values {
		if v.Kind != iql.ValueParam {
			vals = append(vals, v.Text)
			continue
		}
		i, isNum := iql.ParamIndex(v.Text)
		if !isNum || i >= len(args) || args[i] == nil {
			return nil, false
		}
		vals = append(vals, stringOf(args[i]))
	}
	return vals, true
}

// selectColumns prepares a SELECT in SQLite under LIMIT 0, which checks its
// tables and columns and names its result columns without opening a
// cursor (so without calling Cloud Control).
func (e *Engine) selectColumns(ctx context.Context, s *iql.Select, nparams int) ([]Column, error) {
	tables := idents(s.Tables)
	q := s.SQL
	if !s.Explain {
		q = "SELECT * FROM (\n" + s.SQL + "\n) LIMIT 0"
	}
	rows, err := e.db.Query(ctx, tables, q, make([]any, nparams)...)
	if err != nil {
		return nil, e.selectError(err, tables)
	}
	return typedResult(rows).Columns, nil
}

func (e *Engine) selectError(err error, tables []string) error {
	err = e.wrapSQL(err)
	if errors.Is(err, ErrUnknownColumn) && len(tables) > 0 {
		err = fmt.Errorf("%w (columns of %s: DESCRIBE %s)", err, strings.Join(tables, ", "), tables[0])
	}
	return err
}

// returningColumns types a RETURNING list: event times are timestamps, the
// resource model is JSON, the rest text. An unknown name is an error.
func returningColumns(names []string) ([]Column, error) {
	if len(names) == 0 {
		return nil, nil
	}
	all := catalog.ProgressEventFields()
	var cols []Column
	for _, r := range names {
		if r == "*" {
			for _, f := range all {
				cols = append(cols, Column{Name: f, Type: eventFieldType(f)})
			}
			continue
		}
		found := ""
		for _, f := range all {
			if strings.EqualFold(f, r) {
				found = f
			}
		}
		if found == "" {
			return nil, fmt.Errorf("%w: RETURNING %s is not a ProgressEvent field (want %s)", ErrUnknownColumn, r, strings.Join(all, ", "))
		}
		cols = append(cols, Column{Name: found, Type: eventFieldType(found)})
	}
	return cols, nil
}

func showColumns(s *iql.Show) []Column {
	switch s.Kind {
	case iql.ShowProviders:
		return []Column{{Name: "name", Type: TypeText}, {Name: "version", Type: TypeText}}
	case iql.ShowServices:
		return []Column{{Name: "id", Type: TypeText}, {Name: "name", Type: TypeText}, {Name: "title", Type: TypeText}}
	case iql.ShowResources:
		return []Column{{Name: "name", Type: TypeText}, {Name: "id", Type: TypeText}}
	case iql.ShowMethods:
		return methodColumns
	}
	return nil
}

var methodColumns = []Column{
	{Name: "MethodName", Type: TypeText}, {Name: "Resource", Type: TypeText},
	{Name: "SQLVerb", Type: TypeText}, {Name: "RequiredParams", Type: TypeText},
}

func describeColumns(extended bool) []Column {
	cols := []Column{{Name: "name", Type: TypeText}, {Name: "type", Type: TypeText}}
	if extended {
		cols = append(cols, Column{Name: "description", Type: TypeText})
	}
	return cols
}

// Split cuts a script into its statements at each ';' outside string
// literals, quoted identifiers and comments, as Exec and the ccql command
// do. Statements with nothing but white space and comments are dropped.
// The only error (ErrSyntax) is a string or quoted identifier left open.
func Split(script string) ([]Statement, error) {
	pieces, err := iql.Split(script)
	if err != nil {
		return nil, &syntaxError{err}
	}
	out := make([]Statement, len(pieces))
	for i, p := range pieces {
		out[i] = Statement{Text: p.Text, Pos: p.Pos, Line: p.Line, Col: p.Col}
	}
	return out, nil
}

// Statement is one statement of a script, as cut by Split.
type Statement struct {
	Text      string // without its ';' and the comments before it
	Pos       int    // byte offset of Text in the script
	Line, Col int    // 1-based line and column (in characters) of Text's start
}
