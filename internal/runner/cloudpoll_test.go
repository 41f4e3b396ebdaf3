package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	sdk "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/cluster/clustertest"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/gen"
	"github.com/vedette/vedette/internal/health"
	"github.com/vedette/vedette/internal/metrics"
	"github.com/vedette/vedette/internal/metrics/metricstest"
	azblobpkg "github.com/vedette/vedette/internal/source/azblob"
	"github.com/vedette/vedette/internal/source/azblob/azuritetest"
	"github.com/vedette/vedette/internal/store"
)

// hourLines groups JSON lines files by the hour of their "time", named as
// diagnostic settings name their PT1H.json append blobs under dir.
func hourLines(t *testing.T, dir string, files ...string) (names []string, blobs map[string][][]byte) {
	t.Helper()
	blobs = map[string][][]byte{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, raw := range bytes.Split(data, []byte("\n")) {
			var rec struct{ Time time.Time }
			if len(raw) == 0 || json.Unmarshal(raw, &rec) != nil {
				continue
			}
			h := rec.Time.UTC()
			name := fmt.Sprintf("%s/y=%04d/m=%02d/d=%02d/h=%02d/m=00/PT1H.json", dir, h.Year(), h.Month(), h.Day(), h.Hour())
			blobs[name] = append(blobs[name], append(raw, '\n'))
		}
	}
	for n := range blobs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, blobs
}

// appendLines appends lines to an append blob (created if new) in blocks
// of up to 50 lines, as diagnostic settings write it.
func appendLines(t *testing.T, client *sdk.Client, container, name string, lines [][]byte, create bool) {
	t.Helper()
	ctx := context.Background()
	ab := client.ServiceClient().NewContainerClient(container).NewAppendBlobClient(name)
	if create {
		if _, err := ab.Create(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	for len(lines) > 0 {
		n := min(len(lines), 50)
		if _, err := ab.AppendBlock(ctx, streaming.NopCloser(bytes.NewReader(bytes.Join(lines[:n], nil))), nil); err != nil {
			t.Fatal(err)
		}
		lines = lines[n:]
	}
}

// cloudServe runs serve over cfg's sources until stop says so (checked
// after each blob read and caught-up poll), then stops it.
func cloudServe(t *testing.T, cfg config.Config, flush bool, clock func() time.Time, stop func(CloudCounters) bool) CloudCounters {
	t.Helper()
	return cloudServeOpts(t, cfg, ServeOptions{FlushOnStop: flush, Clock: clock}, stop)
}

func cloudServeOpts(t *testing.T, cfg config.Config, opts ServeOptions, stop func(CloudCounters) bool) CloudCounters {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	// The cloud path reports its counters from its own goroutine and waits
	// here until stop has looked at them: a stop (and a kill) happens
	// exactly at a reported point, before any later checkpoint.
	type step struct {
		c     CloudCounters
		reply chan struct{}
	}
	steps := make(chan step)
	var mu sync.Mutex
	var latest CloudCounters
	done := make(chan error, 1)
	go func() {
		opts.Out = &bytes.Buffer{}
		opts.CloudProgress = func(c CloudCounters) {
			mu.Lock()
			latest = c
			mu.Unlock()
			r := make(chan struct{})
			select {
			case steps <- step{c, r}:
				<-r
			case <-ctx.Done(): // stopped: nobody waits any more
			}
		}
		done <- Serve(ctx, cfg, opts)
	}()
	deadline := time.After(60 * time.Second)
	var final CloudCounters
	for stopped := false; !stopped; {
		select {
		case s := <-steps:
			final = s.c
			if stopped = stop(final); stopped {
				cancel()
			}
			close(s.reply)
		case err := <-done:
			t.Fatalf("serve stopped early: %v", err)
		case <-deadline:
			t.Fatalf("serve did not reach its stop within 60s: %+v", final)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	return latest
}

func storedIDs(t *testing.T, cfg config.Config) []string {
	t.Helper()
	st, err := OpenStore(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out []string
	if err := st.EachAlert(context.Background(), func(a store.StoredAlert) error { out = append(out, a.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

// TestServePollsAzuriteLikeBatch is the promise of polling: VNet flow logs,
// sign-in logs and the Activity Log laid out in Azurite as Network Watcher
// and diagnostic settings write them, read by `serve` while the current
// hour's blobs grow (appended blocks, re-committed block lists) and new
// hours appear, serve stopped in the middle with records still held in
// its reorder buffers, started again and killed (no final checkpoint)
// while reading new hours, then run to the end: the stored alerts equal
// one batch `detect` of the final blobs, with the same IDs, and every
// record is applied exactly once (the events and flows each run saved add
// up to those of the batch).
func TestServePollsAzuriteLikeBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("generates logs and runs Azurite")
	}
	flowFiles, netCfg := netMonth(t)
	dir := t.TempDir()
	gc := gen.DefaultConfig()
	gc.Users, gc.Days = 30, 10
	if _, err := gen.Generate(dir, gc); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.Lists = clustertest.GeneratedLists(dir)
	start := time.Now()
	cfg.Network.Inventory, cfg.Network.TI = netCfg.Network.Inventory, netCfg.Network.TI
	const flowsC, signinC, activityC = vnetContainer, "insights-logs-signinlogs", "insights-activity-logs"
	client := azurite(t, flowsC, signinC, activityC)
	t.Setenv("VEDETTE_TEST_AZURITE", os.Getenv("AZURE_STORAGE_CONNECTION_STRING"))

	// Every blob, by the hour it names, in upload order.
	type blob struct {
		container, name string
		flows           []json.RawMessage
		lines           [][]byte
	}
	byHour := map[time.Time][]blob{}
	flowNames, flowBlobs := hourBlobs(t, flowFiles)
	// Two network interfaces' blobs per hour, and two subscriptions': the
	// blobs of an hour are read one after the other, each of all the hour.
	for _, n := range flowNames {
		h, _ := azblobHour(n)
		var even, odd []json.RawMessage
		for i, r := range flowBlobs[n] {
			if i%2 == 0 {
				even = append(even, r)
			} else {
				odd = append(odd, r)
			}
		}
		byHour[h] = append(byHour[h], blob{container: flowsC, name: n, flows: even},
			blob{container: flowsC, name: strings.Replace(n, "macAddress=000D3AF87856", "macAddress=000D3AF87857", 1), flows: odd})
	}
	for _, src := range []struct{ container, prefix, file string }{
		{signinC, "tenantId=72F988BF-86F1-41AF-91AB-2D7CD011DB47", "signins.jsonl"},
		{activityC, "resourceId=/SUBSCRIPTIONS/3A4B1C2D-0000-4000-8000-00000000AB12", "activity.jsonl"},
	} {
		names, lines := hourLines(t, src.prefix, filepath.Join(dir, src.file))
		for _, n := range names {
			h, _ := azblobHour(n)
			var even, odd [][]byte
			for i, l := range lines[n] {
				if i%2 == 0 {
					even = append(even, l)
				} else {
					odd = append(odd, l)
				}
			}
			byHour[h] = append(byHour[h], blob{container: src.container, name: n, lines: even})
			if len(odd) > 0 {
				byHour[h] = append(byHour[h], blob{container: src.container, name: strings.Replace(n, "/y=", "-B/y=", 1), lines: odd})
			}
		}
	}
	var hours []time.Time
	for h := range byHour {
		hours = append(hours, h)
	}
	slices.SortFunc(hours, time.Time.Compare)
	t.Logf("generated in %s", time.Since(start))
	var clock atomic.Int64 // the newest hour uploaded, plus an hour
	upload := func(h time.Time, from, to float64) {
		for _, b := range byHour[h] {
			if b.flows != nil {
				commitRecords(t, client, b.container, b.name, b.flows[:int(to*float64(len(b.flows)))])
				continue
			}
			n := len(b.lines)
			appendLines(t, client, b.container, b.name, b.lines[int(from*float64(n)):int(to*float64(n))], from == 0)
		}
		clock.Store(max(clock.Load(), h.Add(2*time.Hour).UnixNano()))
	}
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }

	// Before the first run: the first half of the hours, and half of the
	// next hour's records.
	cut := len(hours) / 2
	for _, h := range hours[:cut] {
		upload(h, 0, 1)
	}
	upload(hours[cut], 0, 0.5)

	live := cfg
	live.DataDir = t.TempDir()
	live.Network.Collector.IPFIX, live.Network.Collector.NetFlow = nil, nil
	live.Activity.CommitInterval = 200 * time.Millisecond
	// The test writes an hour's blobs one after the other while serve
	// polls, so a blob of an hour can appear a poll after another's whole
	// hour was read: the lateness covers it, as it must cover the skew
	// with which a storage account receives its resources' blobs.
	live.Activity.Lateness = 90 * time.Minute
	live.Sources.Azblob = []config.AzblobSource{{ConnectionStringEnv: "AZURE_STORAGE_CONNECTION_STRING",
		Containers: []string{flowsC, signinC, activityC}, Polling: config.Polling{PollInterval: 50 * time.Millisecond, MaxBlobBytes: 256 << 10}}}
	streams := 3
	grown := false
	run1 := cloudServe(t, live, false, now, func(c CloudCounters) bool {
		if !grown && c.CaughtUp >= streams {
			// While serve runs: the hour grows and new hours appear.
			upload(hours[cut], 0.5, 1)
			for _, h := range hours[cut+1 : cut+4] {
				upload(h, 0, 1)
			}
			grown = true
			streams = c.CaughtUp + 2*3
		}
		return grown && c.CaughtUp >= streams
	})
	if run1.Held == 0 || run1.Saves < 2 {
		t.Fatalf("first run %+v: want records held at the stop, checkpoints saved", run1)
	}
	// The second run is killed while it reads new hours: what it applied
	// after its last checkpoint is lost with it, and read again.
	for _, h := range hours[cut+4 : cut+8] {
		upload(h, 0, 1)
	}
	more, chunks := false, 0
	slow := live // checkpoints far apart: the kill loses what it read since
	slow.Activity.CommitInterval = time.Second
	run2 := cloudServeOpts(t, slow, ServeOptions{Clock: now, killed: true}, func(c CloudCounters) bool {
		if !more && c.CaughtUp >= 3 && c.Saves > 0 {
			for _, h := range hours[cut+8 : cut+12] {
				upload(h, 0, 1)
			}
			more, chunks = true, c.Chunks
		}
		return more && c.Chunks > chunks+2 && c.Events+c.Flows > c.SavedEvents+c.SavedFlows
	})
	for _, h := range hours[cut+12:] {
		upload(h, 0, 1)
	}
	run3 := cloudServe(t, live, true, now, func(c CloudCounters) bool { return c.CaughtUp >= 3 })
	t.Logf("served in %s", time.Since(start))
	batchCfg := cfg
	batchCfg.DataDir = t.TempDir()
	var urls []string
	for _, c := range []string{flowsC, signinC, activityC} {
		urls = append(urls, "azblob://"+azuritetest.Account+"/"+c)
	}
	batch, sum := detectFiles(t, batchCfg, urls...)
	t.Logf("batch: %d alerts from %d events and %d flows; live: %d events and %d flows saved by the stop (%d held), %d and %d (of %d, %d) by the kill, %d and %d after it, %d items skipped after restarts",
		len(batch), sum.Read, sum.FlowsRead, run1.Events, run1.Flows, run1.Held, run2.SavedEvents, run2.SavedFlows, run2.Events, run2.Flows,
		run3.Events, run3.Flows, run2.Replayed+run3.Replayed)
	if run1.Events+run2.SavedEvents+run3.Events != sum.Read || run1.Flows+run2.SavedFlows+run3.Flows != sum.FlowsRead ||
		run2.Replayed == 0 || run2.Events == run2.SavedEvents && run2.Flows == run2.SavedFlows {
		t.Errorf("applied %d+%d+%d events, %d+%d+%d flows (skipped %d, %d after restarts); batch %d events, %d flows",
			run1.Events, run2.SavedEvents, run3.Events, run1.Flows, run2.SavedFlows, run3.Flows, run2.Replayed, run3.Replayed, sum.Read, sum.FlowsRead)
	}
	if late := run1.Late + run2.Late + run3.Late; late != 0 {
		t.Errorf("%d items late (%d, %d, %d): blobs read out of order", late, run1.Late, run2.Late, run3.Late)
	}
	if len(batch) < 10 {
		t.Fatalf("batch raised %d alerts", len(batch))
	}
	if diff := cmp.Diff(ids(batch), storedIDs(t, live)); diff != "" {
		t.Errorf("live polling differs from batch (-batch +live):\n%s", diff)
	}
}

// azblobHour is the hour a blob's path names.
func azblobHour(name string) (time.Time, bool) { return azblobpkg.HourOf(name) }

// TestServePollingSourceFails: a source whose container does not exist
// fails every poll: it is counted and retried with backoff, readiness
// names it, and the other source's blobs are still read and applied (the
// failing stream does not hold the reorder watermark back).
func TestServePollingSourceFails(t *testing.T) {
	const present = "insights-activity-logs"
	client := azurite(t, present)
	line := []byte(`{"time":"2026-10-01T08:00:05Z","resourceId":"/SUBSCRIPTIONS/3A4B1C2D-0000-4000-8000-00000000AB12","operationName":"MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE","category":"Administrative","resultType":"Success","callerIpAddress":"203.0.113.7","identity":{"claims":{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":"ops@contoso.com"}}}` + "\n")
	later := bytes.Replace(line, []byte("08:00:05"), []byte("08:10:05"), 1)
	appendLines(t, client, present, "resourceId=/SUBSCRIPTIONS/3A4B1C2D-0000-4000-8000-00000000AB12/y=2026/m=10/d=01/h=08/m=00/PT1H.json", [][]byte{line, later}, true)
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Network.Collector.IPFIX, cfg.Network.Collector.NetFlow = nil, nil
	poll := config.Polling{PollInterval: 10 * time.Millisecond}
	cfg.Sources.Azblob = []config.AzblobSource{
		{ConnectionStringEnv: "AZURE_STORAGE_CONNECTION_STRING", Containers: []string{"insights-logs-missing"}, Polling: poll},
		{ConnectionStringEnv: "AZURE_STORAGE_CONNECTION_STRING", Containers: []string{present}, Polling: poll},
	}
	reg := metrics.New()
	h := health.New()
	srv := httptest.NewServer(Handler(reg, h))
	defer srv.Close()
	clock := func() time.Time { return time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC) }
	missing := `azblob:` + azuritetest.Account + `/insights-logs-missing`
	var errs float64
	var ready string
	c := cloudServeOpts(t, cfg, ServeOptions{Clock: clock, Metrics: reg, Health: h}, func(c CloudCounters) bool {
		fams, err := metricstest.Scrape(srv.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		errs, _ = fams.Value("vedette_cloud_errors_total", "source", missing)
		resp, err := http.Get(srv.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		ready = string(body)
		return c.Events >= 1 && errs >= 2
	})
	if c.Events != 1 || c.Held != 1 || !strings.Contains(ready, "insights-logs-missing") {
		t.Errorf("%d events applied, readiness %q", c.Events, ready)
	}
	t.Logf("%v failed polls; readiness: %s", errs, strings.TrimSpace(ready))
}

// TestServeSourceSecretMissing: a source naming an unset environment
// variable stops serve at start with the variable's name.
func TestServeSourceSecretMissing(t *testing.T) {
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Network.Collector.IPFIX, cfg.Network.Collector.NetFlow = nil, nil
	cfg.Sources.Azblob = []config.AzblobSource{{ServiceURL: "https://acct.blob.core.windows.net/", SASEnv: "VEDETTE_TEST_UNSET_SAS",
		Containers: []string{"insights-logs-flowlogflowevent"}}}
	t.Setenv("VEDETTE_TEST_UNSET_SAS", "")
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	err := Serve(ctx, cfg, ServeOptions{Out: &bytes.Buffer{}})
	if err == nil || !strings.Contains(err.Error(), "sources.azblob[0]: environment variable VEDETTE_TEST_UNSET_SAS is empty or unset") {
		t.Fatalf("serve: %v", err)
	}
}

// TestServePollsBlobsOfOneHourInOrder: one container with the Activity
// Log of two subscriptions, a blob each per hour, each spanning the whole
// hour: the second blob of an hour is read after the first, yet none of
// its events is late: the buffers release only once the poll has passed
// the hour.
func TestServePollsBlobsOfOneHourInOrder(t *testing.T) {
	const container = "insights-activity-logs"
	client := azurite(t, container)
	base := time.Date(2026, 10, 1, 8, 0, 0, 0, time.UTC)
	total := 0
	for h := range 3 {
		for _, sub := range []string{"3A4B1C2D-0000-4000-8000-00000000AB12", "3A4B1C2D-0000-4000-8000-00000000AB13"} {
			var lines [][]byte
			for m := 0; m < 60; m += 3 {
				at := base.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
				lines = append(lines, fmt.Appendf(nil, `{"time":"%s","resourceId":"/SUBSCRIPTIONS/%s/RESOURCEGROUPS/RG/PROVIDERS/MICROSOFT.COMPUTE/VIRTUALMACHINES/VM%d","operationName":"MICROSOFT.COMPUTE/VIRTUALMACHINES/WRITE","category":"Administrative","resultType":"Success","callerIpAddress":"203.0.113.7","identity":{"claims":{"http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn":"ops@contoso.com"}}}`+"\n",
					at.Format(time.RFC3339), sub, m))
			}
			name := fmt.Sprintf("resourceId=/SUBSCRIPTIONS/%s/y=2026/m=10/d=01/h=%02d/m=00/PT1H.json", sub, 8+h)
			appendLines(t, client, container, name, lines, true)
			total += len(lines)
		}
	}
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Network.Collector.IPFIX, cfg.Network.Collector.NetFlow = nil, nil
	cfg.Sources.Azblob = []config.AzblobSource{{ConnectionStringEnv: "AZURE_STORAGE_CONNECTION_STRING", Containers: []string{container},
		Polling: config.Polling{PollInterval: 20 * time.Millisecond, Concurrency: 1}}}
	clock := func() time.Time { return base.Add(4 * time.Hour) }
	c := cloudServe(t, cfg, true, clock, func(c CloudCounters) bool { return c.CaughtUp >= 1 })
	if c.Late != 0 || c.Events != total {
		t.Fatalf("%d of %d events applied, %d late", c.Events, total, c.Late)
	}
}
