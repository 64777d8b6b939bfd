// Package ccql is SQL for AWS Cloud Control: the engine behind the ccql
// command, its PostgreSQL server and its deploy tool.
//
// An Engine parses StackQL statements, hands SELECTs to an embedded SQLite
// whose virtual tables call Cloud Control, and sends INSERT, UPDATE and
// DELETE to Cloud Control directly. Cloud Control is the embedded emulator
// (the default), real AWS, or any endpoint; see Config.
//
//	eng, err := ccql.Open(ctx, ccql.Config{DataDir: dir})
//	if err != nil { … }
//	defer eng.Close()
//	res, err := eng.Query(ctx, `SELECT user_pool_id FROM awscc.cognito.user_pools_list_only WHERE region = 'us-east-1'`)
package ccql

import (
	"encoding/json"
	"io"
	"log/slog"
	"time"
)

// Backend selects what answers Cloud Control calls.
type Backend string

// The backends.
const (
	BackendLocal    Backend = "local"    // the embedded emulator, state in DataDir (the default)
	BackendAWS      Backend = "aws"      // real AWS through the SDK's standard credential chain
	BackendEndpoint Backend = "endpoint" // any Cloud Control endpoint at Config.Endpoint
)

// Defaults for a zero Config.
const (
	DefaultWaitTimeout   = 2 * time.Minute
	DefaultConcurrency   = 8
	DefaultMaxStatements = 16
)

// Config configures an Engine. The zero value is the embedded emulator with
// its state in the XDG data dir.
type Config struct {
	Backend  Backend // "" means BackendLocal, or BackendEndpoint when Endpoint is set
	Endpoint string  // Cloud Control endpoint URL for BackendEndpoint
	DataDir  string  // the emulator's data dir; "" means $CCQL_DATA_DIR, else the XDG data dir
	// Region is the region used by the SDK for credentials and endpoint
	// resolution when a statement does not name one; statements still bind
	// `region` themselves.
	Region string
	// DefaultRegion is the region of every statement that does not bind
	// region itself (ccql's --region); "" keeps region required.
	DefaultRegion string
	// Wait makes every mutation await its request (as /*+ AWAIT */ does).
	Wait        bool
	WaitTimeout time.Duration // 0 means DefaultWaitTimeout
	// FailOnFailed turns an awaited FAILED request into an error.
	FailOnFailed bool
	Concurrency  int // parallel Cloud Control calls per statement; 0 means DefaultConcurrency
	// MaxStatements bounds the statements that run at once (each on its own
	// SQLite session); more wait for one to finish. 0 means
	// DefaultMaxStatements. A server sets it to its connection limit.
	MaxStatements int
	Latency       time.Duration // the embedded emulator's simulated completion delay
	Progress      io.Writer     // where an awaiting spinner is drawn (a terminal's stderr), nil for none
	Logger        *slog.Logger  // nil means discard
}

// Type is the type of a result column.
type Type int

// Column types. Values in Result.Rows have the Go type noted.
const (
	TypeText  Type = iota // string
	TypeInt               // int64
	TypeFloat             // float64
	TypeBool              // bool
	TypeJSON              // json.RawMessage (arrays and objects)
	TypeTime              // time.Time
	TypeAny               // any of the above, decided per value (SQLite expressions)
)

// Column is one result column.
type Column struct {
	Name string
	Type Type
}

// Kind tells what a statement was.
type Kind int

// Statement kinds.
const (
	KindQuery    Kind = iota // SELECT, SHOW, DESCRIBE, or a mutation with RETURNING: Rows are the result
	KindMutation             // INSERT, UPDATE, DELETE without RETURNING
)

// Result is the outcome of one statement. A nil value in Rows is SQL NULL.
type Result struct {
	Columns      []Column
	Rows         [][]any
	Kind         Kind
	RowsAffected int64  // requests sent by a mutation
	Message      string // a human note for mutations without RETURNING
}

// JSON is the type of JSON values in Result.Rows.
type JSON = json.RawMessage
