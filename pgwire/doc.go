// Package pgwire serves the ccql engine over the PostgreSQL wire protocol
// (v3.0 and v3.2), so that psql, drivers (pgx, JDBC, psycopg, node-postgres)
// and BI tools run StackQL statements: SELECT over provider resources,
// INSERT/UPDATE/DELETE … RETURNING, SHOW, DESCRIBE. `ccql srv` is its
// command; other programs embed it with NewServer over any Engine:
//
//	eng, _ := ccql.Open(ctx, ccql.Config{})
//	srv := pgwire.NewServer(eng, pgwire.Config{Users: users})
//	ln, _ := net.Listen("tcp", "127.0.0.1:5466")
//	go srv.Serve(ln)
//	…
//	srv.Shutdown(ctx)
//
// # Protocol
//
// Both the simple query protocol (several statements per Query message,
// run in order, all prepared before any runs, stopping at the first error)
// and the extended protocol (Parse, Bind, Describe, Execute with row limits
// and PortalSuspended, Close, Sync, Flush) are served. The server parses no
// SQL: the engine prepares each statement (ccql.Split, Engine.Prepare) and
// runs it with the parameters $1, $2, … as arguments (Stmt.Exec) in every
// kind of statement, so `INSERT … VALUES ($1, $2)` and `UPDATE … WHERE
// Identifier = $1` work from a driver, and NaN or Infinity stay values.
// Parameter types are those the client gives in Parse, else text.
//
// Describe never runs anything that changes state. Describe of a portal
// (parameters bound) of a statement that only reads (SELECT, SHOW,
// DESCRIBE) runs it then and keeps its rows open for the portal's Execute,
// so RowDescription carries the types of the values (fitted to the first
// ccql.TypeAheadRows rows); a portal closed (or dropped at Sync) without
// Execute frees them. A SELECT's rows stream: DataRows are sent (and
// flushed every 256) as the engine reads them from Cloud Control's pages,
// and a portal with a row limit keeps its rows open between Executes, so a
// large result is never held whole. A value that a later row has and the
// column's type cannot carry is an error then (22P02), after the rows sent. Describe of a statement
// (before Bind) prepares a SELECT under LIMIT 0 (SQLite then opens no
// cursor); when that leaves an expression column untyped it runs the
// SELECT once with its parameters NULL (a read; a NULL key reads nothing)
// and types the column from those rows, then discards them, so a driver
// that describes only the statement (pgx's default mode) gets int8 for
// count(*). RETURNING lists are typed from the ProgressEvent fields, SHOW
// and DESCRIBE read the catalog. An Execute sends its rows in the types
// the last Describe promised.
//
// Result columns carry PostgreSQL types: text, int8, float8, bool, jsonb
// (arrays and objects), timestamptz (event times); NULL is NULL. Columns
// computed by expressions (count(*), 1 + 1, a || b) have no declared type
// in SQLite: they take the type of their values (int8, float8, text) when
// these agree and are text otherwise, or when a statement Describe saw no
// value (a non-aggregate over no rows, or NULL parameters); a value that
// then does not fit the promised type fails with 22P02. Both text and
// binary result formats are served.
//
// BEGIN, COMMIT, ROLLBACK and SET are accepted for clients that send them,
// but each statement applies at once: Cloud Control has no transactions.
// Connection chatter is answered here: SELECT version(), current_setting(…),
// current_user, current_database(), pg_backend_pid(), SHOW server_version
// and the other settings drivers ask about. Queries of pg_catalog and
// information_schema (psql's \d) fail with 42P01 and a hint to use SHOW
// and DESCRIBE.
//
// # Errors
//
// Engine errors become SQLSTATEs in one place (errors.go): 42601 syntax,
// 42P01 unknown resource, 42703 unknown column, 42P02 a required key
// (region, Identifier) not bound, 25006 a mutation on a read-only server,
// 57014 cancelled, 28P01 wrong password, 53300 too many connections,
// XX000 internal; Cloud Control errors keep their AWS code in the message,
// with ValidationException 22023, ResourceNotFoundException 42704,
// AlreadyExistsException 42710, throttling 53400 and the rest 58000. A
// connection stays usable after an error. A value that does not fit its
// column is 22P02, a read-only column 42501; a request that ended FAILED
// carries its AWS error code in the message. A CancelRequest cancels the
// running statement's context, and so does the client's closing its
// connection (pgx does on a context deadline), at once: the socket is read
// while statements run. statement_timeout (SET, the startup parameter or
// options='-c statement_timeout=…', default Config.StatementTimeout, `ccql
// srv --statement-timeout`) cancels a statement with 57014; a session idle
// for Config.IdleTimeout (`--idle-timeout`) is closed with FATAL 57P05. Each
// connection is its own session; a slow statement on one never blocks
// another.
//
// # Authentication
//
// Passwords use SCRAM-SHA-256. Config.Users holds verifiers, one per line
// of a users file:
//
//	# name:SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
//	alice:SCRAM-SHA-256$4096:…$…:…
//
// which is the form PostgreSQL keeps in pg_authid.rolpassword (so verifiers
// can be copied from a PostgreSQL server). `ccql srv passwd alice` reads a
// password and prints the line; `--users-file F` writes it there. The
// server never sees or stores the password. Unknown users go through the
// same exchange as known ones and fail the same way.
//
// Mutual TLS: with a client CA (LoadTLSConfig's clientCAFile, `ccql srv
// --tls-client-ca`), every client must connect over TLS with a certificate
// that CA signed. Passwords and client certificates can be combined. All
// users have the same rights; --read-only is server-wide.
//
// A server with neither refuses to serve a non-loopback address
// (ErrNoAuthentication).
//
// # TLS
//
// With Config.TLS (LoadTLSConfig(cert, key, clientCA)), TLS is offered to
// clients that send SSLRequest (sslmode=require, verify-ca, verify-full)
// and to PostgreSQL 17 clients that start TLS directly
// (sslnegotiation=direct). Without a client CA TLS stays optional unless
// Config.TLSRequired (`ccql srv --tls-required`) is set: a client that does
// not use TLS is then refused with SQLSTATE 28000 ("this server requires
// TLS") right after its startup message, before authentication. SetUsers
// and SetTLSConfig swap the configuration for new connections; `ccql srv`
// reloads both on SIGHUP.
//
// # Connecting
//
// psql:
//
//	PGPASSWORD=… psql "host=db.example.com port=5466 user=alice dbname=ccql sslmode=verify-full sslrootcert=ca.pem"
//	psql "host=127.0.0.1 port=5466 user=me sslmode=disable"       # loopback, no auth
//	psql "host=db.example.com port=5466 user=alice sslmode=verify-full sslrootcert=ca.pem sslcert=alice.pem sslkey=alice-key.pem"
//
// pgx (Go):
//
//	conn, err := pgx.Connect(ctx, "postgres://alice:PASSWORD@db.example.com:5466/ccql?sslmode=verify-full&sslrootcert=ca.pem")
//	rows, err := conn.Query(ctx, `SELECT client_name FROM awscc.cognito.user_pool_clients WHERE region = $1 AND Identifier = $2`, "us-east-1", id)
//
// JDBC:
//
//	jdbc:postgresql://db.example.com:5466/ccql?user=alice&password=…&sslmode=verify-full&sslrootcert=/path/ca.pem
//
// (add preferQueryMode=simple for tools that send several statements in one
// call). The database name is not used; any name is accepted.
//
// # Shutdown
//
// Shutdown stops accepting, ends idle sessions at once and busy ones when
// their statement's results have been sent (FATAL 57P01), and cancels what
// still runs when its context ends.
package pgwire
