-- +goose Up
-- Every rule a decree has had, with who saved it and when (the store adds
-- a row whenever a decree is created with a rule or its rule changes). The
-- decree's rule column is the current one; this is its history.
CREATE TABLE rule_versions (
    id        INTEGER PRIMARY KEY,
    decree_id INTEGER NOT NULL REFERENCES amnesty_decrees (id) ON DELETE CASCADE,
    rule      TEXT NOT NULL,
    note      TEXT NOT NULL DEFAULT '',
    saved_by  TEXT NOT NULL,
    saved_at  TEXT NOT NULL
);
CREATE INDEX rule_versions_decree ON rule_versions (decree_id, id);

-- Rules written before versions were kept become the first version, as of
-- the decree's last change.
INSERT INTO rule_versions (decree_id, rule, note, saved_by, saved_at)
    SELECT id, rule, 'kept from before rule versions were recorded', '', updated_at
    FROM amnesty_decrees WHERE rule <> '' ORDER BY id;

-- +goose Down
DROP TABLE rule_versions;
