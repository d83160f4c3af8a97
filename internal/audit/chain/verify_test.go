package chain

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// chain builds a valid log of n entries.
func chain(n int) []Entry {
	var out []Entry
	prev := Genesis()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := 1; i <= n; i++ {
		e := Entry{Seq: int64(i), At: t0.Add(time.Duration(i) * time.Second), Actor: "alice", Action: "update", Entity: "record", EntityID: int64(i % 3), Detail: fmt.Sprintf("d%d", i), PrevHash: prev}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		out = append(out, e)
	}
	return out
}

// rehash recomputes hashes from index i on, as a forger who knows the
// scheme would (the chain then verifies; only a checkpoint catches it).
func rehash(es []Entry, i int) {
	for ; i < len(es); i++ {
		if i > 0 {
			es[i].PrevHash = es[i-1].Hash
		}
		es[i].Hash = es[i].ComputeHash()
	}
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name    string
		tamper  func([]Entry) []Entry
		wantSeq int64 // 0: valid
		reason  string
	}{
		{"intact", func(e []Entry) []Entry { return e }, 0, ""},
		{"empty", func(e []Entry) []Entry { return nil }, 0, ""},
		{"edit detail", func(e []Entry) []Entry { e[4].Detail = "x"; return e }, 5, "edited"},
		{"edit actor and own hash", func(e []Entry) []Entry { e[4].Actor = "mallory"; e[4].Hash = e[4].ComputeHash(); return e }, 6, "does not follow"},
		{"delete middle", func(e []Entry) []Entry { return append(e[:3], e[4:]...) }, 4, "missing"},
		{"delete first", func(e []Entry) []Entry { return e[1:] }, 1, "missing"},
		{"delete two", func(e []Entry) []Entry { return append(e[:3], e[5:]...) }, 4, "entries 4 to 5"},
		{"insert renumbered", func(e []Entry) []Entry {
			ins := Entry{Seq: 4, At: e[3].At, Actor: "mallory", Action: "delete", PrevHash: e[2].Hash}
			ins.Hash = ins.ComputeHash()
			out := append([]Entry{}, e[:3]...)
			out = append(out, ins)
			for _, x := range e[3:] {
				x.Seq++
				out = append(out, x)
			}
			return out
		}, 5, "edited"},
		{"swap contents keeping seq", func(e []Entry) []Entry {
			e[2].Seq, e[3].Seq = e[3].Seq, e[2].Seq
			e[2], e[3] = e[3], e[2]
			return e
		}, 3, "edited"},
		{"swap order", func(e []Entry) []Entry { e[2], e[3] = e[3], e[2]; return e }, 3, "missing"},
		{"duplicate", func(e []Entry) []Entry { return append(e[:5], e[4:]...) }, 5, "again"},
		{"wrong genesis", func(e []Entry) []Entry {
			e[0].PrevHash = strings.Repeat("0", 64)
			e[0].Hash = e[0].ComputeHash()
			return e
		}, 1, "genesis"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Verify(tc.tamper(chain(10)))
			if tc.wantSeq == 0 {
				if err != nil {
					t.Fatalf("valid log rejected: %v", err)
				}
				return
			}
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want *VerifyError", err)
			}
			if ve.Seq != tc.wantSeq || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("err = %v, want seq %d and %q", err, tc.wantSeq, tc.reason)
			}
		})
	}
}

// rfc6962 computes the Merkle tree hash straight from RFC 6962 §2.1, as an
// independent reference for the tlog-based Tree.
func rfc6962(leaves [][]byte) [32]byte {
	if len(leaves) == 0 {
		return [32]byte{}
	}
	if len(leaves) == 1 {
		return sha256.Sum256(append([]byte{0}, leaves[0]...))
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	l, r := rfc6962(leaves[:k]), rfc6962(leaves[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

func TestTreeMatchesRFC6962AndProves(t *testing.T) {
	es := chain(37)
	var tr Tree
	var leaves [][]byte
	for i, e := range es {
		if err := tr.Add(e.Hash); err != nil {
			t.Fatal(err)
		}
		b, _ := hex.DecodeString(e.Hash)
		leaves = append(leaves, b)
		root, _ := tr.Root()
		if want := rfc6962(leaves); root != tlog.Hash(want) {
			t.Fatalf("root at size %d differs from RFC 6962", i+1)
		}
	}
	root, _ := tr.Root()
	for i, e := range es {
		p, err := tr.ProveInclusion(int64(i), tr.Size())
		if err != nil {
			t.Fatal(err)
		}
		lh, _ := LeafHash(e.Hash)
		if err := tlog.CheckRecord(p, tr.Size(), root, int64(i), lh); err != nil {
			t.Fatalf("inclusion of seq %d: %v", e.Seq, err)
		}
		other, _ := LeafHash(es[(i+1)%len(es)].Hash)
		if tlog.CheckRecord(p, tr.Size(), root, int64(i), other) == nil {
			t.Fatalf("inclusion proof accepted the wrong entry at %d", i)
		}
	}
	for m := int64(1); m < tr.Size(); m += 5 {
		old, _ := tr.RootAt(m)
		p, err := tr.ProveConsistency(m, tr.Size())
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(p, tr.Size(), root, m, old); err != nil {
			t.Fatalf("consistency %d→%d: %v", m, tr.Size(), err)
		}
	}
}

func TestCheckpoint(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	es := chain(20)
	v := NewVerifier()
	for _, e := range es[:12] {
		v.Add(e)
	}
	cp, err := SignCheckpoint(priv, v, testClock)
	if err != nil {
		t.Fatal(err)
	}
	parsed, err := ParseCheckpoint(cp.Text())
	if err != nil {
		t.Fatal(err)
	}
	verifyAll := func(es []Entry) error {
		v := NewVerifier()
		for _, e := range es {
			if err := v.Add(e); err != nil {
				return err
			}
		}
		return parsed.CheckAgainst(v, pub)
	}
	if err := verifyAll(es); err != nil {
		t.Fatalf("intact log: %v", err)
	}
	// Truncating the tail keeps a valid chain; only the checkpoint shows it.
	if err := Verify(es[:9]); err != nil {
		t.Fatalf("truncated chain should verify on its own: %v", err)
	}
	var ve *VerifyError
	if err := verifyAll(es[:9]); !errors.As(err, &ve) || ve.Seq != 10 {
		t.Fatalf("truncated log: %v, want seq 10", err)
	}
	// A forger who rewrites entry 5 and recomputes every hash after it.
	forged := chain(20)
	forged[4].Detail = "rewritten"
	rehash(forged, 4)
	if err := Verify(forged); err != nil {
		t.Fatalf("rehashed forgery should pass the chain check: %v", err)
	}
	if err := verifyAll(forged); !errors.As(err, &ve) {
		t.Fatalf("rehashed forgery: %v", err)
	}
	// Another key, or an altered checkpoint, is refused.
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	if err := parsed.VerifySignature(other); err == nil {
		t.Fatal("checkpoint accepted for another key")
	}
	bad := strings.Replace(cp.Text(), "\n12\n", "\n11\n", 1)
	if c, err := ParseCheckpoint(bad); err == nil && c.VerifySignature(pub) == nil {
		t.Fatal("altered checkpoint verified")
	}
}

func FuzzParseCheckpoint(f *testing.F) {
	// A fixed key, so that every fuzz worker process signs the same way.
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)
	v := NewVerifier()
	for _, e := range chain(3) {
		v.Add(e)
	}
	cp, _ := SignCheckpoint(priv, v, time.Unix(0, 0))
	f.Add(cp.Text())
	f.Add("rollcall audit checkpoint v1\n\n— a b\n")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseCheckpoint(s)
		if err != nil {
			return
		}
		// Only the one signed statement may verify under this key.
		if c.VerifySignature(pub) == nil && (c.Size != cp.Size || c.Root != cp.Root || c.Head != cp.Head || !c.At.Equal(cp.At)) {
			t.Fatalf("a different checkpoint verified: %q", s)
		}
	})
}

func TestProof(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	es := chain(23)
	v := NewVerifier()
	for _, e := range es {
		v.Add(e)
	}
	cp, _ := SignCheckpoint(priv, v, testClock)
	for _, i := range []int{0, 7, 22} {
		p, err := v.Prove(es[i], cp)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Check(pub); err != nil {
			t.Fatalf("proof of seq %d: %v", es[i].Seq, err)
		}
		// An altered entry, even with its hash recomputed, fails the path.
		bad := p
		bad.Entry.Detail = "forged"
		bad.Entry.Hash = bad.Entry.ComputeHash()
		if _, err := bad.Check(pub); err == nil {
			t.Fatalf("forged entry %d accepted", es[i].Seq)
		}
		// The same entry claimed at another position fails.
		moved := p
		moved.Entry.Seq++
		moved.Entry.Hash = moved.Entry.ComputeHash()
		if _, err := moved.Check(pub); err == nil {
			t.Fatalf("entry %d accepted at another position", es[i].Seq)
		}
	}
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	p, _ := v.Prove(es[3], cp)
	if _, err := p.Check(other); err == nil {
		t.Fatal("proof accepted under another key")
	}
}

// FuzzProofCheck: no proof other than a genuine one may verify, whatever
// the JSON holds.
func FuzzProofCheck(f *testing.F) {
	priv := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))
	pub := priv.Public().(ed25519.PublicKey)
	es := chain(9)
	v := NewVerifier()
	for _, e := range es {
		v.Add(e)
	}
	cp, _ := SignCheckpoint(priv, v, time.Unix(0, 0))
	p, _ := v.Prove(es[4], cp)
	genuine, _ := json.Marshal(p)
	f.Add(genuine)
	f.Add([]byte(`{"entry":{"seq":1},"path":[],"checkpoint":""}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var q Proof
		if json.Unmarshal(b, &q) != nil {
			return
		}
		if _, err := q.Check(pub); err == nil {
			// Only the nine real entries can be proven.
			if q.Entry.Seq < 1 || q.Entry.Seq > 9 || q.Entry.Hash != es[q.Entry.Seq-1].Hash {
				t.Fatalf("forged proof verified: %s", b)
			}
		}
	})
}

// testClock is the fixed time the tests sign checkpoints at, so that no test
// depends on the day it runs.
var testClock = time.Date(2026, time.December, 12, 12, 12, 12, 0, time.UTC)
