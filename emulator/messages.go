package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/awsjson"
	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/store"
)

// MessagesPath is the route of the Cognito outbox on the emulator's HTTP
// endpoint: GET /_ccql/cognito/messages?userPoolId=…[&username=…] answers
// {"Messages": [...]} (JSON, oldest first; docs/signin.md).
const MessagesPath = "/_ccql/cognito/messages"

// CognitoMessages returns the messages the emulated user pool poolID
// would have sent (sign-up and verification codes, temporary passwords,
// password-reset and one-time codes), oldest first. account "" is the
// default account (000000000000); the region is the pool id's prefix.
// username, when not empty, keeps one user's messages (by user name or
// destination address).
func (s *Server) CognitoMessages(ctx context.Context, account, poolID, username string) ([]CognitoMessage, error) {
	if account == "" {
		account = awsjson.DefaultAccount
	}
	msgs, err := messagesOf(ctx, s.core.st, []string{account}, poolID, username)
	if err != nil {
		return nil, err
	}
	out := make([]CognitoMessage, len(msgs))
	for i, m := range msgs {
		out[i] = CognitoMessage(m)
	}
	return out, nil
}

// CognitoMessage is one message of a user pool's outbox: what Cognito
// would have e-mailed or texted. Its JSON is the outbox route's.
type CognitoMessage struct {
	UserPoolId string `json:"UserPoolId"`
	Username   string `json:"Username"`
	// Sequence orders a pool's messages, from 1.
	Sequence       int    `json:"Sequence"`
	Kind           string `json:"Kind"`
	DeliveryMedium string `json:"DeliveryMedium"` // EMAIL | SMS
	AttributeName  string `json:"AttributeName"`  // email | phone_number
	// Destination is the full address; CodeDeliveryDetails in the API's
	// answers shows MaskedDestination.
	Destination       string `json:"Destination"`
	MaskedDestination string `json:"MaskedDestination"`
	Subject           string `json:"Subject,omitempty"`
	Message           string `json:"Message"`
	// Code is what the template's {####} stood for: a verification code,
	// or the temporary password of an invitation.
	Code   string    `json:"Code,omitempty"`
	SentAt time.Time `json:"SentAt"`
	// Region is the region that sent the message: the pool's, or its
	// replica's when the request reached a replica region
	// (docs/replicas.md).
	Region string `json:"Region,omitempty"`
	// The sender the sending region's configuration names (empty for
	// Cognito's default): an e-mail's From and SES SourceArn, an SMS's
	// SnsCallerArn and SnsRegion.
	From         string `json:"From,omitempty"`
	SourceArn    string `json:"SourceArn,omitempty"`
	SnsCallerArn string `json:"SnsCallerArn,omitempty"`
	SnsRegion    string `json:"SnsRegion,omitempty"`
}

// messagesOf reads a pool's outbox from the first account that has the
// pool.
func messagesOf(ctx context.Context, st store.Store, accounts []string, poolID, username string) ([]cognito.Message, error) {
	var out []cognito.Message
	err := viewPool(ctx, st, accounts, poolID, func(tx handler.Tx) (err error) {
		out, err = cognito.ListMessages(tx, poolID, username)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cognito messages of %s: %w", poolID, err)
	}
	return out, nil
}

// viewPool runs fn in a read transaction scoped to the partition of the
// first of accounts that has the user pool poolID (whose region is the
// id's prefix); ErrUserPoolNotFound when none has it.
func viewPool(ctx context.Context, st store.Store, accounts []string, poolID string, fn func(handler.Tx) error) error {
	region, _, ok := strings.Cut(poolID, "_")
	if !ok || region == "" {
		return fmt.Errorf("invalid user pool id %q", poolID)
	}
	return st.View(ctx, func(tx store.Tx) error {
		for _, a := range accounts {
			scoped := store.Scope(tx, store.Partition{Account: a, Region: region})
			if _, err := scoped.Get("AWS::Cognito::UserPool", poolID); errors.Is(err, handler.ErrNotFound) {
				continue
			} else if err != nil {
				return err
			}
			return fn(scoped)
		}
		return ErrUserPoolNotFound
	})
}

// ErrUserPoolNotFound is the error (wrapped) of CognitoMessages for a user
// pool that does not exist.
var ErrUserPoolNotFound = errors.New("user pool does not exist")

// messagesRoute serves MessagesPath and passes every other request to next.
type messagesRoute struct {
	st       store.Store
	accounts []string
	next     http.Handler
}

// newMessagesRoute wraps next with the outbox route; accounts are searched
// for the pool as the OAuth endpoints search them (unsigned requests name
// no account).
func newMessagesRoute(c *core, credentials map[string]string, next http.Handler) http.Handler {
	accounts := []string{awsjson.DefaultAccount}
	for key := range credentials {
		if a := awsjson.AccountOf(key); !slices.Contains(accounts, a) {
			accounts = append(accounts, a)
		}
	}
	slices.Sort(accounts[1:])
	return &messagesRoute{st: c.st, accounts: accounts, next: next}
}

func (m *messagesRoute) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != MessagesPath {
		m.next.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		w.WriteHeader(http.StatusMethodNotAllowed)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "method not allowed"})
		return
	}
	q := r.URL.Query()
	poolID := q.Get("userPoolId")
	if poolID == "" {
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": "userPoolId is required"})
		return
	}
	msgs, err := messagesOf(r.Context(), m.st, m.accounts, poolID, q.Get("username"))
	switch {
	case errors.Is(err, ErrUserPoolNotFound):
		w.WriteHeader(http.StatusNotFound)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": fmt.Sprintf("User pool %s does not exist.", poolID)})
		return
	case err != nil:
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	if msgs == nil {
		msgs = []cognito.Message{}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"Messages": msgs})
}
