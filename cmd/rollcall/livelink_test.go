package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall/internal/storetest"
)

// liveAPI is a client of a running server with an admin's token.
type liveAPI struct {
	t     *testing.T
	base  string
	token string
}

func (a liveAPI) do(method, path string, body any) (int, []byte) {
	a.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, a.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// create posts an entity and returns its id.
func (a liveAPI) create(path string, body map[string]any) int64 {
	a.t.Helper()
	code, b := a.do("POST", path, body)
	var v struct{ ID int64 }
	if code != http.StatusCreated || json.Unmarshal(b, &v) != nil || v.ID == 0 {
		a.t.Fatalf("POST %s: %d %s", path, code, b)
	}
	return v.ID
}

// personOf returns a record's person id, 0 while it has none.
func (a liveAPI) personOf(id int64) int64 {
	a.t.Helper()
	code, b := a.do("GET", fmt.Sprintf("/api/v1/records/%d", id), nil)
	var v struct {
		PersonID *int64 `json:"person_id"`
	}
	if code != http.StatusOK || json.Unmarshal(b, &v) != nil {
		a.t.Fatalf("GET record %d: %d %s", id, code, b)
	}
	if v.PersonID == nil {
		return 0
	}
	return *v.PersonID
}

// waitLinked waits (at most 15 s) until every record has a person and
// returns them.
func (a liveAPI) waitLinked(ids ...int64) []int64 {
	a.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		ps := make([]int64, len(ids))
		all := true
		for i, id := range ids {
			ps[i] = a.personOf(id)
			all = all && ps[i] != 0
		}
		if all {
			return ps
		}
		if time.Now().After(deadline) {
			a.t.Fatalf("records %v not linked within 15 s: persons %v", ids, ps)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// liveSetup makes db with an admin (who may read /metrics) and returns
// the admin's token.
func liveSetup(t *testing.T, db string) string {
	t.Helper()
	if out, err := runErr("", db, "init"); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	if out, err := runErr("a good long password\n", db, "user", "add", "ed", "--role", "admin"); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	out, err := runErr("", db, "user", "token", "ed", "--name", "test")
	if err != nil {
		t.Fatalf("user token: %v\n%s", err, out)
	}
	return strings.TrimSpace(lastLine(out))
}

// startServe starts serve on db and returns its API client and stop.
func startServe(t *testing.T, db, token string, args ...string) (liveAPI, func() error) {
	t.Helper()
	m, out, stop := runMain(t, "", append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, args...)...)
	select {
	case base := <-m.Ready():
		return liveAPI{t: t, base: base, token: token}, stop
	case <-time.After(30 * time.Second):
		t.Fatalf("not ready: %s", out.String())
	}
	return liveAPI{}, nil
}

// postRecord posts a source and one record of it; it returns the record id.
func postRecord(api liveAPI, key, name, sex, birth string) int64 {
	src := api.create("/api/v1/sources", map[string]any{"key": key, "kind": "testimony", "title": "Interview " + key, "sensitivity": "internal", "fictional": true})
	return api.create("/api/v1/records", map[string]any{"source_id": src, "name": name, "sex": sex, "birth_date": birth, "sensitivity": "internal", "fictional": true})
}

// TestServeLinksLive: through the JSON API alone, two records of one
// person in two scripts carry the same person within 15 s; a third person
// stays apart.
func TestServeLinksLive(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d storetest.DB) {
		token := liveSetup(t, d.DSN)
		api, stop := startServe(t, d.DSN, token, "--link-poll", "200ms")
		a := postRecord(api, "i1", "박순옥", "f", "1968-03")
		b := postRecord(api, "i2", "Pak Sun-ok", "f", "1968-03")
		c := postRecord(api, "i3", "김철수", "m", "1950")
		ps := api.waitLinked(a, b, c)
		if ps[0] != ps[1] || ps[0] == ps[2] {
			t.Fatalf("persons %v of 박순옥, Pak Sun-ok, 김철수", ps)
		}
		code, metrics := api.do("GET", "/metrics", nil)
		for _, want := range []string{"rollcall_link_pending 0", "rollcall_link_records_total{outcome=", "rollcall_link_latency_seconds_count"} {
			if code != http.StatusOK || !strings.Contains(string(metrics), want) {
				t.Errorf("/metrics (%d) lacks %s", code, want)
			}
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestServeLinkerResumes: records written while no server links (a server
// without --linker, then stopped) are linked by the next server started on
// the database; the record page says the record waits meanwhile.
func TestServeLinkerResumes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d storetest.DB) {
		token := liveSetup(t, d.DSN)
		api, stop := startServe(t, d.DSN, token, "--linker=false")
		a := postRecord(api, "i1", "박순옥", "f", "1968-03")
		b := postRecord(api, "i2", "Pak Sun-ok", "f", "1968-03")
		if code, page := api.do("GET", fmt.Sprintf("/records/%d", a), nil); code != http.StatusOK || !strings.Contains(string(page), "link-pending") {
			t.Errorf("record page while queued: %d, no notice", code)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		api, stop = startServe(t, d.DSN, token, "--link-poll", "200ms")
		ps := api.waitLinked(a, b)
		if ps[0] != ps[1] {
			t.Fatalf("persons %v", ps)
		}
		if code, page := api.do("GET", fmt.Sprintf("/records/%d", a), nil); code != http.StatusOK || strings.Contains(string(page), "link-pending") {
			t.Errorf("record page after linkage: %d, still the notice", code)
		}
		if err := stop(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestServesShareLinkage: two serve processes on one database, each
// taking records: every record is linked once, and the two scripts of
// each person meet in one person whichever server took them.
func TestServesShareLinkage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d storetest.DB) {
		token := liveSetup(t, d.DSN)
		one, stop1 := startServe(t, d.DSN, token, "--link-poll", "200ms")
		two, stop2 := startServe(t, d.DSN, token, "--link-poll", "200ms")
		a := postRecord(one, "i1", "박순옥", "f", "1968-03")
		b := postRecord(two, "i2", "Pak Sun-ok", "f", "1968-03")
		c := postRecord(two, "i3", "김철수", "m", "1950")
		e := postRecord(one, "i4", "Kim Chol-su", "m", "1950")
		t0 := time.Now()
		ps := one.waitLinked(a, b, c, e)
		t.Logf("linked in %s", time.Since(t0))
		if ps[0] != ps[1] || ps[2] != ps[3] || ps[0] == ps[2] {
			t.Fatalf("persons %v", ps)
		}
		code, body := two.do("GET", "/api/v1/persons?limit=10", nil)
		var page struct{ Total int }
		if code != http.StatusOK || json.Unmarshal(body, &page) != nil || page.Total != 2 {
			t.Fatalf("persons: %d %s", code, body)
		}
		for _, stop := range []func() error{stop1, stop2} {
			if err := stop(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
