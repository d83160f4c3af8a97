package audit

import (
	"testing"

	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

// testDB and its helpers run a test against every configured database
// (see internal/storetest).
type testDB = storetest.DB

func testDBs(t *testing.T) []testDB { return storetest.DBs(t) }

func openStore(t *testing.T, dsn string, o store.Options) *store.Store {
	return storetest.Open(t, dsn, o)
}
