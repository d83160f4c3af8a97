package demo

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/demo/synth"
	"github.com/rollcall-project/rollcall/internal/link/match"
	"github.com/rollcall-project/rollcall/internal/store"
)

// LinkQuality is how the stored persons compare with the generator's
// truth: only a fictional population has one, and it lets a reader judge
// the linkage before the estimates built on it.
type LinkQuality struct {
	// Pairwise precision, recall and F1 over every pair of records.
	match.Evaluation
	Records int `json:"records"`
	// Persons found by linkage, and true persons the records describe.
	Persons     int `json:"persons"`
	TruePersons int `json:"true_persons"`
	// Largest cluster found, and the largest true one (records).
	Largest     int `json:"largest"`
	LargestTrue int `json:"largest_true"`
	// Review is the length of the review queue; ReviewShare its share of
	// the records.
	Review      int     `json:"review"`
	ReviewShare float64 `json:"review_share"`
	// Of the first Examined pairs of the review queue (in its order),
	// WouldChange are pairs whose true answer differs from the stored
	// persons: deciding them would change a person.
	Examined    int `json:"examined"`
	WouldChange int `json:"would_change"`
	// WouldChangeByDoubt is WouldChange for the first Examined pairs in
	// the order of doubt alone (probability nearest 0.5 first): what the
	// order by worth gains.
	WouldChangeByDoubt int `json:"would_change_by_doubt"`
}

// measureLinkage compares the persons stored in st with ds's truth.
func measureLinkage(ctx context.Context, st *store.Store, ds *synth.Dataset) (*LinkQuality, error) {
	recs, _, err := st.ListRecords(ctx, rollcall.ListOptions{Limit: -1})
	if err != nil {
		return nil, fmt.Errorf("linkage quality: %w", err)
	}
	srcs, _, err := st.ListSources(ctx, rollcall.ListOptions{Limit: -1})
	if err != nil {
		return nil, fmt.Errorf("linkage quality: %w", err)
	}
	srcKey := make(map[int64]string, len(srcs))
	for _, s := range srcs {
		srcKey[s.ID] = s.Key
	}
	q := &LinkQuality{Records: len(recs)}
	mds := &match.Dataset{Records: make([]match.Record, len(recs))}
	res := &match.Result{Cluster: make([]int32, len(recs)), Settings: match.Settings{LinkType: match.LinkAndDedupe}}
	truth := make([]string, len(recs))
	cluster := map[int64]int32{}
	person := make(map[int64]int64, len(recs)) // record → person (negative: none)
	truthOf := make(map[int64]synth.PersonID, len(recs))
	sizes, trueSizes := map[int32]int{}, map[string]int{}
	for i, r := range recs {
		mds.Records[i] = match.Record{ID: strconv.FormatInt(r.ID, 10), Source: strconv.FormatInt(r.SourceID, 10)}
		p := -r.ID
		if r.PersonID != nil {
			p = *r.PersonID
		}
		person[r.ID] = p
		c, ok := cluster[p]
		if !ok {
			c = int32(len(cluster))
			cluster[p] = c
		}
		res.Cluster[i] = c
		sizes[c]++
		if t, ok := ds.Truth[synth.RecordKey{Source: srcKey[r.SourceID], Record: r.Key}]; ok {
			truth[i] = strconv.Itoa(int(t))
			truthOf[r.ID] = t
			trueSizes[truth[i]]++
		}
	}
	res.Stats.Clusters = len(cluster)
	q.Evaluation = match.Evaluate(mds, res, truth)
	q.Persons, q.TruePersons = len(cluster), len(trueSizes)
	for _, n := range sizes {
		q.Largest = max(q.Largest, n)
	}
	for _, n := range trueSizes {
		q.LargestTrue = max(q.LargestTrue, n)
	}
	queue, _, err := st.ReviewQueue(ctx, 0, 0)
	if err != nil {
		return nil, fmt.Errorf("linkage quality: %w", err)
	}
	q.Review, q.Examined = len(queue), min(len(queue), 100)
	if len(recs) > 0 {
		q.ReviewShare = float64(len(queue)) / float64(len(recs))
	}
	changes := func(p store.ReviewPair) bool {
		ta, okA := truthOf[p.RecordA]
		tb, okB := truthOf[p.RecordB]
		return (okA && okB && ta == tb) != (person[p.RecordA] == person[p.RecordB])
	}
	for _, p := range queue[:q.Examined] {
		if changes(p) {
			q.WouldChange++
		}
	}
	byDoubt := slices.Clone(queue)
	slices.SortStableFunc(byDoubt, func(a, b store.ReviewPair) int {
		return cmp.Compare(math.Abs(a.Probability-0.5), math.Abs(b.Probability-0.5))
	})
	for _, p := range byDoubt[:q.Examined] {
		if changes(p) {
			q.WouldChangeByDoubt++
		}
	}
	return q, nil
}
