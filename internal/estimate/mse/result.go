package mse

import (
	"encoding/json"
	"math"
)

// Result is one population-size estimate. Non-finite numbers (an unbounded
// upper limit, say) are written to JSON as null.
type Result struct {
	Method   Method   `json:"method"`
	Lists    []string `json:"lists,omitempty"`
	Observed int      `json:"observed"`
	Estimate float64  `json:"estimate"`
	Lower    float64  `json:"lower"`
	Upper    float64  `json:"upper"`
	Level    float64  `json:"level"`
	// Interval says how Lower and Upper were obtained.
	Interval string `json:"interval"`

	// Log-linear only.
	Model        string      `json:"model,omitempty"`     // selected model, e.g. "[123][14][34]"
	Criterion    string      `json:"criterion,omitempty"` // "bic" or "aic"
	Search       string      `json:"search,omitempty"`    // which models were compared
	ModelsFitted int         `json:"models_fitted,omitempty"`
	Candidates   []Candidate `json:"candidates,omitempty"` // best models first

	// LCMCR only.
	Seed       uint64  `json:"seed,omitempty"`
	Chains     int     `json:"chains,omitempty"`
	Iterations int     `json:"iterations,omitempty"` // sweeps per chain after burn-in
	Burnin     int     `json:"burnin,omitempty"`
	Thin       int     `json:"thin,omitempty"`
	RHat       float64 `json:"rhat,omitempty"`
	ESS        float64 `json:"ess,omitempty"`
	// Draws are the posterior draws of N pooled over chains (not serialised).
	Draws []float64 `json:"-"`

	// Strata holds the per-stratum results of a stratified estimate.
	Strata []StratumResult `json:"strata,omitempty"`
	// Linkage is set on an estimate pooled over linkage draws (PoolLinkage).
	Linkage *Linkage `json:"linkage,omitempty"`

	// Warnings are the English texts of Flags, in the same order (the field
	// predates the codes; both are always written).
	Warnings []string `json:"warnings"`
	// Flags are the warnings with their stable machine codes (Warn*).
	Flags      []Warning          `json:"flags"`
	Parameters map[string]float64 `json:"parameters,omitempty"`
}

// Candidate is one fitted log-linear model in a search.
type Candidate struct {
	Model    string  `json:"model"`
	Params   int     `json:"params"`
	Deviance float64 `json:"deviance"`
	AIC      float64 `json:"aic"`
	BIC      float64 `json:"bic"`
	Estimate float64 `json:"estimate"`
	Weight   float64 `json:"weight"` // criterion weight exp(−Δ/2), normalised
	Warning  string  `json:"warning,omitempty"`
}

// StratumResult is the estimate for one stratum.
type StratumResult struct {
	Stratum string `json:"stratum"`
	Result  Result `json:"result"`
}

// jfloat writes NaN and ±Inf as null and reads null as NaN.
type jfloat float64

func (f jfloat) MarshalJSON() ([]byte, error) {
	x := float64(f)
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(x)
}

func (f *jfloat) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*f = jfloat(math.NaN())
		return nil
	}
	var x float64
	if err := json.Unmarshal(b, &x); err != nil {
		return err
	}
	*f = jfloat(x)
	return nil
}

type candidateJSON struct {
	Model    string `json:"model"`
	Params   int    `json:"params"`
	Deviance jfloat `json:"deviance"`
	AIC      jfloat `json:"aic"`
	BIC      jfloat `json:"bic"`
	Estimate jfloat `json:"estimate"`
	Weight   jfloat `json:"weight"`
	Warning  string `json:"warning,omitempty"`
}

// MarshalJSON writes non-finite numbers as null.
func (c Candidate) MarshalJSON() ([]byte, error) {
	return json.Marshal(candidateJSON{c.Model, c.Params, jfloat(c.Deviance), jfloat(c.AIC), jfloat(c.BIC), jfloat(c.Estimate), jfloat(c.Weight), c.Warning})
}

// UnmarshalJSON reads null numbers as NaN.
func (c *Candidate) UnmarshalJSON(b []byte) error {
	var j candidateJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*c = Candidate{j.Model, j.Params, float64(j.Deviance), float64(j.AIC), float64(j.BIC), float64(j.Estimate), float64(j.Weight), j.Warning}
	return nil
}

type resultJSON struct {
	Method       Method            `json:"method"`
	Lists        []string          `json:"lists,omitempty"`
	Observed     int               `json:"observed"`
	Estimate     jfloat            `json:"estimate"`
	Lower        jfloat            `json:"lower"`
	Upper        jfloat            `json:"upper"`
	Level        jfloat            `json:"level"`
	Interval     string            `json:"interval"`
	Model        string            `json:"model,omitempty"`
	Criterion    string            `json:"criterion,omitempty"`
	Search       string            `json:"search,omitempty"`
	ModelsFitted int               `json:"models_fitted,omitempty"`
	Candidates   []Candidate       `json:"candidates,omitempty"`
	Seed         *uint64           `json:"seed,omitempty"`
	Chains       int               `json:"chains,omitempty"`
	Iterations   int               `json:"iterations,omitempty"`
	Burnin       *int              `json:"burnin,omitempty"`
	Thin         int               `json:"thin,omitempty"`
	RHat         *jfloat           `json:"rhat,omitempty"`
	ESS          *jfloat           `json:"ess,omitempty"`
	Strata       []StratumResult   `json:"strata,omitempty"`
	Linkage      *Linkage          `json:"linkage,omitempty"`
	Warnings     []string          `json:"warnings"`
	Flags        []Warning         `json:"flags"`
	Parameters   map[string]jfloat `json:"parameters,omitempty"`
}

// MarshalJSON writes non-finite numbers as null, and the sampler settings
// (seed, burn-in, R-hat, ESS) whenever the result comes from a sampler, even
// when they are zero.
func (r Result) MarshalJSON() ([]byte, error) {
	j := resultJSON{
		Method: r.Method, Lists: r.Lists, Observed: r.Observed,
		Estimate: jfloat(r.Estimate), Lower: jfloat(r.Lower), Upper: jfloat(r.Upper), Level: jfloat(r.Level),
		Interval: r.Interval, Model: r.Model, Criterion: r.Criterion, Search: r.Search,
		ModelsFitted: r.ModelsFitted, Candidates: r.Candidates, Chains: r.Chains,
		Iterations: r.Iterations, Thin: r.Thin, Strata: r.Strata, Linkage: r.Linkage, Warnings: r.Warnings, Flags: r.Flags,
	}
	if j.Warnings == nil {
		j.Warnings = []string{}
	}
	if j.Flags == nil {
		j.Flags = []Warning{}
	}
	if r.Method == MethodLCMCR {
		seed, burn, rh, ess := r.Seed, r.Burnin, jfloat(r.RHat), jfloat(r.ESS)
		j.Seed, j.Burnin, j.RHat, j.ESS = &seed, &burn, &rh, &ess
	}
	if len(r.Parameters) > 0 {
		j.Parameters = make(map[string]jfloat, len(r.Parameters))
		for k, v := range r.Parameters {
			j.Parameters[k] = jfloat(v)
		}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads what MarshalJSON writes (null numbers become NaN).
func (r *Result) UnmarshalJSON(b []byte) error {
	var j resultJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*r = Result{
		Method: j.Method, Lists: j.Lists, Observed: j.Observed,
		Estimate: float64(j.Estimate), Lower: float64(j.Lower), Upper: float64(j.Upper), Level: float64(j.Level),
		Interval: j.Interval, Model: j.Model, Criterion: j.Criterion, Search: j.Search,
		ModelsFitted: j.ModelsFitted, Candidates: j.Candidates, Chains: j.Chains,
		Iterations: j.Iterations, Thin: j.Thin, Strata: j.Strata, Linkage: j.Linkage, Warnings: j.Warnings, Flags: j.Flags,
	}
	if j.Seed != nil {
		r.Seed = *j.Seed
	}
	if j.Burnin != nil {
		r.Burnin = *j.Burnin
	}
	if j.RHat != nil {
		r.RHat = float64(*j.RHat)
	}
	if j.ESS != nil {
		r.ESS = float64(*j.ESS)
	}
	if len(j.Parameters) > 0 {
		r.Parameters = make(map[string]float64, len(j.Parameters))
		for k, v := range j.Parameters {
			r.Parameters[k] = float64(v)
		}
	}
	return nil
}
