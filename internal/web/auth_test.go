package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var csrfInput = regexp.MustCompile(`name="_csrf" value="([^"]*)"`)

// browserLogin logs in through the form as a browser does and returns the
// session cookie value and the response.
func browserLogin(t *testing.T, f *fixture, name, password string, planted string) (string, *http.Response, []byte) {
	t.Helper()
	c := &client{f: f}
	res, b := c.do("GET", "/login", nil)
	var tok string
	for _, ck := range res.Cookies() {
		if ck.Name == loginCSRF {
			tok = ck.Value
		}
	}
	m := csrfInput.FindAllStringSubmatch(string(b), -1)
	if tok == "" || len(m) == 0 || m[len(m)-1][1] != tok {
		t.Fatalf("login form has no matching CSRF token (cookie %q)", tok)
	}
	c.loginCSRF = tok
	c.cookie = planted
	form := url.Values{"_csrf": {tok}, "name": {name}, "password": {password}, "next": {"/persons"}}
	res, b = c.do("POST", "/login", "form:"+form.Encode())
	for _, ck := range res.Cookies() {
		if ck.Name == sessionCookie && ck.MaxAge > 0 {
			if !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
				t.Errorf("session cookie not HttpOnly/SameSite=Lax: %+v", ck)
			}
			return ck.Value, res, b
		}
	}
	return "", res, b
}

func TestLoginLogout(t *testing.T) { eachFixture(t, testLoginLogout) }

func testLoginLogout(t *testing.T, f *fixture) {
	sid, res, _ := browserLogin(t, f, "editor1", testPassword, "")
	if sid == "" || res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/persons" {
		t.Fatalf("login: %d %q %q", res.StatusCode, res.Header.Get("Location"), sid)
	}
	c := &client{f: f, cookie: sid}
	res, b := c.do("GET", "/", nil)
	if res.StatusCode != 200 || !strings.Contains(string(b), "editor1") {
		t.Fatalf("dashboard after login: %d", res.StatusCode)
	}
	tok := csrfInput.FindStringSubmatch(string(b))[1]
	// Logout without the CSRF token is refused; with it, the session ends.
	res, _ = c.do("POST", "/logout", "form:")
	_ = res
	c2 := &client{f: f, cookie: sid}
	req, _ := http.NewRequest("POST", f.ts.URL+"/logout", strings.NewReader("_csrf="+tok))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sid})
	if r, err := noRedirect.Do(req); err != nil || r.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %v %v", r, err)
	}
	if res, _ := c2.do("GET", "/api/v1/me", nil); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("session still valid after logout: %d", res.StatusCode)
	}
}

// TestLoginNoEnumeration: an unknown user, a wrong password and a disabled
// account get the same status and message.
func TestLoginNoEnumeration(t *testing.T) { eachFixture(t, testLoginNoEnumeration) }

func testLoginNoEnumeration(t *testing.T, f *fixture) {
	if err := f.svc.SetDisabled(sysCtx(), "viewer1", true); err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, c := range [][2]string{{"nosuchuser", testPassword}, {"editor1", "wrong password!"}, {"viewer1", testPassword}} {
		sid, res, b := browserLogin(t, f, c[0], c[1], "")
		if sid != "" || res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("%s: status %d, session %q", c[0], res.StatusCode, sid)
		}
		msg := regexp.MustCompile(`role="alert">([^<]*)<`).FindStringSubmatch(string(b))
		if msg == nil {
			t.Fatalf("%s: no message", c[0])
		}
		bodies = append(bodies, msg[1])
	}
	if bodies[0] != bodies[1] || bodies[1] != bodies[2] {
		t.Errorf("login messages differ: %q", bodies)
	}
}

// TestSessionFixation: a session id held before login is not the one
// after, and the planted one stays worthless.
func TestSessionFixation(t *testing.T) { eachFixture(t, testSessionFixation) }

func testSessionFixation(t *testing.T, f *fixture) {
	planted := f.login("viewer").cookie
	sid, _, _ := browserLogin(t, f, "editor1", testPassword, planted)
	if sid == "" || sid == planted {
		t.Fatalf("session id not rotated at login")
	}
	if res, _ := (&client{f: f, cookie: planted}).do("GET", "/api/v1/me", nil); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("the pre-login session still works: %d", res.StatusCode)
	}
}

// TestLoginRateLimit: failures on one account from one address are
// throttled (429 with Retry-After, even for the right password), while the
// other accounts behind the same address (a proxy) still log in.
func TestLoginRateLimit(t *testing.T) { eachFixture(t, testLoginRateLimit) }

func testLoginRateLimit(t *testing.T, f *fixture) {
	now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	f.svc.Limiter.Now = func() time.Time { return now }
	var last *http.Response
	for i := 0; i < 12; i++ {
		_, last, _ = browserLogin(t, f, "editor1", "wrong password!", "")
	}
	if last.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("after 12 failures: %d, want 429", last.StatusCode)
	}
	if ra, err := strconv.Atoi(last.Header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After %q", last.Header.Get("Retry-After"))
	}
	// Even the right password is refused while throttled.
	if sid, res, _ := browserLogin(t, f, "editor1", testPassword, ""); sid != "" || res.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("throttled login succeeded: %d", res.StatusCode)
	}
	// Every test request comes from 127.0.0.1: another account still logs in.
	if sid, res, _ := browserLogin(t, f, "viewer1", testPassword, ""); sid == "" {
		t.Fatalf("viewer1 behind the same address: %d, want a session", res.StatusCode)
	}
	// Once the backoff has passed, the right password works again.
	now = now.Add(f.svc.Limiter.Cap)
	if sid, res, _ := browserLogin(t, f, "editor1", testPassword, ""); sid == "" {
		t.Fatalf("after the backoff: %d, want a session", res.StatusCode)
	}
}

// TestCSRF: a state-changing request with a session cookie needs the
// session's token; a cross-site browser request is refused outright.
func TestCSRF(t *testing.T) { eachFixture(t, testCSRF) }

func testCSRF(t *testing.T, f *fixture) {
	c := f.login("editor")
	body := `{"key":"csrf-1","kind":"testimony","title":"t"}`
	for _, tc := range []struct {
		name   string
		token  string
		header map[string]string
		want   int
	}{
		{"no token", "", nil, http.StatusForbidden},
		{"wrong token", "nope", nil, http.StatusForbidden},
		{"cross-site", c.csrf, map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"good", c.csrf, nil, http.StatusCreated},
	} {
		req, _ := http.NewRequest("POST", f.ts.URL+"/api/v1/sources", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: c.cookie})
		if tc.token != "" {
			req.Header.Set(csrfHeader, tc.token)
		}
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		res, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, res.StatusCode, tc.want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{"/persons?q=1": "/persons?q=1", "//evil.example": "/", "https://evil.example": "/", "/\\evil": "/", "": "/"} {
		if got := localPath(in); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}
