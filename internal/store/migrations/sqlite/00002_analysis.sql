-- +goose Up
-- Linkage decisions are human judgements, kept forever: the latest for a
-- pair wins. record_a < record_b always.
CREATE TABLE link_decisions (
    id         INTEGER PRIMARY KEY,
    record_a   INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    record_b   INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    same       INTEGER NOT NULL,
    decided_by TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    CHECK (record_a < record_b)
);
CREATE INDEX link_decisions_pair ON link_decisions (record_a, record_b);

-- The review queue is derived by each linkage run and replaced whole.
CREATE TABLE review_queue (
    record_a    INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    record_b    INTEGER NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    probability REAL NOT NULL CHECK (probability BETWEEN 0 AND 1),
    PRIMARY KEY (record_a, record_b)
);

-- Our own estimates, with everything needed to reproduce them.
CREATE TABLE estimates (
    id         INTEGER PRIMARY KEY,
    stratum    TEXT NOT NULL DEFAULT '',
    method     TEXT NOT NULL,
    observed   INTEGER NOT NULL,
    estimate   REAL NOT NULL,
    lower      REAL,
    upper      REAL,
    level      REAL NOT NULL DEFAULT 0,
    model      TEXT NOT NULL DEFAULT '',
    params     TEXT NOT NULL DEFAULT '{}',
    seed       INTEGER NOT NULL DEFAULT 0,
    input_hash TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE estimates;
DROP TABLE review_queue;
DROP TABLE link_decisions;
