package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall/internal/storetest"
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
func TestServeAndUsers(t *testing.T) { storetest.Run(t, testServeAndUsers) }

func testServeAndUsers(t *testing.T, d storetest.DB) {
	db := d.DSN
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

// TestServeTLS: with --tls-cert and --tls-key the server speaks HTTPS,
// sends HSTS and marks its cookies Secure.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	pool := writeSelfSigned(t, certFile, keyFile)
	m, out, stop := runMain(t, "", "serve", "--db", filepath.Join(dir, "rc.db"), "--addr", "127.0.0.1:0",
		"--tls-cert", certFile, "--tls-key", keyFile)
	var base string
	select {
	case base = <-m.Ready():
	case <-time.After(30 * time.Second):
		t.Fatalf("not ready: %s", out.String())
	}
	if !strings.HasPrefix(base, "https://") {
		t.Fatalf("url %s", base)
	}
	// The client checks the certificate's validity at the test's fixed clock.
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool,
		Time: func() time.Time { return tlsClock }}}}
	res, err := hc.Get(base + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS header over TLS")
	}
	var secure bool
	for _, c := range res.Cookies() {
		secure = c.Secure
	}
	if !secure {
		t.Error("cookie not Secure over TLS")
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

// tlsClock is the time the TLS test's certificate is valid around and its
// client verifies at, so that the result does not depend on the day it runs.
var tlsClock = time.Date(2026, time.December, 12, 12, 12, 12, 0, time.UTC)

func writeSelfSigned(t *testing.T, certFile, keyFile string) *x509.CertPool {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: tlsClock.Add(-time.Hour), NotAfter: tlsClock.Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}
