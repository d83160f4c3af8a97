package web

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
	"github.com/rollcall-project/rollcall/internal/publish"
)

// This file checks the web protections from the security side (issue 7):
// headers, cookies, no user enumeration, and that no route shows a
// confidential value to a role that may not read it.

func TestSecurityHeaders(t *testing.T) { eachFixture(t, testSecurityHeaders) }

func testSecurityHeaders(t *testing.T, f *fixture) {
	c := f.login("admin")
	for _, p := range []string{"/login", "/", "/persons", "/api/v1/me", "/healthz", "/no-such-page"} {
		cl := c
		if p == "/login" {
			cl = f.login("")
		}
		res, _ := cl.do("GET", p, nil)
		h := res.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"script-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", p, csp, want)
			}
		}
		for _, bad := range []string{"'unsafe-inline'", "'unsafe-eval'", "*;", " data: 'self'; script"} {
			if strings.Contains(csp, bad) {
				t.Errorf("%s: CSP %q allows %s", p, csp, bad)
			}
		}
		for k, want := range map[string]string{
			"Referrer-Policy":        "no-referrer",
			"X-Content-Type-Options": "nosniff",
			"X-Frame-Options":        "DENY",
		} {
			if got := h.Get(k); got != want {
				t.Errorf("%s: %s = %q, want %q", p, k, got, want)
			}
		}
		for _, feature := range []string{"camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"} {
			if pp := h.Get("Permissions-Policy"); !strings.Contains(pp, feature) {
				t.Errorf("%s: Permissions-Policy %q does not deny %s", p, pp, feature)
			}
		}
	}
}

var (
	inlineScript = regexp.MustCompile(`(?is)<script(?:\s[^>]*)?>\s*[^<\s]`)
	scriptTag    = regexp.MustCompile(`(?is)<script\b[^>]*>`)
	eventAttr    = regexp.MustCompile(`(?i)\son[a-z]+\s*=`)
	jsURL        = regexp.MustCompile(`(?i)(href|src|action)\s*=\s*["']?\s*javascript:`)
)

// TestNoInlineScript: the CSP forbids inline script, so pages must not need
// any; a page that does would silently break, or tempt someone to weaken
// the policy.
func TestNoInlineScript(t *testing.T) { eachFixture(t, testNoInlineScript) }

func testNoInlineScript(t *testing.T, f *fixture) {
	c := f.login("admin")
	pages := []string{"/", "/persons", "/sources", "/facilities", "/events", "/map", "/ledger", "/estimates", "/amnesty", "/review", "/search?q=kim",
		"/sources/new", "/facilities/new", "/events/new"}
	for _, k := range []string{"person", "source", "record", "facility"} {
		pages = append(pages, "/"+map[string]string{"person": "persons", "source": "sources", "record": "records", "facility": "facilities"}[k]+"/"+fmtInt(f.ids[k]))
	}
	check := func(p string, body []byte) {
		s := string(body)
		if inlineScript.MatchString(s) {
			t.Errorf("%s has an inline <script> body", p)
		}
		for _, tag := range scriptTag.FindAllString(s, -1) {
			if !strings.Contains(tag, "src=") {
				t.Errorf("%s has a script tag without src: %s", p, tag)
			}
		}
		if m := eventAttr.FindString(s); m != "" {
			t.Errorf("%s has an inline event handler %q", p, m)
		}
		if jsURL.MatchString(s) {
			t.Errorf("%s has a javascript: URL", p)
		}
	}
	for _, p := range pages {
		res, body := c.do("GET", p, nil)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status %d", p, res.StatusCode)
			continue
		}
		check(p, body)
	}
	_, body := f.login("").do("GET", "/login", nil)
	check("/login", body)
}

func fmtInt(n int64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// loginForm performs the browser login flow and returns the response.
func loginForm(t *testing.T, ts *httptest.Server, name, password string) (*http.Response, string) {
	t.Helper()
	res, err := noRedirect.Get(ts.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var tok string
	for _, c := range res.Cookies() {
		if c.Name == loginCSRF {
			tok = c.Value
		}
	}
	form := url.Values{"name": {name}, "password": {password}, csrfField: {tok}}
	req, _ := http.NewRequest("POST", ts.URL+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ts.URL)
	req.AddCookie(&http.Cookie{Name: loginCSRF, Value: tok})
	res, err = noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res, b.String()
}

func TestSessionCookieFlags(t *testing.T) {
	for _, secure := range []bool{false, true} {
		f := newFixture(t)
		srv, err := New(Config{Store: f.st, Auth: f.svc, Logger: slog.New(slog.DiscardHandler), SecureCookies: secure})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		defer ts.Close()
		res, body := loginForm(t, ts, "viewer1", testPassword)
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("login: %d %s", res.StatusCode, body)
		}
		var sess *http.Cookie
		for _, c := range res.Cookies() {
			if c.Name == sessionCookie && c.Value != "" {
				sess = c
			}
		}
		if sess == nil {
			t.Fatal("no session cookie after login")
		}
		if !sess.HttpOnly || sess.Path != "/" || (sess.SameSite != http.SameSiteLaxMode && sess.SameSite != http.SameSiteStrictMode) {
			t.Errorf("session cookie flags: %+v", sess)
		}
		if sess.Secure != secure {
			t.Errorf("SecureCookies=%v but cookie Secure=%v", secure, sess.Secure)
		}
		if len(sess.Value) < 32 {
			t.Errorf("session id only %d characters", len(sess.Value))
		}
	}
}

// TestNoUserEnumeration: a wrong password for a real user and any password
// for a user that does not exist give the same answer.
func TestNoUserEnumeration(t *testing.T) { eachFixture(t, testNoUserEnumeration) }

func testNoUserEnumeration(t *testing.T, f *fixture) {
	norm := func(body, name string) string {
		body = strings.ReplaceAll(body, name, "NAME")
		return regexp.MustCompile(`value="[A-Za-z0-9_\-=+/]{20,}"`).ReplaceAllString(body, `value="TOKEN"`)
	}
	r1, b1 := loginForm(t, f.ts, "editor1", "wrong password here")
	r2, b2 := loginForm(t, f.ts, "nosuchuser", "wrong password here")
	if r1.StatusCode != r2.StatusCode {
		t.Fatalf("status for a wrong password %d, for an unknown user %d", r1.StatusCode, r2.StatusCode)
	}
	if norm(b1, "editor1") != norm(b2, "nosuchuser") {
		t.Fatal("login answers differ between an unknown user and a wrong password")
	}
	// The API's token check must not tell either.
	for _, tok := range []string{"rc_nonexistent", "garbage"} {
		res, _ := (&client{f: f, token: tok}).do("GET", "/api/v1/me", nil)
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("token %q: status %d", tok, res.StatusCode)
		}
	}
}

// confidential markers planted at every sensitivity level.
var secretMarks = []string{"Secret Informant", "secret@example.org", "confidential words",
	"PUBLIC-SRC-INFORMANT-MK", "PUBLIC-REC-TESTIMONY-MK", "CONF-SRC-INFORMANT-MK", "CONF-REC-TESTIMONY-MK"}

// TestConfidentialNeverReachesViewers walks every GET route of the route
// table (pages, API, search, lists) for every role and sensitivity level and
// checks that confidential values reach only editors and admins.
func TestConfidentialNeverReachesViewers(t *testing.T) {
	eachFixture(t, testConfidentialNeverReachesViewers)
}

func testConfidentialNeverReachesViewers(t *testing.T, f *fixture) {
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "t", Role: rollcall.RoleSystem})
	ids := map[rollcall.Sensitivity]int64{}
	for _, sv := range []struct {
		sens rollcall.Sensitivity
		inf  string
		test string
	}{{rollcall.Public, "PUBLIC-SRC-INFORMANT-MK", "PUBLIC-REC-TESTIMONY-MK"}, {rollcall.Confidential, "CONF-SRC-INFORMANT-MK", "CONF-REC-TESTIMONY-MK"}} {
		src := &rollcall.Source{Key: "sec-" + string(sv.sens), Kind: "testimony", Title: "Security " + string(sv.sens), Sensitivity: sv.sens,
			Informant: &rollcall.Informant{Name: sv.inf, Contact: sv.inf + "@x"}}
		if err := f.st.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		rec := &rollcall.Record{SourceID: src.ID, Key: "1", Name: "Security Person " + string(sv.sens), Testimony: sv.test, Sensitivity: sv.sens, PersonID: ptr(f.ids["person"])}
		if err := f.st.CreateRecord(ctx, rec); err != nil {
			t.Fatal(err)
		}
		ids[sv.sens] = src.ID
	}
	// A publication made after the planting, so its files are walked too.
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	f.srv.signer = priv
	if _, err := publish.Publish(ctx, f.st.Plain(), priv, publish.DefaultK, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	f.ids["publication"] = 1
	var paths []string
	for _, rt := range f.srv.routeTable() {
		if rt.Method != "GET" || rt.Pattern == "/static/" || rt.Pattern == "/metrics" {
			continue
		}
		p := strings.TrimSuffix(rt.Pattern, "{$}")
		p = strings.ReplaceAll(p, "{scheme}", rollcall.VocabSourceKind)
		if strings.Contains(p, "{file}") {
			// Every file of the publication.
			for _, file := range exportFiles {
				paths = append(paths, strings.NewReplacer("{id}", "1", "{file}", file).Replace(p))
			}
			continue
		}
		if strings.Contains(p, "{id}") {
			seg := strings.Split(strings.Split(p, "/{id}")[0], "/")
			kind := seg[len(seg)-1]
			id, ok := f.ids[kind]
			for _, k := range []string{strings.TrimSuffix(kind, "s"), strings.TrimSuffix(kind, "ies") + "y"} {
				if !ok {
					id, ok = f.ids[k]
				}
			}
			if !ok {
				t.Errorf("no fixture object for route %s", rt.Pattern)
				continue
			}
			if kind == "sources" {
				// Every sensitivity level of source.
				for _, sid := range []int64{id, ids[rollcall.Public], ids[rollcall.Confidential]} {
					paths = append(paths, strings.Replace(p, "{id}", fmtInt(sid), 1))
				}
				continue
			}
			p = strings.Replace(p, "{id}", fmtInt(id), 1)
		}
		paths = append(paths, p)
	}
	// Queries match the planted values but never equal one, so a page that
	// echoes the query back is not mistaken for a leak.
	for _, q := range []string{"Secret", "Informant", "secret", "example.org", "confidential", "words", "CONF", "INFORMANT", "TESTIMONY", "MK"} {
		qe := url.QueryEscape(q)
		paths = append(paths, "/search?q="+qe, "/api/v1/search?q="+qe, "/api/v1/sources?query="+qe, "/api/v1/records?query="+qe, "/sources?q="+qe)
	}
	for _, role := range auth.Roles {
		c := f.login(role)
		mayRead := rollcall.Actor{Role: role}.CanSeeConfidential()
		seen := false
		for _, p := range paths {
			_, body := c.do("GET", p, nil)
			for _, m := range secretMarks {
				if strings.Contains(string(body), m) {
					if !mayRead {
						t.Errorf("%s sees %q at GET %s", role, m, p)
					}
					seen = true
				}
			}
		}
		// Positive control: the routes do expose the values to those allowed,
		// so their absence for the others is meaningful.
		if mayRead && !seen {
			t.Errorf("%s saw no confidential value on any route: the test would prove nothing", role)
		}
	}
	// Anonymous requests see nothing at all.
	anon := f.login("")
	for _, p := range paths {
		_, body := anon.do("GET", p, nil)
		for _, m := range secretMarks {
			if strings.Contains(string(body), m) {
				t.Errorf("anonymous sees %q at GET %s", m, p)
			}
		}
	}
}

// apiReq is a goroutine-safe request helper (t.Error, never t.Fatal).
func apiReq(t *testing.T, c *client, method, path string, body []byte) (int, []byte) {
	req, err := http.NewRequest(method, c.f.ts.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	req.Header.Set("Content-Type", "application/json")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: c.cookie})
	req.Header.Set(csrfHeader, c.csrf)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// TestConcurrentWritersLoseNoUpdate: 50 editors each append their tag to
// the same record through the API with read-modify-write. Optimistic
// locking must turn every race into a 409 (and the writer retries), so the
// final value holds all 50 tags; a lost update would drop one.
func TestConcurrentWritersLoseNoUpdate(t *testing.T) {
	eachFixture(t, testConcurrentWritersLoseNoUpdate)
}

func testConcurrentWritersLoseNoUpdate(t *testing.T, f *fixture) {
	c := f.login("editor")
	path := "/api/v1/records/" + fmtInt(f.ids["record2"])
	const writers = 50
	var wg sync.WaitGroup
	var conflicts atomic.Int64
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tag := fmt.Sprintf("w%02d;", i)
			for attempt := 0; attempt < 500; attempt++ {
				st, b := apiReq(t, c, "GET", path, nil)
				if st != http.StatusOK {
					t.Errorf("GET: %d %s", st, b)
					return
				}
				var rec map[string]any
				json.Unmarshal(b, &rec)
				ch, _ := rec["charge"].(string)
				rec["charge"] = ch + tag
				nb, _ := json.Marshal(rec)
				st, b = apiReq(t, c, "PUT", path, nb)
				switch st {
				case http.StatusOK:
					return
				case http.StatusConflict:
					conflicts.Add(1)
					continue
				default:
					t.Errorf("PUT: %d %s", st, b)
					return
				}
			}
			t.Errorf("writer %d never got its update in", i)
		}()
	}
	wg.Wait()
	got, err := f.st.GetRecord(sysCtx(), f.ids["record2"])
	if err != nil {
		t.Fatal(err)
	}
	for i := range writers {
		if tag := fmt.Sprintf("w%02d;", i); strings.Count(got.Charge, tag) != 1 {
			t.Errorf("update of writer %d lost or doubled: %q", i, got.Charge)
		}
	}
	if got.Version != 1+writers {
		t.Errorf("version %d after %d updates", got.Version, writers)
	}
	t.Logf("%d conflicts reported and retried", conflicts.Load())
}

// TestServerUnderSustainedLoad: a loopback client keeps the server busy
// with a bounded number of requests; every one is answered and the heap
// does not grow without bound.
func TestServerUnderSustainedLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: sustained load test skipped")
	}
	f := newFixture(t)
	c := f.login("viewer")
	paths := []string{"/healthz", "/api/v1/persons?limit=50", "/api/v1/search?q=kim", "/persons", "/api/v1/records/" + fmtInt(f.ids["record"])}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	run := func(n int) {
		var wg sync.WaitGroup
		var next atomic.Int64
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := next.Add(1)
					if i > int64(n) {
						return
					}
					p := paths[int(i)%len(paths)]
					if st, b := apiReq(t, c, "GET", p, nil); st != http.StatusOK {
						t.Errorf("request %d GET %s: %d %.200s", i, p, st, b)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	run(500) // warm caches and pools
	before := heap()
	start := time.Now()
	run(4000)
	d := time.Since(start)
	after := heap()
	t.Logf("4000 requests in %v (%.0f/s); heap %d → %d KiB", d, 4000/d.Seconds(), before>>10, after>>10)
	if after > before+32<<20 {
		t.Errorf("heap grew by %d MiB over 4000 requests", (after-before)>>20)
	}
}

// FuzzLocalPath: the ?next= target after login must never leave the site
// (no open redirect), whatever the attacker puts in it.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/persons", "//evil.example", "/\\evil.example", "https://evil.example/", "/%2F%2Fevil", "/\t/evil", " //evil", "/ok?x=//evil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		p := localPath(next)
		// Browsers drop tabs and newlines from URLs and treat backslashes as
		// slashes (WHATWG URL), so check the form a browser would follow.
		norm := strings.NewReplacer("\\", "/", "\t", "", "\n", "", "\r", "").Replace(p)
		if !strings.HasPrefix(norm, "/") || strings.HasPrefix(norm, "//") {
			t.Fatalf("localPath(%q) = %q leaves the site in a browser", next, p)
		}
		u, err := url.Parse("https://rollcall.example/login")
		if err != nil {
			t.Fatal(err)
		}
		if v, err := u.Parse(norm); err == nil && (v.Host != "rollcall.example" || v.Scheme != "https") {
			t.Fatalf("localPath(%q) = %q redirects to %s", next, p, v)
		}
	})
}

// TestClientGoneIsNotAnError: a client that disconnects mid-request is
// logged at INFO as "client went away" with status 499, never as an
// ERROR 500 (which would page someone for nothing).
func TestClientGoneIsNotAnError(t *testing.T) {
	f := newFixture(t)
	var logs lockedBuffer
	srv, err := New(Config{Store: f.st, Auth: f.svc, Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	secret, _, err := f.svc.NewToken(context.Background(), "viewer1", "gone", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/records?limit=5", "/api/v1/search?q=kim", "/persons", "/"} {
		request := func() *http.Request {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the client is gone before the server reads the database
			req := httptest.NewRequest("GET", path, nil).WithContext(ctx)
			req.Header.Set("Authorization", "Bearer "+secret)
			return req
		}
		// The handler alone, synchronously (the whole server runs it under
		// a timeout handler that returns without waiting for it): the
		// store's context error is no 500 and no ERROR.
		logs.Reset()
		req := request()
		req = req.WithContext(context.WithValue(req.Context(), stateKey{}, &reqState{}))
		rec := httptest.NewRecorder()
		srv.authenticate(srv.mux).ServeHTTP(rec, req)
		if out := logs.String(); rec.Code == 500 || strings.Contains(out, `"level":"ERROR"`) {
			t.Errorf("%s: the handler answers %d and logs an error for a client that went away:\n%s", path, rec.Code, out)
		}
		// The whole server: one INFO line with status 499.
		logs.Reset()
		srv.ServeHTTP(httptest.NewRecorder(), request())
		out := logs.String()
		if strings.Contains(out, `"level":"ERROR"`) || strings.Contains(out, `"status":500`) {
			t.Errorf("%s: a client that went away is logged as an error:\n%s", path, out)
		}
		if !strings.Contains(out, `"msg":"client went away"`) || !strings.Contains(out, `"status":499`) {
			t.Errorf("%s: no INFO \"client went away\" with status 499:\n%s", path, out)
		}
	}
}

// lockedBuffer is a bytes.Buffer safe for a logger written from handler
// goroutines that outlive the request.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *lockedBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}
