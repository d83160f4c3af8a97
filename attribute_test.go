package rollcall

import (
	"slices"
	"testing"
)

func TestResolveAttribute(t *testing.T) {
	tests := []struct {
		name     string
		vals     []string
		want     string
		distinct []string
	}{
		{"none", nil, "", nil},
		{"only empty", []string{"", ""}, "", nil},
		{"one", []string{"f"}, "f", []string{"f"}},
		{"agree", []string{"f", "", "f"}, "f", []string{"f"}},
		{"most frequent", []string{"m", "f", "f"}, "f", []string{"m", "f"}},
		// A tie goes to the value of the earliest record, not to the value
		// that reached the top count first (B does, at the third record).
		{"tie to earliest record", []string{"A", "B", "B", "A"}, "A", []string{"A", "B"}},
		{"tie not alphabetical", []string{"Pyongan", "Hamgyong"}, "Pyongan", []string{"Pyongan", "Hamgyong"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := ResolveAttribute(tt.vals)
			if a.Value != tt.want || !slices.Equal(a.Distinct, tt.distinct) {
				t.Errorf("ResolveAttribute(%q) = %q %q, want %q %q", tt.vals, a.Value, a.Distinct, tt.want, tt.distinct)
			}
			if a.Conflicting() != (len(tt.distinct) > 1) {
				t.Errorf("Conflicting() = %v", a.Conflicting())
			}
		})
	}
	// Dates: the unknown date is no value; equal dates are one value.
	d := ResolveAttribute([]PartialDate{{}, MustDate("1950"), MustDate("1950-03"), MustDate("1950")})
	if d.Value != MustDate("1950") || len(d.Distinct) != 2 {
		t.Errorf("dates: %v %v", d.Value, d.Distinct)
	}
}
