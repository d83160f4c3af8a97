package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// liveServer serves the fixture's store through HTTPServer on a real
// loopback port, with one request in flight at a time (the tightest SQLite
// setting) and the given body timeout. active receives each connection
// that starts a request.
func liveServer(t *testing.T, f *fixture, bodyTimeout time.Duration) (addr string, active <-chan struct{}) {
	t.Helper()
	srv, err := New(Config{Store: f.st, Auth: f.svc, Logger: slog.New(slog.DiscardHandler), MaxInFlight: 1, BodyTimeout: bodyTimeout})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := HTTPServer(ln.Addr().String(), srv, slog.New(slog.DiscardHandler))
	act := make(chan struct{}, 64)
	hs.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateActive {
			select {
			case act <- struct{}{}:
			default:
			}
		}
	}
	go hs.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
		hs.Close()
	})
	return ln.Addr().String(), act
}

// slowRequest opens a connection and sends a request's headers and the
// first part of its body; the caller sends the rest (or never does).
func slowRequest(t *testing.T, addr, method, path, ctype string, length int, first string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n%s", method, path, addr, ctype, length, first)
	return c
}

func readStatus(t *testing.T, c net.Conn) (int, string) {
	t.Helper()
	// A generous bound so that a server that never answers fails the test
	// instead of hanging it; no assertion depends on how fast it answers.
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestSlowClientsDoNotHoldSlots: clients that send their bodies slowly (a
// POST /login at a few bytes at a time) do not hold the in-flight slots:
// with one slot and four such clients mid-body, /healthz answers first, and
// the slow clients are answered once their bodies arrive (issue 12, finding
// 2). Real TCP connections to a real server on a loopback port; the test
// asserts statuses and order, not durations.
func TestSlowClientsDoNotHoldSlots(t *testing.T) {
	f := newFixture(t)
	addr, active := liveServer(t, f, time.Minute)
	body := "name=editor1&password=x&_csrf=nothing"
	var slow []net.Conn
	for range 4 {
		slow = append(slow, slowRequest(t, addr, "POST", "/login", "application/x-www-form-urlencoded", len(body), body[:3]))
	}
	for range slow {
		select {
		case <-active:
		case <-time.After(30 * time.Second):
			t.Fatal("the server never started reading the slow requests")
		}
	}
	// Every slow client is still mid-body (they cannot finish before we
	// send the rest): the health check must not wait for them.
	hc := &http.Client{Timeout: 30 * time.Second}
	res, err := hc.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatalf("/healthz while slow clients hold bodies open: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("/healthz: %d, want 200", res.StatusCode)
	}
	// Now the slow clients finish and are answered (403: no login CSRF
	// cookie), one slot being enough for all.
	var wg sync.WaitGroup
	codes := make([]int, len(slow))
	for i, c := range slow {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := io.WriteString(c, body[3:]); err != nil {
				t.Errorf("finish slow body: %v", err)
				return
			}
			codes[i], _ = readStatus(t, c)
		}()
	}
	wg.Wait()
	for i, code := range codes {
		if code != http.StatusForbidden {
			t.Errorf("slow client %d: %d, want 403", i, code)
		}
	}
}

// TestSlowBodyTimesOut: a body that stops arriving is answered 408 once the
// body timeout passes, and the slot was never taken (/healthz answers).
func TestSlowBodyTimesOut(t *testing.T) {
	f := newFixture(t)
	addr, _ := liveServer(t, f, 200*time.Millisecond)
	for _, tc := range []struct {
		path, ctype, code string
	}{
		{"/login", "application/x-www-form-urlencoded", ""},
		{"/api/v1/sources", "application/json", "request_timeout"},
	} {
		c := slowRequest(t, addr, "POST", tc.path, tc.ctype, 100, "{")
		status, b := readStatus(t, c)
		if status != http.StatusRequestTimeout {
			t.Errorf("%s: stalled body: %d, want 408", tc.path, status)
		}
		if tc.code != "" && !strings.Contains(b, `"code":"`+tc.code+`"`) {
			t.Errorf("%s: body %q lacks code %s", tc.path, b, tc.code)
		}
	}
}

// TestOversizeBody: a body over 1 MiB is refused with 413, for the API
// (JSON, code too_large) and for forms (an error page, not "form
// expired"), whether its length is declared or it is sent chunked.
func TestOversizeBody(t *testing.T) {
	f := newFixture(t)
	addr, _ := liveServer(t, f, 10*time.Second)
	ed := f.login("editor")
	big := strings.Repeat("a", maxBody+1)
	for _, tc := range []struct {
		name, path, ctype, body string
		chunked                 bool
		wantCode                string // JSON error code, "" for a page
	}{
		{"api declared", "/api/v1/sources", "application/json", `{"key":"x","kind":"testimony","title":"` + big + `"}`, false, "too_large"},
		{"api chunked", "/api/v1/sources", "application/json", `{"key":"x","kind":"testimony","title":"` + big + `"}`, true, "too_large"},
		{"form declared", "/sources", "application/x-www-form-urlencoded", "key=x&title=" + big, false, ""},
		{"form chunked", "/sources", "application/x-www-form-urlencoded", "key=x&title=" + big, true, ""},
		{"login", "/login", "application/x-www-form-urlencoded", "name=a&password=" + big, false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rd := io.Reader(strings.NewReader(tc.body))
			if tc.chunked {
				rd = io.MultiReader(rd) // hides the length: sent chunked
			}
			req, _ := http.NewRequest("POST", "http://"+addr+tc.path, rd)
			req.Header.Set("Content-Type", tc.ctype)
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: ed.cookie})
			req.Header.Set(csrfHeader, ed.csrf)
			res, err := (&http.Client{Timeout: 30 * time.Second, CheckRedirect: noRedirect.CheckRedirect}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("%d, want 413", res.StatusCode)
			}
			b, _ := io.ReadAll(res.Body)
			if tc.wantCode != "" {
				var e apiError
				if err := json.Unmarshal(b, &e); err != nil || e.Error.Code != tc.wantCode {
					t.Fatalf("body %q: code %q, want %s", b, e.Error.Code, tc.wantCode)
				}
			} else if strings.Contains(string(b), "expired") {
				t.Fatalf("an oversize form is reported as expired")
			}
		})
	}
	// At the limit it is accepted (the form is checked as usual).
	res, _ := ed.do("POST", "/api/v1/sources", []byte(`{"key":"at-limit","kind":"testimony","title":"`+strings.Repeat("a", maxBody-60)+`"}`))
	if res.StatusCode == http.StatusRequestEntityTooLarge {
		t.Fatalf("a body just under the limit: %d", res.StatusCode)
	}
}
