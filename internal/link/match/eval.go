package match

// Evaluation compares clusters with a ground truth, counting record pairs
// the link type allows (across sources for "link").
type Evaluation struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// Pair counts: predicted (same cluster), true (same truth id), both.
	PredictedPairs int64 `json:"predicted_pairs"`
	TruePairs      int64 `json:"true_pairs"`
	TruePositives  int64 `json:"true_positives"`
	Clusters       int   `json:"clusters"`
	TrueClusters   int   `json:"true_clusters"`
	// Blocking: share of true pairs among candidates, and the share of all
	// comparable pairs that blocking avoided.
	PairCompleteness float64 `json:"pair_completeness"`
	ReductionRatio   float64 `json:"reduction_ratio"`
	CandidatePairs   int64   `json:"candidate_pairs"`
	ComparablePairs  int64   `json:"comparable_pairs"`
}

// Evaluate scores res against truth (one truth id per record; records with
// an empty truth id are their own entity).
func Evaluate(ds *Dataset, res *Result, truth []string) Evaluation {
	n := len(ds.Records)
	_, src := sourceIDs(ds)
	link := res.Settings.LinkType == Link
	tid := make([]int32, n)
	ids := map[string]int32{}
	for i, t := range truth {
		if t == "" {
			tid[i] = int32(-1 - i)
			continue
		}
		id, ok := ids[t]
		if !ok {
			id = int32(len(ids))
			ids[t] = id
		}
		tid[i] = id
	}
	// pairs within groups, minus pairs within one source for link
	count := func(groups ...[]int32) int64 {
		type key struct{ a, b, s int32 }
		g := map[key]int64{}
		gs := map[key]int64{}
		for i := 0; i < n; i++ {
			k := key{}
			k.a = groups[0][i]
			if len(groups) > 1 {
				k.b = groups[1][i]
			}
			g[k]++
			if link {
				k.s = src[i]
				gs[k]++
			}
		}
		var tot int64
		for _, c := range g {
			tot += c * (c - 1) / 2
		}
		for _, c := range gs {
			tot -= c * (c - 1) / 2
		}
		return tot
	}
	e := Evaluation{}
	e.PredictedPairs = count(res.Cluster)
	e.TruePairs = count(tid)
	e.TruePositives = count(res.Cluster, tid)
	if e.PredictedPairs > 0 {
		e.Precision = float64(e.TruePositives) / float64(e.PredictedPairs)
	}
	if e.TruePairs > 0 {
		e.Recall = float64(e.TruePositives) / float64(e.TruePairs)
	}
	if e.Precision+e.Recall > 0 {
		e.F1 = 2 * e.Precision * e.Recall / (e.Precision + e.Recall)
	}
	e.Clusters = res.Stats.Clusters
	tc := map[int32]bool{}
	for _, t := range tid {
		tc[t] = true
	}
	e.TrueClusters = len(tc)
	found := int64(0)
	for _, p := range res.Pairs {
		if tid[p.A] == tid[p.B] {
			found++
		}
	}
	if e.TruePairs > 0 {
		e.PairCompleteness = float64(found) / float64(e.TruePairs)
	}
	e.CandidatePairs = int64(len(res.Pairs))
	e.ComparablePairs = res.Stats.ComparablePair
	if e.ComparablePairs > 0 {
		e.ReductionRatio = 1 - float64(e.CandidatePairs)/float64(e.ComparablePairs)
	}
	return e
}

// PairCompleteness is the share of true pairs (same truth id, allowed by
// the link type; "" for the type means dedupe for one source, link for
// several) found among pairs.
func PairCompleteness(ds *Dataset, truth []string, pairs []Pair, linkType string) float64 {
	nsrc, src := sourceIDs(ds)
	if linkType == "" {
		linkType = Dedupe
		if nsrc > 1 {
			linkType = Link
		}
	}
	type key struct {
		t string
		s int32
	}
	byTruth := map[string]int64{}
	bySrc := map[key]int64{}
	for i, t := range truth {
		if t == "" {
			continue
		}
		byTruth[t]++
		bySrc[key{t, src[i]}]++
	}
	var all int64
	for _, c := range byTruth {
		all += c * (c - 1) / 2
	}
	if linkType == Link {
		for _, c := range bySrc {
			all -= c * (c - 1) / 2
		}
	}
	if all == 0 {
		return 0
	}
	found := int64(0)
	for _, p := range pairs {
		if t := truth[p.A]; t != "" && t == truth[p.B] {
			found++
		}
	}
	return float64(found) / float64(all)
}

// ReliabilityBin is one row of a reliability table: the pairs whose match
// probability falls in [Lo, Hi), their mean predicted probability and the
// share that truly match.
type ReliabilityBin struct {
	Lo        float64 `json:"lo"`
	Hi        float64 `json:"hi"`
	Pairs     int     `json:"pairs"`
	Predicted float64 `json:"predicted"`
	Observed  float64 `json:"observed"`
}

// Reliability tabulates predicted against observed match rates of the
// scored pairs by probability bin (bins equal bins over [0, 1]), with the
// truth per record (records with an empty truth id are their own
// entity). It also returns the expected calibration error: the mean over
// pairs of |predicted − observed| of their bin.
func Reliability(pairs []Pair, truth []string, bins int) ([]ReliabilityBin, float64) {
	prob := make([]float64, len(pairs))
	same := make([]bool, len(pairs))
	for i, p := range pairs {
		prob[i] = float64(p.Prob)
		t := truth[p.A]
		same[i] = t != "" && t == truth[p.B]
	}
	return reliability(prob, same, bins)
}
