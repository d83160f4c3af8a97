package store

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/rollcall-project/rollcall"
)

const personCols = `id, version, created_at, updated_at, name, name_alt, sex, birth_date, province, status, sensitivity,
	consent_publish, fictional`

func scanPerson(r scanner) (*rollcall.Person, error) {
	var v rollcall.Person
	var created, updated string
	err := r.Scan(&v.ID, &v.Version, &created, &updated, &v.Name, &v.NameAlt, &v.Sex, &v.BirthDate, &v.Province, &v.Status,
		&v.Sensitivity, &v.ConsentPublish, &v.Fictional)
	if err != nil {
		return nil, err
	}
	v.CreatedAt, v.UpdatedAt = parseTime(created), parseTime(updated)
	return &v, nil
}

// personHash leaves out the derived RecordIDs and Conflicts.
func personHash(v *rollcall.Person) string {
	c := *v
	c.RecordIDs, c.Conflicts = nil, nil
	return hashOf(c)
}

func validatePerson(v *rollcall.Person) error {
	v.Name = trimText(v.Name)
	if err := required("person", "name", v.Name); err != nil {
		return err
	}
	sex, err := rollcall.SexOf(v.Sex)
	if err != nil {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "sex", Message: "person " + v.Name + ": " + rollcall.ErrorMessage(err)}
	}
	v.Sex = sex
	return checkSensitivity("person "+v.Name, &v.Sensitivity)
}

// CreatePerson inserts v and sets ID, Version and times. Link records to
// it with SetRecordPerson.
func (s *Store) CreatePerson(ctx context.Context, v *rollcall.Person) error {
	if err := validatePerson(v); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		now := tx.nowUTC()
		var id int64
		err := tx.q.QueryRowContext(ctx, `INSERT INTO persons (uid, version, created_at, updated_at, name, name_alt, name_keys,
			sex, birth_date, birth_sort, province, status, sensitivity, consent_publish, fictional)
			VALUES ($1, 1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
			newUID(), fmtTime(now), v.Name, v.NameAlt, tx.nameKeyText(v.Name, v.NameAlt), v.Sex, v.BirthDate,
			dateKey(v.BirthDate), v.Province, v.Status, string(v.Sensitivity), v.ConsentPublish, v.Fictional).Scan(&id)
		if err != nil {
			return mapErr(fmt.Errorf("create person: %w", err), "person", 0)
		}
		v.ID, v.Version, v.CreatedAt, v.UpdatedAt = id, 1, now, now
		return tx.logChange(ctx, ActionCreate, "person", id, "", personHash(v))
	})
}

func (s *Store) getPersonRow(ctx context.Context, id int64) (*rollcall.Person, error) {
	v, err := scanPerson(s.q.QueryRowContext(ctx, `SELECT `+personCols+` FROM persons WHERE id = $1`, id))
	if err != nil {
		return nil, mapErr(fmt.Errorf("get person: %w", err), "person", id)
	}
	return v, nil
}

// GetPerson returns the person with id, the ids of its records, and the
// attributes on which those records disagree.
func (s *Store) GetPerson(ctx context.Context, id int64) (*rollcall.Person, error) {
	v, _, err := s.PersonWithRecords(ctx, id)
	return v, err
}

// PersonWithRecords is GetPerson that also returns the records it read to
// fill RecordIDs and Conflicts, for callers that show them (the person page)
// and would otherwise read them a second time.
func (s *Store) PersonWithRecords(ctx context.Context, id int64) (*rollcall.Person, []rollcall.Record, error) {
	v, err := s.getPersonRow(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	recs, err := s.RecordsOfPerson(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	for _, r := range recs {
		v.RecordIDs = append(v.RecordIDs, r.ID)
	}
	v.Conflicts, err = s.conflicts(ctx, recs)
	if err != nil {
		return nil, nil, err
	}
	return v, recs, nil
}

// conflicts lists the attributes on which recs disagree: names that are
// not forms of one name, sexes, birth dates that cannot be the same day,
// provinces, and facilities.
func (s *Store) conflicts(ctx context.Context, recs []rollcall.Record) ([]rollcall.Conflict, error) {
	if len(recs) < 2 {
		return nil, nil
	}
	var out []rollcall.Conflict
	distinct := func(field string, val func(r *rollcall.Record) (key, show string)) {
		seen := map[string]string{}
		for i := range recs {
			k, v := val(&recs[i])
			if k == "" {
				continue
			}
			if _, ok := seen[k]; !ok {
				seen[k] = v
			}
		}
		if len(seen) > 1 {
			c := rollcall.Conflict{Field: field}
			for _, v := range seen {
				c.Values = append(c.Values, v)
			}
			sort.Strings(c.Values)
			out = append(out, c)
		}
	}
	distinct("name", func(r *rollcall.Record) (string, string) { return s.nameIdentity(r.Name), r.Name })
	distinct("sex", func(r *rollcall.Record) (string, string) { return r.Sex, r.Sex })
	// Birth dates conflict only when two of them cannot be the same day.
	var dates []rollcall.PartialDate
	for _, r := range recs {
		if !r.BirthDate.IsZero() {
			dates = append(dates, r.BirthDate)
		}
	}
	disagree := false
	for i := range dates {
		for j := i + 1; j < len(dates); j++ {
			if !dates[i].Overlaps(dates[j]) {
				disagree = true
			}
		}
	}
	if disagree {
		distinct("birth_date", func(r *rollcall.Record) (string, string) { return r.BirthDate.String(), r.BirthDate.String() })
	}
	distinct("province", func(r *rollcall.Record) (string, string) {
		p := strings.TrimSpace(r.Province)
		return strings.ToLower(p), p
	})
	facKeys := map[int64]string{}
	for _, r := range recs {
		if r.FacilityID != nil {
			if _, ok := facKeys[*r.FacilityID]; !ok {
				f, err := s.GetFacility(ctx, *r.FacilityID)
				if err != nil {
					return nil, err
				}
				facKeys[*r.FacilityID] = f.Key
			}
		}
	}
	distinct("facility", func(r *rollcall.Record) (string, string) {
		if r.FacilityID != nil {
			return fmt.Sprintf("#%d", *r.FacilityID), facKeys[*r.FacilityID]
		}
		t := strings.TrimSpace(r.FacilityText)
		return strings.ToLower(t), t
	})
	return out, nil
}

// nameIdentity is what two forms of one name share: the first search key
// (e.g. surname class and given-name skeleton), else the lower-cased words.
func (s *Store) nameIdentity(name string) string {
	if s.nameKeys != nil {
		if k := s.nameKeys(name); len(k) > 0 {
			return k[0]
		}
	}
	return strings.Join(words(name), " ")
}

// UpdatePerson writes v if v.Version is current, and increments it.
func (s *Store) UpdatePerson(ctx context.Context, v *rollcall.Person) error {
	if err := validatePerson(v); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.getPersonRow(ctx, v.ID)
		if err != nil {
			return err
		}
		if cur.Version != v.Version {
			return conflict("person", v.ID, cur.Version, v.Version)
		}
		now := tx.nowUTC()
		res, err := tx.q.ExecContext(ctx, `UPDATE persons SET version = version + 1, updated_at = $1, name = $2, name_alt = $3,
			name_keys = $4, sex = $5, birth_date = $6, birth_sort = $7, province = $8, status = $9, sensitivity = $10,
			consent_publish = $11, fictional = $12 WHERE id = $13 AND version = $14`,
			fmtTime(now), v.Name, v.NameAlt, tx.nameKeyText(v.Name, v.NameAlt), v.Sex, v.BirthDate, dateKey(v.BirthDate),
			v.Province, v.Status, string(v.Sensitivity), v.ConsentPublish, v.Fictional, v.ID, v.Version)
		if err != nil {
			return mapErr(fmt.Errorf("update person: %w", err), "person", v.ID)
		}
		if err := checkUpdated(res, "person", v.ID, v.Version); err != nil {
			return err
		}
		v.Version++
		v.CreatedAt, v.UpdatedAt = cur.CreatedAt, now
		return tx.logChange(ctx, ActionUpdate, "person", v.ID, personHash(cur), personHash(v))
	})
}

// DeletePerson deletes the person with id; its records become unlinked.
// It fails while events, outcomes or follow-ups refer to the person.
func (s *Store) DeletePerson(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.getPersonRow(ctx, id)
		if err != nil {
			return err
		}
		// ON DELETE SET NULL rewrites the linked records: log their new MACs.
		linked, err := tx.recordIDsOfPerson(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM persons WHERE id = $1`, id); err != nil {
			if constraintKind(err) == cForeignKey {
				return rollcall.WrapError(rollcall.EINVALID, err, "person %d is still referred to by events, amnesty outcomes or follow-ups", id)
			}
			return mapErr(fmt.Errorf("delete person: %w", err), "person", id)
		}
		if err := tx.logChange(ctx, ActionDelete, "person", id, personHash(cur), ""); err != nil {
			return err
		}
		return tx.logRows(ctx, ActionRows, "records", linked, fmt.Sprintf("unlinked from deleted person %d", id))
	})
}

func (s *Store) recordIDsOfPerson(ctx context.Context, id int64) ([]int64, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id FROM records WHERE person_id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("records of person %d: %w", id, err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var r int64
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("records of person %d: %w", id, err)
		}
		ids = append(ids, r)
	}
	return ids, rows.Err()
}

var personList = registerList(&listSpec{
	row:    rollcall.Person{},
	entity: "person",
	table:  "persons",
	filters: map[string]filterCol{
		"sex":             {"sex", fText},
		"province":        {"province", fText},
		"status":          {"status", fText},
		"sensitivity":     {"sensitivity", fSens},
		"consent_publish": {"consent_publish", fBool},
		"fictional":       {"fictional", fBool},
	},
	search: []string{"name", "name_alt"},
	keys:   true,
	order:  "id",
})

// ListPersons lists persons with their record ids (conflicts only in GetPerson).
func (s *Store) ListPersons(ctx context.Context, o rollcall.ListOptions) ([]rollcall.Person, int, error) {
	out := []rollcall.Person{}
	total, err := s.list(ctx, personList, personCols, o, func(r scanner) error {
		v, err := scanPerson(r)
		if err != nil {
			return err
		}
		out = append(out, *v)
		return nil
	})
	if err != nil || len(out) == 0 {
		return out, total, err
	}
	for i := 0; i < len(out); i += maxIn {
		if err := s.fillRecordIDs(ctx, out[i:min(i+maxIn, len(out))]); err != nil {
			return nil, 0, err
		}
	}
	return out, total, nil
}

// maxIn bounds the parameters of one IN (...) list.
const maxIn = 500

func (s *Store) fillRecordIDs(ctx context.Context, ps []rollcall.Person) error {
	idx := make(map[int64]int, len(ps))
	args := make([]any, len(ps))
	for i := range ps {
		idx[ps[i].ID] = i
		args[i] = ps[i].ID
	}
	rows, err := s.q.QueryContext(ctx, `SELECT person_id, id FROM records WHERE person_id IN (`+placeholders(1, len(args))+`) ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("list person records: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid, rid int64
		if err := rows.Scan(&pid, &rid); err != nil {
			return fmt.Errorf("list person records: %w", err)
		}
		p := &ps[idx[pid]]
		p.RecordIDs = append(p.RecordIDs, rid)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list person records: %w", err)
	}
	return nil
}
