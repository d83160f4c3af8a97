package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
)

// statusClientGone is the status logged (and counted) for a request whose
// client disconnected before the answer: nginx's 499, never sent.
const statusClientGone = 499

// statusOf is the one place where error codes become HTTP statuses.
func statusOf(err error) int {
	switch {
	case errors.Is(err, auth.ErrTooMany):
		return http.StatusTooManyRequests
	case errors.Is(err, errBodyTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, errBodySlow):
		return http.StatusRequestTimeout
	}
	if errors.Is(err, context.Canceled) {
		// Only the request's context is cancelled under a handler: the
		// client went away (or the server is shutting down). Not a fault.
		return statusClientGone
	}
	switch rollcall.ErrorCode(err) {
	case rollcall.EINVALID:
		return http.StatusBadRequest
	case rollcall.ENOTFOUND:
		return http.StatusNotFound
	case rollcall.ECONFLICT:
		return http.StatusConflict
	case rollcall.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case rollcall.EFORBIDDEN:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

// apiError is the JSON body of every API error.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// logError logs err in full (the client only ever sees the safe message).
func (s *Server) logError(r *http.Request, status int, err error) {
	if status == statusClientGone {
		// The middleware logs it once, at INFO, when the request ends.
		s.log.Debug("client went away", "path", r.URL.Path, "err", err)
		return
	}
	lvl := slog.LevelInfo
	if status >= 500 {
		lvl = slog.LevelError
	}
	s.log.Log(r.Context(), lvl, "request failed", "method", r.Method, "path", r.URL.Path,
		"status", status, "actor", rollcall.ActorFrom(r.Context()).Name, "err", err)
}

// logGone logs a request whose client disconnected: what it is, at INFO.
func (s *Server) logGone(r *http.Request, err error) {
	s.log.Info("client went away", "method", r.Method, "path", r.URL.Path, "status", statusClientGone,
		"actor", rollcall.ActorFrom(r.Context()).Name, "err", err)
}

// writeAPIError answers an API request with err as JSON.
func (s *Server) writeAPIError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	s.logError(r, status, err)
	body := apiError{Error: apiErrorBody{Code: rollcall.ErrorCode(err), Message: rollcall.ErrorMessage(err)}}
	switch status {
	case http.StatusTooManyRequests:
		body.Error.Code = "rate_limited"
	case http.StatusRequestEntityTooLarge:
		body.Error.Code = "too_large"
	case http.StatusRequestTimeout:
		body.Error.Code = "request_timeout"
	}
	var e *rollcall.Error
	if errors.As(err, &e) {
		body.Error.Field = e.Field
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="rollcall"`)
	}
	writeJSON(w, status, body)
}
