// Package benchmark measures the emulator as `ccql bench` reports it:
// GetResource in process and over HTTP on loopback (against a bare
// net/http JSON handler measured in the same run, the loopback limit),
// durable CreateResource throughput, and, when a cognito-local endpoint is
// given, DescribeUserPoolClient and CreateUserPoolClient against both
// cognito-local and the emulator.
//
// Every load runs N concurrent clients for a fixed duration after a short
// warm-up; latencies are wall-clock per call (p50, p99) and throughput is
// calls completed per second of the measured window. HTTP loads use one
// lean client for every target (net/http, keep-alive, pre-built unsigned
// bodies), so ratios compare servers, not clients.
package benchmark

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cc "github.com/aws/aws-sdk-go-v2/service/cloudcontrol"
	"github.com/aws/aws-sdk-go-v2/service/cloudcontrol/types"

	"github.com/ccql/ccql/emulator"
	"github.com/ccql/ccql/internal/awsjson"
	"github.com/ccql/ccql/internal/cloudcontrol"
)

// Defaults of Config.
const (
	DefaultClients  = 8
	DefaultDuration = 5 * time.Second
)

// The aims of GitHub issue 2 on a 2-core machine.
const (
	AimInProcessP50Micros = 20.0
	AimHTTPGetsPerSec     = 10000.0
	AimHTTPToBare         = 0.5
	AimDurableCreates     = 1000.0
)

// Config configures Run. Zero values mean defaults.
type Config struct {
	Clients  int           // concurrent clients (DefaultClients)
	Duration time.Duration // measured time of each load (DefaultDuration)
	// Warmup runs before each read load, unmeasured; 0 means a tenth of
	// Duration (at most a second).
	Warmup time.Duration
	// DataDir holds the emulator's state (durable: fsynced commits); ""
	// uses a new temporary directory, removed at the end.
	DataDir string
	// CognitoLocalURL is the endpoint of a running cognito-local; "" skips
	// the comparison.
	CognitoLocalURL string
	// Progress, when set, is told the name of each load as it starts.
	Progress func(name string)
}

// Result is one load's measurement.
type Result struct {
	Name       string  `json:"name"`   // the operation, e.g. "GetResource"
	Target     string  `json:"target"` // what served it, e.g. "ccql over HTTP"
	Clients    int     `json:"clients"`
	Ops        int64   `json:"ops"`
	Errors     int64   `json:"errors"`
	FirstError string  `json:"firstError,omitempty"`
	Seconds    float64 `json:"seconds"`
	OpsPerSec  float64 `json:"opsPerSec"`
	P50Micros  float64 `json:"p50Micros"`
	P99Micros  float64 `json:"p99Micros"`
	// CompletedPerSec is, for mutations, requests finished (SUCCESS) per
	// second from the first call until the last one finished.
	CompletedPerSec float64 `json:"completedPerSec,omitempty"`
}

// Check is one comparison of the report, with its aim when it has one.
type Check struct {
	Name  string  `json:"name"`
	Value float64 `json:"value"`
	Unit  string  `json:"unit"`
	Aim   string  `json:"aim,omitempty"`
	Met   *bool   `json:"met,omitempty"`
}

// Report is everything one Run measured.
type Report struct {
	Clients    int       `json:"clients"`
	Duration   string    `json:"duration"`
	GOMAXPROCS int       `json:"gomaxprocs"`
	Results    []Result  `json:"results"`
	Checks     []Check   `json:"checks"`
	Started    time.Time `json:"started"`
}

// Result returns the result of name on target, or nil.
func (r *Report) Result(name, target string) *Result {
	for i := range r.Results {
		if r.Results[i].Name == name && r.Results[i].Target == target {
			return &r.Results[i]
		}
	}
	return nil
}

// Targets of the report's results.
const (
	TargetInProcess    = "ccql in process"
	TargetInProcess1   = "ccql in process, 1 client"
	TargetHTTP         = "ccql over HTTP"
	TargetBare         = "bare net/http JSON handler"
	TargetCognitoLocal = "cognito-local over HTTP"
)

const (
	poolType   = "AWS::Cognito::UserPool"
	clientType = "AWS::Cognito::UserPoolClient"
)

func (c Config) withDefaults() Config {
	if c.Clients <= 0 {
		c.Clients = DefaultClients
	}
	if c.Duration <= 0 {
		c.Duration = DefaultDuration
	}
	if c.Warmup <= 0 {
		c.Warmup = min(c.Duration/10, time.Second)
	}
	if c.Progress == nil {
		c.Progress = func(string) {}
	}
	return c
}

// Run measures everything cfg asks for. A load's failed calls are counted
// in its Result; Run fails only when it cannot set a load up.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg = cfg.withDefaults()
	rep := &Report{Clients: cfg.Clients, Duration: cfg.Duration.String(), GOMAXPROCS: runtime.GOMAXPROCS(0), Started: time.Now().UTC()}
	dir := cfg.DataDir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "ccql-bench-")
		if err != nil {
			return nil, fmt.Errorf("bench: %w", err)
		}
		defer os.RemoveAll(tmp)
		dir = tmp
	}
	srv, err := emulator.NewServer(emulator.Options{DataDir: dir, Addr: "127.0.0.1:0"})
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer srv.Close()
	api := srv.CloudControl("")

	id, props, err := setupClient(ctx, api)
	if err != nil {
		return nil, fmt.Errorf("bench: set up: %w", err)
	}

	// GetResource in process: one client for latency, then N.
	get := &cc.GetResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(id)}
	inProc := func(ctx context.Context, _, _ int) error {
		_, err := api.GetResource(ctx, get)
		return err
	}
	cfg.Progress("GetResource in process")
	rep.add(load(ctx, "GetResource", TargetInProcess1, 1, cfg.Warmup, cfg.Duration, inProc))
	rep.add(load(ctx, "GetResource", TargetInProcess, cfg.Clients, cfg.Warmup, cfg.Duration, inProc))

	// GetResource over HTTP and the same load on a bare handler, in
	// alternating rounds: on a shared machine, a burst of someone else's
	// work then weighs on both sides of the ratio alike.
	getBody := []byte(fmt.Sprintf(`{"TypeName":%q,"Identifier":%q}`, clientType, id))
	bare, err := startBare(props)
	if err != nil {
		return nil, fmt.Errorf("bench: bare handler: %w", err)
	}
	cfg.Progress("GetResource over HTTP and on a bare net/http handler")
	for _, r := range alternate(ctx, cfg, "GetResource",
		httpSide{TargetHTTP, srv.URL(), "CloudApiService", awsjson.ContentType10, func(int) []byte { return getBody }},
		httpSide{TargetBare, bare.url, "CloudApiService", awsjson.ContentType10, func(int) []byte { return getBody }},
	) {
		rep.add(r)
	}
	bare.close()

	cfg.Progress("durable CreateResource")
	created, err := durableCreates(ctx, cfg, api)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	rep.add(created)

	cfg.Progress("sign-ins over HTTP")
	signIns, err := signInLoads(ctx, cfg, srv.URL(), cfg.CognitoLocalURL)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	for _, r := range signIns {
		rep.add(r)
	}

	if cfg.CognitoLocalURL != "" {
		cfg.Progress("Cognito IdP: ccql and cognito-local")
		for _, t := range []struct{ target, url string }{{TargetHTTP, srv.URL()}, {TargetCognitoLocal, cfg.CognitoLocalURL}} {
			rs, err := cognitoLoads(ctx, cfg, t.target, t.url)
			if err != nil {
				return nil, fmt.Errorf("bench: %s: %w", t.target, err)
			}
			for _, r := range rs {
				rep.add(r)
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	rep.check()
	return rep, nil
}

func (r *Report) add(res Result) { r.Results = append(r.Results, res) }

// check derives the comparisons and aims from the results.
func (r *Report) check() {
	met := func(ok bool) *bool { return &ok }
	if in := r.Result("GetResource", TargetInProcess1); in != nil {
		r.Checks = append(r.Checks, Check{Name: "in-process GetResource p50", Value: in.P50Micros, Unit: "µs",
			Aim: fmt.Sprintf("≤ %.0f µs", AimInProcessP50Micros), Met: met(in.P50Micros <= AimInProcessP50Micros && in.Ops > 0)})
	}
	h, b := r.Result("GetResource", TargetHTTP), r.Result("GetResource", TargetBare)
	if h != nil {
		r.Checks = append(r.Checks, Check{Name: "HTTP GetResource throughput", Value: h.OpsPerSec, Unit: "ops/s",
			Aim: fmt.Sprintf("≥ %.0f/s", AimHTTPGetsPerSec), Met: met(h.OpsPerSec >= AimHTTPGetsPerSec)})
	}
	if h != nil && b != nil && b.OpsPerSec > 0 {
		v := h.OpsPerSec / b.OpsPerSec
		r.Checks = append(r.Checks, Check{Name: "HTTP GetResource / bare net/http", Value: v, Unit: "×",
			Aim: fmt.Sprintf("≥ %.1f", AimHTTPToBare), Met: met(v >= AimHTTPToBare)})
	}
	if c := r.Result("CreateResource", TargetInProcess); c != nil {
		r.Checks = append(r.Checks, Check{Name: "durable CreateResource acknowledged", Value: c.OpsPerSec, Unit: "ops/s",
			Aim: fmt.Sprintf("≥ %.0f/s", AimDurableCreates), Met: met(c.OpsPerSec >= AimDurableCreates)})
	}
	if ours, theirs := r.Result(LoadPasswordSignIn, TargetHTTP), r.Result(LoadPasswordSignIn, TargetCognitoLocal); ours != nil && theirs != nil && theirs.OpsPerSec > 0 {
		v := ours.OpsPerSec / theirs.OpsPerSec
		r.Checks = append(r.Checks, Check{Name: LoadPasswordSignIn + " ccql / cognito-local throughput", Value: v, Unit: "×",
			Aim: fmt.Sprintf("≥ %.0f", AimSignInRatio), Met: met(v >= AimSignInRatio && ours.Errors == 0)})
	}
	for _, name := range []string{"DescribeUserPoolClient", "CreateUserPoolClient"} {
		ours, theirs := r.Result(name, TargetHTTP), r.Result(name, TargetCognitoLocal)
		if ours == nil || theirs == nil || theirs.OpsPerSec == 0 {
			continue
		}
		r.Checks = append(r.Checks, Check{Name: name + " ccql / cognito-local throughput", Value: ours.OpsPerSec / theirs.OpsPerSec, Unit: "×"})
		if ours.P50Micros > 0 {
			r.Checks = append(r.Checks, Check{Name: name + " cognito-local / ccql p50 latency", Value: theirs.P50Micros / ours.P50Micros, Unit: "×"})
		}
	}
}

// setupClient creates a pool and a client with a secret and returns the
// client's identifier and properties once the creates have finished.
func setupClient(ctx context.Context, api *emulator.CloudControl) (id, props string, err error) {
	out, err := api.CreateResource(ctx, &cc.CreateResourceInput{TypeName: aws.String(poolType), DesiredState: aws.String(`{"UserPoolName":"bench"}`)})
	if err != nil {
		return "", "", err
	}
	if err := awaitRequest(ctx, api, out.ProgressEvent); err != nil {
		return "", "", err
	}
	pool := aws.ToString(out.ProgressEvent.Identifier)
	out, err = api.CreateResource(ctx, &cc.CreateResourceInput{TypeName: aws.String(clientType), DesiredState: aws.String(fmt.Sprintf(
		`{"UserPoolId":%q,"ClientName":"bench","GenerateSecret":true,"ExplicitAuthFlows":["ALLOW_USER_SRP_AUTH","ALLOW_REFRESH_TOKEN_AUTH"],"CallbackURLs":["https://example.com/callback"],"AllowedOAuthFlows":["code"],"AllowedOAuthScopes":["openid","email"],"AllowedOAuthFlowsUserPoolClient":true,"SupportedIdentityProviders":["COGNITO"]}`,
		pool))})
	if err != nil {
		return "", "", err
	}
	if err := awaitRequest(ctx, api, out.ProgressEvent); err != nil {
		return "", "", err
	}
	id = aws.ToString(out.ProgressEvent.Identifier)
	got, err := api.GetResource(ctx, &cc.GetResourceInput{TypeName: aws.String(clientType), Identifier: aws.String(id)})
	if err != nil {
		return "", "", err
	}
	return id, aws.ToString(got.ResourceDescription.Properties), nil
}

// awaitRequest polls a request until it is terminal; anything but
// SUCCESS is an error.
func awaitRequest(ctx context.Context, api *emulator.CloudControl, ev *types.ProgressEvent) error {
	final, err := cloudcontrol.Wait(ctx, api, aws.ToString(ev.RequestToken), "",
		cloudcontrol.WaitOptions{Timeout: time.Hour, MinDelay: 2 * time.Millisecond, MaxDelay: 2 * time.Millisecond})
	if err != nil {
		return err
	}
	if s := final.OperationStatus; s != types.OperationStatusSuccess {
		return fmt.Errorf("%s %s: %s %s", ev.Operation, aws.ToString(ev.TypeName), s, aws.ToString(final.StatusMessage))
	}
	return nil
}

// httpSide is one server of an HTTP load.
type httpSide struct {
	target, url, prefix, contentType string
	body                             func(worker int) []byte
}

// op returns the load's call on side: worker w posts its pre-built
// body with its own header.
func (h httpSide) op(t *jsonTarget, operation string, clients int) op {
	headers := make([]http.Header, clients)
	bodies := make([][]byte, clients)
	for w := range clients {
		headers[w], bodies[w] = t.header(operation), h.body(w)
	}
	return func(ctx context.Context, w, _ int) error { return t.do(ctx, headers[w], bodies[w]) }
}

// httpLoad runs N clients posting side's bodies.
func httpLoad(ctx context.Context, cfg Config, operation string, side httpSide) Result {
	t := newJSONTarget(side.url, side.contentType, side.prefix, cfg.Clients)
	defer t.close()
	return load(ctx, operation, side.target, cfg.Clients, cfg.Warmup, cfg.Duration, side.op(t, operation, cfg.Clients))
}

// alternateRounds is how many slices each side of an alternated
// comparison gets.
const alternateRounds = 5

// alternate measures the same operation on several servers in turns,
// Duration in all for each, and returns one result per server.
func alternate(ctx context.Context, cfg Config, operation string, sides ...httpSide) []Result {
	targets := make([]*jsonTarget, len(sides))
	ops := make([]op, len(sides))
	acc := make([]samples, len(sides))
	for i, s := range sides {
		targets[i] = newJSONTarget(s.url, s.contentType, s.prefix, cfg.Clients)
		defer targets[i].close()
		ops[i] = s.op(targets[i], operation, cfg.Clients)
	}
	slice := max(cfg.Duration/alternateRounds, time.Millisecond)
	for round := range alternateRounds {
		for i := range sides {
			warmup := time.Duration(0)
			if round == 0 {
				warmup = cfg.Warmup // opens the connections
			}
			acc[i].add(measure(ctx, cfg.Clients, warmup, slice, ops[i]))
		}
	}
	out := make([]Result, len(sides))
	for i, s := range sides {
		out[i] = summarize(operation, s.target, cfg.Clients, acc[i])
	}
	return out
}

// durableCreates creates user pools in process with N clients on the
// durable store: every acknowledgement follows an fsynced commit. It then
// waits for the worker to finish them all.
func durableCreates(ctx context.Context, cfg Config, api *emulator.CloudControl) (Result, error) {
	start := time.Now()
	res := load(ctx, "CreateResource", TargetInProcess, cfg.Clients, 0, cfg.Duration, func(ctx context.Context, w, i int) error {
		out, err := api.CreateResource(ctx, &cc.CreateResourceInput{TypeName: aws.String(poolType),
			DesiredState: aws.String(fmt.Sprintf(`{"UserPoolName":"bench-%d-%d"}`, w, i))})
		if err != nil {
			return err
		}
		if s := out.ProgressEvent.OperationStatus; s != types.OperationStatusInProgress {
			return fmt.Errorf("create acknowledged as %s", s)
		}
		return nil
	})
	// Wait until nothing is in flight, then check that nothing failed.
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		out, err := api.ListResourceRequests(ctx, &cc.ListResourceRequestsInput{MaxResults: aws.Int32(1),
			ResourceRequestStatusFilter: &types.ResourceRequestStatusFilter{OperationStatuses: []types.OperationStatus{types.OperationStatusInProgress, types.OperationStatusPending}}})
		if err != nil {
			return res, fmt.Errorf("durable creates: %w", err)
		}
		if len(out.ResourceRequestStatusSummaries) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return res, ctx.Err()
		case <-tick.C:
		}
	}
	if done := time.Since(start); res.Ops > 0 {
		res.CompletedPerSec = float64(res.Ops) / done.Seconds()
	}
	failed, err := api.ListResourceRequests(ctx, &cc.ListResourceRequestsInput{MaxResults: aws.Int32(1),
		ResourceRequestStatusFilter: &types.ResourceRequestStatusFilter{OperationStatuses: []types.OperationStatus{types.OperationStatusFailed}}})
	if err != nil {
		return res, fmt.Errorf("durable creates: %w", err)
	}
	if len(failed.ResourceRequestStatusSummaries) > 0 {
		ev := failed.ResourceRequestStatusSummaries[0]
		res.Errors++
		if res.FirstError == "" {
			res.FirstError = "a create FAILED: " + aws.ToString(ev.StatusMessage)
		}
	}
	return res, nil
}

// bareServer is the baseline: a net/http handler that decodes a JSON
// request and encodes a JSON response of the same size as GetResource's,
// with nothing else.
type bareServer struct {
	url string
	hs  *http.Server
}

func startBare(props string) (*bareServer, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	type desc struct{ Identifier, Properties string }
	type out struct {
		TypeName            string
		ResourceDescription desc
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in struct{ TypeName, Identifier string }
		if err := decodeJSON(r, &in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		writeJSON(w, out{TypeName: in.TypeName, ResourceDescription: desc{Identifier: in.Identifier, Properties: props}})
	})
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(l) //nolint:errcheck // ends with ErrServerClosed on close
	return &bareServer{url: "http://" + l.Addr().String(), hs: hs}, nil
}

func (b *bareServer) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := b.hs.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		b.hs.Close()
	}
}
