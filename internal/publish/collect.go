package publish

import (
	"context"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Collect reads what Build needs. ctx must carry an actor allowed to list
// every row (the CLI's system actor); confidential fields are never used.
func Collect(ctx context.Context, db *store.Store) (Data, error) {
	all := rollcall.ListOptions{Limit: -1}
	var d Data
	var err error
	if d.Persons, _, err = db.ListPersons(ctx, all); err != nil {
		return d, err
	}
	if d.Records, _, err = db.ListRecords(ctx, all); err != nil {
		return d, err
	}
	if d.Facilities, _, err = db.ListFacilities(ctx, all); err != nil {
		return d, err
	}
	return d, nil
}
