-- +goose Up
-- Background jobs (internal/jobs): work a user asked for that runs after
-- the request, in whichever serve process claims it. A running job holds
-- a lease (owner, until) that its process renews; a job whose lease ran
-- out is claimed again and runs again from its start. attempts counts the
-- claims and, with lease_owner, fences a process that lost its lease.
-- Times are the fixed-width UTC text of the rest of the schema.
CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    params           TEXT NOT NULL DEFAULT '{}',
    dedupe_key       TEXT NOT NULL DEFAULT '',
    actor            TEXT NOT NULL,
    actor_role       TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    progress_done    INTEGER NOT NULL DEFAULT 0,
    progress_total   INTEGER NOT NULL DEFAULT 0,
    progress_message TEXT NOT NULL DEFAULT '',
    result           TEXT,
    error            TEXT NOT NULL DEFAULT '',
    attempts         INTEGER NOT NULL DEFAULT 0,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    lease_owner      TEXT NOT NULL DEFAULT '',
    lease_until      TEXT NOT NULL DEFAULT '',
    run_after        TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    started_at       TEXT NOT NULL DEFAULT '',
    finished_at      TEXT NOT NULL DEFAULT ''
);
-- What a claim looks for: queued jobs due, and running jobs whose lease ran out.
CREATE INDEX jobs_pending ON jobs (status, id) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_kind ON jobs (kind, id);

-- +goose Down
DROP TABLE jobs;
