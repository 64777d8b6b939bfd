package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ccql/ccql/internal/catalog"
	"github.com/ccql/ccql/internal/vtable"
)

// OutboxMessage is one message the emulated Cognito would have sent. Its
// JSON is the emulator's (GET /_ccql/cognito/messages answers
// {"Messages": [OutboxMessage…]}).
type OutboxMessage struct {
	UserPoolID        string    `json:"UserPoolId"`
	Username          string    `json:"Username"`
	Sequence          int       `json:"Sequence"`
	Kind              string    `json:"Kind"`
	DeliveryMedium    string    `json:"DeliveryMedium"`
	AttributeName     string    `json:"AttributeName"`
	Destination       string    `json:"Destination"`
	MaskedDestination string    `json:"MaskedDestination"`
	Subject           string    `json:"Subject,omitempty"`
	Message           string    `json:"Message"`
	Code              string    `json:"Code,omitempty"`
	SentAt            time.Time `json:"SentAt"`
}

// Outbox reads the Cognito outbox of the backend: the embedded emulator
// in process, or ccql serve over HTTP.
type Outbox interface {
	// CognitoMessages returns the messages of user pool poolID, oldest
	// first; username, when not empty, keeps one user's (at least those
	// with that user name; the emulator also keeps those sent to that
	// address). A pool that does not exist is an error wrapping
	// ErrNoUserPool.
	CognitoMessages(ctx context.Context, poolID, username string) ([]OutboxMessage, error)
}

// ErrNoUserPool is what an Outbox answers for a user pool that does not
// exist; the table shows it as no rows, as a GetResource of a missing
// resource does.
var ErrNoUserPool = errors.New("user pool does not exist")

// ErrNoOutbox is the error of reading the outbox table on a backend that
// has none (real AWS sends real e-mail and SMS).
var ErrNoOutbox = errors.New("the Cognito outbox exists only in the emulator (backends local and endpoint)")

// SetOutbox gives the provider the outbox that serves
// awscc.cognito_outbox.messages; without one (nil) the table answers an
// error wrapping ErrNoOutbox. Call it before the first Resolve.
func (p *Provider) SetOutbox(o Outbox) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.outbox = o
}

// outboxTable serves awscc.cognito_outbox.messages.
type outboxTable struct {
	outbox Outbox
	ct     *catalog.Table
	cols   []vtable.Column
}

func newOutboxTable(p *Provider, ct *catalog.Table) *outboxTable {
	t := &outboxTable{outbox: p.outbox, ct: ct}
	for _, c := range ct.Columns {
		col := vtable.Column{Name: c.Name, Decl: declType(c.Type)}
		switch {
		case c.Name == "user_pool_id":
			col.Key = vtable.Required
		case c.Key:
			// region is optional: the pool id names its region, and rows
			// carry it so that SQLite checks a bound region itself.
			col.Key = vtable.Optional
		}
		if c.Name == "sent_at" {
			col.Decl = "TIMESTAMP"
		}
		t.cols = append(t.cols, col)
	}
	return t
}

func (t *outboxTable) Columns() []vtable.Column { return t.cols }

func (t *outboxTable) Scan(ctx context.Context, keys map[string]any) ([][]any, error) {
	if t.outbox == nil {
		return nil, fmt.Errorf("%s: %w", t.ct.ID(), ErrNoOutbox)
	}
	poolID, _ := stringKey(keys, "user_pool_id")
	username, _ := stringKey(keys, "username")
	region, _, ok := strings.Cut(poolID, "_")
	if !ok || region == "" {
		return nil, fmt.Errorf("%s: user_pool_id %q is not a user pool id (region_id)", t.ct.ID(), poolID)
	}
	if r, ok := stringKey(keys, catalog.RegionColumn); ok && r != region {
		return nil, nil // the pool lives in another region
	}
	msgs, err := t.outbox.CognitoMessages(ctx, poolID, username)
	if errors.Is(err, ErrNoUserPool) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the outbox of %s: %w", poolID, err)
	}
	rows := make([][]any, 0, len(msgs))
	for _, m := range msgs {
		if username != "" && m.Username != username {
			// The outbox's filter also matches the destination; in SQL,
			// username = … means the user name (destination has its own
			// column), and SQLite would drop such rows anyway.
			continue
		}
		fields := map[string]any{
			"user_pool_id":       m.UserPoolID,
			"username":           m.Username,
			"sequence":           int64(m.Sequence),
			"kind":               nilIfEmpty(m.Kind),
			"delivery_medium":    nilIfEmpty(m.DeliveryMedium),
			"attribute_name":     nilIfEmpty(m.AttributeName),
			"destination":        nilIfEmpty(m.Destination),
			"masked_destination": nilIfEmpty(m.MaskedDestination),
			"subject":            nilIfEmpty(m.Subject),
			"message":            m.Message,
			"code":               nilIfEmpty(m.Code),
			"sent_at":            timeOrNil(&m.SentAt),
			catalog.RegionColumn: region,
		}
		row := make([]any, len(t.cols))
		for i, c := range t.cols {
			row[i] = fields[c.Name]
		}
		rows = append(rows, row)
	}
	return rows, nil
}
