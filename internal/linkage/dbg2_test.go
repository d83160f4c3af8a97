package linkage

import (
	"context"
	"fmt"
	"testing"
)

func TestDbgFake(t *testing.T) {
	fields, cols := fieldsOf(t, "first_name:name", "surname:name", "dob:date", "city:category", "email:text")
	recs, truth := loadCSV(t, "splink_fake_1000.csv", "fake", "unique_id", "cluster", cols)
	ds := &Dataset{Columns: cols, Records: recs}
	res, _ := Run(context.Background(), ds, Settings{Fields: fields}, nil)
	fmt.Println(res.Settings.Lambda)
	for _, f := range res.Settings.Fields {
		fmt.Println(f.Column)
		for _, l := range f.Levels[1:] {
			fmt.Printf("   %-20s %.5f %.7f\n", l.Name, l.M, l.U)
		}
	}
	n := 0
	for i, p := range res.Pairs {
		same := truth[p.A] == truth[p.B]
		pred := res.Cluster[p.A] == res.Cluster[p.B]
		if same != pred && n < 12 {
			n++
			fmt.Println(same, p.Prob)
			for _, c := range res.Explain(i) {
				fmt.Printf("    %-10s %-18s %6.2f  %q | %q\n", c.Column, c.Level, c.Weight, c.A, c.B)
			}
		}
	}
	// missed by blocking
	have := map[[2]int32]bool{}
	for _, p := range res.Pairs { have[[2]int32{p.A, p.B}] = true }
	m := 0
	for a := range recs { for b := a+1; b < len(recs); b++ {
		if truth[a] == truth[b] && !have[[2]int32{int32(a), int32(b)}] && m < 15 {
			m++
			fmt.Printf("MISS %q | %q\n", recs[a].Values, recs[b].Values)
		}
	}}
}
