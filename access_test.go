package rollcall_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// notValues are the package's exported struct types that are not values
// the program hands out to readers, each with why. Every other exported
// struct type must implement rollcall.Sensitive: a new entity type fails
// TestEveryTypeDeclaresItsSensitivity until it says how sensitive it is.
var notValues = map[string]string{
	"Meta":        "embedded in entities; declaring here would let every entity inherit one level",
	"Actor":       "who reads, not what is read",
	"Error":       "an error message",
	"ListOptions": "a query",
	"Vocabulary":  "an index over terms (each Term declares its level)",
	"PartialDate": "a value inside entities",
	"Attribute":   "a resolved value inside an entity",
}

// TestEveryTypeDeclaresItsSensitivity type-checks the domain package and
// requires every exported struct type to implement Sensitive (value
// receiver, so values and pointers both do), except the few above; Meta
// must not, or every entity would inherit its answer (issue 12, finding 7).
func TestEveryTypeDeclaresItsSensitivity(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var files []*ast.File
	for _, n := range names {
		if strings.HasSuffix(n, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, n, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	pkg, err := conf.Check("github.com/rollcall-project/rollcall", fset, files, nil)
	if err != nil {
		t.Fatal(err)
	}
	iface := pkg.Scope().Lookup("Sensitive").Type().Underlying().(*types.Interface)
	structs := 0
	for _, name := range pkg.Scope().Names() {
		tn, ok := pkg.Scope().Lookup(name).(*types.TypeName)
		if !ok || !tn.Exported() {
			continue
		}
		if _, ok := tn.Type().Underlying().(*types.Struct); !ok {
			continue
		}
		structs++
		declares := types.Implements(tn.Type(), iface)
		if why, skip := notValues[name]; skip {
			if declares {
				t.Errorf("%s declares a sensitivity but is listed as not a value (%s)", name, why)
			}
			continue
		}
		if !declares {
			t.Errorf("%s does not implement Sensitive (with a value receiver): say how sensitive its values are, or why it is no value", name)
		}
	}
	if structs < 15 {
		t.Fatalf("found %d exported struct types; the walk is broken", structs)
	}
	for name := range notValues {
		if pkg.Scope().Lookup(name) == nil {
			t.Errorf("notValues names %s, which the package no longer has", name)
		}
	}
}

// undeclaredEntity is what a new entity type looks like before it declares
// its sensitivity: a Sensitivity field is not a declaration.
type undeclaredEntity struct {
	Name        string
	Sensitivity rollcall.Sensitivity
}

// TestVisibilityFailsClosed: the one rule by role and level, and a value
// whose type declares nothing is shown to admins (and the local operator)
// only; a level that is no level counts as confidential.
func TestVisibilityFailsClosed(t *testing.T) {
	roles := []string{"", "nobody", rollcall.RoleViewer, rollcall.RoleAnalyst, rollcall.RoleEditor, rollcall.RoleAdmin, rollcall.RoleSystem}
	cases := []struct {
		name string
		v    any
		sees []string // the roles that see v
	}{
		{"public record", &rollcall.Record{Sensitivity: rollcall.Public}, roles},
		{"internal person", rollcall.Person{Sensitivity: rollcall.Internal}, roles[2:]},
		{"confidential source", &rollcall.Source{Sensitivity: rollcall.Confidential}, roles[4:]},
		{"confidential follow-up", &rollcall.FollowUp{Sensitivity: rollcall.Confidential}, roles[4:]},
		{"event without a level", &rollcall.Event{}, roles[4:]},
		{"event with a bad level", &rollcall.Event{Sensitivity: "secret"}, roles[4:]},
		{"informant", rollcall.Informant{Name: "x"}, roles[4:]},
		{"facility", &rollcall.Facility{}, roles},
		{"amnesty outcome", &rollcall.AmnestyOutcome{}, roles[2:]},
		{"undeclared type", &undeclaredEntity{Sensitivity: rollcall.Public}, roles[5:]},
		{"undeclared value", undeclaredEntity{}, roles[5:]},
		{"a string", "text", roles[5:]},
		{"nil", nil, roles[5:]},
		{"nil record pointer", (*rollcall.Record)(nil), roles[5:]},
	}
	for _, c := range cases {
		for _, role := range roles {
			want := false
			for _, r := range c.sees {
				want = want || r == role
			}
			if got := rollcall.Visible(rollcall.Actor{Name: "a", Role: role}, c.v); got != want {
				t.Errorf("%s as %q: visible %v, want %v", c.name, role, got, want)
			}
		}
	}
	if s, ok := rollcall.RowSensitivity(undeclaredEntity{}); ok || s != rollcall.Confidential {
		t.Errorf("RowSensitivity of an undeclared type = %q, %v", s, ok)
	}
}

// TestRoleRankAndCeiling: the one ranking of roles and what each may see.
func TestRoleRankAndCeiling(t *testing.T) {
	for _, c := range []struct {
		role    string
		rank    int
		ceiling rollcall.Sensitivity
	}{
		{"", 0, rollcall.Public},
		{"root", 0, rollcall.Public},
		{rollcall.RoleViewer, 1, rollcall.Internal},
		{rollcall.RoleAnalyst, 2, rollcall.Internal},
		{rollcall.RoleEditor, 3, rollcall.Confidential},
		{rollcall.RoleAdmin, 4, rollcall.Confidential},
		{rollcall.RoleSystem, 4, rollcall.Confidential},
	} {
		a := rollcall.Actor{Role: c.role}
		if rollcall.RoleRank(c.role) != c.rank || a.Ceiling() != c.ceiling {
			t.Errorf("%q: rank %d ceiling %s, want %d %s", c.role, rollcall.RoleRank(c.role), a.Ceiling(), c.rank, c.ceiling)
		}
	}
	if rollcall.PublicReader().Ceiling() != rollcall.Public || rollcall.TeamExportReader().Ceiling() != rollcall.Internal {
		t.Error("the exports' readers see more than they should")
	}
}
