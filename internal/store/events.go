package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
)

const eventCols = `id, version, created_at, updated_at, key, type, date, end_date, facility_id, place, charge_cat,
	sentence_years, perpetrator, description, sensitivity, fictional`

func scanEvent(r scanner) (*rollcall.Event, error) {
	var v rollcall.Event
	var created, updated string
	var key sql.NullString
	err := r.Scan(&v.ID, &v.Version, &created, &updated, &key, &v.Type, &v.Date, &v.EndDate, &v.FacilityID, &v.Place,
		&v.ChargeCat, &v.SentenceYears, &v.Perpetrator, &v.Description, &v.Sensitivity, &v.Fictional)
	if err != nil {
		return nil, err
	}
	v.Key = key.String
	v.CreatedAt, v.UpdatedAt = parseTime(created), parseTime(updated)
	return &v, nil
}

func validateEvent(v *rollcall.Event) error {
	if err := finite("event", "sentence_years", v.SentenceYears); err != nil {
		return err
	}
	v.Key, v.Type = strings.TrimSpace(v.Key), strings.TrimSpace(v.Type)
	if err := required("event "+v.Key, "type", v.Type); err != nil {
		return err
	}
	for i, vi := range v.Victims {
		if vi.PersonID == nil && vi.RecordID == nil {
			return &rollcall.Error{Code: rollcall.EINVALID, Field: "victims", Message: fmt.Sprintf("event %s: victim %d names neither a person nor a record", v.Key, i+1)}
		}
	}
	return checkSensitivity("event "+v.Key, &v.Sensitivity)
}

// nullKey stores an empty key as NULL, so many events can have none.
func nullKey(k string) any {
	if k == "" {
		return nil
	}
	return k
}

func eventErr(err error, v *rollcall.Event, op string) error {
	switch constraintKind(err) {
	case cUnique:
		return &rollcall.Error{Code: rollcall.ECONFLICT, Field: "key", Message: fmt.Sprintf("an event with key %q already exists", v.Key), Err: err}
	case cForeignKey:
		return &rollcall.Error{Code: rollcall.EINVALID, Message: fmt.Sprintf("event %s: its facility, a victim or a source does not exist", v.Key), Err: err}
	}
	return mapErr(fmt.Errorf("%s event: %w", op, err), "event", v.ID)
}

// writeEventLinks replaces the event's victims and sources.
func (s *Store) writeEventLinks(ctx context.Context, v *rollcall.Event) error {
	if _, err := s.q.ExecContext(ctx, `DELETE FROM event_victims WHERE event_id = $1`, v.ID); err != nil {
		return err
	}
	if _, err := s.q.ExecContext(ctx, `DELETE FROM event_sources WHERE event_id = $1`, v.ID); err != nil {
		return err
	}
	for i, vi := range v.Victims {
		if _, err := s.q.ExecContext(ctx, `INSERT INTO event_victims (event_id, pos, person_id, record_id, role) VALUES ($1, $2, $3, $4, $5)`,
			v.ID, i, vi.PersonID, vi.RecordID, vi.Role); err != nil {
			return err
		}
	}
	seen := map[int64]bool{}
	for _, sid := range v.SourceIDs {
		if seen[sid] {
			continue
		}
		seen[sid] = true
		if _, err := s.q.ExecContext(ctx, `INSERT INTO event_sources (event_id, source_id) VALUES ($1, $2)`, v.ID, sid); err != nil {
			return err
		}
	}
	return nil
}

// loadEventLinks fills the victims and sources of the events.
func (s *Store) loadEventLinks(ctx context.Context, evs []*rollcall.Event) error {
	if len(evs) == 0 {
		return nil
	}
	if len(evs) > maxIn {
		for i := 0; i < len(evs); i += maxIn {
			if err := s.loadEventLinks(ctx, evs[i:min(i+maxIn, len(evs))]); err != nil {
				return err
			}
		}
		return nil
	}
	idx := make(map[int64]*rollcall.Event, len(evs))
	args := make([]any, len(evs))
	for i, e := range evs {
		idx[e.ID] = e
		args[i] = e.ID
	}
	in := placeholders(1, len(args))
	rows, err := s.q.QueryContext(ctx, `SELECT event_id, person_id, record_id, role FROM event_victims WHERE event_id IN (`+in+`) ORDER BY event_id, pos`, args...)
	if err != nil {
		return fmt.Errorf("event victims: %w", err)
	}
	for rows.Next() {
		var id int64
		var vi rollcall.Victim
		if err := rows.Scan(&id, &vi.PersonID, &vi.RecordID, &vi.Role); err != nil {
			rows.Close()
			return fmt.Errorf("event victims: %w", err)
		}
		idx[id].Victims = append(idx[id].Victims, vi)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("event victims: %w", err)
	}
	rows, err = s.q.QueryContext(ctx, `SELECT event_id, source_id FROM event_sources WHERE event_id IN (`+in+`) ORDER BY event_id, source_id`, args...)
	if err != nil {
		return fmt.Errorf("event sources: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, sid int64
		if err := rows.Scan(&id, &sid); err != nil {
			return fmt.Errorf("event sources: %w", err)
		}
		idx[id].SourceIDs = append(idx[id].SourceIDs, sid)
	}
	return rows.Err()
}

// CreateEvent inserts v with its victims and sources, and sets ID, Version
// and times.
func (s *Store) CreateEvent(ctx context.Context, v *rollcall.Event) error {
	if err := validateEvent(v); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		now := tx.nowUTC()
		var id int64
		err := tx.q.QueryRowContext(ctx, `INSERT INTO events (uid, version, created_at, updated_at, key, type, date, date_sort,
			end_date, facility_id, place, charge_cat, sentence_years, perpetrator, description, sensitivity, fictional)
			VALUES ($1, 1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
			newUID(), fmtTime(now), nullKey(v.Key), v.Type, v.Date, dateKey(v.Date), v.EndDate, v.FacilityID, v.Place,
			v.ChargeCat, v.SentenceYears, v.Perpetrator, v.Description, string(v.Sensitivity), v.Fictional).Scan(&id)
		if err != nil {
			return eventErr(err, v, "create")
		}
		v.ID, v.Version, v.CreatedAt, v.UpdatedAt = id, 1, now, now
		if err := tx.writeEventLinks(ctx, v); err != nil {
			return eventErr(err, v, "create")
		}
		return tx.logChange(ctx, ActionCreate, "event", id, "", hashOf(v))
	})
}

func (s *Store) getEvent(ctx context.Context, where string, args ...any) (*rollcall.Event, error) {
	v, err := scanEvent(s.q.QueryRowContext(ctx, `SELECT `+eventCols+` FROM events WHERE `+where, args...))
	if err != nil {
		return nil, err
	}
	if err := s.loadEventLinks(ctx, []*rollcall.Event{v}); err != nil {
		return nil, err
	}
	return v, nil
}

// GetEvent returns the event with id, with its victims and sources.
func (s *Store) GetEvent(ctx context.Context, id int64) (*rollcall.Event, error) {
	v, err := s.getEvent(ctx, `id = $1`, id)
	if err != nil {
		return nil, mapErr(fmt.Errorf("get event: %w", err), "event", id)
	}
	return v, nil
}

// EventByKey returns the event with key.
func (s *Store) EventByKey(ctx context.Context, key string) (*rollcall.Event, error) {
	v, err := s.getEvent(ctx, `key = $1`, key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rollcall.Errorf(rollcall.ENOTFOUND, "event %q not found", key)
	}
	if err != nil {
		return nil, mapErr(fmt.Errorf("get event: %w", err), "event", 0)
	}
	return v, nil
}

// UpdateEvent writes v (victims and sources included) if v.Version is
// current, and increments it.
func (s *Store) UpdateEvent(ctx context.Context, v *rollcall.Event) error {
	if err := validateEvent(v); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.GetEvent(ctx, v.ID)
		if err != nil {
			return err
		}
		if cur.Version != v.Version {
			return conflict("event", v.ID, cur.Version, v.Version)
		}
		now := tx.nowUTC()
		res, err := tx.q.ExecContext(ctx, `UPDATE events SET version = version + 1, updated_at = $1, key = $2, type = $3,
			date = $4, date_sort = $5, end_date = $6, facility_id = $7, place = $8, charge_cat = $9, sentence_years = $10,
			perpetrator = $11, description = $12, sensitivity = $13, fictional = $14 WHERE id = $15 AND version = $16`,
			fmtTime(now), nullKey(v.Key), v.Type, v.Date, dateKey(v.Date), v.EndDate, v.FacilityID, v.Place, v.ChargeCat,
			v.SentenceYears, v.Perpetrator, v.Description, string(v.Sensitivity), v.Fictional, v.ID, v.Version)
		if err != nil {
			return eventErr(err, v, "update")
		}
		if err := checkUpdated(res, "event", v.ID, v.Version); err != nil {
			return err
		}
		if err := tx.writeEventLinks(ctx, v); err != nil {
			return eventErr(err, v, "update")
		}
		v.Version++
		v.CreatedAt, v.UpdatedAt = cur.CreatedAt, now
		return tx.logChange(ctx, ActionUpdate, "event", v.ID, hashOf(cur), hashOf(v))
	})
}

// DeleteEvent deletes the event with id, its victims and its source links.
func (s *Store) DeleteEvent(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *Store) error {
		cur, err := tx.GetEvent(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.q.ExecContext(ctx, `DELETE FROM events WHERE id = $1`, id); err != nil {
			return mapErr(fmt.Errorf("delete event: %w", err), "event", id)
		}
		return tx.logChange(ctx, ActionDelete, "event", id, hashOf(cur), "")
	})
}

var eventList = registerList(&listSpec{
	row:    rollcall.Event{},
	entity: "event",
	table:  "events",
	filters: map[string]filterCol{
		"type":        {"type", fText},
		"facility_id": {"facility_id", fNullID},
		// The events of a person: its victims name the person or one of
		// the person's records (see EventsOfPerson).
		"person_id": {"id IN (SELECT event_id FROM event_victims WHERE person_id = %[1]s" +
			" UNION SELECT v.event_id FROM event_victims v JOIN records r ON r.id = v.record_id WHERE r.person_id = %[1]s)", fInt},
		"record_id":       {"id IN (SELECT event_id FROM event_victims WHERE record_id = %s)", fInt},
		"source_id":       {"id IN (SELECT event_id FROM event_sources WHERE source_id = %s)", fInt},
		"charge_category": {"charge_cat", fText},
		"sensitivity":     {"sensitivity", fSens},
		"fictional":       {"fictional", fBool},
	},
	search: []string{"description", "place", "key", "perpetrator"},
	order:  "CASE WHEN date_sort = '' THEN 1 ELSE 0 END, date_sort, id",
})

// ListEvents lists events with their victims and sources, by date.
func (s *Store) ListEvents(ctx context.Context, o rollcall.ListOptions) ([]rollcall.Event, int, error) {
	var ptrs []*rollcall.Event
	total, err := s.list(ctx, eventList, eventCols, o, func(r scanner) error {
		v, err := scanEvent(r)
		if err != nil {
			return err
		}
		ptrs = append(ptrs, v)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	if err := s.loadEventLinks(ctx, ptrs); err != nil {
		return nil, 0, err
	}
	out := make([]rollcall.Event, len(ptrs))
	for i, p := range ptrs {
		out[i] = *p
	}
	return out, total, nil
}

// RoleVictim is the victim role of vocabulary "victim_role". A victim entry
// that gives no role counts as one.
const RoleVictim = "victim"

// PersonEvent is an event whose victims name a person, with the person's
// role in it.
type PersonEvent struct {
	rollcall.Event
	// Role is RoleVictim when any entry naming the person says so or gives
	// no role; else the first entry's role (witness, family_member, ...).
	Role string `json:"role"`
}

// EventsOfPerson lists the events of a person, by date: the events whose
// victims name the person or one of the person's records, each with the
// person's role in it. It is the one query for "the events of a person"
// (the person page, amnesty facts, the API's events?person_id=).
func (s *Store) EventsOfPerson(ctx context.Context, personID int64) ([]PersonEvent, error) {
	m, err := s.eventsOfPersons(ctx, personID)
	if err != nil {
		return nil, err
	}
	return m[personID], nil
}

// EventsByPerson is EventsOfPerson for every person at once, by person id,
// reading the events once.
func (s *Store) EventsByPerson(ctx context.Context) (map[int64][]PersonEvent, error) {
	return s.eventsOfPersons(ctx, 0)
}

// eventsOfPersons gives the events of personID, or of everyone when it is 0.
func (s *Store) eventsOfPersons(ctx context.Context, personID int64) (map[int64][]PersonEvent, error) {
	opts := rollcall.ListOptions{Limit: -1}
	q, args := `SELECT id, person_id FROM records WHERE person_id IS NOT NULL`, []any{}
	if personID != 0 {
		opts.Filters = map[string]string{"person_id": strconv.FormatInt(personID, 10)}
		q, args = q+` AND person_id = $1`, append(args, personID)
	}
	personOf := map[int64]int64{}
	rows, err := s.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("events of persons: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rid, pid int64
		if err := rows.Scan(&rid, &pid); err != nil {
			return nil, fmt.Errorf("events of persons: %w", err)
		}
		personOf[rid] = pid
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("events of persons: %w", err)
	}
	evs, _, err := s.ListEvents(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("events of persons: %w", err)
	}
	out := map[int64][]PersonEvent{}
	for _, e := range evs {
		var order []int64
		role := map[int64]string{}
		for _, v := range e.Victims {
			r := v.Role
			if r == "" {
				r = RoleVictim
			}
			var named []int64
			if v.PersonID != nil {
				named = append(named, *v.PersonID)
			}
			if v.RecordID != nil && personOf[*v.RecordID] != 0 {
				named = append(named, personOf[*v.RecordID])
			}
			for _, pid := range named {
				if personID != 0 && pid != personID {
					continue
				}
				if cur, ok := role[pid]; !ok {
					order = append(order, pid)
					role[pid] = r
				} else if r == RoleVictim && cur != RoleVictim {
					role[pid] = r
				}
			}
		}
		for _, pid := range order {
			out[pid] = append(out[pid], PersonEvent{Event: e, Role: role[pid]})
		}
	}
	return out, nil
}
