package publish

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// Record's proof checks against the publisher's key for this export only.
func TestRecordAndCheckProof(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	ctx := rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})
	storetest.Run(t, func(t *testing.T, tdb storetest.DB) {
		st := storetest.Open(t, store.Open, tdb.DSN, store.Options{})
		e := Build(Data{}, 0, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
		b, err := e.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		sig := Sign(priv, b)
		proof, err := Record(ctx, st, priv, e, sig)
		if err != nil {
			t.Fatal(err)
		}
		pb, _ := json.Marshal(proof)
		got, c, err := CheckProof("export.json.proof", pb, pub, sig)
		if err != nil {
			t.Fatalf("CheckProof: %v", err)
		}
		if got.Entry.Action != "publish" || !strings.HasPrefix(got.Entry.Detail, "sha256="+sig.SHA256+" ") || c.Size < got.Entry.Seq {
			t.Errorf("proof of entry %+v under a checkpoint of %d entries", got.Entry, c.Size)
		}
		for name, tc := range map[string]struct {
			b    []byte
			key  ed25519.PublicKey
			sig  Signature
			want string
		}{
			"another file": {pb, pub, Sign(priv, append(b, ' ')), "for another file"},
			"another key":  {pb, otherPub, sig, "does not verify"},
			"not a proof":  {[]byte("{"), pub, sig, "export.json.proof is not a proof"},
		} {
			_, _, err := CheckProof("export.json.proof", tc.b, tc.key, tc.sig)
			if rollcall.ErrorCode(err) != rollcall.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want %q", name, err, tc.want)
			}
		}
	})
}
