package amnesty

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty/rule"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
)

// OutcomeStatuses lists the valid outcome statuses.
var OutcomeStatuses = []string{rollcall.OutcomeReleaseVerified, rollcall.OutcomeReleaseReported,
	rollcall.OutcomeNotReleased, rollcall.OutcomeDiedBefore, rollcall.OutcomeReArrested, rollcall.OutcomeUnknown}

// OutcomeInput is a new outcome for one person under one decree.
type OutcomeInput struct {
	PersonID  int64  `json:"person_id"`
	DecreeKey string `json:"decree"`
	Status    string `json:"status"`
	Date      string `json:"date"` // any form rollcall.ParseDate reads
	// Source is a source key or numeric id; required for release_verified.
	Source string `json:"source,omitempty"`
	Note   string `json:"note,omitempty"`
}

// resolveSource finds a source by key, else by numeric id.
func resolveSource(ctx context.Context, st *store.Store, ref string) (*int64, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil, nil
	}
	if s, err := st.SourceByKey(ctx, ref); err == nil {
		return &s.ID, nil
	} else if rollcall.ErrorCode(err) != rollcall.ENOTFOUND {
		return nil, fmt.Errorf("amnesty: source %q: %w", ref, err)
	}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		if s, err := st.GetSource(ctx, id); err == nil {
			return &s.ID, nil
		} else if rollcall.ErrorCode(err) != rollcall.ENOTFOUND {
			return nil, fmt.Errorf("amnesty: source %d: %w", id, err)
		}
	}
	return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "source", Message: fmt.Sprintf("no source with key or id %q", rule.Truncate(ref, 40))}
}

// AddOutcome validates and appends an outcome row; earlier rows stay as
// history. A verified release needs a source; every outcome needs a date
// (partial is fine) unless its status is unknown.
func AddOutcome(ctx context.Context, st *store.Store, in OutcomeInput) (*rollcall.AmnestyOutcome, error) {
	if !slices.Contains(OutcomeStatuses, in.Status) {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "status",
			Message: fmt.Sprintf("status %q is not one of %s", rule.Truncate(in.Status, 30), strings.Join(OutcomeStatuses, ", "))}
	}
	date, err := rollcall.ParseDate(in.Date)
	if err != nil {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "date", Message: "date: " + rollcall.ErrorMessage(err)}
	}
	if date.IsZero() && in.Status != rollcall.OutcomeUnknown {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "date", Message: "an outcome needs a date (a year is enough)"}
	}
	if in.Status == rollcall.OutcomeReleaseVerified && strings.TrimSpace(in.Source) == "" {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "source", Message: "a verified release needs a source"}
	}
	d, err := st.DecreeByKey(ctx, in.DecreeKey)
	if err != nil {
		return nil, fmt.Errorf("amnesty: decree %q: %w", in.DecreeKey, err)
	}
	if _, err := st.GetPerson(ctx, in.PersonID); err != nil {
		return nil, fmt.Errorf("amnesty: person %d: %w", in.PersonID, err)
	}
	src, err := resolveSource(ctx, st, in.Source)
	if err != nil {
		return nil, err
	}
	o := &rollcall.AmnestyOutcome{PersonID: in.PersonID, DecreeID: d.ID, Status: in.Status, Date: date,
		SourceID: src, Note: in.Note, CreatedBy: rollcall.ActorFrom(ctx).Name}
	if err := st.AddAmnestyOutcome(ctx, o); err != nil {
		return nil, fmt.Errorf("amnesty: add outcome: %w", err)
	}
	return o, nil
}

// OutcomeHistory is every outcome row for a person under a decree, oldest
// first; the last is current.
func OutcomeHistory(ctx context.Context, st *store.Store, personID int64, decreeKey string) ([]rollcall.AmnestyOutcome, error) {
	d, err := st.DecreeByKey(ctx, decreeKey)
	if err != nil {
		return nil, fmt.Errorf("amnesty: decree %q: %w", decreeKey, err)
	}
	rows, err := st.AmnestyOutcomes(ctx, d.ID, personID)
	if err != nil {
		return nil, fmt.Errorf("amnesty: outcomes: %w", err)
	}
	out := rows[:0:0]
	for _, r := range rows {
		if personID == 0 || r.PersonID == personID {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b rollcall.AmnestyOutcome) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// FollowUpKinds are the kinds of observation after release (vocabulary
// "followup_kind").
var FollowUpKinds = []string{"housing", "work", "health", "surveillance", "re_detention", "left_country"}

// FollowUpInput is a dated observation about a released person.
type FollowUpInput struct {
	PersonID    int64  `json:"person_id"`
	Kind        string `json:"kind"`
	Date        string `json:"date"`
	Observation string `json:"observation"`
	ReportedBy  string `json:"reported_by"`
	Source      string `json:"source,omitempty"`
	// Sensitivity defaults to internal: observations about released people
	// can expose them.
	Sensitivity rollcall.Sensitivity `json:"sensitivity,omitempty"`
}

// AddFollowUp validates and stores a follow-up observation.
func AddFollowUp(ctx context.Context, st *store.Store, in FollowUpInput) (*rollcall.FollowUp, error) {
	voc, err := refdata.Vocabulary(ctx, st)
	if err != nil {
		return nil, err
	}
	// The API's and the forms' rule for a follow-up's kind.
	kind, err := refdata.CodeOf(voc, rollcall.VocabFollowUpKind, in.Kind)
	if err != nil {
		return nil, err
	}
	if kind == "" {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "kind", Message: "say what kind of observation it is (" + strings.Join(FollowUpKinds, ", ") + ")"}
	}
	date, err := rollcall.ParseDate(in.Date)
	if err != nil {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "date", Message: "date: " + rollcall.ErrorMessage(err)}
	}
	if date.IsZero() {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "date", Message: "a follow-up needs a date (a year is enough)"}
	}
	if strings.TrimSpace(in.Observation) == "" {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "observation", Message: "the observation is empty"}
	}
	if strings.TrimSpace(in.ReportedBy) == "" {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "reported_by", Message: "say who reported the observation"}
	}
	sens := in.Sensitivity
	if sens == "" {
		sens = rollcall.Internal
	}
	if !sens.Valid() {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "sensitivity", Message: fmt.Sprintf("sensitivity %q is not public, internal or confidential", sens)}
	}
	if _, err := st.GetPerson(ctx, in.PersonID); err != nil {
		return nil, fmt.Errorf("amnesty: person %d: %w", in.PersonID, err)
	}
	src, err := resolveSource(ctx, st, in.Source)
	if err != nil {
		return nil, err
	}
	f := &rollcall.FollowUp{PersonID: in.PersonID, Date: date, Kind: kind, Observation: in.Observation,
		ReportedBy: in.ReportedBy, SourceID: src, Sensitivity: sens}
	if err := st.CreateFollowUp(ctx, f); err != nil {
		return nil, fmt.Errorf("amnesty: add follow-up: %w", err)
	}
	return f, nil
}

// OverdueRow is a released person with no follow-up for too long.
type OverdueRow struct {
	PersonID   int64  `json:"person_id"`
	Name       string `json:"name"`
	Fictional  bool   `json:"fictional"`
	Decree     string `json:"decree"`
	ReleasedOn string `json:"released_on"`
	Status     string `json:"status"`
	// LastFollowUp is the date of the latest follow-up ("" if none) and
	// LastKind its kind.
	LastFollowUp string `json:"last_follow_up,omitempty"`
	LastKind     string `json:"last_kind,omitempty"`
	// MonthsSince counts whole months from the last contact (the latest
	// follow-up, else the release) to now, from the latest day the partial
	// date allows, so a partial date never makes a case look more overdue.
	MonthsSince int `json:"months_since"`
}

// Overdue lists the people released under any decree (current outcome
// release_verified or release_reported) whose last follow-up, or release
// when there is none, is at least months months before now.
func Overdue(ctx context.Context, st *store.Store, months int, now time.Time) ([]OverdueRow, error) {
	if months < 0 {
		return nil, rollcall.Errorf(rollcall.EINVALID, "months must not be negative")
	}
	decrees, err := listAll(ctx, st.ListAmnestyDecrees, nil)
	if err != nil {
		return nil, fmt.Errorf("amnesty: list decrees: %w", err)
	}
	type released struct {
		decree string
		o      rollcall.AmnestyOutcome
	}
	rel := map[int64]released{}
	for _, d := range decrees {
		outs, err := st.AmnestyOutcomes(ctx, d.ID, 0)
		if err != nil {
			return nil, fmt.Errorf("amnesty: outcomes of %s: %w", d.Key, err)
		}
		for pid, o := range currentOutcomes(outs) {
			if o.Status != rollcall.OutcomeReleaseVerified && o.Status != rollcall.OutcomeReleaseReported {
				continue
			}
			if cur, ok := rel[pid]; !ok || o.Date.Compare(cur.o.Date) > 0 {
				rel[pid] = released{d.Key, o}
			}
		}
	}
	fus, err := listAll(ctx, st.ListFollowUps, nil)
	if err != nil {
		return nil, fmt.Errorf("amnesty: list follow-ups: %w", err)
	}
	lastFU := map[int64]rollcall.FollowUp{}
	for _, f := range fus {
		if cur, ok := lastFU[f.PersonID]; !ok || f.Date.EndKey() > cur.Date.EndKey() {
			lastFU[f.PersonID] = f
		}
	}
	var out []OverdueRow
	for pid, r := range rel {
		last := r.o.Date
		row := OverdueRow{PersonID: pid, Decree: r.decree, ReleasedOn: r.o.Date.String(), Status: r.o.Status}
		if f, ok := lastFU[pid]; ok && f.Date.EndKey() >= last.EndKey() {
			last = f.Date
			row.LastFollowUp, row.LastKind = f.Date.String(), f.Kind
		} else if ok {
			row.LastFollowUp, row.LastKind = f.Date.String(), f.Kind
		}
		lt := last.LatestTime()
		if lt.IsZero() {
			continue // an open-ended date cannot be overdue for sure
		}
		row.MonthsSince = monthsBetween(lt, now)
		if row.MonthsSince < months {
			continue
		}
		if p, err := st.GetPerson(ctx, pid); err == nil {
			row.Name, row.Fictional = p.Name, p.Fictional
		}
		out = append(out, row)
	}
	slices.SortFunc(out, func(a, b OverdueRow) int {
		return cmp.Or(cmp.Compare(b.MonthsSince, a.MonthsSince), cmp.Compare(a.PersonID, b.PersonID))
	})
	return out, nil
}

// monthsBetween counts whole calendar months from a to b.
func monthsBetween(a, b time.Time) int {
	m := (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
	if b.Day() < a.Day() {
		m--
	}
	return m
}
