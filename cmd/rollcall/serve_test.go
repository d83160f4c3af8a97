package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runMain starts Main with args in the background and returns its output
// buffer and a stop function that cancels it and returns Run's error.
func runMain(t *testing.T, stdin string, args ...string) (*Main, *syncBuffer, func() error) {
	t.Helper()
	var out syncBuffer
	m := NewMain()
	m.Stdin, m.Stdout, m.Stderr = strings.NewReader(stdin), &out, &out
	m.Getenv = func(string) string { return "" }
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- m.Run(ctx, args) }()
	stopped := false
	var runErr error
	stop := func() error {
		if !stopped {
			stopped = true
			cancel()
			runErr = <-errc
			m.Close()
		}
		return runErr
	}
	t.Cleanup(func() { stop() })
	return m, &out, stop
}

// TestServeAndUsers: accounts made with "user add" and "user token" work
// against "serve", which shuts down cleanly when its context ends.
func TestServeAndUsers(t *testing.T) {
	db := filepath.Join(t.TempDir(), "rc.db")
	run := func(stdin string, args ...string) string {
		t.Helper()
		m := NewMain()
		var out strings.Builder
		m.Stdin, m.Stdout, m.Stderr = strings.NewReader(stdin), &out, &out
		m.Getenv = func(string) string { return "" }
		err := m.Run(context.Background(), append(args, "--db", db))
		m.Close()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
		return out.String()
	}
	run("a good long password\n", "user", "add", "ana", "--role", "analyst")
	if _, err := runErr("short\n", db, "user", "add", "bob"); err == nil || !strings.Contains(err.Error(), "at least") {
		t.Errorf("short password accepted: %v", err)
	}
	if _, err := runErr("a good long password\n", db, "user", "add", "ana"); err == nil {
		t.Errorf("duplicate user accepted")
	}
	tok := strings.TrimSpace(lastLine(run("", "user", "token", "ana", "--name", "test")))
	if !strings.HasPrefix(tok, "rcat_") {
		t.Fatalf("token %q", tok)
	}
	if out := run("", "user", "list"); !strings.Contains(out, "ana") || !strings.Contains(out, "analyst") {
		t.Errorf("list: %s", out)
	}

	m, out, stop := runMain(t, "", "serve", "--db", db, "--addr", "127.0.0.1:0")
	var base string
	select {
	case base = <-m.Ready():
	case <-time.After(30 * time.Second):
		t.Fatalf("not ready: %s", out.String())
	}
	get := func(path, token string) (int, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, body := get("/healthz", ""); code != 200 || !strings.Contains(body, "ok") {
		t.Fatalf("healthz: %d %s", code, body)
	}
	code, body := get("/api/v1/me", tok)
	var me struct{ Name, Role string }
	if code != 200 || json.Unmarshal([]byte(body), &me) != nil || me.Name != "ana" || me.Role != "analyst" {
		t.Fatalf("me: %d %s", code, body)
	}
	// Role changes and disabling apply at once.
	run("", "user", "disable", "ana")
	if code, _ := get("/api/v1/me", tok); code != http.StatusUnauthorized {
		t.Errorf("disabled user's token still works: %d", code)
	}
	if err := stop(); err != nil {
		t.Fatalf("serve did not stop cleanly: %v", err)
	}
}

func runErr(stdin, db string, args ...string) (string, error) {
	m := NewMain()
	var out strings.Builder
	m.Stdin, m.Stdout, m.Stderr = strings.NewReader(stdin), &out, &out
	m.Getenv = func(string) string { return "" }
	err := m.Run(context.Background(), append(args, "--db", db))
	m.Close()
	return out.String(), err
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
