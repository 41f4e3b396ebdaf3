package runner

import (
	"context"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/gen"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

// microBurstRun is the MicroBurst golden case's Get-AzPasswords run by
// principal in subscription sub, shifted by shift.
func microBurstRun(t *testing.T, principal, sub string, shift time.Duration) []*event.Event {
	t.Helper()
	ar, err := txtar.ParseFile("../detect/testdata/microburst/toolkit-run.txtar")
	if err != nil {
		t.Fatal(err)
	}
	const orig = "0b1f6471-1bf0-4dda-aec3-111122223333"
	events := storetest.Events(t, ar.Files[0].Data)
	for _, e := range events {
		e.Principal, e.Time = principal, e.Time.Add(shift)
		e.Key = principal + "/" + e.Key + "/" + shift.String()
		if e.Subscription == orig {
			e.Subscription, e.Resource = sub, strings.ReplaceAll(e.Resource, orig, sub)
		}
	}
	return events
}

// TestSettingSeenByNextEvent: microburst disabled through the store for
// one subscription stops alerting there from the very next event, keeps
// alerting in another, and alerts again once the override is removed, all
// in one running pipeline.
func TestSettingSeenByNextEvent(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	env, err := Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	p := env.Pipeline()
	run := func(events []*event.Event) (n int) {
		for _, e := range events {
			for _, a := range p.Process(e) {
				if a.Detection == "microburst" {
					n++
				}
			}
		}
		return n
	}
	ctx := context.Background()
	// A first run builds the pipeline's scope cache with microburst on.
	if n := run(microBurstRun(t, "megan@contoso.com", "sub-a", 0)); n != 1 {
		t.Fatalf("first run: %d microburst alerts, want 1", n)
	}
	off := false
	err = env.Store.PutSetting(ctx, store.SettingOverride{Tenant: "contoso", Subscription: "sub-a", Detection: "microburst", Enabled: &off, UpdatedBy: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if n := run(microBurstRun(t, "megan@contoso.com", "sub-a", 24*time.Hour)); n != 0 {
		t.Errorf("disabled in sub-a: %d alerts", n)
	}
	if n := run(microBurstRun(t, "nina@contoso.com", "sub-b", 25*time.Hour)); n != 1 {
		t.Errorf("sub-b: %d alerts, want 1", n)
	}
	eff := env.Scopes().Effective("contoso", "sub-a")
	for _, e := range eff {
		if e.Detection == "microburst" && (e.Enabled || e.Source["enabled"] != config.SourceAPI) {
			t.Errorf("effective %+v", e)
		}
	}
	if err := env.Store.DeleteSetting(ctx, "contoso", "sub-a", "microburst", "admin"); err != nil {
		t.Fatal(err)
	}
	if n := run(microBurstRun(t, "megan@contoso.com", "sub-a", 48*time.Hour)); n != 1 {
		t.Errorf("override removed: %d alerts, want 1", n)
	}
}

// TestNetworkSettingSeenByEngine: ssh-incoming-many-to-one disabled
// through the store for the generated VNet's subscription silences it
// there and nothing else; disabled for another subscription, it changes
// nothing.
func TestNetworkSettingSeenByEngine(t *testing.T) {
	files, cfg := netMonth(t)
	run := func(sub string) map[string]int {
		cfg.DataDir = t.TempDir()
		if sub != "" {
			env, err := Open(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			off := false
			err = env.Store.PutSetting(context.Background(), store.SettingOverride{Tenant: "*", Subscription: sub,
				Detection: gen.DetSSHInMany, Enabled: &off, UpdatedBy: "admin"})
			env.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
		alerts, _ := detectFiles(t, cfg, files...)
		return countByDetection(alerts)
	}
	base := run("")
	if base[gen.DetSSHInMany] == 0 || base[gen.DetRDPInMany] == 0 {
		t.Fatalf("the generated month has no many-to-one alerts: %v", base)
	}
	if d := cmp.Diff(run("sub-elsewhere"), base); d != "" {
		t.Errorf("another subscription's override changed the alerts (-got +want):\n%s", d)
	}
	want := maps.Clone(base)
	delete(want, gen.DetSSHInMany)
	if d := cmp.Diff(run(strings.ToUpper(gen.DefaultNetworkConfig().Subscription)), want); d != "" {
		t.Errorf("disabled for the VNet's subscription (-got +want):\n%s", d)
	}
}
