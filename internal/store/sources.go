package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/rollcall-project/rollcall"
)

const sourceCols = `id, uid, version, created_at, updated_at, key, kind, title, author, organisation, date,
	language, citation, url, reliability, credibility, sensitivity, informant, notes, fictional`

// sourceRow is a source as stored: the informant still sealed.
type sourceRow struct {
	v         rollcall.Source
	uid       string
	informant []byte
}

func scanSource(r scanner) (*sourceRow, error) {
	var row sourceRow
	v := &row.v
	var created, updated string
	err := r.Scan(&v.ID, &row.uid, &v.Version, &created, &updated, &v.Key, &v.Kind, &v.Title, &v.Author, &v.Organisation, &v.Date,
		&v.Language, &v.Citation, &v.URL, &v.Reliability, &v.Credibility, &v.Sensitivity, &row.informant, &v.Notes, &v.Fictional)
	if err != nil {
		return nil, err
	}
	v.CreatedAt, v.UpdatedAt = parseTime(created), parseTime(updated)
	return &row, nil
}

// hash is the audit hash of the row: the informant only as ciphertext.
func (r *sourceRow) hash() string {
	v := r.v
	v.Informant, v.InformantRedacted = nil, false
	return hashOf(v, r.informant)
}

func informantJSON(in *rollcall.Informant) ([]byte, error) {
	if in == nil || (in.Name == "" && in.Contact == "" && len(in.Consent) == 0) {
		return nil, nil
	}
	b, err := json.Marshal(in)
	if err != nil {
		return nil, fmt.Errorf("encode informant: %w", err)
	}
	return b, nil
}

func validateSource(v *rollcall.Source) error {
	v.Key, v.Kind, v.Title = strings.TrimSpace(v.Key), strings.TrimSpace(v.Kind), trimText(v.Title)
	for _, f := range [][2]string{{"key", v.Key}, {"kind", v.Kind}, {"title", v.Title}} {
		if err := required("source", f[0], f[1]); err != nil {
			return err
		}
	}
	v.Reliability = strings.ToUpper(strings.TrimSpace(v.Reliability))
	if v.Reliability != "" && (len(v.Reliability) != 1 || v.Reliability[0] < 'A' || v.Reliability[0] > 'F') {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "reliability", Message: fmt.Sprintf("source %s: reliability %q is not a grade A to F", v.Key, v.Reliability)}
	}
	if v.Credibility < 0 || v.Credibility > 6 {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "credibility", Message: fmt.Sprintf("source %s: credibility %d is not 1 to 6", v.Key, v.Credibility)}
	}
	return checkSensitivity("source "+v.Key, &v.Sensitivity)
}

// CreateSource inserts v, sealing its informant, and sets ID, Version and times.
func (s *Store) CreateSource(ctx context.Context, v *rollcall.Source) error {
	if err := validateSource(v); err != nil {
		return err
	}
	plain, err := informantJSON(v.Informant)
	if err != nil {
		return err
	}
	row := sourceRow{v: *v, uid: newUID()}
	if row.informant, err = s.seal("source "+v.Key, "sources", "informant", row.uid, plain); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		now := tx.nowUTC()
		var id int64
		err := tx.q.QueryRowContext(ctx, `INSERT INTO sources (uid, version, created_at, updated_at, key, kind, title, author,
			organisation, date, date_sort, language, citation, url, reliability, credibility, sensitivity, informant, notes, fictional)
			VALUES ($1, 1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
			row.uid, fmtTime(now), v.Key, v.Kind, v.Title, v.Author, v.Organisation, v.Date, dateKey(v.Date), v.Language,
			v.Citation, v.URL, v.Reliability, v.Credibility, string(v.Sensitivity), row.informant, v.Notes, v.Fictional).Scan(&id)
		if err != nil {
			if e := keyTaken(err, "a source", v.Key); e != nil {
				return e
			}
			return mapErr(fmt.Errorf("create source: %w", err), "source", 0)
		}
		v.ID, v.Version, v.CreatedAt, v.UpdatedAt = id, 1, now, now
		row.v = *v
		return tx.logChange(ctx, ActionCreate, "source", id, "", row.hash())
	})
}

func (s *Store) sourceRow(ctx context.Context, where string, args ...any) (*sourceRow, error) {
	return scanSource(s.q.QueryRowContext(ctx, `SELECT `+sourceCols+` FROM sources WHERE `+where, args...))
}

// finish turns a stored row into the source the caller may see.
func (s *Store) finishSource(ctx context.Context, row *sourceRow) (*rollcall.Source, error) {
	v := row.v
	if row.informant != nil {
		if !s.canRead(ctx) {
			v.InformantRedacted = true
			return &v, nil
		}
		plain, err := s.open(ctx, "source", "sources", "informant", row.uid, v.ID, row.informant)
		if err != nil {
			return nil, err
		}
		v.Informant = new(rollcall.Informant)
		if err := json.Unmarshal(plain, v.Informant); err != nil {
			return nil, rollcall.WrapError(rollcall.EINTERNAL, err, "source %d: stored informant is malformed", v.ID)
		}
	}
	return &v, nil
}

// GetSource returns the source with id. Its informant is decrypted (and the
// read audited) only for actors who may see confidential fields.
func (s *Store) GetSource(ctx context.Context, id int64) (*rollcall.Source, error) {
	row, err := s.sourceRow(ctx, `id = $1`, id)
	if err != nil {
		return nil, mapErr(fmt.Errorf("get source: %w", err), "source", id)
	}
	return s.finishSource(ctx, row)
}

// SourceByKey returns the source with key.
func (s *Store) SourceByKey(ctx context.Context, key string) (*rollcall.Source, error) {
	row, err := s.sourceRow(ctx, `key = $1`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rollcall.Errorf(rollcall.ENOTFOUND, "source %q not found", key)
	}
	if err != nil {
		return nil, mapErr(fmt.Errorf("get source: %w", err), "source", 0)
	}
	return s.finishSource(ctx, row)
}

// UpdateSource writes v if v.Version is current, and increments it. The
// stored informant is kept when v.InformantRedacted is set or the actor
// may not see it.
func (s *Store) UpdateSource(ctx context.Context, v *rollcall.Source) error {
	if err := validateSource(v); err != nil {
		return err
	}
	plain, err := informantJSON(v.Informant)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.sourceRow(ctx, `id = $1`, v.ID)
		if err != nil {
			return mapErr(fmt.Errorf("update source: %w", err), "source", v.ID)
		}
		if cur.v.Version != v.Version {
			return conflict("source", v.ID, cur.v.Version, v.Version)
		}
		ct, err := tx.keepConfidential(ctx, "source "+v.Key, "sources", "informant", cur.uid, cur.informant, v.InformantRedacted, plain)
		if err != nil {
			return err
		}
		now := tx.nowUTC()
		res, err := tx.q.ExecContext(ctx, `UPDATE sources SET version = version + 1, updated_at = $1, key = $2, kind = $3,
			title = $4, author = $5, organisation = $6, date = $7, date_sort = $8, language = $9, citation = $10, url = $11,
			reliability = $12, credibility = $13, sensitivity = $14, informant = $15, notes = $16, fictional = $17
			WHERE id = $18 AND version = $19`,
			fmtTime(now), v.Key, v.Kind, v.Title, v.Author, v.Organisation, v.Date, dateKey(v.Date), v.Language, v.Citation,
			v.URL, v.Reliability, v.Credibility, string(v.Sensitivity), ct, v.Notes, v.Fictional, v.ID, v.Version)
		if err != nil {
			if e := keyTaken(err, "a source", v.Key); e != nil {
				return e
			}
			return mapErr(fmt.Errorf("update source: %w", err), "source", v.ID)
		}
		if err := checkUpdated(res, "source", v.ID, v.Version); err != nil {
			return err
		}
		v.Version++
		v.CreatedAt, v.UpdatedAt = cur.v.CreatedAt, now
		after := sourceRow{v: *v, uid: cur.uid, informant: ct}
		return tx.logChange(ctx, ActionUpdate, "source", v.ID, cur.hash(), after.hash())
	})
}

// DeleteSource deletes the source with id; it fails while records cite it.
func (s *Store) DeleteSource(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.sourceRow(ctx, `id = $1`, id)
		if err != nil {
			return mapErr(fmt.Errorf("delete source: %w", err), "source", id)
		}
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM sources WHERE id = $1`, id); err != nil {
			if constraintKind(err) == cForeignKey {
				return rollcall.WrapError(rollcall.EINVALID, err, "source %d is still cited by records, events or outcomes: delete those first", id)
			}
			return mapErr(fmt.Errorf("delete source: %w", err), "source", id)
		}
		return tx.logChange(ctx, ActionDelete, "source", id, cur.hash(), "")
	})
}

var sourceList = registerList(&listSpec{
	row:    rollcall.Source{},
	entity: "source",
	table:  "sources",
	filters: map[string]filterCol{
		"kind":        {"kind", fText},
		"key":         {"key", fText},
		"sensitivity": {"sensitivity", fSens},
		"language":    {"language", fText},
		"reliability": {"reliability", fText},
		"fictional":   {"fictional", fBool},
	},
	search: []string{"title", "key", "author", "organisation"},
	order:  "id",
})

// ListSources lists sources. Informants are never decrypted in lists:
// InformantRedacted marks the sources that have one.
func (s *Store) ListSources(ctx context.Context, o rollcall.ListOptions) ([]rollcall.Source, int, error) {
	out := []rollcall.Source{}
	total, err := s.list(ctx, sourceList, sourceCols, o, func(r scanner) error {
		row, err := scanSource(r)
		if err != nil {
			return err
		}
		row.v.InformantRedacted = row.informant != nil
		out = append(out, row.v)
		return nil
	})
	return out, total, err
}

// checkUpdated turns "no row updated" into a conflict (the guard on version
// lost a race) after the caller has checked existence.
func checkUpdated(res sql.Result, entity string, id int64, had int) error {
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("update %s: %w", entity, err)
	}
	if n == 0 {
		return rollcall.Errorf(rollcall.ECONFLICT, "%s %d was changed by someone else (you had version %d): reload and reapply", entity, id, had)
	}
	return nil
}
