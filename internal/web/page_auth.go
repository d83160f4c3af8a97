package web

import (
	"crypto/subtle"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
	"github.com/rollcall-project/rollcall/internal/i18n"
)

// LoginView is the data of the login page.
type LoginView struct {
	Token string // the pre-session CSRF token (double-submit cookie)
	Next  string
	Name  string
	Error string
}

// localPath returns p if it is a path on this site, else "/": no open
// redirects through ?next=.
func localPath(p string) string {
	// Browsers drop tabs and newlines and read a backslash as "/", so "/\t/evil"
	// would leave the site: refuse control characters and backslashes.
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.ContainsAny(p, "\\") ||
		strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "/"
	}
	return p
}

func (s *Server) handleLoginForm(w http.ResponseWriter, r *http.Request) {
	if state(r).user != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, LoginView{Next: localPath(r.URL.Query().Get("next"))})
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, lv LoginView) {
	lv.Token = auth.NewSecret()
	s.setCookie(w, loginCSRF, lv.Token, 3600, http.SameSiteStrictMode)
	s.render(w, r, status, "login", "login.title", lv)
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	lv := LoginView{Next: localPath(r.PostFormValue("next")), Name: r.PostFormValue("name")}
	c, err := r.Cookie(loginCSRF)
	if err != nil || c.Value == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue(csrfField))) != 1 {
		lv.Error = s.cat.T(state(r).lang, "login.expired")
		s.renderLogin(w, r, http.StatusForbidden, lv)
		return
	}
	secret, sess, _, err := s.auth.Login(r.Context(), lv.Name, r.PostFormValue("password"), clientAddr(r))
	if err != nil {
		s.logError(r, statusOf(err), err)
		lv.Error = s.cat.T(state(r).lang, "login.failed")
		if statusOf(err) == http.StatusTooManyRequests {
			lv.Error = s.cat.T(state(r).lang, "login.throttled")
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(auth.RetryAfter(err).Seconds()))))
		}
		s.renderLogin(w, r, statusOf(err), lv)
		return
	}
	_ = s.store.DeleteExpiredSessions(r.Context(), sess.CreatedAt)
	// A new session id at every login: a planted id is never promoted.
	if old := state(r).secret; old != "" {
		_ = s.auth.Logout(r.Context(), old)
	}
	s.setCookie(w, sessionCookie, secret, int(s.auth.SessionTTL.Seconds()), http.SameSiteLaxMode)
	s.clearCookie(w, loginCSRF)
	s.log.Info("login", "user", lv.Name, "addr", clientAddr(r))
	http.Redirect(w, r, lv.Next, http.StatusSeeOther)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	st := state(r)
	if st.secret != "" {
		if err := s.auth.Logout(r.Context(), st.secret); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.clearCookie(w, sessionCookie)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// handleLang switches the UI language: for a user it is saved with the
// account, for anyone in a cookie.
func (s *Server) handleLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PostFormValue("lang")
	if !i18n.Supported(lang) {
		s.fail(w, r, &rollcall.Error{Code: rollcall.EINVALID, Field: "lang", Message: "unsupported language"})
		return
	}
	st := state(r)
	if st.user != nil {
		u := *st.user
		u.Lang = lang
		if err := s.store.UpdateUser(r.Context(), &u); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.setCookie(w, langCookie, lang, 365*24*3600, http.SameSiteLaxMode)
	http.Redirect(w, r, localPath(r.PostFormValue("next")), http.StatusSeeOther)
}
