package chain

import "testing"

// BenchmarkVerify measures verifying a 10 000-entry log, Merkle tree included.
func BenchmarkVerify(b *testing.B) {
	es := chain(10000)
	b.ResetTimer()
	for b.Loop() {
		if err := Verify(es); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/10000, "ns/entry")
}
