package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// syncBuffer is a bytes.Buffer safe for the server goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// browserNames are the names Chromium and Chrome install under, in the
// order they are tried on PATH.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// findBrowser returns the path of the first of browserNames on PATH, or
// skips the test saying which names it looked for.
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range browserNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skipf("browser test skipped: none of %s on PATH (apt-get install chromium)", strings.Join(browserNames, ", "))
	return ""
}

// TestBrowser drives the real program (Main running "demo" on 127.0.0.1:0)
// with headless Chromium: log in, create a source with a record, find it
// by a romanized search for its hangul name, review a linkage pair with the
// keyboard, switch to Korean, and see the facility markers on the map.
// It saves a screenshot of each page under $ROLLCALL_ARTIFACTS (or a
// temporary directory).
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browser := findBrowser(t)
	artifacts := os.Getenv("ROLLCALL_ARTIFACTS")
	if artifacts == "" {
		artifacts = t.TempDir()
	}
	if err := os.MkdirAll(artifacts, 0o755); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var out syncBuffer
	m := NewMain()
	m.Stdin, m.Stdout, m.Stderr = strings.NewReader(""), &out, &out
	m.Getenv = func(string) string { return "" }
	ctx, stop := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() {
		errc <- m.Run(ctx, []string{"demo", "--db", filepath.Join(dir, "demo.db"), "--addr", "127.0.0.1:0", "--persons", "60"})
	}()
	t.Cleanup(func() {
		stop()
		if err := <-errc; err != nil {
			t.Errorf("server: %v", err)
		}
		m.Close()
	})
	var base string
	select {
	case base = <-m.Ready():
	case err := <-errc:
		t.Fatalf("demo ended early: %v\n%s", err, out.String())
	case <-time.After(60 * time.Second):
		t.Fatalf("demo not ready after 60 s:\n%s", out.String())
	}
	pw := regexp.MustCompile(`user demo, password (\S+)`).FindStringSubmatch(out.String())
	if pw == nil {
		t.Fatalf("no demo password printed:\n%s", out.String())
	}

	actx, cancelA := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.Headless, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(filepath.Join(dir, "chromium")),
		chromedp.WindowSize(1280, 900))
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	bctx, cancelT := context.WithTimeout(bctx, 120*time.Second)
	defer cancelT()

	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			shot(t, bctx, artifacts, "failed-"+step)
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}

	// Log in (an anonymous visit is sent to the login form).
	do("open", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("password")))
	shot(t, bctx, artifacts, "01-login")
	do("login", chromedp.SendKeys(chromedp.ID("name"), "demo"), chromedp.SendKeys(chromedp.ID("password"), pw[1]),
		chromedp.Click(chromedp.ID("login")), chromedp.WaitVisible(chromedp.CSS("nav.main")))
	shot(t, bctx, artifacts, "02-dashboard")

	// Create a source, then a record with a hangul name.
	do("new source", chromedp.Navigate(base+"/sources/new"), chromedp.WaitVisible(chromedp.ID("f-title")),
		chromedp.SendKeys(chromedp.ID("f-key"), "browser-1"), chromedp.SetValue(chromedp.ID("f-kind"), "testimony"),
		chromedp.SendKeys(chromedp.ID("f-title"), "Browser test interview"), chromedp.SendKeys(chromedp.ID("f-date"), "1987년 3월"),
		chromedp.Click(chromedp.ID("f-fictional")))
	shot(t, bctx, artifacts, "03-source-form")
	do("save source", chromedp.Click(chromedp.ID("save")), chromedp.WaitVisible(chromedp.ID("add-record")))
	if s := text("main"); !strings.Contains(s, "March 1987") || !strings.Contains(strings.ToLower(s), "fictional") {
		t.Errorf("source page lacks the month-precision date or the fictional badge:\n%s", s)
	}
	shot(t, bctx, artifacts, "04-source")
	do("new record", chromedp.Click(chromedp.ID("add-record")), chromedp.WaitVisible(chromedp.ID("f-name")),
		chromedp.SendKeys(chromedp.ID("f-key"), "b1"), chromedp.SendKeys(chromedp.ID("f-name"), "김영희"),
		chromedp.SendKeys(chromedp.ID("f-birth_date"), "c. 1961"), chromedp.Click(chromedp.ID("save")),
		chromedp.WaitVisible(chromedp.CSS("dl.facts")))
	shot(t, bctx, artifacts, "05-record")

	// A romanized search finds the hangul name.
	do("search", chromedp.Navigate(base+"/search?q=Kim+Young-hee"), chromedp.WaitVisible(chromedp.ID("results")))
	if s := text("#results"); !strings.Contains(s, "김영희") {
		t.Errorf("romanized search did not find 김영희:\n%s", s)
	}
	shot(t, bctx, artifacts, "06-search")

	// Review the first pair with the keyboard: s = same person.
	do("review", chromedp.Navigate(base+"/review"), chromedp.WaitVisible(chromedp.ID("review-form")))
	shot(t, bctx, artifacts, "07-review")
	do("decide", chromedp.KeyEvent("s"), chromedp.WaitVisible(chromedp.CSS("p.flash")))
	if s := text("p.flash"); !strings.Contains(s, "same person") {
		t.Errorf("no confirmation of the decision: %q", s)
	}

	// Switch to Korean.
	do("korean", chromedp.Click(chromedp.ID("lang-switch")), chromedp.WaitVisible(chromedp.CSS(`html[lang="ko"] nav.main`)))
	if s := text("nav.main"); !strings.Contains(s, "검색") {
		t.Errorf("navigation not in Korean: %q", s)
	}
	shot(t, bctx, artifacts, "08-review-ko")

	// The facility map shows markers on the offline base map.
	do("map", chromedp.Navigate(base+"/map"), chromedp.WaitVisible(chromedp.CSS("#map[data-markers]")))
	n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll(".facility-marker").length`))
	if err != nil || n == 0 {
		t.Errorf("no facility markers on the map (%d, %v)", n, err)
	}
	paths, _ := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll(".leaflet-overlay-pane path").length`))
	if paths <= n {
		t.Errorf("no country shapes under the markers (%d paths, %d markers)", paths, n)
	}
	shot(t, bctx, artifacts, "09-map-ko")
	csp, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(document.documentElement.dataset.cspViolations || "0") + " " + (document.documentElement.dataset.cspLast || "")`))
	if err != nil || !strings.HasPrefix(csp, "0 ") {
		t.Errorf("Content-Security-Policy violations on the map page: %q %v", csp, err)
	}

	// Person and facility pages.
	do("person", chromedp.Navigate(base+"/persons/1"), chromedp.WaitVisible(chromedp.CSS("table.compare")),
		chromedp.WaitVisible(chromedp.ID("amnesty-decisions"))) // loaded by htmx after the page
	shot(t, bctx, artifacts, "10-person-ko")
	do("facility", chromedp.Navigate(base+"/facilities"), chromedp.Click(chromedp.CSS("table.list tbody a")),
		chromedp.WaitVisible(chromedp.CSS("#map[data-markers]")))
	shot(t, bctx, artifacts, "11-facility-ko")
	do("amnesty", chromedp.Navigate(base+"/amnesty"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	shot(t, bctx, artifacts, "12-amnesty-ko")

	// The demo account is an admin and the demo server holds the signing
	// key: publishing from the page records publication 1 and offers its
	// files.
	do("publish", chromedp.Navigate(base+"/publications"), chromedp.WaitVisible(chromedp.ID("publish")),
		chromedp.Click(chromedp.ID("publish")), chromedp.WaitVisible(chromedp.ID("publication-done")))
	if s := text("#publication-done"); !strings.Contains(s, "1") || !strings.Contains(s, "export.json.proof") {
		t.Errorf("after publishing: %q", s)
	}
	shot(t, bctx, artifacts, "12b-publications-ko")

	// Mobile width: the person page stays readable (no horizontal page
	// scroll; wide tables scroll inside their box).
	do("mobile", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile), chromedp.Navigate(base+"/persons/1"),
		chromedp.WaitVisible(chromedp.CSS("table.compare")))
	w, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || w > 400 {
		t.Errorf("page wider than a phone: %d px (%v)", w, err)
	}
	shot(t, bctx, artifacts, "13-person-mobile-ko")
	t.Logf("screenshots in %s", artifacts)
}

func shot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	b, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), b, 0o644); err != nil {
		t.Errorf("screenshot %s: %v", name, err)
	}
}
