package web

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"html/template"
	"log/slog"
	"net/http"
	"runtime"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rollcall-project/rollcall/internal/auth"
	"github.com/rollcall-project/rollcall/internal/i18n"
	"github.com/rollcall-project/rollcall/internal/jobs"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/work"
)

// Config is what a Server needs. Store and Auth are required.
type Config struct {
	Store  *store.Store
	Auth   *auth.Service
	Logger *slog.Logger
	// Registry receives the server's metrics and is served on /metrics;
	// nil makes a fresh one (never the global registry).
	Registry *prometheus.Registry
	// SecureCookies marks cookies Secure; set it when serving TLS or behind
	// a TLS-terminating proxy.
	SecureCookies bool
	// TileURL is a map tile template ("https://…/{z}/{x}/{y}.png"); empty
	// keeps the map offline with the embedded country shapes.
	TileURL string
	// RequestTimeout bounds each request's handling (default 30 s).
	RequestTimeout time.Duration
	// MaxInFlight bounds the requests handled at once; others wait (default
	// GOMAXPROCS on SQLite, 4 × GOMAXPROCS on PostgreSQL).
	MaxInFlight int
	// BodyTimeout bounds the time to receive a request body (default 10 s),
	// which is read before the request counts as in flight.
	BodyTimeout time.Duration
	// Jobs queues the background work the API and the UI ask for
	// (estimates, relinks, amnesty evaluations); nil makes a runner with
	// internal/work's kinds that this server does not start, so its jobs
	// wait for a process that runs jobs.
	Jobs *jobs.Runner
	// Now is the clock for what the pages compute from the date (the
	// overdue follow-ups) [time.Now].
	Now func() time.Time
	// Signer signs public exports made from the publications page; nil
	// (no keyring loaded) leaves publishing to `rollcall publish`.
	Signer ed25519.PrivateKey
}

// Server is the HTTP interface. Build it with New; it is an http.Handler.
type Server struct {
	store   *store.Store
	auth    *auth.Service
	log     *slog.Logger
	reg     *prometheus.Registry
	cat     *i18n.Catalogs
	pages   map[string]*template.Template
	secure  bool
	tileURL string
	timeout time.Duration
	// bodyTimeout bounds reading a request body.
	bodyTimeout time.Duration
	handler     http.Handler
	mux         *http.ServeMux
	metrics     *metrics
	routes      []Route
	staticFS    http.Handler

	maxInFlight int

	jobs *jobs.Runner
	now  func() time.Time
	// signer signs publications (nil: the page cannot publish).
	signer ed25519.PrivateKey

	termCache termCache
	// refKo holds the Korean forms of the reference data's texts, keyed by
	// the English (refdata.Korean).
	refKo map[string]string

	sourceForm, recordForm, facilityForm, eventForm formHandlers
}

// New builds a Server from cfg.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil || cfg.Auth == nil {
		return nil, fmt.Errorf("web: Store and Auth are required")
	}
	s := &Server{store: cfg.Store, auth: cfg.Auth, log: cfg.Logger, reg: cfg.Registry,
		secure: cfg.SecureCookies, tileURL: cfg.TileURL, timeout: cfg.RequestTimeout, bodyTimeout: cfg.BodyTimeout,
		jobs: cfg.Jobs, now: cfg.Now, signer: cfg.Signer}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.jobs == nil {
		s.jobs = jobs.New(s.store, jobs.Config{Logger: s.log, Clock: s.now})
		work.Register(s.jobs, s.store)
	}
	if s.reg == nil {
		s.reg = prometheus.NewRegistry()
	}
	if s.timeout == 0 {
		s.timeout = 30 * time.Second
	}
	if s.bodyTimeout == 0 {
		s.bodyTimeout = 10 * time.Second
	}
	// database/sql keeps only 2 idle connections by default: under
	// concurrent requests it would open and close SQLite connections all
	// the time, and every open takes a lock for its pragmas (busy waits).
	// Keep a bounded pool sized for the machine instead.
	s.maxInFlight = cfg.MaxInFlight
	if s.maxInFlight <= 0 {
		// SQLite works on this machine's cores: more requests in flight than
		// cores only lengthen the tail (search p99 65–71 → 48–50 ms at 100
		// clients, BENCHMARKS.md). PostgreSQL waits on the network and the
		// server, so it gets more.
		s.maxInFlight = runtime.GOMAXPROCS(0)
		if s.store.Dialect() == store.Postgres {
			s.maxInFlight = 4 * runtime.GOMAXPROCS(0)
		}
	}
	conns := s.maxInFlight
	s.store.DB().SetMaxOpenConns(conns)
	s.store.DB().SetMaxIdleConns(conns)
	var err error
	if s.cat, err = i18n.Load(); err != nil {
		return nil, err
	}
	if s.refKo, err = refdata.Korean(); err != nil {
		return nil, err
	}
	if s.pages, err = parsePages(); err != nil {
		return nil, err
	}
	if s.metrics, err = newMetrics(s.reg); err != nil {
		return nil, err
	}
	s.staticFS = staticHandler()
	s.initForms()
	s.mux = http.NewServeMux()
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.guard(rt))
	}
	s.handler = s.middleware(s.mux)
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes returns the route table (for tests and documentation).
func (s *Server) Routes() []Route { return s.routes }

// HTTPServer wraps h in an http.Server with conservative timeouts and
// header limits.
func HTTPServer(addr string, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      90 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       nil,
	}
}

// Shutdown stops srv gracefully, waiting at most grace for open requests.
func Shutdown(srv *http.Server, grace time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	return srv.Shutdown(ctx)
}
