package pipeline

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/detect"
	"github.com/vedette/vedette/internal/enrich/iplist"
	"github.com/vedette/vedette/internal/event"
)

// reloadingLists are watchedLists that reload their file, once, right
// after answering the first time: a reload in the middle of a chunk.
type reloadingLists struct {
	watchedLists
	reload func()
}

func (l *reloadingLists) Tags(ip netip.Addr) []detect.IPTag {
	tags := l.watchedLists.Tags(ip)
	if l.reload != nil {
		l.reload()
		l.reload = nil
	}
	return tags
}

// TestTagsFollowReloadInChunk: EnrichAll reads the lists' version once a
// chunk; a reload while it tags the chunk (the address leaves the list)
// leaves every event of the chunk with tags of that version or a later
// one, and the pipeline, with the later version in force, finds none,
// for the event tagged before the reload as for those tagged after it
// from the Enricher's cache.
func TestTagsFollowReloadInChunk(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "tor.txt")
	if err := os.WriteFile(path, []byte("185.220.101.7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := iplist.NewWatcher([]iplist.ListConfig{{Path: path, Category: detect.CategoryTor, Name: "tor"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	lists := &reloadingLists{watchedLists: watchedLists{w}, reload: func() {
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := w.Reload(); err != nil {
			t.Fatal(err)
		}
	}}
	cfg := config.Default()
	opts, deps := Options{TrustRecordLocation: true}, Deps{Lists: lists, Scoper: cfg.Scopes()}
	p := New(opts, baseline.New(cfg.Baseline), deps)
	x := NewEnricher(opts, deps)
	t0 := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	tor := netip.MustParseAddr("185.220.101.7")
	var chunk []*event.Event
	for i := range 3 {
		chunk = append(chunk, &event.Event{Key: string(rune('a' + i)), Kind: event.KindSignIn, Time: t0.Add(time.Duration(i) * time.Minute),
			Tenant: "contoso", Principal: "alice@contoso.com", PrincipalKind: event.PrincipalUser, Result: event.ResultSuccess,
			SourceIP: tor, Operation: "sign-in"})
	}
	before := w.Version()
	x.EnrichAll(chunk)
	if w.Version() == before {
		t.Fatal("the lists did not reload during EnrichAll")
	}
	for i, e := range chunk {
		if !e.Enrichment.Tagged || e.Enrichment.Lists != before {
			t.Fatalf("event %d: tagged %v under version %d, want version %d (read before the chunk)", i, e.Enrichment.Tagged, e.Enrichment.Lists, before)
		}
		p.Process(e)
		if len(p.in.Tags) != 0 {
			t.Errorf("event %d: tags %v after the address left the list", i, p.in.Tags)
		}
	}
}
