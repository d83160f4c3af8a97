package web

import (
	"context"
	"sync"
	"time"

	"github.com/rollcall-project/rollcall"
)

// termCache keeps vocabularies for a minute: pages label many codes, and
// vocabularies change rarely.
type termCache struct {
	mu sync.Mutex
	at map[string]time.Time
	ts map[string][]rollcall.Term
}

func (s *Server) terms(scheme string) []rollcall.Term {
	c := &s.termCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ts == nil {
		c.ts, c.at = map[string][]rollcall.Term{}, map[string]time.Time{}
	}
	if ts, ok := c.ts[scheme]; ok && time.Since(c.at[scheme]) < time.Minute {
		return ts
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ts, err := s.store.Terms(ctx, scheme)
	if err != nil {
		s.log.Warn("vocabulary", "scheme", scheme, "err", err)
		return c.ts[scheme]
	}
	c.ts[scheme], c.at[scheme] = ts, time.Now()
	return ts
}
