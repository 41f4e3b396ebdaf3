package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestNetworkBruteForceSuccess: ssh.incoming_brute_force_success switches
// the successful SSH brute force detection, globally and per subscription,
// beside the other ssh settings (the field is inlined with them). RDP has
// no such rule: no input reports RDP logon outcomes.
func TestNetworkBruteForceSuccess(t *testing.T) {
	t.Parallel()
	if !Default().Network.Detections.SSH.IncomingSuccess.Enabled {
		t.Fatal("enabled by default: want true")
	}
	cfg, err := Parse(strings.NewReader(`network:
  detections:
    ssh: {ports: [22, 2222], incoming_brute_force_success: {enabled: false}}
  overrides:
    - subscription: aaaa0a0a-bb1b-4ccc-9ddd-111122223333
      detections: {ssh: {incoming_brute_force_success: {enabled: true}}}
`))
	if err != nil {
		t.Fatal(err)
	}
	d := cfg.Network.Detections
	if d.SSH.IncomingSuccess.Enabled || !cmp.Equal(d.SSH.Ports, []uint16{22, 2222}) || !d.SSH.IncomingOne.Enabled {
		t.Errorf("ssh settings %+v", d.SSH)
	}
	if r := cfg.Network.Scopes().Rules("aaaa0a0a-bb1b-4ccc-9ddd-111122223333"); r == nil || !r.SSH.IncomingSuccess.Enabled || !cmp.Equal(r.SSH.Ports, d.SSH.Ports) {
		t.Errorf("override: %+v", r)
	}
	for _, bad := range []string{
		"network:\n  detections:\n    rdp: {incoming_brute_force_success: {enabled: true}}\n",
		"network:\n  detections:\n    ssh: {incoming_brute_force_success: {enabled: true, min_conns: 3}}\n",
		"network:\n  overrides:\n    - subscription: s\n      detections: {rdp: {incoming_brute_force_success: {enabled: false}}}\n",
	} {
		if _, err := Parse(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}
