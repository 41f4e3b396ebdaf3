package main

import (
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/api"
	"github.com/vedette/vedette/internal/config"
)

// TestTokenCommand: the printed entry is valid configuration and holds the
// hash of the printed token, with the role asked for.
func TestTokenCommand(t *testing.T) {
	out, errs, code := vedette(t, nil, "token", "-name", "alice", "-role", "analyst")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	first, rest, _ := strings.Cut(out, "\n")
	token, ok := strings.CutPrefix(first, "token: ")
	if !ok || !strings.HasPrefix(token, "vdt_") {
		t.Fatalf("first line %q", first)
	}
	cfg, err := config.Parse(strings.NewReader(rest))
	if err != nil {
		t.Fatalf("printed entry is not valid configuration: %v\n%s", err, rest)
	}
	if tk := cfg.API.Tokens; len(tk) != 1 || tk[0].Name != "alice" || tk[0].Role != "analyst" || tk[0].SHA256 != api.HashToken(token) {
		t.Errorf("tokens %+v", tk)
	}
	if _, errs, code := vedette(t, nil, "token", "-name", "bob", "-role", "root"); code != 1 || !strings.Contains(errs, `unknown role "root"`) {
		t.Errorf("bad role: exit %d %s", code, errs)
	}
}

// TestAPICommandRefusesPublicWithoutTokens: exit 1, nothing served.
func TestAPICommandRefusesPublicWithoutTokens(t *testing.T) {
	_, errs, code := vedette(t, nil, "api", "-data", t.TempDir(), "-listen", "0.0.0.0:0")
	if code != 1 || !strings.Contains(errs, "non-loopback address without api.tokens") {
		t.Errorf("exit %d: %s", code, errs)
	}
}
