package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
	"github.com/rollcall-project/rollcall/internal/link"
	"github.com/rollcall-project/rollcall/internal/link/match"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// BenchmarkLiveLink measures live linkage over the database of
// BenchmarkLoad (100,000 fictional persons; $ROLLCALL_BENCH_PERSONS): b.N
// records are written one every 200 ms (copies of stored records under a
// new source, so each should join its original's person) while the linker
// runs as serve runs it (woken by each write, else polling every second)
// and 100 clients load person and search pages. It
// reports the time from a record's write to its person (p50, p99), the
// share that joined their original's person, and the pages' p99.
// ROLLCALL_BENCH_LINKER=0 gives the pages' p99 without the linker.
//
//	go test ./internal/web -run '^$' -bench LiveLink -benchtime 100x -timeout 60m
func BenchmarkLiveLink(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("ROLLCALL_BENCH_PERSONS")); err == nil && v > 0 {
		n = v
	}
	built, names := benchDB(b, n)
	// A private copy: the cached database stays as other benchmarks expect it.
	path := filepath.Join(b.TempDir(), "live.db")
	copyFile(b, built, path)
	ctx := sysCtx()
	st, err := store.Open(ctx, path, store.Options{NameKeys: textnorm.NameKeys})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	// The stored model: trained on 20,000 of the records (what a server
	// would have stored at its last full run), recorded as trained on all
	// of them so that the linker does not train again.
	sd, err := link.LoadStored(ctx, st)
	if err != nil {
		b.Fatal(err)
	}
	sub := *sd.Dataset
	sub.Records = sub.Records[:min(20_000, len(sub.Records))]
	res, err := match.Run(ctx, &sub, link.DefaultSettings(), nil)
	if err != nil {
		b.Fatal(err)
	}
	model, _ := json.Marshal(res.Settings)
	if err := st.SaveLinkModel(ctx, model, len(sd.Records)); err != nil {
		b.Fatal(err)
	}
	live := rollcall.Source{Key: "live-bench", Kind: "testimony", Title: "live", Sensitivity: rollcall.Internal, Fictional: true}
	if err := st.CreateSource(ctx, &live); err != nil {
		b.Fatal(err)
	}

	var mu sync.Mutex
	var linkLat []time.Duration
	l := &link.Linker{Store: st, Holder: "bench", Logger: slog.New(slog.DiscardHandler),
		Observe: func(_ string, d time.Duration) { mu.Lock(); linkLat = append(linkLat, d); mu.Unlock() }}
	lctx, stopLinker := context.WithCancel(ctx)
	var lwg sync.WaitGroup
	// ROLLCALL_BENCH_LINKER=0 runs the same load without the linker: the
	// pages' baseline on the machine as it is at the time.
	withLinker := os.Getenv("ROLLCALL_BENCH_LINKER") != "0"
	if withLinker {
		st.OnLinkQueued(l.Wake) // as serve wires it
		lwg.Go(func() { l.Run(lctx, time.Second) })
	}
	defer func() { stopLinker(); lwg.Wait() }()

	svc := auth.NewService(st)
	svc.Params = testParams
	srv, err := New(Config{Store: st, Auth: svc, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	secret, _, _, err := svc.Login(context.Background(), "bench", testPassword, "bench")
	if err != nil {
		b.Fatal(err)
	}
	clients := 100
	tr := &http.Transport{MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients}
	hc := &http.Client{Transport: tr, Timeout: 120 * time.Second}
	defer tr.CloseIdleConnections()
	pages := map[string][]time.Duration{}
	load, stopLoad := context.WithCancel(context.Background())
	var cwg sync.WaitGroup
	for c := range clients {
		cwg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(c), 2))
			for load.Err() == nil {
				kind, u := "person", "/persons/"+strconv.Itoa(1+r.IntN(n))
				if c%2 == 1 {
					kind, u = "search", "/search?q="+url.QueryEscape(names[r.IntN(len(names))])
				}
				req, _ := http.NewRequest("GET", ts.URL+u, nil)
				req.AddCookie(&http.Cookie{Name: sessionCookie, Value: secret})
				t0 := time.Now()
				res, err := hc.Do(req)
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, res.Body)
				res.Body.Close()
				mu.Lock()
				pages[kind] = append(pages[kind], time.Since(t0))
				mu.Unlock()
			}
		})
	}

	// Warm-up (untimed): the connections' caches and prepared statements.
	time.Sleep(5 * time.Second)
	mu.Lock()
	clear(pages)
	mu.Unlock()
	rng := rand.New(rand.NewPCG(5, 5))
	origin := map[int64]int64{} // new record → the record it copies
	b.ResetTimer()
	for i := range b.N {
		orig := sd.Records[rng.IntN(len(sd.Records))]
		rec := orig
		rec.ID, rec.Version, rec.Key, rec.SourceID, rec.PersonID = 0, 0, fmt.Sprintf("live-%d", i), live.ID, nil
		if err := st.CreateRecord(ctx, &rec); err != nil {
			b.Fatal(err)
		}
		origin[rec.ID] = orig.ID
		time.Sleep(200 * time.Millisecond)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		mu.Lock()
		done := len(linkLat)
		mu.Unlock()
		if done >= b.N || !withLinker {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("%d of %d records linked after 2 minutes", done, b.N)
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.StopTimer()
	stopLoad()
	cwg.Wait()
	joined := 0
	for id, o := range origin {
		r, err := st.GetRecord(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		src, err := st.GetRecord(ctx, o)
		if err != nil {
			b.Fatal(err)
		}
		if r.PersonID != nil && src.PersonID != nil && *r.PersonID == *src.PersonID {
			joined++
		}
	}
	pct := func(lat []time.Duration, p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		slices.Sort(lat)
		return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(linkLat, 0.50), "link-p50-ms")
	b.ReportMetric(pct(linkLat, 0.99), "link-p99-ms")
	b.ReportMetric(100*float64(joined)/float64(b.N), "joined-original-%")
	b.ReportMetric(pct(pages["person"], 0.99), "person-p99-ms")
	b.ReportMetric(pct(pages["search"], 0.99), "search-p99-ms")
	b.ReportMetric(float64(len(pages["person"])+len(pages["search"])), "page-requests")
}

func copyFile(b *testing.B, from, to string) {
	b.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		b.Fatal(err)
	}
}
