package emulator_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/internal/handler"
)

// brokenReader fails every Read with an internal (non-handler) error.
type brokenReader struct{ memHandler }

func (brokenReader) Read(context.Context, handler.Env, handler.Tx, string) (map[string]any, error) {
	return nil, errors.New("disk on fire")
}

// lockedBuffer is a log sink safe for the server's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestInternalFailure_logged: an internal failure is answered with AWS's
// error shape (HandlerInternalFailureException, "Internal Failure") and
// its cause is logged at error level.
func TestInternalFailure_logged(t *testing.T) {
	var logs lockedBuffer
	s := emulator.NewTestServer(t, emulator.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, brokenReader{})
	req, _ := http.NewRequest(http.MethodPost, s.URL(), strings.NewReader(`{"TypeName":"AWS::Cognito::UserPoolDomain","Identifier":"p|d"}`))
	req.Header.Set("X-Amz-Target", "CloudApiService.GetResource")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	resp, err := s.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 502 || !bytes.Contains(body, []byte(`"__type":"com.amazon.cloudapiservice#HandlerInternalFailureException"`)) ||
		!bytes.Contains(body, []byte("Handler returned status FAILED: Internal Failure (HandlerErrorCode: InternalFailure")) {
		t.Errorf("response %d %s", resp.StatusCode, body)
	}
	if bytes.Contains(body, []byte("disk on fire")) {
		t.Error("the cause leaked to the caller")
	}
	log := logs.String()
	if !strings.Contains(log, "level=ERROR") || !strings.Contains(log, "disk on fire") || !strings.Contains(log, "AWS::Cognito::UserPoolDomain") {
		t.Errorf("cause not logged at error level:\n%s", log)
	}
}
