package mse

import (
	"math"

	"gonum.org/v1/gonum/stat/distuv"
)

// Chao returns Chao's (1987) lower bound for t lists,
// N̂ = n + ((t−1)/t) f1²/(2 f2), where f1 and f2 count the people seen on
// exactly one and exactly two lists; when f2 = 0 it uses the bias-corrected
// n + ((t−1)/t) f1(f1 − 1)/2. The interval is Chao's log-normal one for the
// number unseen, at 95%.
//
// The factor (t−1)/t is in Chao's inequality itself: with t lists,
// E f0 ≥ ((t−1)/t) (E f1)²/(2 E f2), with equality when every person has
// the same chance on each list. The common form without it is its limit
// for many lists; with 5 lists it overstates the unseen by t/(t−1) = 1.25
// even when capture is homogeneous (+5.6 % on N in the simulation study).
// Chao2 of the species literature (Chao 2005; Colwell & Chao 2017) is
// this same estimator, with the same variance.
func Chao(t *Table) Result {
	n := t.Observed()
	f1, f2 := t.singletons()
	k := float64(t.K())
	a := (k - 1) / k
	res := Result{
		Method: MethodChao, Lists: t.Lists, Observed: n, Level: 0.95,
		Interval:   "log-normal interval for the number unseen (Chao 1987)",
		Parameters: map[string]float64{"f1": f1, "f2": f2},
	}
	res.warn(WarnLowerBound, "a lower bound under heterogeneous capture, not an estimate of N")
	var f0, v float64
	if f2 > 0 {
		r := f1 / f2
		f0 = a * f1 * f1 / (2 * f2)
		v = f2 * (a*a*r*r*r*r/4 + a*a*r*r*r + a*r*r/2)
	} else {
		res.warn(WarnNoDoubletons, "no one is on exactly two lists: bias-corrected form n + ((t−1)/t) f1(f1−1)/2 used")
		f0 = a * f1 * (f1 - 1) / 2
		nh := float64(n) + f0
		v = a*f1*(f1-1)/2 + a*a*f1*(2*f1-1)*(2*f1-1)/4 - a*a*f1*f1*f1*f1/(4*nh)
	}
	res.Estimate = float64(n) + f0
	res.Parameters["se"] = math.Sqrt(math.Max(v, 0))
	z := distuv.UnitNormal.Quantile(0.975)
	if f0 <= 0 || v <= 0 {
		res.Lower, res.Upper = res.Estimate, res.Estimate
		if f1 > 0 {
			res.Interval = "none: the variance estimate is zero"
		}
		res.finish(t)
		return res
	}
	c := math.Exp(z * math.Sqrt(math.Log(1+v/(f0*f0))))
	res.Lower = float64(n) + f0/c
	res.Upper = float64(n) + f0*c
	if f1 < 5 || f2 < 5 {
		res.warn(WarnImprecise, "few people seen once (%g) or twice (%g): the bound is imprecise", f1, f2)
	}
	res.finish(t)
	return res
}

// ObservedCount returns the trivial lower bound: the number of people seen.
func ObservedCount(t *Table) Result {
	n := float64(t.Observed())
	res := Result{
		Method: MethodObserved, Lists: t.Lists, Observed: t.Observed(), Estimate: n, Lower: n, Upper: n,
		Level: 0.95, Interval: "none: a count, not an estimate",
	}
	res.finish(t)
	return res
}
