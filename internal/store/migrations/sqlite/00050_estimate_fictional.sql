-- +goose Up
-- An estimate computed on fictional persons carries the FICTIONAL mark
-- wherever it is shown. Set when the estimate is saved, from the persons
-- and records it counted.
ALTER TABLE estimates ADD COLUMN fictional INTEGER NOT NULL DEFAULT 0;
-- Estimates stored before this column: computed on the linked records of
-- this database, so fictional when any linked record or person is (the
-- safe direction: a real figure is never claimed for invented data).
UPDATE estimates SET fictional = 1
WHERE EXISTS (SELECT 1 FROM records WHERE person_id IS NOT NULL AND fictional = 1)
   OR EXISTS (SELECT 1 FROM persons WHERE fictional = 1);

-- +goose Down
ALTER TABLE estimates DROP COLUMN fictional;
