package publish

import (
	"cmp"
	"slices"

	"github.com/rollcall-project/rollcall/internal/store"
)

// Differenced names a cell withheld from a publication because its count
// differs by 1..k-1 from the same cell in an earlier publication: shown,
// the difference would single out fewer than k persons. Value "" is the
// table's total. It is told to the operator, never written to the export.
type Differenced = store.WithheldCell

// Suppress makes the statistics tables of one publication from counts
// (one map per table, named by names) over the same total persons:
//
//   - a count in 1..k-1 is left out (primary suppression), and so is a
//     count whose difference with the same cell of an earlier publication
//     is in 1..k-1;
//   - all tables share one total, so any table lets a reader compute it:
//     in every table with a cell left out, more cells are left out (the
//     smallest first) until at least two are and together they hold at
//     least k persons, or every cell is (secondary suppression);
//   - when anything is left out, or the total itself differs by 1..k-1
//     from an earlier one, no total is given (and every table leaves out
//     enough that none can be computed).
//
// It returns the tables, the total to publish (nil when withheld) and the
// cells withheld because of an earlier publication.
func Suppress(names []string, counts []map[string]int, total, k int, earlier []store.PublishedCell) ([]Table, *int, []Differenced) {
	type key struct{ table, value string }
	prior := map[key][]store.PublishedCell{}
	for _, c := range earlier {
		prior[key{c.Table, c.Value}] = append(prior[key{c.Table, c.Value}], c)
	}
	// nearEarlier reports the earliest publication that showed the cell with a
	// count differing from n by 1..k-1, or 0.
	nearEarlier := func(table, value string, n int) int64 {
		for _, c := range prior[key{table, value}] {
			if d := n - c.Count; d != 0 && d > -k && d < k {
				return c.Publication
			}
		}
		return 0
	}
	var diffs []Differenced
	// Every table's total is the same number; an earlier total of any
	// table counts.
	totalBlocked := false
	seen := map[int64]bool{}
	for _, c := range earlier {
		if d := total - c.Count; c.Value == "" && d != 0 && d > -k && d < k {
			totalBlocked = true
			if !seen[c.Publication] {
				seen[c.Publication] = true
				diffs = append(diffs, Differenced{Table: c.Table, Value: "", Publication: c.Publication})
			}
		}
	}
	anyHidden := totalBlocked
	tables := make([]Table, len(names))
	for i, name := range names {
		type cell struct {
			value string
			n     int
			shown bool
		}
		var cells []cell
		for v, n := range counts[i] {
			if n > 0 {
				cells = append(cells, cell{value: v, n: n, shown: n >= k})
			}
		}
		slices.SortFunc(cells, func(a, b cell) int { return cmp.Compare(a.value, b.value) })
		hidden, hiddenSum := 0, 0
		for j := range cells {
			if cells[j].shown {
				if pub := nearEarlier(name, cells[j].value, cells[j].n); pub != 0 {
					cells[j].shown = false
					diffs = append(diffs, Differenced{Table: name, Value: cells[j].value, Publication: pub})
				}
			}
			if !cells[j].shown {
				hidden++
				hiddenSum += cells[j].n
			}
		}
		if hidden > 0 || totalBlocked {
			for hidden < 2 || hiddenSum < k {
				best := -1
				for j, c := range cells {
					if c.shown && (best < 0 || c.n < cells[best].n) {
						best = j
					}
				}
				if best < 0 {
					break // every cell is left out
				}
				cells[best].shown = false
				hidden++
				hiddenSum += cells[best].n
			}
		}
		anyHidden = anyHidden || hidden > 0
		tables[i] = Table{Name: name, Cells: []Cell{}}
		for _, c := range cells {
			if c.shown {
				tables[i].Cells = append(tables[i].Cells, Cell{Value: c.value, Count: c.n})
			}
		}
	}
	if anyHidden {
		return tables, nil, diffs
	}
	for i := range tables {
		t := total
		tables[i].Total = &t
	}
	return tables, &total, diffs
}

// Revealed lists the counts e shows, as the store records them: every
// cell, and every total (value "").
func (e *Export) Revealed() []store.PublishedCell {
	var out []store.PublishedCell
	for _, t := range e.Statistics {
		for _, c := range t.Cells {
			out = append(out, store.PublishedCell{Publication: e.Publication, Table: t.Name, Value: c.Value, Count: c.Count})
		}
		if t.Total != nil {
			out = append(out, store.PublishedCell{Publication: e.Publication, Table: t.Name, Value: "", Count: *t.Total})
		}
	}
	if e.Withheld != nil {
		out = append(out, store.PublishedCell{Publication: e.Publication, Table: "persons_withheld", Value: "", Count: *e.Withheld})
	}
	return out
}
