-- +goose Up
-- Keyed MACs of the rows an audit entry wrote (issue 12 finding 4), covered
-- by the entry's hash; `audit verify` checks current rows against them.
ALTER TABLE audit_log ADD COLUMN row_hashes TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit_log DROP COLUMN row_hashes;
