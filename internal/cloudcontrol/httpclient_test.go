package cloudcontrol_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ccql/ccql/internal/cloudcontrol"
)

// recordDoer records the body it is asked to send, read in full.
type recordDoer struct {
	body    string
	getBody string
	length  int64
}

func (d *recordDoer) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		d.body = string(b)
	}
	if r.GetBody != nil {
		rc, _ := r.GetBody()
		b, _ := io.ReadAll(rc)
		d.getBody = string(b)
	}
	d.length = r.ContentLength
	return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
}

// closedAfterRead is a body that fails once closed, as the SDK's is.
type closedAfterRead struct {
	r      io.Reader
	closed bool
}

func (c *closedAfterRead) Read(p []byte) (int, error) {
	if c.closed {
		return 0, io.ErrClosedPipe
	}
	return c.r.Read(p)
}
func (c *closedAfterRead) Close() error { c.closed = true; return nil }

func TestBufferBodies(t *testing.T) {
	next := &recordDoer{}
	src := &closedAfterRead{r: strings.NewReader(`{"TypeName":"AWS::Cognito::UserPool"}`)}
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", src)
	if _, err := cloudcontrol.BufferBodies(next).Do(req); err != nil {
		t.Fatal(err)
	}
	want := `{"TypeName":"AWS::Cognito::UserPool"}`
	if next.body != want || next.getBody != want || next.length != int64(len(want)) {
		t.Errorf("sent body %q, GetBody %q, length %d; want %q", next.body, next.getBody, next.length, want)
	}
	if !src.closed {
		t.Error("the caller's body was not closed")
	}
	empty := &recordDoer{}
	req, _ = http.NewRequest(http.MethodGet, "http://127.0.0.1:4566/", nil)
	if _, err := cloudcontrol.BufferBodies(empty).Do(req); err != nil || empty.body != "" {
		t.Errorf("request without body: %v %q", err, empty.body)
	}
}
