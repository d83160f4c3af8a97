package match

import (
	"context"
	"testing"
)

func TestSplinkFake1000(t *testing.T) {
	fields, cols := fieldsOf(t, "first_name:name", "surname:name", "dob:date", "city:category", "email:text")
	recs, truth := loadCSV(t, "splink_fake_1000.csv", "fake", "unique_id", "cluster", cols)
	ds := &Dataset{Columns: cols, Records: recs}
	res, err := Run(context.Background(), ds, Settings{Fields: fields}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := Evaluate(ds, res, truth)
	t.Logf("fake_1000: %+v rules=%v", ev, res.Stats.Rules)
	if ev.F1 < 0.90 {
		t.Errorf("splink_fake_1000 F1 = %.4f, want ≥ 0.90", ev.F1)
	}
}

func TestRLdata10000(t *testing.T) {
	fields, cols := fieldsOf(t, "fname_c1:name", "fname_c2:name", "lname_c1:name", "lname_c2:name", "by:exact", "bm:exact", "bd:exact")
	recs, truth := loadCSV(t, "RLdata10000.csv", "rl", "rec_id", "true_id", cols)
	ds := &Dataset{Columns: cols, Records: recs}
	res, err := Run(context.Background(), ds, Settings{Fields: fields}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := Evaluate(ds, res, truth)
	t.Logf("RLdata10000: %+v rules=%v", ev, res.Stats.Rules)
	if ev.F1 < 0.97 {
		t.Errorf("RLdata10000 F1 = %.4f, want ≥ 0.97", ev.F1)
	}
}
