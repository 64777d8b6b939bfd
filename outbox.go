package ccql

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/internal/provider"
)

// httpOutbox reads the Cognito outbox of ccql serve (or any emulator
// endpoint) over HTTP: GET <endpoint>/_ccql/cognito/messages.
type httpOutbox struct {
	endpoint string
	client   *http.Client
}

// CognitoMessages implements provider.Outbox.
func (o httpOutbox) CognitoMessages(ctx context.Context, poolID, username string) ([]provider.OutboxMessage, error) {
	q := url.Values{"userPoolId": {poolID}}
	if username != "" {
		q.Set("username", username)
	}
	u := strings.TrimRight(o.endpoint, "/") + emulator.MessagesPath + "?" + q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("outbox request to %s: %w", o.endpoint, err)
	}
	resp, err := o.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read the Cognito outbox at %s: %w", o.endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("read the Cognito outbox at %s: %w", o.endpoint, err)
	}
	var out struct {
		Messages *[]provider.OutboxMessage `json:"Messages"`
		Error    string                    `json:"error"`
	}
	jsonErr := json.Unmarshal(body, &out)
	switch {
	case resp.StatusCode == http.StatusOK && jsonErr == nil && out.Messages != nil:
		return *out.Messages, nil
	case resp.StatusCode == http.StatusNotFound && jsonErr == nil && strings.Contains(out.Error, "does not exist"):
		// The route answers 404 with a JSON error for a missing pool; any
		// other 404 is an endpoint without the route.
		return nil, fmt.Errorf("%s: %w", poolID, provider.ErrNoUserPool)
	case jsonErr == nil && out.Error != "":
		return nil, fmt.Errorf("the Cognito outbox at %s answered %s: %s", o.endpoint, resp.Status, out.Error)
	}
	return nil, fmt.Errorf("%s answered %s to GET %s: %w", o.endpoint, resp.Status, emulator.MessagesPath, errNotEmulator)
}

// errNotEmulator is the error of an endpoint without the outbox route.
var errNotEmulator = errors.New("not a ccql emulator endpoint (the Cognito outbox is served by ccql serve)")
