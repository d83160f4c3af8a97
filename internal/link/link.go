// Package link turns stored records into persons: it runs record linkage
// (the engine in internal/link/match) over every record in the database, honouring the human
// decisions kept there, then creates, keeps, merges or splits persons so
// that each cluster of records is one person, refills the review queue with
// the doubtful pairs, and reports what changed. Person ids are kept stable
// across runs wherever a cluster still holds most of a person's records.
package link

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"unicode"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/link/match"
	"github.com/rollcall-project/rollcall/internal/store"
)

// DefaultSettings are the linkage settings used over the database: the
// fields of PersonFields (guarded on surname and birth date), linked and
// deduplicated across the lists. Blocking and the m/u parameters are
// chosen and learned automatically on each run.
func DefaultSettings() match.Settings {
	return match.Settings{Fields: PersonFields(), LinkType: match.LinkAndDedupe}
}

// Options configure Run.
type Options struct {
	// Settings override DefaultSettings (for instance a saved, trained model).
	Settings *match.Settings
	Progress match.Progress
	// DryRun computes the report without changing the database.
	DryRun bool
	// Holder, when set, is the live linker running this relink: it writes
	// only while it still holds the linkage lease.
	Holder string
}

// Report says what a run changed.
type Report struct {
	Records        int             `json:"records"`
	Persons        int             `json:"persons"`
	Created        int             `json:"persons_created"`
	Removed        int             `json:"persons_removed"`
	KeptOrphans    []int64         `json:"persons_kept_without_records,omitempty"`
	RecordsMoved   int             `json:"records_moved"`
	Review         int             `json:"review_pairs"`
	DecisionsKept  int             `json:"decisions_honoured"`
	CandidatePairs int64           `json:"candidate_pairs"`
	Settings       *match.Settings `json:"settings,omitempty"`
}

// Run links all records in st into persons.
//
// A run takes every record queued for live linkage before it read them off
// the queue, and stores the model when it trained one (the live linker
// scores with it).
func Run(ctx context.Context, st *store.Store, opts Options) (*Report, error) {
	// The queue first: a record written after this is linked again later.
	pending, _, err := st.PendingLinks(ctx, 0)
	if err != nil {
		return nil, err
	}
	sd, err := LoadStored(ctx, st)
	if err != nil {
		return nil, err
	}
	recs, ds, decisions := sd.Records, sd.Dataset, sd.Decisions
	rep := &Report{Records: len(recs)}
	if len(recs) == 0 {
		if opts.DryRun {
			return rep, nil
		}
		return rep, st.InTx(ctx, func(tx *store.Store) error {
			if opts.Holder != "" {
				if err := tx.HoldsLinkLease(ctx, opts.Holder); err != nil {
					return err
				}
			}
			return tx.DonePendingLinks(ctx, pending)
		})
	}
	rep.DecisionsKept = len(decisions)
	settings := DefaultSettings()
	if opts.Settings != nil {
		settings = *opts.Settings
	}
	res, err := match.RunWithOptions(ctx, ds, settings, decisions, match.Options{Progress: opts.Progress})
	if err != nil {
		return nil, fmt.Errorf("link records: %w", err)
	}
	rep.Settings = &res.Settings
	rep.CandidatePairs = res.Stats.CandidatePairs
	rep.Review = len(res.Review)

	clusters := map[int32][]int{}
	for i, c := range res.Cluster {
		clusters[c] = append(clusters[c], i)
	}
	rep.Persons = len(clusters)
	if opts.DryRun {
		return rep, nil
	}
	trained := opts.Settings == nil || !opts.Settings.Trained
	err = st.InTx(ctx, func(tx *store.Store) error {
		if opts.Holder != "" {
			if err := tx.HoldsLinkLease(ctx, opts.Holder); err != nil {
				return err
			}
		}
		if err := apply(ctx, tx, recs, clusters, res, rep); err != nil {
			return err
		}
		if trained {
			if err := saveModel(ctx, tx, &res.Settings, len(recs)); err != nil {
				return err
			}
		}
		return tx.DonePendingLinks(ctx, pending)
	})
	if err != nil {
		return nil, err
	}
	if rep.Created+rep.Removed > 0 {
		// Many new persons leave the search index in segments: merge them.
		if err := st.OptimizeSearchIndex(ctx); err != nil {
			return rep, fmt.Errorf("linked; merging the search index failed: %w", err)
		}
	}
	return rep, nil
}

// apply writes the clustering: persons, record links, review queue.
func apply(ctx context.Context, tx *store.Store, recs []rollcall.Record, clusters map[int32][]int, res *match.Result, rep *Report) error {
	// Give each existing person to the cluster holding most of its records,
	// biggest clusters first, so ids stay stable across runs.
	type claim struct {
		cluster int32
		person  int64
		n       int
	}
	var claims []claim
	before := map[int64]bool{}
	for c, idx := range clusters {
		count := map[int64]int{}
		for _, i := range idx {
			if p := recs[i].PersonID; p != nil {
				count[*p]++
				before[*p] = true
			}
		}
		for p, n := range count {
			claims = append(claims, claim{c, p, n})
		}
	}
	slices.SortFunc(claims, func(a, b claim) int {
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
	order := make([]int32, 0, len(clusters))
	for c := range clusters {
		order = append(order, c)
	}
	slices.Sort(order)
	for _, c := range order {
		idx := clusters[c]
		members := make([]rollcall.Record, len(idx))
		for j, i := range idx {
			members[j] = recs[i]
		}
		pid, ok := owner[c]
		if !ok {
			p := resolvePerson(members)
			if err := tx.CreatePerson(ctx, &p); err != nil {
				return fmt.Errorf("create person: %w", err)
			}
			pid = p.ID
			rep.Created++
		}
		for _, i := range idx {
			if cur := recs[i].PersonID; cur != nil && *cur == pid {
				continue
			}
			if err := tx.SetRecordPerson(ctx, recs[i].ID, &pid); err != nil {
				return fmt.Errorf("link record %d: %w", recs[i].ID, err)
			}
			rep.RecordsMoved++
		}
		if ok {
			if err := refreshPerson(ctx, tx, pid, members); err != nil {
				return err
			}
		}
	}
	// Persons that lost all their records go, unless something refers to them.
	for p := range before {
		if taken[p] {
			continue
		}
		if err := tx.DeletePerson(ctx, p); err != nil {
			if code := rollcall.ErrorCode(err); code == rollcall.EINVALID || code == rollcall.ECONFLICT {
				rep.KeptOrphans = append(rep.KeptOrphans, p)
				continue
			}
			return fmt.Errorf("remove person %d: %w", p, err)
		}
		rep.Removed++
	}
	slices.Sort(rep.KeptOrphans)
	queue := make([]store.ReviewPair, len(res.Review))
	for i, p := range res.Review {
		queue[i] = store.ReviewPair{RecordA: recs[p.A].ID, RecordB: recs[p.B].ID, Probability: float64(p.Prob),
			Worth: match.ReviewWorth(float64(p.Prob), touched(res.Cluster, clusters, p.A, p.B))}
	}
	return tx.ReplaceReviewQueue(ctx, queue)
}

// refreshPerson sets a kept person's resolved attributes from its records.
func refreshPerson(ctx context.Context, tx *store.Store, pid int64, members []rollcall.Record) error {
	p, err := tx.GetPerson(ctx, pid)
	if err != nil {
		return err
	}
	fresh := resolvePerson(members)
	if p.Name != fresh.Name || p.NameAlt != fresh.NameAlt || p.Sex != fresh.Sex || p.BirthDate != fresh.BirthDate || p.Province != fresh.Province {
		p.Name, p.NameAlt, p.Sex, p.BirthDate, p.Province = fresh.Name, fresh.NameAlt, fresh.Sex, fresh.BirthDate, fresh.Province
		if err := tx.UpdatePerson(ctx, p); err != nil {
			return fmt.Errorf("update person %d: %w", pid, err)
		}
	}
	return nil
}

// touched is how many records a decision on records a and b touches: both
// their clusters, or the one they share.
func touched(cluster []int32, clusters map[int32][]int, a, b int32) int {
	if cluster[a] == cluster[b] {
		return len(clusters[cluster[a]])
	}
	return len(clusters[cluster[a]]) + len(clusters[cluster[b]])
}

// resolvePerson derives a person's attributes from its records (in record
// order) by the attribute rule, rollcall.ResolveAttribute: the most frequent
// romanized name (hangul as the alternative form), sex and province, ties to
// the earliest record; and the most precise birth date. Conflicts stay
// visible on the person page (the store computes them from the records).
func resolvePerson(recs []rollcall.Record) rollcall.Person {
	var latin, hangul, sex, prov []string
	fictional := true
	var birth rollcall.PartialDate
	sens := rollcall.Public
	for _, r := range recs {
		for _, n := range []string{r.Name, r.NameAlt} {
			if n == "" {
				continue
			}
			if isHangul(n) {
				hangul = append(hangul, n)
			} else {
				latin = append(latin, n)
			}
		}
		if r.Sex != "" {
			sex = append(sex, r.Sex)
		}
		if r.Province != "" {
			prov = append(prov, r.Province)
		}
		if !r.BirthDate.IsZero() && (birth.IsZero() || r.BirthDate.Precision() > birth.Precision() ||
			(r.BirthDate.Precision() == birth.Precision() && r.BirthDate.Qualifier() < birth.Qualifier())) {
			birth = r.BirthDate
		}
		fictional = fictional && r.Fictional
		sens = rollcall.MaxSensitivity(sens, r.Sensitivity)
	}
	mode := func(vals []string) string { return rollcall.ResolveAttribute(vals).Value }
	p := rollcall.Person{Sex: mode(sex), Province: mode(prov), BirthDate: birth, Fictional: fictional, Sensitivity: sens}
	p.Name, p.NameAlt = mode(latin), mode(hangul)
	if p.Name == "" {
		p.Name, p.NameAlt = p.NameAlt, ""
	}
	if p.Name == "" {
		p.Name = "(no name given)"
	}
	return p
}

func isHangul(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Hangul, r) {
			return true
		}
	}
	return false
}

func allRecords(ctx context.Context, st *store.Store) ([]rollcall.Record, error) {
	recs, _, err := st.ListRecords(ctx, rollcall.ListOptions{Limit: -1})
	if err != nil {
		return nil, fmt.Errorf("read records: %w", err)
	}
	return recs, nil
}

func facilityNames(ctx context.Context, st *store.Store) (map[int64]string, error) {
	fs, _, err := st.ListFacilities(ctx, rollcall.ListOptions{Limit: -1})
	if err != nil {
		return nil, fmt.Errorf("read facilities: %w", err)
	}
	m := make(map[int64]string, len(fs))
	for _, f := range fs {
		m[f.ID] = f.NameEn
	}
	return m, nil
}
