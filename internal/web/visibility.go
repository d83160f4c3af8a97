package web

import (
	"context"
	"maps"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Rows marked confidential are shown only to roles that may read
// confidential data (editor, admin); to the others they do not exist. The
// store redacts confidential fields; this hides confidential rows, on every
// object the server hands out.

func sensitivityOf(v any) rollcall.Sensitivity {
	switch x := v.(type) {
	case *rollcall.Source:
		return x.Sensitivity
	case *rollcall.Record:
		return x.Sensitivity
	case *rollcall.Person:
		return x.Sensitivity
	case *rollcall.Event:
		return x.Sensitivity
	case *rollcall.FollowUp:
		return x.Sensitivity
	}
	return rollcall.Public
}

// visible reports whether the actor in ctx may see the row v (a pointer).
func visible(ctx context.Context, v any) bool {
	return sensitivityOf(v) != rollcall.Confidential || rollcall.ActorFrom(ctx).CanSeeConfidential()
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
	if rollcall.ActorFrom(ctx).CanSeeConfidential() {
		return items
	}
	out := items[:0:0]
	for i := range items {
		if visible(ctx, &items[i]) {
			out = append(out, items[i])
		}
	}
	return out
}

// hasSensitivity reports whether rows of type T carry a sensitivity.
func hasSensitivity[T any]() bool {
	var z T
	switch any(&z).(type) {
	case *rollcall.Source, *rollcall.Record, *rollcall.Person, *rollcall.Event, *rollcall.FollowUp:
		return true
	}
	return false
}

// visibleList wraps a store list so that, for an actor who may not see
// confidential rows, the database leaves them out before paging: the page
// is full and the total counts only rows the actor may see. (Hiding them
// after paging, as visibleOnly does, would leak their number.)
func visibleList[T any](list func(context.Context, rollcall.ListOptions) ([]T, int, error)) func(context.Context, rollcall.ListOptions) ([]T, int, error) {
	if !hasSensitivity[T]() {
		return list
	}
	return func(ctx context.Context, o rollcall.ListOptions) ([]T, int, error) {
		if !rollcall.ActorFrom(ctx).CanSeeConfidential() {
			// A stricter bound the caller asked for stays; anything else
			// becomes "internal". Copied: the caller's map may be shared.
			f := maps.Clone(o.Filters)
			if f == nil {
				f = map[string]string{}
			}
			// A value that is no level is left for the store to refuse.
			if v := rollcall.Sensitivity(f[store.SensitivityMaxFilter]); v != rollcall.Public && (v == "" || v.Valid()) {
				f[store.SensitivityMaxFilter] = string(rollcall.Internal)
			}
			o.Filters = f
		}
		items, total, err := list(ctx, o)
		return visibleOnly(ctx, items), total, err
	}
}
