package baseline

import (
	"testing"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// TestRepair: clean baselines are left alone; a 2106 sign-in learned by an
// older version is forgotten, after which the next genuine sign-in is
// neither "already processed" nor compared with a principal first seen in
// the future.
func TestRepair(t *testing.T) {
	t.Parallel()
	floor, limit := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), t0.Add(30*24*time.Hour)
	b := New(DefaultConfig())
	for i := range 5 {
		b.Learn(signin(t0.Add(time.Duration(i)*time.Hour), "ana@contoso.com", "81.2.69.160", "GB", event.ResultSuccess))
	}
	if n := b.Repair(floor, limit); n != 0 {
		t.Fatalf("clean baselines: Repair changed %d entries", n)
	}
	before, _ := b.MarshalBinary()

	poisoned := New(DefaultConfig())
	poisoned.UnmarshalBinary(before)
	for _, at := range []time.Time{time.Date(1601, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2106, 2, 7, 6, 28, 0, 0, time.UTC)} {
		poisoned.Learn(signin(at, "bob@contoso.com", "203.0.113.9", "FR", event.ResultSuccess))
	}
	next := signin(t0.Add(10*time.Hour), "bob@contoso.com", "81.2.69.160", "GB", event.ResultSuccess)
	if !poisoned.Seen(next) {
		t.Fatal("the poisoned watermark does not hide the next sign-in: the test proves nothing")
	}
	if n := poisoned.Repair(floor, limit); n == 0 {
		t.Fatal("Repair found nothing to repair")
	}
	if poisoned.Seen(next) {
		t.Fatal("after Repair the next sign-in still counts as already processed")
	}
	tn := poisoned.Tenant("contoso")
	_, bob, _ := tn.Lookup("bob@contoso.com")
	if bob.FirstSeen != 0 || bob.LastSeen != 0 || bob.HasFix() || tn.FirstSeen != t0.Unix() {
		t.Fatalf("bob after Repair: %+v, tenant first seen %d", bob, tn.FirstSeen)
	}
	poisoned.Learn(next)
	if _, bob, _ = tn.Lookup("bob@contoso.com"); bob.FirstSeen != next.Time.Unix() {
		t.Fatalf("bob's first activity after Repair: %d, want %d", bob.FirstSeen, next.Time.Unix())
	}
}
