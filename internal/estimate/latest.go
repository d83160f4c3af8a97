package estimate

import "github.com/rollcall-project/rollcall/internal/store"

// Latest keeps the newest stored estimate per stratum and method, in the
// order of first appearance: what a chart or a dashboard shows.
func Latest(rows []store.EstimateRow) []store.EstimateRow {
	type key struct{ stratum, method string }
	newest := map[key]int{}
	var order []key
	for i, r := range rows {
		k := key{r.Stratum, r.Method}
		j, ok := newest[k]
		if !ok {
			order = append(order, k)
		}
		if !ok || r.CreatedAt.After(rows[j].CreatedAt) || (r.CreatedAt.Equal(rows[j].CreatedAt) && r.ID > rows[j].ID) {
			newest[k] = i
		}
	}
	out := make([]store.EstimateRow, len(order))
	for i, k := range order {
		out[i] = rows[newest[k]]
	}
	return out
}
