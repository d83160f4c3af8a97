package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
)

// Stratum variables CaptureHistories understands.
var strataVars = map[string]bool{"facility_type": true, "sex": true, "province": true, "decade": true}

// StratumVariables lists the variables CaptureHistories stratifies by, sorted.
func StratumVariables() []string {
	out := make([]string, 0, len(strataVars))
	for v := range strataVars {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

// Unknown is the stratum value when the records do not say.
const Unknown = "unknown"

// CaptureRecord is one record as capture histories need it: its list, its
// person and what the strata and the counted population are read from. It
// holds no name and nothing confidential.
type CaptureRecord struct {
	ID       int64
	PersonID int64 // 0: not linked
	SourceID int64
	// SourceKey names the record's list.
	SourceKey string
	Sex       string
	Province  string
	// Detained is the sort key of the detention date (earliest day,
	// YYYY-MM-DD), "" when unknown.
	Detained     string
	FacilityType string // "" when unknown
	Fate         string // vocabulary "fate", "" when not given
	// PersonSex and PersonProvince are the linked person's own values.
	PersonSex, PersonProvince string
	// Fictional: the record or its person is marked fictional.
	Fictional bool
}

// CaptureRecords returns every record (linked or not) as capture histories
// need it, by id.
func (s *Store) CaptureRecords(ctx context.Context) ([]CaptureRecord, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT r.id, COALESCE(r.person_id, 0), r.source_id, src.key, r.sex, r.province,
		r.detained_sort, f.type, r.fate, COALESCE(p.sex, ''), COALESCE(p.province, ''),
		r.fictional OR COALESCE(p.fictional, FALSE)
		FROM records r
		JOIN sources src ON src.id = r.source_id
		LEFT JOIN persons p ON p.id = r.person_id
		LEFT JOIN facilities f ON f.id = r.facility_id
		ORDER BY r.id`)
	if err != nil {
		return nil, fmt.Errorf("capture records: %w", err)
	}
	defer rows.Close()
	var out []CaptureRecord
	for rows.Next() {
		var r CaptureRecord
		var ftype sql.NullString
		if err := rows.Scan(&r.ID, &r.PersonID, &r.SourceID, &r.SourceKey, &r.Sex, &r.Province, &r.Detained, &ftype, &r.Fate,
			&r.PersonSex, &r.PersonProvince, &r.Fictional); err != nil {
			return nil, fmt.Errorf("capture records: %w", err)
		}
		r.FacilityType = ftype.String // "" when NULL: no value
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("capture records: %w", err)
	}
	return out, nil
}

// CheckStrata refuses stratum variables CaptureHistories does not know,
// naming those it does.
func CheckStrata(vars []string) error {
	for _, v := range vars {
		if !strataVars[v] {
			return rollcall.Errorf(rollcall.EINVALID, "cannot stratify by %q: choose %s", v, strings.Join(StratumVariables(), ", "))
		}
	}
	return nil
}

// CaptureHistories returns, for each person with records, the lists
// (sources) that recorded them, and the list names (source keys, by source
// id). vars are stratum variables among facility_type, sex, province and
// decade (of detention); each person's value is the person's own
// attribute when set, else what rollcall.ResolveAttribute makes of their
// records (the most frequent value, ties to the earliest record); decade is
// that of the earliest detention or arrest date.
func (s *Store) CaptureHistories(ctx context.Context, vars []string) ([]CaptureRow, []string, error) {
	if err := CheckStrata(vars); err != nil {
		return nil, nil, err
	}
	all, err := s.CaptureRecords(ctx)
	if err != nil {
		return nil, nil, err
	}
	var recs []CaptureRecord
	var cluster []int64
	for _, r := range all {
		if r.PersonID != 0 {
			recs = append(recs, r)
			cluster = append(cluster, r.PersonID)
		}
	}
	names := SourceKeys(recs)
	return Histories(recs, cluster, vars, names, nil), names, nil
}

// SourceKeys lists the keys of the records' sources, ordered by source id:
// the list names of CaptureHistories.
func SourceKeys(recs []CaptureRecord) []string {
	key := map[int64]string{}
	for _, r := range recs {
		key[r.SourceID] = r.SourceKey
	}
	ids := make([]int64, 0, len(key))
	for id := range key {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = key[id]
	}
	return names
}

// Histories groups records into persons by cluster (cluster[i] is record
// i's person: the stored person, or a cluster of a linkage draw) and
// returns each person's capture history, ordered by cluster: the lists
// (indexes into names, by source key) of the records that capture them,
// and their strata. capture, when not nil, picks among a person's records
// (indexes into recs, in record order) those that capture them for the
// population counted; a person none of whose records does is left out. A
// record whose source is not in names captures nobody. Strata are read
// from all of a person's records: the person's own attribute when every
// record belongs to one stored person that has it set, else the records'
// values by rollcall.ResolveAttribute; decade is that of the earliest
// detention date.
func Histories(recs []CaptureRecord, cluster []int64, vars []string, names []string, capture func(members []int) []int) []CaptureRow {
	index := make(map[string]int, len(names))
	for i, n := range names {
		index[n] = i
	}
	members := map[int64][]int{}
	var order []int64
	for i, c := range cluster {
		if _, ok := members[c]; !ok {
			order = append(order, c)
		}
		members[c] = append(members[c], i)
	}
	slices.Sort(order)
	out := make([]CaptureRow, 0, len(order))
	for _, c := range order {
		idx := members[c]
		capturing := idx
		if capture != nil {
			capturing = capture(idx)
		}
		lists := map[int]bool{}
		for _, i := range capturing {
			if j, ok := index[recs[i].SourceKey]; ok {
				lists[j] = true
			}
		}
		if len(lists) == 0 {
			continue
		}
		row := CaptureRow{PersonID: c}
		for _, i := range idx {
			row.Fictional = row.Fictional || recs[i].Fictional
		}
		for j := range lists {
			row.Lists = append(row.Lists, j)
		}
		sort.Ints(row.Lists)
		if len(vars) > 0 {
			row.Strata, row.Stratum = strata(recs, idx, vars)
		}
		out = append(out, row)
	}
	return out
}

// strata reads the stratum values of the person made of records idx.
func strata(recs []CaptureRecord, idx []int, vars []string) (map[string]string, string) {
	var ftype, sex, prov []string
	detained := ""
	onePerson := true
	for _, i := range idx {
		r := recs[i]
		ftype = append(ftype, r.FacilityType)
		sex = append(sex, r.Sex)
		prov = append(prov, r.Province)
		if r.Detained != "" && (detained == "" || r.Detained < detained) {
			detained = r.Detained
		}
		onePerson = onePerson && r.PersonID != 0 && r.PersonID == recs[idx[0]].PersonID
	}
	own := func(get func(CaptureRecord) string) string {
		if onePerson {
			return get(recs[idx[0]])
		}
		return ""
	}
	m := make(map[string]string, len(vars))
	vals := make([]string, len(vars))
	for i, v := range vars {
		var val string
		switch v {
		case "facility_type":
			val = rollcall.ResolveAttribute(ftype).Value
		case "sex":
			val = or(own(func(r CaptureRecord) string { return r.PersonSex }), rollcall.ResolveAttribute(sex).Value)
		case "province":
			val = or(own(func(r CaptureRecord) string { return r.PersonProvince }), rollcall.ResolveAttribute(prov).Value)
		case "decade":
			if y, err := strconv.Atoi(detained[:min(4, len(detained))]); err == nil && y > 0 {
				val = strconv.Itoa(y/10*10) + "s"
			}
		}
		if val == "" {
			val = Unknown
		}
		m[v], vals[i] = val, val
	}
	return m, strings.Join(vals, "|")
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
