package storetest

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// caseEvent is the compact event form of internal/detect's golden cases
// (sign-ins, and management operations when op is set).
type caseEvent struct {
	T                                     time.Time
	P, IP, CC, App, AppID, UA, Op, Res, R string
}

// Events parses golden-case event lines (tenant contoso); an operation's
// subscription is read from its resource ID.
func Events(t testing.TB, data []byte) []*event.Event {
	t.Helper()
	var events []*event.Event
	for i, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var c caseEvent
		if err := json.Unmarshal(line, &c); err != nil {
			t.Fatalf("events.jsonl:%d: %v", i+1, err)
		}
		e := &event.Event{
			Key: "ev-" + strconv.Itoa(i+1), Kind: event.KindSignIn, Time: c.T, Tenant: "contoso",
			Principal: c.P, PrincipalKind: event.PrincipalUser, Result: event.ResultSuccess, Interactive: true,
			AppName: c.App, AppID: c.AppID, UserAgent: c.UA, Operation: "sign-in", Resource: strings.ToLower(c.Res),
			Origin: event.Origin{Source: "events.jsonl", Record: i + 1}, SourceIP: netip.MustParseAddr(c.IP),
			Location: event.Location{Country: c.CC, Source: "record", RadiusKm: 25},
		}
		if c.Op != "" {
			e.Kind, e.Operation = event.KindManagement, strings.ToLower(c.Op)
			if rest, ok := strings.CutPrefix(e.Resource, "/subscriptions/"); ok {
				e.Subscription, _, _ = strings.Cut(rest, "/")
			}
		}
		if c.R == "start" {
			e.Result = event.ResultUnknown
		}
		events = append(events, e)
	}
	return events
}
