package mcpserver

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// AuditLog records every mutation a client asks for, one JSON object per
// line, each synced to disk before Write returns: a mutation's "started"
// record is durable before its first request is sent. Statements and
// resource models are masked (secret-looking values become "***") before
// they are written. Safe for concurrent use.
type AuditLog struct {
	mu   sync.Mutex
	f    *os.File
	path string
	now  func() time.Time
}

// Audit events.
const (
	AuditRefused  = "refused"  // not run: read-only mode, no way to confirm, a bad confirmation
	AuditDeclined = "declined" // the user declined (or cancelled) the confirmation
	AuditStarted  = "started"  // about to be sent
	AuditFinished = "finished" // sent; Requests say how each ended
	AuditFailed   = "failed"   // sent (or tried) and the statement failed
)

// AuditRecord is one line of the audit log.
type AuditRecord struct {
	Time      time.Time      `json:"time"`
	ID        string         `json:"id"` // links a mutation's records
	Event     string         `json:"event"`
	Tool      string         `json:"tool"`
	Mode      string         `json:"mode"`
	Session   string         `json:"session,omitempty"`
	Client    string         `json:"client,omitempty"`
	Statement string         `json:"statement"`
	Awaited   bool           `json:"awaited,omitempty"`
	Confirmed bool           `json:"confirmed,omitempty"` // the user confirmed it (safe mode)
	Reason    string         `json:"reason,omitempty"`
	Error     string         `json:"error,omitempty"`
	Requests  []AuditRequest `json:"requests,omitempty"`
}

// AuditRequest is one Cloud Control request of a mutation.
type AuditRequest struct {
	Operation    string          `json:"operation,omitempty"`
	TypeName     string          `json:"type_name,omitempty"`
	Identifier   string          `json:"identifier,omitempty"`
	RequestToken string          `json:"request_token,omitempty"`
	Status       string          `json:"status,omitempty"`
	ErrorCode    string          `json:"error_code,omitempty"`
	Message      string          `json:"status_message,omitempty"`
	Model        json.RawMessage `json:"resource_model,omitempty"`
}

// OpenAudit opens (creating, mode 0600) the audit log at path for
// appending.
func OpenAudit(path string) (*AuditLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return &AuditLog{f: f, path: abs, now: time.Now}, nil
}

// Path returns the log's absolute path.
func (a *AuditLog) Path() string { return a.path }

// Write appends r (masked) and syncs the file.
func (a *AuditLog) Write(r AuditRecord) error {
	if r.Time.IsZero() {
		r.Time = a.now().UTC()
	}
	r.Statement = MaskStatement(r.Statement)
	for i := range r.Requests {
		if len(r.Requests[i].Model) > 0 {
			r.Requests[i].Model = maskJSON(r.Requests[i].Model)
		}
	}
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	b = append(b, '\n')
	a.mu.Lock()
	defer a.mu.Unlock()
	if _, err := a.f.Write(b); err != nil {
		return fmt.Errorf("audit log %s: %w", a.path, err)
	}
	if err := a.f.Sync(); err != nil {
		return fmt.Errorf("audit log %s: sync: %w", a.path, err)
	}
	return nil
}

// Close closes the file.
func (a *AuditLog) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.f.Close()
}
