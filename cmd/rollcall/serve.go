package main

import (
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/web"
)

type serveFlags struct {
	addr, tlsCert, tlsKey, tileURL string
	secureCookies                  bool
	// workers is the number of background jobs this process runs at once
	// (0: none; another process runs them).
	workers int
	// checkpointEvery is the interval between signed audit checkpoints
	// (0: none).
	checkpointEvery time.Duration
	// linker runs live linkage in this process every linkPoll.
	linker   bool
	linkPoll time.Duration
}

func (m *Main) serveCommands() []*cobra.Command {
	var f serveFlags
	serve := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web interface and the JSON API",
		Long: "serve runs the web interface and the JSON API (/api/v1, described at /api/v1/openapi.yaml),\n" +
			"/healthz and /metrics (admin). Create accounts first with `rollcall user add`.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// The server acts as each request's user, never as the operator:
			// it gets cmd's context, not the store's.
			return m.withStore(cmd, openOpts{serving: true}, func(_ context.Context, st *store.Store) error {
				return m.serve(cmd.Context(), st, f)
			})
		},
	}
	addServeFlags(serve, &f, "127.0.0.1:8080")

	var df serveFlags
	var persons int
	demo := &cobra.Command{
		Use:   "demo",
		Short: "Serve a demo database of FICTIONAL data",
		Long: "demo creates (or reuses) a demo database, loads the reference data (facilities,\n" +
			"vocabularies, published estimates, amnesty decrees) and fictional records from\n" +
			"the generator, creates the account \"demo\" (admin) with a new random password\n" +
			"printed once, and serves it. Everything in it is marked fictional except the\n" +
			"public reference data.\n\n" +
			"Without --db it uses rollcall-demo.db in the current directory, never $ROLLCALL_DB;\n" +
			"it ignores $ROLLCALL_KEYRING, $ROLLCALL_KEY_FILE, the passphrase variables and\n" +
			"$ROLLCALL_EVIDENCE_DIR. It refuses any existing database it did not create itself.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.runDemo(cmd, df, persons)
		},
	}
	addServeFlags(demo, &df, "127.0.0.1:8080")
	demo.Flags().IntVar(&persons, "persons", 300, "size of the fictional population to generate on first run")
	return []*cobra.Command{serve, demo}
}

func addServeFlags(c *cobra.Command, f *serveFlags, addr string) {
	c.Flags().StringVar(&f.addr, "addr", addr, "listen address host:port (port 0 picks a free one)")
	c.Flags().StringVar(&f.tlsCert, "tls-cert", "", "TLS certificate file (PEM); with --tls-key serves HTTPS")
	c.Flags().StringVar(&f.tlsKey, "tls-key", "", "TLS private key file (PEM)")
	c.Flags().StringVar(&f.tileURL, "tile-url", "", "map tile URL template, e.g. https://tiles.example.org/{z}/{x}/{y}.png (default: offline base map only)")
	c.Flags().BoolVar(&f.secureCookies, "secure-cookies", false, "mark cookies Secure (implied by --tls-cert; set it behind a TLS proxy)")
	c.Flags().IntVar(&f.workers, "workers", 1, "background jobs (estimates, relinks, amnesty evaluations) this process runs at once; 0 leaves them to other processes")
	c.Flags().DurationVar(&f.checkpointEvery, "checkpoint-every", time.Hour, "sign an audit checkpoint at start and then at this interval when the log grew (needs the keyring; 0 turns it off)")
	c.Flags().BoolVar(&f.linker, "linker", true, "link new and changed records into persons as they are written (one process on a database links at a time)")
	c.Flags().DurationVar(&f.linkPoll, "link-poll", time.Second, "how often the live linker looks for records to link")
}

// serve runs the HTTP server on st until ctx is done.
func (m *Main) serve(ctx context.Context, st *store.Store, f serveFlags) error {
	if (f.tlsCert == "") != (f.tlsKey == "") {
		return rollcall.Errorf(rollcall.EINVALID, "--tls-cert and --tls-key go together")
	}
	useTLS := f.tlsCert != ""
	if m.Getenv("GOGC") == "" {
		// The server's live heap is small; collecting less often cut about
		// 12 % of CPU per request in the load benchmark (BENCHMARKS.md).
		// An operator's GOGC wins.
		debug.SetGCPercent(400)
	}
	if f.workers < 0 {
		return rollcall.Errorf(rollcall.EINVALID, "--workers must be 0 or more, not %d", f.workers)
	}
	if f.checkpointEvery < 0 {
		return rollcall.Errorf(rollcall.EINVALID, "--checkpoint-every must be 0 (off) or more, not %s", f.checkpointEvery)
	}
	runner := m.jobRunner(st, f.workers)
	if f.workers > 0 {
		// Jobs run as the user who asked, never as the operator.
		runner.Start(context.WithoutCancel(ctx))
		defer func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := runner.Stop(sctx); err != nil {
				m.Logger.Error("stop jobs", "err", err)
			}
		}()
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	// With the keyring loaded, admins can publish from the web UI too.
	var signer ed25519.PrivateKey
	if rc, ok := st.Cipher().(*ringCipher); ok && rc != nil {
		var err error
		if signer, err = rc.ring.Signer(); err != nil {
			return fmt.Errorf("signing key: %w", err)
		}
	}
	if f.linker {
		if f.linkPoll <= 0 {
			return rollcall.Errorf(rollcall.EINVALID, "--link-poll must be positive, not %s", f.linkPoll)
		}
		stop := m.startLinker(ctx, st, f.linkPoll, reg)
		defer stop()
	}
	srv, err := web.New(web.Config{
		Store: st, Auth: auth.NewService(st), Logger: m.Logger, Registry: reg,
		SecureCookies: useTLS || f.secureCookies, TileURL: f.tileURL, Jobs: runner, Now: m.Now, Signer: signer,
	})
	if err != nil {
		return err
	}
	hs := web.HTTPServer(f.addr, srv, m.Logger)
	hs.BaseContext = func(net.Listener) context.Context { return context.WithoutCancel(ctx) }
	if useTLS {
		cert, err := tls.LoadX509KeyPair(f.tlsCert, f.tlsKey)
		if err != nil {
			return rollcall.WrapError(rollcall.EINVALID, err, "cannot load the TLS certificate %s and key %s", f.tlsCert, f.tlsKey)
		}
		hs.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return rollcall.WrapError(rollcall.EINVALID, err, "cannot listen on %s", f.addr)
	}
	// Once listening, checkpoints start: the server's own work, signed
	// with the database's key, on cmd's context (no user's).
	defer m.startCheckpoints(context.WithoutCancel(ctx), st, f.checkpointEvery)()
	scheme := "http"
	if useTLS {
		scheme = "https"
	}
	url := fmt.Sprintf("%s://%s", scheme, ln.Addr().String())
	errc := make(chan error, 1)
	go func() {
		if useTLS {
			errc <- hs.ServeTLS(ln, "", "")
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	m.Logger.Info("serving", "url", url)
	fmt.Fprintf(m.Stdout, "rollcall is serving on %s (Ctrl-C stops it)\n", url)
	m.signalReady(url)
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
		return nil
	case <-ctx.Done():
	}
	m.Logger.Info("shutting down")
	if err := web.Shutdown(hs, 10*time.Second); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}
