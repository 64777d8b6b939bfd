package iql

import "strings"

// Statement is a parsed statement: one of *Select, *Insert, *Update,
// *Delete, *Show, *ShowVar, *Describe, *Set, *Begin, *Commit, *Rollback,
// *RegistryList or *Use. Callers switch on the concrete type.
type Statement interface {
	// Info returns what every statement has: its text and its hints.
	Info() *Base
}

// Base is embedded in every statement.
type Base struct {
	// Text is the text given to Parse.
	Text string
	// Hints are the items of the /*+ … */ comments that lead the statement
	// or directly follow its verb (`INSERT /*+ AWAIT */ INTO …`). Hint
	// comments elsewhere are ordinary comments.
	Hints Hints
	// HintText is the inside of each of those comments, as written.
	HintText []string
}

// Info returns b; it makes every statement a Statement.
func (b *Base) Info() *Base { return b }

// TableName is a StackQL resource name, provider.service.resource, with each
// part unquoted and in the case it was written.
type TableName struct {
	Provider, Service, Resource string
}

// String returns the dotted name, e.g. awscc.cognito.user_pool_clients.
func (n TableName) String() string {
	return n.Provider + "." + n.Service + "." + n.Resource
}

// Ident returns the name as one SQLite quoted identifier,
// "awscc.cognito.user_pool_clients": the name the engine registers the
// resource's virtual table under, and what iql rewrites references to.
func (n TableName) Ident() string {
	return quoteIdent(n.String())
}

// TableRef is one reference to a resource in a statement.
type TableRef struct {
	TableName
	Pos int // byte offset of the reference in the statement text
}

// Names returns the distinct names among refs (compared case-insensitively,
// as SQLite compares table names), in order of first reference.
func Names(refs []TableRef) []TableName {
	var out []TableName
next:
	for _, r := range refs {
		for _, n := range out {
			if strings.EqualFold(n.String(), r.String()) {
				continue next
			}
		}
		out = append(out, r.TableName)
	}
	return out
}

// Select is a query SQLite runs: SELECT, WITH … SELECT, VALUES, optionally
// under EXPLAIN [QUERY PLAN].
type Select struct {
	Base
	// SQL is the statement for SQLite: the text from its first to its last
	// token, with every resource name replaced by its quoted identifier
	// (TableName.Ident). Nothing else changes: literals, comments and
	// formatting are kept byte for byte.
	SQL string
	// Tables are the resources the statement reads, in order of appearance.
	Tables  []TableRef
	Explain bool // the statement is EXPLAIN [QUERY PLAN] …
	// Bindings are the top-level equality and IN predicates on unqualified
	// columns of the WHERE of a plain SELECT (no WITH, no compound, no
	// EXPLAIN), as in Where.Bindings; nil otherwise. The engine uses them
	// to fetch the IN values of key columns in parallel before SQLite,
	// which visits them one at a time.
	Bindings []Binding
}

// Insert is INSERT INTO resource (columns) source [RETURNING …]. Each row of
// the source becomes one CreateResource request.
type Insert struct {
	Base
	Table TableRef
	// Columns are the column names as written (unquoted, case kept).
	Columns []string
	// Source is SQL for SQLite that yields the rows: a SELECT (possibly
	// compound, possibly WITH …, possibly reading other resources) or a
	// VALUES list, rewritten like Select.SQL.
	Source string
	// Values is true when Source is a VALUES list.
	Values bool
	// StringColumns[i] is true when the value for Columns[i] in the first
	// SELECT's projection (or the first VALUES row) is a call string(…),
	// StackQL's marker for "send as a string even if it looks like JSON".
	// It has len(Columns) entries.
	StringColumns []bool
	// Tables are the resources Source reads.
	Tables []TableRef
	// Returning lists the RETURNING names as written ("*" for all); nil
	// without RETURNING.
	Returning []string
}

// Assignment is one `column = expr` of an UPDATE.
type Assignment struct {
	Column string // as written, unquoted
	// Expr is the right-hand side as SQL for SQLite (rewritten like
	// Select.SQL).
	Expr string
	// IsString is true when Expr is a call string(…).
	IsString bool
	// IsNull is true when Expr is the keyword NULL (a JSON Patch "remove").
	IsNull bool
	// Literal is the unquoted value when Expr is a string literal or
	// string() of one, e.g. the raw JSON of
	// `PatchDocument = string('[{"op": …}]')`; nil otherwise.
	Literal *string
	Pos     int // byte offset of Column in the statement text
}

// ValueKind tells what a bound value is.
type ValueKind uint8

// The kinds of bound values.
const (
	ValueString ValueKind = iota + 1 // a string literal; Text is unquoted
	ValueNumber                      // a numeric literal; Text as written, with its sign
	ValueParam                       // a parameter (?, ?2, $1, :name, @name); Text as written
)

// String returns "string", "number" or "param".
func (k ValueKind) String() string {
	switch k {
	case ValueString:
		return "string"
	case ValueNumber:
		return "number"
	case ValueParam:
		return "param"
	}
	return "?"
}

// MarshalText renders the kind as its name (in JSON dumps and golden files).
func (k ValueKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Value is one value a WHERE binds a column to.
type Value struct {
	Kind ValueKind
	Text string
}

// Binding is one top-level predicate `column = value` or
// `column IN (value, …)` of a WHERE whose top-level operator is AND (or
// which is a single predicate). `value = column` counts too, as do
// conjuncts inside parentheses that are themselves AND-ed. Predicates under
// OR or NOT, and those with anything but plain literals and parameters, are
// not bindings: they stay in the WHERE's SQL only.
type Binding struct {
	Column string // as written, unquoted
	Values []Value
	Pos    int // byte offset of Column in the statement text
}

// Where is the WHERE clause of an UPDATE or DELETE.
type Where struct {
	// SQL is the expression (without the WHERE keyword) for SQLite,
	// rewritten like Select.SQL; "" when there is no WHERE.
	SQL string
	// Bindings are the top-level equality and IN predicates, in order.
	Bindings []Binding
}

// Lookup returns the first binding of column (compared case-insensitively).
func (w Where) Lookup(column string) (Binding, bool) {
	for _, b := range w.Bindings {
		if strings.EqualFold(b.Column, column) {
			return b, true
		}
	}
	return Binding{}, false
}

// Literals returns the values column is bound to when they are all literals
// (strings unquoted, numbers as written) and ok=false when column is not
// bound, is bound more than once, or is bound to a parameter.
func (w Where) Literals(column string) (values []string, ok bool) {
	found := false
	for _, b := range w.Bindings {
		if !strings.EqualFold(b.Column, column) {
			continue
		}
		if found {
			return nil, false
		}
		found = true
		for _, v := range b.Values {
			if v.Kind == ValueParam {
				return nil, false
			}
			values = append(values, v.Text)
		}
	}
	return values, found
}

// Update is UPDATE resource SET … [WHERE …] [RETURNING …].
type Update struct {
	Base
	Table     TableRef
	Set       []Assignment
	Where     Where
	Returning []string // as in Insert.Returning
	// Tables are the resources read by subqueries in SET and WHERE.
	Tables []TableRef
}

// Delete is DELETE FROM resource [WHERE …] [RETURNING …].
type Delete struct {
	Base
	Table     TableRef
	Where     Where
	Returning []string // as in Insert.Returning
	Tables    []TableRef
}

// ShowKind is what a SHOW lists.
type ShowKind uint8

// The SHOW statements.
const (
	ShowProviders ShowKind = iota + 1 // SHOW PROVIDERS
	ShowServices                      // SHOW SERVICES [IN provider]
	ShowResources                     // SHOW RESOURCES IN provider.service
	ShowMethods                       // SHOW METHODS IN provider.service.resource
	ShowInsert                        // SHOW INSERT [/*+ REQUIRED */] INTO provider.service.resource
)

// String returns the SHOW keyword, e.g. "SERVICES".
func (k ShowKind) String() string {
	switch k {
	case ShowProviders:
		return "PROVIDERS"
	case ShowServices:
		return "SERVICES"
	case ShowResources:
		return "RESOURCES"
	case ShowMethods:
		return "METHODS"
	case ShowInsert:
		return "INSERT"
	}
	return "?"
}

// MarshalText renders the kind as its keyword.
func (k ShowKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Show is SHOW [EXTENDED] PROVIDERS|SERVICES|RESOURCES|METHODS [IN name]
// [LIKE 'pattern' | WHERE expr].
type Show struct {
	Base
	Kind     ShowKind
	Extended bool
	// Provider, Service and Resource are the parts of the IN name that the
	// kind takes; the others are "".
	Provider, Service, Resource string
	// Required is SHOW INSERT's /*+ REQUIRED */: only the required columns.
	Required bool
	Like     *string // the unquoted LIKE pattern, nil without LIKE
	Where    string  // the WHERE expression as SQL for SQLite, "" without
	Tables   []TableRef
}

// ShowVar is SHOW name, a run-time setting PostgreSQL clients ask for
// (SHOW server_version, SHOW TRANSACTION ISOLATION LEVEL, SHOW ALL).
type ShowVar struct {
	Base
	Name string // lower-cased, words joined by one space
}

// Describe is DESCRIBE [EXTENDED] resource (also DESC).
type Describe struct {
	Base
	Extended bool
	Table    TableRef
}

// Set is SET [SESSION|LOCAL] name {=|TO} value, as PostgreSQL clients send
// on connect. iql only splits it; the engine decides what each name means.
type Set struct {
	Base
	Local bool   // SET LOCAL
	Name  string // lower-cased; dotted names kept; SET TIME ZONE gives "timezone"
	// Value is the value as written; Values its comma-separated items,
	// with string literals and quoted identifiers unquoted.
	Value  string
	Values []string
}

// Begin is BEGIN [TRANSACTION] or START TRANSACTION (and PostgreSQL's
// options after them, which are ignored).
type Begin struct{ Base }

// Commit is COMMIT or END [TRANSACTION].
type Commit struct{ Base }

// Rollback is ROLLBACK [TRANSACTION].
type Rollback struct{ Base }

// RegistryList is REGISTRY LIST [provider]: the providers ccql has and
// their versions.
type RegistryList struct {
	Base
	Provider string // "" for every provider
}

// Use is USE name (StackQL's default provider).
type Use struct {
	Base
	Name string
}

func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
