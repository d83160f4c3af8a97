-- +goose Up
-- Facts about the database itself, one value per name. The demo writes
-- demo=true into the database it creates, and refuses any database that
-- lacks it (issue 12, finding 5): a real database is never filled with
-- fictional persons. store.Probe reads it without opening the store.
CREATE TABLE settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
