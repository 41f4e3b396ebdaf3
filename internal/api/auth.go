package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/vedette/vedette/internal/config"
)

// Role is what a token may do; each role may do what the ones below it may.
type Role int

// Roles, from least to most allowed.
const (
	RoleViewer  Role = iota + 1 // read
	RoleAnalyst                 // triage and comments
	RoleAdmin                   // settings and rules
)

func (r Role) String() string {
	switch r {
	case RoleViewer:
		return "viewer"
	case RoleAnalyst:
		return "analyst"
	case RoleAdmin:
		return "admin"
	}
	return "none"
}

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	for r := RoleViewer; r <= RoleAdmin; r++ {
		if r.String() == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("api: unknown role %q", s)
}

// Caller is who makes a request.
type Caller struct {
	Name string `json:"name"`
	Role Role   `json:"-"`
}

// localCaller is every request when no token is configured (the API then
// listens on loopback only).
var localCaller = Caller{Name: "local", Role: RoleAdmin}

// HashToken returns the hex SHA-256 of a token, as the configuration keeps it.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewToken returns a new random token (256 bits) and its hash.
func NewToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("api: token: %w", err)
	}
	token = "vdt_" + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// tokens maps token hashes to callers. Tokens are 256-bit random values,
// so looking their hash up in a map leaks nothing useful through timing.
type tokens map[string]Caller

func newTokens(cfg []config.Token) (tokens, error) {
	ts := tokens{}
	for _, t := range cfg {
		r, err := ParseRole(t.Role)
		if err != nil {
			return nil, err
		}
		ts[strings.ToLower(t.SHA256)] = Caller{Name: t.Name, Role: r}
	}
	return ts, nil
}

type callerKey struct{}

// caller returns the request's caller, set by authenticate.
func caller(ctx context.Context) Caller {
	c, _ := ctx.Value(callerKey{}).(Caller)
	return c
}

// authenticate identifies the caller of every request from its bearer
// token, refusing requests without a valid one, or makes every request
// the local admin when no token is configured.
func authenticate(current func() tokens) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c := localCaller
			if ts := current(); len(ts) == 0 && !loopbackHost(r.Host) {
				// Every token-less request is admin: a page that rebinds its
				// own name to 127.0.0.1 must not be one.
				writeError(w, http.StatusForbidden, "without api.tokens the API answers only a loopback host name")
				return
			} else if len(ts) > 0 {
				tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
				var found bool
				if ok {
					c, found = ts[HashToken(strings.TrimSpace(tok))]
				}
				if !found {
					w.Header().Set("WWW-Authenticate", `Bearer realm="vedette"`)
					writeError(w, http.StatusUnauthorized, "missing or unknown bearer token")
					return
				}
			}
			noteCaller(r, c.Name)
			next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), callerKey{}, c)))
		})
	}
}

// loopbackHost reports whether a request's Host names loopback
// ("localhost", 127.0.0.0/8, ::1), with or without a port.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// require lets only callers with at least role through.
func require(role Role, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if caller(r.Context()).Role < role {
			writeError(w, http.StatusForbidden, fmt.Sprintf("needs the %s role", role))
			return
		}
		h(w, r)
	}
}
