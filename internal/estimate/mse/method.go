package mse

import (
	"slices"

	"github.com/rollcall-project/rollcall"
)

// Method names an estimation method, as options take it and Result.Method
// reports it.
type Method string

// The methods Estimate runs, and the one a stratified result reports.
const (
	MethodLogLinear  Method = "loglinear"
	MethodLCMCR      Method = "lcmcr"
	MethodChao       Method = "chao"
	MethodObserved   Method = "observed"
	MethodStratified Method = "stratified"
)

// methods are the methods a user can choose, in the order they are offered.
func methods() []Method {
	return []Method{MethodLogLinear, MethodLCMCR, MethodChao, MethodObserved}
}

// ParseMethod reads a method a user chose; "stratified" is what a result
// made of strata reports, not a method to choose.
func ParseMethod(s string) (Method, error) {
	if m := Method(s); slices.Contains(methods(), m) {
		return m, nil
	}
	return "", rollcall.Errorf(rollcall.EINVALID, "unknown method %q: choose loglinear, lcmcr, chao or observed", s)
}
