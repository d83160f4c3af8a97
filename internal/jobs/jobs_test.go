package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// clock is a time source the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func actorCtx(name, role string) context.Context {
	return rollcall.WithActor(context.Background(), rollcall.Actor{Name: name, Role: role})
}

func open(t *testing.T, dsn string) *store.Store {
	return storetest.Open(t, store.Open, dsn, store.Options{})
}

// testRunner is a runner on st with a fixed owner and the test's clock;
// heartbeats are left to Progress (Renew is long) so that every lease
// renewal in a test happens where the test says.
func testRunner(st *store.Store, owner string, c *clock) *Runner {
	return New(st, Config{Owner: owner, Clock: c.Now, Lease: time.Minute, Renew: time.Hour, Poll: 10 * time.Millisecond, Flush: time.Second})
}

// TestLifecycle: an enqueued job is audited with who asked, runs as them,
// reports progress, and ends done with its result and the clock's times;
// a failing job ends failed with its message.
func TestLifecycle(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db storetest.DB) {
		st := open(t, db.DSN)
		c := newClock()
		r := testRunner(st, "p1", c)
		var seen []string
		r.Register("sum", func(ctx context.Context, j Job, p Progress) (any, error) {
			var in struct{ N int64 }
			if err := json.Unmarshal(j.Params, &in); err != nil {
				return nil, err
			}
			var s int64
			for i := int64(1); i <= in.N; i++ {
				s += i
				c.Advance(300 * time.Millisecond)
				p(i, in.N, "adding")
				got, err := st.GetJob(ctx, j.ID)
				if err != nil {
					return nil, err
				}
				seen = append(seen, fmt.Sprintf("%d/%d", got.Progress.Done, got.Progress.Total))
			}
			if a := rollcall.ActorFrom(ctx); a.Name != "alice" || a.Role != rollcall.RoleAnalyst {
				return nil, fmt.Errorf("runs as %+v", a)
			}
			return map[string]int64{"sum": s}, nil
		})
		r.Register("bad", func(ctx context.Context, j Job, p Progress) (any, error) {
			return nil, rollcall.Errorf(rollcall.EINVALID, "no linked persons")
		})
		ctx := actorCtx("alice", rollcall.RoleAnalyst)
		if _, err := r.Enqueue(ctx, Request{Kind: "nope"}); rollcall.ErrorCode(err) != rollcall.EINVALID {
			t.Errorf("unknown kind: %v", err)
		}
		created := c.Now()
		j, err := r.Enqueue(ctx, Request{Kind: "sum", Params: map[string]int{"N": 5}})
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != Queued || !j.CreatedAt.Equal(created) || j.Actor != "alice" {
			t.Errorf("enqueued %+v", j)
		}
		ents, err := st.AuditEntries(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		last := ents[len(ents)-1]
		if last.Action != store.ActionEnqueue || last.Entity != "job" || last.EntityID != j.ID || last.Actor != "alice" || last.Detail != "sum" {
			t.Errorf("audit entry %+v", last)
		}
		if ran, err := r.RunOnce(context.Background()); !ran || err != nil {
			t.Fatalf("RunOnce: %v %v", ran, err)
		}
		got, err := r.Get(ctx, j.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != Done || string(got.Result) != `{"sum":15}` || got.Attempts != 1 || got.Error != "" {
			t.Errorf("done job %+v result %s", got, got.Result)
		}
		if got.Progress != (store.JobProgress{Done: 5, Total: 5, Message: "adding"}) {
			t.Errorf("progress %+v", got.Progress)
		}
		if got.StartedAt == nil || !got.StartedAt.Equal(created) || got.FinishedAt == nil || !got.FinishedAt.Equal(created.Add(1500*time.Millisecond)) {
			t.Errorf("times: started %v finished %v", got.StartedAt, got.FinishedAt)
		}
		// The first report changes the message and is written at once;
		// after that a write waits for a second of the clock.
		want := []string{"1/5", "1/5", "1/5", "1/5", "5/5"}
		if fmt.Sprint(seen) != fmt.Sprint(want) {
			t.Errorf("progress seen while running %v, want %v", seen, want)
		}

		b, err := r.Enqueue(ctx, Request{Kind: "bad"})
		if err != nil {
			t.Fatal(err)
		}
		if ran, err := r.RunOnce(context.Background()); !ran || err != nil {
			t.Fatalf("RunOnce: %v %v", ran, err)
		}
		if got, _ := r.Get(ctx, b.ID); got.Status != Failed || got.Error != "no linked persons" || got.Result != nil {
			t.Errorf("failed job %+v", got)
		}
		if ran, err := r.RunOnce(context.Background()); ran || err != nil {
			t.Errorf("empty queue: ran %v, %v", ran, err)
		}
		list, total, err := r.List(ctx, rollcall.ListOptions{Limit: 10})
		if err != nil || total != 2 || list[0].ID != b.ID || list[1].ID != j.ID {
			t.Errorf("list: %d %v %v", total, list, err)
		}
		if _, _, err := r.List(ctx, rollcall.ListOptions{Filters: map[string]string{"status": "finished"}}); rollcall.ErrorCode(err) != rollcall.EINVALID {
			t.Errorf("bad status filter: %v", err)
		}
	})
}

// TestTwoRunnersNeverShareAJob: two runners (two processes: each its own
// store handle) with two workers each drain one queue; every job runs
// exactly once.
func TestTwoRunnersNeverShareAJob(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db storetest.DB) {
		const n = 60
		var mu sync.Mutex
		runs := map[int64][]string{}
		var wg sync.WaitGroup
		wg.Add(n)
		work := func(owner string) Func {
			return func(ctx context.Context, j Job, p Progress) (any, error) {
				mu.Lock()
				runs[j.ID] = append(runs[j.ID], owner)
				mu.Unlock()
				time.Sleep(time.Millisecond) // let the other process claim meanwhile
				wg.Done()
				return owner, nil
			}
		}
		st1, st2 := open(t, db.DSN), open(t, db.DSN)
		c := newClock()
		var rs []*Runner
		for i, st := range []*store.Store{st1, st2} {
			r := New(st, Config{Owner: fmt.Sprint("p", i), Workers: 2, Clock: c.Now, Poll: 5 * time.Millisecond})
			r.Register("w", work(fmt.Sprint("p", i)))
			rs = append(rs, r)
		}
		ctx := actorCtx("bob", rollcall.RoleAnalyst)
		for range n {
			if _, err := rs[0].Enqueue(ctx, Request{Kind: "w"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, r := range rs {
			r.Start(context.Background())
		}
		wg.Wait()
		for _, r := range rs {
			if err := r.Stop(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		per := map[string]int{}
		for id, owners := range runs {
			if len(owners) != 1 {
				t.Errorf("job %d ran %d times: %v", id, len(owners), owners)
			}
			per[owners[0]]++
		}
		if len(runs) != n {
			t.Errorf("%d jobs ran, want %d", len(runs), n)
		}
		jobs, total, err := st1.ListJobs(ctx, rollcall.ListOptions{Limit: -1})
		if err != nil || total != n {
			t.Fatal(total, err)
		}
		for _, j := range jobs {
			if j.Status != Done || j.Attempts != 1 {
				t.Errorf("job %d: %s after %d attempts", j.ID, j.Status, j.Attempts)
			}
		}
		t.Logf("jobs per process: %v", per)
	})
}

// TestLeaseExpiry: a job whose process died (claimed, never renewed) is
// taken over when its lease has run out by the clock, runs again from its
// start, and the dead claim can no longer report or finish; a job that
// keeps renewing through its progress is not taken over.
func TestLeaseExpiry(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db storetest.DB) {
		st := open(t, db.DSN)
		c := newClock()
		var starts int
		b := testRunner(open(t, db.DSN), "b", c)
		b.Register("k", func(ctx context.Context, j Job, p Progress) (any, error) {
			starts++
			return "from b", nil
		})
		ctx := actorCtx("carol", rollcall.RoleAnalyst)
		j, err := b.Enqueue(ctx, Request{Kind: "k"})
		if err != nil {
			t.Fatal(err)
		}
		dead, err := st.ClaimJob(ctx, "dead", []string{"k"}, c.Now(), time.Minute, 3)
		if err != nil || dead == nil || dead.ID != j.ID || dead.Attempts != 1 {
			t.Fatalf("claim: %+v %v", dead, err)
		}
		c.Advance(59 * time.Second)
		if ran, err := b.RunOnce(context.Background()); ran || err != nil {
			t.Fatalf("claimed within the lease: %v %v", ran, err)
		}
		c.Advance(2 * time.Second)
		if ran, err := b.RunOnce(context.Background()); !ran || err != nil {
			t.Fatalf("not claimed after the lease ran out: %v %v", ran, err)
		}
		got, _ := st.GetJob(ctx, j.ID)
		if got.Status != Done || got.Attempts != 2 || string(got.Result) != `"from b"` || starts != 1 {
			t.Errorf("taken over: %+v (%d starts)", got, starts)
		}
		if _, err := st.RenewJob(ctx, dead, c.Now().Add(time.Minute), store.JobProgress{}); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("dead claim renews: %v", err)
		}
		if err := st.FinishJob(ctx, dead, Failed, nil, "late", store.JobProgress{}, c.Now()); !errors.Is(err, store.ErrLeaseLost) {
			t.Errorf("dead claim finishes: %v", err)
		}

		// A live job renews through its progress; the other process finds
		// nothing to claim, though the first lease ran out long ago.
		a := testRunner(st, "a", c)
		var blocked []bool
		a.Register("live", func(ctx context.Context, j Job, p Progress) (any, error) {
			for i := range int64(4) {
				c.Advance(40 * time.Second)
				p(i+1, 4, "working")
				other := testRunner(open(t, db.DSN), "other", c)
				other.Register("live", func(context.Context, Job, Progress) (any, error) { return "stolen", nil })
				ran, err := other.RunOnce(context.Background())
				if err != nil {
					return nil, err
				}
				blocked = append(blocked, !ran)
			}
			return "kept", nil
		})
		l, err := a.Enqueue(ctx, Request{Kind: "live"})
		if err != nil {
			t.Fatal(err)
		}
		if ran, err := a.RunOnce(context.Background()); !ran || err != nil {
			t.Fatal(ran, err)
		}
		got, _ = st.GetJob(ctx, l.ID)
		if got.Status != Done || got.Attempts != 1 || string(got.Result) != `"kept"` || fmt.Sprint(blocked) != "[true true true true]" {
			t.Errorf("renewed job: %+v %s, others blocked %v", got, got.Result, blocked)
		}
	})
}

// TestMaxAttempts: a job whose process died three times is failed, not
// claimed a fourth time.
func TestMaxAttempts(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db storetest.DB) {
		st := open(t, db.DSN)
		c := newClock()
		r := testRunner(st, "r", c)
		r.Register("crash", func(context.Context, Job, Progress) (any, error) { return nil, nil })
		ctx := actorCtx("dan", rollcall.RoleAdmin)
		j, err := r.Enqueue(ctx, Request{Kind: "crash"})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			got, err := st.ClaimJob(ctx, fmt.Sprint("dead", i), []string{"crash"}, c.Now(), time.Minute, 3)
			if err != nil || got == nil || got.Attempts != i+1 {
				t.Fatalf("claim %d: %+v %v", i, got, err)
			}
			c.Advance(2 * time.Minute)
		}
		if ran, err := r.RunOnce(context.Background()); ran || err != nil {
			t.Errorf("claimed a fourth time: %v %v", ran, err)
		}
		got, _ := st.GetJob(ctx, j.ID)
		if got.Status != Failed || got.Error == "" || got.FinishedAt == nil {
			t.Errorf("abandoned job %+v", got)
		}
	})
}

// TestRestartResumes: stopping a runner puts its running job back in the
// queue at once; the next process runs it again from its start.
func TestRestartResumes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db storetest.DB) {
		c := newClock()
		st1 := open(t, db.DSN)
		r1 := testRunner(st1, "first", c)
		started := make(chan int64, 1)
		r1.Register("long", func(ctx context.Context, j Job, p Progress) (any, error) {
			p(1, 10, "halfway")
			started <- j.ID
			<-ctx.Done()
			return nil, ctx.Err()
		})
		ctx := actorCtx("erin", rollcall.RoleAnalyst)
		if _, err := r1.Enqueue(ctx, Request{Kind: "long", Params: map[string]int{"n": 10}}); err != nil {
			t.Fatal(err)
		}
		r1.Start(context.Background())
		id := <-started
		if err := r1.Stop(context.Background()); err != nil {
			t.Fatal(err)
		}
		got, _ := st1.GetJob(ctx, id)
		if got.Status != Queued || got.Attempts != 1 || got.FinishedAt != nil {
			t.Fatalf("after stop: %+v", got)
		}
		r2 := testRunner(open(t, db.DSN), "second", c)
		var from int64 = -1
		r2.Register("long", func(ctx context.Context, j Job, p Progress) (any, error) {
			cur, err := st1.GetJob(ctx, j.ID)
			if err != nil {
				return nil, err
			}
			from = cur.Progress.Done // a new attempt starts from nothing
			return "again", nil
		})
		if ran, err := r2.RunOnce(context.Background()); !ran || err != nil {
			t.Fatal(ran, err)
		}
		got, _ = st1.GetJob(ctx, id)
		if got.Status != Done || got.Attempts != 2 || from != 0 {
			t.Errorf("resumed: %+v, progress at start %d", got, from)
		}
	})
}

// TestCancel: a queued job is cancelled at once; a running one stops at
// its next report and ends cancelled; an ended one cannot be cancelled.
// Both requests are audited.
func TestCancel(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db storetest.DB) {
		st := open(t, db.DSN)
		c := newClock()
		r := testRunner(st, "r", c)
		var asked int64
		r.Register("slow", func(ctx context.Context, j Job, p Progress) (any, error) {
			if _, err := r.Cancel(actorCtx("frank", rollcall.RoleAnalyst), j.ID); err != nil {
				return nil, err
			}
			asked = j.ID
			c.Advance(2 * time.Second)
			p(1, 2, "step")
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(10 * time.Second):
				return "not stopped", nil
			}
		})
		ctx := actorCtx("frank", rollcall.RoleAnalyst)
		q, err := r.Enqueue(ctx, Request{Kind: "slow"})
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Cancel(ctx, q.ID)
		if err != nil || got.Status != Cancelled {
			t.Fatalf("cancel queued: %+v %v", got, err)
		}
		if _, err := r.Cancel(ctx, q.ID); rollcall.ErrorCode(err) != rollcall.ECONFLICT {
			t.Errorf("cancel ended job: %v", err)
		}
		run, err := r.Enqueue(ctx, Request{Kind: "slow"})
		if err != nil {
			t.Fatal(err)
		}
		if ran, err := r.RunOnce(context.Background()); !ran || err != nil {
			t.Fatal(ran, err)
		}
		got, _ = st.GetJob(ctx, run.ID)
		if asked != run.ID || got.Status != Cancelled || got.Result != nil {
			t.Errorf("cancel running: %+v", got)
		}
		ents, _ := st.AuditEntries(ctx, 0, 0)
		n := 0
		for _, e := range ents {
			if e.Action == store.ActionCancel && e.Actor == "frank" {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%d cancel entries in the audit log, want 2", n)
		}
	})
}

// TestDedupe: a request with a dedupe key returns the queued job of the
// same kind and key; once that runs, the next request queues a new one.
func TestDedupe(t *testing.T) {
	storetest.Run(t, func(t *testing.T, db storetest.DB) {
		st := open(t, db.DSN)
		c := newClock()
		r := testRunner(st, "r", c)
		r.Register("relink", func(context.Context, Job, Progress) (any, error) { return nil, nil })
		ctx := actorCtx("gail", rollcall.RoleAnalyst)
		a, err := r.Enqueue(ctx, Request{Kind: "relink", DedupeKey: "all"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.Enqueue(ctx, Request{Kind: "relink", DedupeKey: "all"})
		if err != nil || b.ID != a.ID {
			t.Fatalf("second request: %+v %v", b, err)
		}
		if _, err := r.RunOnce(context.Background()); err != nil {
			t.Fatal(err)
		}
		d, err := r.Enqueue(ctx, Request{Kind: "relink", DedupeKey: "all"})
		if err != nil || d.ID == a.ID {
			t.Errorf("after the run: %+v %v", d, err)
		}
		// A delayed job waits for its time.
		late, err := r.Enqueue(ctx, Request{Kind: "relink", RunAfter: c.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		r.RunOnce(context.Background()) // d
		if ran, _ := r.RunOnce(context.Background()); ran {
			t.Error("ran a job before its time")
		}
		c.Advance(time.Hour)
		if ran, _ := r.RunOnce(context.Background()); !ran {
			t.Error("a due job did not run")
		}
		if got, _ := st.GetJob(ctx, late.ID); got.Status != Done {
			t.Errorf("delayed job %+v", got)
		}
	})
}
