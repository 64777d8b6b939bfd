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
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"time"

	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
)

// Backend selects what answers Cloud Control calls.
type Backend string

// The backends.
const (
	BackendLocal    Backend = "local"    // the embedded emulator, state in DataDir (the default)
	BackendAWS      Backend = "aws"      // real AWS through the SDK's standard credential chain
	BackendEndpoint Backend = "endpoint" // any Cloud Control endpoint at Config.Endpoint
	BackendClient   Backend = "client"   // Config.CloudControl
)

// CloudControlClient is the eight Cloud Control operations as the SDK's
// *cloudcontrol.Client has them (which satisfies it). Config.CloudControl
// takes one: an SDK client configured as the caller likes, or a test
// double. The region of each call comes in the functional options.
type CloudControlClient interface {
	CreateResource(ctx context.Context, in *cc.CreateResourceInput, optFns ...func(*cc.Options)) (*cc.CreateResourceOutput, error)
	GetResource(ctx context.Context, in *cc.GetResourceInput, optFns ...func(*cc.Options)) (*cc.GetResourceOutput, error)
	UpdateResource(ctx context.Context, in *cc.UpdateResourceInput, optFns ...func(*cc.Options)) (*cc.UpdateResourceOutput, error)
	DeleteResource(ctx context.Context, in *cc.DeleteResourceInput, optFns ...func(*cc.Options)) (*cc.DeleteResourceOutput, error)
	ListResources(ctx context.Context, in *cc.ListResourcesInput, optFns ...func(*cc.Options)) (*cc.ListResourcesOutput, error)
	GetResourceRequestStatus(ctx context.Context, in *cc.GetResourceRequestStatusInput, optFns ...func(*cc.Options)) (*cc.GetResourceRequestStatusOutput, error)
	ListResourceRequests(ctx context.Context, in *cc.ListResourceRequestsInput, optFns ...func(*cc.Options)) (*cc.ListResourceRequestsOutput, error)
	CancelResourceRequest(ctx context.Context, in *cc.CancelResourceRequestInput, optFns ...func(*cc.Options)) (*cc.CancelResourceRequestOutput, error)
}

// Defaults for a zero Config.
const (
	DefaultWaitTimeout   = 2 * time.Minute
	DefaultConcurrency   = 8
	DefaultMaxStatements = 16
)

// Config configures an Engine. The library reads no environment variables:
// the ccql command resolves them (CCQL_DATA_DIR, XDG_DATA_HOME,
// AWS_ENDPOINT_URL_CLOUDCONTROL, AWS_REGION) into these fields.
type Config struct {
	// Backend is "" for BackendClient when CloudControl is set, else
	// BackendEndpoint when Endpoint is set, else BackendLocal.
	Backend  Backend
	Endpoint string // Cloud Control endpoint URL for BackendEndpoint
	// DataDir is the embedded emulator's data dir, required for
	// BackendLocal; ResolveDataDir gives the standard one.
	DataDir string
	// CloudControl answers every Cloud Control call (BackendClient): an SDK
	// client built by the caller, or a test double.
	CloudControl CloudControlClient
	// Region is the region used by the SDK for credentials and endpoint
	// resolution when a statement does not name one; statements still bind
	// `region` themselves.
	Region string
	// Wait makes every mutation await its request (as /*+ AWAIT */ does).
	Wait        bool
	WaitTimeout time.Duration // 0 means DefaultWaitTimeout
	// FailOnFailed has no effect any more: a request known to have ended
	// FAILED or CANCEL_COMPLETE is always an error (see Stmt.Exec). It is
	// kept so that existing configurations compile.
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
