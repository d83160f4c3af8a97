package main

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit/chain"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// testClock is a clock a test moves by hand.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// started is a Main running in the background.
type started struct {
	m    *Main
	out  *syncBuffer
	url  string
	stop func() error
}

// start runs rollcall with args and env (and clock, when not nil) in the
// background; it returns once the server listens, or with Run's error when
// Run ends first.
func start(t *testing.T, env map[string]string, clock func() time.Time, args ...string) (*started, error) {
	t.Helper()
	out := &syncBuffer{}
	m := NewMain()
	m.Stdin, m.Stdout, m.Stderr = strings.NewReader(""), out, out
	m.Getenv = func(k string) string { return env[k] }
	if clock != nil {
		m.Now = clock
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- m.Run(ctx, args) }()
	var once sync.Once
	var runErr error
	s := &started{m: m, out: out}
	s.stop = func() error {
		once.Do(func() {
			cancel()
			runErr = <-errc
			if err := m.Close(); runErr == nil {
				runErr = err
			}
		})
		return runErr
	}
	t.Cleanup(func() { s.stop() })
	select {
	case s.url = <-m.Ready():
		return s, nil
	case err := <-errc:
		errc <- err
		return s, s.stop()
	case <-time.After(5 * time.Minute):
		t.Fatalf("rollcall %s did not start:\n%s", strings.Join(args, " "), out.String())
	}
	return s, nil
}

// tree reads every file under dir: path → content.
func tree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameTree fails the test naming the first file that appeared, vanished or
// changed between a and b.
func sameTree(t *testing.T, what string, a, b map[string][]byte) {
	t.Helper()
	for p, v := range a {
		w, ok := b[p]
		switch {
		case !ok:
			t.Errorf("%s: %s vanished", what, p)
		case !bytes.Equal(v, w):
			t.Errorf("%s: %s changed (%d → %d bytes)", what, p, len(v), len(w))
		}
	}
	for p := range b {
		if _, ok := a[p]; !ok {
			t.Errorf("%s: %s appeared", what, p)
		}
	}
}

// realDatabase is an operator's database with its keyring, evidence
// directory and an account, and the environment that points every command
// at it.
func realDatabase(t *testing.T) (dir string, env map[string]string) {
	t.Helper()
	dir = t.TempDir()
	e := &secEnv{t: t, db: filepath.Join(dir, "real.db"), env: map[string]string{
		"ROLLCALL_PASSPHRASE":   secTestPass,
		"ROLLCALL_KEYRING":      filepath.Join(dir, "real.keyring"),
		"ROLLCALL_EVIDENCE_DIR": filepath.Join(dir, "evidence"),
	}}
	e.must("", "key", "init")
	e.must("an operator's long password\n", "user", "add", "operator", "--role", "admin")
	e.plant("Real Informant", "real testimony")
	os.MkdirAll(e.env["ROLLCALL_EVIDENCE_DIR"], 0o700)
	env = map[string]string{"ROLLCALL_DB": e.db, "ROLLCALL_KEY_FILE": filepath.Join(dir, "real.key"),
		"ROLLCALL_NEW_PASSPHRASE": "another passphrase", "ROLLCALL_BACKUP_PASSPHRASE": "a backup passphrase"}
	for k, v := range e.env {
		env[k] = v
	}
	return dir, env
}

// TestDemoKeepsOutOfRealDatabases (issue 12, finding 5): with every
// variable pointing at a real database, `rollcall demo` without --db
// serves its own rollcall-demo.db in the current directory, says which
// variables it ignored, and leaves the real database, its keyring and its
// evidence byte for byte as they were; run again, it reuses its own file.
func TestDemoKeepsOutOfRealDatabases(t *testing.T) {
	realDir, env := realDatabase(t)
	before := tree(t, realDir)
	work := t.TempDir()
	t.Chdir(work)
	for run := 1; run <= 2; run++ {
		s, err := start(t, env, nil, "demo", "--addr", "127.0.0.1:0", "--persons", "30", "--workers", "0")
		if err != nil {
			t.Fatalf("demo run %d: %v\n%s", run, err, s.out.String())
		}
		out := s.out.String()
		if err := s.stop(); err != nil {
			t.Fatalf("demo run %d: %v", run, err)
		}
		if !strings.Contains(out, "demo: ignoring ROLLCALL_DB, ROLLCALL_KEYRING, ROLLCALL_KEY_FILE, ROLLCALL_PASSPHRASE, ROLLCALL_NEW_PASSPHRASE, ROLLCALL_BACKUP_PASSPHRASE, ROLLCALL_EVIDENCE_DIR: the demo keeps to its own database rollcall-demo.db") {
			t.Errorf("run %d: no notice of the ignored variables:\n%s", run, out)
		}
		if generated := strings.Contains(out, "generating 30 fictional persons"); generated != (run == 1) {
			t.Errorf("run %d: generated %v:\n%s", run, generated, out)
		}
		sameTree(t, "the real database's directory", before, tree(t, realDir))
	}
	p, err := store.Probe(context.Background(), filepath.Join(work, "rollcall-demo.db"))
	if err != nil || p != store.ProbeDemo {
		t.Fatalf("the demo's own database: %v %v", p, err)
	}
	// Its own keys too, not the real keyring that $ROLLCALL_KEYRING names.
	for _, f := range []string{"rollcall-demo.db.keyring", "rollcall-demo.db.key"} {
		if _, err := os.Stat(filepath.Join(work, f)); err != nil {
			t.Errorf("the demo's own %s: %v", f, err)
		}
	}
}

// TestDemoRefusesUnmarkedFile: a database the demo did not create — a real
// rollcall database, another program's, a file that is no database — is
// refused with a message saying what to do, before anything writes to it
// or beside it; a new file in a directory that does not exist yet is
// created, marked and reused.
func TestDemoRefusesUnmarkedFile(t *testing.T) {
	_, env := realDatabase(t)
	other := filepath.Join(t.TempDir(), "notes.db")
	os.WriteFile(other, []byte("a shopping list\n"), 0o600)
	empty := filepath.Join(t.TempDir(), "empty.db")
	os.WriteFile(empty, nil, 0o600)
	unmarked := filepath.Join(t.TempDir(), "crashed-demo.db")
	if st, err := store.Open(context.Background(), unmarked, store.Options{}); err != nil {
		t.Fatal(err)
	} else {
		st.Close()
	}
	for _, c := range []struct {
		name, db string
	}{
		{"real database by --db", env["ROLLCALL_DB"]},
		{"not a database", other},
		{"rollcall database without the marker", unmarked},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Dir(c.db)
			before := tree(t, dir)
			_, err := start(t, env, nil, "demo", "--db", c.db, "--addr", "127.0.0.1:0", "--persons", "30")
			if rollcall.ErrorCode(err) != rollcall.EINVALID {
				t.Fatalf("demo on %s: %v", c.db, err)
			}
			msg := rollcall.ErrorMessage(err)
			for _, w := range []string{c.db + " is not a demo database", "delete it", "another file with --db"} {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q lacks %q", msg, w)
				}
			}
			sameTree(t, c.name, before, tree(t, dir))
		})
	}

	// An empty file, and a path whose directory is missing, become demos.
	fresh := filepath.Join(t.TempDir(), "new", "dir", "demo.db")
	for _, db := range []string{empty, fresh, fresh} {
		s, err := start(t, env, nil, "demo", "--db", db, "--addr", "127.0.0.1:0", "--persons", "30", "--workers", "0")
		if err != nil {
			t.Fatalf("demo on %s: %v\n%s", db, err, s.out.String())
		}
		if err := s.stop(); err != nil {
			t.Fatal(err)
		}
		if p, err := store.Probe(context.Background(), db); err != nil || p != store.ProbeDemo {
			t.Fatalf("%s after the demo: %v %v", db, p, err)
		}
	}
}

// TestDemoOnPostgresWithoutKeyring: the demo runs on an empty PostgreSQL
// database with no keyring, even when $ROLLCALL_KEYRING names one (it is
// ignored and not created), marks it, and later refuses a PostgreSQL
// database it did not create.
func TestDemoOnPostgresWithoutKeyring(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	ring := filepath.Join(t.TempDir(), "pg.keyring")
	env := map[string]string{"ROLLCALL_KEYRING": ring, "ROLLCALL_PASSPHRASE": secTestPass}
	s, err := start(t, env, nil, "demo", "--db", dsn, "--addr", "127.0.0.1:0", "--persons", "30", "--workers", "0")
	if err != nil {
		t.Fatalf("demo on PostgreSQL: %v\n%s", err, s.out.String())
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(ring); !os.IsNotExist(err) {
		t.Fatalf("the demo made the keyring $ROLLCALL_KEYRING names: %v", err)
	}
	if p, err := store.Probe(context.Background(), dsn); err != nil || p != store.ProbeDemo {
		t.Fatalf("after the demo: %v %v", p, err)
	}
	real := storetest.PostgresDSN(t)
	if st, err := store.Open(context.Background(), real, store.Options{}); err != nil {
		t.Fatal(err)
	} else {
		st.Close()
	}
	_, err = start(t, env, nil, "demo", "--db", real, "--addr", "127.0.0.1:0")
	if msg := rollcall.ErrorMessage(err); !strings.Contains(msg, "is not a demo database") || !strings.Contains(msg, "give an empty database with --db") {
		t.Fatalf("demo on a real PostgreSQL database: %v", err)
	}
}

// TestServeSignsCheckpoints: serve signs an audit checkpoint at start, then
// one per --checkpoint-every of its clock (a test clock here: the wall
// clock moves a second, the server's an hour) when the log grew, and stops
// signing when it shuts down; a negative interval is refused.
func TestServeSignsCheckpoints(t *testing.T) { storetest.Run(t, testServeSignsCheckpoints) }

func testServeSignsCheckpoints(t *testing.T, tdb storetest.DB) {
	e := newSecEnvOn(t, tdb)
	e.must("", "key", "init")
	ctx := context.Background()
	st, err := store.Open(ctx, e.db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	appendEntry := func(action string) {
		t.Helper()
		if err := st.AppendAudit(ctx, chain.Entry{Actor: "t", Action: action}); err != nil {
			t.Fatal(err)
		}
	}
	appendEntry("before the server")
	size := func() int64 {
		es, err := st.AuditEntries(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		return int64(len(es))
	}

	if _, err := start(t, e.env, nil, "--db", e.db, "serve", "--addr", "127.0.0.1:0", "--checkpoint-every", "-1m"); rollcall.ErrorCode(err) != rollcall.EINVALID ||
		!strings.Contains(rollcall.ErrorMessage(err), "--checkpoint-every must be 0 (off) or more") {
		t.Fatalf("negative interval: %v", err)
	}

	clock := &testClock{t: time.Date(2030, 5, 6, 7, 0, 0, 0, time.UTC)}
	s, err := start(t, e.env, clock.Now, "--db", e.db, "serve", "--addr", "127.0.0.1:0", "--workers", "0", "--checkpoint-every", "1h")
	if err != nil {
		t.Fatalf("serve: %v\n%s", err, s.out.String())
	}
	cps, err := st.Checkpoints(ctx)
	if err != nil || len(cps) != 1 || cps[0].Size != size() || !cps[0].At.Equal(clock.Now()) {
		t.Fatalf("checkpoint at start: %+v %v (log %d entries, clock %s)", cps, err, size(), clock.Now())
	}
	// The log grows, but the server's hour has not passed: nothing signed
	// while the server reads its clock (once a second) twice.
	appendEntry("while serving")
	time.Sleep(2100 * time.Millisecond)
	if cps, _ := st.Checkpoints(ctx); len(cps) != 1 {
		t.Fatalf("%d checkpoints before the interval passed on the server's clock", len(cps))
	}
	clock.Add(time.Hour)
	deadline := time.Now().Add(20 * time.Second)
	for {
		cps, err = st.Checkpoints(ctx)
		if err == nil && len(cps) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no checkpoint an hour later: %+v %v\n%s", cps, err, s.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if cps[1].Size != size() || !cps[1].At.Equal(clock.Now()) {
		t.Fatalf("second checkpoint %+v, want %d entries at %s", cps[1], size(), clock.Now())
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(s.out.String(), "audit checkpoint signed"); n != 2 {
		t.Errorf("the server logged %d signed checkpoints, want 2:\n%s", n, s.out.String())
	}
	// Stopped: the clock moves and the log grows, and nothing is signed.
	appendEntry("after the server")
	clock.Add(time.Hour)
	time.Sleep(1100 * time.Millisecond)
	if cps, _ := st.Checkpoints(ctx); len(cps) != 2 {
		t.Fatalf("%d checkpoints after shutdown, want 2", len(cps))
	}
	if _, err := e.run("", "audit", "verify"); err != nil {
		t.Fatalf("audit verify after serving: %v", err)
	}

	// --checkpoint-every 0: none at start.
	s, err = start(t, e.env, clock.Now, "--db", e.db, "serve", "--addr", "127.0.0.1:0", "--workers", "0", "--checkpoint-every", "0")
	if err != nil {
		t.Fatal(err)
	}
	s.stop()
	if cps, _ := st.Checkpoints(ctx); len(cps) != 2 || !strings.Contains(s.out.String(), "audit checkpoints off") {
		t.Fatalf("--checkpoint-every 0 signed: %d\n%s", len(cps), s.out.String())
	}
}
