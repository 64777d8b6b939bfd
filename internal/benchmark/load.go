package benchmark

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// op is one call of a load; worker is the caller's index, i counts its
// calls from 0.
type op func(ctx context.Context, worker, i int) error

// samples are the raw measurements of one or more runs of a load.
type samples struct {
	lats     []time.Duration // of the successful measured calls
	errors   int64
	firstErr string
	elapsed  time.Duration // measured time
}

func (s *samples) add(o samples) {
	s.lats = append(s.lats, o.lats...)
	s.errors += o.errors
	if s.firstErr == "" {
		s.firstErr = o.firstErr
	}
	s.elapsed += o.elapsed
}

// load runs op on n workers for warmup plus d and summarises it.
func load(ctx context.Context, name, target string, n int, warmup, d time.Duration, fn op) Result {
	return summarize(name, target, n, measure(ctx, n, warmup, d, fn))
}

// measure runs op on n workers: warmup first (not measured), then d
// measured. Latencies are those of the calls started in the measured
// window; a worker that started none there (a machine so busy that one
// call outlasted the window) makes one more, so every run measures
// something. The measured time runs from the window's start to the end of
// the last measured call.
func measure(ctx context.Context, n int, warmup, d time.Duration, fn op) samples {
	start := time.Now()
	measureFrom := start.Add(warmup)
	end := measureFrom.Add(d)
	lats := make([][]time.Duration, n)
	lastEnd := make([]time.Time, n)
	var errs atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for w := range n {
		wg.Go(func() {
			local := make([]time.Duration, 0, 4096)
			attempts := 0 // calls started in the window, whatever their outcome
			for i := 0; ; i++ {
				if ctx.Err() != nil {
					break
				}
				t0 := time.Now()
				if !t0.Before(end) && attempts > 0 {
					break
				}
				measured := !t0.Before(measureFrom)
				err := fn(ctx, w, i)
				if !measured {
					continue
				}
				attempts++
				if errors.Is(err, errSkip) {
					continue
				}
				if err != nil {
					if ctx.Err() != nil {
						break
					}
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				t1 := time.Now()
				local = append(local, t1.Sub(t0))
				lastEnd[w] = t1
			}
			lats[w] = local
		})
	}
	wg.Wait()
	out := samples{lats: slices.Concat(lats...), errors: errs.Load(), elapsed: d}
	for _, t := range lastEnd {
		if e := t.Sub(measureFrom); e > out.elapsed {
			out.elapsed = e
		}
	}
	if e, ok := firstErr.Load().(string); ok {
		out.firstErr = e
	}
	return out
}

// summarize turns samples into a Result: p50, p99 and calls per second.
func summarize(name, target string, n int, s samples) Result {
	all := slices.Clone(s.lats)
	slices.Sort(all)
	r := Result{Name: name, Target: target, Clients: n, Ops: int64(len(all)), Errors: s.errors, FirstError: s.firstErr, Seconds: s.elapsed.Seconds()}
	if len(all) > 0 && s.elapsed > 0 {
		r.OpsPerSec = float64(len(all)) / s.elapsed.Seconds()
		r.P50Micros = micros(all[len(all)/2])
		r.P99Micros = micros(all[min(len(all)-1, len(all)*99/100)])
	}
	return r
}

func micros(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// jsonTarget posts AWS JSON requests to one endpoint with keep-alive
// connections. Requests are unsigned: the emulator accepts them when it has
// no credentials, and signing would make the client's CPU, not the server,
// the measure on a small machine.
type jsonTarget struct {
	hc          *http.Client
	url         string
	contentType string
	prefix      string // X-Amz-Target prefix, e.g. "CloudApiService"
}

func newJSONTarget(url, contentType, prefix string, conns int) *jsonTarget {
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        conns * 2,
		MaxIdleConnsPerHost: conns * 2,
		MaxConnsPerHost:     0,
		DisableCompression:  true,
		IdleConnTimeout:     time.Minute,
	}
	return &jsonTarget{hc: &http.Client{Transport: tr}, url: url, contentType: contentType, prefix: prefix}
}

func (t *jsonTarget) close() { t.hc.CloseIdleConnections() }

// header returns a request header for operation; each worker keeps its
// own, which the transport only reads.
func (t *jsonTarget) header(operation string) http.Header {
	return http.Header{
		"Content-Type": {t.contentType},
		"X-Amz-Target": {t.prefix + "." + operation},
	}
}

// do posts body and discards the response, which must be 200.
func (t *jsonTarget) do(ctx context.Context, h http.Header, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = h
	resp, err := t.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(b))
	}
	_, err = io.Copy(io.Discard, resp.Body)
	return err
}

// call posts in as JSON and decodes the 200 response into out.
func (t *jsonTarget) call(ctx context.Context, operation string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = t.header(operation)
	resp, err := t.hc.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", operation, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s: %w", operation, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d: %s", operation, resp.StatusCode, bytes.TrimSpace(b))
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s: decode response: %w", operation, err)
	}
	return nil
}
