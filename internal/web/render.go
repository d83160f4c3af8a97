package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

func staticHandler() http.Handler {
	sub, _ := fs.Sub(staticFS, "static")
	fsrv := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Embedded files never change while the binary runs.
		w.Header().Set("Cache-Control", "public, max-age=3600")
		fsrv.ServeHTTP(w, r)
	})
}

var funcs = template.FuncMap{
	"deref": func(p any) any {
		switch v := p.(type) {
		case *int64:
			if v == nil {
				return ""
			}
			return *v
		case *float64:
			if v == nil {
				return ""
			}
			return strconv.FormatFloat(*v, 'f', -1, 64)
		}
		return p
	},
	"num": func(x any) string {
		switch v := x.(type) {
		case float64:
			return strconv.FormatFloat(v, 'f', 0, 64)
		case *float64:
			if v != nil {
				return strconv.FormatFloat(*v, 'f', 0, 64)
			}
		case int:
			return strconv.Itoa(v)
		case *int64:
			if v != nil {
				return strconv.FormatInt(*v, 10)
			}
		}
		return ""
	},
	"pct":  func(f float64) string { return strconv.FormatFloat(f*100, 'f', 0, 64) + "%" },
	"join": strings.Join,
	"dict": func(xs ...any) []any { return xs },
	"add":  func(a, b int) int { return a + b },
	"sub":  func(a, b int) int { return a - b },
	"seq": func(n int) []int {
		s := make([]int, n)
		for i := range s {
			s[i] = i
		}
		return s
	},
}

// parsePages parses each page template together with the layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := path.Base(n)
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_*.html", n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", base, err)
		}
		pages[strings.TrimSuffix(base, ".html")] = t
	}
	return pages, nil
}

// View is what every page template receives.
type View struct {
	Lang    string
	User    *auth.User
	CSRF    string
	Title   string
	Path    string
	TileURL string
	Data    any
	s       *Server
}

// T translates a message key into the page's language.
func (v *View) T(key string, args ...any) string { return v.s.cat.T(v.Lang, key, args...) }

// Date renders a partial date at its precision in the page's language.
func (v *View) Date(d rollcall.PartialDate) string { return d.Human(v.Lang) }

// Can reports whether the user holds at least role.
func (v *View) Can(role string) bool { return v.User != nil && auth.Allows(v.User.Role, role) }

// Term labels a vocabulary code in the page's language.
func (v *View) Term(scheme, code string) string {
	if code == "" {
		return ""
	}
	return v.s.termLabel(v.Lang, scheme, code)
}

// Listed reports whether the comma-separated list holds x (checkboxes).
func (v *View) Listed(list, x string) bool {
	for _, e := range strings.Split(list, ",") {
		if strings.TrimSpace(e) == x {
			return true
		}
	}
	return false
}

// Other is the language the switch offers.
func (v *View) Other() string {
	if v.Lang == "ko" {
		return "en"
	}
	return "ko"
}

func (s *Server) view(r *http.Request, title string, data any) *View {
	st := state(r)
	v := &View{Lang: st.lang, User: st.user, Title: title, Path: r.URL.RequestURI(), TileURL: s.tileURL, Data: data, s: s}
	if st.session != nil {
		v.CSRF = st.session.CSRF
	}
	if v.Lang == "" {
		v.Lang = "en"
	}
	return v
}

// render writes page name with data, buffering so that a template error
// becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, titleKey string, data any) {
	t, ok := s.pages[name]
	if !ok {
		s.renderError(w, r, fmt.Errorf("no template %q", name))
		return
	}
	v := s.view(r, "", data)
	v.Title = v.T(titleKey)
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		s.log.Error("template", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// renderBlock writes one named block of a page template (an htmx fragment).
func (s *Server) renderBlock(w http.ResponseWriter, r *http.Request, page, block string, data any) {
	v := s.view(r, "", data)
	var buf bytes.Buffer
	if err := s.pages[page].ExecuteTemplate(&buf, block, v); err != nil {
		s.log.Error("template", "page", page, "block", block, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

// ErrorView is the data of the error page.
type ErrorView struct {
	Status  int
	Message string
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	s.logError(r, status, err)
	s.render(w, r, status, "error", "error.title", ErrorView{Status: status, Message: rollcall.ErrorMessage(err)})
}
