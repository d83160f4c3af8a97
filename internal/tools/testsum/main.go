// Command testsum reads `go test -json` output on stdin and prints a short
// report: the output of every failed test, every skipped test with its
// reason (so a run without PostgreSQL or Chromium says what it left out;
// one reason shared by many tests is one line with their count),
// and a closing line "N passed, N failed, N skipped". It exits 1 when any
// test or package failed.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type event struct {
	Action  string
	Package string
	Test    string
	Output  string
	Elapsed float64
}

type key struct{ pkg, test string }

func main() {
	os.Exit(run(os.Stdin, os.Stdout))
}

func run(in io.Reader, out io.Writer) int {
	output := map[key][]string{}
	var passed, failed, skipped int
	var failures, skips []key
	pkgFailed := map[string]bool{}
	pkgTime := map[string]float64{}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// Build errors and other non-JSON lines: pass them through.
			fmt.Fprintln(out, string(line))
			continue
		}
		k := key{e.Package, e.Test}
		switch e.Action {
		case "output":
			output[k] = append(output[k], e.Output)
		case "pass":
			if e.Test != "" {
				passed++
			} else {
				pkgTime[e.Package] = e.Elapsed
			}
		case "fail":
			if e.Test != "" {
				failed++
				failures = append(failures, k)
			} else {
				pkgFailed[e.Package] = true
				pkgTime[e.Package] = e.Elapsed
			}
		case "skip":
			if e.Test != "" {
				skipped++
				skips = append(skips, k)
			}
		}
	}
	for _, k := range failures {
		fmt.Fprintf(out, "--- FAIL %s %s\n%s", k.pkg, k.test, strings.Join(output[k], ""))
	}
	pkgs := make([]string, 0, len(pkgFailed))
	for p := range pkgFailed {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	for _, p := range pkgs {
		fmt.Fprintf(out, "FAIL package %s\n%s", p, strings.Join(output[key{p, ""}], ""))
	}
	if len(skips) > 0 {
		fmt.Fprintln(out, "Skipped (not run here, and why):")
		for _, l := range skipLines(skips, output) {
			fmt.Fprintln(out, "  "+l)
		}
	}
	var slow []string
	for p, t := range pkgTime {
		if t > 30 {
			slow = append(slow, fmt.Sprintf("%s %.0fs", shortPkg(p), t))
		}
	}
	sort.Strings(slow)
	if len(slow) > 0 {
		fmt.Fprintln(out, "Slow packages:", strings.Join(slow, ", "))
	}
	fmt.Fprintf(out, "%d passed, %d failed, %d skipped\n", passed, failed, skipped)
	if failed > 0 || len(pkgFailed) > 0 {
		return 1
	}
	return 0
}

func shortPkg(p string) string {
	return strings.TrimPrefix(p, "github.com/rollcall-project/rollcall/")
}

// skipLines says why each skipped test did not run. A reason given by one
// test names it; a reason shared by many (no PostgreSQL, say) is one line
// with the count and the packages, so the list stays readable.
func skipLines(skips []key, output map[key][]string) []string {
	var reasons []string
	byReason := map[string][]key{}
	for _, k := range skips {
		r := skipReason(output[k])
		if _, ok := byReason[r]; !ok {
			reasons = append(reasons, r)
		}
		byReason[r] = append(byReason[r], k)
	}
	lines := make([]string, 0, len(reasons))
	for _, r := range reasons {
		ks := byReason[r]
		if len(ks) == 1 {
			lines = append(lines, fmt.Sprintf("%s %s: %s", shortPkg(ks[0].pkg), ks[0].test, r))
			continue
		}
		var pkgs []string
		seen := map[string]bool{}
		for _, k := range ks {
			if p := shortPkg(k.pkg); !seen[p] {
				seen[p] = true
				pkgs = append(pkgs, p)
			}
		}
		sort.Strings(pkgs)
		lines = append(lines, fmt.Sprintf("%d tests: %s (in %s)", len(ks), r, strings.Join(pkgs, ", ")))
	}
	return lines
}

// skipReason picks the t.Skip message out of a skipped test's output.
func skipReason(lines []string) string {
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "=== ") || strings.HasPrefix(l, "--- SKIP") {
			continue
		}
		// "file_test.go:12: reason"
		if i := strings.Index(l, ".go:"); i >= 0 {
			if j := strings.Index(l[i+4:], ": "); j >= 0 {
				return l[i+4+j+2:]
			}
		}
		return l
	}
	return "(no reason given)"
}
