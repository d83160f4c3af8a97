package rollcall

import "reflect"

// Access control has one home: this file (issue 12, finding 7). Who may do
// what is RoleRank; what a role may see is its Ceiling; how sensitive a
// value is, its type says by implementing Sensitive. Web pages and the API,
// the store's list filter and field redaction, the team export and the
// public export all call Visible or the Ceiling. It fails closed: a value
// whose type declares no sensitivity is shown to admins only. Which role a
// route needs is declared with the route (internal/web/routes.go).

// RoleRank orders roles: viewer 1 < analyst 2 < editor 3 < admin 4; the
// local operator (system) ranks as admin; 0 is no rights (anonymous or an
// unknown role).
func RoleRank(role string) int {
	switch role {
	case RoleViewer:
		return 1
	case RoleAnalyst:
		return 2
	case RoleEditor:
		return 3
	case RoleAdmin, RoleSystem:
		return 4
	}
	return 0
}

// Ceiling is the most sensitive level the actor may see: confidential for
// editors and admins, internal for analysts and viewers, public for anyone
// else (no role, an unknown role, the readers of the public export).
func (a Actor) Ceiling() Sensitivity {
	switch r := RoleRank(a.Role); {
	case r >= RoleRank(RoleEditor):
		return Confidential
	case r > 0:
		return Internal
	}
	return Public
}

// MaySee reports whether the actor may see values of level s. A value that
// is no level counts as confidential.
func (a Actor) MaySee(s Sensitivity) bool {
	if !s.Valid() {
		s = Confidential
	}
	return s.Rank() <= a.Ceiling().Rank()
}

// CanSeeConfidential reports whether the role may read confidential rows
// and fields.
func (a Actor) CanSeeConfidential() bool { return a.MaySee(Confidential) }

// SeesUndeclared reports whether the actor may see values whose type
// declares no sensitivity: admins and the local operator only.
func (a Actor) SeesUndeclared() bool { return RoleRank(a.Role) >= RoleRank(RoleAdmin) }

// TeamExportReader is whom the team's own export is written for: what an
// analyst may see, so never a confidential row.
func TeamExportReader() Actor { return Actor{Name: "export", Role: RoleAnalyst} }

// PublicReader is whom the public export is written for: anyone, so
// public rows only.
func PublicReader() Actor { return Actor{Name: "public"} }

// Sensitive is implemented by every type of value the program hands out
// (TestEveryTypeDeclaresItsSensitivity walks the package). A row type with
// its own level returns it; a type whose values are all alike returns a
// constant.
type Sensitive interface {
	DeclaredSensitivity() Sensitivity
}

// RowSensitivity is v's level and whether v's type declares one. Without
// a declaration (or for a nil pointer) it is (Confidential, false), and
// Visible shows v to admins only. A declared value that is no level ("" in
// a row) counts as confidential, as in the store's SQL filter.
func RowSensitivity(v any) (Sensitivity, bool) {
	x, ok := v.(Sensitive)
	if !ok {
		return Confidential, false
	}
	if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && rv.IsNil() {
		return Confidential, false
	}
	s := x.DeclaredSensitivity()
	if !s.Valid() {
		s = Confidential
	}
	return s, true
}

// Visible reports whether actor may see v (a value or a pointer to one).
func Visible(actor Actor, v any) bool {
	s, ok := RowSensitivity(v)
	if !ok {
		return actor.SeesUndeclared()
	}
	return actor.MaySee(s)
}

// SensitivityPerRow reports whether values of v's type each carry their
// own level (a Sensitivity field), so that a store must filter by column
// rather than by the type's constant.
func SensitivityPerRow(v any) bool {
	t := reflect.TypeOf(v)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return false
	}
	f, ok := t.FieldByName("Sensitivity")
	return ok && f.Type == reflect.TypeFor[Sensitivity]()
}

// The domain types' levels. Rows with their own level return it; the rest
// say what all their values are.

func (v Source) DeclaredSensitivity() Sensitivity   { return v.Sensitivity }
func (v Record) DeclaredSensitivity() Sensitivity   { return v.Sensitivity }
func (v Person) DeclaredSensitivity() Sensitivity   { return v.Sensitivity }
func (v Event) DeclaredSensitivity() Sensitivity    { return v.Sensitivity }
func (v FollowUp) DeclaredSensitivity() Sensitivity { return v.Sensitivity }

// Informant is the most sensitive data in the system.
func (Informant) DeclaredSensitivity() Sensitivity { return Confidential }

// Facilities, vocabularies, published figures and decrees are public
// reference data.
func (Facility) DeclaredSensitivity() Sensitivity          { return Public }
func (Term) DeclaredSensitivity() Sensitivity              { return Public }
func (PublishedEstimate) DeclaredSensitivity() Sensitivity { return Public }
func (AmnestyDecree) DeclaredSensitivity() Sensitivity     { return Public }

// An amnesty outcome is an observation about a named person: the team's.
func (AmnestyOutcome) DeclaredSensitivity() Sensitivity { return Internal }

// Conflicts and victims are parts of a person and an event, shown with
// them; as values of their own they are the team's.
func (Conflict) DeclaredSensitivity() Sensitivity { return Internal }
func (Victim) DeclaredSensitivity() Sensitivity   { return Internal }
