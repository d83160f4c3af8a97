package web

import (
	"bytes"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/rollcall-project/rollcall/internal/demo"
	"github.com/rollcall-project/rollcall/internal/refdata"
)

// latinShare is the share of a page's visible words written in Latin
// letters among words in Latin or Hangul: the HTML text outside script,
// style and svg, split on white space; a word containing A–Z/a–z counts as
// Latin, one containing Hangul as Korean (numbers and signs count as
// neither). It returns the Latin words too, for the failure message.
func latinShare(t *testing.T, page []byte) (float64, []string) {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && (n.Data == "script" || n.Data == "style" || n.Data == "svg") {
			return
		}
		if n.Type == html.TextNode {
			text.WriteString(n.Data)
			text.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	var latin []string
	hangul := 0
	for _, w := range strings.Fields(text.String()) {
		switch {
		case latinWord.MatchString(w):
			latin = append(latin, w)
		case hangulWord.MatchString(w):
			hangul++
		}
	}
	if len(latin)+hangul == 0 {
		return 0, nil
	}
	return float64(len(latin)) / float64(len(latin)+hangul), latin
}

var (
	latinWord  = regexp.MustCompile(`[A-Za-z]`)
	hangulWord = regexp.MustCompile(`[\x{AC00}-\x{D7A3}]`)
)

func TestLatinShare(t *testing.T) {
	for _, c := range []struct {
		page string
		want float64
	}{
		{`<p>기록된 구금자 Kim</p><script>var english = "words"</script>`, 1.0 / 3},
		{`<p>2015 — 명</p><svg><text>legend words</text></svg><style>p{}</style>`, 0},
		{`<div>Amnesty <b>announced</b> 사면</div>`, 2.0 / 3},
	} {
		if got, _ := latinShare(t, []byte(c.page)); got != c.want {
			t.Errorf("%s: %v, want %v", c.page, got, c.want)
		}
	}
}

// TestKoreanModeIsKorean: in Korean mode the dashboard, amnesty, estimates,
// facilities, events and ledger pages of a demo database show at most 20 %
// of their words in Latin script (personal names stay as recorded).
func TestKoreanModeIsKorean(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a demo database (-short)")
	}
	f := newFixture(t)
	ctx := sysCtx()
	if err := refdata.Load(ctx, f.st); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Load(ctx, f.st, 150); err != nil {
		t.Fatal(err)
	}
	c := f.login("admin")
	if res, b := c.do("POST", "/lang", "form:"+url.Values{"lang": {"ko"}, "next": {"/"}}.Encode()); res.StatusCode != 303 {
		t.Fatalf("switch to Korean: %d %s", res.StatusCode, b)
	}
	for _, p := range []string{"/", "/amnesty", "/estimates", "/facilities", "/events", "/ledger"} {
		res, b := c.do("GET", p, nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d", p, res.StatusCode)
		}
		share, latin := latinShare(t, b)
		t.Logf("%-12s %4.1f %% Latin", p, 100*share)
		if share > 0.20 {
			t.Errorf("%s: %.1f %% of the words are in Latin script in Korean mode (at most 20 %%): %s", p, 100*share, strings.Join(latin, " "))
		}
	}
}
