package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/rollcall-project/rollcall"
)

// statusWriter remembers the status for logs and metrics.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// middleware wraps the mux: panic recovery, access log and metrics,
// security headers, body limit, cross-origin protection, request timeout
// and authentication (which puts the actor in the context).
func (s *Server) middleware(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, rollcall.Errorf(rollcall.EFORBIDDEN, "cross-origin request refused"))
	}))
	inner := s.authenticate(next)
	inner = cop.Handler(inner)
	inner = s.limit(inner)
	inner = http.TimeoutHandler(inner, s.timeout, `{"error":{"code":"internal","message":"the request took too long"}}`)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		st := &reqState{}
		r = r.WithContext(context.WithValue(r.Context(), stateKey{}, st))
		defer func() {
			if p := recover(); p != nil {
				s.log.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if sw.status == 0 {
					s.fail(sw, r, fmt.Errorf("panic: %v", p))
				}
			}
			d := time.Since(start)
			if err := r.Context().Err(); errors.Is(err, context.Canceled) {
				// The client left (the timeout handler then answers 503 to
				// no one): count and log it as what it is.
				sw.status = statusClientGone
				s.logGone(r, err)
			}
			route := st.route
			if route == "" {
				route = "unmatched"
			}
			s.metrics.observe(route, sw.status, d)
			s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "took", d)
		}()
		h := w.Header()
		h.Set("Content-Security-Policy", s.csp())
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		// No page needs a device or a powerful feature: deny them all.
		h.Set("Permissions-Policy", permissionsPolicy)
		if s.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(sw, r.Body, maxBody)
		}
		inner.ServeHTTP(sw, r)
	})
}

// permissionsPolicy turns off every browser feature the UI does not use.
const permissionsPolicy = "accelerometer=(), ambient-light-sensor=(), autoplay=(), battery=(), camera=(), " +
	"display-capture=(), document-domain=(), encrypted-media=(), fullscreen=(), geolocation=(), gyroscope=(), " +
	"magnetometer=(), microphone=(), midi=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), " +
	"screen-wake-lock=(), serial=(), usb=(), xr-spatial-tracking=()"

// csp allows only our own scripts and styles; map tiles add their host.
func (s *Server) csp() string {
	img := "'self' data:"
	if s.tileURL != "" {
		if host := tileOrigin(s.tileURL); host != "" {
			img += " " + host
		}
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src " + img +
		"; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
}

// tileOrigin is the scheme and host of a tile URL template.
func tileOrigin(u string) string {
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return ""
	}
	host, _, _ := strings.Cut(rest, "/")
	if strings.ContainsAny(host, "{}") {
		// "{s}.tile.example.org": allow the subdomains.
		if _, after, ok := strings.Cut(host, "."); ok {
			return scheme + "://*." + after
		}
		return ""
	}
	return scheme + "://" + host
}

// fail answers with err as JSON for API paths and as a page otherwise.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if isAPI(r) {
		s.writeAPIError(w, r, err)
		return
	}
	s.renderError(w, r, err)
}

func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/healthz" || r.URL.Path == "/metrics"
}

// limit bounds the requests being handled at once. Past the machine's
// capacity more concurrency only adds contention (on the database pool,
// the scheduler and the garbage collector) and lowers throughput; extra
// requests wait their turn here, within their timeout.
func (s *Server) limit(next http.Handler) http.Handler {
	sem := make(chan struct{}, s.maxInFlight)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case sem <- struct{}{}:
		case <-r.Context().Done():
			return // the timeout handler answers
		}
		defer func() { <-sem }()
		next.ServeHTTP(w, r)
	})
}
