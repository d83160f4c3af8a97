package link

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/link/match"
)

// This file links records kept in CSV files rather than in the database:
// it reads the settings and the files into a match.Dataset.

// ParseField reads a field spec COL[+ALT...]:KIND: the column to compare,
// columns holding other forms of its value, and how to compare them.
func ParseField(spec string) (match.Field, error) {
	i := strings.LastIndex(spec, ":")
	if i <= 0 {
		return match.Field{}, rollcall.Errorf(rollcall.EINVALID, "field %q: want COL:KIND or COL+ALT:KIND", spec)
	}
	k, err := match.ParseKind(spec[i+1:])
	if err != nil {
		return match.Field{}, err
	}
	names := strings.Split(spec[:i], "+")
	return match.Field{Column: names[0], Kind: k, Alternatives: names[1:]}, nil
}

// ParseBlocking reads a blocking rule: keys joined by '&'.
func ParseBlocking(rule string) []string {
	var keys []string
	for _, k := range strings.Split(rule, "&") {
		if k = strings.TrimSpace(k); k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// ReadSettings reads settings saved as JSON (a trained model). A field it
// does not know is an error, not a silently dropped setting.
func ReadSettings(path string) (*match.Settings, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "cannot read model %s", path)
	}
	var s match.Settings
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err = dec.Decode(&s)
	if err == nil && dec.More() {
		err = fmt.Errorf("data after the JSON value")
	}
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "model %s is not valid settings JSON", path)
	}
	return &s, nil
}

// ReadFiles reads the records of CSV files (with a header row) to link with
// s: the id from column idCol, the columns s compares, and, when truthCol
// is set, that column apart as the true cluster of each record. Each file is
// a source of its own; ids must be unique across the files.
func ReadFiles(paths []string, idCol string, s match.Settings, truthCol string) (*match.Dataset, []string, error) {
	var extra []string
	if truthCol != "" {
		extra = []string{truthCol}
	}
	ds, vals, err := ReadFilesColumns(paths, idCol, s, extra)
	if err != nil || truthCol == "" {
		return ds, nil, err
	}
	truth := make([]string, len(vals))
	for i, v := range vals {
		truth[i] = v[0]
	}
	return ds, truth, nil
}

// ReadFilesColumns is ReadFiles with any number of columns read apart: the
// values of extra, per record, in that order.
func ReadFilesColumns(paths []string, idCol string, s match.Settings, extra []string) (*match.Dataset, [][]string, error) {
	// The columns to read: compared ones and their alternatives, once
	// each, then the extra ones.
	var cols []string
	seen := map[string]bool{}
	for _, fd := range s.Fields {
		for _, c := range append([]string{fd.Column}, fd.Alternatives...) {
			if !seen[c] {
				seen[c] = true
				cols = append(cols, c)
			}
		}
	}
	nc := len(cols)
	cols = append(cols, extra...)
	ds := &match.Dataset{Columns: cols[:nc:nc]}
	var vals [][]string
	fileOf := map[string]string{} // id → input, to name both files of a duplicate
	for i, path := range paths {
		recs, err := readCSV(path, strconv.Itoa(i), idCol, cols)
		if err != nil {
			return nil, nil, err
		}
		for _, r := range recs {
			if prev, dup := fileOf[r.ID]; dup {
				where := "twice in " + path
				if prev != path {
					where = "in " + prev + " and " + path
				}
				return nil, nil, &rollcall.Error{Code: rollcall.EINVALID, Field: idCol,
					Message: fmt.Sprintf("record id %q is not unique: %s (ids must be unique across inputs)", r.ID, where)}
			}
			fileOf[r.ID] = path
			if len(extra) > 0 {
				vals = append(vals, r.Values[nc:])
				r.Values = r.Values[:nc:nc]
			}
			ds.Records = append(ds.Records, r)
		}
	}
	return ds, vals, nil
}

func readCSV(path, source, idCol string, cols []string) ([]match.Record, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "cannot open input %s", path)
	}
	defer fh.Close()
	return match.ReadCSV(fh, path, source, idCol, cols)
}
