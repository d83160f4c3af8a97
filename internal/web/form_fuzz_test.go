package web

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// FuzzFormBodies posts arbitrary url-encoded bodies to every HTML form an
// editor can submit (create and edit of sources, records, facilities and
// events, review decisions, the language switch), with a valid CSRF token:
// the server never panics or answers 500, whatever the fields hold.
func FuzzFormBodies(f *testing.F) {
	fx := newFixture(f)
	ed := fx.login("editor")
	targets := []struct{ edit, post string }{
		{"/sources/new", "/sources"},
		{fmt.Sprintf("/sources/%d/edit", fx.ids["source"]), fmt.Sprintf("/sources/%d", fx.ids["source"])},
		{fmt.Sprintf("/sources/%d/records/new", fx.ids["source"]), fmt.Sprintf("/sources/%d/records", fx.ids["source"])},
		{fmt.Sprintf("/records/%d/edit", fx.ids["record"]), fmt.Sprintf("/records/%d", fx.ids["record"])},
		{"/facilities/new", "/facilities"},
		{fmt.Sprintf("/facilities/%d/edit", fx.ids["facility"]), fmt.Sprintf("/facilities/%d", fx.ids["facility"])},
		{"/events/new", "/events"},
		{fmt.Sprintf("/events/%d/edit", fx.ids["event"]), fmt.Sprintf("/events/%d", fx.ids["event"])},
		{"", "/review"},
		{"", "/lang"},
	}
	input := regexp.MustCompile(`<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"`)
	for i, tg := range targets {
		v := url.Values{}
		if tg.edit != "" {
			res, b := ed.do("GET", tg.edit, nil)
			if res.StatusCode != 200 {
				f.Fatalf("GET %s: %d", tg.edit, res.StatusCode)
			}
			for _, m := range input.FindAllStringSubmatch(string(b), -1) {
				v.Set(m[1], m[2])
			}
			v.Set("kind", "testimony")
			v.Set("type", "kwanliso")
			v.Set("sensitivity", "internal")
			v.Set("title", "A title")
			if v.Get("name") == "" {
				v.Set("name", "Kim Chol")
			}
			if v.Get("name_en") == "" {
				v.Set("name_en", "Camp")
			}
			v.Set("key", fmt.Sprintf("fz-%d", i))
		}
		switch tg.post {
		case "/review":
			v.Set("record_a", fmt.Sprint(fx.ids["record"]))
			v.Set("record_b", fmt.Sprint(fx.ids["record2"]))
			v.Set("decision", "same")
			v.Set("offset", "0")
		case "/lang":
			v.Set("lang", "ko")
			v.Set("next", "/persons")
		}
		v.Del("_csrf")
		f.Add(uint8(i), v.Encode())
		v.Set("date", "31/02/1987")
		v.Set("lat", "NaN")
		v.Set("population_est", "99999999999999999999")
		v.Set("version", "-1")
		f.Add(uint8(i), v.Encode())
	}
	f.Add(uint8(0), "%zz=&&=;;title=%00")
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		tg := targets[int(which)%len(targets)]
		req := httptest.NewRequest(http.MethodPost, tg.post, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: ed.cookie})
		req.Header.Set(csrfHeader, ed.csrf)
		rec := httptest.NewRecorder()
		fx.srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %s %q: %d %.500s", tg.post, body, rec.Code, rec.Body.String())
		}
	})
}
