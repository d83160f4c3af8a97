// Package rollcall holds the domain types of rollcall: sources, the records
// they give, the persons we conclude exist, facilities, events, published
// estimates and amnesty decrees. It imports only the standard library; every
// other package depends on it and talks in its terms.
package rollcall

import (
	"errors"
	"fmt"
)

// Error codes. They become HTTP statuses in exactly one place (internal/web).
const (
	ECONFLICT     = "conflict"     // stale version or duplicate key
	EINTERNAL     = "internal"     // a bug or an outside failure; never shown in detail
	EINVALID      = "invalid"      // the caller's input is wrong
	ENOTFOUND     = "not_found"    // no such object (or not visible to the caller)
	EUNAUTHORIZED = "unauthorized" // not logged in
	EFORBIDDEN    = "forbidden"    // logged in, but the role does not allow it
)

// Error is the one error type that crosses package boundaries. Message is
// safe to show a user; Err keeps the detail for logs.
type Error struct {
	Code    string
	Message string
	// Field names the offending input field (form field, CSV column), if any.
	Field string
	Err   error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and a formatted safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WrapError returns an *Error with code and message that keeps err for logs.
func WrapError(code string, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the safe message of err: the message of an *Error, or
// "internal error" for anything else.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
