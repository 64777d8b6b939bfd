// Package iql reads StackQL statements: it splits scripts, lexes and parses
// each statement, and rewrites resource names so SQLite can run the rest.
//
// iql parses only what SQLite cannot. A SELECT is handed to SQLite almost
// untouched: every resource name provider.service.resource in a table
// position becomes one quoted identifier ("awscc.cognito.user_pools"), the
// name of the resource's virtual table, and nothing else changes. The
// StackQL statements (INSERT/UPDATE/DELETE with RETURNING and hints, SHOW,
// DESCRIBE) are parsed into the types of ast.go; the SQL pieces inside
// them (an INSERT's source, SET expressions, WHERE clauses) are again text
// for SQLite, rewritten the same way.
//
// Rewriting splices the original text, so literals, comments and the
// user's formatting reach SQLite byte for byte. There is no pretty-printer.
//
// # Lexing
//
// Lexing follows SQLite's tokenizer:
//
//   - '…' is a string; a doubled quote inside it stands for one, and
//     nothing else is an escape (a backslash is an ordinary character, so
//     JSON survives).
//   - "…", […] and `…` are identifiers (a doubled " or ` inside stands for
//     one).
//   - -- runs to the end of the line; /* */ does not nest, and one left
//     open runs to the end of the input. /*+ … */ is a hint comment.
//   - Numbers: 12, 1.5, .5, 1e-3, 0x1F, 1_000. Blobs: x'0aff'.
//   - Parameters: ?, ?NNN, :name, @name, $name (so $1 too).
//   - Operators: || -> ->> == != <> <= >= << >> and the single characters
//     ( ) , ; . + - * / % & | ~ < > =.
//   - Keywords are case-insensitive; identifiers keep their case.
//
// # Scripts
//
// Split cuts a script at each ';' outside strings, identifiers and
// comments, drops empty statements, keeps a last one without ';', and
// records each statement's offset, line and column so errors can be shown
// as file:line:col (Piece.Parse does the arithmetic). Complete tells a
// shell whether the input so far ends a statement.
//
// # Grammar
//
// Keywords are shown in upper case; [x] is optional, {x} repeats, a|b is a
// choice. A resource is provider.service.resource, each part a bare or
// quoted identifier, or one quoted identifier holding the three dotted
// parts. Each statement may start with hint comments, and more may follow
// its verb.
//
//	statement  = select | insert | update | delete | show | describe
//	           | set | transaction | use
//
//	select     = [EXPLAIN [QUERY PLAN]] [WITH …] (SELECT … | VALUES …)
//	             -- passed to SQLite; only resource names are rewritten
//
//	insert     = INSERT INTO resource "(" column {"," column} ")" source
//	             [RETURNING names]
//	source     = [WITH …] SELECT items [FROM …] [compound …]
//	           | VALUES row {"," row} [compound …]
//	row        = "(" expr {"," expr} ")"
//
//	update     = UPDATE resource SET column "=" expr {"," column "=" expr}
//	             [WHERE expr] [RETURNING names]
//	delete     = DELETE FROM resource [WHERE expr] [RETURNING names]
//	names      = ("*" | column) {"," ("*" | column)}
//
//	show       = SHOW [EXTENDED] PROVIDERS [filter]
//	           | SHOW [EXTENDED] SERVICES [(IN|FROM) provider] [filter]
//	           | SHOW [EXTENDED] RESOURCES (IN|FROM) provider.service [filter]
//	           | SHOW [EXTENDED] METHODS (IN|FROM) resource [filter]
//	           | SHOW name {name}                 -- a setting: SHOW server_version
//	filter     = LIKE 'pattern' | WHERE expr
//	describe   = (DESCRIBE | DESC) [EXTENDED] resource
//
//	set        = SET [SESSION | LOCAL] name ("=" | TO) value {"," value}
//	           | SET TIME ZONE value
//	transaction = BEGIN … | START TRANSACTION … | COMMIT | END | ROLLBACK
//	use        = USE provider
//
// Expressions (expr) follow SQLite's grammar and operator precedence:
// literals, parameters, column names, function calls with FILTER and OVER,
// CAST, CASE, EXISTS, subqueries, IN, LIKE/GLOB/REGEXP/MATCH with ESCAPE,
// BETWEEN, IS [NOT] [DISTINCT FROM], ISNULL/NOTNULL, COLLATE, -> and ->>.
// iql parses them only to find where they end and to report mistakes with a
// position; subqueries, function arguments and window definitions are
// skipped as balanced groups, and SQLite evaluates everything.
//
// # What iql extracts for the engine
//
//   - Resource references (TableRef) with their positions, for SELECT,
//     an INSERT's source, and subqueries in SET and WHERE.
//   - Hints: /*+ create */, /*+ AWAIT */, /*+ statecheck, retries=5 */;
//     items separated by commas or spaces, names lower-cased, key=value
//     options kept.
//   - For INSERT, which columns the first row marks with string(…),
//     StackQL's "keep this value a string" function (the engine registers
//     string() as the identity function in SQLite).
//   - For UPDATE, each assignment's SQL, whether it is NULL or string(…),
//     and the unquoted literal when it is one (the raw JSON of a
//     PatchDocument).
//   - For UPDATE and DELETE, the WHERE's bindings: its top-level AND-ed
//     `column = literal` and `column IN (literals…)` predicates, with
//     strings unquoted, numbers as written and parameters marked, so the
//     engine can call Cloud Control directly when the identifier is bound.
//
// # Where a three-part name is a resource
//
// Only in a table position: right after FROM or JOIN, after a comma in a
// FROM list, or first in a parenthesized join. There SQLite allows at most
// schema.table, so three parts can only be StackQL's. Elsewhere a.b.c is
// SQLite's schema.table.column and stays as written; a four-part column
// p.s.r.col (or p.s.r.*) whose first three parts name a resource of the
// statement becomes "p.s.r".col. Two-part names are never StackQL's.
// A table-valued function in FROM (json_each(x)) stays as written.
//
// # Errors
//
// Every error is a *SyntaxError (errors.Is(err, ErrSyntax)) with the byte
// offset, line, column and the token it is near, e.g.
//
//	syntax error at line 4, column 1 near "RETURNIN": expected RETURNING or end of statement
//
// except ErrEmpty for text with no statement. Statements iql does not
// support (CREATE, DROP, INSERT OR REPLACE, UPDATE … FROM, savepoints)
// are syntax errors that say so.
package iql
