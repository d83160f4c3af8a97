package auth

import "github.com/rollcall-project/rollcall"

// Roles lists the roles an account may hold, weakest first.
var Roles = []string{rollcall.RoleViewer, rollcall.RoleAnalyst, rollcall.RoleEditor, rollcall.RoleAdmin}

// ValidRole reports whether role can be given to an account.
func ValidRole(role string) bool {
	return role != rollcall.RoleSystem && rollcall.RoleRank(role) > 0
}

// Allows reports whether an actor with role may do what needs at least min.
// The empty min means anyone, logged in or not.
func Allows(role, min string) bool {
	if min == "" {
		return true
	}
	return rollcall.RoleRank(role) >= rollcall.RoleRank(min) && rollcall.RoleRank(role) > 0
}
