package audit

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"time"

	"github.com/rollcall-project/rollcall/internal/store"
)

// RunPeriodic signs a checkpoint every interval while ctx lives, skipping
// rounds in which the log did not grow. A log that no longer verifies is
// logged as an error (and not checkpointed) every round, so tampering with a
// running server's database shows in its log within one interval.
func RunPeriodic(ctx context.Context, db *store.Store, priv ed25519.PrivateKey, interval time.Duration, log *slog.Logger) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	var last int64 = -1
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		size, err := CheckpointIfGrown(ctx, db, priv, last)
		if err != nil {
			if ctx.Err() == nil {
				log.Error("audit checkpoint", "err", err)
			}
			continue
		}
		if size != last {
			log.Info("audit checkpoint", "entries", size)
		}
		last = size
	}
}

// CheckpointIfGrown signs a checkpoint when the log has more than last
// entries; it returns the log's size.
func CheckpointIfGrown(ctx context.Context, db *store.Store, priv ed25519.PrivateKey, last int64) (int64, error) {
	cps, err := db.Checkpoints(ctx)
	if err != nil {
		return last, err
	}
	es, err := db.AuditEntries(ctx, max(last, 0), 1)
	if err != nil {
		return last, err
	}
	if last >= 0 && len(es) == 0 && len(cps) > 0 {
		return last, nil
	}
	c, err := Checkpoint(ctx, db, priv, time.Now())
	if err != nil {
		return last, err
	}
	return c.Size, nil
}
