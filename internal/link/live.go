package link

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/link/match"
	"github.com/rollcall-project/rollcall/internal/store"
)

// This file is live linkage: the running server links each record written
// (the store queues it in the same transaction as the write) within
// seconds, with the stored model, without a full relink.

// Thresholds of the live linker.
const (
	// PriorBelow: with fewer records than this and no stored model, the
	// prior model links (EM has too few pairs to learn from).
	PriorBelow = 200
	// FullBelow: with fewer records than this a full relink is cheap and
	// is what the linker does.
	FullBelow = 2000
	// FullShare: when this share of the records is queued (an import), a
	// full relink is faster than record by record.
	FullShare = 0.10
	// RetrainGrowth: the model is trained again when the records have
	// grown this many times since it was trained.
	RetrainGrowth = 2
	// CandidatesPerName bounds the candidates the name index gives for
	// each form of a record's name.
	CandidatesPerName = 300
	// LeaseTTL is how long the linkage lease lasts unless renewed: a
	// process that died is relieved after it.
	LeaseTTL = 2 * time.Minute
)

// Outcomes of linking one record, as counted in metrics.
const (
	OutcomeJoined  = "joined"  // joined an existing person
	OutcomeNew     = "new"     // started a new person
	OutcomeReview  = "review"  // has a doubtful pair in the review queue
	OutcomeRemoved = "removed" // a deleted record's person refreshed or removed
	OutcomeFull    = "full"    // linked by a full relink
)

// Linker links queued records. Several processes on one database may each
// run one: the lease lets one link at a time, and a record written while
// it worked stays queued (store.DonePendingLinks).
type Linker struct {
	Store *store.Store
	// Holder names this process's lease (unique per process).
	Holder string
	// Batch is how many queued records one step links (default 200).
	Batch  int
	Logger *slog.Logger
	// Now is the clock for latencies (default time.Now).
	Now func() time.Time
	// Observe, when set, sees each linked record's outcome and the time
	// since it was queued; Pending sees the queue's length at each step.
	Observe func(outcome string, latency time.Duration)
	Pending func(n int)
	// FullBelow and FullShare override the package's thresholds for a
	// full relink (0: FullBelow, FullShare; negative: never by that rule).
	FullBelow int
	FullShare float64

	wake chan struct{}
	once sync.Once
}

// Wake makes a running linker step now rather than at its next poll (a
// record was just queued in this process). It never blocks.
func (l *Linker) Wake() {
	select {
	case l.wakeChan() <- struct{}{}:
	default:
	}
}

func (l *Linker) wakeChan() chan struct{} {
	l.once.Do(func() { l.wake = make(chan struct{}, 1) })
	return l.wake
}

// StepReport says what one step did.
type StepReport struct {
	Leased bool `json:"leased"`
	// Queued is the queue's length when the step began.
	Queued int  `json:"queued"`
	Linked int  `json:"linked"`
	Full   bool `json:"full_relink"`
}

// Run steps every poll until ctx is done, and gives the lease up at the end.
func (l *Linker) Run(ctx context.Context, poll time.Duration) {
	t := time.NewTicker(poll)
	defer t.Stop()
	defer func() {
		if err := l.Store.ReleaseLinkLease(context.WithoutCancel(ctx), l.Holder); err != nil {
			l.logger().Error("live linkage: release lease", "err", err)
		}
	}()
	for {
		for {
			rep, err := l.Step(ctx)
			if err != nil {
				if ctx.Err() == nil {
					l.logger().Error("live linkage", "err", err)
				}
				break
			}
			if !rep.Leased || rep.Linked == 0 || rep.Linked >= rep.Queued {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-l.wakeChan():
		}
	}
}

func (l *Linker) logger() *slog.Logger {
	if l.Logger == nil {
		return slog.Default()
	}
	return l.Logger
}

func (l *Linker) now() time.Time {
	if l.Now == nil {
		return time.Now()
	}
	return l.Now()
}

// Step takes the lease (or returns when another process holds it) and
// links one batch of queued records: by a full relink when the database
// is small, a large share is queued or the model is due for training,
// else record by record against their candidates.
func (l *Linker) Step(ctx context.Context) (StepReport, error) {
	var rep StepReport
	st := l.Store
	ok, err := st.AcquireLinkLease(ctx, l.Holder, LeaseTTL)
	if err != nil || !ok {
		return rep, err
	}
	rep.Leased = true
	// Keep the lease while a long relink runs.
	sctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		t := time.NewTicker(LeaseTTL / 4)
		defer t.Stop()
		for {
			select {
			case <-sctx.Done():
				return
			case <-t.C:
				if _, err := st.AcquireLinkLease(sctx, l.Holder, LeaseTTL); err != nil && sctx.Err() == nil {
					l.logger().Error("live linkage: renew lease", "err", err)
				}
			}
		}
	}()
	batch := l.Batch
	if batch <= 0 {
		batch = 200
	}
	pend, total, err := st.PendingLinks(ctx, batch)
	if err != nil {
		return rep, err
	}
	rep.Queued = total
	if l.Pending != nil {
		l.Pending(total)
	}
	if total == 0 {
		return rep, nil
	}
	_, nrec, err := st.ListRecords(ctx, rollcall.ListOptions{Limit: 1})
	if err != nil {
		return rep, fmt.Errorf("count records: %w", err)
	}
	model, trainedOn, err := LoadModel(ctx, st)
	if err != nil {
		return rep, err
	}
	switch {
	case model == nil && nrec < PriorBelow:
		prior := PriorSettings()
		model = &prior
	case model != nil && trainedOn > 0 && nrec >= RetrainGrowth*trainedOn && nrec >= PriorBelow:
		model = nil // train again
	}
	fullBelow, fullShare := cmp.Or(l.FullBelow, FullBelow), cmp.Or(l.FullShare, FullShare)
	if model == nil || nrec < fullBelow || (fullShare > 0 && float64(total) >= fullShare*float64(nrec)) {
		all, _, err := st.PendingLinks(ctx, 0)
		if err != nil {
			return rep, err
		}
		if _, err := Run(ctx, st, Options{Settings: model, Holder: l.Holder}); err != nil {
			return rep, err
		}
		rep.Full, rep.Linked = true, len(all)
		l.observe(all, func(store.PendingLink) string { return OutcomeFull })
		l.left(rep)
		return rep, nil
	}
	out, err := relink(ctx, st, pend, *model, l.Holder)
	if err != nil {
		return rep, err
	}
	rep.Linked = len(pend)
	l.observe(pend, func(p store.PendingLink) string { return out[p.RecordID] })
	l.left(rep)
	return rep, nil
}

// left reports the queue's length after a step (writes since come next).
func (l *Linker) left(rep StepReport) {
	if l.Pending != nil {
		l.Pending(max(rep.Queued-rep.Linked, 0))
	}
}

func (l *Linker) observe(ps []store.PendingLink, outcome func(store.PendingLink) string) {
	if l.Observe == nil {
		return
	}
	now := l.now()
	for _, p := range ps {
		l.Observe(outcome(p), now.Sub(p.EnqueuedAt))
	}
}

// LoadModel returns the stored linkage model and the number of records it
// was trained on; nil when none is stored.
func LoadModel(ctx context.Context, st *store.Store) (*match.Settings, int, error) {
	b, n, found, err := st.LinkModel(ctx)
	if err != nil || !found {
		return nil, 0, err
	}
	var s match.Settings
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, 0, fmt.Errorf("stored linkage model: %w", err)
	}
	return &s, n, nil
}

func saveModel(ctx context.Context, st *store.Store, s *match.Settings, records int) error {
	b, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("encode linkage model: %w", err)
	}
	return st.SaveLinkModel(ctx, b, records)
}

// PriorSettings is DefaultSettings with parameters set by hand instead of
// learned: what a database of a few records links with (m: how often a
// field agrees at each level for one person, u: for two people).
func PriorSettings() match.Settings {
	s := DefaultSettings()
	levels := map[match.Kind][]match.Level{
		// missing, different, jw 0.80, same given, jw 0.92, swapped, variant, exact
		match.Name: {{Name: "missing", M: 1, U: 1}, {Name: "different", M: 0.02, U: 0.90}, {Name: "jaro_winkler_0.80", M: 0.05, U: 0.06},
			{Name: "same_given", M: 0.03, U: 0.02}, {Name: "jaro_winkler_0.92", M: 0.10, U: 0.01}, {Name: "swapped", M: 0.05, U: 0.001},
			{Name: "variant", M: 0.30, U: 0.005}, {Name: "exact", M: 0.45, U: 0.004}},
		match.Exact: {{Name: "missing", M: 1, U: 1}, {Name: "different", M: 0.04, U: 0.5}, {Name: "one_edit", M: 0.01, U: 0.01}, {Name: "exact", M: 0.95, U: 0.49}},
		match.Date: {{Name: "missing", M: 1, U: 1}, {Name: "different", M: 0.04, U: 0.85}, {Name: "within_a_year", M: 0.08, U: 0.08},
			{Name: "one_edit", M: 0.05, U: 0.02}, {Name: "same_year", M: 0.25, U: 0.04}, {Name: "same_month", M: 0.28, U: 0.006}, {Name: "exact", M: 0.30, U: 0.004}},
		match.Category: {{Name: "missing", M: 1, U: 1}, {Name: "different", M: 0.10, U: 0.85}, {Name: "compatible", M: 0.10, U: 0.05}, {Name: "exact", M: 0.80, U: 0.10}},
		match.Place: {{Name: "missing", M: 1, U: 1}, {Name: "different", M: 0.08, U: 0.80}, {Name: "unresolved", M: 0.05, U: 0.05},
			{Name: "same_province", M: 0.07, U: 0.05}, {Name: "within", M: 0.10, U: 0.03}, {Name: "exact", M: 0.70, U: 0.07}},
		match.Facility: {{Name: "missing", M: 1, U: 1}, {Name: "different", M: 0.10, U: 0.80}, {Name: "unresolved", M: 0.05, U: 0.05},
			{Name: "compatible", M: 0.10, U: 0.05}, {Name: "exact", M: 0.75, U: 0.10}},
		match.Number: {{Name: "missing", M: 1, U: 1}, {Name: "different", M: 0.15, U: 0.70}, {Name: "close", M: 0.15, U: 0.15}, {Name: "exact", M: 0.70, U: 0.15}},
	}
	for i := range s.Fields {
		s.Fields[i].Levels = slices.Clone(levels[s.Fields[i].Kind])
	}
	s.Lambda, s.Trained = 0.01, true
	return s
}

// relink links the queued records against their neighbourhood and writes
// where they belong, in one transaction, and takes them off the queue.
// It returns each record's outcome.
func relink(ctx context.Context, st *store.Store, pend []store.PendingLink, s match.Settings, holder string) (map[int64]string, error) {
	ids := make([]int64, len(pend))
	var gone []int64 // persons of deleted records
	for i, p := range pend {
		ids[i] = p.RecordID
		if p.PersonID != nil {
			gone = append(gone, *p.PersonID)
		}
	}
	out := map[int64]string{}
	err := st.InTx(ctx, func(tx *store.Store) error {
		if holder != "" {
			if err := tx.HoldsLinkLease(ctx, holder); err != nil {
				return err
			}
		}
		batch, err := tx.LinkRecords(ctx, ids, nil)
		if err != nil {
			return err
		}
		if err := relinkRecords(ctx, tx, batch, s, out); err != nil {
			return err
		}
		for _, pid := range gone {
			if err := refreshOrRemove(ctx, tx, pid); err != nil {
				return err
			}
		}
		for _, id := range ids {
			if _, ok := out[id]; !ok {
				out[id] = OutcomeRemoved
			}
		}
		return tx.DonePendingLinks(ctx, pend)
	})
	return out, err
}

// relinkRecords links batch (records of tx) against their neighbourhood:
// the records the name index gives for each form of their names, at most
// CandidatesPerName each, and every record of those records' persons and
// of the batch's own persons. The neighbourhood is linked as a full run
// would link it (the stored decisions honoured); each cluster keeps the
// person holding most of its records (as Run does), and only the batch's
// records move. Their doubtful pairs replace theirs in the review queue.
func relinkRecords(ctx context.Context, tx *store.Store, batch []rollcall.Record, s match.Settings, out map[int64]string) error {
	if len(batch) == 0 {
		return nil
	}
	inBatch := map[int64]bool{}
	var candIDs, persons []int64
	for _, r := range batch {
		inBatch[r.ID] = true
		if r.PersonID != nil {
			persons = append(persons, *r.PersonID)
		}
		for _, form := range []string{r.Name, r.NameAlt} {
			if form == "" {
				continue
			}
			found, err := tx.SearchRecords(ctx, form, CandidatesPerName)
			if err != nil {
				return err
			}
			for _, c := range found {
				candIDs = append(candIDs, c.ID)
				if c.PersonID != nil {
					persons = append(persons, *c.PersonID)
				}
			}
		}
	}
	ids := append(candIDs, sortedIDs(inBatch)...)
	recs, err := tx.LinkRecords(ctx, ids, persons)
	if err != nil {
		return err
	}
	facName, err := facilityNames(ctx, tx)
	if err != nil {
		return err
	}
	ds := PersonDataset(recs, facName)
	decisions, err := decisionsAmong(ctx, tx, recs)
	if err != nil {
		return err
	}
	res, err := match.Run(ctx, ds, liveSettings(s), decisions)
	if err != nil {
		return fmt.Errorf("link records: %w", err)
	}
	clusters := map[int32][]int{}
	for i, c := range res.Cluster {
		clusters[c] = append(clusters[c], i)
	}
	// Claims as in apply: each person to the cluster holding most of its
	// records; a tie goes to a cluster with records outside the batch.
	type claim struct {
		cluster int32
		person  int64
		n       int
		settled bool
	}
	var claims []claim
	for c, idx := range clusters {
		count := map[int64]int{}
		settled := false
		for _, i := range idx {
			if p := recs[i].PersonID; p != nil {
				count[*p]++
			}
			settled = settled || !inBatch[recs[i].ID]
		}
		for p, n := range count {
			claims = append(claims, claim{c, p, n, settled})
		}
	}
	slices.SortFunc(claims, func(a, b claim) int {
		if a.settled != b.settled && a.n == b.n {
			if a.settled {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.person, b.person), cmp.Compare(a.cluster, b.cluster))
	})
	owner := map[int32]int64{}
	taken := map[int64]bool{}
	for _, c := range claims {
		if _, ok := owner[c.cluster]; ok || taken[c.person] {
			continue
		}
		owner[c.cluster], taken[c.person] = c.person, true
	}
	touched := map[int64]bool{}
	order := make([]int32, 0, len(clusters))
	for c := range clusters {
		order = append(order, c)
	}
	slices.Sort(order)
	for _, c := range order {
		var moving []int
		for _, i := range clusters[c] {
			if inBatch[recs[i].ID] {
				moving = append(moving, i)
			}
		}
		if len(moving) == 0 {
			continue
		}
		pid, ok := owner[c]
		outcome := OutcomeJoined
		if !ok {
			members := make([]rollcall.Record, len(moving))
			for j, i := range moving {
				members[j] = recs[i]
			}
			p := resolvePerson(members)
			if err := tx.CreatePerson(ctx, &p); err != nil {
				return fmt.Errorf("create person: %w", err)
			}
			pid, outcome = p.ID, OutcomeNew
		} else if len(moving) == len(clusters[c]) {
			outcome = OutcomeNew // a person of the batch's records alone
		}
		touched[pid] = true
		for _, i := range moving {
			r := recs[i]
			out[r.ID] = outcome
			if r.PersonID != nil && *r.PersonID == pid {
				continue
			}
			if r.PersonID != nil {
				touched[*r.PersonID] = true
			}
			if err := tx.SetRecordPerson(ctx, r.ID, &pid); err != nil {
				return fmt.Errorf("link record %d: %w", r.ID, err)
			}
		}
	}
	for _, pid := range slices.Sorted(maps.Keys(touched)) {
		if err := refreshOrRemove(ctx, tx, pid); err != nil {
			return err
		}
	}
	var review []store.ReviewPair
	for _, p := range res.Review {
		a, b := recs[p.A], recs[p.B]
		if !inBatch[a.ID] && !inBatch[b.ID] {
			continue
		}
		review = append(review, store.ReviewPair{RecordA: a.ID, RecordB: b.ID, Probability: float64(p.Prob)})
		for _, id := range []int64{a.ID, b.ID} {
			if inBatch[id] {
				out[id] = OutcomeReview
			}
		}
	}
	return tx.AddReviewPairs(ctx, sortedIDs(inBatch), review)
}

// liveSettings is the model as it scores a neighbourhood: without the
// term-frequency adjustment, whose frequencies a neighbourhood of
// like-named records would distort (every name in it looks common); an
// agreement then weighs what it weighs on average.
func liveSettings(s match.Settings) match.Settings {
	s.Fields = slices.Clone(s.Fields)
	off := false
	for i := range s.Fields {
		s.Fields[i].TermFrequency = &off
	}
	return s
}

// refreshOrRemove sets a person's attributes from its records, or removes
// it when none is left (kept when something else refers to it).
func refreshOrRemove(ctx context.Context, tx *store.Store, pid int64) error {
	recs, err := tx.LinkRecords(ctx, nil, []int64{pid})
	if err != nil {
		return err
	}
	if len(recs) > 0 {
		return refreshPerson(ctx, tx, pid, recs)
	}
	if err := tx.DeletePerson(ctx, pid); err != nil {
		switch rollcall.ErrorCode(err) {
		case rollcall.EINVALID, rollcall.ECONFLICT, rollcall.ENOTFOUND:
			return nil
		}
		return fmt.Errorf("remove person %d: %w", pid, err)
	}
	return nil
}

// decisionsAmong returns the stored decisions between records of recs.
func decisionsAmong(ctx context.Context, tx *store.Store, recs []rollcall.Record) ([]match.Decision, error) {
	stored, err := tx.LinkDecisions(ctx)
	if err != nil {
		return nil, err
	}
	in := make(map[int64]bool, len(recs))
	for _, r := range recs {
		in[r.ID] = true
	}
	var out []match.Decision
	for _, d := range stored {
		if in[d.RecordA] && in[d.RecordB] {
			out = append(out, match.Decision{A: strconv.FormatInt(d.RecordA, 10), B: strconv.FormatInt(d.RecordB, 10), Same: d.Same})
		}
	}
	return out, nil
}

func sortedIDs(m map[int64]bool) []int64 { return slices.Sorted(maps.Keys(m)) }

// Split applies a "different" decision at once where Decide leaves it to
// the next run: when the two records still share a person, the person's
// records are linked again with the stored model (the prior one when none
// is stored), every decision honoured, and the cluster holding most of
// them keeps the person's id.
func Split(ctx context.Context, st *store.Store, recordA, recordB int64) error {
	s, _, err := LoadModel(ctx, st)
	if err != nil {
		return err
	}
	if s == nil {
		prior := PriorSettings()
		s = &prior
	}
	return st.InTx(ctx, func(tx *store.Store) error {
		pair, err := tx.LinkRecords(ctx, []int64{recordA, recordB}, nil)
		if err != nil {
			return err
		}
		if len(pair) != 2 || pair[0].PersonID == nil || pair[1].PersonID == nil || *pair[0].PersonID != *pair[1].PersonID {
			return nil
		}
		batch, err := tx.LinkRecords(ctx, nil, []int64{*pair[0].PersonID})
		if err != nil {
			return err
		}
		return relinkRecords(ctx, tx, batch, *s, map[int64]string{})
	})
}
