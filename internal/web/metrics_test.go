package web

import (
	"strings"
	"testing"
)

// TestMetrics: requests are counted by route pattern (not by raw path, so
// ids do not explode the label set), on the server's own registry.
func TestMetrics(t *testing.T) { eachFixture(t, testMetrics) }

func testMetrics(t *testing.T, f *fixture) {
	c := f.login("admin")
	c.do("GET", "/persons/1", nil)
	c.do("GET", "/persons/2", nil)
	res, b := c.do("GET", "/metrics", nil)
	if res.StatusCode != 200 {
		t.Fatalf("metrics: %d", res.StatusCode)
	}
	body := string(b)
	if !strings.Contains(body, `rollcall_http_requests_total{code="200",route="GET /persons/{id}"}`) &&
		!strings.Contains(body, `route="GET /persons/{id}"`) {
		t.Fatalf("no per-route counter:\n%.2000s", body)
	}
	if strings.Contains(body, `route="/persons/1"`) {
		t.Error("raw paths used as labels")
	}
	if !strings.Contains(body, "rollcall_http_request_duration_seconds_bucket") {
		t.Error("no latency histogram")
	}
}
