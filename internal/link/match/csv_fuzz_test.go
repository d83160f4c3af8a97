package match

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// FuzzReadCSVAndLink reads arbitrary CSV as linkage input and, when it
// reads, links the records with every comparator kind (name with a Hangul
// alternative, partial date, text, category, exact id, number): no panic,
// input errors are EINVALID, and a run gives every record a cluster and
// every pair a probability in [0, 1].
func FuzzReadCSVAndLink(f *testing.F) {
	cols := []string{"name", "name_ko", "birth", "place", "province", "ref", "age"}
	head := "id,name,name_ko,birth,place,province,ref,age\n"
	for _, s := range []string{
		head + "a1,Kim Young-hee,김영희,1961-03-04,Yodok,South Hamgyong,X1,55\nb1,Kim Yong-hui,,c. 1961,yodok camp,South Hamgyong,X1,56\n" +
			"a2,Park Chul-soo,박철수,1955,Hoeryong,North Hamgyong,X2,60\nb2,Pak Ch'ŏl-su,,1955-07-01,Hoeryong,North Hamgyong,X3,61.5\n",
		head + "1,Ri Sol Ju,,1989,,,,\n2,Ri Sol-ju,리설주,1989-09,,,,\n3,,,,,,,\n",
		head + "1,\"quoted, name\",,\"1961\"\"\",x,,,-1e308\n2,a,,before 1950,x,,,NaN\n3,a,,1950s,x,,,Inf\n",
		"\ufeffid,name,name_ko,birth,place,province,ref,age\r\nx,Kim,김,1987-13-45,a,b,c,1\r\ny,Kim,김,31/12/1987,a,b,c,2\r\n",
		head + "dup,Kim,,1990,,,,\ndup,Kim,,1990,,,,\n",
		head + " ,Kim,,,,,,\n",
		"name,birth\nKim,1990\n",
		head + "1,\"unterminated\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		recs, err := ReadCSV(bytes.NewReader(data), "in.csv", "s", "id", cols)
		if err != nil {
			if rollcall.ErrorCode(err) != rollcall.EINVALID || !strings.Contains(rollcall.ErrorMessage(err), "in.csv") {
				t.Fatalf("read error %v (code %s), want EINVALID naming the file", err, rollcall.ErrorCode(err))
			}
			return
		}
		for i, r := range recs {
			if strings.TrimSpace(r.ID) == "" || len(r.Values) != len(cols) || r.Source != "s" {
				t.Fatalf("record %d: %+v", i, r)
			}
			// Two sources, so that "link" and "link_and_dedupe" have
			// pairs to score.
			if i%2 == 1 {
				recs[i].Source = "t"
			}
		}
		if len(recs) > 60 {
			recs = recs[:60] // linking cost grows with the square of this
		}
		ds := &Dataset{Columns: cols, Records: recs}
		s := Settings{
			Fields: []Field{
				{Column: "name", Kind: Name, Alternatives: []string{"name_ko"}},
				{Column: "birth", Kind: Date},
				{Column: "place", Kind: Text},
				{Column: "province", Kind: Category},
				{Column: "ref", Kind: Exact},
				{Column: "age", Kind: Number},
			},
			Blocking: [][]string{{"name"}, {"birth:year"}, {"province"}},
			LinkType: LinkAndDedupe,
			Seed:     1,
		}
		res, err := RunWithOptions(context.Background(), ds, s, nil, Options{Workers: 1})
		if err != nil {
			if rollcall.ErrorCode(err) != rollcall.EINVALID {
				t.Fatalf("run: %v (code %s), want EINVALID", err, rollcall.ErrorCode(err))
			}
			return
		}
		if len(res.Cluster) != len(recs) {
			t.Fatalf("%d clusters for %d records", len(res.Cluster), len(recs))
		}
		for _, c := range res.Cluster {
			if c < 0 || int(c) >= len(recs) {
				t.Fatalf("cluster number %d out of range", c)
			}
		}
		for _, p := range res.Pairs {
			if math.IsNaN(float64(p.Prob)) || p.Prob < 0 || p.Prob > 1 {
				t.Fatalf("pair %+v: probability %v", p, p.Prob)
			}
		}
	})
}
