-- +goose Up
-- Signed audit checkpoints, evidence files and their chain of custody
-- (internal/audit, internal/evidence). Evidence file names and the party a
-- file came from are sealed like other confidential fields (BLOB), bound to
-- the row's uid.
CREATE TABLE audit_checkpoints (
    id         INTEGER PRIMARY KEY,
    size       INTEGER NOT NULL,
    root       TEXT NOT NULL,
    at         TEXT NOT NULL,
    text       TEXT NOT NULL
);

CREATE TABLE evidence_files (
    sha256        TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    uid           TEXT NOT NULL UNIQUE,
    size          INTEGER NOT NULL CHECK (size >= 0),
    cipher_sha256 TEXT NOT NULL,
    name          BLOB,
    media_type    TEXT NOT NULL DEFAULT '',
    source_id     INTEGER REFERENCES sources (id),
    sensitivity   TEXT NOT NULL CHECK (sensitivity IN ('public', 'internal', 'confidential')),
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX evidence_files_source ON evidence_files (source_id);

CREATE TABLE evidence_custody (
    id      INTEGER PRIMARY KEY,
    uid     TEXT NOT NULL UNIQUE,
    sha256  TEXT NOT NULL REFERENCES evidence_files (sha256),
    at      TEXT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    party   BLOB,
    method  TEXT NOT NULL DEFAULT '',
    note    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX evidence_custody_file ON evidence_custody (sha256, id);

-- +goose Down
DROP TABLE evidence_custody;
DROP TABLE evidence_files;
DROP TABLE audit_checkpoints;
