package store

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds the statement cache, and so the memory of the
// prepared copies (one per pooled connection). The hot read queries are a
// few dozen texts (filters are sorted); lists of ids in IN (...) give one
// text per length. A text beyond the bound runs unprepared, as before.
const maxCachedStmts = 256

// stmtCache is the querier a SQLite Store reads through outside a
// transaction: each distinct query text is prepared once and database/sql
// keeps one prepared copy per pooled connection, so a request does not
// parse its SQL again. Under load, parsing was a sixth of the CPU of the
// person and search pages. Writes (ExecContext) and PrepareContext go to
// the database unchanged. PostgreSQL needs none of this: pgx caches its
// prepared statements per connection itself.
type stmtCache struct {
	*sql.DB

	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
	// closed is set by close; afterwards queries run unprepared (and fail
	// as the closed database does).
	closed bool
}

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{DB: db, stmts: map[string]*sql.Stmt{}}
}

// stmt returns the prepared statement for query, preparing it the first
// time; nil when it cannot be cached (the cache is full or closed, or the
// text does not prepare: the caller then runs it directly, which reports
// the same error the uncached query would).
func (c *stmtCache) stmt(ctx context.Context, query string) *sql.Stmt {
	c.mu.RLock()
	st, ok := c.stmts[query]
	full := c.closed || len(c.stmts) >= maxCachedStmts
	c.mu.RUnlock()
	if ok || full {
		return st
	}
	// A request's deadline must not fail the shared preparation.
	st, err := c.DB.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || len(c.stmts) >= maxCachedStmts {
		st.Close()
		return nil
	}
	if prev, ok := c.stmts[query]; ok {
		st.Close() // another request prepared it first
		return prev
	}
	c.stmts[query] = st
	return st
}

func (c *stmtCache) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return c.DB.QueryContext(ctx, query, args...)
}

func (c *stmtCache) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := c.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return c.DB.QueryRowContext(ctx, query, args...)
}

// close closes the cached statements (before the database is closed).
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for q, st := range c.stmts {
		st.Close()
		delete(c.stmts, q)
	}
}
