package baseline

import (
	"bytes"
	"encoding/gob"
	"net/netip"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// TestSoloIPv4Split: IPv4 addresses one principal used are kept by their 4
// bytes, IPv6 ones by 16, a second principal promotes either to shared
// usage, and a version 1 snapshot (every solo IP in SoloIPs) still
// restores them.
func TestSoloIPv4Split(t *testing.T) {
	b := New(DefaultConfig())
	b.Learn(signin(t0, "a@contoso.com", "81.2.69.160", "GB", event.ResultSuccess))
	b.Learn(signin(t0, "a@contoso.com", "2a01:4f8::1", "DE", event.ResultSuccess))
	b.Learn(signin(t0, "a@contoso.com", "10.1.2.3", "GB", event.ResultSuccess)) // private: not learned
	tn := b.Tenant("contoso")
	if len(tn.SoloIPs4) != 1 || len(tn.SoloIPs) != 1 || len(tn.IPs) != 0 {
		t.Fatalf("solo v4 %d, solo v6 %d, shared %d; want 1, 1, 0", len(tn.SoloIPs4), len(tn.SoloIPs), len(tn.IPs))
	}
	b.Learn(signin(t0.Add(time.Hour), "b@contoso.com", "81.2.69.160", "GB", event.ResultSuccess))
	if len(tn.SoloIPs4) != 0 || len(tn.IPs) != 1 {
		t.Fatalf("after a second principal: solo v4 %d, shared %d; want 0, 1", len(tn.SoloIPs4), len(tn.IPs))
	}
	if n := tn.IPUsage(netip.MustParseAddr("81.2.69.160")).Count(Day(t0)); n != 2 {
		t.Errorf("shared IPv4 used by %d principals, want 2", n)
	}

	// The layout before the split: an IPv4 address in SoloIPs.
	b.Learn(signin(t0.Add(2*time.Hour), "c@contoso.com", "90.84.1.1", "FR", event.ResultSuccess))
	v4 := netip.MustParseAddr("90.84.1.1")
	k, _ := KeyOf(v4).v4()
	tn.SoloIPs[KeyOf(v4)] = tn.SoloIPs4[k]
	delete(tn.SoloIPs4, k)
	r := New(DefaultConfig())
	if err := r.UnmarshalBinary(encodeVersion(t, 1, b)); err != nil {
		t.Fatal(err)
	}
	rt := r.Tenant("contoso")
	if len(rt.SoloIPs4) != 1 || len(rt.SoloIPs) != 1 {
		t.Errorf("restored: solo v4 %d, solo v6 %d; want 1, 1", len(rt.SoloIPs4), len(rt.SoloIPs))
	}
	for ip, want := range map[string]int{"90.84.1.1": 1, "2a01:4f8::1": 1, "81.2.69.160": 2} {
		if n := rt.IPUsage(netip.MustParseAddr(ip)).Count(Day(t0)); n != want {
			t.Errorf("restored %s used by %d principals, want %d", ip, n, want)
		}
	}
	if err := New(DefaultConfig()).UnmarshalBinary(encodeVersion(t, snapshotVersion+1, b)); err == nil {
		t.Error("a snapshot of a later version was accepted")
	}
	r.Prune(t0.Add(400 * 24 * time.Hour))
	if len(rt.SoloIPs4)+len(rt.SoloIPs)+len(rt.IPs) != 0 {
		t.Error("pruning kept IPs used a year before")
	}
}

// encodeVersion writes b's tenants as a snapshot of the given version.
func encodeVersion(t *testing.T, version int, b *Baselines) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(snapshot{Version: version, Tenants: b.tenants}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
