package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"
)

// middleware wraps a handler; chain applies them outermost first.
type middleware func(http.Handler) http.Handler

func chain(h http.Handler, ms ...middleware) http.Handler {
	for i := len(ms) - 1; i >= 0; i-- {
		h = ms[i](h)
	}
	return h
}

// limitBody caps every request body at max bytes; reading past it fails
// and the handler answers 413.
func limitBody(max int64) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > max {
				writeError(w, http.StatusRequestEntityTooLarge, "request body too large")
				return
			}
			r.Body = http.MaxBytesReader(w, r.Body, max)
			next.ServeHTTP(w, r)
		})
	}
}

// recorder remembers the status and size of a response. Unwrap lets
// http.ResponseController reach the connection (Flush for streams).
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// logRequests logs one line per request: Info for changes and errors,
// Debug for successful reads (a console polls).
func logRequests(log *slog.Logger) middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			rec := &recorder{ResponseWriter: w}
			who := new(string)
			r = r.WithContext(context.WithValue(r.Context(), whoKey{}, who))
			defer func() {
				if p := recover(); p != nil {
					log.Error("api panic", "method", r.Method, "path", r.URL.Path, "panic", p)
					if rec.status == 0 {
						writeError(rec, http.StatusInternalServerError, "internal error")
					}
				}
				level := slog.LevelDebug
				if rec.status >= 400 || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
					level = slog.LevelInfo
				}
				log.Log(r.Context(), level, "api", "method", r.Method, "path", r.URL.Path, "status", rec.status,
					"bytes", rec.bytes, "caller", *who, "remote", r.RemoteAddr, "duration", time.Since(start))
			}()
			next.ServeHTTP(rec, r)
		})
	}
}

// whoKey holds, for the request log, the name authenticate found.
type whoKey struct{}

func noteCaller(r *http.Request, name string) {
	if who, ok := r.Context().Value(whoKey{}).(*string); ok {
		*who = name
	}
}

// sameOrigin refuses state-changing requests a browser makes for another
// site (Sec-Fetch-Site, else Origin against Host): a form or no-cors
// POST needs no preflight, and without tokens every request is admin.
// Requests without those headers (curl, the CLI) pass.
func sameOrigin() middleware {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, http.StatusForbidden, "cross-origin request refused")
	}))
	return cop.Handler
}
