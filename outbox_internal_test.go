package ccql

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/internal/provider"
)

// TestHTTPOutbox_errors: the endpoint reader tells a missing pool (no
// rows) from a bad request and from an endpoint that is not ccql's.
// The 200 path is TestE2E_OutboxSQL's.
func TestHTTPOutbox_errors(t *testing.T) {
	srv, err := emulator.NewServer(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	emu := httptest.NewServer(srv.Handler())
	t.Cleanup(emu.Close)
	other := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(other.Close)

	ctx := context.Background()
	o := httpOutbox{endpoint: emu.URL + "/", client: emu.Client()}
	if _, err := o.CognitoMessages(ctx, "us-east-1_nope", "alice"); !errors.Is(err, provider.ErrNoUserPool) {
		t.Errorf("missing pool: err = %v, want ErrNoUserPool", err)
	}
	if _, err := o.CognitoMessages(ctx, "nope", ""); err == nil || errors.Is(err, provider.ErrNoUserPool) || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("bad pool id: err = %v, want the emulator's error naming it", err)
	}
	o = httpOutbox{endpoint: other.URL, client: other.Client()}
	if _, err := o.CognitoMessages(ctx, "us-east-1_abc", ""); !errors.Is(err, errNotEmulator) || !strings.Contains(err.Error(), other.URL) {
		t.Errorf("other endpoint: err = %v, want errNotEmulator naming the endpoint", err)
	}
}
