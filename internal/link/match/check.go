package match

import "math"

// CalibrationCheck says whether the model's match probabilities agree with
// labelled pairs (a labelled set, or the human review decisions).
type CalibrationCheck struct {
	// Pairs is the number of labelled pairs, Doubtful those whose
	// probability lies in [0.01, 0.99): the ones a linkage draw can take
	// either way, and where an error of calibration shows (near 0 and 1
	// a handful of mistakes among thousands of sure pairs says little).
	Pairs    int `json:"pairs"`
	Doubtful int `json:"doubtful_pairs"`
	// Matches is how many doubtful pairs are the same entity; Expected the
	// sum of their model probabilities.
	Matches  int     `json:"matches"`
	Expected float64 `json:"expected_matches"`
	// Z is (Matches − Expected) / √Σ p(1−p) over the doubtful pairs: how
	// many standard errors the matches lie from what the probabilities
	// promise.
	Z    float64          `json:"z"`
	Bins []ReliabilityBin `json:"bins"`
	// ECE is the expected calibration error (mean |predicted − observed|
	// of the pairs' bins).
	ECE float64 `json:"ece"`
	// Off is true when the probabilities are off beyond chance: |Z| above
	// calibrationZ with at least minCalibrationBlock doubtful pairs, or a
	// bin of at least minCalibrationBlock pairs whose observed rate is
	// more than calibrationZ standard errors and 0.1 from its mean
	// probability.
	Off bool `json:"off"`
	// Curve is FitCalibration of the labelled pairs when Off (nil when
	// there are too few to fit one).
	Curve Calibration `json:"curve,omitempty"`
}

// calibrationZ is the deviation, in standard errors, beyond which the
// probabilities are called off (two-sided 1 %).
const calibrationZ = 2.58

// CheckCalibration compares model probabilities with labels pair by pair
// (bins equal bins over [0, 1]).
func CheckCalibration(model []float64, same []bool, bins int) CalibrationCheck {
	out := CalibrationCheck{Pairs: len(model)}
	out.Bins, out.ECE = reliability(model, same, bins)
	v := 0.0
	for i, p := range model {
		if p < 0.01 || p >= 0.99 {
			continue
		}
		out.Doubtful++
		out.Expected += p
		v += p * (1 - p)
		if same[i] {
			out.Matches++
		}
	}
	if v > 0 {
		out.Z = (float64(out.Matches) - out.Expected) / math.Sqrt(v)
	}
	// Too few doubtful pairs say nothing by their sum.
	out.Off = out.Doubtful >= minCalibrationBlock && math.Abs(out.Z) > calibrationZ
	for _, b := range out.Bins {
		if b.Pairs < minCalibrationBlock {
			continue
		}
		se := math.Sqrt(math.Max(b.Predicted*(1-b.Predicted), 1e-6) / float64(b.Pairs))
		if d := math.Abs(b.Observed - b.Predicted); d > 0.1 && d > calibrationZ*se {
			out.Off = true
		}
	}
	if out.Off {
		out.Curve = FitCalibration(model, same)
	}
	return out
}

// reliability tabulates predicted against observed rates by bin and
// returns the expected calibration error (see Reliability).
func reliability(prob []float64, same []bool, bins int) ([]ReliabilityBin, float64) {
	out := make([]ReliabilityBin, bins)
	for b := range out {
		out[b].Lo, out[b].Hi = float64(b)/float64(bins), float64(b+1)/float64(bins)
	}
	for i, p := range prob {
		b := min(max(int(p*float64(bins)), 0), bins-1)
		out[b].Pairs++
		out[b].Predicted += p
		if same[i] {
			out[b].Observed++
		}
	}
	ece, n := 0.0, 0
	for b := range out {
		if c := out[b].Pairs; c > 0 {
			out[b].Predicted /= float64(c)
			out[b].Observed /= float64(c)
			ece += float64(c) * math.Abs(out[b].Predicted-out[b].Observed)
			n += c
		}
	}
	if n > 0 {
		ece /= float64(n)
	}
	return out, ece
}
