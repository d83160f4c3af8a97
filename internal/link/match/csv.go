package match

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/rollcall-project/rollcall"
)

// ReadCSV reads records from a CSV file with a header row. The record id
// comes from column idCol and the values from cols (in that order); every
// record gets source. name labels errors ("file.csv row 12 column dob").
func ReadCSV(r io.Reader, name, source, idCol string, cols []string) ([]Record, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	head, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, rollcall.Errorf(rollcall.EINVALID, "%s: empty file, want a header row", name)
		}
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "%s: cannot read the header", name)
	}
	at := map[string]int{}
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if _, dup := at[h]; !dup {
			at[h] = i
		}
	}
	want := append([]string{idCol}, cols...)
	pos := make([]int, len(want))
	for i, c := range want {
		p, ok := at[c]
		if !ok {
			return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: c,
				Message: fmt.Sprintf("%s: no column %q (columns: %s)", name, c, strings.Join(head, ", "))}
		}
		pos[i] = p
	}
	var out []Record
	for row := 2; ; row++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, rollcall.WrapError(rollcall.EINVALID, err, "%s: row %d is not valid CSV", name, row)
		}
		get := func(i int) string {
			if pos[i] < len(rec) {
				return rec[pos[i]]
			}
			return ""
		}
		id := strings.TrimSpace(get(0))
		if id == "" {
			return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: idCol,
				Message: fmt.Sprintf("%s: row %d has an empty id in column %q", name, row, idCol)}
		}
		vals := make([]string, len(cols))
		for i := range cols {
			vals[i] = get(i + 1)
		}
		out = append(out, Record{ID: id, Source: source, Values: vals})
	}
	return out, nil
}
