package publish

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

var systemCtx = rollcall.WithActor(context.Background(), rollcall.Actor{Name: "test", Role: rollcall.RoleSystem})

// Publish records the publication with its audit entry; Prove's proof
// checks against the publisher's key for this export only.
func TestPublishRecordsAndProves(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
	ctx := systemCtx
	storetest.Run(t, func(t *testing.T, tdb storetest.DB) {
		st := storetest.Open(t, store.Open, tdb.DSN, store.Options{})
		r, err := Publish(ctx, st, priv, DefaultK, day)
		if err != nil {
			t.Fatal(err)
		}
		if r.Export.Publication != 1 || r.Export.Format != Format {
			t.Fatalf("publication %d format %s", r.Export.Publication, r.Export.Format)
		}
		sig := r.Sig
		proof, err := Prove(ctx, st, priv, r)
		if err != nil {
			t.Fatal(err)
		}
		pb, _ := json.Marshal(proof)
		got, c, err := CheckProof("export.json.proof", pb, pub, sig)
		if err != nil {
			t.Fatalf("CheckProof: %v", err)
		}
		if got.Entry.Action != "publish" || !strings.HasPrefix(got.Entry.Detail, "sha256="+sig.SHA256+" publication=1 ") || c.Size < got.Entry.Seq {
			t.Errorf("proof of entry %+v under a checkpoint of %d entries", got.Entry, c.Size)
		}
		for name, tc := range map[string]struct {
			b    []byte
			key  ed25519.PublicKey
			sig  Signature
			want string
		}{
			"another file": {pb, pub, Sign(priv, append(r.Bytes, ' ')), "for another file"},
			"another key":  {pb, otherPub, sig, "does not verify"},
			"not a proof":  {[]byte("{"), pub, sig, "export.json.proof is not a proof"},
		} {
			_, _, err := CheckProof("export.json.proof", tc.b, tc.key, tc.sig)
			if rollcall.ErrorCode(err) != rollcall.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want %q", name, err, tc.want)
			}
		}
		ps, err := st.Publications(ctx)
		if err != nil || len(ps) != 1 || ps[0].SHA256 != sig.SHA256 || ps[0].K != DefaultK || ps[0].Actor != "test" {
			t.Fatalf("publications %+v, %v", ps, err)
		}
		if got, err := st.PublicationBody(ctx, 1); err != nil || string(got.Body) != string(r.Bytes) {
			t.Fatalf("stored export differs: %v", err)
		}
		if _, err := Publish(ctx, st, priv, 0, day); rollcall.ErrorCode(err) != rollcall.EINVALID {
			t.Fatalf("k=0: %v", err)
		}
	})
}

// addPersons stores persons like ps (ids ignored) and returns them as stored.
func addPersons(t *testing.T, st *store.Store, ps []rollcall.Person) []rollcall.Person {
	t.Helper()
	out := make([]rollcall.Person, len(ps))
	for i, p := range ps {
		p.ID = 0
		if err := st.CreatePerson(systemCtx, &p); err != nil {
			t.Fatal(err)
		}
		out[i] = p
	}
	return out
}

// TestDifferencingThroughTheStore publishes random populations as they
// change, each publication checked against every earlier one the store
// recorded: no cell the store says was shown twice moved by 1..k-1, and
// the operator is told which cells were withheld.
func TestDifferencingThroughTheStore(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	storetest.Run(t, func(t *testing.T, tdb storetest.DB) {
		st := storetest.Open(t, store.Open, tdb.DSN, store.Options{})
		r := mrand.New(mrand.NewPCG(12, 3))
		const k = 4
		ps := addPersons(t, st, randomPersons(r, 60, 0.4))
		withheld := 0
		for round := range 6 {
			res, err := Publish(systemCtx, st, priv, k, day.Add(time.Duration(round)*time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if res.Export.Publication != int64(round+1) {
				t.Fatalf("round %d: publication %d", round, res.Export.Publication)
			}
			if found := attack(res.Export, ps, k); len(found) > 0 {
				t.Fatalf("publication %d reveals %v", round+1, found)
			}
			withheld += len(res.Withheld)
			if pubs, err := st.Publications(systemCtx); err != nil || len(pubs[round].Withheld) != len(res.Withheld) {
				t.Fatalf("stored withheld cells %+v, told %+v (%v)", pubs[round].Withheld, res.Withheld, err)
			}
			// One to three persons change: consent, fate, or a new one.
			for range 1 + r.IntN(3) {
				switch i := r.IntN(len(ps)); r.IntN(3) {
				case 0:
					ps[i].ConsentPublish = !ps[i].ConsentPublish
					if err := st.UpdatePerson(systemCtx, &ps[i]); err != nil {
						t.Fatal(err)
					}
				case 1:
					ps[i].Status = statuses[r.IntN(len(statuses))]
					if err := st.UpdatePerson(systemCtx, &ps[i]); err != nil {
						t.Fatal(err)
					}
				default:
					ps = append(ps, addPersons(t, st, randomPersons(r, 1, 0.5))...)
				}
			}
		}
		cells, err := st.PublishedCells(systemCtx)
		if err != nil {
			t.Fatal(err)
		}
		checkNoSmallDifferences(t, cells, k)
		if withheld == 0 {
			t.Fatal("six publications of a changing population withheld nothing: the check was not exercised")
		}
	})
}

// TestConcurrentPublications: publications made at once, while persons are
// added, are numbered 1..n without gaps and each was checked against all
// the others (the store's write lock serialises them).
func TestConcurrentPublications(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	storetest.Run(t, func(t *testing.T, tdb storetest.DB) {
		st := storetest.Open(t, store.Open, tdb.DSN, store.Options{})
		r := mrand.New(mrand.NewPCG(12, 4))
		const k, n = 5, 6
		addPersons(t, st, randomPersons(r, 40, 0.3))
		var wg sync.WaitGroup
		errs := make(chan error, 2*n)
		for i := range n {
			wg.Add(2)
			go func() {
				defer wg.Done()
				if _, err := Publish(systemCtx, st, priv, k, day); err != nil {
					errs <- fmt.Errorf("publish: %w", err)
				}
			}()
			go func() {
				defer wg.Done()
				p := person(0, false, "m", "Jagang-do", "executed")
				p.Name = fmt.Sprintf("Added %d", i)
				if err := st.CreatePerson(systemCtx, &p); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		pubs, err := st.Publications(systemCtx)
		if err != nil || len(pubs) != n {
			t.Fatalf("%d publications, %v", len(pubs), err)
		}
		for i, p := range pubs {
			if p.Number != int64(i+1) {
				t.Fatalf("publication numbers %+v", pubs)
			}
		}
		cells, err := st.PublishedCells(systemCtx)
		if err != nil {
			t.Fatal(err)
		}
		checkNoSmallDifferences(t, cells, k)
	})
}
