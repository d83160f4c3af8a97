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

// TestBrowserDocumenterKorean is a documenter's task in Korean mode with
// headless Chromium on the real program (Main running "demo"): log in,
// switch to Korean, create a source with its informant and testimony, add
// two records of one person in two scripts (박순옥 and Pak Sun-ok, same sex,
// born "1968년 3월") choosing the facility with the picker, see a bad
// facility refused next to its field, see the two records become one person
// within seconds (live linkage), and open the Korean dashboard and
// estimates pages. Screenshots go under $ROLLCALL_ARTIFACTS (or a
// temporary directory).
func TestBrowserDocumenterKorean(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	browser := findBrowser(t)
	artifacts := os.Getenv("ROLLCALL_ARTIFACTS")
	if artifacts == "" {
		artifacts = t.TempDir()
	}
	artifacts = filepath.Join(artifacts, "documenter-ko")
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
	bctx, cancelT := context.WithTimeout(bctx, 150*time.Second)
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
	value := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Value(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("value of %s: %v", sel, err)
		}
		return s
	}
	// pick types q into a picker and clicks the candidate whose text holds want.
	pick := func(step, field, q, want string) {
		t.Helper()
		do(step+" type", chromedp.SendKeys(chromedp.ID("f-"+field), q),
			chromedp.WaitVisible(chromedp.CSS("#pick-"+field+" button.pick-item")))
		n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`(function(){var bs=document.querySelectorAll("#pick-`+field+` button.pick-item");`+
			`for(var i=0;i<bs.length;i++){if(bs[i].textContent.indexOf(`+jsString(want)+`)>=0){bs[i].click();return i+1}}return 0})()`))
		if err != nil || n == 0 {
			shot(t, bctx, artifacts, "failed-"+step)
			t.Fatalf("%s: no candidate %q for %q (%v)", step, want, q, err)
		}
	}

	// Log in and switch to Korean.
	do("open", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.ID("password")))
	do("login", chromedp.SendKeys(chromedp.ID("name"), "demo"), chromedp.SendKeys(chromedp.ID("password"), pw[1]),
		chromedp.Click(chromedp.ID("login")), chromedp.WaitVisible(chromedp.CSS("nav.main")))
	do("korean", chromedp.Click(chromedp.ID("lang-switch")), chromedp.WaitVisible(chromedp.CSS(`html[lang="ko"] nav.main`)))
	shot(t, bctx, artifacts, "01-dashboard-ko")

	// A new source: a testimony with its informant, consent and words.
	do("new source", chromedp.Navigate(base+"/sources/new"), chromedp.WaitVisible(chromedp.ID("f-title")),
		chromedp.SendKeys(chromedp.ID("f-key"), "ko-browser-1"), chromedp.SetValue(chromedp.ID("f-kind"), "testimony"),
		chromedp.SendKeys(chromedp.ID("f-title"), "탈북민 면담 (가상, 브라우저 시험)"), chromedp.SendKeys(chromedp.ID("f-date"), "2019년 5월"),
		chromedp.SendKeys(chromedp.ID("f-informant_name"), "제보자 가명 ㄱ"),
		chromedp.SendKeys(chromedp.ID("f-informant_contact"), "가상 연락처 010-0000-0000"),
		chromedp.Click(chromedp.CSS(`input[name="informant_consent"][value="research"]`)),
		chromedp.Click(chromedp.CSS(`input[name="informant_consent"][value="un"]`)),
		chromedp.SendKeys(chromedp.ID("f-informant_testimony"), "박순옥은 1999년 요덕에서 함께 있었다 (가상 증언)."),
		chromedp.Click(chromedp.ID("f-fictional")))
	if s := text("main"); !strings.Contains(s, "제보자") || !strings.Contains(s, "기밀") {
		t.Errorf("source form is not in Korean or does not mark the confidential fields:\n%s", s)
	}
	shot(t, bctx, artifacts, "02-source-form-ko")
	do("save source", chromedp.Click(chromedp.ID("save")), chromedp.WaitVisible(chromedp.ID("add-record")))
	if s := text("main"); !strings.Contains(s, "2019년 5월") || !strings.Contains(s, "가상") || !strings.Contains(s, "요덕에서 함께") {
		t.Errorf("source page lacks the date, the fictional mark or the testimony (admin sees it):\n%s", s)
	}
	shot(t, bctx, artifacts, "03-source-ko")
	sourceURL, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}

	// The first record, in hangul; a facility that does not exist is refused
	// next to its field and nothing is saved.
	do("new record", chromedp.Click(chromedp.ID("add-record")), chromedp.WaitVisible(chromedp.ID("f-name")),
		chromedp.SendKeys(chromedp.ID("f-key"), "ko-r1"), chromedp.SendKeys(chromedp.ID("f-name"), "박순옥"),
		chromedp.SetValue(chromedp.ID("f-sex"), "f"), chromedp.SendKeys(chromedp.ID("f-birth_date"), "1968년 3월"),
		chromedp.SendKeys(chromedp.ID("f-facility_id"), "아틀란티스 수용소"),
		chromedp.SendKeys(chromedp.ID("f-testimony"), "요덕에서 봤다는 증언 (가상)"))
	do("bad facility", chromedp.Click(chromedp.ID("save")), chromedp.WaitVisible(chromedp.ID("e-facility_id")))
	if s := text("#e-facility_id"); !strings.Contains(s, "시설") || !strings.Contains(s, "아틀란티스") {
		t.Errorf("the facility error does not say what is wrong: %q", s)
	}
	if v := value("#f-name"); v != "박순옥" {
		t.Errorf("the form lost the typed name: %q", v)
	}
	shot(t, bctx, artifacts, "04-record-bad-facility-ko")
	do("clear facility", chromedp.Clear(chromedp.ID("f-facility_id")))
	pick("facility 1", "facility_id", "요덕", "요덕")
	if v := value("#f-facility_id"); !regexp.MustCompile(`요덕.*\(#\d+\)$`).MatchString(v) {
		t.Errorf("the picker did not fill the facility: %q", v)
	}
	shot(t, bctx, artifacts, "05-record-picker-ko")
	do("save record 1", chromedp.Click(chromedp.ID("save")), chromedp.WaitVisible(chromedp.CSS("dl.facts")))
	if s := text("main"); !strings.Contains(s, "박순옥") || !strings.Contains(s, "1968년 3월") {
		t.Errorf("record page lacks the name or the birth month:\n%s", s)
	}
	shot(t, bctx, artifacts, "06-record-1-ko")

	// The second record, romanized, the facility picked by its romanized name.
	do("new record 2", chromedp.Navigate(sourceURL), chromedp.WaitVisible(chromedp.ID("add-record")),
		chromedp.Click(chromedp.ID("add-record")), chromedp.WaitVisible(chromedp.ID("f-name")),
		chromedp.SendKeys(chromedp.ID("f-key"), "ko-r2"), chromedp.SendKeys(chromedp.ID("f-name"), "Pak Sun-ok"),
		chromedp.SetValue(chromedp.ID("f-sex"), "f"), chromedp.SendKeys(chromedp.ID("f-birth_date"), "1968년 3월"))
	pick("facility 2", "facility_id", "Yodok", "요덕")
	do("save record 2", chromedp.Click(chromedp.ID("save")), chromedp.WaitVisible(chromedp.CSS("dl.facts")))
	if s := text("main"); !strings.Contains(s, "Pak Sun-ok") || !strings.Contains(s, "요덕") {
		t.Errorf("record page lacks the name or the facility:\n%s", s)
	}
	record2URL, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	shot(t, bctx, artifacts, "07-record-2-ko")

	// The source lists both records.
	do("source again", chromedp.Navigate(sourceURL), chromedp.WaitVisible(chromedp.ID("add-record")))
	if s := text("main"); !strings.Contains(s, "박순옥") || !strings.Contains(s, "Pak Sun-ok") {
		t.Errorf("the source does not list both records:\n%s", s)
	}
	shot(t, bctx, artifacts, "08-source-records-ko")

	// The person appears: the server links 박순옥 and Pak Sun-ok into one
	// person within seconds (live linkage), and the record page says so.
	var personURL string
	for deadline := time.Now().Add(15 * time.Second); ; {
		do("record 2 again", chromedp.Navigate(record2URL), chromedp.WaitVisible(chromedp.CSS("dl.facts")))
		href, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(document.querySelector('main a[href^="/persons/"]') || {}).href || ""`))
		if err != nil {
			t.Fatal(err)
		}
		if href != "" {
			personURL = href
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("record 2 has no person after 15 s:\n%s", text("main"))
		}
		time.Sleep(500 * time.Millisecond)
	}
	do("person", chromedp.Navigate(personURL), chromedp.WaitVisible(chromedp.CSS("main")))
	if s := text("main"); !strings.Contains(s, "박순옥") || !strings.Contains(s, "Pak Sun-ok") {
		t.Errorf("the person page does not hold both records:\n%s", s)
	}
	shot(t, bctx, artifacts, "08b-person-ko")

	// The Korean dashboard and estimates pages.
	do("dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("section.counts")))
	if s := text("main"); !strings.Contains(s, "대시보드") && !strings.Contains(s, "자체 추정치") {
		t.Errorf("dashboard not in Korean:\n%s", s)
	}
	shot(t, bctx, artifacts, "09-dashboard-ko")
	do("estimates", chromedp.Navigate(base+"/estimates"), chromedp.WaitVisible(chromedp.ID("est-caveat")))
	if s := text("main"); !strings.Contains(s, "추정 결과와 설명") || !strings.Contains(s, "이질적 포획") || !strings.Contains(s, "가상") {
		t.Errorf("estimates page lacks the Korean explanation, the caveat or the fictional mark:\n%.2000s", s)
	}
	shot(t, bctx, artifacts, "10-estimates-ko")
	csp, err := chromedp.Run(bctx, chromedp.Evaluate[string](`(document.documentElement.dataset.cspViolations || "0") + " " + (document.documentElement.dataset.cspLast || "")`))
	if err != nil || !strings.HasPrefix(csp, "0 ") {
		t.Errorf("Content-Security-Policy violations: %q %v", csp, err)
	}
	t.Logf("screenshots in %s", artifacts)
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
