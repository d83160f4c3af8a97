package demo

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

// TestEnvHidesRealDatabaseVariables: the demo's environment has none of
// the variables that name a real database, its keys or its evidence, and
// says which were set; others pass through.
func TestEnvHidesRealDatabaseVariables(t *testing.T) {
	env := map[string]string{"ROLLCALL_DB": "/srv/real.db", "ROLLCALL_PASSPHRASE": "p", "GOGC": "200", "ROLLCALL_ARTIFACTS": "/tmp/a"}
	getenv, set := Env(func(k string) string { return env[k] })
	if !slices.Equal(set, []string{"ROLLCALL_DB", "ROLLCALL_PASSPHRASE"}) {
		t.Errorf("set = %v", set)
	}
	for _, k := range IgnoredEnv {
		if v := getenv(k); v != "" {
			t.Errorf("%s = %q passed through", k, v)
		}
	}
	if getenv("GOGC") != "200" || getenv("ROLLCALL_ARTIFACTS") != "/tmp/a" {
		t.Error("an unrelated variable was hidden")
	}
}

// TestCheck: a missing file (in a missing directory, which Check makes)
// and an empty one are fresh, a marked database is reused, an unmarked one
// is refused with a message that says what to do.
func TestCheck(t *testing.T) {
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "t", Role: rollcall.RoleSystem})
	dir := t.TempDir()
	missing := filepath.Join(dir, "a", "b", "demo.db")
	if fresh, err := Check(ctx, missing); err != nil || !fresh {
		t.Fatalf("missing: %v %v", fresh, err)
	}
	if fi, err := os.Stat(filepath.Dir(missing)); err != nil || !fi.IsDir() {
		t.Fatalf("the directory of a new demo was not made: %v", err)
	}
	st, err := store.Open(ctx, missing, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := Check(ctx, missing); rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Fatalf("unmarked: %v", err)
	}
	if err := Mark(ctx, st); err != nil {
		t.Fatal(err)
	}
	if fresh, err := Check(ctx, missing); err != nil || fresh {
		t.Fatalf("marked: %v %v", fresh, err)
	}
	empty := filepath.Join(dir, "empty.db")
	os.WriteFile(empty, nil, 0o600)
	if fresh, err := Check(ctx, empty); err != nil || !fresh {
		t.Fatalf("empty file: %v %v", fresh, err)
	}
}
