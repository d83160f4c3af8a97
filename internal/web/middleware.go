package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
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
// security headers, reading the body (before a request may hold an
// in-flight slot), request timeout, in-flight limit, cross-origin
// protection and authentication (which puts the actor in the context).
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
		if err := s.readBody(sw, r); err != nil {
			s.fail(sw, r, err)
			return
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

// Errors of reading a request body; statusOf maps them to 413 and 408.
var (
	errBodyTooLarge = fmt.Errorf("request body over %d bytes", maxBody)
	errBodySlow     = errors.New("request body not received in time")
)

// readBody reads the whole request body (at most maxBody bytes) into memory
// under its own deadline, before the request takes an in-flight slot: a
// client that sends its body slowly then holds a goroutine for at most
// bodyTimeout, never a slot that database work needs. Handlers read the
// buffered copy.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) error {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	rc := http.NewResponseController(w)
	// Not every ResponseWriter supports deadlines (httptest's recorder does
	// not); a real server's connection does, and its ReadTimeout is the
	// backstop otherwise.
	hasDeadline := rc.SetReadDeadline(time.Now().Add(s.bodyTimeout)) == nil
	err := errBodyTooLarge
	var b []byte
	if r.ContentLength <= maxBody {
		b, err = io.ReadAll(io.LimitReader(r.Body, maxBody+1))
		if err == nil && len(b) > maxBody {
			err = errBodyTooLarge
		}
	}
	if err != nil {
		// The server would read on to discard the rest of the body (up to
		// 256 KiB) before answering: make those reads fail at once, so it
		// answers and closes the connection instead.
		if hasDeadline {
			_ = rc.SetReadDeadline(time.Now())
		}
		r.Body.Close()
	} else if hasDeadline {
		_ = rc.SetReadDeadline(time.Time{})
	}
	var ne net.Error
	switch {
	case err == nil:
	case errors.Is(err, errBodyTooLarge):
		return rollcall.WrapError(rollcall.EINVALID, errBodyTooLarge, "the request body is larger than %d bytes", maxBody)
	case errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return rollcall.WrapError(rollcall.EINVALID, errBodySlow, "the request body did not arrive within %s", s.bodyTimeout)
	default:
		return rollcall.WrapError(rollcall.EINVALID, err, "cannot read the request body")
	}
	r.Body.Close()
	r.Body = io.NopCloser(bytes.NewReader(b))
	r.ContentLength = int64(len(b))
	return nil
}
