package match

import (
	"context"
	"runtime"
	"testing"
)

// BenchmarkDedupeMillion deduplicates 1,000,000 synthetic Korean records
// (generated in memory, not timed) with automatic settings. Run with
// go test -run XXX -bench DedupeMillion -benchtime 1x ./internal/link/match/
func BenchmarkDedupeMillion(b *testing.B) { benchSynth(b, 1_000_000) }

// BenchmarkDedupe100k is the same at a tenth of the size.
func BenchmarkDedupe100k(b *testing.B) { benchSynth(b, 100_000) }

func benchSynth(b *testing.B, n int) {
	ds, truth := synthKorean(n, 7)
	fields := []Field{{Column: "name", Kind: Name}, {Column: "birth", Kind: Date},
		{Column: "province", Kind: Category}, {Column: "facility", Kind: Category}}
	runtime.GC()
	cpu0 := cpuSeconds()
	b.ResetTimer()
	var res *Result
	for b.Loop() {
		var err error
		res, err = Run(context.Background(), ds, Settings{Fields: fields}, nil)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	// CPU seconds per run: a figure that holds on a machine shared with
	// other work, where wall time does not.
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	ev := Evaluate(ds, res, truth)
	b.ReportMetric(ev.F1, "F1")
	b.ReportMetric(float64(res.Stats.CandidatePairs), "pairs")
	b.ReportMetric(float64(ms.Sys)/(1<<20), "sys-MiB")
	b.Logf("n=%d pairs=%d rules=%v F1=%.4f P=%.4f R=%.4f completeness=%.4f", n, res.Stats.CandidatePairs, res.Stats.Rules, ev.F1, ev.Precision, ev.Recall, ev.PairCompleteness)
}
