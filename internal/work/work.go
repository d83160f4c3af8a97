// Package work is the background work the server runs as jobs
// (internal/jobs): an estimate over the linked persons, a full relink of
// every record, and an amnesty re-evaluation. Each kind has typed
// parameters that the API, the web forms and the job itself read the same
// way, and each is idempotent as jobs must be: an estimate job finds the
// results it already saved, a relink keeps person ids and human decisions,
// an evaluation only reads.
package work

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty"
	"github.com/rollcall-project/rollcall/internal/estimate"
	"github.com/rollcall-project/rollcall/internal/estimate/mse"
	"github.com/rollcall-project/rollcall/internal/jobs"
	"github.com/rollcall-project/rollcall/internal/link"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Job kinds.
const (
	KindEstimate = "estimate"
	KindRelink   = "relink"
	KindAmnesty  = "amnesty-evaluate"
)

// Register adds the kinds of this package to r; they work on st.
func Register(r *jobs.Runner, st *store.Store) {
	r.Register(KindEstimate, func(ctx context.Context, j jobs.Job, p jobs.Progress) (any, error) {
		return runEstimate(ctx, st, j, p)
	})
	r.Register(KindRelink, func(ctx context.Context, j jobs.Job, p jobs.Progress) (any, error) {
		return runRelink(ctx, st, p)
	})
	r.Register(KindAmnesty, func(ctx context.Context, j jobs.Job, p jobs.Progress) (any, error) {
		var in AmnestyParams
		if err := DecodeOptions(j.Params, &in); err != nil {
			return nil, err
		}
		return runAmnesty(ctx, st, in, p)
	})
}

// DecodeOptions reads one JSON object into v, refusing fields v does not
// have with a message that names the ones it has.
func DecodeOptions(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("data after the JSON value")
	}
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Field == "" {
		return rollcall.Errorf(rollcall.EINVALID, "the options are not a JSON object: send {\"name\": value, …}")
	}
	if errors.As(err, &te) {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: te.Field, Message: fmt.Sprintf("%s has the wrong type (want %s)", te.Field, te.Type)}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return &rollcall.Error{Code: rollcall.EINVALID, Field: name,
			Message: fmt.Sprintf("unknown option %q (options: %s)", name, strings.Join(FieldNames(v), ", "))}
	}
	if errors.Is(err, io.EOF) {
		return rollcall.Errorf(rollcall.EINVALID, "the options are empty: send a JSON object, {} for the defaults")
	}
	return rollcall.WrapError(rollcall.EINVALID, err, "the options are not a JSON object: %s", err.Error())
}

// FieldNames lists the JSON names of a struct's fields, in order.
func FieldNames(v any) []string {
	t := reflect.TypeOf(v)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case f.Anonymous && name == "":
			out = append(out, FieldNames(reflect.New(f.Type).Interface())...) // flattened, as encoding/json does
		case name != "" && name != "-":
			out = append(out, name)
		}
	}
	return out
}

// EstimateParams are the options of an estimate job: those of `rollcall
// estimate --db`, with the same defaults. A new option of estimate.Options
// is one field here and one line in Options.
type EstimateParams struct {
	Method string `json:"method,omitempty"` // loglinear (default), lcmcr, dga, chao, observed
	// By is a comma-separated list of stratum variables (facility_type,
	// sex, province or its alias region, decade or its alias period).
	By string `json:"by,omitempty"`
	// Lists is auto (default), source or kind; Groups puts a source (by
	// key) into a named list.
	Lists  string            `json:"lists,omitempty"`
	Groups map[string]string `json:"groups,omitempty"`
	// Log-linear.
	Criterion string `json:"criterion,omitempty"` // bic (default) or aic
	MaxOrder  int    `json:"max_order,omitempty"`
	Model     string `json:"model,omitempty"`
	// LCMCR. A missing seed is drawn when the job is queued, so that a
	// job run again gives the same result.
	Seed       *uint64 `json:"seed,omitempty"`
	Iterations int     `json:"iterations,omitempty"`
	Burnin     int     `json:"burnin,omitempty"`
	Thin       int     `json:"thin,omitempty"`
	Chains     int     `json:"chains,omitempty"`
	Classes    int     `json:"classes,omitempty"`
	// Who is counted (fate, event, from, to): every documented person
	// when empty, as estimate --fate/--event/--from/--to.
	estimate.Count
	// LinkageDraws > 0 carries linkage uncertainty into the estimate
	// (estimate --linkage-draws); the draws use Seed, drawn when missing.
	LinkageDraws int `json:"linkage_draws,omitempty"`
}

// Defaults of `rollcall estimate`.
const (
	// MaxLinkageDraws bounds a job's linkage draws: each draw is a whole
	// estimate.
	MaxLinkageDraws   = 200
	DefaultIterations = 200000
	DefaultBurnin     = 10000
	DefaultThin       = 20
	DefaultChains     = 2
	DefaultClasses    = 10
)

// ParseEstimateParams reads an estimate job's options from JSON: unknown
// options and values are refused with what is allowed; defaults are
// filled in and, for lcmcr, a seed drawn, so the stored parameters say
// exactly what runs.
func ParseEstimateParams(b []byte) (EstimateParams, error) {
	var p EstimateParams
	if err := DecodeOptions(b, &p); err != nil {
		return p, err
	}
	return p, p.Normalize()
}

// Normalize checks p and fills in the defaults (see ParseEstimateParams).
func (p *EstimateParams) Normalize() error {
	if p.Method == "" {
		p.Method = string(mse.MethodLogLinear)
	}
	if _, err := mse.ParseMethod(p.Method); err != nil {
		return fieldErr("method", err)
	}
	by := estimate.ParseStrata(p.By)
	allowed := store.StratumVariables()
	for _, v := range by {
		if !slices.Contains(allowed, v) {
			return &rollcall.Error{Code: rollcall.EINVALID, Field: "by",
				Message: fmt.Sprintf("cannot stratify by %q: choose %s (or region, period)", v, strings.Join(allowed, ", "))}
		}
	}
	p.By = by.String()
	lists, err := estimate.ParseLists(p.Lists)
	if err != nil {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "lists", Message: fmt.Sprintf("lists must be auto, source or kind, not %q", p.Lists)}
	}
	p.Lists = string(lists)
	for k, v := range p.Groups {
		if strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return &rollcall.Error{Code: rollcall.EINVALID, Field: "groups", Message: "groups map a source key to a list name; neither may be empty"}
		}
	}
	if p.Criterion == "" {
		p.Criterion = "bic"
	}
	if p.Criterion != "bic" && p.Criterion != "aic" {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "criterion", Message: fmt.Sprintf("criterion must be bic or aic, not %q", p.Criterion)}
	}
	for _, c := range []struct {
		name string
		v    *int
		def  int
	}{{"iterations", &p.Iterations, DefaultIterations}, {"burnin", &p.Burnin, DefaultBurnin}, {"thin", &p.Thin, DefaultThin},
		{"chains", &p.Chains, DefaultChains}, {"classes", &p.Classes, DefaultClasses}} {
		if *c.v < 0 {
			return &rollcall.Error{Code: rollcall.EINVALID, Field: c.name, Message: fmt.Sprintf("%s must be a whole number above 0, not %d", c.name, *c.v)}
		}
		if *c.v == 0 {
			*c.v = c.def
		}
	}
	if p.MaxOrder < 0 {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "max_order", Message: "max_order must be 0 (lists − 1) or more"}
	}
	if p.LinkageDraws < 0 || p.LinkageDraws > MaxLinkageDraws {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "linkage_draws",
			Message: fmt.Sprintf("linkage_draws must be 0 (none) to %d, not %d", MaxLinkageDraws, p.LinkageDraws)}
	}
	if !p.Count.IsZero() {
		// The built-in vocabularies: the run checks again against the
		// database's, which may add terms.
		voc, err := refdata.Vocabulary(context.Background(), nil)
		if err != nil {
			return err
		}
		if err := p.Count.Normalize(voc); err != nil {
			return err
		}
	}
	random := p.Method == string(mse.MethodLCMCR) || p.Method == string(mse.MethodDGA) || p.LinkageDraws > 0
	if random && p.Seed == nil {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return fmt.Errorf("estimate: draw a seed: %w", err)
		}
		s := binary.LittleEndian.Uint64(b[:]) >> 1
		p.Seed = &s
	}
	return nil
}

func fieldErr(field string, err error) error {
	return &rollcall.Error{Code: rollcall.EINVALID, Field: field, Message: rollcall.ErrorMessage(err)}
}

// Options are the estimate.Options p stands for (p normalized), saving the
// results under job.
func (p EstimateParams) Options(job int64) estimate.Options {
	var seed uint64
	if p.Seed != nil {
		seed = *p.Seed
	}
	return estimate.Options{
		Method: mse.Method(p.Method), By: estimate.ParseStrata(p.By), Lists: estimate.Lists(p.Lists), Groups: p.Groups,
		LogLinear: mse.LogLinearOptions{Criterion: p.Criterion, MaxOrder: p.MaxOrder, Model: p.Model},
		LCMCR: mse.LCMCROptions{Classes: p.Classes, Seed: seed, Chains: p.Chains, Burnin: p.Burnin,
			Iterations: p.Iterations, Thin: p.Thin},
		DGA:   mse.DGAOptions{Seed: seed},
		Count: p.Count, LinkageDraws: p.LinkageDraws, LinkageSeed: seed,
		Save: true, Job: job,
	}
}

// EstimateResult is what an estimate job leaves: the stored results (in
// GET /api/v1/estimates) and the overall figure.
type EstimateResult struct {
	Saved []int64 `json:"saved"`
	// Requested is the method asked for and By the strata; Method is what
	// the overall result reports ("stratified" when By is set).
	Requested string   `json:"requested_method"`
	By        string   `json:"by,omitempty"`
	Method    string   `json:"method"`
	Stratum   string   `json:"stratum"`
	Observed  int      `json:"observed"`
	Estimate  *float64 `json:"estimate"` // null: unbounded
	Lower     *float64 `json:"lower"`
	Upper     *float64 `json:"upper"`
	Level     float64  `json:"level"`
	Model     string   `json:"model,omitempty"`
}

func runEstimate(ctx context.Context, st *store.Store, j jobs.Job, p jobs.Progress) (*EstimateResult, error) {
	params, err := ParseEstimateParams(j.Params)
	if err != nil {
		return nil, err
	}
	// A job run again (its process died after saving) finds its results.
	if saved, err := estimate.SavedBy(ctx, st, j.ID); err != nil {
		return nil, err
	} else if len(saved) > 0 {
		return estimateResult(params, saved), nil
	}
	opts := params.Options(j.ID)
	msg := "fitting models"
	if opts.Method == mse.MethodLCMCR {
		msg = "sampling"
	}
	p(0, 0, "reading the linked persons")
	bar := func(n, total int64) { p(n, total, msg) }
	opts.LogLinear.Progress, opts.LCMCR.Progress = bar, bar
	out, err := estimate.Run(ctx, st, opts)
	if err != nil {
		return nil, err
	}
	saved, err := estimate.SavedBy(ctx, st, j.ID)
	if err != nil {
		return nil, err
	}
	if len(saved) != len(out.Saved) {
		return nil, fmt.Errorf("estimate job %d: saved %d results, found %d", j.ID, len(out.Saved), len(saved))
	}
	return estimateResult(params, saved), nil
}

func estimateResult(p EstimateParams, saved []store.EstimateRow) *EstimateResult {
	first := saved[0] // the overall result is saved first
	r := &EstimateResult{Requested: p.Method, By: p.By, Method: first.Method, Stratum: first.Stratum, Observed: first.Observed, Lower: first.Lower,
		Upper: first.Upper, Level: first.Level, Model: first.Model}
	if first.Estimate >= 0 && !math.IsInf(first.Estimate, 0) {
		e := first.Estimate
		r.Estimate = &e
	}
	for _, e := range saved {
		r.Saved = append(r.Saved, e.ID)
	}
	return r
}

// RelinkParams are the options of a full relink: none yet.
type RelinkParams struct{}

// runRelink links every stored record again (link.Run): person ids stay
// stable and human decisions are kept, so running it twice is running it
// once.
func runRelink(ctx context.Context, st *store.Store, p jobs.Progress) (*link.Report, error) {
	p(0, 0, "reading the records")
	rep, err := link.Run(ctx, st, link.Options{Progress: func(stage string, done, total int64) { p(done, total, stage) }})
	if err != nil {
		return nil, err
	}
	rep.Settings = nil // the learned model is large and not what the reader asked
	return rep, nil
}

// AmnestyParams are the options of an amnesty re-evaluation: one decree
// (by key) or, when empty, all.
type AmnestyParams struct {
	Decree string `json:"decree,omitempty"`
}

// ParseAmnestyParams reads an evaluation job's options; the decree must
// exist.
func ParseAmnestyParams(ctx context.Context, st *store.Store, b []byte) (AmnestyParams, error) {
	var p AmnestyParams
	if err := DecodeOptions(b, &p); err != nil {
		return p, err
	}
	p.Decree = strings.TrimSpace(p.Decree)
	if p.Decree != "" {
		if _, err := st.DecreeByKey(ctx, p.Decree); err != nil {
			if rollcall.ErrorCode(err) == rollcall.ENOTFOUND {
				return p, &rollcall.Error{Code: rollcall.EINVALID, Field: "decree", Message: fmt.Sprintf("no decree with key %q", p.Decree)}
			}
			return p, err
		}
	}
	return p, nil
}

// AmnestyResult is what an evaluation job leaves: the tracker's counts
// for each decree evaluated.
type AmnestyResult struct {
	Decrees []amnesty.TimelineRow `json:"decrees"`
}

// runAmnesty decides every documented person under one decree or all,
// from the current data (amnesty.Timeline: nothing is cached, so this only
// reads and is idempotent).
func runAmnesty(ctx context.Context, st *store.Store, in AmnestyParams, p jobs.Progress) (*AmnestyResult, error) {
	p(0, 1, "evaluating")
	rows, err := amnesty.Timeline(ctx, st)
	if err != nil {
		return nil, err
	}
	res := &AmnestyResult{Decrees: []amnesty.TimelineRow{}}
	for _, r := range rows {
		if in.Decree == "" || r.Key == in.Decree {
			res.Decrees = append(res.Decrees, r)
		}
	}
	p(1, 1, "done")
	return res, nil
}
