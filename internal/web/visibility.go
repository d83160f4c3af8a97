package web

import (
	"context"

	"github.com/rollcall-project/rollcall"
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
