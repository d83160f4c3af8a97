package store

import (
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rollcall-project/rollcall"
)

// TestMapErrBadText: PostgreSQL refuses invalid UTF-8 and NUL bytes in
// text (SQLite stores them); that is bad input, not an internal error, so
// a query text or a body field holding them is a 400, not a 500.
func TestMapErrBadText(t *testing.T) {
	for code, want := range map[string]string{"22021": rollcall.EINVALID, "22P05": rollcall.EINVALID, "XX000": rollcall.EINTERNAL} {
		err := mapErr(fmt.Errorf("list records: %w", &pgconn.PgError{Code: code, Message: "invalid byte sequence for encoding \"UTF8\": 0xff"}), "record", 0)
		if got := rollcall.ErrorCode(err); got != want {
			t.Errorf("PostgreSQL error %s: code %s, want %s", code, got, want)
		}
	}
}
