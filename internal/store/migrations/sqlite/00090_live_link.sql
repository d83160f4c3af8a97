-- +goose Up
-- Live linkage (internal/link, Linker): every record write queues its
-- record here in the same transaction, and the server links the queue
-- within seconds. gen counts the writes since the record was queued, so
-- that a linker takes a row off only when no write came after what it
-- read. person_id is the person of a deleted record (to refresh or
-- remove it). No foreign key: a deleted record stays queued.
CREATE TABLE link_pending (
    record_id   INTEGER PRIMARY KEY,
    gen         INTEGER NOT NULL DEFAULT 1,
    person_id   INTEGER,
    enqueued_at TEXT NOT NULL
);
CREATE INDEX link_pending_order ON link_pending (enqueued_at, record_id);
-- The trained linkage model (match.Settings as JSON); the newest row is
-- the one in use. records is how many records it was trained on.
CREATE TABLE link_models (
    id         INTEGER PRIMARY KEY,
    settings   TEXT NOT NULL,
    records    INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
-- The lease under which one process links: the row exists only while a
-- process holds it, and a holder that died loses it at expires_at.
CREATE TABLE link_lease (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE link_lease;
DROP TABLE link_models;
DROP TABLE link_pending;
