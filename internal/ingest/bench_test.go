package ingest

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall/internal/demo/synth"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// writeBenchCSV streams n fictional records over five sources into dir,
// without holding them in memory, so the benchmark measures the import.
func writeBenchCSV(tb testing.TB, dir string, n int) []string {
	tb.Helper()
	src := filepath.Join(dir, "sources.csv")
	var sb strings.Builder
	sb.WriteString("key,kind,title,fictional\n")
	for i := range 5 {
		fmt.Fprintf(&sb, "bench-%d,list,Fictional benchmark list %d,true\n", i, i)
	}
	if err := os.WriteFile(src, []byte(sb.String()), 0o644); err != nil {
		tb.Fatal(err)
	}
	recPath := filepath.Join(dir, "records.csv")
	f, err := os.Create(recPath)
	if err != nil {
		tb.Fatal(err)
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	w.Write(synth.RecordColumns)
	r := rand.New(rand.NewPCG(1, 2))
	surnames := []string{"Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "김", "리", "박", "최"}
	given := []string{"Yong-hui", "Myong-chol", "Song-nam", "Kwang-hyok", "Chun-hui", "Ok-sun", "영희", "명철", "성남", "광혁"}
	facs := []string{"Camp 15", "Yodok", "요덕 관리소", "Kwan-li-so No. 16", "Kyo-hwa-so No. 12", "Chongjin", ""}
	fates := []string{"detained", "released", "died", "amnesty_released", "unknown"}
	cats := []string{"political", "economic", "illegal_border_crossing", "crimes_against_state", ""}
	for i := range n {
		y := 1940 + r.IntN(60)
		sent := ""
		if r.IntN(2) == 0 {
			sent = strconv.Itoa(1 + r.IntN(15))
		}
		w.Write([]string{
			"bench-" + strconv.Itoa(i%5), "R" + strconv.Itoa(i),
			surnames[r.IntN(len(surnames))] + " " + given[r.IntN(len(given))], "",
			[]string{"m", "f", ""}[r.IntN(3)],
			[]string{strconv.Itoa(y), fmt.Sprintf("%d-%02d", y, 1+r.IntN(12)), fmt.Sprintf("c. %d", y), ""}[r.IntN(4)],
			"", "North Hamgyong", "", cats[r.IntN(len(cats))], facs[r.IntN(len(facs))],
			strconv.Itoa(1995 + r.IntN(27)), sent, "", "", fates[r.IntN(len(fates))], "internal", "true",
		})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tb.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return []string{src, recPath}
}

// peakRSS is the process's peak resident set (VmHWM) in MiB, 0 if unknown.
func peakRSS() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkImportCSV1M imports one million records from CSV into a new
// SQLite file, end to end (validation pass, then one transaction).
// Run: go test -run '^$' -bench BenchmarkImportCSV1M -benchtime 1x ./internal/ingest/
func BenchmarkImportCSV1M(b *testing.B) {
	benchImport(b, 1_000_000)
}

// BenchmarkImportCSV100k is the same at a tenth of the size, for quick
// comparisons.
func BenchmarkImportCSV100k(b *testing.B) {
	benchImport(b, 100_000)
}

func benchImport(b *testing.B, n int) {
	if testing.Short() {
		b.Skip("skipped in -short mode: imports many records")
	}
	dir := b.TempDir()
	files := writeBenchCSV(b, dir, n)
	ctx := ctxSystem()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		// The store as the CLI opens it, with name search keys.
		st, err := store.Open(ctx, filepath.Join(b.TempDir(), fmt.Sprintf("bench%d.db", i)), store.Options{NameKeys: textnorm.NameKeys})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		res, err := Import(ctx, st, files, Options{})
		if err != nil {
			b.Fatal(err)
		}
		el := time.Since(start)
		b.StopTimer()
		if res.Records.Created != n {
			b.Fatalf("created %d records, want %d", res.Records.Created, n)
		}
		b.ReportMetric(float64(n)/el.Seconds(), "records/s")
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(peakRSS(), "peakRSS-MiB")
}

// BenchmarkReimportCSV100k times importing 100,000 records a second time,
// when every row is already there and unchanged.
// Run: go test -run '^$' -bench BenchmarkReimportCSV100k -benchtime 1x ./internal/ingest/
func BenchmarkReimportCSV100k(b *testing.B) {
	if testing.Short() {
		b.Skip("skipped in -short mode: imports many records")
	}
	const n = 100_000
	files := writeBenchCSV(b, b.TempDir(), n)
	ctx := ctxSystem()
	st, err := store.Open(ctx, filepath.Join(b.TempDir(), "re.db"), store.Options{NameKeys: textnorm.NameKeys})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := Import(ctx, st, files, Options{}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		res, err := Import(ctx, st, files, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if res.Records.Unchanged != n {
			b.Fatalf("%+v, want all unchanged", res.Records)
		}
	}
	b.ReportMetric(peakRSS(), "peakRSS-MiB")
}
