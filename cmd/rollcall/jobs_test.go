package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// TestJobsCommands: `jobs list` shows the queue, `jobs cancel` cancels a
// queued job and `jobs show` shows it afterwards; a bad id is refused.
func TestJobsCommands(t *testing.T) {
	storetest.Run(t, func(t *testing.T, d storetest.DB) {
		st := storetest.Open(t, store.Open, d.DSN, store.Options{})
		ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "ana", Role: rollcall.RoleAnalyst})
		at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
		j := &store.Job{Kind: "estimate", Params: json.RawMessage(`{"method":"chao"}`), Actor: "ana", ActorRole: rollcall.RoleAnalyst}
		if _, err := st.EnqueueJob(ctx, j, at); err != nil {
			t.Fatal(err)
		}
		out, err := runErr("", d.DSN, "jobs", "list")
		if err != nil || !strings.Contains(out, fmt.Sprintf("%d   estimate  queued", j.ID)) || !strings.Contains(out, "2025-01-02 03:04:05Z") {
			t.Errorf("jobs list: %v\n%s", err, out)
		}
		if out, err = runErr("", d.DSN, "jobs", "cancel", fmt.Sprint(j.ID)); err != nil || !strings.Contains(out, "cancelled") {
			t.Errorf("jobs cancel: %v\n%s", err, out)
		}
		if out, err = runErr("", d.DSN, "jobs", "show", fmt.Sprint(j.ID)); err != nil || !strings.Contains(out, "cancelled") || !strings.Contains(out, `"method":"chao"`) {
			t.Errorf("jobs show: %v\n%s", err, out)
		}
		if _, err = runErr("", d.DSN, "jobs", "show", "x"); err == nil || !strings.Contains(err.Error(), "positive whole number") {
			t.Errorf("bad id: %v", err)
		}
		if _, err = runErr("", d.DSN, "jobs", "list", "--status", "over"); err == nil || !strings.Contains(err.Error(), "queued, running, done") {
			t.Errorf("bad status: %v", err)
		}
	})
}
