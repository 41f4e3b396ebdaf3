// Package runner assembles Vedette from its configuration (store,
// geolocation, IP lists, detections) and runs its jobs: `detect` over files
// (activity logs and Azure flow logs) and `serve`, the live flow collector.
package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/deliver"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/netdetect"
	"github.com/vedette/vedette/internal/normalize"
	"github.com/vedette/vedette/internal/pipeline"
)

// stateName is the key of the activity baselines in the store.
const stateName = "activity-baselines"

// Summary is what a detect run did.
type Summary struct {
	Files     int            `json:"files"`
	Read      int            `json:"events_read"`
	Rejected  map[string]int `json:"rejected"` // by reason
	Pipeline  pipeline.Stats `json:"pipeline"`
	NewAlerts int            `json:"new_alerts"`
	// Suppressed counts the new alerts a suppression rule dismissed: stored,
	// not written to the output.
	Suppressed int                   `json:"suppressed,omitempty"`
	Formats    map[string]string     `json:"formats"` // file -> detected format
	Examples   []normalize.Rejection `json:"rejection_examples,omitempty"`
	// FlowsRead counts flow records read (NSG/VNet tuples, Zeek entries);
	// their rejections are counted in Rejected like activity records'.
	FlowsRead     int                `json:"flows_read"`
	Network       netdetect.Counters `json:"network"`
	NetworkAlerts map[string]int     `json:"network_alerts,omitempty"` // raised, by detection
	// OpenHours are the network hours left open at the end of the run
	// (without Options.Flush): the next run over the following piece of
	// the same flows continues them.
	OpenHours int `json:"open_hours,omitempty"`
	// LateFlows counts, per file, the flow records of hours the data
	// directory had already closed: the file is older than what an
	// earlier run read, and those records were not counted.
	LateFlows map[string]int `json:"late_flows,omitempty"`
	// Sorted are the activity inputs found out of time order beyond the
	// reorder window: the run started over with each sorted on its own,
	// in runs of events spilled to disk (SpilledRuns). MergedRuns are the
	// runs written by merging: groups of inputs when there are more than
	// are read at once, and runs merged to bound the open files. Both
	// count the final attempt only, not those abandoned.
	Sorted      []string `json:"sorted_inputs,omitempty"`
	SpilledRuns int      `json:"spilled_runs,omitempty"`
	MergedRuns  int      `json:"merged_runs,omitempty"`
}

// ErrLate is returned by Detect, after everything else was done, when
// flow files were older than the data directory's network watermark.
var ErrLate = errors.New("late input")

// Options for a detect run.
type Options struct {
	// Out receives the findings as Vedette JSON lines, besides the
	// configured outputs, delivered from the store's outbox (cursor
	// "stdout"); OutPath, when set, replaces it with a file.
	Out      io.Writer
	OutPath  string
	Metrics  *deliver.Metrics // per-output delivery metrics; nil for none
	Progress io.Writer        // progress lines; nil for none
	Log      *slog.Logger
	// Flush closes every open network hour at the end, as for a complete
	// capture. Off, open hours are saved and the next run over the next
	// piece of the same flows continues them (a day split at 20:30 gives
	// the alerts of the whole day).
	Flush bool
	// Context bounds delivery; nil means context.Background().
	Context context.Context
	// limits replaces defaultLimits (tests: small windows and runs).
	limits *streamLimits
	// progressEvery replaces the 2 s between progress lines (tests).
	progressEvery time.Duration
}

// Detect reads files, runs the activity pipeline over their events in event
// time order, stores baselines and alerts under the data directory, then
// delivers every change the outputs (opts.Out or opts.OutPath, and the
// configured ones) have not received yet: the alerts not raised by an
// earlier run, and whatever an earlier run could not deliver.
func Detect(cfg config.Config, files []string, opts Options) (Summary, error) {
	env, err := Open(cfg, opts.Log)
	if err != nil {
		return Summary{}, err
	}
	defer env.Close()
	sum := Summary{Files: len(files), Rejected: map[string]int{}, Formats: map[string]string{}}
	dead, err := openDeadLetter(env.cfg.DataDir)
	if err != nil {
		return sum, err
	}
	defer dead.close()
	c := &collector{gate: env.newGate(), sum: &sum, dead: dead}
	ctx := opts.Context
	if ctx == nil {
		ctx = context.Background()
	}
	files, urls := splitCloud(files)
	activity, flows := env.sortInputs(files, c)
	defer closeSources(activity, flows)
	cloudActivity, cloudFlows, cloudProgress := env.readCloud(ctx, urls, c)
	activity, flows = append(activity, cloudActivity...), append(flows, cloudFlows...)
	if err := env.detectActivity(activity, c, opts); err != nil {
		return sum, err
	}
	// The stream's events, chunks and windows are garbage now. detect
	// recycles its events and so collects rarely: after a long stream the
	// heap is still full of them, and saving the baselines (much memory,
	// at 10k principals) would stack its peak on theirs. Collect and hand
	// them back first.
	if sum.Read >= longStream {
		debug.FreeOSMemory()
	}
	if err := env.SaveBaselines(); err != nil {
		return sum, err
	}
	err = env.detectFlows(flows, c, opts.Flush)
	if err == nil || errors.Is(err, ErrLate) {
		// The blobs read are recorded once what they held is stored.
		err = errors.Join(err, cloudProgress.commit(ctx))
	}
	err = errors.Join(err, inputsError(c.failed, sum.Files))
	// What was stored is delivered even when some input failed.
	return sum, errors.Join(err, env.deliverAll(ctx, destination{opts.Out, opts.OutPath, opts.Metrics}))
}

// longStream is how many events read make detect hand the stream's
// memory back before saving the baselines: a short run's heap is small,
// and its collection would cost more than it gives back.
const longStream = 1 << 17

// emit stores the alerts (rules, incidents and outbox in the same
// transaction); the outputs deliver them from the outbox, those a rule
// suppressed excepted (counted here): an alert is never seen anywhere
// before it is stored.
func (env *Env) emit(alerts []event.Alert, sum *Summary) error {
	if len(alerts) == 0 {
		return nil
	}
	start := time.Now()
	added, err := env.Store.Insert(context.Background(), alerts)
	env.observeStore("add_alerts", start)
	if err != nil {
		return err
	}
	if env.hooks.alerts != nil {
		env.hooks.alerts(added)
	}
	for _, a := range added {
		if a.Triage.SuppressedBy != "" {
			sum.Suppressed++
		}
	}
	sum.NewAlerts += len(added)
	if wake := env.wake; wake != nil && len(added) > 0 {
		wake()
	}
	return nil
}

// collector gathers what a detect run rejects and reads.
type collector struct {
	gate   *gate
	sum    *Summary
	dead   *deadLetter
	failed int // inputs that could not be read
}

func (c *collector) Reject(r normalize.Rejection) {
	c.sum.Rejected[r.Reason]++
	if len(c.sum.Examples) < 5 {
		c.sum.Examples = append(c.sum.Examples, r)
	}
	c.dead.add(r)
}

// closeSources closes the inputs still open (pipes not read after a
// failure).
func closeSources(lists ...[]*source) {
	for _, l := range lists {
		for _, s := range l {
			if s.in != nil {
				s.in.Close()
			}
		}
	}
}

// progress prints, every few seconds of a long run, how many activity
// events were read and processed; nothing when w is nil (-q). It is
// told as events are read (a chunk at a time) and processed, all on the
// pipeline's goroutine.
type progress struct {
	w           io.Writer
	every       time.Duration
	read        *int // the run's events read (rolled back with an attempt)
	processed   int
	start, next time.Time
}

func newProgress(w io.Writer, read *int, every time.Duration) *progress {
	if every <= 0 {
		every = 2 * time.Second
	}
	now := time.Now()
	return &progress{w: w, every: every, read: read, start: now, next: now.Add(every)}
}

// readSome is called as events are read.
func (p *progress) readSome() {
	if p != nil && p.w != nil {
		p.check()
	}
}

// processedOne is called for each event processed.
func (p *progress) processedOne() {
	if p.processed++; p.w != nil && p.processed%4096 == 0 {
		p.check()
	}
}

func (p *progress) check() {
	if now := time.Now(); now.After(p.next) {
		p.next = now.Add(p.every)
		rate := float64(*p.read) / now.Sub(p.start).Seconds()
		fmt.Fprintf(p.w, "vedette: read %d events, processed %d (%.0f/s read)\n", *p.read, p.processed, rate)
	}
}

func (p *progress) done() {
	if p.w != nil && time.Since(p.start) > p.every {
		fmt.Fprintf(p.w, "vedette: read %d events, processed %d in %s\n", *p.read, p.processed, time.Since(p.start).Round(time.Millisecond))
	}
}

// Baselines returns a fresh Baselines for cfg.
func newBaselines(cfg config.Config) *baseline.Baselines { return baseline.New(cfg.Baseline) }
