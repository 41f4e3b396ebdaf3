package api

import (
	"context"
	"testing"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

// The outputs' dead letters are listed newest first, per output, with the
// change, the attempts and the reason.
func TestDeadLettersOverHTTP(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		e := newEnv(t, open(store.Options{}), nil)
		added := e.insert(alerts(3))
		ctx := context.Background()
		for i, a := range added {
			c := event.Change{Seq: int64(i + 1), Kind: event.ChangeCreated, At: t0, Alert: a.Alert, Triage: a.Triage}
			if err := e.store.AddDeadLetter(ctx, "soar", c, 10, "webhook: 503 Service Unavailable"); err != nil {
				t.Fatal(err)
			}
		}
		if err := e.store.AddDeadLetter(ctx, "siem", event.Change{Seq: 1, Alert: added[0].Alert}, 1, "400"); err != nil {
			t.Fatal(err)
		}
		var dead []store.DeadLetter
		e.must("viewer", "GET", "/api/v1/dead-letters?output=soar&limit=2", nil, &dead, 200)
		if len(dead) != 2 || dead[0].Change.Alert.ID != added[2].ID || dead[0].Attempts != 10 ||
			dead[0].Reason != "webhook: 503 Service Unavailable" || dead[0].Output != "soar" {
			t.Errorf("dead letters %+v", dead)
		}
		e.must("viewer", "GET", "/api/v1/dead-letters", nil, &dead, 200)
		if len(dead) != 4 {
			t.Errorf("%d dead letters over all outputs, want 4", len(dead))
		}
		e.must("viewer", "GET", "/api/v1/dead-letters?output=nowhere", nil, &dead, 200)
		if dead == nil || len(dead) != 0 {
			t.Errorf("unknown output: %v, want []", dead)
		}
		if code := e.call("", "GET", "/api/v1/dead-letters", nil, nil); code != 401 {
			t.Errorf("without a token: %d", code)
		}
		if code := e.call("viewer", "GET", "/api/v1/dead-letters?limit=0", nil, nil); code != 400 {
			t.Errorf("limit=0: %d", code)
		}
	})
}
