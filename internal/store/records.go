package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/rollcall-project/rollcall"
)

const recordCols = `id, uid, version, created_at, updated_at, source_id, key, name, name_alt, sex, birth_date, birth_place,
	province, charge, charge_cat, facility_text, facility_id, arrest_date, sentence_years, detained_from, released_on, fate,
	testimony, sensitivity, person_id, fictional`

// recordInsertCols are written by CreateRecord and ImportRecords, in the
// order of recordArgs.
const recordInsertCols = `uid, version, created_at, updated_at, source_id, key, name, name_alt, name_keys, sex, birth_date,
	birth_place, province, charge, charge_cat, facility_text, facility_id, arrest_date, sentence_years, detained_from,
	detained_sort, released_on, fate, testimony, sensitivity, person_id, fictional`

const recordInsertN = 27

// recordRow is a record as stored: the testimony still sealed.
type recordRow struct {
	v         rollcall.Record
	uid       string
	testimony []byte
}

func scanRecord(r scanner) (*recordRow, error) {
	var row recordRow
	v := &row.v
	var created, updated string
	err := r.Scan(&v.ID, &row.uid, &v.Version, &created, &updated, &v.SourceID, &v.Key, &v.Name, &v.NameAlt, &v.Sex,
		&v.BirthDate, &v.BirthPlace, &v.Province, &v.Charge, &v.ChargeCat, &v.FacilityText, &v.FacilityID, &v.ArrestDate,
		&v.SentenceYears, &v.DetainedFrom, &v.ReleasedOn, &v.Fate, &row.testimony, &v.Sensitivity, &v.PersonID, &v.Fictional)
	if err != nil {
		return nil, err
	}
	v.CreatedAt, v.UpdatedAt = parseTime(created), parseTime(updated)
	return &row, nil
}

func (r *recordRow) hash() string {
	v := r.v
	v.Testimony, v.TestimonyRedacted = "", false
	return hashOf(v, r.testimony)
}

// detainedKey is when detention began as far as the record says: the
// detention date, else the arrest date.
func detainedKey(v *rollcall.Record) string {
	if k := v.DetainedFrom.SortKey(); k != "" {
		return k
	}
	return v.ArrestDate.SortKey()
}

func validateRecord(v *rollcall.Record) error {
	if err := finite("record", "sentence_years", v.SentenceYears); err != nil {
		return err
	}
	v.Key, v.Name = strings.TrimSpace(v.Key), trimText(v.Name)
	if v.SourceID == 0 {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "source_id", Message: fmt.Sprintf("record %s: source is required", v.Key)}
	}
	if err := required("record "+v.Key, "name", v.Name); err != nil {
		return err
	}
	sex, err := rollcall.SexOf(v.Sex)
	if err != nil {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "sex", Message: "record " + v.Key + ": " + rollcall.ErrorMessage(err)}
	}
	v.Sex = sex
	if v.SentenceYears != nil && *v.SentenceYears < 0 {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "sentence_years", Message: fmt.Sprintf("record %s: negative sentence", v.Key)}
	}
	return checkSensitivity("record "+v.Key, &v.Sensitivity)
}

// appendRecordArgs appends the values of recordInsertCols for v. Dates go
// in as their canonical text, converted once.
func (s *Store) appendRecordArgs(dst []any, v *rollcall.Record, uid, now string, testimony []byte) []any {
	return append(dst, uid, 1, now, now, v.SourceID, v.Key, v.Name, v.NameAlt, s.nameKeyText(v.Name, v.NameAlt), v.Sex,
		dateArg(v.BirthDate), v.BirthPlace, v.Province, v.Charge, v.ChargeCat, v.FacilityText, v.FacilityID,
		dateArg(v.ArrestDate), v.SentenceYears, dateArg(v.DetainedFrom), detainedKey(v), dateArg(v.ReleasedOn), v.Fate,
		testimony, string(v.Sensitivity), v.PersonID, v.Fictional)
}

// dateArg is a date's stored form: NULL when unknown, else canonical text.
func dateArg(d rollcall.PartialDate) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

func recordKeyTaken(err error, v *rollcall.Record) error {
	if constraintKind(err) == cUnique {
		return &rollcall.Error{Code: rollcall.ECONFLICT, Field: "key", Message: fmt.Sprintf("source %d already has a record with key %q", v.SourceID, v.Key), Err: err}
	}
	if constraintKind(err) == cForeignKey {
		return &rollcall.Error{Code: rollcall.EINVALID, Message: fmt.Sprintf("record %s: its source, facility or person does not exist", v.Key), Err: err}
	}
	return nil
}

// CreateRecord inserts v, sealing its testimony, and sets ID, Version and
// times. A record without a key gets its row key as key.
func (s *Store) CreateRecord(ctx context.Context, v *rollcall.Record) error {
	uid := newUID()
	if strings.TrimSpace(v.Key) == "" {
		v.Key = uid
	}
	if err := validateRecord(v); err != nil {
		return err
	}
	ct, err := s.seal("record "+v.Key, "records", "testimony", uid, []byte(v.Testimony))
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		now := tx.nowUTC()
		var id int64
		err := tx.q.QueryRowContext(ctx, `INSERT INTO records (`+recordInsertCols+`) VALUES (`+placeholders(1, recordInsertN)+`) RETURNING id`,
			tx.appendRecordArgs(nil, v, uid, fmtTime(now), ct)...).Scan(&id)
		if err != nil {
			if e := recordKeyTaken(err, v); e != nil {
				return e
			}
			return mapErr(fmt.Errorf("create record: %w", err), "record", 0)
		}
		v.ID, v.Version, v.CreatedAt, v.UpdatedAt = id, 1, now, now
		if v.PersonID == nil {
			// A record given its person by hand is not linked again.
			if err := tx.enqueueLink(ctx, nil, id); err != nil {
				return err
			}
		}
		row := recordRow{v: *v, uid: uid, testimony: ct}
		return tx.logChange(ctx, ActionCreate, "record", id, "", row.hash())
	})
}

// placeholders returns "$from, ..., $(from+n-1)".
func placeholders(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", from+i)
	}
	return b.String()
}

func (s *Store) recordRow(ctx context.Context, where string, args ...any) (*recordRow, error) {
	return scanRecord(s.q.QueryRowContext(ctx, `SELECT `+recordCols+` FROM records WHERE `+where, args...))
}

func (s *Store) finishRecord(ctx context.Context, row *recordRow) (*rollcall.Record, error) {
	v := row.v
	if row.testimony != nil {
		if !s.canRead(ctx) {
			v.TestimonyRedacted = true
			return &v, nil
		}
		plain, err := s.open(ctx, "record", "records", "testimony", row.uid, v.ID, row.testimony)
		if err != nil {
			return nil, err
		}
		v.Testimony = string(plain)
	}
	return &v, nil
}

// GetRecord returns the record with id; its testimony is decrypted (and
// the read audited) only for actors who may see confidential fields.
func (s *Store) GetRecord(ctx context.Context, id int64) (*rollcall.Record, error) {
	row, err := s.recordRow(ctx, `id = $1`, id)
	if err != nil {
		return nil, mapErr(fmt.Errorf("get record: %w", err), "record", id)
	}
	return s.finishRecord(ctx, row)
}

// RecordByKey returns the record with key in the source with sourceID.
func (s *Store) RecordByKey(ctx context.Context, sourceID int64, key string) (*rollcall.Record, error) {
	row, err := s.recordRow(ctx, `source_id = $1 AND key = $2`, sourceID, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rollcall.Errorf(rollcall.ENOTFOUND, "source %d has no record %q", sourceID, key)
	}
	if err != nil {
		return nil, mapErr(fmt.Errorf("get record: %w", err), "record", 0)
	}
	return s.finishRecord(ctx, row)
}

// UpdateRecord writes v if v.Version is current, and increments it. The
// stored testimony is kept when v.TestimonyRedacted is set or the actor may
// not see it.
func (s *Store) UpdateRecord(ctx context.Context, v *rollcall.Record) error {
	if err := validateRecord(v); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.recordRow(ctx, `id = $1`, v.ID)
		if err != nil {
			return mapErr(fmt.Errorf("update record: %w", err), "record", v.ID)
		}
		if cur.v.Version != v.Version {
			return conflict("record", v.ID, cur.v.Version, v.Version)
		}
		if v.Key == "" {
			v.Key = cur.v.Key
		}
		ct, err := tx.keepConfidential(ctx, "record "+v.Key, "records", "testimony", cur.uid, cur.testimony, v.TestimonyRedacted, []byte(v.Testimony))
		if err != nil {
			return err
		}
		now := tx.nowUTC()
		res, err := tx.q.ExecContext(ctx, `UPDATE records SET version = version + 1, updated_at = $1, source_id = $2, key = $3,
			name = $4, name_alt = $5, name_keys = $6, sex = $7, birth_date = $8, birth_place = $9, province = $10, charge = $11,
			charge_cat = $12, facility_text = $13, facility_id = $14, arrest_date = $15, sentence_years = $16,
			detained_from = $17, detained_sort = $18, released_on = $19, fate = $20, testimony = $21, sensitivity = $22,
			person_id = $23, fictional = $24 WHERE id = $25 AND version = $26`,
			fmtTime(now), v.SourceID, v.Key, v.Name, v.NameAlt, tx.nameKeyText(v.Name, v.NameAlt), v.Sex, v.BirthDate,
			v.BirthPlace, v.Province, v.Charge, v.ChargeCat, v.FacilityText, v.FacilityID, v.ArrestDate, v.SentenceYears,
			v.DetainedFrom, detainedKey(v), v.ReleasedOn, v.Fate, ct, string(v.Sensitivity), v.PersonID, v.Fictional,
			v.ID, v.Version)
		if err != nil {
			if e := recordKeyTaken(err, v); e != nil {
				return e
			}
			return mapErr(fmt.Errorf("update record: %w", err), "record", v.ID)
		}
		if err := checkUpdated(res, "record", v.ID, v.Version); err != nil {
			return err
		}
		v.Version++
		v.CreatedAt, v.UpdatedAt = cur.v.CreatedAt, now
		if linkageChanged(&cur.v, v) {
			if err := tx.enqueueLink(ctx, nil, v.ID); err != nil {
				return err
			}
		}
		after := recordRow{v: *v, uid: cur.uid, testimony: ct}
		return tx.logChange(ctx, ActionUpdate, "record", v.ID, cur.hash(), after.hash())
	})
}

// DeleteRecord deletes the record with id.
func (s *Store) DeleteRecord(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.recordRow(ctx, `id = $1`, id)
		if err != nil {
			return mapErr(fmt.Errorf("delete record: %w", err), "record", id)
		}
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM records WHERE id = $1`, id); err != nil {
			if constraintKind(err) == cForeignKey {
				return rollcall.WrapError(rollcall.EINVALID, err, "record %d is still referred to by events", id)
			}
			return mapErr(fmt.Errorf("delete record: %w", err), "record", id)
		}
		if cur.v.PersonID != nil {
			// Its person is refreshed, or removed when it has no record left.
			if err := tx.enqueueLink(ctx, cur.v.PersonID, id); err != nil {
				return err
			}
		}
		return tx.logChange(ctx, ActionDelete, "record", id, cur.hash(), "")
	})
}

// SetRecordPerson links the record to a person (nil unlinks it). It is an
// update of the record: its version increments and the change is audited.
func (s *Store) SetRecordPerson(ctx context.Context, recordID int64, personID *int64) error {
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.recordRow(ctx, `id = $1`, recordID)
		if err != nil {
			return mapErr(fmt.Errorf("link record: %w", err), "record", recordID)
		}
		if eqID(cur.v.PersonID, personID) {
			return nil
		}
		now := tx.nowUTC()
		if _, err := tx.q.ExecContext(ctx, `UPDATE records SET person_id = $1, version = version + 1, updated_at = $2 WHERE id = $3`,
			personID, fmtTime(now), recordID); err != nil {
			if constraintKind(err) == cForeignKey {
				return rollcall.WrapError(rollcall.EINVALID, err, "cannot link record %d: person %d does not exist", recordID, *personID)
			}
			return mapErr(fmt.Errorf("link record: %w", err), "record", recordID)
		}
		after := *cur
		after.v.PersonID, after.v.Version, after.v.UpdatedAt = personID, cur.v.Version+1, now
		return tx.logChange(ctx, ActionUpdate, "record", recordID, cur.hash(), after.hash())
	})
}

// linkageChanged says whether an update needs the record linked again:
// a field the linkage compares changed, or it has no person (a person
// set by hand is kept).
func linkageChanged(old, v *rollcall.Record) bool {
	if v.PersonID == nil {
		return true
	}
	if !eqID(old.PersonID, v.PersonID) {
		return false
	}
	return old.Name != v.Name || old.NameAlt != v.NameAlt || old.Sex != v.Sex || old.BirthDate != v.BirthDate ||
		old.Province != v.Province || old.FacilityText != v.FacilityText || !eqID(old.FacilityID, v.FacilityID) ||
		old.SourceID != v.SourceID || old.ArrestDate != v.ArrestDate || old.ChargeCat != v.ChargeCat ||
		!eqFloat(old.SentenceYears, v.SentenceYears) || old.ReleasedOn != v.ReleasedOn
}

func eqFloat(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func eqID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

var recordList = registerList(&listSpec{
	row:    rollcall.Record{},
	entity: "record",
	table:  "records",
	filters: map[string]filterCol{
		"source_id":       {"source_id", fInt},
		"person_id":       {"person_id", fNullID},
		"facility_id":     {"facility_id", fNullID},
		"key":             {"key", fText},
		"sex":             {"sex", fText},
		"province":        {"province", fText},
		"fate":            {"fate", fText},
		"charge_category": {"charge_cat", fText},
		"sensitivity":     {"sensitivity", fSens},
		"fictional":       {"fictional", fBool},
	},
	search: []string{"name", "name_alt", "key"},
	keys:   true,
	order:  "id",
})

// ListRecords lists records. Testimonies are never decrypted in lists:
// TestimonyRedacted marks the records that have one.
func (s *Store) ListRecords(ctx context.Context, o rollcall.ListOptions) ([]rollcall.Record, int, error) {
	out := []rollcall.Record{}
	total, err := s.list(ctx, recordList, recordCols, o, func(r scanner) error {
		row, err := scanRecord(r)
		if err != nil {
			return err
		}
		row.v.TestimonyRedacted = row.testimony != nil
		out = append(out, row.v)
		return nil
	})
	return out, total, err
}

// RecordsOfPerson returns the records linked to the person, by id, with
// testimonies redacted.
func (s *Store) RecordsOfPerson(ctx context.Context, personID int64) ([]rollcall.Record, error) {
	recs, _, err := s.ListRecords(ctx, rollcall.ListOptions{Limit: -1, Filters: map[string]string{"person_id": fmt.Sprint(personID)}})
	return recs, err
}
