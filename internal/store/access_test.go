package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
)

// listAny runs one of the store's lists and hands its rows back as values
// of their own types (for rollcall.RowSensitivity).
type listAny func(st *Store, ctx context.Context, o rollcall.ListOptions) ([]any, int, error)

func anyList[T any](f func(*Store) func(context.Context, rollcall.ListOptions) ([]T, int, error)) listAny {
	return func(st *Store, ctx context.Context, o rollcall.ListOptions) ([]any, int, error) {
		items, n, err := f(st)(ctx, o)
		out := make([]any, len(items))
		for i := range items {
			out[i] = items[i]
		}
		return out, n, err
	}
}

// everyList maps each list's table to its Store method. A list added to
// the store without an entry here fails TestCeilingFilterOnEveryList.
var everyList = map[string]listAny{
	"sources": anyList(func(s *Store) func(context.Context, rollcall.ListOptions) ([]rollcall.Source, int, error) {
		return s.ListSources
	}),
	"records": anyList(func(s *Store) func(context.Context, rollcall.ListOptions) ([]rollcall.Record, int, error) {
		return s.ListRecords
	}),
	"persons": anyList(func(s *Store) func(context.Context, rollcall.ListOptions) ([]rollcall.Person, int, error) {
		return s.ListPersons
	}),
	"events": anyList(func(s *Store) func(context.Context, rollcall.ListOptions) ([]rollcall.Event, int, error) {
		return s.ListEvents
	}),
	"followups": anyList(func(s *Store) func(context.Context, rollcall.ListOptions) ([]rollcall.FollowUp, int, error) {
		return s.ListFollowUps
	}),
	"facilities": anyList(func(s *Store) func(context.Context, rollcall.ListOptions) ([]rollcall.Facility, int, error) {
		return s.ListFacilities
	}),
	"published_estimates": anyList(func(s *Store) func(context.Context, rollcall.ListOptions) ([]rollcall.PublishedEstimate, int, error) {
		return s.ListPublishedEstimates
	}),
	"amnesty_decrees": anyList(func(s *Store) func(context.Context, rollcall.ListOptions) ([]rollcall.AmnestyDecree, int, error) {
		return s.ListAmnestyDecrees
	}),
	"jobs": anyList(func(s *Store) func(context.Context, rollcall.ListOptions) ([]Job, int, error) { return s.ListJobs }),
}

// TestCeilingFilterOnEveryList: every list the store has takes the
// sensitivity_max filter, and with it returns exactly the rows that
// rollcall.RowSensitivity ranks at or below the bound, with a total that
// counts only those (issue 12, finding 7).
func TestCeilingFilterOnEveryList(t *testing.T) {
	for _, spec := range lists {
		if everyList[spec.table] == nil {
			t.Errorf("list of %s is not in the test's table", spec.table)
		}
		if _, ok := spec.row.(rollcall.Sensitive); !ok {
			t.Errorf("list of %s names a row type (%T) that declares no sensitivity", spec.table, spec.row)
		}
	}
	eachDB(t, Options{}, func(t *testing.T, st *Store) {
		ctx := ctxAs(editor)
		must(t, st.UpsertTerm(ctx, rollcall.Term{Scheme: rollcall.VocabEventType, Code: "arrest", LabelEn: "Arrest"}))
		fac := mkFacility(t, st, "kwanliso-15", "kwanliso", "")
		for i, lv := range rollcall.Sensitivities() {
			src := newSource(st, "S-"+string(lv))
			src.Sensitivity = lv
			must(t, st.CreateSource(ctx, src))
			must(t, st.CreateRecord(ctx, &rollcall.Record{SourceID: src.ID, Key: "r", Name: "N", Sensitivity: lv}))
			p := &rollcall.Person{Name: "P" + string(lv), Sensitivity: lv}
			must(t, st.CreatePerson(ctx, p))
			must(t, st.CreateEvent(ctx, &rollcall.Event{Type: "arrest", Date: rollcall.MustDate(fmt.Sprintf("199%d", i)), FacilityID: &fac.ID, Sensitivity: lv}))
			must(t, st.CreateFollowUp(ctx, &rollcall.FollowUp{PersonID: p.ID, Date: rollcall.MustDate("2016"), Kind: "housing", Observation: "o", Sensitivity: lv}))
		}
		must(t, st.CreatePublishedEstimate(ctx, &rollcall.PublishedEstimate{Subject: "kwanliso-15", Period: "2011", Point: ptr(5.0), Source: "X"}))
		must(t, st.CreateAmnestyDecree(ctx, &rollcall.AmnestyDecree{Key: "kp-2015", Country: "KP", Title: "A", Rule: "true"}))
		_, err := st.EnqueueJob(ctx, &Job{Kind: "estimate", Params: []byte(`{}`), Actor: "t", ActorRole: rollcall.RoleSystem}, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
		must(t, err)

		for table, list := range everyList {
			all, n, err := list(st, ctx, rollcall.ListOptions{Limit: 1000})
			must(t, err)
			if n == 0 {
				t.Fatalf("%s: the test seeded no rows", table)
			}
			for _, bound := range rollcall.Sensitivities() {
				want := 0
				for _, v := range all {
					if s, ok := rollcall.RowSensitivity(v); ok && s.Rank() <= bound.Rank() {
						want++
					}
				}
				got, total, err := list(st, ctx, rollcall.ListOptions{Limit: 1000, Filters: map[string]string{SensitivityMaxFilter: string(bound)}})
				if err != nil {
					t.Fatalf("%s with %s=%s: %v", table, SensitivityMaxFilter, bound, err)
				}
				if len(got) != want || total != want {
					t.Errorf("%s with %s=%s: %d rows, total %d; want %d", table, SensitivityMaxFilter, bound, len(got), total, want)
				}
				for _, v := range got {
					if s, _ := rollcall.RowSensitivity(v); s.Rank() > bound.Rank() {
						t.Errorf("%s with %s=%s: a %s row passed", table, SensitivityMaxFilter, bound, s)
					}
				}
			}
			_, _, err = list(st, ctx, rollcall.ListOptions{Filters: map[string]string{SensitivityMaxFilter: "secret"}})
			wantCode(t, err, rollcall.EINVALID)
		}
	})
}

// undeclared is a row type that declares no sensitivity.
type undeclared struct{ Name string }

// TestUndeclaredRowTypeFilteredOut: a list whose row type declares no
// sensitivity ranks its rows above confidential, so the filter keeps them
// from every bound (only admins, who are not filtered, see them).
func TestUndeclaredRowTypeFilteredOut(t *testing.T) {
	expr := sensitivityMaxExpr(undeclared{})
	if !strings.HasPrefix(expr, fmt.Sprintf("%d <= ", undeclaredRank)) || undeclaredRank <= rollcall.Confidential.Rank() {
		t.Fatalf("undeclared row type filter %q", expr)
	}
	if e := sensitivityMaxExpr(rollcall.Facility{}); !strings.HasPrefix(e, "0 <= ") {
		t.Fatalf("facility filter %q, want the public rank", e)
	}
	if e := sensitivityMaxExpr(rollcall.Record{}); !strings.HasPrefix(e, "(CASE sensitivity") {
		t.Fatalf("record filter %q, want the row's column", e)
	}
}
