package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rollcall-project/rollcall"
)

// This file keeps what live linkage needs (internal/link, Linker): the
// queue of records written since they were last linked, the stored
// linkage model, and the lease under which one process links.

// PendingLink is a queued record: written since it was last linked.
type PendingLink struct {
	RecordID int64
	// Gen counts the writes since the record was queued: a linker takes
	// the row off only at the gen it read (DonePendingLinks), so a write
	// that came while it worked is linked again, never lost.
	Gen int64
	// PersonID is the person a deleted record belonged to.
	PersonID   *int64
	EnqueuedAt time.Time
}

// enqueueLink queues records for linkage in the current transaction.
// personID is given for a deleted record: its person is refreshed.
func (s *Store) enqueueLink(ctx context.Context, personID *int64, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	s.queued = true
	now := fmtTime(s.nowUTC())
	const per = 400
	for i := 0; i < len(ids); i += per {
		chunk := ids[i:min(i+per, len(ids))]
		args := make([]any, 0, 3*len(chunk)+1)
		args = append(args, now)
		var q strings.Builder
		q.WriteString(`INSERT INTO link_pending (record_id, gen, person_id, enqueued_at) VALUES `)
		for j, id := range chunk {
			if j > 0 {
				q.WriteString(", ")
			}
			fmt.Fprintf(&q, "($%d, 1, $%d, $1)", 2*j+2, 2*j+3)
			args = append(args, id, personID)
		}
		q.WriteString(` ON CONFLICT (record_id) DO UPDATE SET gen = link_pending.gen + 1,
			person_id = COALESCE(excluded.person_id, link_pending.person_id)`)
		if _, err := s.q.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("queue records for linkage: %w", err)
		}
	}
	return nil
}

// PendingLinks returns up to limit queued records, oldest first, and how
// many are queued in all.
func (s *Store) PendingLinks(ctx context.Context, limit int) ([]PendingLink, int, error) {
	var total int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM link_pending`).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("linkage queue: %w", err)
	}
	if limit <= 0 {
		limit = total
	}
	rows, err := s.q.QueryContext(ctx, `SELECT record_id, gen, person_id, enqueued_at FROM link_pending
		ORDER BY enqueued_at, record_id LIMIT $1`, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("linkage queue: %w", err)
	}
	defer rows.Close()
	var out []PendingLink
	for rows.Next() {
		var p PendingLink
		var at string
		if err := rows.Scan(&p.RecordID, &p.Gen, &p.PersonID, &at); err != nil {
			return nil, 0, fmt.Errorf("linkage queue: %w", err)
		}
		p.EnqueuedAt = parseTime(at)
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// LinkPending reports whether the record waits for linkage.
func (s *Store) LinkPending(ctx context.Context, recordID int64) (bool, error) {
	var n int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM link_pending WHERE record_id = $1`, recordID).Scan(&n); err != nil {
		return false, fmt.Errorf("linkage queue: %w", err)
	}
	return n > 0, nil
}

// DonePendingLinks takes linked records off the queue: each only at the
// gen it was read with (a later write keeps it queued).
func (s *Store) DonePendingLinks(ctx context.Context, done []PendingLink) error {
	return s.write(ctx, func(tx *Store) error {
		const per = 400
		for i := 0; i < len(done); i += per {
			chunk := done[i:min(i+per, len(done))]
			args := make([]any, 0, 2*len(chunk))
			var q strings.Builder
			q.WriteString(`DELETE FROM link_pending WHERE `)
			for j, p := range chunk {
				if j > 0 {
					q.WriteString(" OR ")
				}
				fmt.Fprintf(&q, "(record_id = $%d AND gen = $%d)", 2*j+1, 2*j+2)
				args = append(args, p.RecordID, p.Gen)
			}
			if _, err := tx.q.ExecContext(ctx, q.String(), args...); err != nil {
				return fmt.Errorf("take records off the linkage queue: %w", err)
			}
		}
		return nil
	})
}

// linkLeaseName names the one lease (the table could hold more).
const linkLeaseName = "linker"

// AcquireLinkLease takes or renews the linkage lease for holder until
// now+ttl; it reports false when another holder has it and it has not
// run out.
func (s *Store) AcquireLinkLease(ctx context.Context, holder string, ttl time.Duration) (bool, error) {
	if holder == "" {
		return false, rollcall.Errorf(rollcall.EINVALID, "a linkage lease needs a holder")
	}
	now := s.nowUTC()
	res, err := s.q.ExecContext(ctx, `INSERT INTO link_lease (name, holder, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE link_lease.holder = excluded.holder OR link_lease.expires_at < $4`,
		linkLeaseName, holder, fmtTime(now.Add(ttl)), fmtTime(now))
	if err != nil {
		return false, mapErr(fmt.Errorf("linkage lease: %w", err), "", 0)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("linkage lease: %w", err)
	}
	return n == 1, nil
}

// HoldsLinkLease checks, inside a write transaction, that holder still
// has the lease: a linker that lost it (paused past its expiry) writes
// nothing. Writers are serialized, so the answer holds until commit.
func (s *Store) HoldsLinkLease(ctx context.Context, holder string) error {
	var h, until string
	err := s.q.QueryRowContext(ctx, `SELECT holder, expires_at FROM link_lease WHERE name = $1`, linkLeaseName).Scan(&h, &until)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (h != holder || until < fmtTime(s.nowUTC()))) {
		return rollcall.Errorf(rollcall.ECONFLICT, "the linkage lease is no longer held by %s", holder)
	}
	if err != nil {
		return fmt.Errorf("linkage lease: %w", err)
	}
	return nil
}

// ReleaseLinkLease gives the lease up (a stopping server), so another
// process links at once.
func (s *Store) ReleaseLinkLease(ctx context.Context, holder string) error {
	if _, err := s.q.ExecContext(ctx, `DELETE FROM link_lease WHERE name = $1 AND holder = $2`, linkLeaseName, holder); err != nil {
		return fmt.Errorf("release linkage lease: %w", err)
	}
	return nil
}

// SaveLinkModel stores a trained linkage model (settings as JSON) and
// the number of records it was trained on; the newest is the one used.
func (s *Store) SaveLinkModel(ctx context.Context, settings []byte, records int) error {
	return s.write(ctx, func(tx *Store) error {
		now := tx.nowUTC()
		if _, err := tx.q.ExecContext(ctx, `INSERT INTO link_models (settings, records, created_at) VALUES ($1, $2, $3)`,
			string(settings), records, fmtTime(now)); err != nil {
			return fmt.Errorf("save linkage model: %w", err)
		}
		_, err := tx.appendAuditEntry(ctx, ActionCreate, "link_model", 0, "", hashOf(string(settings)), fmt.Sprintf("trained on %d records", records))
		return err
	})
}

// LinkModel returns the newest stored model; found is false when none is.
func (s *Store) LinkModel(ctx context.Context) (settings []byte, records int, found bool, err error) {
	var text string
	err = s.q.QueryRowContext(ctx, `SELECT settings, records FROM link_models ORDER BY id DESC LIMIT 1`).Scan(&text, &records)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, false, nil
	}
	if err != nil {
		return nil, 0, false, fmt.Errorf("linkage model: %w", err)
	}
	return []byte(text), records, true, nil
}

// AddReviewPairs puts pairs on the review queue beside those there (a
// live linkage step), after taking off every undecided pair of the
// records in replace (their pairs were scored again).
func (s *Store) AddReviewPairs(ctx context.Context, replace []int64, pairs []ReviewPair) error {
	return s.write(ctx, func(tx *Store) error {
		const per = 400
		for i := 0; i < len(replace); i += per {
			chunk := replace[i:min(i+per, len(replace))]
			args := make([]any, len(chunk))
			for j, id := range chunk {
				args[j] = id
			}
			ph := placeholders(1, len(chunk))
			if _, err := tx.q.ExecContext(ctx, `DELETE FROM review_queue WHERE record_a IN (`+ph+`) OR record_b IN (`+ph+`)`, args...); err != nil {
				return fmt.Errorf("review queue: %w", err)
			}
		}
		for _, p := range pairs {
			a, b := min(p.RecordA, p.RecordB), max(p.RecordA, p.RecordB)
			if a == b || !(p.Probability >= 0 && p.Probability <= 1) {
				return rollcall.Errorf(rollcall.EINVALID, "review pair %d,%d: needs two records and a probability in [0,1]", a, b)
			}
			if _, err := tx.q.ExecContext(ctx, `INSERT INTO review_queue (record_a, record_b, probability) VALUES ($1, $2, $3)
				ON CONFLICT (record_a, record_b) DO UPDATE SET probability = excluded.probability`, a, b, p.Probability); err != nil {
				if constraintKind(err) == cForeignKey {
					return rollcall.WrapError(rollcall.EINVALID, err, "review queue: record %d or %d does not exist", a, b)
				}
				return fmt.Errorf("review queue: %w", err)
			}
		}
		return nil
	})
}

// LinkRecords returns the records with the given ids and every record of
// the given persons, by id, with testimonies redacted (linkage never
// reads them). A deleted record is simply absent.
func (s *Store) LinkRecords(ctx context.Context, ids, persons []int64) ([]rollcall.Record, error) {
	seen := map[int64]bool{}
	var out []rollcall.Record
	read := func(col string, vals []int64) error {
		const per = 500
		for i := 0; i < len(vals); i += per {
			chunk := vals[i:min(i+per, len(vals))]
			args := make([]any, len(chunk))
			for j, v := range chunk {
				args[j] = v
			}
			rows, err := s.q.QueryContext(ctx, `SELECT `+recordCols+` FROM records WHERE `+col+` IN (`+placeholders(1, len(chunk))+`)`, args...)
			if err != nil {
				return fmt.Errorf("read records to link: %w", err)
			}
			for rows.Next() {
				row, err := scanRecord(rows)
				if err != nil {
					rows.Close()
					return fmt.Errorf("read records to link: %w", err)
				}
				if !seen[row.v.ID] {
					seen[row.v.ID] = true
					row.v.TestimonyRedacted = row.testimony != nil
					out = append(out, row.v)
				}
			}
			if err := rows.Close(); err != nil {
				return err
			}
			if err := rows.Err(); err != nil {
				return fmt.Errorf("read records to link: %w", err)
			}
		}
		return nil
	}
	if err := read("id", ids); err != nil {
		return nil, err
	}
	if err := read("person_id", persons); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b rollcall.Record) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
