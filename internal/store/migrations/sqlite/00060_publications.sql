-- +goose Up
-- Every public export (rollcall publish) and the statistics cells it
-- revealed, so that a later publication can refuse a cell whose difference
-- with an earlier one would expose fewer than k persons (issue 12 finding 1).
-- Written in the transaction that appends the publication's audit entry.
CREATE TABLE publications (
    id       INTEGER PRIMARY KEY,
    number   INTEGER NOT NULL UNIQUE CHECK (number > 0),
    format   TEXT NOT NULL,
    k        INTEGER NOT NULL CHECK (k >= 1),
    sha256   TEXT NOT NULL CHECK (length(sha256) = 64),
    persons  INTEGER NOT NULL,
    actor    TEXT NOT NULL DEFAULT '',
    at       TEXT NOT NULL,
    -- The export file itself (public by construction), so the web UI can
    -- hand it out again; and, for the operator only, the cells withheld
    -- because of earlier publications (JSON).
    body     TEXT NOT NULL DEFAULT '',
    withheld TEXT NOT NULL DEFAULT '[]'
);

-- One revealed count: value '' is the table's total.
CREATE TABLE publication_cells (
    publication_id INTEGER NOT NULL REFERENCES publications (id) ON DELETE CASCADE,
    tbl            TEXT NOT NULL,
    value          TEXT NOT NULL,
    count          INTEGER NOT NULL,
    PRIMARY KEY (publication_id, tbl, value)
);
CREATE INDEX publication_cells_cell ON publication_cells (tbl, value);

-- +goose Down
DROP TABLE publication_cells;
DROP TABLE publications;
