// Package jobs runs background work (an estimate, a full relink, an
// amnesty re-evaluation) outside the request that asked for it, in
// whichever serve process claims it first, with progress that the API and
// the UI show while it runs.
//
// Jobs are rows of the jobs table (internal/store/jobs.go), so they
// survive a restart and several processes can share one PostgreSQL
// database. A Runner claims a job under a lease and renews the lease while
// the job runs; a process that dies leaves its lease to run out, and the
// job is then claimed again and runs again from its start. A process that
// stops cleanly puts its running jobs back in the queue at once. Job
// functions must therefore be idempotent: running one twice, or twice
// from the start after an interruption anywhere, must leave the database
// as running it once would (internal/work's kinds are).
//
// The kinds a Runner runs are registered by its caller (Register); the
// runner only claims the kinds it knows. Every enqueue is audited with
// who asked, and the job runs as them.
package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Job is a job row; see store.Job.
type Job = store.Job

// Statuses, as the store names them.
const (
	Queued    = store.JobQueued
	Running   = store.JobRunning
	Done      = store.JobDone
	Failed    = store.JobFailed
	Cancelled = store.JobCancelled
)

// Progress reports how far a job is: done of total steps (total 0 when
// unknown) and a short message. It is cheap to call often: the runner
// writes it to the database at most every Config.Flush (and with each
// lease renewal).
type Progress func(done, total int64, message string)

// Func does the work of one kind. It returns a result stored as JSON, or
// an error (stored as the job's error; a *rollcall.Error's message is kept,
// other errors are logged and stored as "internal error"). It must return
// soon after ctx is cancelled, and must be idempotent (see the package
// doc).
type Func func(ctx context.Context, job Job, p Progress) (result any, err error)

// Config tunes a Runner; zero values take the defaults.
type Config struct {
	// Workers is the number of jobs this process runs at once [1].
	Workers int
	// Lease is how long a claim holds without renewal [2 min].
	Lease time.Duration
	// Renew is how often (in real time) a running job's lease is renewed
	// [Lease/4].
	Renew time.Duration
	// Poll is how often (in real time) an idle worker looks for work that
	// another process queued [2 s]; work queued by this process wakes a
	// worker at once.
	Poll time.Duration
	// Flush is the least time (by Clock) between two writes of a job's
	// progress [1 s].
	Flush time.Duration
	// MaxAttempts fails a job whose process stopped this many times [3].
	MaxAttempts int
	// Clock is the time source for every time written [time.Now].
	Clock func() time.Time
	// Owner names this process in leases [host-pid-random].
	Owner  string
	Logger *slog.Logger
}

// Runner claims and runs jobs. Register kinds, then Start; Stop ends it.
type Runner struct {
	st    *store.Store
	cfg   Config
	log   *slog.Logger
	mu    sync.Mutex
	kinds map[string]Func

	wake    chan struct{}
	stop    context.CancelCauseFunc
	wg      sync.WaitGroup
	started bool
}

// New returns a Runner over st.
func New(st *store.Store, cfg Config) *Runner {
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Renew <= 0 {
		cfg.Renew = cfg.Lease / 4
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 2 * time.Second
	}
	if cfg.Flush <= 0 {
		cfg.Flush = time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Owner == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		rand.Read(b)
		cfg.Owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Runner{st: st, cfg: cfg, log: log, kinds: map[string]Func{}, wake: make(chan struct{}, 1)}
}

// Register makes the runner run jobs of kind with fn. Registering a kind
// twice, or after Start, is a programming error and panics.
func (r *Runner) Register(kind string, fn Func) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if kind == "" || fn == nil || r.kinds[kind] != nil || r.started {
		panic(fmt.Sprintf("jobs: cannot register kind %q", kind))
	}
	r.kinds[kind] = fn
}

// Kinds lists the registered kinds, sorted.
func (r *Runner) Kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	ks := make([]string, 0, len(r.kinds))
	for k := range r.kinds {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

func (r *Runner) fn(kind string) Func {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.kinds[kind]
}

// Request is a job to enqueue.
type Request struct {
	Kind   string
	Params any // marshalled to a JSON object
	// DedupeKey returns a queued job of the same kind and key, if any,
	// instead of adding one.
	DedupeKey string
	// RunAfter delays the job (zero: now).
	RunAfter time.Time
}

// Enqueue adds a job for the actor in ctx (audited with their name) and
// wakes an idle worker of this process. The kind must be registered.
func (r *Runner) Enqueue(ctx context.Context, req Request) (*Job, error) {
	if r.fn(req.Kind) == nil {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "kind",
			Message: fmt.Sprintf("no job kind %q (kinds: %s)", req.Kind, strings.Join(r.Kinds(), ", "))}
	}
	a := rollcall.ActorFrom(ctx)
	if a.Name == "" {
		return nil, rollcall.Errorf(rollcall.EUNAUTHORIZED, "a job needs someone who asked for it")
	}
	params, err := json.Marshal(req.Params)
	if err != nil {
		return nil, fmt.Errorf("jobs: parameters of %s: %w", req.Kind, err)
	}
	if req.Params == nil {
		params = []byte("{}")
	}
	j := &Job{Kind: req.Kind, Params: params, DedupeKey: req.DedupeKey, Actor: a.Name, ActorRole: a.Role, RunAfter: req.RunAfter}
	if _, err := r.st.EnqueueJob(ctx, j, r.cfg.Clock()); err != nil {
		return nil, fmt.Errorf("jobs: enqueue %s: %w", req.Kind, err)
	}
	select {
	case r.wake <- struct{}{}:
	default:
	}
	return j, nil
}

// Cancel cancels a queued job, or asks the process running it to stop.
func (r *Runner) Cancel(ctx context.Context, id int64) (*Job, error) {
	return r.st.CancelJob(ctx, id, r.cfg.Clock())
}

// Start runs Config.Workers workers until Stop. Jobs left running by a
// process that stopped are picked up as their leases run out; jobs left
// queued at once.
func (r *Runner) Start(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		return
	}
	r.started = true
	ctx, r.stop = context.WithCancelCause(ctx)
	for range r.cfg.Workers {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.work(ctx)
		}()
	}
}

// Stop stops claiming, interrupts the running jobs (they go back to the
// queue) and waits for the workers to return, or for ctx.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	stop := r.stop
	r.mu.Unlock()
	if stop == nil {
		return nil
	}
	stop(errStopping)
	done := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("jobs: stop: %w", ctx.Err())
	}
}

// Why a running job's context ends.
var (
	errStopping  = errors.New("the server is stopping")
	errCancelled = errors.New("cancelled on request")
	errLeaseLost = store.ErrLeaseLost
)

func (r *Runner) work(ctx context.Context) {
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		ran, err := r.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			r.log.Error("jobs: claim", "err", err)
		}
		if ran {
			continue // there may be more
		}
		t.Reset(r.cfg.Poll)
		select {
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-t.C:
		}
	}
}

// RunOnce claims one due job and runs it to its end; it reports whether
// there was one. Workers call it in a loop; tests call it directly.
func (r *Runner) RunOnce(ctx context.Context) (bool, error) {
	kinds := r.Kinds()
	if len(kinds) == 0 || ctx.Err() != nil {
		return false, nil
	}
	j, err := r.st.ClaimJob(context.WithoutCancel(ctx), r.cfg.Owner, kinds, r.cfg.Clock(), r.cfg.Lease, r.cfg.MaxAttempts)
	if err != nil || j == nil {
		return false, err
	}
	r.run(ctx, j)
	return true, nil
}

// run runs one claimed job and records how it ended.
func (r *Runner) run(parent context.Context, j *Job) {
	// The job's own writes must not be cut by the runner's context
	// except through jctx; its bookkeeping must outlive both.
	bg := context.WithoutCancel(parent)
	jctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	jctx = rollcall.WithActor(jctx, rollcall.Actor{Name: j.Actor, Role: j.ActorRole})
	log := r.log.With("job", j.ID, "kind", j.Kind, "attempt", j.Attempts)

	rep := &reporter{r: r, j: j, cancel: cancel, last: r.cfg.Clock()}
	if j.CancelRequested {
		rep.finish(bg, Cancelled, nil, errCancelled.Error())
		return
	}
	log.Info("job started")
	hb := make(chan struct{})
	go func() {
		defer close(hb)
		t := time.NewTicker(r.cfg.Renew)
		defer t.Stop()
		for {
			select {
			case <-jctx.Done():
				return
			case <-t.C:
				rep.flush(bg, true)
			}
		}
	}()
	res, err := r.call(jctx, *j, rep.report)
	cancel(nil)
	<-hb

	cause := context.Cause(jctx)
	switch {
	case errors.Is(cause, errLeaseLost):
		log.Warn("job lease lost; another process runs it again")
	case errors.Is(cause, errStopping) && err != nil:
		if err := r.st.ReleaseJob(bg, j); err != nil && !errors.Is(err, errLeaseLost) {
			log.Error("job: release", "err", err)
		}
		log.Info("job interrupted; back in the queue")
	case errors.Is(cause, errCancelled) && err != nil:
		rep.finish(bg, Cancelled, nil, errCancelled.Error())
		log.Info("job cancelled")
	case err != nil:
		msg := rollcall.ErrorMessage(err)
		if rollcall.ErrorCode(err) == rollcall.EINTERNAL {
			log.Error("job failed", "err", err)
		}
		rep.finish(bg, Failed, nil, msg)
	default:
		b, merr := json.Marshal(res)
		if merr != nil {
			log.Error("job result", "err", merr)
			rep.finish(bg, Failed, nil, "internal error")
			return
		}
		rep.finish(bg, Done, b, "")
		log.Info("job done")
	}
}

// call runs fn, turning a panic into an internal error.
func (r *Runner) call(ctx context.Context, j Job, p Progress) (res any, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("job %d (%s) panicked: %v", j.ID, j.Kind, v)
		}
	}()
	return r.fn(j.Kind)(ctx, j, p)
}

// maxMessage bounds a progress message, in characters.
const maxMessage = 200

// reporter keeps a running job's progress and writes it with the lease.
type reporter struct {
	r      *Runner
	j      *Job
	cancel context.CancelCauseFunc

	mu    sync.Mutex
	p     store.JobProgress
	last  time.Time // clock time of the last write
	dirty bool
}

// report is the job's Progress: it keeps the values and writes them when
// Flush has passed since the last write.
func (rp *reporter) report(done, total int64, msg string) {
	rp.mu.Lock()
	if r := []rune(msg); len(r) > maxMessage {
		msg = string(r[:maxMessage])
	}
	changed := msg != rp.p.Message
	rp.p = store.JobProgress{Done: done, Total: total, Message: msg}
	rp.dirty = true
	due := changed || rp.r.cfg.Clock().Sub(rp.last) >= rp.r.cfg.Flush
	rp.mu.Unlock()
	if due {
		rp.flush(context.Background(), false)
	}
}

// flush renews the lease with the current progress (always, for the
// heartbeat; only when there is news otherwise). A lost lease or a cancel
// request ends the job's context with that cause.
func (rp *reporter) flush(ctx context.Context, always bool) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if !always && !rp.dirty {
		return
	}
	now := rp.r.cfg.Clock()
	cancel, err := rp.r.st.RenewJob(ctx, rp.j, now.Add(rp.r.cfg.Lease), rp.p)
	switch {
	case errors.Is(err, errLeaseLost):
		rp.cancel(errLeaseLost)
	case err != nil:
		// The database may be back by the next beat; the lease is long
		// enough to miss a few.
		rp.r.log.Warn("jobs: renew lease", "job", rp.j.ID, "err", err)
	case cancel:
		rp.cancel(errCancelled)
	default:
		rp.last, rp.dirty = now, false
	}
}

func (rp *reporter) finish(ctx context.Context, status string, result json.RawMessage, errText string) {
	rp.mu.Lock()
	p := rp.p
	rp.mu.Unlock()
	if status == Done && p.Total > 0 {
		p.Done = p.Total
	}
	if err := rp.r.st.FinishJob(ctx, rp.j, status, result, errText, p, rp.r.cfg.Clock()); err != nil {
		if errors.Is(err, errLeaseLost) {
			rp.r.log.Warn("jobs: finished after losing the lease; the result is dropped", "job", rp.j.ID)
			return
		}
		rp.r.log.Error("jobs: finish", "job", rp.j.ID, "err", err)
	}
}

// Get returns the job with id.
func (r *Runner) Get(ctx context.Context, id int64) (*Job, error) { return r.st.GetJob(ctx, id) }

// List lists jobs, newest first (filters: kind, status, actor).
func (r *Runner) List(ctx context.Context, o rollcall.ListOptions) ([]Job, int, error) {
	if st, ok := o.Filters["status"]; ok && !slices.Contains(store.JobStatuses, st) {
		return nil, 0, &rollcall.Error{Code: rollcall.EINVALID, Field: "status",
			Message: fmt.Sprintf("status %q is not one of %s", st, strings.Join(store.JobStatuses, ", "))}
	}
	return r.st.ListJobs(ctx, o)
}
