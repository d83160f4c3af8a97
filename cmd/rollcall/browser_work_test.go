package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserWork drives the demo in headless Chromium through the daily
// work that used to need the command line: run an estimate from the
// Estimates page and watch its progress until the result shows (htmx
// polling of the job), write a decree's rule with the check as typed
// (unknown fact at line:column, then a preview), and record an outcome
// for an eligible person on the tracker, in Korean. No page may need an
// inline script or style. Screenshots go to $ROLLCALL_ARTIFACTS.
func TestBrowserWork(t *testing.T) {
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
		errc <- m.Run(ctx, []string{"demo", "--db", filepath.Join(dir, "demo.db"), "--addr", "127.0.0.1:0", "--persons", "80"})
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
	case <-time.After(90 * time.Second):
		t.Fatalf("demo not ready:\n%s", out.String())
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
	bctx, cancelT := context.WithTimeout(bctx, 150*time.Second)
	defer cancelT()
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			shot(t, bctx, artifacts, "work-failed-"+step)
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
	noCSP := func(page string) {
		t.Helper()
		csp, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(document.documentElement.dataset.cspViolations || "0") + " " + (document.documentElement.dataset.cspLast || "")`))
		if err != nil || !strings.HasPrefix(csp, "0 ") {
			t.Errorf("Content-Security-Policy violations on %s: %q %v", page, csp, err)
		}
	}

	do("login", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("password")),
		chromedp.SendKeys(chromedp.ID("name"), "demo"), chromedp.SendKeys(chromedp.ID("password"), pw[1]),
		chromedp.Click(chromedp.ID("login")), chromedp.WaitVisible(chromedp.CSS("nav.main")))
	do("korean", chromedp.Click(chromedp.ID("lang-switch")), chromedp.WaitVisible(chromedp.CSS(`html[lang="ko"] nav.main`)))

	// An estimate from the Estimates page: the panel follows the job until
	// the result shows.
	do("estimates", chromedp.Navigate(base+"/estimates"), chromedp.WaitVisible(chromedp.ID("run-estimate")),
		chromedp.SetValue(chromedp.ID("run-method"), "lcmcr"), chromedp.SendKeys(chromedp.ID("run-seed"), "7"),
		chromedp.Click(chromedp.ID("run-estimate")), chromedp.WaitVisible(chromedp.CSS("#estimate-run .job")))
	shot(t, bctx, artifacts, "20-estimate-running-ko")
	do("estimate done", chromedp.WaitVisible(chromedp.CSS("#estimate-run .job-done .job-result")))
	if s := text("#estimate-run .job-done"); !strings.Contains(s, "잠재계층") || !strings.Contains(s, "완료") {
		t.Errorf("the finished estimate panel: %q", s)
	}
	shot(t, bctx, artifacts, "21-estimate-done-ko")
	noCSP("the estimates page")

	// A rule for the 2018 decree: checked as typed, then previewed and saved.
	do("rule editor", chromedp.Navigate(base+"/amnesty/kp-amnesty-2018/rule"), chromedp.WaitVisible(chromedp.ID("rule-text")),
		chromedp.SendKeys(chromedp.ID("rule-text"), "detained && shoe_size > 3"), chromedp.WaitVisible(chromedp.ID("rule-problems")))
	if s := text("#rule-problems"); !strings.Contains(s, "1:13") || !strings.Contains(s, "shoe_size") {
		t.Errorf("the problem as typed: %q", s)
	}
	shot(t, bctx, artifacts, "22-rule-problem-ko")
	do("use draft", chromedp.Click(chromedp.ID("use-draft")), chromedp.WaitVisible(chromedp.ID("rule-preview")))
	if s := text("#rule-preview"); !strings.Contains(s, "대상") {
		t.Errorf("preview: %q", s)
	}
	do("save rule", chromedp.SendKeys(chromedp.CSS(`input[name="note"]`), "browser test"), chromedp.Click(chromedp.ID("rule-save")),
		chromedp.WaitVisible(chromedp.ID("rule-saved")))
	shot(t, bctx, artifacts, "23-rule-saved-ko")
	noCSP("the rule editor")

	// An outcome for the first eligible person under the 2015 decree.
	do("tracker", chromedp.Navigate(base+"/amnesty/kp-amnesty-2015?decision=eligible"), chromedp.WaitVisible(chromedp.ID("decisions")),
		chromedp.Click(chromedp.CSS("#decisions tbody tr:first-child summary")),
		chromedp.WaitVisible(chromedp.CSS("#decisions tbody tr:first-child .outcome-form")),
		chromedp.SetValue(chromedp.CSS("#decisions tbody tr:first-child .outcome-form select"), "release_reported"),
		chromedp.SendKeys(chromedp.CSS(`#decisions tbody tr:first-child .outcome-form input[name="date"]`), "2015년 10월"),
		chromedp.SendKeys(chromedp.CSS(`#decisions tbody tr:first-child .outcome-form input[name="source"]`), "demo-amnesty-2015-monitoring"))
	shot(t, bctx, artifacts, "24-outcome-form-ko")
	do("save outcome", chromedp.Click(chromedp.CSS("#decisions tbody tr:first-child .outcome-form button")), chromedp.WaitVisible(chromedp.ID("flash")))
	if s := text("#flash"); !strings.Contains(s, "기록했습니다") {
		t.Errorf("no confirmation of the outcome: %q", s)
	}
	shot(t, bctx, artifacts, "25-outcome-saved-ko")
	noCSP("the tracker")
}
