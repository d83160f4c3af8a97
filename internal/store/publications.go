package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit/chain"
)

// This file holds the record of public exports (migration 00060): what each
// publication revealed, so that internal/publish can refuse a later cell
// whose difference with an earlier one would single out fewer than k persons.

// Publication is one public export as recorded.
type Publication struct {
	ID      int64     `json:"id"`
	Number  int64     `json:"number"`
	Format  string    `json:"format"`
	K       int       `json:"k"`
	SHA256  string    `json:"sha256"`
	Persons int       `json:"persons"`
	Actor   string    `json:"actor"`
	At      time.Time `json:"at"`
	// Withheld are the cells withheld because of earlier publications:
	// for the operator, never in the export.
	Withheld []WithheldCell `json:"withheld"`
	// Cells are the counts the export revealed and Body the export file
	// (SavePublication writes them; Publications leaves them empty).
	Cells []PublishedCell `json:"-"`
	Body  []byte          `json:"-"`
}

// WithheldCell names a cell withheld from a publication because its count
// differs by 1..k-1 from the same cell in earlier publication Publication.
// Value "" is the table's total.
type WithheldCell struct {
	Table       string `json:"table"`
	Value       string `json:"value"`
	Publication int64  `json:"publication"`
}

// PublishedCell is one count a publication revealed. Value "" is the
// table's total.
type PublishedCell struct {
	Publication int64  `json:"publication"`
	Table       string `json:"table"`
	Value       string `json:"value"`
	Count       int    `json:"count"`
}

// PublicationAction is the audit log action of a publication.
const PublicationAction = "publish"

// NextPublicationNumber returns the number the next publication takes.
// Called inside the transaction that saves it, which holds the write lock,
// so two publications cannot take the same number (the UNIQUE constraint
// would refuse the second anyway).
func (s *Store) NextPublicationNumber(ctx context.Context) (int64, error) {
	var n int64
	if err := s.q.QueryRowContext(ctx, `SELECT COALESCE(MAX(number), 0) + 1 FROM publications`).Scan(&n); err != nil {
		return 0, fmt.Errorf("next publication number: %w", err)
	}
	return n, nil
}

// PublishedCells returns every count every earlier publication revealed,
// by publication number.
func (s *Store) PublishedCells(ctx context.Context) ([]PublishedCell, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT p.number, c.tbl, c.value, c.count
		FROM publication_cells c JOIN publications p ON p.id = c.publication_id
		ORDER BY p.number, c.tbl, c.value`)
	if err != nil {
		return nil, fmt.Errorf("published cells: %w", err)
	}
	defer rows.Close()
	var out []PublishedCell
	for rows.Next() {
		var c PublishedCell
		if err := rows.Scan(&c.Publication, &c.Table, &c.Value, &c.Count); err != nil {
			return nil, fmt.Errorf("published cells: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("published cells: %w", err)
	}
	return out, nil
}

// SavePublication records p, its cells and the audit entry with detail in
// one transaction (the caller's, when inside InTx), and returns the entry.
// p.ID, p.Actor and p.At are set here.
func (s *Store) SavePublication(ctx context.Context, p *Publication, detail string) (chain.Entry, error) {
	var entry chain.Entry
	err := s.write(ctx, func(tx *Store) error {
		p.Actor, p.At = actorName(ctx), tx.nowUTC()
		if p.Withheld == nil {
			p.Withheld = []WithheldCell{}
		}
		withheld, err := json.Marshal(p.Withheld)
		if err != nil {
			return fmt.Errorf("save publication %d: %w", p.Number, err)
		}
		err = tx.q.QueryRowContext(ctx, `INSERT INTO publications (number, format, k, sha256, persons, actor, at, body, withheld)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			p.Number, p.Format, p.K, p.SHA256, p.Persons, p.Actor, fmtTime(p.At), string(p.Body), string(withheld)).Scan(&p.ID)
		if err != nil {
			return mapErr(fmt.Errorf("save publication %d: %w", p.Number, err), "publication", p.Number)
		}
		for _, c := range p.Cells {
			if _, err := tx.q.ExecContext(ctx, `INSERT INTO publication_cells (publication_id, tbl, value, count) VALUES ($1, $2, $3, $4)`,
				p.ID, c.Table, c.Value, c.Count); err != nil {
				return mapErr(fmt.Errorf("save publication %d cell %s/%s: %w", p.Number, c.Table, c.Value, err), "publication cell", p.Number)
			}
		}
		entry, err = tx.appendAudit(ctx, chain.Entry{Action: PublicationAction, Entity: "publication", EntityID: p.Number, Detail: detail})
		return err
	})
	return entry, err
}

// Publications lists every recorded publication, oldest first.
func (s *Store) Publications(ctx context.Context) ([]Publication, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, number, format, k, sha256, persons, actor, at, withheld FROM publications ORDER BY number`)
	if err != nil {
		return nil, fmt.Errorf("publications: %w", err)
	}
	defer rows.Close()
	var out []Publication
	for rows.Next() {
		var p Publication
		var at, withheld string
		if err := rows.Scan(&p.ID, &p.Number, &p.Format, &p.K, &p.SHA256, &p.Persons, &p.Actor, &at, &withheld); err != nil {
			return nil, fmt.Errorf("publications: %w", err)
		}
		p.At = parseTime(at)
		if err := json.Unmarshal([]byte(withheld), &p.Withheld); err != nil {
			return nil, rollcall.WrapError(rollcall.EINTERNAL, err, "publication %d: malformed withheld cells", p.Number)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("publications: %w", err)
	}
	return out, nil
}

// PublicationBody returns the export file of publication number.
func (s *Store) PublicationBody(ctx context.Context, number int64) (Publication, error) {
	var p Publication
	var at, body string
	err := s.q.QueryRowContext(ctx, `SELECT id, number, format, k, sha256, persons, actor, at, body FROM publications WHERE number = $1`, number).
		Scan(&p.ID, &p.Number, &p.Format, &p.K, &p.SHA256, &p.Persons, &p.Actor, &at, &body)
	if err != nil {
		return p, mapErr(fmt.Errorf("publication %d: %w", number, err), "publication", number)
	}
	p.At, p.Body = parseTime(at), []byte(body)
	return p, nil
}

// Plain returns a view of s that holds no cipher: confidential fields read
// through it come back redacted, so what is built from it (a public export)
// cannot contain one. It shares s's connections: do not Close it.
func (s *Store) Plain() *Store {
	c := *s
	c.cipher = nil
	return &c
}
