package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/work"
)

// seedCaptures adds three fictional sources and n linked persons seen by
// them in a fixed pattern, so that estimates have lists to work with.
func (f *fixture) seedCaptures(n int) {
	f.t.Helper()
	ctx := sysCtx()
	var srcs []*rollcall.Source
	for _, k := range []string{"list-a", "list-b", "list-c"} {
		s := &rollcall.Source{Key: k, Kind: "testimony", Title: "List " + k, Sensitivity: rollcall.Internal, Fictional: true}
		if err := f.st.CreateSource(ctx, s); err != nil {
			f.t.Fatal(err)
		}
		srcs = append(srcs, s)
	}
	for i := range n {
		p := &rollcall.Person{Name: fmt.Sprintf("Fictional Person %d", i), Sex: "m", Sensitivity: rollcall.Internal, Fictional: true}
		if err := f.st.CreatePerson(ctx, p); err != nil {
			f.t.Fatal(err)
		}
		seen := []bool{i%2 == 0, i%3 == 0, i%5 == 0 || (i%2 != 0 && i%3 != 0)}
		for j, s := range srcs {
			if !seen[j] {
				continue
			}
			r := &rollcall.Record{SourceID: s.ID, Key: fmt.Sprint(i), Name: p.Name, Sex: "m", Sensitivity: rollcall.Internal, Fictional: true}
			if err := f.st.CreateRecord(ctx, r); err != nil {
				f.t.Fatal(err)
			}
			if err := f.st.SetRecordPerson(ctx, r.ID, &p.ID); err != nil {
				f.t.Fatal(err)
			}
		}
	}
}

// runJobs runs every due job of the fixture's server to its end.
func (f *fixture) runJobs() {
	f.t.Helper()
	for {
		ran, err := f.srv.jobs.RunOnce(context.Background())
		if err != nil {
			f.t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}

func decodeJob(t *testing.T, b []byte) store.Job {
	t.Helper()
	var j store.Job
	if err := json.Unmarshal(b, &j); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return j
}

// TestAPIEstimateJob: POST /api/v1/estimates answers 202 with the job's
// location; the job runs, its status and result are in /api/v1/jobs/{id}
// and the stored result, naming the job, in /api/v1/estimates. Running the
// job again (its process died after saving) saves nothing twice.
func TestAPIEstimateJob(t *testing.T) { eachFixture(t, testAPIEstimateJob) }

func testAPIEstimateJob(t *testing.T, f *fixture) {
	f.seedCaptures(40)
	f.runJobs() // the fixture's own queued job
	an := f.login("analyst")
	res, b := an.do("POST", "/api/v1/estimates", map[string]any{"method": "loglinear", "lists": "source"})
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("POST: %d %s", res.StatusCode, b)
	}
	j := decodeJob(t, b)
	if loc := res.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/jobs/%d", j.ID) || j.Status != store.JobQueued || j.Actor != "analyst1" {
		t.Fatalf("location %q, job %+v", loc, j)
	}
	var params work.EstimateParams
	if err := json.Unmarshal(j.Params, &params); err != nil || params.Criterion != "bic" || params.Iterations != work.DefaultIterations {
		t.Errorf("stored parameters %s: the defaults are filled in", j.Params)
	}
	_, b = an.do("GET", res.Header.Get("Location"), nil)
	if got := decodeJob(t, b); got.Status != store.JobQueued {
		t.Errorf("before running: %+v", got)
	}
	f.runJobs()
	res, b = an.do("GET", fmt.Sprintf("/api/v1/jobs/%d", j.ID), nil)
	got := decodeJob(t, b)
	var out work.EstimateResult
	if res.StatusCode != 200 || got.Status != store.JobDone || json.Unmarshal(got.Result, &out) != nil || len(out.Saved) != 1 ||
		out.Method != "loglinear" || out.Observed != 41 || out.Estimate == nil || *out.Estimate < 41 || got.Progress.Done != got.Progress.Total {
		t.Fatalf("after running: %d %+v %s", res.StatusCode, got, got.Result)
	}
	_, b = f.login("viewer").do("GET", "/api/v1/estimates", nil)
	var ests struct{ Items []store.EstimateRow }
	if err := json.Unmarshal(b, &ests); err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, e := range ests.Items {
		if e.ID == out.Saved[0] && strings.Contains(e.ParamsJSON, fmt.Sprintf(`"job":%d`, j.ID)) && e.CreatedBy == "analyst1" {
			found++
		}
	}
	if found != 1 {
		t.Errorf("the stored result of job %d is not in /api/v1/estimates: %s", j.ID, b)
	}
	// A job that cannot run fails with the reason.
	res, b = an.do("POST", "/api/v1/estimates", map[string]any{"method": "loglinear", "groups": map[string]string{"list-a": "x", "list-b": "x", "list-c": "x", "t-1": "x"}})
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("POST: %d %s", res.StatusCode, b)
	}
	f.runJobs()
	_, b = an.do("GET", res.Header.Get("Location"), nil)
	if got := decodeJob(t, b); got.Status != store.JobFailed || !strings.Contains(got.Error, "at least two lists") {
		t.Errorf("one list: %+v", got)
	}

	// The options of estimate --fate take labels and store codes.
	res, b = an.do("POST", "/api/v1/estimates", map[string]any{"method": "chao", "fate": []string{"Died"}})
	if res.StatusCode != http.StatusAccepted || !strings.Contains(string(b), `"fate":["died"]`) {
		t.Fatalf("POST with fate: %d %s", res.StatusCode, b)
	}
	withFate := decodeJob(t, b)

	_, b = an.do("GET", "/api/v1/jobs?kind=estimate&limit=2", nil)
	var page Page[store.Job]
	if err := json.Unmarshal(b, &page); err != nil || page.Total != 4 || len(page.Items) != 2 || page.Items[0].ID != withFate.ID {
		t.Errorf("job list: %s", b)
	}
}

// TestAPIEstimateOptionsRefused: options that cannot mean what was written
// are refused with 400, naming the field and what is allowed; nothing is
// queued.
func TestAPIEstimateOptionsRefused(t *testing.T) {
	f := newFixture(t)
	an := f.login("analyst")
	for _, c := range []struct {
		body, field, want string
	}{
		{`{"method":"bayes"}`, "method", "choose loglinear, lcmcr, dga, chao or observed"},
		{`{"metod":"chao"}`, "metod", `unknown option "metod" (options: method, by, lists, groups, criterion`},
		{`{"by":"colour"}`, "by", `cannot stratify by "colour": choose decade, facility_type, province, sex`},
		{`{"lists":"each"}`, "lists", "auto, source or kind"},
		{`{"criterion":"dic"}`, "criterion", "bic or aic"},
		{`{"iterations":-5}`, "iterations", "above 0"},
		{`{"seed":"seven"}`, "seed", "wrong type"},
		{`{"groups":{"":"x"}}`, "groups", "neither may be empty"},
		{`{"fate":["vanished"]}`, "fate", `unknown fate "vanished": choose`},
		{`{"fate":["died"],"event":["execution"]}`, "fate", "not both"},
		{`{"event":["execution"],"from":2015,"to":2000}`, "to", "ends (2000) before it starts (2015)"},
		{`{"linkage_draws":1000}`, "linkage_draws", "0 (none) to 200"},
		{`[]`, "", "not a JSON object"},
		{``, "", "empty"},
	} {
		res, b := an.do("POST", "/api/v1/estimates", []byte(c.body))
		checkAPIError(t, c.body, res, b, c.field, c.want)
	}
	if _, total, _ := f.st.ListJobs(sysCtx(), rollcall.ListOptions{Filters: map[string]string{"status": "queued"}}); total != 1 {
		t.Errorf("%d queued jobs, want the fixture's 1", total)
	}
}

// TestAPIRelinkAndAmnestyJobs: a full relink and an amnesty evaluation run
// as jobs; a second relink request while one is queued returns it; an
// unknown decree is refused; a queued job can be cancelled.
func TestAPIRelinkAndAmnestyJobs(t *testing.T) { eachFixture(t, testAPIRelinkAndAmnestyJobs) }

func testAPIRelinkAndAmnestyJobs(t *testing.T, f *fixture) {
	f.runJobs()
	an := f.login("analyst")
	res, b := an.do("POST", "/api/v1/relinks", nil)
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("relink: %d %s", res.StatusCode, b)
	}
	first := decodeJob(t, b)
	_, b = an.do("POST", "/api/v1/relinks", []byte(`{}`))
	if second := decodeJob(t, b); second.ID != first.ID {
		t.Errorf("a second relink while one is queued: %d, want %d", second.ID, first.ID)
	}
	res, b = an.do("POST", "/api/v1/relinks", []byte(`{"full":true}`))
	checkAPIError(t, "relink option", res, b, "full", "unknown option")
	res, b = an.do("POST", "/api/v1/amnesty-evaluations", map[string]string{"decree": "kp-2015"})
	if res.StatusCode != http.StatusAccepted {
		t.Fatalf("evaluate: %d %s", res.StatusCode, b)
	}
	ev := decodeJob(t, b)
	res, b = an.do("POST", "/api/v1/amnesty-evaluations", map[string]string{"decree": "kp-1900"})
	checkAPIError(t, "unknown decree", res, b, "decree", `no decree with key "kp-1900"`)
	f.runJobs()
	_, b = an.do("GET", fmt.Sprintf("/api/v1/jobs/%d", first.ID), nil)
	if got := decodeJob(t, b); got.Status != store.JobDone || !strings.Contains(string(got.Result), `"records":2`) {
		t.Errorf("relink job: %+v %s", got, got.Result)
	}
	_, b = an.do("GET", fmt.Sprintf("/api/v1/jobs/%d", ev.ID), nil)
	var out work.AmnestyResult
	got := decodeJob(t, b)
	if got.Status != store.JobDone || json.Unmarshal(got.Result, &out) != nil || len(out.Decrees) != 1 || out.Decrees[0].Key != "kp-2015" || !out.Decrees[0].HasRule {
		t.Errorf("amnesty job: %+v %s", got, got.Result)
	}

	_, b = an.do("POST", "/api/v1/relinks", nil)
	q := decodeJob(t, b)
	res, b = an.do("POST", fmt.Sprintf("/api/v1/jobs/%d/cancel", q.ID), nil)
	if got := decodeJob(t, b); res.StatusCode != 200 || got.Status != store.JobCancelled {
		t.Errorf("cancel: %d %s", res.StatusCode, b)
	}
	res, b = an.do("POST", fmt.Sprintf("/api/v1/jobs/%d/cancel", q.ID), nil)
	if res.StatusCode != http.StatusConflict {
		t.Errorf("cancel again: %d %s", res.StatusCode, b)
	}
	if res, _ := an.do("GET", "/api/v1/jobs/999999", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("missing job: %d", res.StatusCode)
	}
	res, b = an.do("GET", "/api/v1/jobs?status=finished", nil)
	checkAPIError(t, "bad status", res, b, "status", "queued, running, done, failed, cancelled")
}

// TestEstimateRunPage: the estimates page has the run form for analysts
// (not viewers); running from it redirects to the page with the job's
// panel, which polls while the job is queued and reloads without
// JavaScript; once done, the panel shows the result and stops polling. A
// bad seed is shown next to the form and nothing is queued.
func TestEstimateRunPage(t *testing.T) {
	f := newFixture(t)
	f.seedCaptures(30)
	f.runJobs()
	if _, b := f.login("viewer").do("GET", "/estimates", nil); strings.Contains(string(b), `action="/estimates/run"`) {
		t.Error("a viewer sees the run form")
	}
	an := f.login("analyst")
	_, b := an.do("GET", "/estimates", nil)
	if !strings.Contains(string(b), `action="/estimates/run"`) || !strings.Contains(string(b), `value="facility_type"`) {
		t.Fatalf("no run form for an analyst:\n%s", b)
	}
	res, b := an.do("POST", "/estimates/run", "form:method=chao&by=sex&lists=source&seed=")
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/estimates?job=") {
		t.Fatalf("run: %d %q %s", res.StatusCode, loc, b)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/estimates?job="), "#estimate-run")
	_, b = an.do("GET", "/estimates?job="+id, nil)
	page := string(b)
	for _, want := range []string{`hx-get="/jobs/` + id + `"`, `hx-trigger="every 2s"`, `<noscript><meta http-equiv="refresh" content="3"></noscript>`, "queued"} {
		if !strings.Contains(page, want) {
			t.Errorf("page with a queued job lacks %q", want)
		}
	}
	f.runJobs()
	req := func(path string) string {
		r, _ := http.NewRequest("GET", f.ts.URL+path, nil)
		r.Header.Set("HX-Request", "true")
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: an.cookie})
		res, err := noRedirect.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	frag := req("/jobs/" + id)
	if strings.Contains(frag, "<html") || strings.Contains(frag, "hx-trigger") || !strings.Contains(frag, "lower bound (per Sex)") || !strings.Contains(frag, "stored results: 3") {
		t.Errorf("the panel of the done job:\n%s", frag)
	}
	if _, b := an.do("GET", "/estimates?job="+id, nil); strings.Contains(string(b), "http-equiv") {
		t.Error("the page still reloads after the job ended")
	}
	// In Korean.
	an.do("POST", "/lang", "form:lang=ko&next=/")
	if _, b := an.do("GET", "/jobs/"+id, nil); !strings.Contains(string(b), "차오 하한") || !strings.Contains(string(b), "완료") {
		t.Errorf("the job page in Korean:\n%s", b)
	}

	res, b = an.do("POST", "/estimates/run", "form:method=chao&seed=-3")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `id="run-error"`) || !strings.Contains(string(b), `aria-invalid="true"`) {
		t.Errorf("bad seed: %d\n%s", res.StatusCode, b)
	}
	res, b = an.do("POST", "/estimates/run", "form:method=chao&fate=vanished")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `id="run-fate" value="vanished"`) || !strings.Contains(string(b), "unknown fate") {
		t.Errorf("bad fate: %d\n%s", res.StatusCode, b)
	}
	res, b = an.do("POST", "/estimates/run", "form:method=magic")
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "loglinear, lcmcr, dga, chao or observed") {
		t.Errorf("bad method: %d\n%s", res.StatusCode, b)
	}
}

// TestRelinkFromReviewPage: the review page starts a full relink and
// shows its panel; cancelling it from the panel returns to the page.
func TestRelinkFromReviewPage(t *testing.T) {
	f := newFixture(t)
	an := f.login("analyst")
	res, _ := an.do("POST", "/review/relink", "form:")
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/review?job=") {
		t.Fatalf("relink: %d %q", res.StatusCode, loc)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(loc, "/review?job="), "#relink")
	_, b := an.do("GET", "/review?job="+id, nil)
	if !strings.Contains(string(b), `id="job-`+id+`"`) || !strings.Contains(string(b), "Full relink") {
		t.Errorf("review page without the relink panel:\n%s", b)
	}
	res, _ = an.do("POST", "/jobs/"+id+"/cancel", "form:")
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/review?job="+id {
		t.Errorf("cancel: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if _, b = an.do("GET", "/jobs/"+id, nil); !strings.Contains(string(b), "cancelled") {
		t.Errorf("cancelled job page:\n%s", b)
	}
}

// TestJobsAPIMatchesOpenAPI: every job operation, and its errors, answer
// as api/openapi.yaml says.
func TestJobsAPIMatchesOpenAPI(t *testing.T) { eachFixture(t, testJobsAPIMatchesOpenAPI) }

func testJobsAPIMatchesOpenAPI(t *testing.T, f *fixture) {
	router := openAPIRouter(t)
	f.seedCaptures(12)
	an, vw := f.login("analyst"), f.login("viewer")
	call := func(c *client, method, path string, body []byte, want int) []byte {
		t.Helper()
		var payload any
		if body != nil {
			payload = body
		}
		res, b := c.do(method, path, payload)
		validate(t, router, method, f.ts.URL+path, body, res, b)
		if res.StatusCode != want {
			t.Errorf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, b)
		}
		return b
	}
	est := decodeJob(t, call(an, "POST", "/api/v1/estimates", []byte(`{"method":"chao","by":"sex"}`), 202))
	call(an, "POST", "/api/v1/estimates", []byte(`{"method":"nope"}`), 400)
	call(vw, "POST", "/api/v1/estimates", []byte(`{}`), 403)
	call(&client{f: f}, "POST", "/api/v1/estimates", []byte(`{}`), 401)
	rl := decodeJob(t, call(an, "POST", "/api/v1/relinks", []byte(`{}`), 202))
	call(an, "POST", "/api/v1/amnesty-evaluations", []byte(`{}`), 202)
	call(an, "POST", "/api/v1/amnesty-evaluations", []byte(`{"decree":"none"}`), 400)
	call(an, "GET", "/api/v1/jobs?status=queued&limit=10", nil, 200)
	call(an, "GET", fmt.Sprintf("/api/v1/jobs/%d", est.ID), nil, 200)
	call(an, "GET", "/api/v1/jobs/999999", nil, 404)
	call(vw, "GET", "/api/v1/jobs", nil, 403)
	call(an, "POST", fmt.Sprintf("/api/v1/jobs/%d/cancel", rl.ID), nil, 200)
	call(an, "POST", fmt.Sprintf("/api/v1/jobs/%d/cancel", rl.ID), nil, 409)
	f.runJobs()
	// Done jobs of every kind, with their results.
	b := call(an, "GET", "/api/v1/jobs?limit=20", nil, 200)
	var page Page[store.Job]
	if err := json.Unmarshal(b, &page); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]string{}
	for _, j := range page.Items {
		kinds[j.Kind] = j.Status
	}
	if kinds["estimate"] != "done" || kinds["amnesty-evaluate"] != "done" || kinds["relink"] != "cancelled" {
		t.Errorf("jobs after running: %v", kinds)
	}
}
