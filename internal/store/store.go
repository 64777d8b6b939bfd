// Package store keeps the emulator's state: the resource models the
// handlers own, partitioned by account and region, and the request ledger
// of Cloud Control (one row per RequestToken).
//
// A Store is used through closure transactions, as in bbolt: Update runs a
// function in a read-write transaction and commits it durably before it
// returns; View runs one in a read-only snapshot. The SQLite implementation
// (Open) is the only one today; every implementation must pass the
// conformance suite in storetest.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ccql/ccql/internal/handler"
)

// ErrNotFound is returned when no model or request matches. It is the same
// value as handler.ErrNotFound, so a scoped Tx satisfies handler.Tx as is.
var ErrNotFound = handler.ErrNotFound

// ErrClosed is returned by Update and View after Close.
var ErrClosed = errors.New("store closed")

// Store is a transactional store of models and requests.
type Store interface {
	// Update runs fn in a read-write transaction. When fn returns nil the
	// transaction is committed, durably, before Update returns; when fn
	// returns an error (or panics) nothing it wrote is kept. fn must not
	// call Update or View itself.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction over a consistent snapshot.
	View(ctx context.Context, fn func(Tx) error) error
	// Close releases the store; pending Updates finish first.
	Close() error
}

// Partition is one account and region: the unit that models and requests
// are kept apart by.
type Partition struct {
	Account string
	Region  string
}

// Record is one stored model under its identifier.
type Record = handler.Record

// Request statuses, as Cloud Control's OperationStatus.
const (
	StatusPending          = "PENDING"
	StatusInProgress       = "IN_PROGRESS"
	StatusSuccess          = "SUCCESS"
	StatusFailed           = "FAILED"
	StatusCancelInProgress = "CANCEL_IN_PROGRESS"
	StatusCancelComplete   = "CANCEL_COMPLETE"
)

// Terminal reports whether status is final: SUCCESS, FAILED or CANCEL_COMPLETE.
func Terminal(status string) bool {
	switch status {
	case StatusSuccess, StatusFailed, StatusCancelComplete:
		return true
	}
	return false
}

// Request is one row of the request ledger: a Cloud Control resource
// operation request, its current ProgressEvent and the work still to do.
type Request struct {
	Token         string // RequestToken (UUIDv4)
	Partition            // where the request was made
	Operation     string // CREATE, UPDATE or DELETE
	Status        string // one of the Status constants
	TypeName      string
	Identifier    string
	ErrorCode     string // HandlerErrorCode when FAILED
	StatusMessage string
	ResourceModel string          // the ProgressEvent's ResourceModel (JSON text), "" when absent
	ClientToken   string          // "" when the caller sent none
	Fingerprint   string          // digest of the request, to tell a replay from a conflict
	Payload       json.RawMessage // what the worker needs to finish the request
	Created       time.Time
	Updated       time.Time // the ProgressEvent's EventTime
	Due           time.Time // when the worker may finish the request
	Owner         string    // the process that will finish it
}

// RequestFilter selects and pages requests for ListRequests.
type RequestFilter struct {
	Operations []string // empty = all
	Statuses   []string // empty = all
	// After is the cursor of the last request of the previous page
	// (Request.Cursor), "" for the first page. Requests come newest first.
	After string
	Limit int // maximum rows; <= 0 means 100
}

// Tx is one transaction. Methods of a read-only transaction that write
// return an error.
type Tx interface {
	// Model returns the model of typeName stored under identifier, or ErrNotFound.
	Model(p Partition, typeName, identifier string) (json.RawMessage, error)
	// PutModel stores model under identifier, replacing any previous one.
	PutModel(p Partition, typeName, identifier string, model json.RawMessage) error
	// DeleteModel removes a model; a missing one is ErrNotFound.
	DeleteModel(p Partition, typeName, identifier string) error
	// Models returns the models of typeName whose identifier starts with
	// prefix, ordered by identifier.
	Models(p Partition, typeName, prefix string) ([]Record, error)
	// ModelsAfter returns up to limit models of typeName whose identifier
	// starts with prefix and sorts after after, ordered by identifier: one
	// page, read from the primary key index.
	ModelsAfter(p Partition, typeName, prefix, after string, limit int) ([]Record, error)
	// CountModels returns how many models Models would return.
	CountModels(p Partition, typeName, prefix string) (int, error)
	// Partitions returns the partitions that hold a model of typeName,
	// ordered by account and region (for unsigned calls, which name no
	// partition: Cognito's InitiateAuth finds a client by its id alone).
	Partitions(typeName string) ([]Partition, error)

	// PutRequest inserts or replaces the request with r.Token.
	PutRequest(r *Request) error
	// Request returns the request with token in p, or ErrNotFound.
	Request(p Partition, token string) (*Request, error)
	// RequestByClientToken returns the newest request of p made with
	// clientToken at or after since, or ErrNotFound.
	RequestByClientToken(p Partition, clientToken string, since time.Time) (*Request, error)
	// ActiveRequest returns a request on the resource that is not terminal,
	// or ErrNotFound.
	ActiveRequest(p Partition, typeName, identifier string) (*Request, error)
	// Requests returns the requests of p that pass f, newest first.
	Requests(p Partition, f RequestFilter) ([]*Request, error)
	// Unfinished returns up to limit requests of every partition that are
	// not terminal, oldest first.
	Unfinished(limit int) ([]*Request, error)
	// DeleteRequestsBefore removes the requests created before t and
	// returns how many it removed.
	DeleteRequestsBefore(t time.Time) (int, error)
}

// Scope returns tx as a handler.Tx limited to partition p.
func Scope(tx Tx, p Partition) handler.Tx { return scoped{tx: tx, p: p} }

type scoped struct {
	tx Tx
	p  Partition
}

// InRegion returns the view of the same account in another region, for
// the state that spans regions (a Cognito user pool's replicas).
func (s scoped) InRegion(region string) handler.Tx {
	return scoped{tx: s.tx, p: Partition{Account: s.p.Account, Region: region}}
}

func (s scoped) Get(typeName, identifier string) (json.RawMessage, error) {
	return s.tx.Model(s.p, typeName, identifier)
}

func (s scoped) Put(typeName, identifier string, model json.RawMessage) error {
	return s.tx.PutModel(s.p, typeName, identifier, model)
}

func (s scoped) Delete(typeName, identifier string) error {
	return s.tx.DeleteModel(s.p, typeName, identifier)
}

func (s scoped) List(typeName, prefix string) ([]Record, error) {
	return s.tx.Models(s.p, typeName, prefix)
}

func (s scoped) ListAfter(typeName, prefix, after string, limit int) ([]Record, error) {
	return s.tx.ModelsAfter(s.p, typeName, prefix, after, limit)
}

func (s scoped) Count(typeName, prefix string) (int, error) {
	return s.tx.CountModels(s.p, typeName, prefix)
}

var (
	_ handler.Tx      = scoped{}
	_ handler.TxPager = scoped{}
)

// Cursor returns the paging cursor of r for RequestFilter.After.
func (r *Request) Cursor() string {
	return strconv.FormatInt(r.Created.UnixNano(), 10) + "/" + r.Token
}

// parseCursor splits a cursor made by Request.Cursor.
func parseCursor(c string) (ns int64, token string, err error) {
	i := strings.IndexByte(c, '/')
	if i < 0 {
		return 0, "", fmt.Errorf("bad cursor %q", c)
	}
	ns, err = strconv.ParseInt(c[:i], 10, 64)
	if err != nil {
		return 0, "", fmt.Errorf("bad cursor %q: %w", c, err)
	}
	return ns, c[i+1:], nil
}
