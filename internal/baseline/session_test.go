package baseline

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
)

func mgmt(t time.Time, who, op, res string, r event.Result, app string) *event.Event {
	return &event.Event{
		Key: who + op + res + t.String() + r.String(), Kind: event.KindManagement, Time: t, Tenant: "contoso",
		Principal: who, PrincipalKind: event.PrincipalUser, SourceIP: netip.MustParseAddr("81.2.69.160"),
		Operation: op, Resource: res, Result: r, AppID: app, Interactive: true,
	}
}

const listKeys = "microsoft.storage/storageaccounts/listkeys/action"

func TestSessionCountsOutcomesAndResources(t *testing.T) {
	b := New(DefaultConfig())
	at := t0
	for _, res := range []string{"st1", "st1", "st2", "st3", "st4", "st5", "st1"} {
		at = at.Add(time.Minute)
		b.Learn(mgmt(at, "a@contoso.com", listKeys, res, event.ResultUnknown, AzurePowerShellAppID)) // Start: not counted
		b.Learn(mgmt(at.Add(time.Second), "a@contoso.com", listKeys, res, event.ResultSuccess, AzurePowerShellAppID))
	}
	tn := b.Tenant("contoso")
	i, _, _ := tn.Lookup("a@contoso.com")
	s := tn.Session(i)
	ops := s.Current(at)
	if len(ops) != 1 {
		t.Fatalf("ops %+v", ops)
	}
	// st1 came back after four others: beyond the last four, so counted again.
	if o := ops[0]; o.N != 7 || o.Distinct != 6 || !o.PowerShell || s.Time(o.First) != t0.Add(time.Minute+time.Second) {
		t.Errorf("op %+v", o)
	}
	if s.Current(at.Add(SessionIdle+time.Minute)) != nil {
		t.Error("an idle session still has current operations")
	}
	// After the idle gap, a new session starts.
	b.Learn(mgmt(at.Add(3*time.Hour), "a@contoso.com", "microsoft.web/sites/publishxml/action", "app1", event.ResultFailure, ""))
	if ops := tn.Session(i).Current(at.Add(3 * time.Hour)); len(ops) != 1 || ops[0].Op != "microsoft.web/sites/publishxml/action" || ops[0].PowerShell {
		t.Errorf("new session ops %+v", ops)
	}
}

func TestSessionMarks(t *testing.T) {
	b := New(DefaultConfig())
	b.Learn(signin(t0, "a@contoso.com", "81.2.69.160", "GB", event.ResultSuccess))
	b.Learn(signin(t0.Add(5*24*time.Hour), "a@contoso.com", "81.2.69.160", "GB", event.ResultFailure))
	tn := b.Tenant("contoso")
	i, _, _ := tn.Lookup("a@contoso.com")
	if tn.Session(i) != nil {
		t.Fatal("sign-ins without a mark created a session")
	}
	back := t0.Add(30 * 24 * time.Hour)
	ps := signin(back, "a@contoso.com", "81.2.69.160", "GB", event.ResultSuccess)
	ps.AppID, ps.UserAgent = AzurePowerShellAppID, "AzurePowershell/v3.0.4 PSVersion/v7.4.5"
	b.Learn(ps)
	s := tn.Session(i)
	returned, prior, ok := s.ReturnMark(back.Add(time.Hour))
	if !ok || returned != back.Unix() || prior != t0.Unix() {
		t.Errorf("return mark %d, %d, %v", returned, prior, ok)
	}
	at, priorPS, ok := s.PowerShellMark(back.Add(time.Hour))
	if !ok || at != back.Unix() || priorPS != 0 || s.PowerShellUA != ps.UserAgent {
		t.Errorf("PowerShell mark %d, %d, %v, %q", at, priorPS, ok, s.PowerShellUA)
	}
	// A second PowerShell activity does not move the mark.
	b.Learn(mgmt(back.Add(time.Minute), "a@contoso.com", listKeys, "st1", event.ResultUnknown, AzurePowerShellAppID))
	if at2, _, _ := s.PowerShellMark(back.Add(time.Hour)); at2 != at {
		t.Errorf("mark moved to %d", at2)
	}
	if _, _, ok := s.ReturnMark(back.Add(MarkTTL + time.Second)); ok {
		t.Error("return mark outlived MarkTTL")
	}
	// Two days later the sweep drops the expired session.
	b.Learn(signin(back.Add(48*time.Hour), "b@contoso.com", "81.2.69.161", "GB", event.ResultSuccess))
	if tn.Session(i) != nil {
		t.Error("expired session not swept")
	}
}

func TestSessionAfterDoesNotChangeState(t *testing.T) {
	b := New(DefaultConfig())
	e := mgmt(t0, "a@contoso.com", listKeys, "st1", event.ResultSuccess, AzurePowerShellAppID)
	b.Learn(e)
	tn := b.Tenant("contoso")
	i, _, _ := tn.Lookup("a@contoso.com")
	before := *tn.Session(i)
	before.Ops = append([]SessionOp(nil), before.Ops...)
	after := tn.SessionAfter(i, mgmt(t0.Add(time.Minute), "a@contoso.com", listKeys, "st2", event.ResultSuccess, ""))
	if diff := cmp.Diff(&before, tn.Session(i)); diff != "" {
		t.Errorf("SessionAfter changed the session (-before +now):\n%s", diff)
	}
	if o := after.Ops[0]; o.N != 2 || o.Distinct != 2 {
		t.Errorf("after: %+v", o)
	}
}

func TestSessionSnapshotRoundTrip(t *testing.T) {
	b := New(DefaultConfig())
	for k := range 20 {
		b.Learn(mgmt(t0.Add(time.Duration(k)*time.Minute), "a@contoso.com", listKeys, "st", event.ResultSuccess, AzurePowerShellAppID))
	}
	r := restored(t, b)
	if diff := cmp.Diff(b.tenants["contoso"].Sessions, r.tenants["contoso"].Sessions); diff != "" {
		t.Errorf("sessions differ after a round trip (-want +got):\n%s", diff)
	}
}
