package auth

import (
	"strings"
	"sync"
	"time"
)

// Limiter throttles failed logins with exponential backoff on two keys:
//
//   - the pair (account, client address): after PairFree failures the pair
//     waits Base, then twice as long after each further failure, up to Cap.
//     Keyed by the pair, one address (a proxy, a shared office) cannot lock
//     out the other accounts behind it, and guessing at one account from
//     one address slows to one try per Cap.
//   - the account, over every address: after AccountFree failures the same
//     backoff applies to the account from anywhere, so guessing from many
//     addresses is slowed too. It is capped at AccountCap, shorter than
//     Cap, because anyone can trigger it: an attacker can delay the account
//     owner by at most that much per attempt.
//
// A key's failures are forgotten after Forget without one, and a successful
// login clears both keys.
type Limiter struct {
	PairFree    int
	AccountFree int
	Base        time.Duration
	Cap         time.Duration
	AccountCap  time.Duration
	Forget      time.Duration
	// Now is the clock (time.Now when nil); tests set a fixed one.
	Now func() time.Time

	mu   sync.Mutex
	keys map[string]*backoff
}

// backoff is the state of one key.
type backoff struct {
	fails int
	last  time.Time // last failure
	until time.Time // no attempt before this
}

// maxKeys bounds the limiter's memory under a spray of distinct names or
// addresses.
const maxKeys = 100_000

// NewLimiter returns a Limiter with the defaults: 5 free failures per
// (account, address) pair and 20 per account, then 1 s doubling up to 15
// minutes for a pair and 1 minute for an account; forgotten after a day.
func NewLimiter() *Limiter {
	return &Limiter{PairFree: 5, AccountFree: 20, Base: time.Second, Cap: 15 * time.Minute,
		AccountCap: time.Minute, Forget: 24 * time.Hour}
}

func (l *Limiter) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func pairKey(account, addr string) string { return "p\x00" + strings.ToLower(account) + "\x00" + addr }
func accountKey(account string) string    { return "a\x00" + strings.ToLower(account) }

// Wait returns how long account must wait before trying again from addr;
// 0 means it may try now.
func (l *Limiter) Wait(account, addr string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	var wait time.Duration
	for _, k := range []string{pairKey(account, addr), accountKey(account)} {
		if b := l.get(k, now); b != nil && b.until.After(now) {
			wait = max(wait, b.until.Sub(now))
		}
	}
	return wait
}

// Fail records a failed login of account from addr.
func (l *Limiter) Fail(account, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	l.fail(pairKey(account, addr), now, l.PairFree, l.Cap)
	l.fail(accountKey(account), now, l.AccountFree, l.AccountCap)
	if len(l.keys) > maxKeys {
		l.evict(now)
	}
}

// Reset forgets account's failures (after a successful login from addr).
func (l *Limiter) Reset(account, addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, pairKey(account, addr))
	delete(l.keys, accountKey(account))
}

// get returns k's state, dropping it when it has been forgotten.
func (l *Limiter) get(k string, now time.Time) *backoff {
	b := l.keys[k]
	if b != nil && now.Sub(b.last) >= l.Forget {
		delete(l.keys, k)
		return nil
	}
	return b
}

func (l *Limiter) fail(k string, now time.Time, free int, ceiling time.Duration) {
	if l.keys == nil {
		l.keys = map[string]*backoff{}
	}
	b := l.get(k, now)
	if b == nil {
		b = &backoff{}
		l.keys[k] = b
	}
	b.fails++
	b.last = now
	if n := b.fails - free; n > 0 {
		d := ceiling
		if n <= 32 && l.Base<<(n-1) > 0 && l.Base<<(n-1) < ceiling {
			d = l.Base << (n - 1)
		}
		b.until = now.Add(d)
	}
}

// evict drops keys that hold nobody back first, then any, until the map is
// back to half its bound.
func (l *Limiter) evict(now time.Time) {
	for k, b := range l.keys {
		if !b.until.After(now) {
			delete(l.keys, k)
		}
	}
	for k := range l.keys {
		if len(l.keys) <= maxKeys/2 {
			break
		}
		delete(l.keys, k)
	}
}
