package web

import (
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
	"github.com/rollcall-project/rollcall/internal/i18n"
)

// Cookie names.
const (
	sessionCookie = "rollcall_session"
	loginCSRF     = "rollcall_login_csrf"
	langCookie    = "rollcall_lang"
	csrfHeader    = "X-CSRF-Token"
	csrfField     = "_csrf"
)

type stateKey struct{}

// reqState is per-request data shared between the middleware layers.
type reqState struct {
	route    string
	user     *auth.User
	session  *auth.Session // nil for token and anonymous requests
	viaToken bool
	lang     string
	secret   string // the session cookie value, for logout
}

func state(r *http.Request) *reqState {
	if st, ok := r.Context().Value(stateKey{}).(*reqState); ok {
		return st
	}
	return &reqState{}
}

// authenticate resolves a bearer token or session cookie to a user and puts
// the actor in the context. Bad credentials leave the request anonymous;
// the route guard then decides.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := state(r)
		ctx := r.Context()
		if h := r.Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if !ok {
				s.fail(w, r, rollcall.Errorf(rollcall.EUNAUTHORIZED, "only Bearer tokens are accepted"))
				return
			}
			u, err := s.auth.TokenUser(ctx, strings.TrimSpace(tok))
			if err != nil {
				s.fail(w, r, err)
				return
			}
			st.user, st.viaToken = u, true
		} else if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			sess, u, err := s.auth.SessionUser(ctx, c.Value)
			switch {
			case err == nil:
				st.user, st.session, st.secret = u, sess, c.Value
			case rollcall.ErrorCode(err) == rollcall.EUNAUTHORIZED:
				s.clearCookie(w, sessionCookie) // stale: forget it
			default:
				s.fail(w, r, err)
				return
			}
		}
		st.lang = s.langOf(r, st)
		if st.user != nil {
			ctx = rollcall.WithActor(ctx, st.user.Actor())
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// langOf picks the UI language: the user's choice, the cookie, the browser.
func (s *Server) langOf(r *http.Request, st *reqState) string {
	if st.user != nil && i18n.Supported(st.user.Lang) {
		return st.user.Lang
	}
	if c, err := r.Cookie(langCookie); err == nil && i18n.Supported(c.Value) {
		return c.Value
	}
	return s.cat.FromRequest(r)
}

// checkCSRF requires the session's synchronizer token on a state-changing
// request made with a session cookie (a header for fetches, a form field
// for forms). Token requests carry no ambient credential and need none.
func (s *Server) checkCSRF(r *http.Request, st *reqState) error {
	if st.session == nil {
		return nil
	}
	got := r.Header.Get(csrfHeader)
	if got == "" {
		got = r.PostFormValue(csrfField)
	}
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(st.session.CSRF)) != 1 {
		return rollcall.Errorf(rollcall.EFORBIDDEN, "the form expired or came from elsewhere; reload the page and try again")
	}
	return nil
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int, sameSite http.SameSite) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: sameSite})
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	s.setCookie(w, name, "", -1, http.SameSiteLaxMode)
}
