package web

import "testing"

func TestSmokePages(t *testing.T) { eachFixture(t, testSmokePages) }

func testSmokePages(t *testing.T, f *fixture) {
	c := f.login("admin")
	for _, p := range []string{"/", "/persons", "/sources", "/facilities", "/events", "/map", "/ledger", "/estimates", "/amnesty", "/review", "/search?q=kim"} {
		res, body := c.do("GET", p, nil)
		if res.StatusCode != 200 {
			t.Errorf("%s: %d %s", p, res.StatusCode, body)
		}
	}
}
