package api

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"maskline/tenant"
)

// handlerFunc is an API handler: it writes a successful answer itself and
// returns any failure for the route wrapper to answer.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p tenant.Principal) error

// reqInfo is what the outer middleware learns about a request from the
// layers inside it, for the access log and metrics.
type reqInfo struct {
	id     string
	method string
	route  string // the matched pattern; "" when the router found none
	tenant int64
}

// routeLabel is the route as logs and metrics name it.
func (i *reqInfo) routeLabel() string {
	if i.route == "" {
		return "unmatched"
	}
	return i.route
}

type infoKey struct{}

func infoFrom(ctx context.Context) *reqInfo {
	if i, ok := ctx.Value(infoKey{}).(*reqInfo); ok {
		return i
	}
	return &reqInfo{}
}

// requestID returns the id of the request being served in ctx.
func requestID(ctx context.Context) string { return infoFrom(ctx).id }

// handle registers h on pattern behind authentication, scope checks and
// the rate limit.
func (s *server) handle(pattern string, a access, h handlerFunc) {
	s.mux.Handle(pattern, routed(pattern, http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			p, err := s.authenticate(r, a)
			if err == nil {
				infoFrom(r.Context()).tenant = p.TenantID
				err = s.limiter.allow(p)
			}
			if err == nil {
				err = h(w, r, p)
			}
			if err != nil {
				s.fail(w, r, err)
			}
		})))
}

// routed notes the matched pattern before h runs.
func routed(pattern string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		infoFrom(r.Context()).route = pattern
		h.ServeHTTP(w, r)
	})
}

// middleware wraps the router: request id, then metrics and access log,
// then panic recovery.
func (s *server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &reqInfo{id: incomingID(r.Header.Get("X-Request-Id")), method: r.Method}
		w.Header().Set("X-Request-Id", info.id)
		r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
		sw := &statusWriter{ResponseWriter: w, info: info}

		inFlight.Inc()
		s.recoverServe(sw, r, next)
		inFlight.Dec()

		took := time.Since(start)
		status := sw.statusOr200()
		observe(info.routeLabel(), status, took)
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "http request",
			slog.String("request_id", info.id), slog.String("method", info.method),
			slog.String("route", info.routeLabel()), slog.Int("status", status),
			slog.Duration("took", took), slog.Int64("tenant", info.tenant))
	})
}

// recoverServe runs next and turns a panic into a 500 JSON answer (when
// nothing was written yet) and an error log with the stack.
func (s *server) recoverServe(w *statusWriter, r *http.Request, next http.Handler) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if v == http.ErrAbortHandler {
			panic(v)
		}
		s.log.ErrorContext(r.Context(), "panic serving request", "request_id",
			requestID(r.Context()), "route", infoFrom(r.Context()).routeLabel(),
			"panic", scrub(fmt.Sprint(v)), "stack", scrub(string(debug.Stack())))
		if w.status == 0 {
			writeError(w, newError(http.StatusInternalServerError, CodeInternal,
				"internal error"))
			return
		}
		w.status = http.StatusInternalServerError
	}()
	next.ServeHTTP(w, r)
}

// incomingID keeps a client's request id when it is short and plain (and
// could not be a phone number), else makes a new one.
func incomingID(id string) string {
	if id != "" && len(id) <= 64 && plainID(id) && !longDigits.MatchString(id) {
		return id
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func plainID(s string) bool {
	for _, c := range s {
		ok := c == '-' || c == '_' || c == '.' || (c >= '0' && c <= '9') ||
			(c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
		if !ok {
			return false
		}
	}
	return true
}

// statusWriter records the status of an answer. When the router answers
// 404 or 405 on its own (no route matched), its plain-text body is
// replaced by the API's JSON error.
type statusWriter struct {
	http.ResponseWriter
	info    *reqInfo
	status  int
	swallow bool
}

// WriteHeader records code and, for the router's own errors, writes the
// JSON error instead.
func (w *statusWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	if w.info.route == "" && (code == http.StatusNotFound ||
		code == http.StatusMethodNotAllowed) {
		w.swallow = true
		msg := "no such route"
		if code == http.StatusMethodNotAllowed {
			msg = "method not allowed on this route"
		}
		writeError(w.ResponseWriter, newError(code, statusCode(code), msg))
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write sends b, or drops it when the JSON error replaced the router's.
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if w.swallow {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) statusOr200() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
