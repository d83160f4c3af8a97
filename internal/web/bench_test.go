package web

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
	"github.com/rollcall-project/rollcall/internal/demo/synth"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// benchDB builds (once, then reuses from the temp directory) a SQLite
// database with n fictional persons from the generator, their records
// linked to them, and one admin. Building 100,000 persons takes a while,
// so the file is kept between runs.
func benchDB(b *testing.B, n int) (string, []string) {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("rollcall-bench-%d.db", n))
	defer optimizeBenchDB(b, path)
	// The search names are kept beside the database, so that a cached run
	// does not generate the data set again (a second or more of CPU that
	// would also blur a -cpuprofile of the load).
	if _, err := os.Stat(path + ".done"); err == nil {
		if data, err := os.ReadFile(path + ".names"); err == nil && len(data) > 0 {
			return path, strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
		}
	}
	ds, err := synth.Generate(synth.Options{Persons: n, Seed: 7})
	if err != nil {
		b.Fatal(err)
	}
	var names []string
	for _, p := range ds.Persons[:min(len(ds.Persons), 2000)] {
		names = append(names, textnorm.RomanizeName(p.Hangul, textnorm.RR), p.Hangul)
	}
	writeNames := func() {
		if err := os.WriteFile(path+".names", []byte(strings.Join(names, "\n")+"\n"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := os.Stat(path + ".done"); err == nil {
		writeNames()
		return path, names
	}
	os.Remove(path)
	os.Remove(path + ".optimized")
	ctx := sysCtx()
	st, err := store.Open(ctx, path, store.Options{NameKeys: textnorm.NameKeys})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	start := time.Now()
	err = st.InTx(ctx, func(tx *store.Store) error {
		src := map[string]int64{}
		for i := range ds.Sources {
			s := ds.Sources[i]
			s.Fictional = true
			if err := tx.CreateSource(ctx, &s); err != nil {
				return err
			}
			src[s.Key] = s.ID
		}
		pid := map[synth.PersonID]int64{}
		for _, p := range ds.Persons {
			per := rollcall.Person{Name: textnorm.RomanizeName(p.Hangul, textnorm.RR), NameAlt: p.Hangul, Sex: p.Sex,
				Province: p.Province, Status: p.Fate, Sensitivity: rollcall.Internal, Fictional: true}
			if err := tx.CreatePerson(ctx, &per); err != nil {
				return err
			}
			pid[p.ID] = per.ID
		}
		recs := make([]rollcall.Record, 0, len(ds.Records))
		for _, r := range ds.Records {
			rec := r.Record
			rec.SourceID = src[r.Source]
			rec.Fictional = true
			if id, ok := ds.Truth[synth.RecordKey{Source: r.Source, Record: rec.Key}]; ok {
				p := pid[id]
				rec.PersonID = &p
			}
			recs = append(recs, rec)
		}
		return tx.ImportRecords(ctx, recs)
	})
	if err != nil {
		b.Fatal(err)
	}
	svc := auth.NewService(st)
	svc.Params = testParams
	if _, err := svc.AddUser(ctx, "bench", rollcall.RoleAdmin, testPassword); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %s: %d persons, %d records in %v", path, len(ds.Persons), len(ds.Records), time.Since(start))
	writeNames()
	if err := os.WriteFile(path+".done", nil, 0o644); err != nil {
		b.Fatal(err)
	}
	return path, names
}

// optimizeBenchDB merges the full-text index of a built database once, as
// an import of that size should be followed by (Store.OptimizeSearchIndex);
// a marker file records that it was done.
func optimizeBenchDB(b *testing.B, path string) {
	if b.Failed() {
		return
	}
	if _, err := os.Stat(path + ".optimized"); err == nil {
		return
	}
	ctx := sysCtx()
	st, err := store.Open(ctx, path, store.Options{NameKeys: textnorm.NameKeys})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.OptimizeSearchIndex(ctx); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path+".optimized", nil, 0o644); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkLoad measures the person page and the search page under 100
// concurrent clients on loopback, over a database of 100,000 fictional
// persons ($ROLLCALL_BENCH_PERSONS overrides the size). It reports the
// median and 99th percentile latency of each, the request rate and the
// process's CPU time per request; b.N is the number of requests, after
// 5 × clients untimed warm-up requests ($ROLLCALL_BENCH_WARMUP overrides).
// $ROLLCALL_BENCH_CLIENTS overrides the 100 clients.
//
//	go test ./internal/web -run '^$' -bench 'Load/person' -benchtime 3000x
//	go test ./internal/web -run '^$' -bench 'Load/search' -benchtime 3000x
func BenchmarkLoad(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("ROLLCALL_BENCH_PERSONS")); err == nil && v > 0 {
		n = v
	}
	path, names := benchDB(b, n)
	ctx := context.Background()
	st, err := store.Open(ctx, path, store.Options{NameKeys: textnorm.NameKeys})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	svc := auth.NewService(st)
	svc.Params = testParams
	inflight, _ := strconv.Atoi(os.Getenv("ROLLCALL_BENCH_INFLIGHT")) // 0: the default
	srv, err := New(Config{Store: st, Auth: svc, Logger: slog.New(slog.DiscardHandler), MaxInFlight: inflight})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv) // listens on 127.0.0.1:0
	defer ts.Close()
	secret, _, _, err := svc.Login(ctx, "bench", testPassword, "bench")
	if err != nil {
		b.Fatal(err)
	}
	clients := 100
	if v, err := strconv.Atoi(os.Getenv("ROLLCALL_BENCH_CLIENTS")); err == nil && v > 0 {
		clients = v
	}
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	hc := &http.Client{Transport: tr, Timeout: 120 * time.Second}
	defer tr.CloseIdleConnections()
	get := func(u string) (time.Duration, error) {
		req, _ := http.NewRequest("GET", ts.URL+u, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: secret})
		t0 := time.Now()
		res, err := hc.Do(req)
		if err != nil {
			return 0, err
		}
		var buf [32 << 10]byte
		for {
			if _, err := res.Body.Read(buf[:]); err != nil {
				break
			}
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			// A timeout (503) counts with the time it took, and as an error.
			return time.Since(t0), fmt.Errorf("%s: status %d", u, res.StatusCode)
		}
		return time.Since(t0), nil
	}
	// Warm-up requests (untimed, other URLs) first fill the connections'
	// page caches and prepared statements, so that the figures are those of
	// a running server rather than of its first second.
	warm := 5 * clients
	if v, err := strconv.Atoi(os.Getenv("ROLLCALL_BENCH_WARMUP")); err == nil && v >= 0 {
		warm = v
	}
	run := func(b *testing.B, name string, url func(r *rand.Rand) string) {
		lat := make([]time.Duration, b.N)
		var mu sync.Mutex
		var firstErr error
		errs := 0
		var wg sync.WaitGroup
		// drive sends n requests from the clients; lat (if not nil) gets
		// their latencies.
		drive := func(n int, seed uint64, lat []time.Duration) {
			var next int64
			for c := 0; c < clients; c++ {
				wg.Add(1)
				go func(seed uint64) {
					defer wg.Done()
					r := rand.New(rand.NewPCG(seed, 1))
					for {
						mu.Lock()
						i := next
						next++
						mu.Unlock()
						if i >= int64(n) {
							return
						}
						d, err := get(url(r))
						if err != nil {
							mu.Lock()
							errs++
							if firstErr == nil && d == 0 {
								firstErr = err // a transport failure, not a slow answer
							}
							mu.Unlock()
						}
						if lat != nil {
							lat[i] = d
						}
					}
				}(seed + uint64(c))
			}
		}
		drive(warm, 1_000_000, nil)
		wg.Wait()
		errs = 0
		cpu0 := processCPU()
		start := time.Now()
		drive(b.N, 0, lat)
		wg.Wait()
		if firstErr != nil {
			b.Fatal(firstErr)
		}
		el := time.Since(start)
		cpu := processCPU() - cpu0
		slices.Sort(lat)
		pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
		b.ReportMetric(pct(0.50), name+"-p50-ms")
		b.ReportMetric(pct(0.99), name+"-p99-ms")
		b.ReportMetric(float64(b.N)/el.Seconds(), name+"-req/s")
		b.ReportMetric(float64(errs), name+"-errors")
		// CPU time (server and clients) per request: on a shared machine it
		// moves much less than the latencies when other work competes.
		b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), name+"-cpu-us/req")
	}
	b.Run("person", func(b *testing.B) {
		run(b, "person", func(r *rand.Rand) string { return "/persons/" + strconv.Itoa(1+r.IntN(n)) })
	})
	b.Run("search", func(b *testing.B) {
		run(b, "search", func(r *rand.Rand) string { return "/search?q=" + url.QueryEscape(names[r.IntN(len(names))]) })
	})
}
