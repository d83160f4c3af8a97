package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// The febrl files live with the matching engine's tests (see
// internal/link/match/testdata/SOURCES.md).
var linkTestdata = filepath.Join("..", "..", "internal", "link", "match", "testdata")

var febrlFieldArgs = []string{"--field", "given_name:name", "--field", "surname:name", "--field", "street_number:exact",
	"--field", "address_1:text", "--field", "address_2:text", "--field", "suburb:text", "--field", "postcode:exact",
	"--field", "state:category", "--field", "date_of_birth:date", "--field", "soc_sec_id:exact"}

func runLinkCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	return runCLI(t, "", append([]string{"link"}, args...)...)
}

// csvIDs reads an id,cluster CSV and returns the ids in order.
func csvIDs(t *testing.T, s string) []string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, s)
	}
	if len(rows) == 0 || rows[0][0] != "id" || rows[0][1] != "cluster" {
		t.Fatalf("bad header: %v", rows[:1])
	}
	var ids []string
	for _, r := range rows[1:] {
		ids = append(ids, r[0])
	}
	return ids
}

func TestLinkCLIFebrl4(t *testing.T) {
	a, b := filepath.Join(linkTestdata, "febrl4a.csv"), filepath.Join(linkTestdata, "febrl4b.csv")
	args := append([]string{"--input", a, "--input", b, "--id", "rec_id", "--truth", "true_id"}, febrlFieldArgs...)
	out, stderr, err := runLinkCLI(t, args...)
	if err != nil {
		t.Fatalf("link: %v\n%s", err, stderr)
	}
	// CSV first, then the evaluation as the last line.
	i := strings.LastIndex(strings.TrimRight(out, "\n"), "\n")
	csvPart, jsonPart := out[:i+1], out[i+1:]
	ids := csvIDs(t, csvPart)
	if len(ids) != 10000 {
		t.Errorf("%d ids in output, want 10000", len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("id %s twice", id)
		}
		seen[id] = true
	}
	var ev struct{ Precision, Recall, F1 float64 }
	if err := json.Unmarshal([]byte(jsonPart), &ev); err != nil {
		t.Fatalf("evaluation is not JSON: %v\n%q", err, jsonPart)
	}
	if ev.F1 < 0.998 {
		t.Errorf("febrl4 F1 %.4f, want ≥ 0.998", ev.F1)
	}
	if !strings.Contains(stderr, "model:") || !strings.Contains(stderr, "block ") {
		t.Errorf("no model summary on stderr:\n%s", stderr)
	}
	// Blocking is reported, with pair completeness, before the model.
	bi, pi, mi := strings.Index(stderr, "blocking:"), strings.Index(stderr, "pair completeness"), strings.Index(stderr, "model:")
	if bi < 0 || pi < bi || mi < pi {
		t.Errorf("blocking report missing or after the model:\n%s", stderr)
	}
}

func TestLinkCLIOutputFileAndModel(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(linkTestdata, "febrl3.csv")
	outFile, model, review := filepath.Join(dir, "clusters.csv"), filepath.Join(dir, "model.json"), filepath.Join(dir, "review.csv")
	args := append([]string{"--input", in, "--id", "rec_id", "--truth", "true_id", "--output", outFile,
		"--save-model", model, "--review", review, "--quiet"}, febrlFieldArgs...)
	out, stderr, err := runLinkCLI(t, args...)
	if err != nil {
		t.Fatalf("link: %v\n%s", err, stderr)
	}
	// With --output, stdout holds only the evaluation.
	var ev map[string]any
	if err := json.Unmarshal([]byte(out), &ev); err != nil || ev["f1"] == nil {
		t.Fatalf("stdout should be the evaluation JSON alone: %v\n%s", err, out)
	}
	if stderr != "" {
		t.Errorf("--quiet still wrote: %s", stderr)
	}
	first, err := os.ReadFile(outFile)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(csvIDs(t, string(first))); n != 5000 {
		t.Errorf("%d ids, want 5000", n)
	}
	if _, err := os.Stat(review); err != nil {
		t.Errorf("no review file: %v", err)
	}
	// Rerun with the saved model: same clusters.
	out2, stderr2, err := runLinkCLI(t, "--input", in, "--id", "rec_id", "--model", model, "--quiet")
	if err != nil {
		t.Fatalf("link --model: %v\n%s", err, stderr2)
	}
	if out2 != string(first) {
		t.Error("the saved model gave different clusters")
	}
}

func TestLinkCLIErrors(t *testing.T) {
	in := filepath.Join(linkTestdata, "febrl3.csv")
	for name, args := range map[string][]string{
		"duplicate ids across inputs": {"--input", in, "--input", in, "--id", "rec_id", "--field", "surname:name"},
		"unknown kind":                {"--input", in, "--id", "rec_id", "--field", "surname:fuzzy"},
		"bad field spec":              {"--input", in, "--id", "rec_id", "--field", "surname"},
		"missing column":              {"--input", in, "--id", "rec_id", "--field", "nope:name"},
		"no fields":                   {"--input", in, "--id", "rec_id"},
		"guard on no field":           {"--input", in, "--id", "rec_id", "--field", "surname:name", "--guard", "given_name"},
	} {
		_, _, err := runLinkCLI(t, args...)
		if rollcall.ErrorCode(err) != rollcall.EINVALID {
			t.Errorf("%s: %v, want an invalid-input error", name, err)
		}
	}
}

// --guard COL guards the field comparing COL; the saved model says so.
func TestLinkCLIGuard(t *testing.T) {
	in := filepath.Join(linkTestdata, "febrl3.csv")
	model := filepath.Join(t.TempDir(), "model.json")
	args := append([]string{"--input", in, "--id", "rec_id", "--truth", "true_id", "--output", os.DevNull, "--quiet",
		"--guard", "surname", "--guard", "date_of_birth", "--save-model", model}, febrlFieldArgs...)
	out, stderr, err := runLinkCLI(t, args...)
	if err != nil {
		t.Fatalf("link --guard: %v\n%s", err, stderr)
	}
	var ev struct{ Precision, Recall float64 }
	if err := json.Unmarshal([]byte(out), &ev); err != nil || ev.Precision < 0.99 {
		t.Errorf("guarded febrl3: %+v %v", ev, err)
	}
	b, err := os.ReadFile(model)
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Fields []struct {
			Column string
			Guard  bool
		}
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	for _, f := range s.Fields {
		if want := f.Column == "surname" || f.Column == "date_of_birth"; f.Guard != want {
			t.Errorf("field %s guard %t, want %t", f.Column, f.Guard, want)
		}
	}
}

// COL+ALT:KIND reads the alternative column and compares either form.
func TestLinkCLIAlternativeColumn(t *testing.T) {
	in := filepath.Join(t.TempDir(), "people.csv")
	data := "id,name,name_hangul,born\n" +
		"1,Kim Young-hee,,1961\n" +
		"2,,김영희,1961-03-04\n" +
		"3,Ri Sol Ju,리설주,1989\n" +
		"4,Lee Sol-ju,,c. 1989\n"
	if err := os.WriteFile(in, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := runLinkCLI(t, "--input", in, "--id", "id", "--field", "name+name_hangul:name", "--field", "born:date",
		"--block", "name", "--quiet")
	if err != nil {
		t.Fatalf("link: %v\n%s", err, stderr)
	}
	if ids := csvIDs(t, out); strings.Join(ids, ",") != "1,2,3,4" {
		t.Errorf("ids %v", ids)
	}
	_, _, err = runLinkCLI(t, "--input", in, "--id", "id", "--field", "name+nope:name")
	if rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("unknown alternative column: %v", err)
	}
}
