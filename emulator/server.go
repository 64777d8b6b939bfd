package emulator

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ccql/ccql/emulator/internal/cognito"
	"github.com/ccql/ccql/internal/awsjson"
	"github.com/ccql/ccql/internal/handler"
	"github.com/ccql/ccql/internal/schema"
	"github.com/ccql/ccql/internal/store"
)

// Options configure a Server. The zero value is an in-memory emulator
// with no listener.
type Options struct {
	// DataDir is the directory of the state file (ccql.db); "" keeps the
	// state in a temporary file that Close removes.
	DataDir string
	// Addr is the TCP address to listen on, e.g. "127.0.0.1:4566"; "" means
	// no listener (use HTTPClient or CloudControl in process).
	Addr string
	// Latency is how long a mutation stays IN_PROGRESS before the worker
	// finishes it.
	Latency time.Duration
	// Credentials maps access key ids to secret keys. When set, HTTP
	// requests must carry a valid SigV4 signature by one of them; nil
	// accepts any signature (and unsigned requests).
	Credentials map[string]string
	// MaxClockSkew is how far a signature's time may be from Now, either
	// way (0 means AWS's 15 minutes; negative turns the check off, for
	// replays of recorded traffic).
	MaxClockSkew time.Duration
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
	// Now is the emulator's clock; nil is time.Now.
	Now func() time.Time
	// OAuth configures the Cognito OAuth/OIDC endpoints (docs/oauth.md),
	// served to requests without X-Amz-Target.
	OAuth OAuthOptions
}

// DefaultAddr is the address ccql serve listens on by default.
const DefaultAddr = "127.0.0.1:4566"

// inProcessURL is the base URL of a server without a listener; only
// HTTPClient's transport can reach it (.invalid never resolves).
const inProcessURL = "http://emulator.ccql.invalid"

// Server is an emulator of AWS Cloud Control and Cognito user pools.
type Server struct {
	core    *core
	st      *store.SQLite
	handler http.Handler
	api     *awsjson.Server // the AWS APIs (handler adds the admin endpoints)
	url     string
	hs      *http.Server
	serveWG sync.WaitGroup
	stop    chan struct{}
	bgWG    sync.WaitGroup
	closeMu sync.Mutex
	closed  bool
}

// NewServer opens the state in opts.DataDir, finishes the requests a
// previous process left unfinished, and starts listening on opts.Addr if
// it is set.
func NewServer(opts Options) (*Server, error) {
	reg := schema.NewFullRegistry()
	return newServer(opts, reg, cognito.Handlers(reg), cognito.Operations())
}

func newServer(opts Options, reg *schema.Registry, hs []handler.Handler, idp map[string]cognito.Operation) (*Server, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	path := ""
	if opts.DataDir != "" {
		path = filepath.Join(opts.DataDir, store.FileName)
	}
	st, err := store.Open(context.Background(), path)
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	c := newCore(st, reg, hs, opts)
	s := &Server{core: c, st: st, url: inProcessURL, stop: make(chan struct{})}
	services := []*awsjson.Service{c.cloudControlService()}
	if len(idp) > 0 {
		services = append(services, c.cognitoService(idp))
	}
	verifier := &awsjson.Verifier{Credentials: opts.Credentials, MaxSkew: opts.MaxClockSkew, Now: opts.Now}
	api := &awsjson.Server{
		Services: services,
		Verifier: verifier,
		Logger:   opts.Logger,
		// Cognito's plain-HTTP endpoints (/oauth2/token on the domain's
		// Host, /<poolId>/.well-known/…) and the outbox (MessagesPath):
		// unsigned, no X-Amz-Target.
		Fallback: newLogsRoute(c, opts.Credentials, newMessagesRoute(c, opts.Credentials, newOAuthHandler(c, opts.OAuth, opts.Credentials))),
	}
	s.api = api
	admin := &adminHandler{s: s, verify: verifier}
	s.handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The outbox (MessagesPath) shares the prefix but is the Cognito
		// fallback's: unsigned, like the OAuth endpoints.
		if strings.HasPrefix(r.URL.Path, AdminPrefix) && r.URL.Path != MessagesPath && r.URL.Path != LogsPath && r.Header.Get("X-Amz-Target") == "" {
			admin.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
	ctx := context.Background()
	if err := c.expire(ctx); err != nil {
		opts.Logger.Warn("expire old requests", "error", err)
	}
	if err := c.sweep(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("emulator: recover unfinished requests: %w", err)
	}
	if err := c.backfillCognitoIndexes(ctx); err != nil {
		// Lookups stay right without the index (they scan): not fatal.
		opts.Logger.Warn("build indexes", "error", err)
	}
	s.bgWG.Go(s.background)
	if opts.Addr != "" {
		l, err := net.Listen("tcp", opts.Addr)
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("emulator: %w", err)
		}
		s.Serve(l)
	}
	return s, nil
}

// background adopts orphaned requests (another process died with them)
// and expires the ledger while the server runs.
func (s *Server) background() {
	sweep := time.NewTicker(30 * time.Second)
	expire := time.NewTicker(time.Hour)
	defer sweep.Stop()
	defer expire.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-sweep.C:
			if err := s.core.sweep(context.Background()); err != nil {
				s.core.log.Warn("recover unfinished requests", "error", err)
			}
		case <-expire.C:
			if err := s.core.expire(context.Background()); err != nil {
				s.core.log.Warn("expire old requests", "error", err)
			}
		}
	}
}

// Serve answers HTTP on l until Close. NewServer calls it when
// Options.Addr is set; call it yourself to serve on a listener of your
// own. URL then reports l's address.
func (s *Server) Serve(l net.Listener) {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	s.hs = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		// A client that stops sending mid-body, or keeps an idle connection
		// forever, must not hold a connection and its goroutine for good.
		ReadTimeout: 30 * time.Second,
		IdleTimeout: 2 * time.Minute,
		ErrorLog:    slog.NewLogLogger(s.core.log.Handler(), slog.LevelWarn),
	}
	s.url = "http://" + l.Addr().String()
	hs := s.hs
	s.serveWG.Go(func() {
		if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.core.log.Error("serve", "error", err)
		}
	})
}

// URL is the server's base URL: http://host:port when it listens, else a
// name only HTTPClient can reach. Use it as the SDK's BaseEndpoint.
func (s *Server) URL() string {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	return s.url
}

// Handler returns the server's http.Handler (Cloud Control JSON 1.0 and
// Cognito IdP JSON 1.1 on one endpoint), to mount in a server of your own.
func (s *Server) Handler() http.Handler { return s.handler }

// HTTPClient returns a client whose transport calls the server in
// process, without a listener. Give it to the AWS SDK together with
// BaseEndpoint = URL().
func (s *Server) HTTPClient() *http.Client {
	return &http.Client{Transport: inProcessTransport{s.handler}}
}

// Close stops the listener (letting in-flight requests finish), finishes
// every accepted request now, without waiting out the latency, and closes
// the state file. A temporary state is removed.
func (s *Server) Close() error {
	s.closeMu.Lock()
	if s.closed {
		s.closeMu.Unlock()
		return nil
	}
	s.closed = true
	hs := s.hs
	s.closeMu.Unlock()
	var errs []error
	if hs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		errs = append(errs, hs.Shutdown(ctx))
		cancel()
		s.serveWG.Wait()
	}
	close(s.stop)
	s.bgWG.Wait()
	s.core.work.drain()
	errs = append(errs, s.st.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("emulator: close: %w", err)
	}
	return nil
}

// expire removes requests older than RequestRetention.
func (c *core) expire(ctx context.Context) error {
	return c.st.Update(ctx, func(tx store.Tx) error {
		_, err := tx.DeleteRequestsBefore(c.now().Add(-RequestRetention))
		return err
	})
}

// orphanAfter is how long past its due time a request of a live process
// may stay unfinished before another process adopts it anyway (a reused
// pid, or a process stuck).
const orphanAfter = 10 * time.Minute

// sweep schedules the unfinished requests of processes that are gone.
func (c *core) sweep(ctx context.Context) error {
	var rs []*store.Request
	if err := c.st.View(ctx, func(tx store.Tx) error {
		var err error
		rs, err = tx.Unfinished(unfinishedSweepBatch)
		return err
	}); err != nil {
		return err
	}
	for _, r := range rs {
		if r.Owner == c.owner {
			continue
		}
		// Due is on the emulator's clock (Options.Now), so is the age.
		if ownerAlive(r.Owner) && c.now().Sub(r.Due) < orphanAfter {
			continue
		}
		c.log.Info("finishing a request left by another process", "requestToken", r.Token, "owner", r.Owner)
		c.work.schedule(r.Partition, r.Token, 0)
	}
	return nil
}

// ownerAlive reports whether the process named by an owner id
// ("<pid>:<uuid>") still runs. Another Server of this process counts as
// alive: it drains its own requests on Close.
func ownerAlive(owner string) bool {
	pidText, _, ok := strings.Cut(owner, ":")
	pid, err := strconv.Atoi(pidText)
	if !ok || err != nil || pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return true
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	switch {
	case err == nil, errors.Is(err, os.ErrPermission):
		return true
	case errors.Is(err, os.ErrProcessDone), errors.Is(err, syscall.ESRCH):
		return false
	}
	return true // cannot tell (no signal 0 on this OS): leave it to orphanAfter
}
