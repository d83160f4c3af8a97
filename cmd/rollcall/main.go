// Command rollcall documents detention in closed states and checks what
// their governments announce. main only wires the internal packages into
// cobra commands: each command parses its flags, reaches the database
// through withStore (open.go), calls the internal package that does the
// work and prints; see README.md for a tour.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	m := NewMain()
	err := m.Run(ctx, os.Args[1:])
	stop()
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "rollcall:", userMessage(err))
		os.Exit(1)
	}
}

// userMessage shows the safe message of domain errors and the full chain of
// anything else (the CLI user is the operator, so detail helps).
func userMessage(err error) string {
	var e *rollcall.Error
	if errors.As(err, &e) && e.Err == nil {
		return e.Message
	}
	return err.Error()
}

// Main is the program: tests build one with NewMain, point its streams at
// buffers and call Run, e.g. with "serve --addr 127.0.0.1:0"; Ready yields the
// served URL once the listener is open.
type Main struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	Logger *slog.Logger
	// Now is the clock of background jobs [time.Now].
	Now func() time.Time

	// cipher loads the field cipher for a database (set by the security
	// wiring in security.go; nil means no encryption key is configured).
	cipher func(ctx context.Context, dbPath string) (rollcall.FieldCipher, error)

	ready     chan string
	readyOnce sync.Once

	mu      sync.Mutex
	closers []func() error
}

// NewMain returns a Main wired to the process's streams and environment.
func NewMain() *Main {
	return &Main{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: os.Getenv,
		Now:    time.Now,
		ready:  make(chan string, 1),
	}
}

// Ready is closed after the server listens; it then yields the base URL.
func (m *Main) Ready() <-chan string { return m.ready }

// signalReady publishes the server URL to Ready (once).
func (m *Main) signalReady(url string) {
	m.readyOnce.Do(func() {
		m.ready <- url
		close(m.ready)
	})
}

// onClose registers f to run at Close, in reverse order.
func (m *Main) onClose(f func() error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.closers = append(m.closers, f)
}

// Close releases everything Run opened (stores, listeners).
func (m *Main) Close() error {
	m.mu.Lock()
	closers := m.closers
	m.closers = nil
	m.mu.Unlock()
	var errs []error
	for i := len(closers) - 1; i >= 0; i-- {
		errs = append(errs, closers[i]())
	}
	return errors.Join(errs...)
}

// Run parses args and runs the chosen command until it ends or ctx is done.
func (m *Main) Run(ctx context.Context, args []string) error {
	if m.Logger == nil {
		m.Logger = slog.New(slog.NewTextHandler(m.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	root := m.rootCommand()
	root.SetArgs(args)
	root.SetIn(m.Stdin)
	root.SetOut(m.Stdout)
	root.SetErr(m.Stderr)
	return root.ExecuteContext(ctx)
}

// rootCommand builds the command tree; each topic file contributes its commands.
func (m *Main) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "rollcall",
		Short:         "Document detention in closed states and check what governments announce",
		Long:          "rollcall keeps sources, the records they give, the persons we conclude exist,\nfacilities, events, estimates and amnesty decrees in one SQLite file or PostgreSQL database.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String("db", "", "database: a SQLite file path or a postgres:// URL (default $ROLLCALL_DB, else rollcall.db)")
	groups := [][]*cobra.Command{
		m.storeCommands(),    // init, list, show (store.go)
		m.serveCommands(),    // serve, demo (serve.go)
		m.ioCommands(),       // import, export (io.go)
		m.synthCommands(),    // synth (synth.go)
		m.estimateCommands(), // estimate (estimate.go)
		m.linkCommands(),     // link, review (link.go)
		m.amnestyCommands(),  // amnesty (amnesty.go)
		m.jobCommands(),      // jobs (jobs.go)
		m.userCommands(),     // user (user.go)
		m.securityCommands(), // key, audit, evidence, publish, verify-export, backup, restore (security.go)
	}
	for _, g := range groups {
		root.AddCommand(g...)
	}
	return root
}

// dbGiven reports whether the user named a database (--db or $ROLLCALL_DB),
// for commands that work on files unless a database is named.
func (m *Main) dbGiven(cmd *cobra.Command) bool {
	f := cmd.Flag("db")
	return (f != nil && f.Value.String() != "") || m.Getenv("ROLLCALL_DB") != ""
}

// dbFlag resolves --db, then $ROLLCALL_DB, then the default file name.
func (m *Main) dbFlag(cmd *cobra.Command) string {
	if f := cmd.Flag("db"); f != nil && f.Value.String() != "" {
		return f.Value.String()
	}
	if v := m.Getenv("ROLLCALL_DB"); v != "" {
		return v
	}
	return "rollcall.db"
}
