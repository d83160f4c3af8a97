-- +goose Up
-- Full-text indexes over the name_keys search column of persons and
-- records (see search_index.go): a name search is an index lookup.
CREATE INDEX persons_name_keys_ts ON persons USING GIN (to_tsvector('simple', name_keys));
CREATE INDEX records_name_keys_ts ON records USING GIN (to_tsvector('simple', name_keys));

-- +goose Down
DROP INDEX records_name_keys_ts;
DROP INDEX persons_name_keys_ts;
