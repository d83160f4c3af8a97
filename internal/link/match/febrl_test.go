package match

import (
	"context"
	"testing"
)

var febrlFields = []string{"given_name:name", "surname:name", "street_number:exact", "address_1:text", "address_2:text",
	"suburb:text", "postcode:exact", "state:category", "date_of_birth:date", "soc_sec_id:exact"}

func TestFebrl3Dedupe(t *testing.T) {
	fields, cols := fieldsOf(t, febrlFields...)
	recs, truth := loadCSV(t, "febrl3.csv", "febrl3", "rec_id", "true_id", cols)
	ds := &Dataset{Columns: cols, Records: recs}
	res, err := Run(context.Background(), ds, Settings{Fields: fields}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := Evaluate(ds, res, truth)
	t.Logf("febrl3: %+v rules=%v elapsed=%v", ev, res.Stats.Rules, res.Stats.Elapsed)
	if ev.F1 < 0.998 {
		t.Errorf("febrl3 F1 = %.4f, want ≥ 0.998", ev.F1)
	}
}

func TestFebrl4Link(t *testing.T) {
	fields, cols := fieldsOf(t, febrlFields...)
	a, ta := loadCSV(t, "febrl4a.csv", "a", "rec_id", "true_id", cols)
	b, tb := loadCSV(t, "febrl4b.csv", "b", "rec_id", "true_id", cols)
	ds := &Dataset{Columns: cols, Records: append(a, b...)}
	res, err := Run(context.Background(), ds, Settings{Fields: fields}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := Evaluate(ds, res, append(ta, tb...))
	t.Logf("febrl4: %+v rules=%v elapsed=%v", ev, res.Stats.Rules, res.Stats.Elapsed)
	if ev.F1 < 0.998 {
		t.Errorf("febrl4 F1 = %.4f, want ≥ 0.998", ev.F1)
	}
}

func BenchmarkFebrl3(b *testing.B) {
	fields, cols := fieldsOf(b, febrlFields...)
	recs, _ := loadCSV(b, "febrl3.csv", "febrl3", "rec_id", "true_id", cols)
	ds := &Dataset{Columns: cols, Records: recs}
	for b.Loop() {
		if _, err := Run(context.Background(), ds, Settings{Fields: fields}, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFebrl4(b *testing.B) {
	fields, cols := fieldsOf(b, febrlFields...)
	a, _ := loadCSV(b, "febrl4a.csv", "a", "rec_id", "true_id", cols)
	c, _ := loadCSV(b, "febrl4b.csv", "b", "rec_id", "true_id", cols)
	ds := &Dataset{Columns: cols, Records: append(a, c...)}
	for b.Loop() {
		if _, err := Run(context.Background(), ds, Settings{Fields: fields}, nil); err != nil {
			b.Fatal(err)
		}
	}
}
