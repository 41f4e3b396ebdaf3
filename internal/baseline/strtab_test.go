package baseline

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/vedette/vedette/internal/event"
)

// TestStringTableBoundedByMemory: a tenant's sign-ins carrying ever new
// user agents (attacker-chosen text, each interned as the fix moves) keep
// the string table within two generations of its budget, while the
// strings the state keeps meeting are still shared.
func TestStringTableBoundedByMemory(t *testing.T) {
	b := New(DefaultConfig())
	pad := strings.Repeat("x", 200)
	total := 0
	for i := range 60_000 {
		e := signin(t0.Add(time.Duration(i)*time.Second), "mallory@contoso.com", "81.2.69.160", "GB", event.ResultSuccess)
		e.UserAgent = fmt.Sprintf("Mozilla/5.0 (%d) %s", i, pad)
		total += len(e.UserAgent) + internEntryCost
		b.Learn(e)
	}
	tn := b.Tenant("contoso")
	if total <= 2*internBudget {
		t.Fatalf("the flood interned %d bytes, not more than two generations (%d): it cannot show the bound", total, 2*internBudget)
	}
	if got := tn.strings.size(); got > 2*internBudget {
		t.Errorf("string table holds %d bytes after %d bytes of distinct user agents, want at most %d", got, total, 2*internBudget)
	}

	// Two principals' fixes with equal strings made apart share one copy.
	for _, who := range []string{"alice@contoso.com", "bob@contoso.com"} {
		e := signin(t0.Add(24*time.Hour), who, "81.2.69.161", "GB", event.ResultSuccess)
		e.UserAgent = strings.Clone("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Edge/142.0")
		e.AppName = strings.Clone("Office 365 Exchange Online")
		b.Learn(e)
	}
	_, a, _ := tn.Lookup("alice@contoso.com")
	_, c, _ := tn.Lookup("bob@contoso.com")
	for _, pair := range [][2]string{{a.Fix.UserAgent, c.Fix.UserAgent}, {a.Fix.App, c.Fix.App}} {
		if pair[0] != pair[1] || unsafe.StringData(pair[0]) != unsafe.StringData(pair[1]) {
			t.Errorf("%q and %q are not one interned copy", pair[0], pair[1])
		}
	}
}
