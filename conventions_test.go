package rollcall_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackagesHaveDocComments keeps the house rule that every package says
// what it is for. Each non-test file's package clause and doc comment are
// parsed on their own (parser.ParseDir is deprecated).
func TestPackagesHaveDocComments(t *testing.T) {
	documented := map[string]bool{} // "dir: package" → has a doc comment
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") && path != "." {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil {
			return err
		}
		pkg := filepath.Dir(path) + ": package " + f.Name.Name
		documented[pkg] = documented[pkg] || f.Doc != nil && strings.TrimSpace(f.Doc.Text()) != ""
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(documented) < 2 {
		t.Fatalf("found only %d packages", len(documented))
	}
	for pkg, ok := range documented {
		if !ok {
			t.Errorf("%s has no doc comment", pkg)
		}
	}
}

// TestNoReplaceInGoMod: a replace directive would make a clone build
// something other than what the module proxy serves.
func TestNoReplaceInGoMod(t *testing.T) {
	b, err := os.ReadFile("go.mod")
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "replace") {
			t.Errorf("go.mod:%d: replace directive", i+1)
		}
	}
}
