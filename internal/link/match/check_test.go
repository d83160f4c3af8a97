package match

import (
	"math/rand/v2"
	"testing"
)

// CheckCalibration passes labels drawn with the model's own probabilities
// and fails labels drawn with other ones, fitting a curve then; a few
// sure mistakes among many sure pairs are not called off.
func TestCheckCalibration(t *testing.T) {
	draw := func(n int, shift float64, seed uint64) ([]float64, []bool) {
		rng := rand.New(rand.NewPCG(seed, 1))
		model := make([]float64, n)
		same := make([]bool, n)
		for i := range model {
			model[i] = 0.02 + 0.96*rng.Float64()
			same[i] = rng.Float64() < min(1, max(0, model[i]+shift))
		}
		return model, same
	}
	for _, tt := range []struct {
		name  string
		shift float64
		off   bool
	}{{"calibrated", 0, false}, {"under-confident", 0.25, true}, {"over-confident", -0.25, true}} {
		model, same := draw(600, tt.shift, 3)
		c := CheckCalibration(model, same, 10)
		if c.Off != tt.off || c.Pairs != 600 || c.Doubtful != 600 || (c.Off && len(c.Curve) == 0) {
			t.Errorf("%s: off %v (z %.2f), %d pairs, %d knots; want off %v", tt.name, c.Off, c.Z, c.Pairs, len(c.Curve), tt.off)
		}
	}
	// 5,000 sure pairs, 4 of them wrong, and 10 doubtful ones.
	var model []float64
	var same []bool
	for i := range 5000 {
		model, same = append(model, 0.9999), append(same, i >= 4)
	}
	for i := range 10 {
		model, same = append(model, 0.5), append(same, i%2 == 0)
	}
	if c := CheckCalibration(model, same, 10); c.Off || c.Doubtful != 10 {
		t.Errorf("sure pairs with 4 mistakes: %+v", c)
	}
}
