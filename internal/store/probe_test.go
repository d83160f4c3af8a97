package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rollcall-project/rollcall/internal/storetest"
)

// TestProbe: Probe tells a missing or empty database, a demo-marked one
// and anything else apart, on both databases, and the marker is written
// through the audit log.
func TestProbe(t *testing.T) { storetest.Run(t, testProbe) }

func testProbe(t *testing.T, tdb storetest.DB) {
	ctx := context.Background()
	probe := func(dsn string) Probed {
		t.Helper()
		p, err := Probe(ctx, dsn)
		if err != nil {
			t.Fatalf("probe: %v", err)
		}
		return p
	}
	// A new database (a missing file, a fresh schema) is empty.
	fresh := tdb.Fresh(t)
	want := ProbeEmpty
	if tdb.Name == "sqlite" {
		want = ProbeMissing
	}
	if got := probe(fresh); got != want {
		t.Fatalf("new database: %v, want %v", got, want)
	}
	// A rollcall database without the marker is someone's real data.
	real := tdb.Fresh(t)
	st := storetest.Open(t, Open, real, Options{})
	if got := probe(real); got != ProbeOther {
		t.Fatalf("unmarked rollcall database: %v, want other", got)
	}
	// demo=false is no marker.
	if err := st.SetSetting(ctx, SettingDemo, "false"); err != nil {
		t.Fatal(err)
	}
	if got := probe(real); got != ProbeOther {
		t.Fatalf("demo=false: %v, want other", got)
	}
	demo := tdb.Fresh(t)
	ds := storetest.Open(t, Open, demo, Options{})
	if err := ds.SetSetting(ctx, SettingDemo, "true"); err != nil {
		t.Fatal(err)
	}
	if got := probe(demo); got != ProbeDemo {
		t.Fatalf("marked database: %v, want demo", got)
	}
	if v, ok, err := ds.Setting(ctx, SettingDemo); err != nil || !ok || v != "true" {
		t.Fatalf("Setting: %q %v %v", v, ok, err)
	}
	es, err := ds.AuditEntries(ctx, 0, 0)
	if err != nil || len(es) != 1 || es[0].Entity != "setting" || es[0].Detail != "demo=true" {
		t.Fatalf("the marker is not in the audit log: %+v %v", es, err)
	}
	// Writing the same value again changes nothing and logs nothing.
	if err := ds.SetSetting(ctx, SettingDemo, "true"); err != nil {
		t.Fatal(err)
	}
	if es, _ := ds.AuditEntries(ctx, 0, 0); len(es) != 1 {
		t.Fatalf("an unchanged setting was logged: %d entries", len(es))
	}
	if tdb.Name != "sqlite" {
		return
	}
	dir := t.TempDir()
	files := []struct {
		name    string
		content []byte
		want    Probed
	}{
		{"empty.db", nil, ProbeEmpty},
		{"notes.db", []byte("not a database at all\n"), ProbeOther},
		{"short.db", []byte("SQL"), ProbeOther},
	}
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		os.WriteFile(p, f.content, 0o600)
		if got := probe(p); got != f.want {
			t.Errorf("%s: %v, want %v", f.name, got, f.want)
		}
	}
	// Another program's SQLite database, and an empty one it left.
	for name, q := range map[string]string{"other.db": `CREATE TABLE notes (x TEXT)`, "blank.db": `PRAGMA user_version = 1`} {
		p := filepath.Join(dir, name)
		db, err := sql.Open("sqlite", p)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
		db.Close()
		want := ProbeOther
		if name == "blank.db" {
			want = ProbeEmpty
		}
		if got := probe(p); got != want {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}

// TestProbeLeavesFileAlone: probing creates no file and changes no byte:
// not for a missing path, not for a closed database, not for one a server
// holds open with pages still in its WAL (whose marker it still sees).
func TestProbeLeavesFileAlone(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	missing := filepath.Join(dir, "sub", "missing.db")
	if p, err := Probe(ctx, missing); err != nil || p != ProbeMissing {
		t.Fatalf("missing: %v %v", p, err)
	}
	if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
		t.Fatalf("probe created the directory of a missing database: %v", err)
	}

	for _, marked := range []bool{false, true} {
		path := filepath.Join(dir, "closed.db")
		if marked {
			path = filepath.Join(dir, "closed-demo.db")
		}
		st, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if marked {
			if err := st.SetSetting(ctx, SettingDemo, "true"); err != nil {
				t.Fatal(err)
			}
		}
		st.Close()
		before := snapshot(t, dir)
		p, err := Probe(ctx, path)
		if err != nil || (p == ProbeDemo) != marked {
			t.Fatalf("%s: %v %v", path, p, err)
		}
		if after := snapshot(t, dir); !sameFiles(before, after) {
			t.Fatalf("probe changed the directory:\nbefore %v\nafter  %v", names(before), names(after))
		}
	}

	// A database in use: the marker is in the WAL only.
	live := filepath.Join(dir, "live.db")
	st, err := Open(ctx, live, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.SetSetting(ctx, SettingDemo, "true"); err != nil {
		t.Fatal(err)
	}
	// One small commit stays below the autocheckpoint: in the WAL only.
	if fi, err := os.Stat(live + "-wal"); err != nil || fi.Size() == 0 {
		t.Fatalf("no WAL beside a live database: %v", err)
	}
	main, err := os.ReadFile(live)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := Probe(ctx, live); err != nil || p != ProbeDemo {
		t.Fatalf("live demo database: %v %v", p, err)
	}
	if now, _ := os.ReadFile(live); !bytes.Equal(main, now) {
		t.Fatal("probe changed a live database file")
	}
}

func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
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

func sameFiles(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

func names(m map[string][]byte) []string {
	var out []string
	for k, v := range m {
		out = append(out, fmt.Sprintf("%s:%d", filepath.Base(k), len(v)))
	}
	return out
}
