package auth

import (
	"errors"
	"fmt"
	"testing"
	"time"
)

// clock is a settable time for the limiter.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock               { return &clock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)} }
func testLimiter(c *clock) *Limiter  { l := NewLimiter(); l.Now = c.now; return l }
func failN(l *Limiter, n int, acct, addr string) {
	for range n {
		l.Fail(acct, addr)
	}
}

// TestLimiterPairBackoff: a pair's wait doubles after the free failures and
// stops at the cap; waiting it out lets the pair try again.
func TestLimiterPairBackoff(t *testing.T) {
	c := newClock()
	l := testLimiter(c)
	for i := range l.PairFree {
		if w := l.Wait("alice", "10.0.0.1"); w != 0 {
			t.Fatalf("after %d failures: wait %v, want none", i, w)
		}
		l.Fail("alice", "10.0.0.1")
	}
	want := time.Second
	for i := range 14 {
		l.Fail("alice", "10.0.0.1")
		if w := l.Wait("alice", "10.0.0.1"); w != want {
			t.Fatalf("failure %d past the free ones: wait %v, want %v", i+1, w, want)
		}
		c.add(want)
		if w := l.Wait("alice", "10.0.0.1"); w != 0 {
			t.Fatalf("after waiting %v: still %v", want, w)
		}
		want = min(2*want, l.Cap)
	}
	if want != l.Cap {
		t.Fatalf("backoff never reached the cap: %v", want)
	}
}

// TestLimiterOneAddressDoesNotLockOthers: failures from one address (a
// proxy) on one account leave the other accounts behind it, and the same
// account from another address below the account threshold, free.
func TestLimiterOneAddressDoesNotLockOthers(t *testing.T) {
	c := newClock()
	l := testLimiter(c)
	failN(l, 12, "alice", "192.0.2.7")
	if l.Wait("alice", "192.0.2.7") == 0 {
		t.Fatal("12 failures of one pair are not throttled")
	}
	for _, acct := range []string{"bob", "carol", "ALICE2"} {
		if w := l.Wait(acct, "192.0.2.7"); w != 0 {
			t.Errorf("%s behind the same address waits %v", acct, w)
		}
	}
	if w := l.Wait("alice", "198.51.100.1"); w != 0 {
		t.Errorf("alice from another address waits %v", w)
	}
	// Names are matched case-insensitively, as logins are.
	if l.Wait("Alice", "192.0.2.7") == 0 {
		t.Error("a different case of the name escapes the throttle")
	}
}

// TestLimiterManyAddresses: guessing at one account from many addresses,
// one try each, is throttled on the account once past AccountFree, for
// every address, with a backoff capped at AccountCap.
func TestLimiterManyAddresses(t *testing.T) {
	c := newClock()
	l := testLimiter(c)
	for i := range l.AccountFree {
		addr := fmt.Sprintf("203.0.113.%d", i)
		if w := l.Wait("alice", addr); w != 0 {
			t.Fatalf("try %d: wait %v", i, w)
		}
		l.Fail("alice", addr)
	}
	l.Fail("alice", "203.0.113.200")
	if w := l.Wait("alice", "203.0.113.201"); w != l.Base {
		t.Fatalf("a fresh address after %d failures on the account: wait %v, want %v", l.AccountFree+1, w, l.Base)
	}
	failN(l, 40, "alice", "203.0.113.202")
	if w := l.Wait("alice", "203.0.113.203"); w != l.AccountCap {
		t.Fatalf("account wait %v, want the cap %v", w, l.AccountCap)
	}
	if w := l.Wait("bob", "203.0.113.203"); w != 0 {
		t.Fatalf("another account waits %v", w)
	}
}

// TestLimiterResetAndForget: a success clears both keys; a day without a
// failure forgets them.
func TestLimiterResetAndForget(t *testing.T) {
	c := newClock()
	l := testLimiter(c)
	failN(l, 30, "alice", "10.0.0.1")
	l.Reset("alice", "10.0.0.1")
	if w := l.Wait("alice", "10.0.0.1"); w != 0 || len(l.keys) != 0 {
		t.Fatalf("after reset: wait %v, %d keys kept", w, len(l.keys))
	}
	failN(l, 30, "alice", "10.0.0.1")
	c.add(l.Forget)
	if w := l.Wait("alice", "10.0.0.1"); w != 0 {
		t.Fatalf("after %v: wait %v", l.Forget, w)
	}
	// Forgotten means counting from zero again, not from where it was.
	l.Fail("alice", "10.0.0.1")
	if w := l.Wait("alice", "10.0.0.1"); w != 0 {
		t.Fatalf("first failure after forgetting: wait %v", w)
	}
}

// TestLimiterBounded: a spray of distinct keys does not grow the map past
// its bound, and keys that hold someone back are kept over those that do
// not.
func TestLimiterBounded(t *testing.T) {
	c := newClock()
	l := testLimiter(c)
	failN(l, 10, "victim", "10.0.0.1")
	for i := range maxKeys {
		l.Fail(fmt.Sprint("u", i), "10.0.0.2")
	}
	if len(l.keys) > maxKeys {
		t.Fatalf("%d keys kept", len(l.keys))
	}
	if l.Wait("victim", "10.0.0.1") == 0 {
		t.Fatal("the spray evicted a throttled pair")
	}
}

func TestThrottledError(t *testing.T) {
	err := error(&ThrottledError{Wait: 3 * time.Second})
	if !errors.Is(err, ErrTooMany) || RetryAfter(err) != 3*time.Second || RetryAfter(ErrBadLogin) != 0 {
		t.Fatalf("ThrottledError: Is %v, RetryAfter %v", errors.Is(err, ErrTooMany), RetryAfter(err))
	}
}
