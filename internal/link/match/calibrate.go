package match

import (
	"math"
	"slices"
)

// Calibration maps the model's match probabilities to calibrated ones: a
// non-decreasing curve through its knots, linear between them on the log
// odds of the model's probability, flat beyond the ends. Fellegi–Sunter
// probabilities assume the fields independent given the match status;
// correlated fields (a name and its Hangul form, a town and its province)
// make them over- or under-confident, which a curve fitted on labelled
// pairs (a labelled set, or the human decisions) corrects. Empty is the
// identity.
type Calibration []CalibrationKnot

// CalibrationKnot is one point of a calibration curve.
type CalibrationKnot struct {
	Model      float64 `json:"model"`
	Calibrated float64 `json:"calibrated"`
}

// minCalibrationBlock is the fewest labelled pairs behind a knot: fewer
// make the curve follow noise.
const minCalibrationBlock = 20

// FitCalibration fits a calibration curve by isotonic regression (pool
// adjacent violators) of the labels on the model probabilities, pooling
// at least minCalibrationBlock pairs per knot. It returns nil (the
// identity) when there are too few labelled pairs, or no pair of one
// label.
func FitCalibration(model []float64, same []bool) Calibration {
	if len(model) != len(same) || len(model) < 2*minCalibrationBlock {
		return nil
	}
	idx := make([]int, len(model))
	pos := 0
	for i := range idx {
		idx[i] = i
		if same[i] {
			pos++
		}
	}
	if pos == 0 || pos == len(model) {
		return nil
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case model[a] < model[b]:
			return -1
		case model[a] > model[b]:
			return 1
		}
		return 0
	})
	// Blocks of at least minCalibrationBlock pairs, then pool adjacent
	// violators.
	type block struct{ n, x, y, p float64 } // pairs, Σ log odds, Σ labels, Σ model probabilities
	var blocks []block
	cur := block{}
	for k, i := range idx {
		cur.n++
		cur.x += logOdds(model[i])
		cur.p += model[i]
		if same[i] {
			cur.y++
		}
		last := k == len(idx)-1
		if last || cur.n >= minCalibrationBlock && model[idx[k+1]] != model[i] {
			blocks = append(blocks, cur)
			cur = block{}
		}
	}
	if n := len(blocks); n > 1 && blocks[n-1].n < minCalibrationBlock {
		b := blocks[n-1]
		blocks[n-2] = block{blocks[n-2].n + b.n, blocks[n-2].x + b.x, blocks[n-2].y + b.y, blocks[n-2].p + b.p}
		blocks = blocks[:n-1]
	}
	var pooled []block
	for _, b := range blocks {
		pooled = append(pooled, b)
		for len(pooled) > 1 {
			p, q := pooled[len(pooled)-2], pooled[len(pooled)-1]
			if p.y/p.n < q.y/q.n {
				break
			}
			pooled = append(pooled[:len(pooled)-2], block{p.n + q.n, p.x + q.x, p.y + q.y, p.p + q.p})
		}
	}
	out := make(Calibration, 0, len(pooled))
	for _, b := range pooled {
		// pseudo-counts at the model's own rate keep a block of few labels
		// near what the model says (and off 0 and 1): twenty pairs without
		// a match do not make their like impossible, nor one in twenty
		// likely
		k := CalibrationKnot{Model: logistic(b.x / b.n),
			Calibrated: (b.y + minCalibrationBlock*b.p/b.n) / (b.n + minCalibrationBlock)}
		k.Calibrated = math.Min(math.Max(k.Calibrated, 1e-12), 1-1e-12)
		if n := len(out); n > 0 {
			if k.Model <= out[n-1].Model {
				continue
			}
			k.Calibrated = math.Max(k.Calibrated, out[n-1].Calibrated)
		}
		out = append(out, k)
	}
	return out
}

// Apply returns the calibrated probability of a model probability.
func (c Calibration) Apply(p float64) float64 {
	if len(c) == 0 {
		return p
	}
	if p <= c[0].Model {
		return c[0].Calibrated
	}
	if p >= c[len(c)-1].Model {
		return c[len(c)-1].Calibrated
	}
	k, _ := slices.BinarySearchFunc(c, p, func(k CalibrationKnot, p float64) int {
		switch {
		case k.Model < p:
			return -1
		case k.Model > p:
			return 1
		}
		return 0
	})
	if c[k].Model == p {
		return c[k].Calibrated
	}
	a, b := c[k-1], c[k]
	t := (logOdds(p) - logOdds(a.Model)) / (logOdds(b.Model) - logOdds(a.Model))
	return a.Calibrated + t*(b.Calibrated-a.Calibrated)
}

// valid reports a curve whose knots rise in both coordinates within (0, 1).
func (c Calibration) valid() bool {
	for k, kn := range c {
		if !(kn.Model > 0 && kn.Model < 1 && kn.Calibrated > 0 && kn.Calibrated < 1) {
			return false
		}
		if k > 0 && (kn.Model <= c[k-1].Model || kn.Calibrated < c[k-1].Calibrated) {
			return false
		}
	}
	return true
}

func logOdds(p float64) float64 {
	p = math.Min(math.Max(p, 1e-9), 1-1e-9)
	return math.Log(p / (1 - p))
}

func logistic(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// ModelProb is the model's probability for pair i of res.Pairs before
// calibration and before any decision fixed it: what FitCalibration
// takes, with the human decisions as labels.
func (res *Result) ModelProb(i int) float64 {
	w := res.w
	if w == nil || i < 0 || i >= len(w.pairs) {
		return math.NaN()
	}
	return logistic(w.logit(i))
}

// logit is the model's log odds of pair i.
func (w *work) logit(i int) float64 {
	nf := len(w.cols)
	p := w.pairs[i]
	s := w.prior[boolInt(w.src[p.a] == w.src[p.b])]
	for f, l := range w.gamma[i*nf : (i+1)*nf] {
		s += w.weight(f, l, p.a)
	}
	return s
}
