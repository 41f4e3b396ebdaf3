package azblob_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	sdk "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"

	"github.com/vedette/vedette/internal/flow"
	"github.com/vedette/vedette/internal/flowlog"
	"github.com/vedette/vedette/internal/source/azblob"
	"github.com/vedette/vedette/internal/source/azblob/azuritetest"
	"github.com/vedette/vedette/internal/store"
)

// seen collects what polls hand on: each record by blob and number.
type seen struct {
	t       testing.TB
	records map[string]string // "<source>#<n>" → record
	tuples  int
	order   []string
}

func (s *seen) apply(_ context.Context, batches []azblob.Batch) error {
	for _, b := range batches {
		if b.Err != nil {
			s.t.Fatalf("%s set aside: %v", b.Source, b.Err)
		}
		for i, r := range b.Records {
			key := fmt.Sprintf("%s#%d", b.Source, b.First+i+1)
			if _, dup := s.records[key]; dup {
				s.t.Fatalf("%s handed on twice", key)
			}
			s.records[key] = string(r)
		}
		s.order = append(s.order, b.Source)
		if b.Shape == azblob.ShapeDocument {
			_, err := flowlog.Read(strings.NewReader(string(b.Data())), b.Source, func(r flow.Record) {
				if r.Source != b.Source {
					s.t.Fatalf("record named %q, want %q", r.Source, b.Source)
				}
				s.tuples++
			}, func(src string, rec int, reason, detail string) {
				s.t.Fatalf("%s:%d rejected: %s %s", src, rec, reason, detail)
			})
			if err != nil {
				s.t.Fatal(err)
			}
		}
	}
	return nil
}

func newSource(t *testing.T, srv azuritetest.Server, st *store.Store, cfg azblob.Config) *azblob.Source {
	t.Helper()
	cfg.ConnectionString = srv.ConnectionString
	src, err := azblob.New(cfg, st, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	return src
}

func poll(t *testing.T, src *azblob.Source, s *seen) {
	t.Helper()
	for {
		more, err := src.Poll(context.Background(), s.apply)
		if err != nil {
			t.Fatal(err)
		}
		if !more {
			return
		}
	}
}

// TestFlowLogBlobsGrowAndHoursAppear: Network Watcher's layout in Azurite,
// a PT1H.json that grows between polls, a new hour, a restart in the
// middle and a blob rewritten: every record is handed on once, in
// (hour, name) order, named by its full blob path.
func TestFlowLogBlobsGrowAndHoursAppear(t *testing.T) {
	srv := azuritetest.Start(t)
	ctx := context.Background()
	client, err := sdk.NewClientFromConnectionString(srv.ConnectionString, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.CreateContainer(ctx, nsgContainer, nil); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h7 := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)
	old := &flowLogWriter{client: client, name: nsgBlobName("NSG1", h7.Add(-3*time.Hour))}
	old.add(t, nsgRecord("NSG1", h7.Add(-3*time.Hour), "198.51.100.8", 2))
	a := &flowLogWriter{client: client, name: nsgBlobName("NSG1", h7)}
	b := &flowLogWriter{client: client, name: nsgBlobName("NSG2", h7)}
	a.add(t, nsgRecord("NSG1", h7.Add(time.Minute), "203.0.113.10", 3))
	b.add(t, nsgRecord("NSG2", h7.Add(time.Minute), "203.0.113.11", 1))

	cfg := azblob.Config{Containers: []string{nsgContainer}, Start: h7.Add(-time.Hour), Concurrency: 2}
	s := &seen{t: t, records: map[string]string{}}
	src := newSource(t, srv, st, cfg)
	poll(t, src, s)
	if len(s.records) != 2 || s.tuples != 4 {
		t.Fatalf("first poll: %d records %d tuples, want 2 and 4 (the hour before Start skipped)", len(s.records), s.tuples)
	}
	for minute := 2; minute <= 4; minute++ {
		a.add(t, nsgRecord("NSG1", h7.Add(time.Duration(minute)*time.Minute), "203.0.113.10", 3))
	}
	poll(t, src, s)
	reads := src.Stats.Bytes.Load()

	// restart: a new source over the same store reads nothing again
	src = newSource(t, srv, st, cfg)
	poll(t, src, s)
	if src.Stats.Bytes.Load() != 0 || src.Stats.Records.Load() != 0 {
		t.Fatalf("after restart read %d bytes, %d records again", src.Stats.Bytes.Load(), src.Stats.Records.Load())
	}
	b.add(t, nsgRecord("NSG2", h7.Add(5*time.Minute), "203.0.113.11", 1))
	h8 := h7.Add(time.Hour)
	c := &flowLogWriter{client: client, name: nsgBlobName("NSG1", h8)}
	c.add(t, nsgRecord("NSG1", h8, "203.0.113.10", 2), nsgRecord("NSG1", h8.Add(time.Minute), "203.0.113.10", 2))
	poll(t, src, s)
	if want := 4 + 2 + 2; len(s.records) != want || s.tuples != 3*4+1*2+2*2 {
		t.Fatalf("%d records, %d tuples, want %d and %d", len(s.records), s.tuples, want, 3*4+2+4)
	}
	full := int64(0)
	for _, w := range []*flowLogWriter{a, b} {
		full += int64(len(strings.Join(w.records, "")) + len(`{"records":[]}`))
	}
	if reads >= full {
		t.Errorf("growing blobs read %d bytes, as much as reading them whole (%d)", reads, full)
	}
	key := fmt.Sprintf("azblob:%s/%s/%s#4", azuritetest.Account, nsgContainer, a.name)
	if _, ok := s.records[key]; !ok {
		t.Fatalf("no record named %s", key)
	}
	if got := s.order[len(s.order)-1]; !strings.Contains(got, "/h=08/") {
		t.Fatalf("the new hour was not read last: %v", s.order)
	}
}

// TestLinesRewritesAndSmallWindows: an append blob of JSON lines read a
// few bytes at a time, then deleted and uploaded again with one more
// line: only that line is new.
func TestLinesRewritesAndSmallWindows(t *testing.T) {
	srv := azuritetest.Start(t)
	ctx := context.Background()
	client, err := sdk.NewClientFromConnectionString(srv.ConnectionString, nil)
	if err != nil {
		t.Fatal(err)
	}
	const activity = "insights-activity-logs"
	if _, err := client.CreateContainer(ctx, activity, nil); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	name := "resourceId=/SUBSCRIPTIONS/AAAA0A0A-BB1B-CC2C-DD3D-EEEEEE4E4E4E/y=2026/m=11/d=30/h=07/m=00/PT1H.json"
	line := func(i int) string {
		return fmt.Sprintf(`{"time":"2026-11-30T07:%02d:00Z","operationName":"MICROSOFT.COMPUTE/VIRTUALMACHINES/DELETE","n":%d}`, i, i)
	}
	appendLines(t, client, activity, name, line(0), line(1), line(2))
	cfg := azblob.Config{Containers: []string{activity}, MaxReadBytes: 150}
	s := &seen{t: t, records: map[string]string{}}
	src := newSource(t, srv, st, cfg)
	poll(t, src, s)
	appendLines(t, client, activity, name, line(3))
	poll(t, src, s)
	if len(s.records) != 4 || src.Stats.Reads.Load() < 4 {
		t.Fatalf("%d records in %d reads, want 4 in windows of 150 bytes", len(s.records), src.Stats.Reads.Load())
	}
	// rewritten: the same four records and a fifth, as one upload
	var all []byte
	for i := range 5 {
		all = append(append(all, line(i)...), '\n')
	}
	if _, err := client.DeleteBlob(ctx, activity, name, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := client.UploadBuffer(ctx, activity, name, all, nil); err != nil {
		t.Fatal(err)
	}
	cfg.MaxReadBytes = 1 << 20
	src = newSource(t, srv, st, cfg)
	poll(t, src, s)
	if len(s.records) != 5 || s.records[fmt.Sprintf("azblob:%s/%s/%s#5", azuritetest.Account, activity, name)] != line(4) {
		t.Fatalf("after rewrite: %v", s.records)
	}
}
