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
// The SDK (smithy-go) closes a request's body as soon as Do returns, which
// is when the response headers arrive. net/http's connection writer may
// not have finished with the body by then: after writing Content-Length
// bytes it copies the rest to check that nothing is left, and the SDK's
// closed body answers that copy's WriteTo with io.EOF, which io.Copy
// passes up as a write error. The transport then closes the connection
// under the response, whose body read fails with "use of closed network
// connection". Seen against fast local servers (ccql serve), most often
// under the race detector and a loaded CPU; the SDK's default retryer
// hides it, a client with retries off does not. Cloud Control and
// Cognito bodies are small (at most 256 KiB), so buffering costs little.
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
