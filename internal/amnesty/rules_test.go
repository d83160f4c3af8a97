package amnesty

import (
	"context"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
)

// TestRuleVersions: every saved rule is kept with who saved it and when;
// SaveRule refuses a rule that does not compile or a stale version and
// changes nothing then; loading the reference data again keeps an
// analyst's rule but still updates a rule nobody edited.
func TestRuleVersions(t *testing.T) {
	eachDB(t, func(t *testing.T, ctx context.Context, st *store.Store) {
		must(t, refdata.Load(ctx, st))
		d15, err := st.DecreeByKey(ctx, "kp-amnesty-2015")
		must(t, err)
		vs, err := st.RuleVersions(ctx, d15.ID)
		must(t, err)
		if len(vs) != 1 || vs[0].Rule != d15.Rule || vs[0].SavedBy != refdata.LoaderName || !vs[0].Current {
			t.Fatalf("versions of the reference rule: %+v", vs)
		}
		ana := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "ana", Role: rollcall.RoleAnalyst})
		if _, err := SaveRule(ana, st, "kp-amnesty-2015", d15.Version, `detained && shoe_size > 3`, ""); rollcall.ErrorCode(err) != rollcall.EINVALID ||
			!strings.Contains(rollcall.ErrorMessage(err), "rule 1:13:") {
			t.Errorf("a rule with an unknown fact: %v", err)
		}
		wider := `detained && ("crimes_against_state" in charges || "political" in charges)`
		d, err := SaveRule(ana, st, "kp-amnesty-2015", d15.Version, wider, "the wider reading")
		must(t, err)
		if d.Rule != wider || d.Version != d15.Version+1 {
			t.Errorf("saved %+v", d)
		}
		if _, err := SaveRule(ana, st, "kp-amnesty-2015", d15.Version, "detained", ""); rollcall.ErrorCode(err) != rollcall.ECONFLICT {
			t.Errorf("stale version: %v", err)
		}
		vs, err = st.RuleVersions(ctx, d15.ID)
		must(t, err)
		if len(vs) != 2 || vs[0].Rule != wider || vs[0].SavedBy != "ana" || vs[0].Note != "the wider reading" || vs[1].Current || vs[0].SavedAt.IsZero() {
			t.Errorf("versions after saving: %+v", vs)
		}
		// The reference data loaded again: the analyst's rule stays.
		must(t, refdata.Load(ctx, st))
		if d, _ := st.DecreeByKey(ctx, "kp-amnesty-2015"); d.Rule != wider {
			t.Errorf("reloading the reference data replaced the analyst's rule with %q", d.Rule)
		}
		// A reference rule nobody edited is updated.
		d18, err := st.DecreeByKey(ctx, "kp-amnesty-2018")
		must(t, err)
		d18.Rule = "detained"
		must(t, st.UpdateAmnestyDecree(rollcall.WithActor(ctx, rollcall.Actor{Name: refdata.LoaderName, Role: rollcall.RoleSystem}), d18))
		must(t, refdata.Load(ctx, st))
		if d, _ := st.DecreeByKey(ctx, "kp-amnesty-2018"); d.Rule != "" {
			t.Errorf("the reference rule was not restored: %q", d.Rule)
		}
		// Removing a rule is a version too; the decree then has none.
		d, err = SaveRule(ana, st, "kp-amnesty-2015", d.Version, "", "no reading yet")
		must(t, err)
		ev, err := Evaluate(ctx, st, "kp-amnesty-2015")
		must(t, err)
		if d.Rule != "" || ev.HasRule {
			t.Errorf("after removing the rule: %q, has rule %v", d.Rule, ev.HasRule)
		}
		if _, err := SaveRule(ana, st, "kp-amnesty-2015", d.Version, "", ""); rollcall.ErrorCode(err) != rollcall.EINVALID {
			t.Errorf("saving the same rule again: %v", err)
		}
	})
}

// TestDraftReadings: every draft reading compiles against the reference
// vocabularies and belongs to a decree without a rule; the decrees whose
// wording gives no criteria have a note instead of a rule.
func TestDraftReadings(t *testing.T) {
	eachDB(t, func(t *testing.T, ctx context.Context, st *store.Store) {
		must(t, refdata.Load(ctx, st))
		drafts, err := refdata.DraftReadings()
		must(t, err)
		decs, _, err := st.ListAmnestyDecrees(ctx, rollcall.ListOptions{Limit: -1})
		must(t, err)
		for _, d := range decs {
			dr, ok := drafts[d.Key]
			switch {
			case d.Rule != "":
				if ok {
					t.Errorf("%s has a rule and a draft", d.Key)
				}
				continue
			case !ok || dr.Note == "":
				t.Errorf("%s has neither a rule nor a draft reading with a note", d.Key)
				continue
			}
			if dr.Rule == "" {
				if !strings.HasPrefix(dr.Note, "No draft:") {
					t.Errorf("%s: no draft rule, and the note does not say so: %q", d.Key, dr.Note)
				}
				continue
			}
			if !strings.Contains(dr.Note, "not the decree's text") {
				t.Errorf("%s: the draft is not marked as a reading: %q", d.Key, dr.Note)
			}
			if _, err := CompileRule(ctx, st, dr.Rule); err != nil {
				t.Errorf("%s: draft %q: %v", d.Key, dr.Rule, err)
			}
		}
		for _, k := range []string{"kp-amnesty-2002", "kp-amnesty-2005"} {
			if drafts[k].Rule != "" {
				t.Errorf("%s: the wording gives no criteria, yet there is a draft rule %q", k, drafts[k].Rule)
			}
		}
	})
}

// TestPreviewAndReasons: a preview decides everyone under a candidate rule
// without saving it, and each decision's reasons name the facts the rule
// reads with the person's values.
func TestPreviewAndReasons(t *testing.T) {
	eachDB(t, func(t *testing.T, ctx context.Context, st *store.Store) {
		buildWorld(t, ctx, st)
		must(t, st.CreateAmnestyDecree(ctx, &rollcall.AmnestyDecree{Key: "kp-amnesty-2018", Country: "KP", Title: "2018",
			Effective: rollcall.MustDate("2018-08-01")}))
		before, err := Evaluate(ctx, st, "kp-amnesty-2018")
		must(t, err)
		ev, err := Preview(ctx, st, "kp-amnesty-2018", `detained && sex == "F"`)
		must(t, err)
		if before.HasRule || !ev.HasRule || strings.Join(ev.Uses, ",") != "sex,detained" {
			t.Fatalf("preview: has rule %v→%v, uses %v", before.HasRule, ev.HasRule, ev.Uses)
		}
		if d, _ := st.DecreeByKey(ctx, "kp-amnesty-2018"); d.Rule != "" {
			t.Errorf("the preview saved the rule %q", d.Rule)
		}
		counts := map[string]int{}
		for _, r := range ev.Results {
			counts[r.Decision.Decision]++
			reasons := r.Reasons(ev.Uses)
			if len(reasons) != 2 || !strings.HasPrefix(reasons[0], "sex: ") || !strings.HasPrefix(reasons[1], "detained: ") {
				t.Errorf("person %d: reasons %v", r.PersonID, reasons)
			}
			if r.Decision.Decision == rollcall.Eligible && (reasons[0] != "sex: f" || reasons[1] != "detained: true") {
				t.Errorf("eligible person %d for reasons %v", r.PersonID, reasons)
			}
		}
		if counts[rollcall.Eligible]+counts[rollcall.NotEligible]+counts[rollcall.Undetermined] != len(ev.Results) || len(ev.Results) == 0 {
			t.Errorf("counts %v of %d", counts, len(ev.Results))
		}
	})
}
