package audit

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall/internal/audit/chain"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// december is the injected clock: a date full of "12" catches a forgery that
// edits more than the line it means to.
var december = time.Date(2026, time.December, 12, 12, 12, 12, 0, time.UTC)

// TestTamperDetectedThroughSQL writes a real log through the store, then
// changes the database behind rollcall's back with plain SQL, as someone
// holding the file or the database password could, and checks that Verify
// names the first bad entry.
func TestTamperDetectedThroughSQL(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	pub := priv.Public().(ed25519.PublicKey)
	tests := []struct {
		name   string
		sql    []string
		seq    int64
		reason string
	}{
		{"intact", nil, 0, ""},
		{"edit a field", []string{`UPDATE audit_log SET detail = 'nothing to see' WHERE seq = 5`}, 5, "does not match its hash"},
		{"edit actor", []string{`UPDATE audit_log SET actor = 'someone-else' WHERE seq = 3`}, 3, "does not match its hash"},
		{"delete a row", []string{`DELETE FROM audit_log WHERE seq = 6`}, 6, "missing"},
		{"insert a row", []string{
			`UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 4`,
			`UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1004`,
			`INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before_hash, after_hash, detail, prev_hash, hash)
			 SELECT 4, at, 'mallory', 'delete', 'record', 1, '', '', '', hash, hash FROM audit_log WHERE seq = 3`,
		}, 4, "does not match its hash"},
		{"swap two rows", []string{
			`UPDATE audit_log SET seq = -1 WHERE seq = 7`,
			`UPDATE audit_log SET seq = 7 WHERE seq = 8`,
			`UPDATE audit_log SET seq = 8 WHERE seq = -1`,
		}, 7, "does not match its hash"},
		{"truncate the tail after a checkpoint", []string{`DELETE FROM audit_log WHERE seq > 9`}, 10, "tail removed"},
		{"delete the checkpoint too", []string{`DELETE FROM audit_log WHERE seq > 9`, `DELETE FROM audit_checkpoints`}, 0, "external"},
		// Only the size line changes (12 → 13); the clock below puts 12 in
		// every date field too, so a looser replace would break the time
		// instead of the signature, as it did every December.
		{"forged checkpoint", []string{"UPDATE audit_checkpoints SET text = replace(text, '\n12\n', '\n13\n')"}, -1, "signature"},
	}
	storetest.Run(t, func(t *testing.T, db storetest.DB) {
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				// Each case needs its own log: a fresh database of the same kind.
				s := storetest.Open(t, store.Open, db.Fresh(t), store.Options{})
				ctx := context.Background()
				for j := 1; j <= 12; j++ {
					if err := s.AppendAudit(ctx, chain.Entry{Actor: "alice", Action: "update", Entity: "record", EntityID: int64(j), Detail: fmt.Sprintf("change %d", j)}); err != nil {
						t.Fatal(err)
					}
				}
				cp, err := Checkpoint(ctx, s, priv, december)
				if err != nil {
					t.Fatal(err)
				}
				if cp.Size != 12 {
					t.Fatalf("checkpoint size %d", cp.Size)
				}
				for _, q := range tc.sql {
					if _, err := s.DB().Exec(q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
				_, _, err = Verify(ctx, s, Options{Trusted: pub})
				switch {
				case tc.seq == 0 && tc.reason == "":
					if err != nil {
						t.Fatalf("intact log rejected: %v", err)
					}
					return
				case tc.reason == "external":
					// With the stored checkpoint gone, the shortened chain is
					// self-consistent; the checkpoint kept outside catches it.
					if err != nil {
						t.Fatalf("without checkpoints the truncated chain should verify: %v", err)
					}
					_, _, err = Verify(ctx, s, Options{Trusted: pub, External: []string{cp.Text()}})
					var ve *chain.VerifyError
					if !errors.As(err, &ve) || ve.Seq != 10 {
						t.Fatalf("external checkpoint: %v, want seq 10", err)
					}
					return
				case tc.seq < 0:
					if err == nil || !strings.Contains(err.Error(), tc.reason) {
						t.Fatalf("err = %v, want %q", err, tc.reason)
					}
					return
				}
				var ve *chain.VerifyError
				if !errors.As(err, &ve) || ve.Seq != tc.seq || !strings.Contains(err.Error(), tc.reason) {
					t.Fatalf("err = %v, want seq %d with %q", err, tc.seq, tc.reason)
				}
			})
		}
	})
}

func TestExportNDJSON(t *testing.T) { storetest.Run(t, testExportNDJSON) }

func testExportNDJSON(t *testing.T, db storetest.DB) {
	s := storetest.Open(t, store.Open, db.DSN, store.Options{})
	ctx := context.Background()
	for j := 0; j < 3; j++ {
		s.AppendAudit(ctx, chain.Entry{Actor: "bob", Action: "create", Entity: "source", EntityID: int64(j)})
	}
	var b strings.Builder
	n, err := Export(ctx, s, &b)
	if err != nil || n != 3 {
		t.Fatalf("Export = %d, %v", n, err)
	}
	if lines := strings.Split(strings.TrimSpace(b.String()), "\n"); len(lines) != 3 || !strings.Contains(lines[2], `"seq":3`) {
		t.Fatalf("ndjson:\n%s", b.String())
	}
}

func TestCheckpointIfGrown(t *testing.T) { storetest.Run(t, testCheckpointIfGrown) }

func testCheckpointIfGrown(t *testing.T, db storetest.DB) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	s := storetest.Open(t, store.Open, db.DSN, store.Options{})
	ctx := context.Background()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if _, signed, err := CheckpointIfGrown(ctx, s, priv, at); err != nil || signed {
		t.Fatalf("empty log: signed %v, %v", signed, err)
	}
	s.AppendAudit(ctx, chain.Entry{Actor: "a", Action: "x"})
	c, signed, err := CheckpointIfGrown(ctx, s, priv, at)
	if err != nil || !signed || c.Size != 1 || !c.At.Equal(at) {
		t.Fatalf("first checkpoint: %+v %v %v", c, signed, err)
	}
	if c, signed, _ = CheckpointIfGrown(ctx, s, priv, at); signed || c.Size != 1 {
		t.Fatalf("unchanged log: %d %v", c.Size, signed)
	}
	s.AppendAudit(ctx, chain.Entry{Actor: "a", Action: "y"})
	if c, signed, _ = CheckpointIfGrown(ctx, s, priv, at); !signed || c.Size != 2 {
		t.Fatalf("grown log: %d %v", c.Size, signed)
	}
	if cps, _ := s.Checkpoints(ctx); len(cps) != 2 {
		t.Fatalf("%d checkpoints stored, want 2", len(cps))
	}
	// A tampered log is not checkpointed.
	s.DB().Exec(`UPDATE audit_log SET detail = 'z' WHERE seq = 1`)
	s.AppendAudit(ctx, chain.Entry{Actor: "a", Action: "w"})
	if _, _, err := CheckpointIfGrown(ctx, s, priv, at); err == nil {
		t.Fatal("checkpointed a tampered log")
	}
}

// TestPeriodicFollowsItsClock: Periodic signs at Start, then only when its
// clock (not the wall clock) has moved by Every and the log grew; stop
// waits for the goroutine, after which nothing is signed.
func TestPeriodicFollowsItsClock(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	s := storetest.Open(t, store.Open, storetest.SQLitePath(t), store.Options{})
	ctx := context.Background()
	var mu sync.Mutex
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); defer mu.Unlock(); now = now.Add(d) }
	count := func() int {
		cps, err := s.Checkpoints(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return len(cps)
	}
	s.AppendAudit(ctx, chain.Entry{Actor: "a", Action: "x"})
	stop := Periodic{Store: s, Signer: priv, Every: time.Hour, Now: clock, Poll: time.Millisecond}.Start(ctx)
	if n := count(); n != 1 {
		t.Fatalf("%d checkpoints after Start, want 1", n)
	}
	s.AppendAudit(ctx, chain.Entry{Actor: "a", Action: "y"})
	time.Sleep(50 * time.Millisecond) // 50 polls of an unmoved clock
	if n := count(); n != 1 {
		t.Fatalf("%d checkpoints before the clock moved, want 1", n)
	}
	advance(time.Hour)
	for deadline := time.Now().Add(10 * time.Second); count() != 2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint after the clock moved an hour")
		}
	}
	stop()
	s.AppendAudit(ctx, chain.Entry{Actor: "a", Action: "z"})
	advance(time.Hour)
	time.Sleep(20 * time.Millisecond)
	if n := count(); n != 2 {
		t.Fatalf("%d checkpoints after stop, want 2", n)
	}
}
