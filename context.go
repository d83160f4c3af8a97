package rollcall

import "context"

type ctxKey int

const actorKey ctxKey = iota

// Actor is who acts: a user name and role, carried in the context so that
// the store can check access and write the audit log without globals.
type Actor struct {
	Name string `json:"name"`
	Role string `json:"role"` // "admin", "editor", "analyst", "viewer", "system"
}

// Roles, in increasing order of power.
const (
	RoleViewer  = "viewer"
	RoleAnalyst = "analyst"
	RoleEditor  = "editor"
	RoleAdmin   = "admin"
	// RoleSystem is the local operator on the command line, who holds the
	// database file (and the key) anyway.
	RoleSystem = "system"
)

// WithActor returns a context carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey, a)
}

// ActorFrom returns the actor in ctx, or the zero Actor (no rights).
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey).(Actor)
	return a
}

// FieldCipher encrypts confidential fields at rest. The table, column and
// row key are bound as associated data, so a ciphertext moved to another row
// or column fails to open.
type FieldCipher interface {
	Seal(table, column, rowKey string, plaintext []byte) ([]byte, error)
	Open(table, column, rowKey string, ciphertext []byte) ([]byte, error)
	// BlindIndex is a keyed hash of a normalised value, for equality search
	// on a confidential field without storing it in clear.
	BlindIndex(table, column string, value []byte) string
}
