package web

import (
	"context"
	"maps"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

// A row is shown only to readers whose ceiling reaches its sensitivity
// (rollcall.Visible, the one rule); to the others it does not exist. The
// store redacts confidential fields; this hides rows, on every object the
// server hands out.

// visible reports whether the actor in ctx may see the row v (a pointer).
func visible(ctx context.Context, v any) bool {
	return rollcall.Visible(rollcall.ActorFrom(ctx), v)
}

// checkVisible turns an invisible row into "not found".
func checkVisible(ctx context.Context, v any) error {
	if !visible(ctx, v) {
		return rollcall.Errorf(rollcall.ENOTFOUND, "no such object")
	}
	return nil
}

// visibleOnly drops the rows the actor may not see.
func visibleOnly[T any](ctx context.Context, items []T) []T {
	a := rollcall.ActorFrom(ctx)
	out := items[:0:0]
	for i := range items {
		if rollcall.Visible(a, &items[i]) {
			out = append(out, items[i])
		}
	}
	return out
}

// visibleList wraps a store list so that the database leaves out the rows
// the actor may not see before paging: the page is full and the total
// counts only rows the actor may see. (Hiding them after paging, as
// visibleOnly does, would leak their number.) Every store list takes the
// filter; admins, who see everything, are not filtered.
func visibleList[T any](list func(context.Context, rollcall.ListOptions) ([]T, int, error)) func(context.Context, rollcall.ListOptions) ([]T, int, error) {
	return func(ctx context.Context, o rollcall.ListOptions) ([]T, int, error) {
		if a := rollcall.ActorFrom(ctx); !a.SeesUndeclared() {
			// A stricter bound the caller asked for stays; anything else
			// becomes the ceiling. Copied: the caller's map may be shared.
			f := maps.Clone(o.Filters)
			if f == nil {
				f = map[string]string{}
			}
			// A value that is no level is left for the store to refuse.
			if v := rollcall.Sensitivity(f[store.SensitivityMaxFilter]); v == "" || (v.Valid() && !a.MaySee(v)) {
				f[store.SensitivityMaxFilter] = string(a.Ceiling())
			}
			o.Filters = f
		}
		items, total, err := list(ctx, o)
		return visibleOnly(ctx, items), total, err
	}
}
