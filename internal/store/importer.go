package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/audit/chain"
)

// importBatch is how many records one INSERT writes: 27 parameters each
// stays under both SQLite's 32766 and PostgreSQL's 65535 bound parameters.
const importBatch = 1000

// ImportRecords inserts recs in bulk, all or nothing, and sets their IDs,
// versions and times. It is the fast path for imports: multi-row INSERTs
// through one prepared statement, and one audit entry for the whole call
// whose after-hash covers every row. Run it inside InTx to make it part of
// a larger import.
func (s *Store) ImportRecords(ctx context.Context, recs []rollcall.Record) error {
	if len(recs) == 0 {
		return nil
	}
	type sk struct {
		src int64
		key string
	}
	seen := make(map[sk]int, len(recs))
	uids := make([]string, len(recs))
	cts := make([][]byte, len(recs))
	for i := range recs {
		r := &recs[i]
		uids[i] = newUID()
		if strings.TrimSpace(r.Key) == "" {
			r.Key = uids[i]
		}
		if err := validateRecord(r); err != nil {
			return withRow(err, i)
		}
		k := sk{r.SourceID, r.Key}
		if j, dup := seen[k]; dup {
			return &rollcall.Error{Code: rollcall.ECONFLICT, Field: "key",
				Message: fmt.Sprintf("row %d: record key %q of source %d repeats row %d", i+1, r.Key, r.SourceID, j+1)}
		}
		seen[k] = i
		if r.Testimony != "" {
			ct, err := s.seal("record "+r.Key, "records", "testimony", uids[i], []byte(r.Testimony))
			if err != nil {
				return withRow(err, i)
			}
			cts[i] = ct
		}
	}
	return s.write(ctx, func(tx *Store) error {
		now := tx.nowUTC()
		nowText := fmtTime(now)
		// The full-batch statement lives as long as the transaction (which
		// closes it), so chunked calls in one InTx prepare it once.
		full := tx.importStmt
		h := sha256.New()
		var hb []byte
		args := make([]any, 0, importBatch*recordInsertN)
		for start := 0; start < len(recs); start += importBatch {
			end := min(start+importBatch, len(recs))
			n := end - start
			args = args[:0]
			for i := start; i < end; i++ {
				args = tx.appendRecordArgs(args, &recs[i], uids[i], nowText, cts[i])
			}
			// The audit hash covers every stored value of every row (the
			// testimony as ciphertext), length-prefixed.
			hb = appendArgs(hb[:0], args)
			h.Write(hb)
			stmt := full
			if n == importBatch && full == nil && tx.dialect == SQLite {
				var err error
				if full, err = tx.q.PrepareContext(ctx, tx.insertRecordsSQL(n)); err != nil {
					return fmt.Errorf("import records: prepare: %w", err)
				}
				stmt, tx.importStmt = full, full
			}
			if err := tx.insertBatch(ctx, stmt, recs[start:end], args); err != nil {
				return importErr(err, start, end)
			}
			for i := start; i < end; i++ {
				recs[i].Version, recs[i].CreatedAt, recs[i].UpdatedAt = 1, now, now
			}
		}
		var queue []int64
		for i := range recs {
			if recs[i].PersonID == nil {
				queue = append(queue, recs[i].ID)
			}
		}
		if err := tx.enqueueLink(ctx, nil, queue...); err != nil {
			return err
		}
		_, err := tx.appendAudit(ctx, chain.Entry{Action: ActionImport, Entity: "record", EntityID: recs[0].ID,
			AfterHash: hex.EncodeToString(h.Sum(nil)),
			Detail:    fmt.Sprintf("%d records, ids %d-%d", len(recs), recs[0].ID, recs[len(recs)-1].ID)})
		if err != nil {
			return err
		}
		ids := make([]int64, len(recs))
		for i := range recs {
			ids[i] = recs[i].ID
		}
		return tx.logRows(ctx, ActionRows, "records", ids, ActionImport)
	})
}

// insertRecordsSQL is SQLite's INSERT of n records. It uses anonymous "?"
// parameters: SQLite looks numbered ones up by a linear scan, which makes
// binding thousands of them quadratic.
func (s *Store) insertRecordsSQL(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO records (" + recordInsertCols + ") VALUES ")
	anon := "(" + strings.Repeat("?, ", recordInsertN-1) + "?)"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(anon)
	}
	return b.String()
}

// insertBatch inserts one batch through stmt (or a one-off statement when
// stmt is nil or of another size) and sets the records' IDs.
func (s *Store) insertBatch(ctx context.Context, stmt *sql.Stmt, recs []rollcall.Record, args []any) error {
	n := len(recs)
	if stmt != nil && n != importBatch {
		stmt = nil
	}
	if s.dialect == SQLite {
		// SQLite gives the rows of one INSERT consecutive rowids after the
		// largest, and the immediate transaction holds the write lock, so
		// the ids follow from the last one; one lookup checks it.
		var res sql.Result
		var err error
		if stmt != nil {
			res, err = stmt.ExecContext(ctx, args...)
		} else {
			res, err = s.q.ExecContext(ctx, s.insertRecordsSQL(n), args...)
		}
		if err != nil {
			return err
		}
		last, err := res.LastInsertId()
		if err != nil {
			return err
		}
		for i := range recs {
			recs[i].ID = last - int64(n-1-i)
		}
		var first int64
		if err := s.q.QueryRowContext(ctx, `SELECT id FROM records WHERE source_id = $1 AND key = $2`, recs[0].SourceID, recs[0].Key).Scan(&first); err != nil {
			return err
		}
		if first != recs[0].ID {
			return fmt.Errorf("import records: row ids are not consecutive (%d, expected %d)", first, recs[0].ID)
		}
		return nil
	}
	// PostgreSQL takes each column as one array parameter and unnests
	// them: 27 parameters per batch instead of 27 per row.
	rows, err := s.q.QueryContext(ctx, insertRecordsPG, columnArrays(args, n)...)
	if err != nil {
		return err
	}
	return assignIDs(rows, recs)
}

// recordColTypes are the PostgreSQL types of recordInsertCols.
var recordColTypes = [recordInsertN]string{"text", "bigint", "text", "text", "bigint", "text", "text", "text", "text", "text",
	"text", "text", "text", "text", "text", "text", "bigint", "text", "float8", "text", "text", "text", "text", "bytea", "text",
	"bigint", "boolean"}

var insertRecordsPG = func() string {
	var b strings.Builder
	b.WriteString("INSERT INTO records (" + recordInsertCols + ") SELECT * FROM unnest(")
	for i, t := range recordColTypes {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d::%s[]", i+1, t)
	}
	b.WriteString(") RETURNING id, source_id, key")
	return b.String()
}()

// columnArrays turns n rows of row-major args into one typed slice per
// column (nil elements become NULLs).
func columnArrays(args []any, n int) []any {
	cols := make([]any, recordInsertN)
	for j, t := range recordColTypes {
		switch t {
		case "text":
			a := make([]*string, n)
			for i := range n {
				if v, ok := args[i*recordInsertN+j].(string); ok {
					a[i] = &v
				}
			}
			cols[j] = a
		case "bigint":
			a := make([]*int64, n)
			for i := range n {
				switch v := args[i*recordInsertN+j].(type) {
				case int64:
					a[i] = &v
				case int:
					x := int64(v)
					a[i] = &x
				case *int64:
					a[i] = v
				}
			}
			cols[j] = a
		case "float8":
			a := make([]*float64, n)
			for i := range n {
				a[i], _ = args[i*recordInsertN+j].(*float64)
			}
			cols[j] = a
		case "bytea":
			a := make([][]byte, n)
			for i := range n {
				a[i], _ = args[i*recordInsertN+j].([]byte)
			}
			cols[j] = a
		case "boolean":
			a := make([]bool, n)
			for i := range n {
				a[i], _ = args[i*recordInsertN+j].(bool)
			}
			cols[j] = a
		}
	}
	return cols
}

// appendArgs encodes bound values unambiguously (type tag and length).
func appendArgs(b []byte, args []any) []byte {
	str := func(tag byte, s string) {
		b = append(b, tag)
		b = binary.BigEndian.AppendUint32(b, uint32(len(s)))
		b = append(b, s...)
	}
	for _, a := range args {
		switch v := a.(type) {
		case nil:
			b = append(b, 'n')
		case string:
			str('s', v)
		case []byte:
			if v == nil {
				b = append(b, 'n')
			} else {
				str('b', string(v))
			}
		case int:
			b = binary.BigEndian.AppendUint64(append(b, 'i'), uint64(v))
		case int64:
			b = binary.BigEndian.AppendUint64(append(b, 'i'), uint64(v))
		case bool:
			if v {
				b = append(b, 't')
			} else {
				b = append(b, 'f')
			}
		case *int64:
			if v == nil {
				b = append(b, 'n')
			} else {
				b = binary.BigEndian.AppendUint64(append(b, 'i'), uint64(*v))
			}
		case *float64:
			if v == nil {
				b = append(b, 'n')
			} else {
				b = binary.BigEndian.AppendUint64(append(b, 'd'), math.Float64bits(*v))
			}
		case rollcall.PartialDate:
			if v.IsZero() {
				b = append(b, 'n')
			} else {
				str('s', v.String())
			}
		default:
			str('?', fmt.Sprint(v))
		}
	}
	return b
}

// assignIDs reads the RETURNING rows into recs. Rows come back in VALUES
// order in both databases, but the code does not rely on it: a mismatch
// falls back to matching by source and key.
func assignIDs(rows *sql.Rows, recs []rollcall.Record) error {
	defer rows.Close()
	type ret struct {
		id, src int64
		key     string
	}
	var out []ret
	i := 0
	inOrder := true
	for rows.Next() {
		var r ret
		if err := rows.Scan(&r.id, &r.src, &r.key); err != nil {
			return err
		}
		if inOrder && i < len(recs) && recs[i].SourceID == r.src && recs[i].Key == r.key {
			recs[i].ID = r.id
		} else {
			inOrder = false
		}
		out = append(out, r)
		i++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(out) != len(recs) {
		return fmt.Errorf("inserted %d records, expected %d", len(out), len(recs))
	}
	if !inOrder {
		byKey := make(map[string]int64, len(out))
		for _, r := range out {
			byKey[fmt.Sprintf("%d\x00%s", r.src, r.key)] = r.id
		}
		for j := range recs {
			recs[j].ID = byKey[fmt.Sprintf("%d\x00%s", recs[j].SourceID, recs[j].Key)]
		}
	}
	return nil
}

func importErr(err error, start, end int) error {
	switch constraintKind(err) {
	case cUnique:
		return rollcall.WrapError(rollcall.ECONFLICT, err, "rows %d-%d: a record key already exists in its source", start+1, end)
	case cForeignKey:
		return rollcall.WrapError(rollcall.EINVALID, err, "rows %d-%d: a record names a source, facility or person that does not exist", start+1, end)
	}
	return mapErr(fmt.Errorf("import records %d-%d: %w", start+1, end, err), "record", 0)
}

// withRow prefixes a domain error's message with the (1-based) row number.
func withRow(err error, i int) error {
	if e, ok := err.(*rollcall.Error); ok {
		c := *e
		c.Message = fmt.Sprintf("row %d: %s", i+1, e.Message)
		return &c
	}
	return fmt.Errorf("row %d: %w", i+1, err)
}
