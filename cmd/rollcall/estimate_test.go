package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func runEstimateCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	return runCLI(t, "", append([]string{"estimate"}, args...)...)
}

// kosovoCSV is LCMCR's kosovo_aggregate (Ball et al. 2002), aggregated.
const kosovoCSV = `EXH,ABA,OSCE,HRW,count
1,0,0,0,1131
0,1,0,0,845
1,1,0,0,177
0,0,1,0,936
1,0,1,0,228
0,1,1,0,217
1,1,1,0,181
0,0,0,1,306
1,0,0,1,106
0,1,0,1,31
1,1,0,1,18
0,0,1,1,123
1,0,1,1,42
0,1,1,1,32
1,1,1,1,27
`

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestEstimateCLIJSON(t *testing.T) {
	in := writeTemp(t, "kosovo.csv", kosovoCSV)
	// Rcapture's BIC-best model and profile interval (mse-reference.md).
	out, _, err := runEstimateCLI(t, "--input", in, "--method", "loglinear", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var ll map[string]any
	if err := json.Unmarshal([]byte(out), &ll); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if ll["method"] != "loglinear" || ll["model"] != "[123][14][34]" || ll["observed"] != 4400.0 || ll["level"] != 0.95 {
		t.Errorf("loglinear json: %v", ll)
	}
	if e := ll["estimate"].(float64); e < 10350 || e > 10363 {
		t.Errorf("estimate %v, want 10356.5", e)
	}
	if lo, hi := ll["lower"].(float64), ll["upper"].(float64); lo < 8990 || lo > 9000 || hi < 12100 || hi > 12120 {
		t.Errorf("interval [%v, %v], want [8994.3, 12110.4]", lo, hi)
	}
	// With --max-order 2 no three-way term may be selected, whatever the criterion.
	out, _, err = runEstimateCLI(t, "--input", in, "--criterion", "aic", "--max-order", "2", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var aic map[string]any
	json.Unmarshal([]byte(out), &aic)
	if m := aic["model"].(string); strings.Contains(m, "123") {
		t.Errorf("max-order 2 gave model %s with a three-way term", m)
	}

	out, stderr, err := runEstimateCLI(t, "--input", in, "--method", "lcmcr", "--seed", "5", "--burnin", "1000", "--iterations", "20000", "--thin", "10", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	if stderr != "" {
		t.Errorf("progress written to a non-terminal stderr: %q", stderr)
	}
	var lc map[string]any
	if err := json.Unmarshal([]byte(out), &lc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"method", "observed", "estimate", "lower", "upper", "level", "seed", "iterations", "burnin", "rhat"} {
		if _, ok := lc[k]; !ok {
			t.Errorf("lcmcr json lacks %q: %s", k, out)
		}
	}
	if lc["seed"] != 5.0 || lc["burnin"] != 1000.0 || lc["iterations"] != 20000.0 {
		t.Errorf("settings %v", lc)
	}
	if e := lc["estimate"].(float64); e < 9500 || e > 11500 {
		t.Errorf("lcmcr median %v far from the reference 10,360–10,598", e)
	}

	out, _, err = runEstimateCLI(t, "--input", in, "--method", "chao", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var ch map[string]any
	json.Unmarshal([]byte(out), &ch)
	// f1 = 3218, f2 = 882, 4 lists: 4400 + (3/4)·3218²/1764.
	if e := ch["estimate"].(float64); e < 8802.5 || e > 8803.5 {
		t.Errorf("chao %v, want 8802.9", e)
	}
}

func TestEstimateCLITableAndIndividualRows(t *testing.T) {
	in := writeTemp(t, "people.csv", "A,B,C\n1,0,0\n1,1,0\n0,1,0\n0,0,1\n1,0,1\n0,1,1\n1,1,1\n1,0,0\n0,1,0\n0,0,1\n1,1,0\n")
	out, _, err := runEstimateCLI(t, "--input", in, "--max-order", "1")
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"observed", "11", "[1][2][3]", "estimate", "interval"} {
		if !strings.Contains(out, w) {
			t.Errorf("table output lacks %q:\n%s", w, out)
		}
	}
}

func TestEstimateCLIErrors(t *testing.T) {
	bad := writeTemp(t, "bad.csv", "A,B,count\n1,0,3\n1,7,2\n")
	good := writeTemp(t, "good.csv", kosovoCSV)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"--input", bad}, []string{"bad.csv", "row 3", `column "B"`}},
		{[]string{"--input", good, "--method", "magic"}, []string{"--method"}},
		{[]string{"--input", good, "--criterion", "cp"}, []string{"criterion"}},
		{[]string{"--input", good, "--format", "xml"}, []string{"--format"}},
		{[]string{"--method", "chao"}, []string{"--input"}},
		{[]string{"--input", filepath.Join(t.TempDir(), "missing.csv")}, []string{"missing.csv"}},
	} {
		_, _, err := runEstimateCLI(t, c.args...)
		if err == nil {
			t.Errorf("%v: no error", c.args)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: error %q lacks %q", c.args, err, w)
			}
		}
	}
}

// estimate --records links raw records and estimates in one step; with
// --linkage-draws the result carries the linkage object, with --method all
// one result per method, each with its warnings.
func TestEstimateCLIRecords(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := runCLI(t, "", "synth", "--persons", "400", "--seed", "5", "--out", dir); err != nil {
		t.Fatal(err)
	}
	args := []string{"--records", filepath.Join(dir, "records.csv"), "--list-column", "source", "--id", "key",
		"--field", "name+name_alt:name", "--field", "birth_date:date", "--field", "sex:exact", "--field", "facility:facility"}
	out, _, err := runEstimateCLI(t, append(args, "--method", "chao", "--linkage-draws", "5", "--seed", "2", "--format", "json")...)
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Observed int      `json:"observed"`
		Estimate float64  `json:"estimate"`
		Lower    float64  `json:"lower"`
		Upper    float64  `json:"upper"`
		Lists    []string `json:"lists"`
		Linkage  *struct {
			Draws int     `json:"draws"`
			Share float64 `json:"share"`
		} `json:"linkage"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if r.Linkage == nil || r.Linkage.Draws != 5 || len(r.Lists) != 5 || !(r.Lower <= r.Estimate && r.Estimate <= r.Upper) || r.Observed == 0 || r.Observed >= 400 {
		t.Errorf("records with draws: %s", out)
	}
	out, _, err = runEstimateCLI(t, append(args, "--method", "all", "--iterations", "3000", "--burnin", "500", "--seed", "2")...)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`method +loglinear`, `method +lcmcr`, `method +dga`, `method +chao`, `warning \[observed_is_floor\]`} {
		if !regexp.MustCompile(w).MatchString(out) {
			t.Errorf("--method all table lacks %q:\n%s", w, out)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--records", filepath.Join(dir, "records.csv"), "--id", "key", "--field", "name:name"}, "--list-column"},
		{append(args, "--by", "sex"), "--db"},
		{append(args, "--input", filepath.Join(dir, "records.csv")), "not both"},
		{append(args, "--list-column", "nosuchcolumn"), "nosuchcolumn"},
	} {
		if _, _, err := runEstimateCLI(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want an error naming %s", c.args[len(c.args)-2:], err, c.want)
		}
	}
}
