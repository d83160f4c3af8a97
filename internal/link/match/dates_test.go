package match

import (
	"context"
	"slices"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// typedDates moves the readable dates of column ci from Values to Dates,
// as a caller holding typed dates (the database side) gives them.
func typedDates(recs []Record, ci, ncols int) []Record {
	out := make([]Record, len(recs))
	for i, r := range recs {
		r.Values = slices.Clone(r.Values)
		r.Dates = make([]rollcall.PartialDate, ncols)
		if d, err := rollcall.ParseDate(r.Values[ci]); err == nil && !d.IsZero() {
			r.Dates[ci], r.Values[ci] = d, ""
		}
		out[i] = r
	}
	return out
}

// Typed dates compare exactly as the text they are read from: the same
// comparison levels, and on a whole run the same pairs, scores and
// clusters.
func TestTypedDatesCompareAsTheirText(t *testing.T) {
	for _, tt := range []struct{ a, b string }{
		{"1987-03-04", "1987-03-04"}, {"1987", "1987-03-04"}, {"c. 1987", "1986"},
		{"1987-03-04", "1987-04-03"}, {"1987-03-04", "1987-11-30"}, {"1987", "1990"},
		{"1987-03-04", ""}, {"19871304", "1987-03-04"}, {"1990/1995-06", "1993"},
	} {
		text := testColumn(t, Date, "", tt.a, tt.b)
		ds := &Dataset{Columns: []string{"v"}, Records: typedDates([]Record{
			{ID: "0", Values: []string{tt.a}}, {ID: "1", Values: []string{tt.b}},
		}, 0, 1)}
		tf := true
		typed := prepareColumn(ds, &Field{Column: "v", Kind: Date, TermFrequency: &tf}, 2)
		if got, want := levelName(typed, 0, 1), levelName(text, 0, 1); got != want {
			t.Errorf("%q vs %q: typed %s, text %s", tt.a, tt.b, got, want)
		}
	}

	fields, cols := fieldsOf(t, febrlFields...)
	recs, _ := loadCSV(t, "febrl3.csv", "febrl3", "rec_id", "true_id", cols)
	dob := slices.Index(cols, "date_of_birth")
	text := &Dataset{Columns: cols, Records: recs}
	typed := &Dataset{Columns: cols, Records: typedDates(recs, dob, len(cols))}
	if n := len(typed.Records); typed.Records[0].Dates[dob].IsZero() || n != len(recs) {
		t.Fatalf("no typed dates in the test data")
	}
	a, err := Run(context.Background(), text, Settings{Fields: fields}, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Run(context.Background(), typed, Settings{Fields: fields}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.Cluster, b.Cluster) || !slices.Equal(a.Pairs, b.Pairs) {
		t.Errorf("typed dates changed the run: %d vs %d pairs", len(a.Pairs), len(b.Pairs))
	}
	// Explain shows a typed date as text.
	for i, p := range b.Pairs {
		if typed.Records[p.A].Dates[dob].IsZero() {
			continue
		}
		for _, c := range b.Explain(i) {
			if c.Column == "date_of_birth" && c.A != typed.Records[p.A].Dates[dob].String() {
				t.Errorf("Explain shows %q for %v", c.A, typed.Records[p.A].Dates[dob])
			}
		}
		break
	}
	// Dates must line up with the columns.
	bad := &Dataset{Columns: []string{"v"}, Records: []Record{{ID: "a", Values: []string{""}, Dates: make([]rollcall.PartialDate, 2)}}}
	if _, err := Run(context.Background(), bad, Settings{Fields: []Field{{Column: "v", Kind: Date}}}, nil); rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("misaligned dates: %v, want invalid", err)
	}
}
