package runner

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/gen"
	"github.com/vedette/vedette/internal/normalize"
	"github.com/vedette/vedette/internal/pipeline"
)

// eventList is a normalize.Sink keeping the events.
type eventList []*event.Event

func (l *eventList) Event(e *event.Event)         { *l = append(*l, e) }
func (l *eventList) Reject(r normalize.Rejection) {}

// monthEvents reads a generated month's files into events in the
// pipeline's order: by time, then key.
func monthEvents(t *testing.T, files ...string) []*event.Event {
	t.Helper()
	var events eventList
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		_, err = normalize.Read(name, f, &events)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	slices.SortStableFunc(events, func(a, b *event.Event) int {
		return cmp.Or(a.Time.Compare(b.Time), cmp.Compare(a.Key, b.Key))
	})
	return events
}

// unversioned hides the versions of IP lists or threat intelligence: the
// pipeline then asks them for every event, as it did before it could use
// tags computed ahead or cached.
type unversioned struct {
	pipeline.Lists
	pipeline.Intel
}

// runPipeline opens a fresh Vedette over cfg and runs events through its
// pipeline: the alerts and the pipeline's counters. Before processing,
// prepare (if set) may enrich the events and change the lists; nil
// prepare runs the pipeline with unversioned lists and intelligence.
func runPipeline(t *testing.T, cfg config.Config, events []*event.Event, prepare func(env *Env)) ([]event.Alert, pipeline.Stats) {
	t.Helper()
	cfg.DataDir = t.TempDir()
	env, err := Open(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	p := env.Pipeline()
	if prepare != nil {
		prepare(env)
	} else {
		deps := env.pipelineDeps()
		if deps.Lists != nil {
			deps.Lists = unversioned{Lists: deps.Lists}
		}
		if deps.Intel != nil {
			deps.Intel = unversioned{Intel: deps.Intel}
		}
		p = pipeline.New(env.pipelineOptions(), env.Baselines, deps)
	}
	var alerts []event.Alert
	for _, e := range events {
		alerts = append(alerts, p.Process(e)...)
	}
	return alerts, p.Stats()
}

// copies returns fresh copies of events, as decoding the files again does.
func copies(events []*event.Event) []*event.Event {
	out := make([]*event.Event, len(events))
	for i, e := range events {
		c := *e
		out[i] = &c
	}
	return out
}

// enrichAhead enriches events as detect's decode workers do: split among
// two enrichers, each on its own goroutine.
func enrichAhead(env *Env, events []*event.Event) {
	x := env.workerEnrichers(2)
	half := len(events) / 2
	done := make(chan struct{})
	go func() {
		enrichAll(x[1], events[half:])
		close(done)
	}()
	enrichAll(x[0], events[:half])
	<-done
}

// TestEnrichedAheadIsEnrichedInPipeline: a generated month's events
// enriched ahead, in parallel, give the very alerts (IDs, locations,
// networks, factors) and counters of the pipeline enriching them itself
// and asking the lists for every event (the tags of a principal's fix
// cached or not);
// and events enriched under IP lists and threat intelligence that are
// reloaded before the pipeline reaches them are enriched again, as the
// lists in force say.
func TestEnrichedAheadIsEnrichedInPipeline(t *testing.T) {
	dir, cfg := month(t)
	cfg.Network.TI.Lists = []string{filepath.Join(dir, gen.ThreatIntelFile)}
	events := monthEvents(t, filepath.Join(dir, "signins.jsonl"), filepath.Join(dir, "activity.jsonl"))

	want, wantStats := runPipeline(t, cfg, copies(events), nil)
	if len(want) == 0 || wantStats.Located == 0 {
		t.Fatalf("the month raised %d alerts and located %d events", len(want), wantStats.Located)
	}
	ahead := copies(events)
	got, stats := runPipeline(t, cfg, ahead, func(env *Env) { enrichAhead(env, ahead) })
	cached, _ := runPipeline(t, cfg, copies(events), func(*Env) {})
	if diff := gocmp.Diff(want, cached); diff != "" {
		t.Errorf("alerts with cached fix tags differ (-asking +cached):\n%s", diff)
	}
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("alerts enriched ahead differ (-in pipeline +ahead):\n%s", diff)
	}
	if diff := gocmp.Diff(wantStats, stats); diff != "" {
		t.Errorf("counters differ (-in pipeline +ahead):\n%s", diff)
	}

	// Reloaded lists: the Tor exits and the threat intelligence emptied.
	lists := t.TempDir()
	for _, l := range []string{"tor", "ti"} {
		if err := os.WriteFile(filepath.Join(lists, l), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	reloaded := cfg
	reloaded.Lists = slices.Clone(cfg.Lists)
	for i := range reloaded.Lists {
		if reloaded.Lists[i].Category == "tor-exit" {
			reloaded.Lists[i].Path = filepath.Join(lists, "tor")
		}
	}
	reloaded.Network.TI.Lists = []string{filepath.Join(lists, "ti")}
	wantNew, _ := runPipeline(t, reloaded, copies(events), nil)
	if gocmp.Equal(ids(want), ids(wantNew)) {
		t.Fatal("emptying the Tor and threat-intelligence lists changed no alert: the test cannot tell stale tags")
	}
	stale := copies(events)
	got, _ = runPipeline(t, cfg, stale, func(env *Env) {
		enrichAhead(env, stale)
		if err := env.Lists.SetLists(listConfigs(reloaded.Lists)); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(cfg.Network.TI.Lists[0], nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if !env.TI.Reload() {
			t.Fatal("the TI feed did not reload")
		}
	})
	if diff := gocmp.Diff(ids(wantNew), ids(got)); diff != "" {
		t.Errorf("after a reload, alerts differ from the new lists' (-new lists +enriched before the reload):\n%s", diff)
	}
}
