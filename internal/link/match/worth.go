package match

// ReviewWorth is what a human decision on a doubtful pair is worth: the
// chance that the automatic answer (join at probability ≥ 0.5, keep apart
// below) is wrong, doubled so that a coin toss is worth 1, divided by the
// records the decision touches (both clusters; one when the pair lies
// inside one cluster) — the records a reviewer reads to decide, and a
// wrong split or merge of small clusters moves the counts the estimates
// stand on most (the singletons and pairs of Chao's f1, f2 and of
// one-list capture histories). touched below 2 counts as 2.
func ReviewWorth(prob float64, touched int) float64 {
	doubt := min(prob, 1-prob)
	if doubt < 0 {
		doubt = 0
	}
	return doubt * 2 / float64(max(touched, 2))
}
