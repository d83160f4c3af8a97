-- +goose Up
-- What deciding a queued pair is worth (match.ReviewWorth: its doubt over
-- the records a reviewer reads); the queue is shown in this order.
ALTER TABLE review_queue ADD COLUMN worth REAL NOT NULL DEFAULT 0;
CREATE INDEX review_queue_worth ON review_queue (worth DESC);

-- +goose Down
DROP INDEX review_queue_worth;
ALTER TABLE review_queue DROP COLUMN worth;
