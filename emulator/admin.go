package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/ccql/ccql/internal/awsjson"
	"github.com/ccql/ccql/internal/store"
)

// AdminPrefix is the path prefix of ccql's own HTTP endpoints on the
// emulator's port (no AWS API or Cognito path starts with it).
const AdminPrefix = "/_ccql/"

// SaveState writes a consistent snapshot of the whole state (every
// resource, request, key and user of every account and region) to path,
// while the server keeps serving.
func (s *Server) SaveState(ctx context.Context, path string) error {
	if err := s.st.Snapshot(ctx, path); err != nil {
		return fmt.Errorf("emulator: save state: %w", err)
	}
	return nil
}

// LoadState replaces the whole state with a snapshot's, in one
// transaction, while the server keeps serving; requests the snapshot left
// unfinished are finished as after a restart.
func (s *Server) LoadState(ctx context.Context, path string) error {
	if err := s.st.Restore(ctx, path); err != nil {
		return fmt.Errorf("emulator: load state: %w", err)
	}
	if err := s.core.sweep(ctx); err != nil {
		s.core.log.Warn("recover unfinished requests after a load", "error", err)
	}
	if err := s.core.backfillCognitoIndexes(ctx); err != nil {
		s.core.log.Warn("build indexes after a load", "error", err)
	}
	return nil
}

// adminHandler serves AdminPrefix:
//
//	GET  /_ccql/health      readiness: 200 {"status":"ok"} once the store answers, else 503
//	POST /_ccql/state/save  the response body is a snapshot (a SQLite file)
//	POST /_ccql/state/load  the request body is a snapshot; it replaces the state
//
// The state endpoints need a SigV4 signature by one of the server's
// credentials when it has any (any service name); health needs none.
type adminHandler struct {
	s      *Server
	verify *awsjson.Verifier
}

func (a *adminHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case AdminPrefix + "health":
		a.health(w, r)
	case AdminPrefix + "state/save":
		a.state(w, r, a.save)
	case AdminPrefix + "state/load":
		a.state(w, r, a.load)
	default:
		writeAdmin(w, http.StatusNotFound, map[string]string{"error": "no such endpoint: " + r.URL.Path})
	}
}

func writeAdmin(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b) //nolint:errcheck // the client went away
}

func (a *adminHandler) health(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		writeAdmin(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET"})
		return
	}
	err := a.s.st.View(r.Context(), func(tx store.Tx) error {
		_, err := tx.CountModels(store.Partition{Account: awsjson.DefaultAccount, Region: awsjson.DefaultRegion}, "ccql::Health", "")
		return err
	})
	if err != nil {
		a.s.core.log.Error("health check failed", "error", err)
		writeAdmin(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "error": err.Error()})
		return
	}
	writeAdmin(w, http.StatusOK, map[string]string{"status": "ok"})
}

// state checks the method and the signature, then runs op with the body
// saved to a temporary file (load) or none (save).
func (a *adminHandler) state(w http.ResponseWriter, r *http.Request, op func(http.ResponseWriter, *http.Request, string) error) {
	if r.Method != http.MethodPost {
		writeAdmin(w, http.StatusMethodNotAllowed, map[string]string{"error": "use POST"})
		return
	}
	tmpDir, err := os.MkdirTemp("", "ccql-state-")
	if err != nil {
		a.fail(w, err)
		return
	}
	defer os.RemoveAll(tmpDir)
	body := filepath.Join(tmpDir, "body.db")
	f, err := os.Create(body)
	if err != nil {
		a.fail(w, err)
		return
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(f, h), r.Body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		writeAdmin(w, http.StatusBadRequest, map[string]string{"error": "cannot read the request body: " + err.Error()})
		return
	}
	if _, aerr := a.verify.VerifyHash(r, hex.EncodeToString(h.Sum(nil))); aerr != nil {
		writeAdmin(w, aerr.Status, map[string]string{"__type": aerr.Type, "message": aerr.Message})
		return
	}
	if err := op(w, r, body); err != nil {
		a.fail(w, err)
	}
}

func (a *adminHandler) fail(w http.ResponseWriter, err error) {
	a.s.core.log.Error("state endpoint failed", "error", err)
	status := http.StatusInternalServerError
	if strings.Contains(err.Error(), store.ErrNotSnapshot.Error()) || store.IsDamaged(err) {
		status = http.StatusBadRequest
	}
	writeAdmin(w, status, map[string]string{"error": err.Error()})
}

func (a *adminHandler) save(w http.ResponseWriter, r *http.Request, scratch string) error {
	snap := scratch + ".snapshot"
	if err := a.s.SaveState(r.Context(), snap); err != nil {
		return err
	}
	f, err := os.Open(snap)
	if err != nil {
		return fmt.Errorf("save state: %w", err)
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/vnd.sqlite3")
	w.WriteHeader(http.StatusOK)
	_, err = io.Copy(w, f)
	if err != nil {
		a.s.core.log.Warn("state save: the client went away", "error", err)
	}
	return nil
}

func (a *adminHandler) load(w http.ResponseWriter, r *http.Request, body string) error {
	if err := a.s.LoadState(r.Context(), body); err != nil {
		return err
	}
	writeAdmin(w, http.StatusOK, map[string]string{"status": "loaded"})
	return nil
}
