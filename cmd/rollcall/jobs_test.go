package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// TestJobsCommands: `jobs list` shows the queue, `jobs cancel` cancels a
// queued job and `jobs show` shows it afterwards; a bad id is refused.
func TestJobsCommands(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d storetest.DB) {
		st := storetest.Open(t, store.Open, d.DSN, store.Options{})
		ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "ana", Role: rollcall.RoleAnalyst})
		at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		j := &store.Job{Kind: "estimate", Params: json.RawMessage(`{"method":"chao"}`), Actor: "ana", ActorRole: rollcall.RoleAnalyst}
		if _, err := st.EnqueueJob(ctx, j, at); err != nil {
			t.Fatal(err)
		}
		out, err := runErr("", d.DSN, "jobs", "list")
		if err != nil || !strings.Contains(out, fmt.Sprintf("%d   estimate  queued", j.ID)) || !strings.Contains(out, "2025-01-02 03:04:05Z") {
			t.Errorf("jobs list: %v\n%s", err, out)
		}
		if out, err = runErr("", d.DSN, "jobs", "cancel", fmt.Sprint(j.ID)); err != nil || !strings.Contains(out, "cancelled") {
			t.Errorf("jobs cancel: %v\n%s", err, out)
		}
		if out, err = runErr("", d.DSN, "jobs", "show", fmt.Sprint(j.ID)); err != nil || !strings.Contains(out, "cancelled") || !strings.Contains(out, `"method":"chao"`) {
			t.Errorf("jobs show: %v\n%s", err, out)
		}
		if _, err = runErr("", d.DSN, "jobs", "show", "x"); err == nil || !strings.Contains(err.Error(), "positive whole number") {
			t.Errorf("bad id: %v", err)
		}
		if _, err = runErr("", d.DSN, "jobs", "list", "--status", "over"); err == nil || !strings.Contains(err.Error(), "queued, running, done") {
			t.Errorf("bad status: %v", err)
		}
	})
}

// TestServeRunsJobs: through the JSON API alone (a bearer token), an
// estimate, a relink and an amnesty evaluation asked of `serve` run in the
// server's worker and end done; the estimate's result is then listed in
// /api/v1/estimates.
func TestServeRunsJobs(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d storetest.DB) {
		db := d.DSN
		if _, err := runErr("", db, "synth", "--persons", "120", "--seed", "5"); err != nil {
			t.Fatalf("synth: %v", err)
		}
		if _, err := runErr("", db, "link", "--quiet"); err != nil {
			t.Fatalf("link: %v", err)
		}
		if _, err := runErr("a good long password\n", db, "user", "add", "ana", "--role", "analyst"); err != nil {
			t.Fatal(err)
		}
		out, err := runErr("", db, "user", "token", "ana", "--name", "jobs")
		if err != nil {
			t.Fatal(err)
		}
		tok := strings.TrimSpace(lastLine(out))
		m, sout, _ := runMain(t, "", "serve", "--db", db, "--addr", "127.0.0.1:0", "--workers", "2")
		var base string
		select {
		case base = <-m.Ready():
		case <-time.After(30 * time.Second):
			t.Fatalf("not ready: %s", sout.String())
		}
		do := func(method, path, body string) (int, http.Header, []byte) {
			t.Helper()
			req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, res.Header, b
		}
		wait := func(loc string) store.Job {
			t.Helper()
			deadline := time.Now().Add(60 * time.Second)
			for {
				_, _, b := do("GET", loc, "")
				var j store.Job
				if err := json.Unmarshal(b, &j); err != nil {
					t.Fatalf("%s: %s", loc, b)
				}
				if j.Finished() {
					return j
				}
				if time.Now().After(deadline) {
					t.Fatalf("job %s not finished: %s", loc, b)
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		var locs []string
		for _, c := range []struct{ path, body string }{
			{"/api/v1/estimates", `{"method":"loglinear"}`},
			{"/api/v1/relinks", ``},
			{"/api/v1/amnesty-evaluations", `{"decree":"kp-amnesty-2015"}`},
		} {
			code, h, b := do("POST", c.path, c.body)
			if code != http.StatusAccepted || !strings.HasPrefix(h.Get("Location"), "/api/v1/jobs/") {
				t.Fatalf("%s: %d %s", c.path, code, b)
			}
			locs = append(locs, h.Get("Location"))
		}
		var est struct {
			Saved []int64 `json:"saved"`
		}
		for i, loc := range locs {
			j := wait(loc)
			if j.Status != store.JobDone || j.Actor != "ana" {
				t.Errorf("job %s: %s %s", loc, j.Status, j.Error)
			}
			if i == 0 && (json.Unmarshal(j.Result, &est) != nil || len(est.Saved) != 1) {
				t.Errorf("estimate result %s", j.Result)
			}
		}
		_, _, b := do("GET", "/api/v1/estimates", "")
		if len(est.Saved) == 0 || !strings.Contains(string(b), fmt.Sprintf(`"id":%d,`, est.Saved[0])) {
			t.Errorf("the job's estimate is not listed: %s", b)
		}
	})
}

// TestAmnestyRuleCommands: a draft reading is checked and previewed, saved
// as a version, and listed with who saved it; a rule that does not compile
// is refused with its position.
func TestAmnestyRuleCommands(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d storetest.DB) {
		if _, err := runErr("", d.DSN, "init"); err != nil {
			t.Fatal(err)
		}
		out, err := runErr("", d.DSN, "amnesty", "decree", "rule", "kp-amnesty-2020", "--draft")
		if err != nil || !strings.Contains(out, "not the decree's text") || !strings.Contains(out, "the rule compiles") {
			t.Fatalf("draft check: %v\n%s", err, out)
		}
		if _, err := runErr("", d.DSN, "amnesty", "decree", "rule", "kp-amnesty-2002", "--draft"); err == nil || !strings.Contains(err.Error(), "No draft") {
			t.Errorf("2002 has no draft: %v", err)
		}
		if _, err := runErr("", d.DSN, "amnesty", "decree", "rule", "kp-amnesty-2020", "--rule", "detained && shoe_size"); err == nil ||
			!strings.Contains(err.Error(), "rule 1:13") {
			t.Errorf("bad rule: %v", err)
		}
		if out, err = runErr("", d.DSN, "amnesty", "decree", "rule", "kp-amnesty-2020", "--draft", "--save", "--note", "draft taken up"); err != nil ||
			!strings.Contains(out, "saved") {
			t.Fatalf("save: %v\n%s", err, out)
		}
		out, err = runErr("", d.DSN, "amnesty", "decree", "versions", "kp-amnesty-2020")
		if err != nil || !strings.Contains(out, "cli") || !strings.Contains(out, "draft taken up") || !strings.Contains(out, "crimes_against_state") {
			t.Errorf("versions: %v\n%s", err, out)
		}
	})
}
