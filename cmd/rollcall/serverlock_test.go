package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// TestCLIRestoreRefusedWhileServing: `restore` over a database that `serve`
// is serving is refused at once, naming the server's pid, and the writes
// the server accepts before and after are all kept (issue 12, finding 3:
// 31 writes were lost into the moved-aside file). Once the server stops,
// the same restore goes ahead.
func TestCLIRestoreRefusedWhileServing(t *testing.T) {
	storetest.Run(t, testCLIRestoreRefusedWhileServing)
}

func testCLIRestoreRefusedWhileServing(t *testing.T, tdb storetest.DB) {
	e := newSecEnvOn(t, tdb)
	e.env["ROLLCALL_BACKUP_PASSPHRASE"] = "backup passphrase for tests"
	e.must("a good long password\n", "user", "add", "ed", "--role", "editor")
	tok := strings.TrimSpace(lastLine(e.must("", "user", "token", "ed", "--name", "lock")))
	arch := filepath.Join(t.TempDir(), "b.age")
	e.must("", "backup", "--output", arch)

	m, sout, stop := runMain(t, "", "serve", "--db", e.db, "--addr", "127.0.0.1:0")
	var base string
	select {
	case base = <-m.Ready():
	case <-time.After(30 * time.Second):
		t.Fatalf("not ready: %s", sout.String())
	}
	post := func(key string) {
		t.Helper()
		body := fmt.Sprintf(`{"key":%q,"kind":"ngo_report","title":"written while serving","sensitivity":"internal"}`, key)
		req, _ := http.NewRequest("POST", base+"/api/v1/sources", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("POST source %s: %d %s", key, res.StatusCode, b)
		}
	}
	post("before-restore")

	start := time.Now()
	out, err := e.run("", "restore", arch)
	took := time.Since(start)
	if rollcall.ErrorCode(err) != rollcall.ECONFLICT {
		t.Fatalf("restore while serving: %v (want a conflict)\n%s", err, out)
	}
	want := fmt.Sprintf("a server is running on this database (pid %d); stop it before restoring", os.Getpid())
	if rollcall.ErrorMessage(err) != want {
		t.Fatalf("restore refused with %q, want %q", rollcall.ErrorMessage(err), want)
	}
	t.Logf("restore refused in %v", took)
	if tdb.Name == "sqlite" {
		if aside, _ := filepath.Glob(e.db + ".before-restore-*"); len(aside) > 0 {
			t.Fatalf("a refused restore moved the database aside: %v", aside)
		}
	}

	post("after-refusal")
	if err := stop(); err != nil {
		t.Fatalf("serve: %v", err)
	}
	for _, k := range []string{"before-restore", "after-refusal"} {
		if out := e.must("", "show", "source", k); !strings.Contains(out, "written while serving") {
			t.Fatalf("write %s lost:\n%s", k, out)
		}
	}
	// The server has stopped: its lock is gone and the restore goes ahead.
	args := []string{"restore", arch}
	if tdb.Name == "postgres" {
		args = append(args, "--force")
	}
	e.must("", args...)
}
