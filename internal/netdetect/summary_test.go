package netdetect

import (
	"math"
	"testing"
	"time"
)

// TestHostSummary: a jump box's usual hourly SSH reach, learned from
// closed hours, with its inventory address; it survives a snapshot.
func TestHostSummary(t *testing.T) {
	t.Parallel()
	e := newEngine(t, nil)
	// jump-01 logs into 12 servers, 4 times each, every hour, for 10 hours.
	daily := fanout("10.0.0.5", "10.0.3.%d", 12, 22, 4, 0)
	for h := range 10 {
		run(e, t0.Add(time.Duration(h)*time.Hour), daily)
	}
	r := restored(t, e)
	s, ok := r.HostSummary("JUMP-01")
	if !ok {
		t.Fatal("jump-01 not found")
	}
	if s.Host != "jump-01" || s.Subscription != "sub-1" || s.Hours != 10 {
		t.Errorf("host %q subscription %q hours %d", s.Host, s.Subscription, s.Hours)
	}
	if len(s.IPs) != 1 || s.IPs[0].IP != "10.0.0.5" || s.IPs[0].Source != "file" {
		t.Errorf("ips %+v", s.IPs)
	}
	out := s.UsualHourly["ssh_out"]
	if out.AttemptsMax != 48 || math.Abs(out.AttemptsMean-48) > 0.01 || math.Abs(out.PeersMean-12) > 0.01 {
		t.Errorf("ssh_out levels %+v, want 48 attempts and 12 peers an hour", out)
	}
	if in := s.UsualHourly["rdp_in"]; in.AttemptsMax != 0 || in.AttemptsMean != 0 {
		t.Errorf("rdp_in levels %+v, want none", in)
	}
	if _, ok := r.HostSummary("db-09"); ok {
		t.Error("unknown host found")
	}
	// An inventory host never seen in flows is known, without levels.
	if w, ok := r.HostSummary("web-01"); !ok || w.Hours != 0 || len(w.IPs) != 1 {
		t.Errorf("web-01: %+v %v", w, ok)
	}
}
