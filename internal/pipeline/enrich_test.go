package pipeline

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/detect"
	"github.com/vedette/vedette/internal/enrich/iplist"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/ti"
)

// watchedLists adapts an iplist.Watcher (the real lists, reloading) to
// Lists, with its versions, as the runner does.
type watchedLists struct{ w *iplist.Watcher }

func (l watchedLists) Version() uint64 { return l.w.Version() }

func (l watchedLists) Tags(ip netip.Addr) []detect.IPTag {
	var tags []detect.IPTag
	for _, e := range l.w.Current().Lookup(ip) {
		tags = append(tags, detect.IPTag{Category: string(e.Category), List: e.List, Label: e.Label})
	}
	return tags
}

// TestTagsFollowReloads: the tags of an event's source IP and of its
// principal's fix, computed ahead or cached, are those of the lists in
// force when the event is processed: a reload between two events, or
// between enriching an event and processing it, is seen.
func TestTagsFollowReloads(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tor.txt")
	write := func(body string) {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("185.220.101.7\n")
	w, err := iplist.NewWatcher([]iplist.ListConfig{{Path: path, Category: detect.CategoryTor, Name: "tor"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	opts, deps := Options{TrustRecordLocation: true}, Deps{Lists: watchedLists{w}, Scoper: cfg.Scopes()}
	p := New(opts, baseline.New(cfg.Baseline), deps)
	x := NewEnricher(opts, deps)
	t0 := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	tor, home := netip.MustParseAddr("185.220.101.7"), netip.MustParseAddr("81.2.69.160")
	signin := func(i int, ip netip.Addr, interactive bool) *event.Event {
		return &event.Event{Key: string(rune('a' + i)), Kind: event.KindSignIn, Time: t0.Add(time.Duration(i) * time.Hour),
			Tenant: "contoso", Principal: "alice@contoso.com", PrincipalKind: event.PrincipalUser, Result: event.ResultSuccess,
			Interactive: interactive, SourceIP: ip, Operation: "sign-in",
			Location: event.Location{Country: "DE", Lat: 52.52, Lon: 13.4, RadiusKm: 20, HasCoord: true, Source: "record"}}
	}
	torTags := []detect.IPTag{{Category: detect.CategoryTor, List: "tor"}}
	listed, unlisted := "185.220.101.7\n", ""
	steps := []struct {
		name         string
		ip           netip.Addr
		interactive  bool    // location evidence: the fix moves to ip
		ahead        bool    // enriched before the reload
		reload       *string // the list's new content, if reloaded before processing
		tags, before []detect.IPTag
	}{
		{"from a Tor exit", tor, true, false, nil, torTags, nil},
		{"home, refreshing: the fix stays at the exit", home, false, true, nil, nil, torTags},
		{"home, after the exit left the list", home, false, false, &unlisted, nil, nil},
		{"the exit, enriched before it is back on the list", tor, true, true, &listed, torTags, torTags},
		{"the exit, enriched before it left the list", tor, true, true, &unlisted, nil, nil},
	}
	for i, s := range steps {
		e := signin(i, s.ip, s.interactive)
		if s.ahead {
			x.Enrich(e)
		}
		if s.reload != nil {
			write(*s.reload)
			if err := w.Reload(); err != nil {
				t.Fatal(err)
			}
		}
		p.Process(e)
		if diff := cmp.Diff(s.tags, p.in.Tags); diff != "" {
			t.Errorf("%s: tags (-want +got):\n%s", s.name, diff)
		}
		if diff := cmp.Diff(s.before, p.in.PrevTags); diff != "" {
			t.Errorf("%s: tags of the fix (-want +got):\n%s", s.name, diff)
		}
		if s.ahead && !e.Enrichment.Tagged {
			t.Errorf("%s: not enriched ahead", s.name)
		}
	}
}

// watchedIntel adapts a ti.Watcher (real feeds, reloading) to Intel, with
// its versions and coverage, as the runner does.
type watchedIntel struct{ w *ti.Watcher }

func (i watchedIntel) Version() uint64           { return i.w.Version() }
func (i watchedIntel) Covers(ip netip.Addr) bool { return i.w.Covers(ip) }
func (i watchedIntel) Match(ip netip.Addr, at time.Time) (detect.IPTag, bool) {
	e, ok := i.w.Lookup(ip, at)
	if !ok {
		return detect.IPTag{}, false
	}
	return detect.IPTag{Category: detect.CategoryMalicious, List: e.Feed, Label: e.Name}, true
}

// unversionedLists adapts an iplist.Watcher to Lists without its
// versions: lists a caller does not reload, which leave the tags without
// versions, as Deps allows.
type unversionedLists struct{ w *iplist.Watcher }

func (l unversionedLists) Tags(ip netip.Addr) []detect.IPTag { return watchedLists(l).Tags(ip) }

// TestIntelFollowsReloads: an address the threat intelligence did not
// cover (remembered per address) is matched again once a reload covers
// it, whether enriched ahead or in the pipeline, and one it covered stops
// matching once a reload drops it; so too next to IP lists without
// versions, where the pipeline cannot tell one version of the threat
// intelligence from another and must ask it every time.
func TestIntelFollowsReloads(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		lists func(t *testing.T) Lists
	}{
		{"no lists", func(*testing.T) Lists { return nil }},
		{"lists without versions", func(t *testing.T) Lists {
			return unversionedLists{torList(t, "185.220.101.7\n")}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			intelFollowsReloads(t, tc.lists(t))
		})
	}
}

func intelFollowsReloads(t *testing.T, lists Lists) {
	path := filepath.Join(t.TempDir(), "feed.txt")
	write := func(body string) {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("")
	w, err := ti.NewWatcher([]string{path}, time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	opts, deps := Options{TrustRecordLocation: true}, Deps{Lists: lists, Intel: watchedIntel{w}, Scoper: cfg.Scopes()}
	p := New(opts, baseline.New(cfg.Baseline), deps)
	x := NewEnricher(opts, deps)
	t0 := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	relay := netip.MustParseAddr("45.137.21.9")
	bad := []detect.IPTag{{Category: detect.CategoryMalicious, List: "feed.txt", Label: ""}}
	listed, unlisted := "45.137.21.9\n", "198.51.100.1\n"
	steps := []struct {
		reload *string
		ahead  bool
		tags   []detect.IPTag
	}{
		{nil, false, nil},
		{nil, true, nil},
		{&listed, false, bad},
		{&unlisted, true, nil},
		{&listed, true, bad},
		{nil, true, bad},
		{&unlisted, false, nil},
	}
	for i, s := range steps {
		if s.reload != nil {
			write(*s.reload)
			if !w.Reload() {
				t.Fatalf("step %d: reload not seen", i)
			}
		}
		e := &event.Event{Key: string(rune('a' + i)), Kind: event.KindSignIn, Time: t0.Add(time.Duration(i) * time.Hour),
			Tenant: "contoso", Principal: "alice@contoso.com", PrincipalKind: event.PrincipalUser, Result: event.ResultSuccess,
			SourceIP: relay, Operation: "sign-in"}
		if s.ahead {
			x.EnrichAll([]*event.Event{e})
		}
		p.Process(e)
		if diff := cmp.Diff(s.tags, p.in.Tags, cmpopts.IgnoreFields(detect.IPTag{}, "Label")); diff != "" {
			t.Errorf("step %d: tags (-want +got):\n%s", i, diff)
		}
	}
}

// TestFixTagsSurviveRestore: baselines restored in place (new Tenant
// objects for the same tenants, as a restart or a takeover restores them)
// keep one set of fix-tag entries per tenant, not one per restore, and
// the tags of the principal's fix stay right across restores.
func TestFixTagsSurviveRestore(t *testing.T) {
	t.Parallel()
	w := torList(t, "185.220.101.7\n")
	cfg := config.Default()
	base := baseline.New(cfg.Baseline)
	p := New(Options{TrustRecordLocation: true}, base, Deps{Lists: watchedLists{w}, Scoper: cfg.Scopes()})
	t0 := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	tor := netip.MustParseAddr("185.220.101.7")
	signin := func(i int, tenant string) *event.Event {
		return &event.Event{Key: fmt.Sprintf("%s-%d", tenant, i), Kind: event.KindSignIn, Time: t0.Add(time.Duration(i) * time.Hour),
			Tenant: tenant, Principal: "alice@" + tenant, PrincipalKind: event.PrincipalUser, Result: event.ResultSuccess,
			Interactive: true, SourceIP: tor, Operation: "sign-in",
			Location: event.Location{Country: "DE", Lat: 52.52, Lon: 13.4, RadiusKm: 20, HasCoord: true, Source: "record"}}
	}
	torTags := []detect.IPTag{{Category: detect.CategoryTor, List: "tor"}}
	for i := range 6 {
		for _, tenant := range []string{"contoso.com", "fabrikam.com"} {
			p.Process(signin(i, tenant))
			if i > 0 {
				if diff := cmp.Diff(torTags, p.in.PrevTags); diff != "" {
					t.Errorf("restore %d, %s: tags of the fix (-want +got):\n%s", i, tenant, diff)
				}
			}
		}
		data, err := base.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if err := base.UnmarshalBinary(data); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(p.fixes.byTenant); n > 2 {
		t.Errorf("%d tenants' fix-tag entries kept after 6 restores of 2 tenants", n)
	}
}

// torList watches a Tor exit list of body in a temporary file.
func torList(t *testing.T, body string) *iplist.Watcher {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tor.txt")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := iplist.NewWatcher([]iplist.ListConfig{{Path: path, Category: detect.CategoryTor, Name: "tor"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w
}
