package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

func TestBlobProgressUpsertsPerSource(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		a := "azblob:acct/insights-logs-flowlogflowevent"
		name := "resourceId=/SUBSCRIPTIONS/S/y=2026/m=11/d=30/h=07/m=00/PT1H.json"
		if err := s.SaveBlobProgress(ctx, a, []store.BlobProgress{{Name: name, ETag: "e1", Size: 100, Offset: 90, Records: 2}}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveBlobProgress(ctx, a, []store.BlobProgress{{Name: name, ETag: "e2", Size: 300, Offset: 290, Records: 5}}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveBlobProgress(ctx, "s3:bucket", []store.BlobProgress{{Name: name, ETag: "x", Size: 1, Offset: 1, Records: 1}}); err != nil {
			t.Fatal(err)
		}
		got, err := s.BlobProgress(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		p, ok := got[name]
		if len(got) != 1 || !ok || p.ETag != "e2" || p.Size != 300 || p.Offset != 290 || p.Records != 5 || p.Updated.IsZero() {
			t.Fatalf("progress = %+v", got)
		}
		none, err := s.BlobProgress(ctx, "azblob:other/c")
		if err != nil || len(none) != 0 {
			t.Fatalf("other source = %v, %v", none, err)
		}
	})
}

// TestBlobProgressKeepsReplay: a blob saved with records still held
// keeps which of them were applied; saved again in full, it forgets.
func TestBlobProgressKeepsReplay(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		cut := time.Date(2026, 11, 30, 7, 42, 1, 5, time.UTC)
		held := store.BlobProgress{Name: "b", Size: 900, Offset: 120, Records: 3, Replay: store.Replay{Records: 9, Cut: cut}}
		if err := s.SaveBlobProgress(ctx, "k", []store.BlobProgress{held}); err != nil {
			t.Fatal(err)
		}
		got, err := s.BlobProgress(ctx, "k")
		if err != nil || got["b"].Replay != held.Replay || got["b"].Offset != 120 || got["b"].ETag != "" {
			t.Fatalf("held = %+v, %v", got["b"], err)
		}
		if err := s.SaveBlobProgress(ctx, "k", []store.BlobProgress{{Name: "b", ETag: "e", Size: 900, Offset: 900, Records: 9}}); err != nil {
			t.Fatal(err)
		}
		if got, _ = s.BlobProgress(ctx, "k"); got["b"].Replay != (store.Replay{}) || got["b"].ETag != "e" {
			t.Fatalf("applied = %+v", got["b"])
		}
	})
}

// TestSaveCheckpointIsOneTransaction: state and progress are saved
// together, and a failure saves neither.
func TestSaveCheckpointIsOneTransaction(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		ok := map[string][]store.BlobProgress{"k": {{Name: "b", ETag: "e", Offset: 7, Records: 1}}}
		if err := s.SaveCheckpoint(ctx, map[string]map[string][]byte{"st": {"p": []byte("v1")}}, ok); err != nil {
			t.Fatal(err)
		}
		canceled, cancel := context.WithCancel(ctx)
		cancel()
		bad := map[string][]store.BlobProgress{"k": {{Name: "b", ETag: "f", Offset: 9, Records: 2}}}
		if err := s.SaveCheckpoint(canceled, map[string]map[string][]byte{"st": {"p": []byte("v2")}}, bad); err == nil {
			t.Fatal("a canceled checkpoint was saved")
		}
		parts, err := s.LoadStateParts(ctx, "st")
		got, _ := s.BlobProgress(ctx, "k")
		if err != nil || string(parts["p"]) != "v1" || got["b"].ETag != "e" {
			t.Fatalf("after a failed checkpoint: state %q (%v), progress %+v", parts["p"], err, got["b"])
		}
	})
}
