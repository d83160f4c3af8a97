package rule

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
)

// benchPopulation is a deterministic mix of complete, partial and unknown
// facts, like a real documentation set.
func benchPopulation(n int) []Detainee {
	rng := rand.New(rand.NewPCG(1, 2))
	charges := []string{"crimes_against_state", "political", "economic", "illegal_border_crossing", "ordinary_criminal"}
	types := []string{"kyohwaso", "kwanliso", "rodong_danryeondae", "jipkyulso"}
	date := func(y int) rollcall.PartialDate {
		switch rng.IntN(4) {
		case 0:
			return rollcall.MustDate(fmt.Sprint(y))
		case 1:
			return rollcall.MustDate(fmt.Sprintf("%d-%02d", y, 1+rng.IntN(12)))
		case 2:
			return rollcall.MustDate(fmt.Sprintf("%d-%02d-%02d", y, 1+rng.IntN(12), 1+rng.IntN(28)))
		}
		return rollcall.PartialDate{}
	}
	out := make([]Detainee, n)
	for i := range out {
		d := Detainee{ID: fmt.Sprint(i)}
		if rng.IntN(5) > 0 {
			d.Sex = []string{"f", "m"}[rng.IntN(2)]
		}
		d.BirthDate = date(1930 + rng.IntN(70))
		d.DetainedFrom = date(1995 + rng.IntN(25))
		if rng.IntN(3) == 0 {
			d.ReleasedOn = date(2005 + rng.IntN(15))
		}
		if rng.IntN(4) > 0 {
			d.FacilityType = []string{types[rng.IntN(len(types))]}
			d.Facility = []string{fmt.Sprintf("%s-%d", d.FacilityType[0], rng.IntN(20))}
		}
		if rng.IntN(4) > 0 {
			d.ChargesKnown = true
			for range 1 + rng.IntN(2) {
				d.Charges = append(d.Charges, charges[rng.IntN(len(charges))])
			}
		}
		if rng.IntN(2) == 0 {
			d.SentenceYears = Exact(float64(1 + rng.IntN(15)))
			d.SentenceStart = d.DetainedFrom
		}
		out[i] = d
	}
	return out
}

// BenchmarkDecideAll100k evaluates a decree over 100,000 persons and
// reports persons per second.
func BenchmarkDecideAll100k(b *testing.B) {
	for _, rule := range []string{
		`detained && "crimes_against_state" in charges`,
		`detained && (age >= 60 || sex == "f" || served_years >= sentence_years / 2.0) && !charges.exists(c, c == "political") && facility_type in ["kyohwaso", "rodong_danryeondae"]`,
	} {
		r, err := Compile(rule, testVocabulary(b))
		if err != nil {
			b.Fatal(err)
		}
		persons := benchPopulation(100_000)
		on := rollcall.MustDate("2015-08-01")
		b.Run(fmt.Sprintf("rule%d", len(r.Uses())), func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				if _, err := DecideAll(r, on, persons); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(persons))/time.Since(start).Seconds(), "persons/s")
		})
	}
}
