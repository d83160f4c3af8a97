package store

import (
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/rollcall-project/rollcall"
)

// constraint kinds, common to both databases.
const (
	cNone = iota
	cUnique
	cForeignKey
	cCheck
	cNotNull
	cBadText // text PostgreSQL cannot store: invalid UTF-8 or a NUL byte
)

func constraintKind(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return cUnique
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return cForeignKey
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return cCheck
		case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return cNotNull
		}
		return cNone
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return cUnique
		case "23503":
			return cForeignKey
		case "23514":
			return cCheck
		case "23502":
			return cNotNull
		case "22021", "22P05": // character_not_in_repertoire, untranslatable_character
			return cBadText
		}
	}
	return cNone
}

// mapErr turns driver errors into domain errors naming the entity; other
// errors pass through (callers have wrapped them with context). An error
// that already is a *rollcall.Error is returned as is.
func mapErr(err error, entity string, id int64) error {
	if err == nil {
		return nil
	}
	var re *rollcall.Error
	if errors.As(err, &re) {
		return err
	}
	what := entity
	if what == "" {
		what = "row"
	}
	if id != 0 {
		what = fmt.Sprintf("%s %d", what, id)
	}
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return rollcall.Errorf(rollcall.ENOTFOUND, "%s not found", what)
	}
	switch constraintKind(err) {
	case cUnique:
		return rollcall.WrapError(rollcall.ECONFLICT, err, "%s: another %s already has this key", what, orRow(entity))
	case cForeignKey:
		return rollcall.WrapError(rollcall.EINVALID, err, "%s: it refers to a row that does not exist, or other rows still refer to it", what)
	case cCheck:
		return rollcall.WrapError(rollcall.EINVALID, err, "%s: a value is out of the allowed range", what)
	case cNotNull:
		return rollcall.WrapError(rollcall.EINVALID, err, "%s: a required value is missing", what)
	case cBadText:
		return rollcall.WrapError(rollcall.EINVALID, err, "%s: a text is not valid UTF-8 or holds a NUL character", what)
	}
	return err
}

func orRow(entity string) string {
	if entity == "" {
		return "row"
	}
	return entity
}

func notFound(entity string, id int64) error {
	return rollcall.Errorf(rollcall.ENOTFOUND, "%s %d not found", entity, id)
}

func conflict(entity string, id int64, have, had int) error {
	return rollcall.Errorf(rollcall.ECONFLICT, "%s %d was changed by someone else (version %d, you had %d): reload and reapply", entity, id, have, had)
}

// keyTaken maps a unique violation on an entity's key to ECONFLICT naming
// the key ("a facility with key "kwanliso-15" already exists"); what is the
// entity with its article. Any other error gives nil: the caller maps it.
func keyTaken(err error, what, key string) error {
	if constraintKind(err) == cUnique {
		return &rollcall.Error{Code: rollcall.ECONFLICT, Field: "key", Message: fmt.Sprintf("%s with key %q already exists", what, key), Err: err}
	}
	return nil
}
