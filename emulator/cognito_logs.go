package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/awsjson"
	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/store"
)

// LogsPath is the route of the Cognito log delivery on the emulator's
// HTTP endpoint: GET /_ccql/cognito/logs?userPoolId=…[&eventSource=…]
// answers the log records a pool's log delivery configuration asked for
// (userAuthEvents), as JSON lines (application/x-ndjson), oldest first
// (docs/signin.md). limit=N answers at most N records and after=S only
// those whose sequence is above S: the next page is after= the last
// record's sequence, and each page reads about its own records.
const LogsPath = "/_ccql/cognito/logs"

// logsRoute serves LogsPath and passes every other request to next.
type logsRoute struct {
	st       store.Store
	accounts []string
	next     http.Handler
}

// newLogsRoute wraps next with the log route; accounts are searched for
// the pool as the outbox route searches them.
func newLogsRoute(c *core, credentials map[string]string, next http.Handler) http.Handler {
	accounts := []string{awsjson.DefaultAccount}
	for key := range credentials {
		if a := awsjson.AccountOf(key); !slices.Contains(accounts, a) {
			accounts = append(accounts, a)
		}
	}
	slices.Sort(accounts[1:])
	return &logsRoute{st: c.st, accounts: accounts, next: next}
}

// logRecordsOf reads a pool's delivered log records from the first
// account that has the pool.
func logRecordsOf(ctx context.Context, st store.Store, accounts []string, poolID, source string, after, limit int) ([]cognito.LogRecord, error) {
	var out []cognito.LogRecord
	err := viewPool(ctx, st, accounts, poolID, func(tx handler.Tx) (err error) {
		out, err = cognito.ListLogRecordsPage(tx, poolID, source, after, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cognito logs of %s: %w", poolID, err)
	}
	return out, nil
}

func (l *logsRoute) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != LogsPath {
		l.next.ServeHTTP(w, r)
		return
	}
	fail := func(status int, msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		fail(http.StatusMethodNotAllowed, "method not allowed")
		return
	}
	q := r.URL.Query()
	poolID := q.Get("userPoolId")
	if poolID == "" {
		fail(http.StatusBadRequest, "userPoolId is required")
		return
	}
	after, limit := 0, -1
	if v := q.Get("after"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			fail(http.StatusBadRequest, "after must be a record's sequence (an integer of 0 or more)")
			return
		}
		after = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fail(http.StatusBadRequest, "limit must be an integer of 1 or more")
			return
		}
		limit = n
	}
	recs, err := logRecordsOf(r.Context(), l.st, l.accounts, poolID, q.Get("eventSource"), after, limit)
	switch {
	case errors.Is(err, ErrUserPoolNotFound):
		fail(http.StatusNotFound, fmt.Sprintf("User pool %s does not exist.", poolID))
		return
	case err != nil:
		fail(http.StatusBadRequest, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	for _, rec := range recs {
		if err := enc.Encode(rec); err != nil {
			return
		}
	}
}
