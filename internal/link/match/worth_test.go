package match

import (
	"math"
	"testing"
)

func TestReviewWorth(t *testing.T) {
	tests := []struct {
		name    string
		prob    float64
		touched int
		want    float64
	}{
		{"coin toss on two records", 0.5, 2, 0.5},
		{"coin toss on two clusters of three", 0.5, 6, 1.0 / 6},
		{"likely match", 0.9, 2, 0.1},
		{"likely non-match", 0.1, 2, 0.1},
		{"certain", 1, 2, 0},
		{"one record counts as two", 0.5, 1, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReviewWorth(tt.prob, tt.touched); math.Abs(got-tt.want) > 1e-12 {
				t.Errorf("ReviewWorth(%v, %d) = %v, want %v", tt.prob, tt.touched, got, tt.want)
			}
		})
	}
	// More doubt is worth more; more records to read, less.
	if ReviewWorth(0.45, 4) <= ReviewWorth(0.3, 4) || ReviewWorth(0.5, 3) <= ReviewWorth(0.5, 8) {
		t.Error("worth does not grow with doubt and shrink with the records touched")
	}
}
