package linkage

import (
	"context"
	"fmt"
	"testing"
)

func TestDbgSynthPkg(t *testing.T) {
	ds, truth := fromSynth(t, 1000, 42)
	fields := []Field{{Column: "name", Kind: Name}, {Column: "sex", Kind: Category}, {Column: "birth", Kind: Date},
		{Column: "province", Kind: Category}, {Column: "facility", Kind: Category}}
	res, _ := Run(context.Background(), ds, Settings{Fields: fields, LinkType: LinkAndDedupe}, nil)
	n := 0
	for i, p := range res.Pairs {
		same := truth[p.A] == truth[p.B]
		pred := res.Cluster[p.A] == res.Cluster[p.B]
		if same != pred && n < 25 {
			n++
			fmt.Println(same, p.Prob)
			for _, c := range res.Explain(i) {
				fmt.Printf("    %-10s %-18s %6.2f  %q | %q\n", c.Column, c.Level, c.Weight, c.A, c.B)
			}
		}
	}
}
