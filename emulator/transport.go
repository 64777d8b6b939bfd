package emulator

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
)

// inProcessTransport hands requests straight to the server's handler: no
// socket, no listener, the same code path as HTTP.
type inProcessTransport struct{ h http.Handler }

func (t inProcessTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := r.Context().Err(); err != nil {
		return nil, err
	}
	sr := r.Clone(r.Context())
	if sr.Body == nil {
		sr.Body = http.NoBody
	}
	if sr.Host == "" {
		sr.Host = r.URL.Host
	}
	sr.RequestURI = r.URL.RequestURI()
	sr.RemoteAddr = "in-process"
	if sr.ContentLength > 0 && sr.Header.Get("Content-Length") == "" {
		sr.Header.Set("Content-Length", strconv.FormatInt(sr.ContentLength, 10))
	}
	w := &recorder{header: http.Header{}}
	t.h.ServeHTTP(w, sr)
	if r.Body != nil {
		r.Body.Close()
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return &http.Response{
		Status:        strconv.Itoa(w.status) + " " + http.StatusText(w.status),
		StatusCode:    w.status,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        w.header,
		Body:          io.NopCloser(bytes.NewReader(w.body.Bytes())),
		ContentLength: int64(w.body.Len()),
		Request:       r,
	}, nil
}

// recorder is a minimal http.ResponseWriter that buffers the response.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (w *recorder) Header() http.Header { return w.header }

func (w *recorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.body.Write(b)
}
