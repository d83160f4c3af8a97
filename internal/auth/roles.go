package auth

import "github.com/rollcall-project/rollcall"

// Roles lists the roles an account may hold, weakest first.
var Roles = []string{rollcall.RoleViewer, rollcall.RoleAnalyst, rollcall.RoleEditor, rollcall.RoleAdmin}

// rank orders roles; 0 means no rights (anonymous or unknown role).
func rank(role string) int {
	switch role {
	case rollcall.RoleViewer:
		return 1
	case rollcall.RoleAnalyst:
		return 2
	case rollcall.RoleEditor:
		return 3
	case rollcall.RoleAdmin, rollcall.RoleSystem:
		return 4
	}
	return 0
}

// ValidRole reports whether role can be given to an account.
func ValidRole(role string) bool {
	return role != rollcall.RoleSystem && rank(role) > 0
}

// Allows reports whether an actor with role may do what needs at least min.
// The empty min means anyone, logged in or not.
func Allows(role, min string) bool {
	if min == "" {
		return true
	}
	return rank(role) >= rank(min) && rank(role) > 0
}
