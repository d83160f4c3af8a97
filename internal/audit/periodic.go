package audit

import (
	"context"
	"crypto/ed25519"
	"log/slog"
	"sync"
	"time"

	"github.com/rollcall-project/rollcall/internal/audit/chain"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Periodic signs checkpoints of the audit log while a server runs: one at
// Start, then one every Every by the clock Now, each only when the log grew
// since the last stored checkpoint. A log that no longer verifies is logged
// as an error (and not checkpointed) at each round in which it grew, so
// tampering with a running server's database shows in its log within one
// interval of the next change.
type Periodic struct {
	Store  *store.Store
	Signer ed25519.PrivateKey
	Every  time.Duration
	// Now is the clock the rounds follow [time.Now].
	Now func() time.Time
	Log *slog.Logger
	// Poll is how often, in real time, Now is read [min(Every, 1s)]: the
	// rounds follow Now, so a test's clock drives them.
	Poll time.Duration
}

// Start signs the first checkpoint (before it returns) and runs the rounds
// in a goroutine until stop is called or ctx ends; stop waits for the
// goroutine to finish.
func (p Periodic) Start(ctx context.Context) (stop func()) {
	if p.Now == nil {
		p.Now = time.Now
	}
	if p.Log == nil {
		p.Log = slog.New(slog.DiscardHandler)
	}
	if p.Poll <= 0 {
		p.Poll = min(p.Every, time.Second)
	}
	ctx, cancel := context.WithCancel(ctx)
	p.round(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.run(ctx)
	}()
	return func() {
		cancel()
		wg.Wait()
	}
}

func (p Periodic) run(ctx context.Context) {
	t := time.NewTicker(p.Poll)
	defer t.Stop()
	next := p.Now().Add(p.Every)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if now := p.Now(); !now.Before(next) {
			p.round(ctx)
			next = now.Add(p.Every)
		}
	}
}

// round signs a checkpoint if the log grew, and logs what it did.
func (p Periodic) round(ctx context.Context) {
	c, signed, err := CheckpointIfGrown(ctx, p.Store, p.Signer, p.Now())
	switch {
	case err != nil:
		if ctx.Err() == nil {
			p.Log.Error("audit checkpoint", "err", err)
		}
	case signed:
		p.Log.Info("audit checkpoint signed", "entries", c.Size, "root", c.Root.String())
	default:
		p.Log.Debug("audit log unchanged since its last checkpoint", "entries", c.Size)
	}
}

// CheckpointIfGrown signs (at now) and stores a checkpoint when the log has
// entries beyond the last stored checkpoint; signed is false, with c.Size
// the checkpointed size, when it has none. An empty log is not signed.
func CheckpointIfGrown(ctx context.Context, db *store.Store, priv ed25519.PrivateKey, now time.Time) (c chain.Checkpoint, signed bool, err error) {
	cps, err := db.Checkpoints(ctx)
	if err != nil {
		return c, false, err
	}
	var last int64
	if len(cps) > 0 {
		last = cps[len(cps)-1].Size
	}
	es, err := db.AuditEntries(ctx, last, 1)
	if err != nil {
		return c, false, err
	}
	if len(es) == 0 {
		c.Size = last
		return c, false, nil
	}
	c, err = Checkpoint(ctx, db, priv, now)
	if err != nil {
		return c, false, err
	}
	return c, true, nil
}
