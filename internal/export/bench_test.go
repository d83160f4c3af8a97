package export

import (
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

// BenchmarkExportRecordsCSV streams 200,000 records out as CSV.
// Run: go test -run '^$' -bench BenchmarkExportRecordsCSV -benchtime 1x ./internal/export/
func BenchmarkExportRecordsCSV(b *testing.B) {
	if testing.Short() {
		b.Skip("skipped in -short mode: writes 200,000 records first")
	}
	const n = 200_000
	ctx := ctxSystem()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "x.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	src := &rollcall.Source{Key: "s", Kind: "list", Title: "bench", Sensitivity: rollcall.Internal, Fictional: true}
	if err := st.CreateSource(ctx, src); err != nil {
		b.Fatal(err)
	}
	recs := make([]rollcall.Record, 0, 10000)
	for i := range n {
		recs = append(recs, rollcall.Record{SourceID: src.ID, Key: fmt.Sprint(i), Name: "Kim Yong Hui",
			BirthDate: rollcall.MustDate("1961"), Sensitivity: rollcall.Internal, Fictional: true})
		if len(recs) == cap(recs) {
			if err := st.ImportRecords(ctx, recs); err != nil {
				b.Fatal(err)
			}
			recs = recs[:0]
		}
	}
	b.ResetTimer()
	for range b.N {
		stats, err := Write(ctx, st, io.Discard, Options{Entity: Records, Format: CSV})
		if err != nil || stats.Written != n {
			b.Fatalf("wrote %d: %v", stats.Written, err)
		}
	}
}
