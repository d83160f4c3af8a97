package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// cheap Argon2 parameters keep the tests fast; the format and code path
// are the same as in production.
var testParams = auth.Params{Memory: 64, Time: 1, Threads: 1, KeyLen: 32, SaltLen: 16}

const testPassword = "correct horse battery"

// fixture is a server over a real SQLite store with one object of each
// kind and one user per role.
type fixture struct {
	t   testing.TB
	st  *store.Store
	svc *auth.Service
	srv *Server
	ts  *httptest.Server
	ids map[string]int64 // "source", "record", "record2", "person", "facility", "event", ...
}

func testCipher(t testing.TB) rollcall.FieldCipher {
	k := bytes.Repeat([]byte{7}, 32)
	c, err := keys.NewCipher(1, map[byte][]byte{1: k}, bytes.Repeat([]byte{9}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	return newFixtureOn(t, filepath.Join(t.TempDir(), "test.db"))
}

// eachFixture runs f on a fixture over SQLite and, when configured, over a
// fresh PostgreSQL schema (see internal/storetest).
func eachFixture(t *testing.T, f func(t *testing.T, fx *fixture)) {
	t.Helper()
	storetest.Run(t, func(t *testing.T, db storetest.DB) { f(t, newFixtureOn(t, db.DSN)) })
}

// newFixtureOn builds the fixture on the database dsn (a SQLite path or a
// postgres:// URL).
func newFixtureOn(t testing.TB, dsn string) *fixture {
	t.Helper()
	ctx := sysCtx()
	st, err := store.Open(ctx, dsn, store.Options{NameKeys: textnorm.NameKeys, Cipher: testCipher(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc := auth.NewService(st)
	svc.Params = testParams
	srv, err := New(Config{Store: st, Auth: svc, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, svc: svc, srv: srv, ids: map[string]int64{}}
	f.ts = httptest.NewServer(srv)
	t.Cleanup(f.ts.Close)
	for _, r := range auth.Roles {
		if _, err := svc.AddUser(ctx, r+"1", r, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	f.seed()
	return f
}

func sysCtx() context.Context {
	return rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
}

func ptr[T any](v T) *T { return &v }

func (f *fixture) seed() {
	ctx := sysCtx()
	must := func(err error) {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
	}
	for _, t := range []rollcall.Term{
		{Scheme: rollcall.VocabSourceKind, Code: "testimony", LabelEn: "Testimony", LabelKo: "증언"},
		{Scheme: rollcall.VocabFacilityType, Code: "kwanliso", LabelEn: "Political prison camp", LabelKo: "관리소"},
		{Scheme: rollcall.VocabEventType, Code: "arrest", LabelEn: "Arrest", LabelKo: "체포"},
		{Scheme: rollcall.VocabFate, Code: "detained", LabelEn: "Detained", LabelKo: "구금 중"},
	} {
		must(f.st.UpsertTerm(ctx, t))
	}
	fac := &rollcall.Facility{Key: "kwanliso-15", Number: "15", NameEn: "Yodok", NameKo: "요덕", Type: "kwanliso",
		Lat: ptr(39.75), Lon: ptr(126.92), LocationPrecision: "approximate", PopulationEst: ptr(int64(50000)), PopulationYear: "2011"}
	must(f.st.CreateFacility(ctx, fac))
	src := &rollcall.Source{Key: "t-1", Kind: "testimony", Title: "Interview A", Date: rollcall.MustDate("2019-05"),
		Sensitivity: rollcall.Internal, Fictional: true, Informant: &rollcall.Informant{Name: "Secret Informant", Contact: "secret@example.org"}}
	must(f.st.CreateSource(ctx, src))
	rec := &rollcall.Record{SourceID: src.ID, Key: "1", Name: "김영희", Sex: "f", BirthDate: rollcall.MustDate("1961"),
		FacilityID: &fac.ID, ArrestDate: rollcall.MustDate("1999-03"), Testimony: "confidential words", Sensitivity: rollcall.Internal, Fictional: true}
	must(f.st.CreateRecord(ctx, rec))
	rec2 := &rollcall.Record{SourceID: src.ID, Key: "2", Name: "Kim Yong-hui", Sex: "f", BirthDate: rollcall.MustDate("c. 1962"),
		Sensitivity: rollcall.Internal, Fictional: true}
	must(f.st.CreateRecord(ctx, rec2))
	per := &rollcall.Person{Name: "Kim Young-hee", NameAlt: "김영희", Sex: "f", Sensitivity: rollcall.Internal, Fictional: true}
	must(f.st.CreatePerson(ctx, per))
	must(f.st.SetRecordPerson(ctx, rec.ID, &per.ID))
	ev := &rollcall.Event{Type: "arrest", Date: rollcall.MustDate("1999-03"), FacilityID: &fac.ID, Sensitivity: rollcall.Internal,
		Victims: []rollcall.Victim{{PersonID: &per.ID, Role: "victim"}}, SourceIDs: []int64{src.ID}, Fictional: true}
	must(f.st.CreateEvent(ctx, ev))
	pe := &rollcall.PublishedEstimate{Subject: "kwanliso-15", Period: "2011", Point: ptr(50000.0), Unit: "persons", Source: "Report X"}
	must(f.st.CreatePublishedEstimate(ctx, pe))
	dec := &rollcall.AmnestyDecree{Key: "kp-2015", Country: "KP", Title: "Amnesty 2015", Decreed: rollcall.MustDate("2015-07"), Rule: "true"}
	must(f.st.CreateAmnestyDecree(ctx, dec))
	fu := &rollcall.FollowUp{PersonID: per.ID, Date: rollcall.MustDate("2016"), Kind: "housing", Observation: "lives with family", Sensitivity: rollcall.Internal}
	must(f.st.CreateFollowUp(ctx, fu))
	must(f.st.ReplaceReviewQueue(ctx, []store.ReviewPair{{RecordA: rec.ID, RecordB: rec2.ID, Probability: 0.6}}))
	job := &store.Job{Kind: "estimate", Params: []byte(`{"method":"chao"}`), Actor: "test", ActorRole: rollcall.RoleSystem}
	_, err := f.st.EnqueueJob(ctx, job, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	must(err)
	f.ids = map[string]int64{"source": src.ID, "record": rec.ID, "record2": rec2.ID, "person": per.ID, "facility": fac.ID,
		"event": ev.ID, "published-estimate": pe.ID, "amnesty-decree": dec.ID, "follow-up": fu.ID, "job": job.ID}
}

// client is a logged-in browser: a session cookie and its CSRF token.
type client struct {
	f      *fixture
	cookie string
	csrf   string
	token  string // bearer token instead of a cookie
	// loginCSRF is sent as the pre-session cookie of the login form.
	loginCSRF string
}

func (f *fixture) login(role string) *client {
	f.t.Helper()
	if role == "" {
		return &client{f: f}
	}
	secret, sess, _, err := f.svc.Login(context.Background(), role+"1", testPassword, "test-"+role)
	if err != nil {
		f.t.Fatal(err)
	}
	return &client{f: f, cookie: secret, csrf: sess.CSRF}
}

// do sends a request; body is JSON (any), url.Values-encoded form (string
// starting with "form:") or nil. It returns the response and its body.
func (c *client) do(method, path string, body any) (*http.Response, []byte) {
	c.f.t.Helper()
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = strings.NewReader(strings.TrimPrefix(b, "form:")), "application/x-www-form-urlencoded"
	case []byte:
		rd, ctype = bytes.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		if err != nil {
			c.f.t.Fatal(err)
		}
		rd, ctype = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, c.f.ts.URL+path, rd)
	if err != nil {
		c.f.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: c.cookie})
		if method != http.MethodGet {
			req.Header.Set(csrfHeader, c.csrf)
		}
	}
	if c.loginCSRF != "" {
		req.AddCookie(&http.Cookie{Name: loginCSRF, Value: c.loginCSRF})
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		c.f.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.f.t.Fatal(err)
	}
	return res, b
}

var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// lang sets the client's interface language (saved with the account).
func (c *client) lang(lang string) {
	c.f.t.Helper()
	if res, b := c.do("POST", "/lang", "form:"+url.Values{"lang": {lang}, "next": {"/"}}.Encode()); res.StatusCode != http.StatusSeeOther {
		c.f.t.Fatalf("switch to %s: %d %s", lang, res.StatusCode, b)
	}
}
