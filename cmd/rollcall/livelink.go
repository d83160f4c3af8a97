package main

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
	"github.com/rollcall-project/rollcall/internal/link"
	"github.com/rollcall-project/rollcall/internal/store"
)

// startLinker runs live linkage (link.Linker) in the background every poll,
// with its metrics in reg, and returns the function that stops it.
func (m *Main) startLinker(ctx context.Context, st *store.Store, poll time.Duration, reg prometheus.Registerer) func() {
	pending := prometheus.NewGauge(prometheus.GaugeOpts{Name: "rollcall_link_pending", Help: "Records waiting for live linkage."})
	records := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rollcall_link_records_total",
		Help: "Records linked by the live linker, by outcome (joined, new, review, removed, full)."}, []string{"outcome"})
	latency := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "rollcall_link_latency_seconds",
		Help: "Time from a record's write to its linkage.", Buckets: []float64{.1, .25, .5, 1, 1.5, 2, 3, 5, 10, 30, 120}})
	reg.MustRegister(pending, records, latency)
	host, _ := os.Hostname()
	l := &link.Linker{
		Store:  st,
		Holder: fmt.Sprintf("%s/%d/%s", host, os.Getpid(), auth.NewSecret()[:8]),
		Logger: m.Logger,
		Now:    m.Now,
		Observe: func(outcome string, d time.Duration) {
			records.WithLabelValues(outcome).Inc()
			latency.Observe(d.Seconds())
		},
		Pending: func(n int) { pending.Set(float64(n)) },
	}
	st.OnLinkQueued(l.Wake)
	// The linker writes as the system, never as a user or the operator.
	lctx, cancel := context.WithCancel(rollcall.WithActor(context.WithoutCancel(ctx), rollcall.Actor{Name: "linker", Role: rollcall.RoleSystem}))
	var wg sync.WaitGroup
	wg.Go(func() { l.Run(lctx, poll) })
	return func() {
		cancel()
		wg.Wait()
	}
}
