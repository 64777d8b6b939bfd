package emulator

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ccql/ccql/emulator/internal/cognito"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/schema"
	"github.com/ccql/ccql/internal/store"
)

// Retention of the request ledger and of client tokens, as in AWS.
const (
	RequestRetention     = 7 * 24 * time.Hour
	ClientTokenValidity  = 36 * time.Hour
	DefaultListPageSize  = 100 // ListResources without MaxResults
	DefaultRequestsPage  = 20  // ListResourceRequests without MaxResults
	maxPageSize          = 100
	maxDocumentSize      = 262144
	unfinishedSweepBatch = 10000
)

// core is the Cloud Control state machine over a store and a handler registry.
type core struct {
	st      store.Store
	src     *handlerSource
	typesMu sync.Mutex
	types   map[string]*typeInfo // resolved on first use
	now     func() time.Time
	rand    io.Reader
	latency time.Duration
	log     *slog.Logger
	owner   string // this process: "<pid>:<uuid>"
	work    *worker
	// props caches GetResource's encoded properties; describe caches
	// Cognito's Describe responses. Both are dropped by any commit.
	props    *readCache[string]
	describe *readCache[[]byte]
	// signin is the Cognito sign-in operations' state across requests
	// (parsed signing keys, the issuer setting).
	signin *cognito.Runtime
	// anon remembers the partitions of unsigned Cognito calls (signin.go).
	anon anonymousPartitions
}

func newCore(st store.Store, reg *schema.Registry, hs []handler.Handler, opts Options) *core {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c := &core{
		st:       st,
		types:    map[string]*typeInfo{},
		now:      opts.Now,
		rand:     rand.Reader,
		latency:  opts.Latency,
		log:      opts.Logger,
		owner:    fmt.Sprintf("%d:%s", os.Getpid(), uuid.NewString()),
		props:    newReadCache[string](st),
		describe: newReadCache[[]byte](st),
		src:      newHandlerSource(reg, hs),
		signin:   cognito.NewRuntime(opts.OAuth.IssuerURL),
	}
	// Every type, hand-written ones included, is resolved (its schema
	// parsed and compiled) when first used: a process that reads one
	// resource must not pay for compiling the Cognito family at start.
	// TestCore_handWrittenTypesCompile keeps a broken one from shipping.
	c.work = newWorker(c)
	return c
}

func (c *core) env(p store.Partition) handler.Env {
	return handler.Env{Account: p.Account, Region: p.Region, Now: c.now(), Rand: c.rand}
}

// typeInfo returns the type's handler and compiled schema, resolving it
// on first use: a hand-written handler when registered, else the generic
// one (emulator/generic.go).
func (c *core) typeInfo(typeName string) (*typeInfo, error) {
	c.typesMu.Lock()
	defer c.typesMu.Unlock()
	if ti, ok := c.types[typeName]; ok {
		return ti, nil
	}
	res, err := c.src.resource(typeName)
	if errors.Is(err, errNoSuchType) {
		return nil, errTypeNotFound(typeName)
	}
	if err != nil {
		return nil, err
	}
	ti, err := newTypeInfo(res)
	if err != nil {
		return nil, err
	}
	ti.h = c.src.handlerFor(res, ti.model)
	c.types[typeName] = ti
	return ti, nil
}

// typeFor returns the type, checking that it supports action.
func (c *core) typeFor(typeName, handlerName, action string) (*typeInfo, error) {
	ti, err := c.typeInfo(typeName)
	if err != nil {
		return nil, err
	}
	if !ti.res.HasHandler(handlerName) {
		return nil, errUnsupported(typeName, action)
	}
	return ti, nil
}

func fingerprint(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		io.WriteString(h, p)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// canonicalJSON re-encodes a decoded value with sorted keys, so that two
// spellings of one request share a fingerprint.
func canonicalJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// payload is what the worker needs to finish a request.
type payload struct {
	Model map[string]any `json:"model,omitempty"`
}

// mutation is a request being accepted.
type mutation struct {
	p           store.Partition
	ti          *typeInfo
	op          string
	identifier  string
	clientToken string
	fingerprint string
	// prepare runs inside the accepting transaction, after the idempotency
	// and concurrency checks; it returns the payload and the event's
	// ResourceModel ("" for none).
	prepare func(tx store.Tx) (payload, string, error)
}

// accept records a mutation in the ledger and schedules it. A replay of a
// client token returns the original request instead.
func (c *core) accept(ctx context.Context, m mutation) (*store.Request, error) {
	var out *store.Request
	fresh := false
	err := c.st.Update(ctx, func(tx store.Tx) error {
		now := c.now()
		if m.clientToken != "" {
			prev, err := tx.RequestByClientToken(m.p, m.clientToken, now.Add(-ClientTokenValidity))
			switch {
			case err == nil && prev.Fingerprint == m.fingerprint:
				out = prev
				return nil
			case err == nil:
				return errClientTokenConflict(m.clientToken)
			case !errors.Is(err, store.ErrNotFound):
				return err
			}
		}
		if err := m.refuseConcurrent(tx); err != nil {
			return err
		}
		pl, model, err := m.prepare(tx)
		if err != nil {
			return err
		}
		body, err := json.Marshal(pl)
		if err != nil {
			return fmt.Errorf("encode payload: %w", err)
		}
		r := &store.Request{
			Token:         uuid.NewString(),
			Partition:     m.p,
			Operation:     m.op,
			Status:        store.StatusInProgress,
			TypeName:      m.ti.res.TypeName,
			Identifier:    m.identifier,
			ResourceModel: model,
			ClientToken:   m.clientToken,
			Fingerprint:   m.fingerprint,
			Payload:       body,
			Created:       now,
			Updated:       now,
			Due:           now.Add(c.latency),
			Owner:         c.owner,
		}
		if err := tx.PutRequest(r); err != nil {
			return err
		}
		out, fresh = r, true
		return nil
	})
	if err != nil {
		return nil, err
	}
	if fresh {
		c.work.schedule(out.Partition, out.Token, c.latency)
	}
	return out, nil
}

// errHandlerFailed rolls back a handler's writes; the failure is then
// recorded in a transaction of its own.
var errHandlerFailed = errors.New("handler failed")

// complete finishes one request: it runs the handler and records the
// outcome in the same transaction. It is idempotent: a request that is
// already terminal is left alone, so two processes may race for it.
func (c *core) complete(ctx context.Context, p store.Partition, token string) error {
	var herr error
	err := c.st.Update(ctx, func(tx store.Tx) error {
		herr = nil
		r, err := tx.Request(p, token)
		if errors.Is(err, store.ErrNotFound) {
			return nil // expired
		}
		if err != nil {
			return err
		}
		if store.Terminal(r.Status) {
			return nil
		}
		pl := r.Payload
		r.Updated, r.Payload, r.ResourceModel = c.now(), nil, ""
		if r.Status == store.StatusCancelInProgress {
			r.Status = store.StatusCancelComplete
			return tx.PutRequest(r)
		}
		herr = c.runHandler(ctx, tx, r, pl)
		if herr != nil {
			return errHandlerFailed
		}
		r.Status = store.StatusSuccess
		return tx.PutRequest(r)
	})
	if !errors.Is(err, errHandlerFailed) {
		return err
	}
	code, msg := handler.InternalFailure, "Internal Failure"
	var he *handler.Error
	if errors.As(herr, &he) {
		code, msg = he.Code, he.Message
	} else {
		c.log.Error("handler failed", "requestToken", token, "error", herr)
	}
	return c.st.Update(ctx, func(tx store.Tx) error {
		r, err := tx.Request(p, token)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if store.Terminal(r.Status) {
			return nil
		}
		r.Updated, r.Payload, r.ResourceModel = c.now(), nil, ""
		if r.Status == store.StatusCancelInProgress {
			r.Status = store.StatusCancelComplete
		} else {
			r.Status, r.ErrorCode, r.StatusMessage = store.StatusFailed, string(code), msg
		}
		return tx.PutRequest(r)
	})
}

// runHandler applies the request's change through its handler. A panic
// in the handler fails the request instead of the process.
func (c *core) runHandler(ctx context.Context, tx store.Tx, r *store.Request, body json.RawMessage) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("handler panic: %v", v)
		}
	}()
	ti, err := c.typeInfo(r.TypeName)
	if err != nil {
		return handler.Errorf(handler.InternalFailure, "no handler for %s", r.TypeName)
	}
	var pl payload
	if len(body) > 0 {
		if err := json.Unmarshal(body, &pl); err != nil {
			return fmt.Errorf("decode payload: %w", err)
		}
	}
	env := c.env(r.Partition)
	htx := store.Scope(tx, r.Partition)
	switch r.Operation {
	case "CREATE":
		_, err = ti.h.Create(ctx, env, htx, pl.Model)
	case "UPDATE":
		_, err = ti.h.Update(ctx, env, htx, r.Identifier, pl.Model)
	case "DELETE":
		err = ti.h.Delete(ctx, env, htx, r.Identifier)
	default:
		err = fmt.Errorf("unknown operation %s", r.Operation)
	}
	return err
}

// worker finishes accepted requests after the latency, on a bounded
// number of goroutines. Its commits share fsyncs through the store's
// group commit.
type worker struct {
	c       *core
	sem     chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	waiting map[string]*delayed // requests waiting out the latency, by token
	stop    bool
}

type task struct {
	p     store.Partition
	token string
}

type delayed struct {
	task
	timer *time.Timer
}

const workerConcurrency = 64

func newWorker(c *core) *worker {
	return &worker{c: c, sem: make(chan struct{}, workerConcurrency), waiting: map[string]*delayed{}}
}

// schedule finishes the request after delay (at once when delay <= 0 or
// when the server is closing).
func (w *worker) schedule(p store.Partition, token string, delay time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if d, ok := w.waiting[token]; ok {
		if delay > 0 && !w.stop {
			return // already waiting
		}
		d.timer.Stop()
		delete(w.waiting, token)
	}
	t := task{p, token}
	if delay <= 0 || w.stop {
		w.startLocked(t)
		return
	}
	d := &delayed{task: t}
	d.timer = time.AfterFunc(delay, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.waiting[token] != d {
			return // drained or rescheduled
		}
		delete(w.waiting, token)
		w.startLocked(t)
	})
	w.waiting[token] = d
}

func (w *worker) startLocked(t task) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		w.sem <- struct{}{}
		defer func() { <-w.sem }()
		if err := w.c.complete(context.Background(), t.p, t.token); err != nil {
			w.c.log.Error("finish request", "requestToken", t.token, "error", err)
		}
	}()
}

// drain finishes every scheduled request now, without waiting out the
// latency, and waits for them all.
func (w *worker) drain() {
	w.mu.Lock()
	w.stop = true
	for token, d := range w.waiting {
		d.timer.Stop()
		delete(w.waiting, token)
		w.startLocked(d.task)
	}
	w.mu.Unlock()
	w.wg.Wait()
}

// refuseConcurrent fails with ConcurrentOperationException when a request
// on the mutation's resource is still in progress.
func (m mutation) refuseConcurrent(tx store.Tx) error {
	if m.identifier == "" {
		return nil
	}
	active, err := tx.ActiveRequest(m.p, m.ti.res.TypeName, m.identifier)
	if err == nil {
		return errConcurrentOperation(m.ti.res.TypeName, m.identifier, active.Token)
	}
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	return nil
}
