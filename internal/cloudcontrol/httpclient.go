package cloudcontrol

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
)

// Doer is the HTTP client the AWS SDK takes (aws.HTTPClient).
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// BufferBodies returns a client that reads each request body into memory
// before handing the request to next.
//
// The SDK closes a request's body as soon as Do returns, which is when the
// response headers arrive; if net/http's connection writer has not yet
// finished with that body, the write fails and the transport closes the
// connection under the response, whose body read then fails with "use of
// closed network connection". Seen against fast local servers (ccql serve),
// most often under the race detector. Cloud Control and Cognito bodies are
// small (at most 256 KiB), so buffering costs little.
func BufferBodies(next Doer) Doer { return bufferBodies{next} }

type bufferBodies struct{ next Doer }

func (b bufferBodies) Do(r *http.Request) (*http.Response, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return b.next.Do(r)
	}
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	r2 := r.Clone(r.Context())
	r2.Body = io.NopCloser(bytes.NewReader(body))
	r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	r2.ContentLength = int64(len(body))
	return b.next.Do(r2)
}
