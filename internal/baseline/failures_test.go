package baseline

import (
	"fmt"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// A success ends the account's run of failures from its network, whether
// the failures were learned in this process, survived a prune, or came
// back from a snapshot; accounts that never failed have nothing to end.
func TestSuccessEndsRunAfterPruneAndRestore(t *testing.T) {
	fail := func(at time.Time, who string) *event.Event {
		e := signin(at, who, "81.2.69.10", "GB", event.ResultFailure)
		e.ResultCode = "50126"
		return e
	}
	for _, how := range []string{"live", "pruned", "restored"} {
		t.Run(how, func(t *testing.T) {
			b := New(DefaultConfig())
			for i := range 12 {
				b.Learn(fail(t0.Add(time.Duration(i)*time.Minute), fmt.Sprintf("u%d@contoso.com", i%3)))
			}
			switch how {
			case "pruned":
				b.Prune(t0.Add(30 * time.Minute))
			case "restored":
				b = restored(t, b)
			}
			at := t0.Add(20 * time.Minute)
			probe := signin(at, "u1@contoso.com", "81.2.69.99", "GB", event.ResultSuccess)
			tn := b.Tenant("contoso")
			i, _, _ := tn.Lookup("u1@contoso.com")
			if n, _, _ := tn.FailuresFrom(probe).Run(i); n != 4 {
				t.Fatalf("run before the success = %d, want 4", n)
			}
			if never := uint32(tn.NumPrincipals()); tn.MayHaveFailed(never) {
				t.Error("a principal that never failed may have failed")
			}
			b.Learn(signin(at, "u1@contoso.com", "81.2.69.11", "GB", event.ResultSuccess))
			if n, _, _ := tn.FailuresFrom(probe).Run(i); n != 0 {
				t.Errorf("run after the success = %d, want 0", n)
			}
			j, _, _ := tn.Lookup("u2@contoso.com")
			if n, _, _ := tn.FailuresFrom(probe).Run(j); n != 4 {
				t.Errorf("another account's run = %d, want 4", n)
			}
		})
	}
}
