package amnesty

import (
	"context"
	"encoding/csv"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
)

func TestWitnessIsNotReleased(t *testing.T) { eachDB(t, testWitnessIsNotReleased) }

// testWitnessIsNotReleased: a person who only witnessed someone else's
// release stays detained, and the tracker and the person page, read by the
// one loader, say the same. (The person page used to count every event
// naming the person, whatever the role, and found W released.)
func testWitnessIsNotReleased(t *testing.T, ctx context.Context, st *store.Store) {
	w := buildWorld(t, ctx, st)
	wit := &rollcall.Person{Name: "Person W", Fictional: true}
	must(t, st.CreatePerson(ctx, wit))
	w.persons["W"] = wit
	rec := &rollcall.Record{SourceID: w.src.ID, Key: "r-w", Name: "Person W", Fictional: true}
	must(t, st.CreateRecord(ctx, rec))
	must(t, st.SetRecordPerson(ctx, rec.ID, &wit.ID))
	w.event(t, ctx, st, "W", "detention", "2013", "kyohwaso-1", "")
	// A's release in July 2015, witnessed by W: through the person and
	// through W's record.
	a := w.persons["A"].ID
	must(t, st.CreateEvent(ctx, &rollcall.Event{Type: "release", Date: rollcall.MustDate("2015-07-20"), Fictional: true,
		SourceIDs: []int64{w.src.ID}, Victims: []rollcall.Victim{{PersonID: &a, Role: "victim"},
			{PersonID: &wit.ID, Role: "witness"}, {RecordID: &rec.ID, Role: "witness"}}}))

	ev, err := Evaluate(ctx, st, "t-prison")
	must(t, err)
	tracker := decisions(t, ev, w)
	if r := tracker["W"]; r.Decision.Decision != rollcall.Eligible || r.Held != "true" {
		t.Errorf("tracker: W is %s (held %s), want eligible and held: a witness is not released", r.Decision.Decision, r.Held)
	}
	if r := tracker["A"]; r.Decision.Decision != rollcall.NotEligible || r.Held != "false" {
		t.Errorf("tracker: A is %s (held %s), want not eligible, released before the date", r.Decision.Decision, r.Held)
	}
	for _, name := range []string{"W", "A"} {
		pds, err := ForPerson(ctx, st, w.persons[name].ID)
		must(t, err)
		i := slices.IndexFunc(pds, func(pd PersonDecree) bool { return pd.DecreeKey == "t-prison" })
		if i < 0 || pds[i].Result == nil {
			t.Fatalf("person page of %s has no t-prison result: %+v", name, pds)
		}
		page, want := pds[i].Result, tracker[name]
		if page.Decision.Decision != want.Decision.Decision || page.Held != want.Held || page.Facility != want.Facility {
			t.Errorf("%s: person page %s held %s at %s, tracker %s held %s at %s", name,
				page.Decision.Decision, page.Held, page.Facility, want.Decision.Decision, want.Held, want.Facility)
		}
	}
}

func TestDecreeVocabulary(t *testing.T) { eachDB(t, testDecreeVocabulary) }

// testDecreeVocabulary: a decree's rule reads its literals as the codes
// they name, or is refused when saved, naming the allowed values.
func testDecreeVocabulary(t *testing.T, ctx context.Context, st *store.Store) {
	w := buildWorld(t, ctx, st)
	for _, key := range []string{"A", "B"} {
		p := w.persons[key]
		p.Sex = map[string]string{"A": "f", "B": "m"}[key]
		must(t, st.UpdatePerson(ctx, p))
	}
	for _, d := range []rollcall.AmnestyDecree{
		{Key: "v-code", Title: "codes", Effective: rollcall.MustDate("2015-08-01"), Rule: `detained && sex == "f" && facility_type in ["kyohwaso"]`},
		{Key: "v-spelled", Title: "spelled", Effective: rollcall.MustDate("2015-08-01"), Rule: `detained && "여" == sex && facility_type in ["Kyohwaso", "교화소"]`},
	} {
		if _, err := SaveDecree(ctx, st, &d, false); err != nil {
			t.Fatalf("%s: %v", d.Key, err)
		}
	}
	code, err := Evaluate(ctx, st, "v-code")
	must(t, err)
	spelled, err := Evaluate(ctx, st, "v-spelled")
	must(t, err)
	a, b := decisions(t, code, w), decisions(t, spelled, w)
	if a["A"].Decision.Decision != rollcall.Eligible || a["B"].Decision.Decision != rollcall.NotEligible {
		t.Fatalf("the decree in codes: A %s, B %s", a["A"].Decision.Decision, a["B"].Decision.Decision)
	}
	for name := range w.persons {
		if a[name].Decision.Decision != b[name].Decision.Decision || strings.Join(a[name].Missing, ";") != strings.Join(b[name].Missing, ";") {
			t.Errorf("%s: %+v with codes, %+v as users spell them", name, a[name].Decision, b[name].Decision)
		}
	}
	bad := rollcall.AmnestyDecree{Key: "v-bad", Title: "bad", Effective: rollcall.MustDate("2015-08-01"), Rule: `sex == "woman?"`}
	_, err = SaveDecree(ctx, st, &bad, false)
	if rollcall.ErrorCode(err) != rollcall.EINVALID || !strings.Contains(err.Error(), `"woman?" is not a sex (allowed: f, m)`) {
		t.Errorf("a rule naming no sex: %v", err)
	}
}

// TestRuleTestVocabularyMatchesRefdata keeps internal/amnesty/rule's test
// copy of the vocabularies equal to the one rollcall ships.
func TestRuleTestVocabularyMatchesRefdata(t *testing.T) {
	f, err := os.Open("rule/testdata/vocabulary.csv")
	must(t, err)
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	must(t, err)
	var copied []string
	for _, r := range rows[1:] {
		copied = append(copied, strings.Join(r[:4], "|"))
	}
	terms, err := refdata.Terms()
	must(t, err)
	var shipped []string
	for _, tm := range terms {
		if tm.Scheme == rollcall.VocabFacilityType || tm.Scheme == rollcall.VocabChargeCat {
			shipped = append(shipped, strings.Join([]string{tm.Scheme, tm.Code, tm.LabelEn, tm.LabelKo}, "|"))
		}
	}
	if !slices.Equal(copied, shipped) {
		t.Errorf("rule/testdata/vocabulary.csv differs from refdata:\n copy %q\n refdata %q", copied, shipped)
	}
}
