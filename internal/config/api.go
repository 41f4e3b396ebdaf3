package config

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"slices"
)

// Roles of API tokens, from least to most allowed.
var Roles = []string{"viewer", "analyst", "admin"}

// API configures the HTTP API of `vedette serve` and `vedette api`.
type API struct {
	// Listen is the TCP address of the API, e.g. 127.0.0.1:8080. Empty:
	// `serve` starts no API. Without tokens only a loopback address is
	// accepted (checked again on the bound socket at start).
	Listen string `yaml:"listen"`
	// Tokens are the bearer tokens, stored as SHA-256 hashes (`vedette
	// token` makes one). None: every request on loopback is admin.
	Tokens []Token `yaml:"tokens"`
	// TLS serves HTTPS from these certificate and key files (PEM).
	TLS TLSFiles `yaml:"tls"`
	// MaxBody caps request bodies in bytes. Default 1 MiB.
	MaxBody int64 `yaml:"max_body"`
}

// Token is one API bearer token: who, with which role, and the hex SHA-256
// of the token (never the token itself).
type Token struct {
	Name   string `yaml:"name"`
	Role   string `yaml:"role"`
	SHA256 string `yaml:"sha256"`
}

// TLSFiles are a PEM certificate (chain) and its key.
type TLSFiles struct {
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
}

// DefaultAPI returns the API defaults: no API, 1 MiB bodies.
func DefaultAPI() API { return API{MaxBody: 1 << 20} }

func (a *API) validate() []error {
	var errs []error
	if a.Listen != "" {
		if _, _, err := net.SplitHostPort(a.Listen); err != nil {
			errs = append(errs, fmt.Errorf("api.listen: %w", err))
		} else if len(a.Tokens) == 0 && !LoopbackAddr(a.Listen) {
			errs = append(errs, fmt.Errorf("api.listen: %s is not a loopback address and no api.tokens are configured", a.Listen))
		}
	}
	if a.MaxBody <= 0 {
		errs = append(errs, errors.New("api.max_body: must be positive"))
	}
	if (a.TLS.Cert == "") != (a.TLS.Key == "") {
		errs = append(errs, errors.New("api.tls: cert and key go together"))
	}
	names := map[string]bool{}
	for i, t := range a.Tokens {
		where := fmt.Sprintf("api.tokens[%d]", i)
		if t.Name == "" || names[t.Name] {
			errs = append(errs, fmt.Errorf("%s.name: must be set and unique", where))
		}
		names[t.Name] = true
		if !slices.Contains(Roles, t.Role) {
			errs = append(errs, fmt.Errorf("%s.role: %q is not one of %v", where, t.Role, Roles))
		}
		if b, err := hex.DecodeString(t.SHA256); err != nil || len(b) != 32 {
			errs = append(errs, fmt.Errorf("%s.sha256: want 64 hex digits (`vedette token` prints one)", where))
		}
	}
	return errs
}

// LoopbackAddr reports whether the host of a host:port address is a
// loopback IP or "localhost". An empty host (all interfaces) is not.
func LoopbackAddr(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
