package mse

import (
	"slices"
	"strings"

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
	MethodDGA        Method = "dga"
	MethodObserved   Method = "observed"
	MethodStratified Method = "stratified"
)

// Methods are the methods a user can choose, in the order they are offered.
func Methods() []Method {
	return []Method{MethodLogLinear, MethodLCMCR, MethodDGA, MethodChao, MethodObserved}
}

// ParseMethod reads a method a user chose; "stratified" is what a result
// made of strata reports, not a method to choose.
func ParseMethod(s string) (Method, error) {
	if m := Method(s); slices.Contains(Methods(), m) {
		return m, nil
	}
	names := make([]string, 0, len(Methods()))
	for _, m := range Methods() {
		names = append(names, string(m))
	}
	return "", rollcall.Errorf(rollcall.EINVALID, "unknown method %q: choose %s or %s", s,
		strings.Join(names[:len(names)-1], ", "), names[len(names)-1])
}
