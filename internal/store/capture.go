package store

import (
	"context"
	"database/sql"
	"fmt"
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

// CaptureHistories returns, for each person with records, the lists
// (sources) that recorded them, and the list names (source keys, by source
// id). vars are stratum variables among facility_type, sex, province and
// decade (of detention); each person's value is the person's own
// attribute when set, else what rollcall.ResolveAttribute makes of their
// records (the most frequent value, ties to the earliest record); decade is
// that of the earliest detention or arrest date.
func (s *Store) CaptureHistories(ctx context.Context, vars []string) ([]CaptureRow, []string, error) {
	for _, v := range vars {
		if !strataVars[v] {
			return nil, nil, rollcall.Errorf(rollcall.EINVALID, "cannot stratify by %q: choose facility_type, sex, province or decade", v)
		}
	}
	rows, err := s.q.QueryContext(ctx, `SELECT r.person_id, r.source_id, src.key, r.sex, r.province, r.detained_sort,
		f.type, p.sex, p.province, r.fictional OR p.fictional
		FROM records r
		JOIN sources src ON src.id = r.source_id
		JOIN persons p ON p.id = r.person_id
		LEFT JOIN facilities f ON f.id = r.facility_id
		WHERE r.person_id IS NOT NULL
		ORDER BY r.person_id, r.id`)
	if err != nil {
		return nil, nil, fmt.Errorf("capture histories: %w", err)
	}
	defer rows.Close()
	type acc struct {
		id                  int64
		lists               map[int64]bool
		ftype, sex, prov    []string // in record order
		psex, pprov, detain string
		fictional           bool
	}
	var people []*acc
	var cur *acc
	srcKey := map[int64]string{}
	for rows.Next() {
		var pid, sid int64
		var key, sex, prov, det, psex, pprov string
		var ftype sql.NullString
		var fictional bool
		if err := rows.Scan(&pid, &sid, &key, &sex, &prov, &det, &ftype, &psex, &pprov, &fictional); err != nil {
			return nil, nil, fmt.Errorf("capture histories: %w", err)
		}
		if cur == nil || cur.id != pid {
			cur = &acc{id: pid, lists: map[int64]bool{}, psex: psex, pprov: pprov}
			people = append(people, cur)
		}
		srcKey[sid] = key
		cur.lists[sid] = true
		cur.fictional = cur.fictional || fictional
		cur.ftype = append(cur.ftype, ftype.String) // "" when NULL: no value
		cur.sex = append(cur.sex, sex)
		cur.prov = append(cur.prov, prov)
		if det != "" && (cur.detain == "" || det < cur.detain) {
			cur.detain = det
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("capture histories: %w", err)
	}
	ids := make([]int64, 0, len(srcKey))
	for id := range srcKey {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	index := make(map[int64]int, len(ids))
	names := make([]string, len(ids))
	for i, id := range ids {
		index[id], names[i] = i, srcKey[id]
	}
	out := make([]CaptureRow, 0, len(people))
	for _, p := range people {
		row := CaptureRow{PersonID: p.id, Fictional: p.fictional}
		for sid := range p.lists {
			row.Lists = append(row.Lists, index[sid])
		}
		sort.Ints(row.Lists)
		if len(vars) > 0 {
			row.Strata = make(map[string]string, len(vars))
			vals := make([]string, len(vars))
			for i, v := range vars {
				var val string
				switch v {
				case "facility_type":
					val = rollcall.ResolveAttribute(p.ftype).Value
				case "sex":
					val = or(p.psex, rollcall.ResolveAttribute(p.sex).Value)
				case "province":
					val = or(p.pprov, rollcall.ResolveAttribute(p.prov).Value)
				case "decade":
					if y, err := strconv.Atoi(p.detain[:min(4, len(p.detain))]); err == nil && y > 0 {
						val = strconv.Itoa(y/10*10) + "s"
					}
				}
				if val == "" {
					val = Unknown
				}
				row.Strata[v], vals[i] = val, val
			}
			row.Stratum = strings.Join(vals, "|")
		}
		out = append(out, row)
	}
	return out, names, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
