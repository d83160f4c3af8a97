package mse

import (
	"context"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

func TestParseMethod(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Method
	}{
		{"loglinear", MethodLogLinear}, {"lcmcr", MethodLCMCR}, {"chao", MethodChao}, {"observed", MethodObserved},
	} {
		if got, err := ParseMethod(tt.in); err != nil || got != tt.want {
			t.Errorf("ParseMethod(%q) = %q, %v", tt.in, got, err)
		}
	}
	// A stratified result is not a method to choose; the error names every one that is.
	for _, in := range []string{"stratified", "magic", "", "LogLinear"} {
		_, err := ParseMethod(in)
		if rollcall.ErrorCode(err) != rollcall.EINVALID {
			t.Errorf("ParseMethod(%q): %v, want invalid", in, err)
			continue
		}
		for _, m := range []string{"loglinear", "lcmcr", "chao", "observed"} {
			if !strings.Contains(err.Error(), m) {
				t.Errorf("ParseMethod(%q): %q does not name %s", in, err, m)
			}
		}
	}
	// Estimate refuses with the same message.
	tb, _ := NewTable([]string{"a", "b"})
	_, err := Estimate(context.Background(), tb, "magic", Options{})
	if _, perr := ParseMethod("magic"); err == nil || err.Error() != perr.Error() {
		t.Errorf("Estimate with an unknown method: %v", err)
	}
}
