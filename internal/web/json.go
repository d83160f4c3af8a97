package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/rollcall-project/rollcall"
)

// maxBody bounds every request body.
const maxBody = 1 << 20

// decodeJSON reads one JSON value into v, rejecting unknown fields,
// trailing data and bodies over maxBody.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &mbe):
			return rollcall.WrapError(rollcall.EINVALID, errors.Join(errBodyTooLarge, err), "the request body is larger than %d bytes", maxBody)
		case errors.Is(err, io.EOF):
			return rollcall.Errorf(rollcall.EINVALID, "the request body is empty")
		case errors.As(err, &se):
			return rollcall.WrapError(rollcall.EINVALID, err, "malformed JSON at byte %d", se.Offset)
		case errors.As(err, &te):
			return &rollcall.Error{Code: rollcall.EINVALID, Field: te.Field, Err: err,
				Message: fmt.Sprintf("field %q has the wrong type (want %s)", te.Field, te.Type)}
		}
		var re *rollcall.Error
		if errors.As(err, &re) {
			return re // e.g. a date that does not parse
		}
		// Unknown fields and other decoder complaints are safe to show.
		return rollcall.WrapError(rollcall.EINVALID, err, "invalid JSON: %s", err.Error())
	}
	if dec.More() {
		return rollcall.Errorf(rollcall.EINVALID, "the request body has data after the JSON value")
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}
