package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit/chain"
)

// Row integrity (issue 12 finding 4): every write of a covered row logs a
// keyed MAC of the row as stored in the audit entry that records it, and
// VerifyRows checks every current row against the last MAC logged for it, so
// an UPDATE, DELETE or INSERT made straight to the database shows.

// Audit actions for row hashes.
const (
	// ActionRows logs the MACs of up to rowChunk rows a bulk write touched.
	ActionRows = "rows"
	// ActionSealRows logs the MACs of current rows taken as they are
	// (`audit seal-rows`); after it, a row never hashed counts as inserted.
	ActionSealRows = "seal_rows"
)

// rowChunk is how many row MACs one audit entry carries.
const rowChunk = 1000

// deletedMAC marks a row the program deleted.
const deletedMAC = "-"

// rowTable is a table whose rows are MACed, with every column hashed (id
// apart, which the MAC takes separately).
type rowTable struct {
	entity, table string
	cols          []string
	// children adds the rows of child tables (an event's victims and
	// sources) as computed columns, so they are covered with their parent.
	children bool
}

// childColumns are the names and, per dialect, the expressions of the
// computed columns of a table with children: each child row as text,
// fields joined by U+001E, rows by U+001F, in key order; NULL when none.
func (s *Store) childColumns() ([]string, []string) {
	names := []string{"+victims", "+sources"}
	if s.dialect == Postgres {
		return names, []string{
			`(SELECT string_agg(pos::text || chr(30) || COALESCE(person_id::text, '') || chr(30) || COALESCE(record_id::text, '') || chr(30) || role, chr(31) ORDER BY pos) FROM event_victims WHERE event_id = events.id)`,
			`(SELECT string_agg(source_id::text, chr(31) ORDER BY source_id) FROM event_sources WHERE event_id = events.id)`,
		}
	}
	return names, []string{
		`(SELECT group_concat(v, char(31)) FROM (SELECT pos || char(30) || IFNULL(person_id, '') || char(30) || IFNULL(record_id, '') || char(30) || role AS v FROM event_victims WHERE event_id = events.id ORDER BY pos))`,
		`(SELECT group_concat(source_id, char(31)) FROM (SELECT source_id FROM event_sources WHERE event_id = events.id ORDER BY source_id))`,
	}
}

// rowTables are the covered tables, in the order VerifyRows reports them.
// TestRowTablesCoverEveryColumn fails when a migration adds a column that is
// not listed here.
var rowTables = []rowTable{
	{"source", "sources", []string{"uid", "version", "created_at", "updated_at", "key", "kind", "title", "author",
		"organisation", "date", "date_sort", "language", "citation", "url", "reliability", "credibility", "sensitivity",
		"informant", "notes", "fictional"}, false},
	{"person", "persons", []string{"uid", "version", "created_at", "updated_at", "name", "name_alt", "name_keys", "sex",
		"birth_date", "birth_sort", "province", "status", "sensitivity", "consent_publish", "fictional"}, false},
	{"record", "records", []string{"uid", "version", "created_at", "updated_at", "source_id", "key", "name", "name_alt",
		"name_keys", "sex", "birth_date", "birth_place", "province", "charge", "charge_cat", "facility_text", "facility_id",
		"arrest_date", "sentence_years", "detained_from", "detained_sort", "released_on", "fate", "testimony",
		"sensitivity", "person_id", "fictional"}, false},
	{"event", "events", []string{"uid", "version", "created_at", "updated_at", "key", "type", "date", "date_sort",
		"end_date", "facility_id", "place", "charge_cat", "sentence_years", "perpetrator", "description", "sensitivity",
		"fictional"}, true},
	{"amnesty_outcome", "amnesty_outcomes", []string{"person_id", "decree_id", "status", "date", "source_id", "note",
		"created_by", "created_at"}, false},
	{"followup", "followups", []string{"uid", "version", "created_at", "updated_at", "person_id", "date", "date_sort",
		"kind", "observation", "reported_by", "source_id", "sensitivity"}, false},
}

func rowTableByEntity(entity string) *rowTable {
	for i := range rowTables {
		if rowTables[i].entity == entity {
			return &rowTables[i]
		}
	}
	return nil
}

func rowTableByName(table string) *rowTable {
	for i := range rowTables {
		if rowTables[i].table == table {
			return &rowTables[i]
		}
	}
	return nil
}

// RowMACer is what a FieldCipher offers to MAC rows (keys.Cipher does).
type RowMACer interface {
	RowMAC(table string, id int64, names []string, values []any) (string, error)
}

// rowMACer is the store's row MAC, or nil without a key that can make one:
// then no row hashes are written.
func (s *Store) rowMACer() RowMACer {
	m, _ := s.cipher.(RowMACer)
	return m
}

// RowsKeyed reports whether the store writes row hashes.
func (s *Store) RowsKeyed() bool { return s.rowMACer() != nil }

type idMAC struct {
	id  int64
	mac string
}

// macRows MACs the rows of t with from <= id <= to (to < 0: no bound) in id
// order, passing each to f.
func (s *Store) macRows(ctx context.Context, m RowMACer, t *rowTable, from, to int64, f func(idMAC) error) error {
	names, exprs := t.cols, t.cols
	if t.children {
		cn, ce := s.childColumns()
		names = append(slices.Clip(names), cn...)
		exprs = append(slices.Clip(exprs), ce...)
	}
	q := `SELECT id, ` + strings.Join(exprs, ", ") + ` FROM ` + t.table + ` WHERE id >= $1`
	args := []any{from}
	if to >= 0 {
		q += ` AND id <= $2`
		args = append(args, to)
	}
	rows, err := s.q.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return fmt.Errorf("row hashes of %s: %w", t.table, err)
	}
	defer rows.Close()
	vals := make([]any, len(names))
	ptrs := make([]any, len(names)+1)
	var id int64
	ptrs[0] = &id
	for i := range vals {
		ptrs[i+1] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("row hashes of %s: %w", t.table, err)
		}
		mac, err := m.RowMAC(t.table, id, names, vals)
		if err != nil {
			return err
		}
		if err := f(idMAC{id, mac}); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("row hashes of %s: %w", t.table, err)
	}
	return nil
}

// rowHashText MACs the rows of t with the given ids (sorted, at most
// rowChunk) as the audit log holds them; an id with no row is logged as
// deleted.
func (s *Store) rowHashText(ctx context.Context, m RowMACer, t *rowTable, ids []int64) (string, error) {
	got := make(map[int64]string, len(ids))
	want := make(map[int64]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	err := s.macRows(ctx, m, t, ids[0], ids[len(ids)-1], func(r idMAC) error {
		if want[r.id] {
			got[r.id] = r.mac
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString(t.table)
	for _, id := range ids {
		mac, ok := got[id]
		if !ok {
			mac = deletedMAC
		}
		b.WriteByte('\n')
		b.WriteString(strconv.FormatInt(id, 10))
		b.WriteByte(' ')
		b.WriteString(mac)
	}
	return b.String(), nil
}

// parseRowHashes reads what rowHashText writes.
func parseRowHashes(text string) (string, []idMAC, error) {
	lines := strings.Split(text, "\n")
	out := make([]idMAC, 0, len(lines)-1)
	for _, l := range lines[1:] {
		idText, mac, ok := strings.Cut(l, " ")
		id, err := strconv.ParseInt(idText, 10, 64)
		if !ok || err != nil || mac == "" {
			return "", nil, fmt.Errorf("malformed row hash line %q", l)
		}
		out = append(out, idMAC{id, mac})
	}
	return lines[0], out, nil
}

// changeRowHashes is the row_hashes of a logChange entry: the MAC of the
// row as it now is, when the entity is covered and the store has the key.
func (s *Store) changeRowHashes(ctx context.Context, entity string, id int64) (string, error) {
	t, m := rowTableByEntity(entity), s.rowMACer()
	if t == nil || m == nil || id == 0 {
		return "", nil
	}
	return s.rowHashText(ctx, m, t, []int64{id})
}

// logRows appends one audit entry per rowChunk of ids carrying the MACs of
// those rows of table as they now are (deleted ones marked so). It is how
// bulk writes (imports, relinks, reindexing, key rotation) keep row hashes
// without one entry per row.
func (s *Store) logRows(ctx context.Context, action, table string, ids []int64, detail string) error {
	m, t := s.rowMACer(), rowTableByName(table)
	if m == nil || t == nil || len(ids) == 0 {
		return nil
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for start := 0; start < len(ids); start += rowChunk {
		chunk := ids[start:min(start+rowChunk, len(ids))]
		text, err := s.rowHashText(ctx, m, t, chunk)
		if err != nil {
			return err
		}
		if _, err := s.appendAudit(ctx, chain.Entry{Action: action, Entity: t.entity, EntityID: chunk[0],
			Detail: fmt.Sprintf("%s: %d rows, ids %d-%d", detail, len(chunk), chunk[0], chunk[len(chunk)-1]), RowHashes: text}); err != nil {
			return err
		}
	}
	return nil
}

// logTableRows logs the MACs of every row of t whose sealed column col is
// set (col "" : every row), and of extra ids (rows gone are logged as
// deleted), in chunks.
func (s *Store) logTableRows(ctx context.Context, action string, t *rowTable, col, detail string, extra ...int64) (int, error) {
	m := s.rowMACer()
	if m == nil {
		return 0, nil
	}
	q := `SELECT id FROM ` + t.table
	if col != "" {
		q += ` WHERE ` + col + ` IS NOT NULL`
	}
	rows, err := s.q.QueryContext(ctx, q+` ORDER BY id`)
	if err != nil {
		return 0, fmt.Errorf("row ids of %s: %w", t.table, err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("row ids of %s: %w", t.table, err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("row ids of %s: %w", t.table, err)
	}
	n := len(ids)
	return n, s.logRows(ctx, action, t.table, append(ids, extra...), detail)
}

// SealRows logs the MAC of every current row of the covered tables, taking
// them as they are (and rows the log has but the tables lack as deleted):
// for databases from before row hashes, or after rows were checked by hand.
// From then on a row never hashed counts as inserted.
func (s *Store) SealRows(ctx context.Context) (int, error) {
	if s.rowMACer() == nil {
		return 0, rollcall.Errorf(rollcall.EINVALID, "sealing rows needs the encryption key (rollcall key init)")
	}
	total := 0
	err := s.write(ctx, func(tx *Store) error {
		last, _, err := tx.lastRowMACs(ctx)
		if err != nil {
			return err
		}
		for i := range rowTables {
			t := &rowTables[i]
			var logged []int64
			for id, mac := range last[t.table] {
				if mac != deletedMAC {
					logged = append(logged, id)
				}
			}
			n, err := tx.logTableRows(ctx, ActionSealRows, t, "", "sealed", logged...)
			if err != nil {
				return err
			}
			total += n
		}
		_, err = tx.appendAudit(ctx, chain.Entry{Action: ActionSealRows, Detail: fmt.Sprintf("%d rows sealed", total)})
		return err
	})
	return total, err
}

// lastRowMACs reads the last MAC the log holds for each row, by table, and
// whether the rows were ever sealed.
func (s *Store) lastRowMACs(ctx context.Context) (map[string]map[int64]string, bool, error) {
	last := map[string]map[int64]string{}
	for i := range rowTables {
		last[rowTables[i].table] = map[int64]string{}
	}
	sealed := false
	rows, err := s.q.QueryContext(ctx, `SELECT seq, action, row_hashes FROM audit_log WHERE row_hashes <> '' OR action = $1 ORDER BY seq`, ActionSealRows)
	if err != nil {
		return nil, false, fmt.Errorf("row hashes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var action, text string
		if err := rows.Scan(&seq, &action, &text); err != nil {
			return nil, false, fmt.Errorf("row hashes: %w", err)
		}
		if action == ActionSealRows {
			sealed = true
		}
		if text == "" {
			continue
		}
		table, ms, err := parseRowHashes(text)
		if err != nil {
			return nil, false, rollcall.WrapError(rollcall.EINTERNAL, err, "audit entry %d", seq)
		}
		byID, ok := last[table]
		if !ok {
			return nil, false, rollcall.Errorf(rollcall.EINTERNAL, "audit entry %d hashes rows of unknown table %q", seq, table)
		}
		for _, r := range ms {
			byID[r.id] = r.mac
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("row hashes: %w", err)
	}
	return last, sealed, nil
}

// Row check problems.
const (
	RowEdited   = "edited"   // differs from the last MAC logged for it
	RowDeleted  = "deleted"  // logged as written, now missing
	RowInserted = "inserted" // present, but never written by the program (or logged as deleted)
)

// RowFinding is one row written behind the program's back.
type RowFinding struct {
	Table   string `json:"table"`
	ID      int64  `json:"id"`
	Problem string `json:"problem"`
}

// RowReport is the outcome of VerifyRows.
type RowReport struct {
	Rows     int64        `json:"rows"`     // current rows checked
	Findings []RowFinding `json:"findings"` // by table, then id
	// Unkeyed counts, per table, rows never hashed in a database that was
	// never sealed (written before row hashes existed): they cannot be
	// checked until `audit seal-rows`.
	Unkeyed map[string]int64 `json:"unkeyed,omitempty"`
	Sealed  bool             `json:"sealed"`
}

// VerifyRows checks every current row of the covered tables against the
// last MAC the audit log holds for it. It runs in one transaction holding
// the write lock, so writers wait and cannot cause false findings. It
// trusts the log's entries: verify the chain first (audit.Verify).
func (s *Store) VerifyRows(ctx context.Context) (*RowReport, error) {
	m := s.rowMACer()
	if m == nil {
		return nil, rollcall.Errorf(rollcall.EINVALID, "checking rows needs the encryption key")
	}
	rep := &RowReport{Findings: []RowFinding{}, Unkeyed: map[string]int64{}}
	err := s.write(ctx, func(tx *Store) error {
		last, sealed, err := tx.lastRowMACs(ctx)
		if err != nil {
			return err
		}
		rep.Sealed = sealed
		for i := range rowTables {
			t := &rowTables[i]
			want := last[t.table]
			var found []RowFinding
			err := tx.macRows(ctx, m, t, 0, -1, func(r idMAC) error {
				rep.Rows++
				mac, ok := want[r.id]
				delete(want, r.id)
				switch {
				case !ok && !rep.Sealed:
					rep.Unkeyed[t.table]++
				case !ok || mac == deletedMAC:
					found = append(found, RowFinding{t.table, r.id, RowInserted})
				case mac != r.mac:
					found = append(found, RowFinding{t.table, r.id, RowEdited})
				}
				return nil
			})
			if err != nil {
				return err
			}
			for id, mac := range want {
				if mac != deletedMAC {
					found = append(found, RowFinding{t.table, id, RowDeleted})
				}
			}
			slices.SortFunc(found, func(a, b RowFinding) int { return cmp.Compare(a.ID, b.ID) })
			rep.Findings = append(rep.Findings, found...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return rep, nil
}
