package publish

import (
	"crypto/ed25519"
	"crypto/rand"
	mrand "math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/rollcall-project/rollcall/internal/store"
)

// BenchmarkBuild100k builds an export of 100,000 persons against the cells
// of 10 earlier publications.
func BenchmarkBuild100k(b *testing.B) {
	r := mrand.New(mrand.NewPCG(1, 1))
	ps := randomPersons(r, 100_000, 0.1)
	var earlier []store.PublishedCell
	for i := range 10 {
		e, _, err := Build(Data{Persons: ps[:90_000+i*1000]}, Options{K: 5, Number: int64(i + 1), Now: day})
		if err != nil {
			b.Fatal(err)
		}
		earlier = append(earlier, e.Revealed()...)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := Build(Data{Persons: ps}, Options{K: 5, Number: 11, Now: day, Earlier: earlier}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPublish10k is one publication through a SQLite store of 10,000
// persons: read, check, sign and record in one write transaction (the time
// the write lock is held).
func BenchmarkPublish10k(b *testing.B) {
	st, err := store.Open(systemCtx, filepath.Join(b.TempDir(), "bench.db"), store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	r := mrand.New(mrand.NewPCG(1, 2))
	if err := st.InTx(systemCtx, func(tx *store.Store) error {
		for _, p := range randomPersons(r, 10_000, 0.1) {
			p.ID = 0
			if err := tx.CreatePerson(systemCtx, &p); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Publish(systemCtx, st, priv, 5, day); err != nil {
			b.Fatal(err)
		}
	}
}
