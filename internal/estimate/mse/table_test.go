package mse

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/bits"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

func TestReadCSVForms(t *testing.T) {
	agg := "A,B,C,count\n1,0,0,5\n0,1,0,3\n1,1,0,2\n0,0,1,4\n1,0,1,0\n0,1,1,1\n1,1,1,1\n"
	// The same people, one row each, in another order and with spaces.
	var ind strings.Builder
	ind.WriteString("A, B, C\n")
	for _, r := range []struct {
		row string
		n   int
	}{{"1,0,0", 5}, {"0,1,0", 3}, {"1,1,0", 2}, {"0,0,1", 4}, {"0,1,1", 1}, {"1,1,1", 1}} {
		for i := 0; i < r.n; i++ {
			ind.WriteString(r.row + "\n")
		}
	}
	a, err := ReadCSV(strings.NewReader(agg), "agg.csv")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ReadCSV(strings.NewReader(ind.String()), "ind.csv")
	if err != nil {
		t.Fatal(err)
	}
	if a.Observed() != 16 || b.Observed() != 16 {
		t.Fatalf("observed %d and %d, want 16", a.Observed(), b.Observed())
	}
	for p := range a.Counts {
		if a.Counts[p] != b.Counts[p] {
			t.Errorf("pattern %03b: %d vs %d", p, a.Counts[p], b.Counts[p])
		}
	}
	if strings.Join(b.Lists, ",") != "A,B,C" {
		t.Errorf("lists %q", b.Lists)
	}
	// From bitmasks and rows, and back through WriteCSV.
	c, _ := FromPatterns([]string{"A", "B", "C"}, []uint32{1, 1, 1, 1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 4, 6, 7})
	d, _ := FromRows([]string{"A", "B", "C"}, [][]bool{{true, false, false}})
	if d.Counts[1] != 1 {
		t.Errorf("FromRows: %v", d.Counts)
	}
	var buf bytes.Buffer
	if err := c.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	e, err := ReadCSV(&buf, "round-trip")
	if err != nil {
		t.Fatal(err)
	}
	for p := range a.Counts {
		if a.Counts[p] != c.Counts[p] || a.Counts[p] != e.Counts[p] {
			t.Errorf("pattern %03b: %d, %d, %d", p, a.Counts[p], c.Counts[p], e.Counts[p])
		}
	}
}

func TestReadCSVErrors(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     []string // substrings of the message
		field    string
	}{
		{"bad flag", "A,B,count\n1,0,3\n1,2,4\n", []string{"f.csv", "row 3", `column "B"`, `"2"`}, "B"},
		{"bad count", "A,B,count\n1,0,3\n1,1,x\n", []string{"f.csv", "row 3", `column "count"`}, "count"},
		{"negative count", "A,B,count\n1,0,-3\n", []string{"row 2", `column "count"`}, "count"},
		{"all zero", "A,B\n1,0\n0,0\n", []string{"row 3", "no list"}, ""},
		{"short row", "A,B,count\n1,0\n", []string{"f.csv", "row 2"}, ""},
		{"duplicate list", "A,A,count\n1,0,3\n", []string{"f.csv", "twice"}, ""},
		{"empty", "", []string{"f.csv", "empty"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := ReadCSV(strings.NewReader(c.in), "f.csv")
			if err == nil {
				t.Fatal("accepted")
			}
			if rollcall.ErrorCode(err) != rollcall.EINVALID {
				t.Errorf("code %q", rollcall.ErrorCode(err))
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message %q lacks %q", err.Error(), w)
				}
			}
			var e *rollcall.Error
			if c.field != "" && (!errors.As(err, &e) || e.Field != c.field) {
				t.Errorf("field %+v, want %q", e, c.field)
			}
		})
	}
}

func TestResultJSONNonFinite(t *testing.T) {
	r := Result{Method: MethodLogLinear, Observed: 5, Estimate: math.Inf(1), Lower: math.NaN(), Upper: math.NaN(), Level: 0.95,
		Parameters: map[string]float64{"x": math.Inf(-1), "y": 2}}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"estimate":null`) || strings.Contains(string(b), `"seed"`) {
		t.Errorf("json %s", b)
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !math.IsNaN(back.Estimate) || back.Parameters["y"] != 2 {
		t.Errorf("round trip %+v", back)
	}
	// A sampler result always reports its seed and burn-in, even when 0.
	b, _ = json.Marshal(Result{Method: MethodLCMCR})
	for _, k := range []string{`"seed":0`, `"burnin":0`, `"rhat"`, `"warnings":[]`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("lcmcr json %s lacks %s", b, k)
		}
	}
}

// Under homogeneous capture Chao's inequality is an equality: on the
// expected table of N people each seen by each of 5 lists with chance p,
// the bound is N (the form without (t−1)/t would give n + 1.25 f0).
func TestChaoExactUnderHomogeneity(t *testing.T) {
	const N, p, k = 1e6, 0.3, 5
	tb, _ := NewTable([]string{"A", "B", "C", "D", "E"})
	for pat := uint32(1); pat < 1<<k; pat++ {
		c := bits.OnesCount32(pat)
		tb.Add(pat, int(math.Round(N*math.Pow(p, float64(c))*math.Pow(1-p, float64(k-c)))))
	}
	if r := Chao(tb); math.Abs(r.Estimate/N-1) > 1e-4 {
		t.Errorf("Chao on the expected homogeneous table: %.1f, want %.0f", r.Estimate, N)
	}
}

// Chao's bound by hand, 3 lists: f1 = 12, f2 = 3 → n + (2/3)·144/6 = n + 16.
func TestChao(t *testing.T) {
	tb, _ := NewTable([]string{"A", "B", "C"})
	tb.Add(1, 5)
	tb.Add(2, 4)
	tb.Add(4, 3)
	tb.Add(3, 2)
	tb.Add(6, 1)
	tb.Add(7, 2)
	r := Chao(tb)
	if r.Observed != 17 || math.Abs(r.Estimate-(17+16)) > 1e-9 {
		t.Errorf("Chao %v (n %d), want 33", r.Estimate, r.Observed)
	}
	if !(r.Lower > 17 && r.Lower < r.Estimate && r.Upper > r.Estimate) {
		t.Errorf("interval [%v, %v]", r.Lower, r.Upper)
	}
	// f2 = 0: bias-corrected n + (2/3) f1(f1−1)/2.
	tb2, _ := NewTable([]string{"A", "B", "C"})
	tb2.Add(1, 3)
	tb2.Add(2, 1)
	tb2.Add(7, 1)
	if r := Chao(tb2); math.Abs(r.Estimate-(5+4)) > 1e-9 {
		t.Errorf("bias-corrected Chao %v, want 9", r.Estimate)
	}
	if o := ObservedCount(tb2); o.Estimate != 5 || o.Lower != 5 {
		t.Errorf("observed %+v", o)
	}
}
