package mse_test

import (
	"context"
	"fmt"

	"github.com/rollcall-project/rollcall/internal/estimate/mse"
)

// Kosovo 1999 (Ball et al. 2002): four lists of killings. Selection by BIC
// over all 113 hierarchical models gives Rcapture's model and estimate.
func ExampleLogLinear() {
	t, _ := mse.NewTable([]string{"EXH", "ABA", "OSCE", "HRW"})
	// Counts by capture pattern: bit 0 = EXH, bit 1 = ABA, bit 2 = OSCE, bit 3 = HRW.
	for p, c := range []int{0, 1131, 845, 177, 936, 228, 217, 181, 306, 106, 31, 18, 123, 42, 32, 27} {
		t.Add(uint32(p), c)
	}
	r, err := mse.LogLinear(context.Background(), t, mse.LogLinearOptions{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("%s N = %.1f [%.1f, %.1f]\n", r.Model, r.Estimate, r.Lower, r.Upper)
	// Output: [123][14][34] N = 10356.5 [8994.3, 12110.4]
}

func ExampleChao() {
	t, _ := mse.FromPatterns([]string{"A", "B", "C"}, []uint32{1, 1, 1, 1, 2, 2, 2, 4, 4, 3, 5, 7})
	r := mse.Chao(t)
	// f1 = 9 seen once, f2 = 2 seen twice, 3 lists: 12 + (2/3)·81/4.
	fmt.Printf("%.2f\n", r.Estimate)
	// Output: 25.50
}
