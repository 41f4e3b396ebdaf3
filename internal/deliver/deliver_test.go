package deliver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/notify"
)

// recorder is a notifier that records what it got and fails as told.
type recorder struct {
	mu    sync.Mutex
	got   []int64     // seqs delivered
	calls []time.Time // when each Notify began
	// fail decides the outcome of call n (from 1) for a batch.
	fail func(n int, batch []event.Change) (retry bool, err error)
}

func (r *recorder) Notify(ctx context.Context, changes []event.Change) (bool, error) {
	r.mu.Lock()
	r.calls = append(r.calls, time.Now())
	n := len(r.calls)
	r.mu.Unlock()
	if r.fail != nil {
		if retry, err := r.fail(n, changes); err != nil {
			return retry, err
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range changes {
		r.got = append(r.got, c.Seq)
	}
	return false, nil
}

func seqs(from, to int64) []int64 {
	var out []int64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}

func newDeliverer(t *testing.T, ob Outbox, reg Registerer, outs ...Output) *Deliverer {
	t.Helper()
	m, err := NewMetrics(reg)
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(ob, outs, Deps{Metrics: m, Jitter: func() float64 { return 0.5 }})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDrainDeliversInOrderPerOutput(t *testing.T) {
	t.Parallel()
	ob := newMemOutbox(changesN(23))
	a, b := &recorder{}, &recorder{}
	reg := prometheus.NewRegistry()
	d := newDeliverer(t, ob, reg,
		Output{Name: "a", Notifier: a, Policy: Policy{BatchSize: 4}},
		Output{Name: "b", Notifier: b, Policy: Policy{BatchSize: 100}, Filter: Filter{MinSeverity: event.SeverityHigh}})
	if err := d.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(a.got, seqs(1, 23)) || len(a.calls) != 6 {
		t.Errorf("a got %v in %d calls", a.got, len(a.calls))
	}
	if !slices.Equal(b.got, []int64{3, 6, 9, 12, 15, 18, 21}) {
		t.Errorf("b (High only) got %v", b.got)
	}
	if ob.cursors["a"] != 23 || ob.cursors["b"] != 23 {
		t.Errorf("cursors %v, want both at 23 (filtered changes move it too)", ob.cursors)
	}
	for name, want := range map[string]float64{"a": 23, "b": 7} {
		if got := testutil.ToFloat64(d.workers[0].deps.Metrics.delivered.WithLabelValues(name)); got != want {
			t.Errorf("delivered{%s} = %v, want %v", name, got, want)
		}
	}
	if got := testutil.ToFloat64(d.workers[0].deps.Metrics.filtered.WithLabelValues("b")); got != 16 {
		t.Errorf("filtered{b} = %v", got)
	}
}

// A restarted loop resumes after the stored cursor: nothing is sent twice
// when the previous run finished its batches, nothing is skipped.
func TestResumeFromCursor(t *testing.T) {
	t.Parallel()
	ob := newMemOutbox(changesN(10))
	first := &recorder{fail: func(n int, _ []event.Change) (bool, error) {
		if n == 3 {
			return false, fmt.Errorf("%w: pipe", notify.ErrClosed)
		}
		return false, nil
	}}
	err := newDeliverer(t, ob, nil, Output{Name: "stdout", Notifier: first, Policy: Policy{BatchSize: 3}}).Drain(t.Context())
	if !errors.Is(err, notify.ErrClosed) || !strings.Contains(err.Error(), "output stdout") {
		t.Fatalf("err %v, want the closed receiver named", err)
	}
	if ob.cursors["stdout"] != 6 || len(ob.dead) != 0 {
		t.Fatalf("cursor %d dead %v: a closed receiver must hold the cursor, not dead-letter", ob.cursors["stdout"], ob.dead)
	}
	ob.append(changesN(12)[10])
	ob.append(changesN(12)[11])
	second := &recorder{}
	if err := newDeliverer(t, ob, nil, Output{Name: "stdout", Notifier: second, Policy: Policy{BatchSize: 3}}).Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := append(first.got, second.got...); !slices.Equal(got, seqs(1, 12)) {
		t.Errorf("delivered %v, want 1..12 once each", got)
	}
}

// Retries back off exponentially with jitter, capped, then succeed.
func TestRetryBackoff(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ob := newMemOutbox(changesN(2))
		r := &recorder{fail: func(n int, _ []event.Change) (bool, error) {
			if n <= 5 {
				return true, errors.New("503 busy")
			}
			return false, nil
		}}
		reg := prometheus.NewRegistry()
		d := newDeliverer(t, ob, reg, Output{Name: "w", Notifier: r,
			Policy: Policy{MinBackoff: time.Second, MaxBackoff: 10 * time.Second, MaxAttempts: 10}})
		if err := d.Drain(t.Context()); err != nil {
			t.Fatal(err)
		}
		var gaps []time.Duration
		for i := 1; i < len(r.calls); i++ {
			gaps = append(gaps, r.calls[i].Sub(r.calls[i-1]))
		}
		// jitter 0.5: 3/4 of 1s, 2s, 4s, 8s, then capped at 10s.
		want := []time.Duration{750 * time.Millisecond, 1500 * time.Millisecond, 3 * time.Second, 6 * time.Second, 7500 * time.Millisecond}
		if !slices.Equal(gaps, want) {
			t.Errorf("gaps %v, want %v", gaps, want)
		}
		if !slices.Equal(r.got, []int64{1, 2}) || len(ob.dead) != 0 {
			t.Errorf("got %v dead %v", r.got, ob.dead)
		}
		if got := testutil.ToFloat64(d.workers[0].m.retried); got != 10 {
			t.Errorf("retried = %v, want 10 (5 retries of 2 changes)", got)
		}
	})
}

// A receiver that keeps refusing: after MaxAttempts the changes become dead
// letters with the reason, the cursor moves on, and later changes flow.
func TestDeadLetterAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ob := newMemOutbox(changesN(4))
		r := &recorder{fail: func(_ int, b []event.Change) (bool, error) {
			if b[0].Seq <= 2 {
				return true, errors.New("webhook: 503 Service Unavailable")
			}
			return false, nil
		}}
		d := newDeliverer(t, ob, nil, Output{Name: "w", Notifier: r, Policy: Policy{BatchSize: 2, MaxAttempts: 4, MinBackoff: time.Second}})
		if err := d.Drain(t.Context()); err != nil {
			t.Fatal(err)
		}
		want := []deadLetter{{"w", 1, 4, "webhook: 503 Service Unavailable"}, {"w", 2, 4, "webhook: 503 Service Unavailable"}}
		if !slices.Equal(ob.dead, want) || !slices.Equal(r.got, []int64{3, 4}) || ob.cursors["w"] != 4 {
			t.Errorf("dead %v got %v cursor %d", ob.dead, r.got, ob.cursors["w"])
		}
		if got := testutil.ToFloat64(d.workers[0].m.dead); got != 2 {
			t.Errorf("dead_lettered = %v", got)
		}
	})
}

// A batch refused for good is split: only the change the receiver cannot
// take is dead-lettered, after one attempt, and its neighbours arrive.
func TestPermanentRefusalIsolatesTheChange(t *testing.T) {
	t.Parallel()
	ob := newMemOutbox(changesN(5))
	r := &recorder{fail: func(_ int, b []event.Change) (bool, error) {
		for _, c := range b {
			if c.Seq == 3 {
				return false, errors.New("400 Bad Request: field too long")
			}
		}
		return false, nil
	}}
	if err := newDeliverer(t, ob, nil, Output{Name: "hec", Notifier: r, Policy: Policy{BatchSize: 5}}).Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.got, []int64{1, 2, 4, 5}) || len(ob.dead) != 1 || ob.dead[0].seq != 3 || ob.dead[0].attempts != 1 {
		t.Errorf("got %v dead %v", r.got, ob.dead)
	}
}

// A receiver slower than the timeout is abandoned per attempt and retried.
func TestTimeoutThenRetry(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ob := newMemOutbox(changesN(1))
		r := &recorder{}
		slow := &hangOnce{next: r}
		d := newDeliverer(t, ob, nil, Output{Name: "slow", Notifier: slow, Policy: Policy{Timeout: 5 * time.Second}})
		start := time.Now()
		if err := d.Drain(t.Context()); err != nil {
			t.Fatal(err)
		}
		if took := time.Since(start); took != 5*time.Second+750*time.Millisecond || !slices.Equal(r.got, []int64{1}) {
			t.Errorf("took %v got %v, want timeout 5s + backoff 750ms then delivery", took, r.got)
		}
	})
}

// hangOnce hangs its first call until the context ends, as a receiver that
// accepted the connection and never answers; later calls go through.
type hangOnce struct {
	hung bool
	next Notifier
}

func (h *hangOnce) Notify(ctx context.Context, b []event.Change) (bool, error) {
	if !h.hung {
		h.hung = true
		<-ctx.Done()
		return true, ctx.Err()
	}
	return h.next.Notify(ctx, b)
}

// Run follows the outbox: new changes are delivered on Wake, without
// waiting for the poll interval, and Run ends with its context.
func TestRunFollowsWake(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ob := newMemOutbox(changesN(2))
		r := &recorder{}
		d := newDeliverer(t, ob, nil, Output{Name: "f", Notifier: r, Policy: Policy{Poll: time.Hour}})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- d.Run(ctx) }()
		synctest.Wait()
		ob.append(changesN(3)[2])
		d.Wake()
		synctest.Wait()
		if !slices.Equal(r.got, []int64{1, 2, 3}) {
			t.Errorf("got %v", r.got)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v", err)
		}
	})
}

// Shutdown arriving after the receiver acknowledged a batch but before the
// cursor is stored: the cursor is stored anyway, so the final drain and the
// restart do not send the batch twice.
func TestShutdownAfterAcknowledgementKeepsTheCursor(t *testing.T) {
	t.Parallel()
	ob := newMemOutbox(changesN(3))
	ctx, cancel := context.WithCancel(t.Context())
	r := &recorder{fail: func(n int, _ []event.Change) (bool, error) {
		if n == 1 {
			cancel() // SIGTERM while the receiver answers
		}
		return false, nil
	}}
	d := newDeliverer(t, ob, nil, Output{Name: "o", Notifier: r, Policy: Policy{BatchSize: 2}})
	if err := d.Run(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: %v", err)
	}
	if err := d.Drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.got, []int64{1, 2, 3}) || ob.cursors["o"] != 3 {
		t.Errorf("got %v cursor %d, want 1..3 once", r.got, ob.cursors["o"])
	}
}

func TestBackoffTable(t *testing.T) {
	t.Parallel()
	p := Policy{MinBackoff: time.Second, MaxBackoff: time.Minute}
	cases := []struct {
		attempt int
		jitter  float64
		want    time.Duration
	}{
		{1, 0, 500 * time.Millisecond},
		{1, 0.999999, time.Second - time.Microsecond/2},
		{3, 0, 2 * time.Second},
		{7, 0, 30 * time.Second},
		{50, 0.5, 45 * time.Second},
	}
	for _, tc := range cases {
		if got := p.Backoff(tc.attempt, tc.jitter).Round(time.Microsecond); got != tc.want.Round(time.Microsecond) {
			t.Errorf("Backoff(%d, %v) = %v, want %v", tc.attempt, tc.jitter, got, tc.want)
		}
	}
}

func TestFilter(t *testing.T) {
	t.Parallel()
	c := changesN(6)[5] // High, anonymous-ip, t2
	cases := map[string]struct {
		f    Filter
		want bool
	}{
		"empty":           {Filter{}, true},
		"min medium":      {Filter{MinSeverity: event.SeverityMedium}, true},
		"other detection": {Filter{Detections: []string{"impossible-travel"}}, false},
		"this detection":  {Filter{Detections: []string{"anonymous-ip", "x"}}, true},
		"other tenant":    {Filter{Tenants: []string{"t1"}}, false},
		"all three match": {Filter{MinSeverity: event.SeverityHigh, Detections: []string{"anonymous-ip"}, Tenants: []string{"t2"}}, true},
	}
	for name, tc := range cases {
		if got := tc.f.Match(&c); got != tc.want {
			t.Errorf("%s: %v", name, got)
		}
	}
	suppressed := c
	suppressed.Triage = event.Triage{Status: event.StatusDismissed, SuppressedBy: "rule 3: corporate vpn"}
	if (Filter{}).Match(&suppressed) || !(Filter{IncludeSuppressed: true}).Match(&suppressed) {
		t.Error("a suppressed alert passes only with include_suppressed")
	}
	suppressed.Triage.Status = event.StatusActive // reopened by an analyst
	if !(Filter{}).Match(&suppressed) {
		t.Error("a reopened suppressed alert is kept from the output")
	}
	low := changesN(1)[0]
	if (Filter{MinSeverity: event.SeverityMedium}).Match(&low) {
		t.Error("Low passed min Medium")
	}
	if err := (Filter{MinSeverity: "Critical"}).Validate(); err == nil {
		t.Error("unknown severity accepted")
	}
}

func TestNewRejectsDuplicateNames(t *testing.T) {
	t.Parallel()
	_, err := New(newMemOutbox(nil), []Output{{Name: "a", Notifier: &recorder{}}, {Name: "a", Notifier: &recorder{}}}, Deps{})
	if err == nil {
		t.Error("duplicate names accepted")
	}
}
