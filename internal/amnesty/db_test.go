package amnesty

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// testCtx acts as the local operator.
func testCtx() context.Context {
	return rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
}

// eachDB runs f on SQLite and, when configured, on PostgreSQL.
func eachDB(t *testing.T, f func(t *testing.T, ctx context.Context, st *store.Store)) {
	storetest.Run(t, func(t *testing.T, db storetest.DB) {
		f(t, testCtx(), storetest.Open(t, store.Open, db.DSN, store.Options{}))
	})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// world is a small documented population built through the store's API.
type world struct {
	src     *rollcall.Source
	fac     map[string]*rollcall.Facility
	persons map[string]*rollcall.Person
}

func (w *world) event(t *testing.T, ctx context.Context, st *store.Store, person, typ, date, facility, charge string) *rollcall.Event {
	t.Helper()
	pid := w.persons[person].ID
	ev := &rollcall.Event{Type: typ, Date: rollcall.MustDate(date), ChargeCat: charge,
		Victims: []rollcall.Victim{{PersonID: &pid, Role: "victim"}}, SourceIDs: []int64{w.src.ID}, Fictional: true}
	if facility != "" {
		ev.FacilityID = &w.fac[facility].ID
	}
	must(t, st.CreateEvent(ctx, ev))
	return ev
}

func buildWorld(t *testing.T, ctx context.Context, st *store.Store) *world {
	w := &world{fac: map[string]*rollcall.Facility{}, persons: map[string]*rollcall.Person{}}
	w.src = &rollcall.Source{Key: "test-src", Kind: "testimony", Title: "Test interviews", Fictional: true}
	must(t, st.CreateSource(ctx, w.src))
	for _, f := range []rollcall.Facility{
		{Key: "jipkyulso-3", NameEn: "Holding centre 3", Type: "jipkyulso"},
		{Key: "kwanliso-15", NameEn: "Camp 15", Type: "kwanliso"},
		{Key: "kyohwaso-1", NameEn: "Prison 1", Type: "kyohwaso"},
	} {
		f := f
		must(t, st.CreateFacility(ctx, &f))
		w.fac[f.Key] = &f
	}
	for _, name := range []string{"A", "B", "C", "D", "E", "F", "G"} {
		p := &rollcall.Person{Name: "Person " + name, Fictional: true}
		must(t, st.CreatePerson(ctx, p))
		w.persons[name] = p
	}
	// A: holding centre, then camp 15, then prison 1 before the effective date.
	w.event(t, ctx, st, "A", "arrest", "2012-03-01", "jipkyulso-3", "")
	w.event(t, ctx, st, "A", "transfer", "2013-06", "kwanliso-15", "")
	w.event(t, ctx, st, "A", "transfer", "2015-02-10", "kyohwaso-1", "")
	w.event(t, ctx, st, "A", "sentence", "2015-01", "", "crimes_against_state")
	// B: in prison 1 on the date, moved to camp 15 only after it.
	w.event(t, ctx, st, "B", "arrest", "2012", "jipkyulso-3", "")
	w.event(t, ctx, st, "B", "transfer", "2014", "kyohwaso-1", "")
	w.event(t, ctx, st, "B", "transfer", "2015-09-01", "kwanliso-15", "")
	// C: moved from prison 1 to camp 15 some time in 2015: before or after 1 August?
	w.event(t, ctx, st, "C", "transfer", "2013", "kyohwaso-1", "")
	w.event(t, ctx, st, "C", "transfer", "2015", "kwanliso-15", "")
	// D: released in 2014.
	w.event(t, ctx, st, "D", "detention", "2010", "kyohwaso-1", "")
	w.event(t, ctx, st, "D", "release", "2014-05", "", "")
	// E: known only from a record linked to the person.
	rec := &rollcall.Record{SourceID: w.src.ID, Key: "r-e", Name: "Person E", FacilityID: &w.fac["kyohwaso-1"].ID,
		DetainedFrom: rollcall.MustDate("2011"), ChargeCat: "crimes_against_state", Fictional: true}
	must(t, st.CreateRecord(ctx, rec))
	must(t, st.SetRecordPerson(ctx, rec.ID, &w.persons["E"].ID))
	// F: released in 2014, re-arrested in 2015 and sent to camp 15.
	w.event(t, ctx, st, "F", "detention", "2009", "kyohwaso-1", "")
	w.event(t, ctx, st, "F", "release", "2014-01", "", "")
	w.event(t, ctx, st, "F", "re_arrest", "2015-03", "kwanliso-15", "")
	// G: nothing documented.
	for _, d := range []rollcall.AmnestyDecree{
		{Key: "t-prison", Title: "Prison inmates", Effective: rollcall.MustDate("2015-08-01"),
			Rule: `detained && facility_type == "kyohwaso"`, AnnouncedNumber: "3"},
		{Key: "t-crimes", Title: "Crimes against the state", Effective: rollcall.MustDate("2015-08-01"),
			Rule: `detained && "crimes_against_state" in charges`, Notes: "test reading"},
		{Key: "t-norule", Title: "No rule yet", Announced: rollcall.MustDate("2018-07-16")},
	} {
		d := d
		if _, err := SaveDecree(ctx, st, &d, false); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func decisions(t *testing.T, ev *Evaluation, w *world) map[string]PersonResult {
	t.Helper()
	out := map[string]PersonResult{}
	for name, p := range w.persons {
		for _, r := range ev.Results {
			if r.PersonID == p.ID {
				out[name] = r
			}
		}
	}
	return out
}

func TestEvaluateFromStore(t *testing.T) { eachDB(t, testEvaluateFromStore) }

func testEvaluateFromStore(t *testing.T, ctx context.Context, st *store.Store) {
	w := buildWorld(t, ctx, st)
	ev, err := Evaluate(ctx, st, "t-prison")
	if err != nil {
		t.Fatal(err)
	}
	// Each expectation follows from the events above and the package doc's
	// rules for facility (latest placement on or before the date) and
	// detained (custody evidence without a later release).
	want := map[string]struct {
		decision, missing, facility, held string
	}{
		"A": {rollcall.Eligible, "", "kyohwaso-1", "true"},
		"B": {rollcall.Eligible, "", "kyohwaso-1", "true"},
		"C": {rollcall.Undetermined, "facility_type", FacilityUncertain, "true"},
		"D": {rollcall.NotEligible, "", "kyohwaso-1", "false"},
		"E": {rollcall.Eligible, "", "kyohwaso-1", "true"},
		"F": {rollcall.NotEligible, "", "kwanliso-15", "true"},
		"G": {rollcall.Undetermined, "facility_type;detained", FacilityUnknown, "unknown"},
	}
	got := decisions(t, ev, w)
	for name, wt := range want {
		r := got[name]
		if r.Decision.Decision != wt.decision || strings.Join(r.Missing, ";") != wt.missing || r.Facility != wt.facility || r.Held != wt.held {
			t.Errorf("person %s: got %s missing %v facility %s held %s; want %s missing %q facility %s held %s (facts %v)",
				name, r.Decision.Decision, r.Missing, r.Facility, r.Held, wt.decision, wt.missing, wt.facility, wt.held, r.Facts.Describe())
		}
	}

	ev2, err := Evaluate(ctx, st, "t-crimes")
	must(t, err)
	got = decisions(t, ev2, w)
	for name, want := range map[string]string{"A": rollcall.Eligible, "E": rollcall.Eligible, "B": rollcall.Undetermined, "D": rollcall.NotEligible} {
		if got[name].Decision.Decision != want {
			t.Errorf("t-crimes person %s: %s, want %s", name, got[name].Decision.Decision, want)
		}
	}

	// One person's page: the same decisions from only their own data.
	for name, p := range w.persons {
		pds, err := ForPerson(ctx, st, p.ID)
		must(t, err)
		if len(pds) != 3 {
			t.Fatalf("person %s: %d decrees", name, len(pds))
		}
		for _, pd := range pds {
			var all *Evaluation
			switch pd.DecreeKey {
			case "t-prison":
				all = ev
			case "t-crimes":
				all = ev2
			default:
				if pd.HasRule || pd.Result == nil || pd.Result.Decision.Decision != rollcall.Undetermined {
					t.Errorf("person %s under %s: %+v", name, pd.DecreeKey, pd)
				}
				continue
			}
			want := decisions(t, all, w)[name]
			if pd.Result == nil || pd.Result.Decision.Decision != want.Decision.Decision || pd.Result.Facility != want.Facility {
				t.Errorf("person %s under %s: ForPerson %+v, Evaluate %+v", name, pd.DecreeKey, pd.Result, want)
			}
		}
	}

	// A corrected fact changes the next decision: C's transfer to camp 15
	// turns out to be in March 2015, before the date.
	evs, _, err := st.ListEvents(ctx, rollcall.ListOptions{Limit: -1, Filters: map[string]string{"person_id": strconv.FormatInt(w.persons["C"].ID, 10), "type": "transfer"}})
	must(t, err)
	for _, e := range evs {
		if e.Date.String() == "2015" {
			e.Date = rollcall.MustDate("2015-03")
			must(t, st.UpdateEvent(ctx, &e))
		}
	}
	ev, err = Evaluate(ctx, st, "t-prison")
	must(t, err)
	if r := decisions(t, ev, w)["C"]; r.Decision.Decision != rollcall.NotEligible || r.Facility != "kwanliso-15" {
		t.Errorf("after the correction C is %s at %s, want not_eligible at kwanliso-15", r.Decision.Decision, r.Facility)
	}
}

func TestOutcomesReportAndOverdue(t *testing.T) { eachDB(t, testOutcomesReportAndOverdue) }

func testOutcomesReportAndOverdue(t *testing.T, ctx context.Context, st *store.Store) {
	w := buildWorld(t, ctx, st)
	a, b, e := w.persons["A"].ID, w.persons["B"].ID, w.persons["E"].ID

	_, err := AddOutcome(ctx, st, OutcomeInput{PersonID: a, DecreeKey: "t-prison", Status: rollcall.OutcomeReleaseVerified, Date: "2015-08"})
	if rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Fatalf("verified release without a source: %v, want EINVALID", err)
	}
	_, err = AddOutcome(ctx, st, OutcomeInput{PersonID: a, DecreeKey: "t-prison", Status: "freed", Date: "2015-08"})
	if rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Fatalf("unknown status: %v, want EINVALID", err)
	}
	// A: first reported, then verified: two history rows, the last current.
	_, err = AddOutcome(ctx, st, OutcomeInput{PersonID: a, DecreeKey: "t-prison", Status: rollcall.OutcomeReleaseReported, Date: "2015-08"})
	must(t, err)
	_, err = AddOutcome(ctx, st, OutcomeInput{PersonID: a, DecreeKey: "t-prison", Status: rollcall.OutcomeReleaseVerified, Date: "2015-08-15", Source: "test-src"})
	must(t, err)
	_, err = AddOutcome(ctx, st, OutcomeInput{PersonID: b, DecreeKey: "t-prison", Status: rollcall.OutcomeNotReleased, Date: "2016", Source: "test-src"})
	must(t, err)
	_, err = AddOutcome(ctx, st, OutcomeInput{PersonID: e, DecreeKey: "t-prison", Status: rollcall.OutcomeReleaseReported, Date: "2015-09"})
	must(t, err)
	hist, err := OutcomeHistory(ctx, st, a, "t-prison")
	must(t, err)
	if len(hist) != 2 || hist[0].Status != rollcall.OutcomeReleaseReported || hist[1].Status != rollcall.OutcomeReleaseVerified {
		t.Fatalf("history %+v, want reported then verified", hist)
	}

	rep, err := Report(ctx, st, "t-prison")
	must(t, err)
	// Documented: everyone not surely free on the date (all but D).
	o := rep.Overall
	if o.Persons != 7 || o.Documented != 6 || o.HeldSure != 5 || o.Eligible != 3 || o.Undetermined != 2 || o.NotEligible != 1 ||
		o.ReleaseVerified != 1 || o.ReleaseReported != 1 || o.NotReleased != 1 || o.EligibleNoOutcome != 0 {
		t.Errorf("overall %+v", o)
	}
	if rep.AnnouncedFigure == nil || *rep.AnnouncedFigure != 3 {
		t.Errorf("announced figure %v, want 3", rep.AnnouncedFigure)
	}
	if len(rep.Facilities) == 0 || rep.Facilities[0].Facility != "kyohwaso-1" || rep.Facilities[0].Eligible != 3 || rep.Facilities[0].Name != "Prison 1" {
		t.Errorf("facilities %+v", rep.Facilities)
	}
	if len(rep.Timeline) != 3 || rep.Timeline[2].Key != "t-norule" || rep.Timeline[2].HasRule {
		t.Errorf("timeline %+v", rep.Timeline)
	}
	if !rep.Fictional {
		t.Error("report over fictional persons is not marked fictional")
	}
	for _, format := range []string{"table", "csv", "json"} {
		var buf bytes.Buffer
		must(t, WriteReport(&buf, rep, format, false))
		if !strings.Contains(buf.String(), "kyohwaso-1") {
			t.Errorf("%s report does not name the facility:\n%s", format, buf.String())
		}
	}
	// The chart of rep.Timeline is tested in internal/chart.

	// Follow-ups: A has one in 2016-03; E none (released 2015-09).
	_, err = AddFollowUp(ctx, st, FollowUpInput{PersonID: a, Kind: "surveillance", Date: "2016-03", Observation: "visited weekly", ReportedBy: "relative"})
	must(t, err)
	_, err = AddFollowUp(ctx, st, FollowUpInput{PersonID: a, Kind: "holiday", Date: "2016-03", Observation: "x", ReportedBy: "y"})
	if rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Fatalf("unknown kind: %v, want EINVALID", err)
	}
	now := time.Date(2016, 10, 15, 0, 0, 0, 0, time.UTC)
	rows, err := Overdue(ctx, st, 6, now)
	must(t, err)
	// E: last contact the release, 2015-09-30 at the latest: 12 months.
	// A: last contact 2016-03-31: 6 months. With 7 months only E is due.
	if len(rows) != 2 || rows[0].PersonID != e || rows[0].MonthsSince != 12 || rows[1].PersonID != a || rows[1].MonthsSince != 6 {
		t.Fatalf("overdue 6 months: %+v", rows)
	}
	rows, err = Overdue(ctx, st, 7, now)
	must(t, err)
	if len(rows) != 1 || rows[0].PersonID != e {
		t.Fatalf("overdue 7 months: %+v", rows)
	}
}
