package store

import (
	"fmt"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/storetest"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

const benchRows = 100_000

var (
	benchSurnames = []string{"김", "이", "박", "최", "정", "Kim", "Ri", "Pak", "Choe", "Jong"}
	benchGiven    = []string{"영희", "철수", "순자", "Young-hee", "Chol-su", "Sun-ja", "명호", "Myong-ho"}
	benchProv     = []string{"North Hamgyong", "South Hamgyong", "Ryanggang", "Pyongyang", "South Pyongan"}
)

// benchRecords makes n plausible records for two sources, keys prefixed so
// that repeated iterations do not collide.
func benchRecords(n int, prefix string, srcs [2]int64, fac int64) []rollcall.Record {
	recs := make([]rollcall.Record, n)
	for i := range recs {
		r := &recs[i]
		r.SourceID = srcs[i%2]
		r.Key = fmt.Sprintf("%s-%07d", prefix, i)
		r.Name = benchSurnames[i%len(benchSurnames)] + " " + benchGiven[(i/7)%len(benchGiven)]
		r.Sex = []string{"f", "m", ""}[i%3]
		r.BirthDate, _ = rollcall.NewDate(1940+i%60, 1+i%12, 0)
		r.Province = benchProv[i%len(benchProv)]
		r.Charge = "anti-state activity"
		r.FacilityText = "Camp 15"
		if i%2 == 0 {
			r.FacilityID = &fac
		}
		r.ArrestDate, _ = rollcall.NewDate(1980+i%40, 0, 0)
		r.Fate = "unknown"
		r.Sensitivity = rollcall.Internal
		r.Fictional = true
	}
	return recs
}

// peakHeap samples the in-use heap until stop is closed.
func peakHeap(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// BenchmarkImportRecords imports 1e5 records per iteration, as one call
// (whole) or as 5000-record calls in one transaction (chunked, how a
// streaming CSV importer uses it), with the production name keys; nokeys
// is whole without them.
func BenchmarkImportRecords(b *testing.B) {
	for _, db := range []string{"sqlite", "postgres"} {
		for _, mode := range []string{"whole", "chunked", "nokeys"} {
			b.Run(db+"/"+mode, func(b *testing.B) {
				opts := Options{NameKeys: textnorm.NameKeys}
				if mode == "nokeys" {
					opts.NameKeys = nil // isolates the store from textnorm's cost
				}
				dsn := storetest.SQLitePath(b)
				if db == "postgres" {
					dsn = storetest.PostgresDSN(b)
				}
				st := storetest.Open(b, Open, dsn, opts)
				ctx := ctxAs(editor)
				s1, s2 := mkSource(b, st, "bench-a"), mkSource(b, st, "bench-b")
				fac := mkFacility(b, st, "bench-f", "kwanliso", "")
				var peak uint64
				var cpu time.Duration
				b.ResetTimer()
				for it := 0; it < b.N; it++ {
					b.StopTimer()
					recs := benchRecords(benchRows, fmt.Sprintf("%s-%d", mode, it), [2]int64{s1.ID, s2.ID}, fac.ID)
					runtime.GC()
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					base := ms.HeapInuse
					stop := make(chan struct{})
					res := peakHeap(stop)
					b.StartTimer()
					c0 := cpuTime()
					var err error
					if mode != "chunked" {
						err = st.ImportRecords(ctx, recs)
					} else {
						err = st.InTx(ctx, func(tx *Store) error {
							for i := 0; i < len(recs); i += 5000 {
								if err := tx.ImportRecords(ctx, recs[i:min(i+5000, len(recs))]); err != nil {
									return err
								}
							}
							return nil
						})
					}
					b.StopTimer()
					cpu += cpuTime() - c0
					close(stop)
					if p := <-res; p > base {
						peak = max(peak, p-base)
					}
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				b.StopTimer()
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*benchRows), "ns/record")
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*benchRows), "cpu-ns/record")
				// Heap above what the prepared input records already held.
				b.ReportMetric(float64(peak)/(1<<20), "import-heap-MiB")
				b.ReportMetric(0, "ns/op")
			})
		}
	}
}

// BenchmarkNameKeyText is the per-record cost of the search column.
func BenchmarkNameKeyText(b *testing.B) {
	s := &Store{nameKeys: textnorm.NameKeys}
	for i := 0; b.Loop(); i++ {
		s.nameKeyText(benchSurnames[i%len(benchSurnames)]+" "+benchGiven[i%len(benchGiven)], "")
	}
}

// cpuTime is the process's user+system CPU time, a steadier measure than
// wall time on a loaded machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
