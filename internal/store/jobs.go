package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit/chain"
)

// Job statuses. A job is queued, then running (claimed under a lease),
// then done, failed or cancelled; a running job whose lease ran out is
// claimed again as if queued.
const (
	JobQueued    = "queued"
	JobRunning   = "running"
	JobDone      = "done"
	JobFailed    = "failed"
	JobCancelled = "cancelled"
)

// JobStatuses lists every status, in the order a job goes through them.
var JobStatuses = []string{JobQueued, JobRunning, JobDone, JobFailed, JobCancelled}

// ActionEnqueue and ActionCancel are the audit actions of jobs.
const (
	ActionEnqueue = "enqueue"
	ActionCancel  = "cancel"
)

// ErrLeaseLost is returned to a process that reports on, or finishes, a
// job it no longer holds: its lease ran out and another claimed the job.
var ErrLeaseLost = errors.New("job lease lost")

// JobProgress is how far a running job is: Done of Total steps (Total 0
// when unknown) and a short message.
type JobProgress struct {
	Done    int64  `json:"done"`
	Total   int64  `json:"total"`
	Message string `json:"message,omitempty"`
}

// Job is one piece of background work and what became of it.
type Job struct {
	ID     int64           `json:"id"`
	Kind   string          `json:"kind"`
	Params json.RawMessage `json:"params"`
	// DedupeKey, when set, makes an enqueue return a queued job of the same
	// kind and key instead of adding another.
	DedupeKey string `json:"dedupe_key,omitempty"`
	// Actor and ActorRole are who asked; the job runs as them.
	Actor     string          `json:"actor"`
	ActorRole string          `json:"actor_role"`
	Status    string          `json:"status"`
	Progress  JobProgress     `json:"progress"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     string          `json:"error,omitempty"`
	// Attempts counts the claims: more than one means a process died (or
	// stopped) while running it and the job ran again from its start.
	Attempts        int        `json:"attempts"`
	CancelRequested bool       `json:"cancel_requested,omitempty"`
	RunAfter        time.Time  `json:"run_after"`
	CreatedAt       time.Time  `json:"created_at"`
	StartedAt       *time.Time `json:"started_at,omitempty"`
	FinishedAt      *time.Time `json:"finished_at,omitempty"`
	// LeaseOwner and LeaseUntil are the claim of a running job.
	LeaseOwner string    `json:"-"`
	LeaseUntil time.Time `json:"-"`
}

// DeclaredSensitivity: a job (its options, its author, its result) is the
// team's (rollcall.Sensitive).
func (Job) DeclaredSensitivity() rollcall.Sensitivity { return rollcall.Internal }

// Finished reports whether the job has ended (done, failed or cancelled).
func (j *Job) Finished() bool {
	return j.Status == JobDone || j.Status == JobFailed || j.Status == JobCancelled
}

const jobCols = `id, kind, params, dedupe_key, actor, actor_role, status, progress_done, progress_total, progress_message,
	result, error, attempts, cancel_requested, lease_owner, lease_until, run_after, created_at, started_at, finished_at`

func scanJob(r scanner) (*Job, error) {
	var j Job
	var params string
	var result sql.NullString
	var leaseUntil, runAfter, created, started, finished string
	err := r.Scan(&j.ID, &j.Kind, &params, &j.DedupeKey, &j.Actor, &j.ActorRole, &j.Status, &j.Progress.Done, &j.Progress.Total,
		&j.Progress.Message, &result, &j.Error, &j.Attempts, &j.CancelRequested, &j.LeaseOwner, &leaseUntil, &runAfter, &created,
		&started, &finished)
	if err != nil {
		return nil, err
	}
	j.Params = json.RawMessage(params)
	if result.Valid {
		j.Result = json.RawMessage(result.String)
	}
	j.LeaseUntil, j.RunAfter, j.CreatedAt = parseTime(leaseUntil), parseTime(runAfter), parseTime(created)
	j.StartedAt, j.FinishedAt = optTime(started), optTime(finished)
	return &j, nil
}

func optTime(s string) *time.Time {
	if s == "" {
		return nil
	}
	t := parseTime(s)
	return &t
}

// EnqueueJob adds j as a queued job at now and appends who asked to the
// audit log in the same transaction. Kind and Actor are required; Params
// must be a JSON object (empty: {}). With a DedupeKey, a queued job of the
// same kind and key is returned instead (nothing is added or audited);
// the second result says whether j was added.
func (s *Store) EnqueueJob(ctx context.Context, j *Job, now time.Time) (bool, error) {
	j.Kind = strings.TrimSpace(j.Kind)
	if err := required("job", "kind", j.Kind); err != nil {
		return false, err
	}
	if err := required("job", "actor", j.Actor); err != nil {
		return false, err
	}
	if len(j.Params) == 0 {
		j.Params = json.RawMessage("{}")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(j.Params, &obj); err != nil || obj == nil {
		return false, &rollcall.Error{Code: rollcall.EINVALID, Field: "params", Message: "job: parameters must be a JSON object"}
	}
	now = now.UTC().Truncate(time.Microsecond)
	if j.RunAfter.IsZero() || j.RunAfter.Before(now) {
		j.RunAfter = now
	}
	added := false
	err := s.write(ctx, func(tx *Store) error {
		if j.DedupeKey != "" {
			old, err := scanJob(tx.q.QueryRowContext(ctx, `SELECT `+jobCols+` FROM jobs
				WHERE kind = $1 AND dedupe_key = $2 AND status = $3 ORDER BY id LIMIT 1`, j.Kind, j.DedupeKey, JobQueued))
			if err == nil {
				*j = *old
				return nil
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return mapErr(fmt.Errorf("enqueue job: %w", err), "job", 0)
			}
		}
		var id int64
		err := tx.q.QueryRowContext(ctx, `INSERT INTO jobs (kind, params, dedupe_key, actor, actor_role, status, run_after, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			j.Kind, string(j.Params), j.DedupeKey, j.Actor, j.ActorRole, JobQueued, fmtTime(j.RunAfter), fmtTime(now)).Scan(&id)
		if err != nil {
			return mapErr(fmt.Errorf("enqueue job: %w", err), "job", 0)
		}
		j.ID, j.Status, j.CreatedAt, j.Attempts = id, JobQueued, now, 0
		added = true
		_, err = tx.appendAudit(ctx, chain.Entry{At: now, Actor: j.Actor, Action: ActionEnqueue, Entity: "job", EntityID: id,
			AfterHash: hashOf(j.Kind, j.Params), Detail: j.Kind})
		return err
	})
	return added, err
}

// GetJob returns the job with id.
func (s *Store) GetJob(ctx context.Context, id int64) (*Job, error) {
	j, err := scanJob(s.q.QueryRowContext(ctx, `SELECT `+jobCols+` FROM jobs WHERE id = $1`, id))
	if err != nil {
		return nil, mapErr(fmt.Errorf("get job: %w", err), "job", id)
	}
	return j, nil
}

var jobList = registerList(&listSpec{
	row:    Job{},
	entity: "job",
	table:  "jobs",
	filters: map[string]filterCol{
		"kind":   {"kind", fText},
		"status": {"status", fText},
		"actor":  {"actor", fText},
	},
	order: "id DESC",
})

// ListJobs lists jobs, newest first; filters: kind, status, actor.
func (s *Store) ListJobs(ctx context.Context, o rollcall.ListOptions) ([]Job, int, error) {
	out := []Job{}
	total, err := s.list(ctx, jobList, jobCols, o, func(r scanner) error {
		j, err := scanJob(r)
		if err != nil {
			return err
		}
		out = append(out, *j)
		return nil
	})
	return out, total, err
}

// inList is "col IN ($n, …)" for vals, appending them to args.
func inList(col string, vals []string, args []any) (string, []any) {
	ph := make([]string, len(vals))
	for i, v := range vals {
		args = append(args, v)
		ph[i] = "$" + strconv.Itoa(len(args))
	}
	return col + " IN (" + strings.Join(ph, ", ") + ")", args
}

// ClaimJob takes the oldest job of one of kinds that is due (queued with
// run_after reached, or running with its lease run out) for owner until
// now+lease, and returns it; nil when there is none. Running jobs whose
// lease ran out after maxAttempts claims are failed instead of claimed
// again, so a job that kills its process cannot take every process down
// in turn.
//
// The claim is one statement: on PostgreSQL the candidate row is locked
// with FOR UPDATE SKIP LOCKED, so concurrent claimers take different jobs;
// SQLite runs one writing statement at a time.
func (s *Store) ClaimJob(ctx context.Context, owner string, kinds []string, now time.Time, lease time.Duration, maxAttempts int) (*Job, error) {
	if owner == "" || len(kinds) == 0 {
		return nil, rollcall.Errorf(rollcall.EINVALID, "claim job: an owner and at least one kind are required")
	}
	n := fmtTime(now)
	args := []any{JobFailed, fmt.Sprintf("abandoned: the process running it stopped %d times", maxAttempts), n, JobRunning, n, maxAttempts}
	kindIn, args := inList("kind", kinds, args)
	if _, err := s.q.ExecContext(ctx, `UPDATE jobs SET status = $1, error = $2, finished_at = $3, lease_owner = '', lease_until = ''
		WHERE status = $4 AND lease_until < $5 AND attempts >= $6 AND `+kindIn, args...); err != nil {
		return nil, mapErr(fmt.Errorf("claim job: %w", err), "job", 0)
	}
	args = []any{JobRunning, owner, fmtTime(now.Add(lease)), n, JobQueued}
	kindIn, args = inList("kind", kinds, args)
	lock := ""
	if s.dialect == Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	// A new claim starts from nothing: progress, result and error of an
	// earlier attempt are cleared; started_at is the latest claim.
	// The outer condition repeats the inner one, so that a row another
	// claimer took between the two is not taken again.
	due := `((status = $5 AND run_after <= $4) OR (status = $1 AND lease_until < $4))`
	j, err := scanJob(s.q.QueryRowContext(ctx, `UPDATE jobs SET status = $1, lease_owner = $2, lease_until = $3, started_at = $4,
		attempts = attempts + 1, progress_done = 0, progress_total = 0, progress_message = '', result = NULL, error = ''
		WHERE `+due+` AND id = (SELECT id FROM jobs WHERE `+due+` AND `+kindIn+` ORDER BY id LIMIT 1`+lock+`)
		RETURNING `+jobCols, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, mapErr(fmt.Errorf("claim job: %w", err), "job", 0)
	}
	return j, nil
}

// fence is the condition that the job is still held by this claim.
const fence = `id = $1 AND lease_owner = $2 AND attempts = $3 AND status = 'running'`

// RenewJob extends the lease of a job held by owner in its attempt-th
// claim to until and records p. It returns whether a cancel was asked
// for, or ErrLeaseLost when the job is no longer held.
func (s *Store) RenewJob(ctx context.Context, j *Job, until time.Time, p JobProgress) (cancel bool, err error) {
	err = s.q.QueryRowContext(ctx, `UPDATE jobs SET lease_until = $4, progress_done = $5, progress_total = $6, progress_message = $7
		WHERE `+fence+` RETURNING cancel_requested`,
		j.ID, j.LeaseOwner, j.Attempts, fmtTime(until), p.Done, p.Total, p.Message).Scan(&cancel)
	if errors.Is(err, sql.ErrNoRows) {
		return false, ErrLeaseLost
	}
	if err != nil {
		return false, mapErr(fmt.Errorf("renew job %d: %w", j.ID, err), "job", j.ID)
	}
	return cancel, nil
}

// FinishJob ends a job held by this claim with status (done, failed or
// cancelled), its result (JSON, may be nil) and error text, or returns
// ErrLeaseLost.
func (s *Store) FinishJob(ctx context.Context, j *Job, status string, result json.RawMessage, errText string, p JobProgress, now time.Time) error {
	if status != JobDone && status != JobFailed && status != JobCancelled {
		return rollcall.Errorf(rollcall.EINVALID, "finish job: %q is not a final status", status)
	}
	var res any
	if result != nil {
		res = string(result)
	}
	r, err := s.q.ExecContext(ctx, `UPDATE jobs SET status = $4, result = $5, error = $6, finished_at = $7, lease_owner = '',
		lease_until = '', progress_done = $8, progress_total = $9, progress_message = $10 WHERE `+fence,
		j.ID, j.LeaseOwner, j.Attempts, status, res, errText, fmtTime(now), p.Done, p.Total, p.Message)
	if err != nil {
		return mapErr(fmt.Errorf("finish job %d: %w", j.ID, err), "job", j.ID)
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// ReleaseJob puts a job held by this claim back in the queue at once (its
// process is stopping), so that another process, or this one after a
// restart, runs it again from its start without waiting out the lease.
func (s *Store) ReleaseJob(ctx context.Context, j *Job) error {
	r, err := s.q.ExecContext(ctx, `UPDATE jobs SET status = $4, lease_owner = '', lease_until = '' WHERE `+fence,
		j.ID, j.LeaseOwner, j.Attempts, JobQueued)
	if err != nil {
		return mapErr(fmt.Errorf("release job %d: %w", j.ID, err), "job", j.ID)
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		return ErrLeaseLost
	}
	return nil
}

// CancelJob cancels a queued job at once, and asks the process running a
// running one to stop it (the job then ends as cancelled). Cancelling a
// finished job is a conflict. The request is audited with the context's
// actor.
func (s *Store) CancelJob(ctx context.Context, id int64, now time.Time) (*Job, error) {
	var out *Job
	err := s.write(ctx, func(tx *Store) error {
		j, err := tx.GetJob(ctx, id)
		if err != nil {
			return err
		}
		switch j.Status {
		case JobQueued:
			_, err = tx.q.ExecContext(ctx, `UPDATE jobs SET status = $1, finished_at = $2 WHERE id = $3 AND status = $4`,
				JobCancelled, fmtTime(now), id, JobQueued)
		case JobRunning:
			_, err = tx.q.ExecContext(ctx, `UPDATE jobs SET cancel_requested = $1 WHERE id = $2 AND status = $3`, true, id, JobRunning)
		default:
			return rollcall.Errorf(rollcall.ECONFLICT, "job %d has already ended (%s)", id, j.Status)
		}
		if err != nil {
			return mapErr(fmt.Errorf("cancel job %d: %w", id, err), "job", id)
		}
		if _, err := tx.appendAudit(ctx, chain.Entry{At: now, Action: ActionCancel, Entity: "job", EntityID: id, Detail: j.Kind}); err != nil {
			return err
		}
		out, err = tx.GetJob(ctx, id)
		return err
	})
	return out, err
}
