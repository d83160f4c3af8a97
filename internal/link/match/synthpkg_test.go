package match

import (
	"context"
	"fmt"
	"testing"

	"github.com/rollcall-project/rollcall/internal/demo/synth"
)

// fromSynth turns the records of internal/synth's fictional population
// into a Dataset, with the truth per record.
func fromSynth(t testing.TB, persons int, seed uint64) (*Dataset, []string) {
	t.Helper()
	g, err := synth.Generate(synth.Options{Persons: persons, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	ds := &Dataset{Columns: []string{"name", "name_alt", "sex", "birth", "province", "facility"}}
	var truth []string
	for _, r := range g.Records {
		ds.Records = append(ds.Records, Record{
			ID:     r.Source + "/" + r.Key,
			Source: r.Source,
			Values: []string{r.Name, r.NameAlt, r.Sex, r.BirthDate.String(), r.Province, r.FacilityText},
		})
		truth = append(truth, fmt.Sprint(g.Truth[synth.RecordKey{Source: r.Source, Record: r.Key}]))
	}
	return ds, truth
}

func TestSynthPopulation(t *testing.T) {
	ds, truth := fromSynth(t, 1000, 42)
	fields := []Field{{Column: "name", Kind: Name, Alternatives: []string{"name_alt"}}, {Column: "sex", Kind: Category}, {Column: "birth", Kind: Date},
		{Column: "province", Kind: Category}, {Column: "facility", Kind: Category}}
	res, err := Run(context.Background(), ds, Settings{Fields: fields, LinkType: LinkAndDedupe}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := Evaluate(ds, res, truth)
	t.Logf("synth population (%d records): %+v rules=%v", len(ds.Records), ev, res.Stats.Rules)
	if ev.F1 < 0.95 {
		t.Errorf("synth population F1 = %.4f, want ≥ 0.95", ev.F1)
	}
}
