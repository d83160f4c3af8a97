package match_test

import (
	"context"
	"fmt"

	"github.com/rollcall-project/rollcall/internal/link/match"
)

// Linking records held elsewhere (a database, say): build a Dataset, run
// with the stored human decisions, and keep the clusters, the review queue
// and the trained settings.
func ExampleRun() {
	ds := &match.Dataset{Columns: []string{"name", "birth"}}
	add := func(id, src, name, birth string) {
		ds.Records = append(ds.Records, match.Record{ID: id, Source: src, Values: []string{name, birth}})
	}
	add("a1", "ngo", "김영희", "1961-03-04")
	add("a2", "ngo", "Park Chul-soo", "1955")
	add("b1", "un", "Kim Young-hee", "c. 1961")
	add("b2", "un", "Pak Ch'ŏl-su", "1955-07-01")
	add("b3", "un", "Ri Sol Ju", "1989")
	settings := match.Settings{
		Fields: []match.Field{{Column: "name", Kind: match.Name}, {Column: "birth", Kind: match.Date}},
		// A tiny input: say how to block instead of letting Run choose.
		Blocking: [][]string{{"name"}},
		LinkType: match.LinkAndDedupe,
	}
	decisions := []match.Decision{{A: "a2", B: "b2", Same: true}}
	res, err := match.Run(context.Background(), ds, settings, decisions)
	if err != nil {
		fmt.Println(err)
		return
	}
	for i, r := range ds.Records {
		fmt.Println(r.ID, res.Cluster[i])
	}
	// Output:
	// a1 0
	// a2 1
	// b1 0
	// b2 1
	// b3 2
}
