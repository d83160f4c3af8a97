package auth

import (
	"sync"
	"time"
)

// Limiter counts failed logins per key (user name, client address) in a
// sliding window and refuses further attempts once a key reaches Max.
type Limiter struct {
	Max    int
	Window time.Duration
	now    func() time.Time

	mu    sync.Mutex
	fails map[string][]time.Time
}

// NewLimiter allows max failures per key within window.
func NewLimiter(max int, window time.Duration) *Limiter {
	return &Limiter{Max: max, Window: window, now: time.Now, fails: map[string][]time.Time{}}
}

// Allow reports whether key may try again now.
func (l *Limiter) Allow(key string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.prune(key)) < l.Max
}

// Fail records a failed attempt for key.
func (l *Limiter) Fail(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fails[key] = append(l.prune(key), l.now())
	if len(l.fails) > 100_000 {
		// Bound memory under a spray of distinct keys: forget the oldest half.
		for k := range l.fails {
			delete(l.fails, k)
			if len(l.fails) <= 50_000 {
				break
			}
		}
	}
}

// Reset forgets key's failures (after a successful login).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.fails, key)
}

func (l *Limiter) prune(key string) []time.Time {
	cut := l.now().Add(-l.Window)
	ts := l.fails[key]
	i := 0
	for i < len(ts) && ts[i].Before(cut) {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = ts
	return ts
}
