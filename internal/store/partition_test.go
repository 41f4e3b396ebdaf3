package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

// TestPartitionCommitIsAtomicAndFenced: a partition's offset, state rows
// and alerts move together; a member holding a stale offset changes
// nothing, not even its alerts; alerts raised again are not stored twice.
func TestPartitionCommitIsAtomicAndFenced(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		p := store.Partition{Group: "vedette-detect", Topic: "vedette.activity", Index: 2}
		st, err := s.LoadPartition(ctx, p)
		if err != nil || st.Offset != store.NoOffset || len(st.Parts) != 0 {
			t.Fatalf("fresh partition = %+v, %v", st, err)
		}
		added, err := s.CommitPartition(ctx, store.PartitionCommit{Partition: p, From: store.NoOffset, To: 40,
			Parts: map[string][]byte{"tenant/a": []byte("A1"), "held": []byte("H1")}, Alerts: []event.Alert{alert("x1")}})
		if err != nil || len(added) != 1 {
			t.Fatalf("first commit: %d added, %v", len(added), err)
		}
		// A second member that also loaded the fresh partition is fenced.
		_, err = s.CommitPartition(ctx, store.PartitionCommit{Partition: p, From: store.NoOffset, To: 10,
			Parts: map[string][]byte{"tenant/a": []byte("stale")}, Alerts: []event.Alert{alert("zombie")}})
		if !errors.Is(err, store.ErrFenced) {
			t.Fatalf("stale commit from no offset: %v, want ErrFenced", err)
		}
		added, err = s.CommitPartition(ctx, store.PartitionCommit{Partition: p, From: 40, To: 90,
			Parts: map[string][]byte{"tenant/b": []byte("B2")}, Alerts: []event.Alert{alert("x1"), alert("x2")}})
		if err != nil || len(added) != 1 || added[0].ID != "x2" {
			t.Fatalf("second commit: %v, %v; want only x2 new", ids(added), err)
		}
		if _, err := s.CommitPartition(ctx, store.PartitionCommit{Partition: p, From: 40, To: 95,
			Alerts: []event.Alert{alert("zombie")}}); !errors.Is(err, store.ErrFenced) {
			t.Fatalf("stale commit: %v, want ErrFenced", err)
		}
		st, err = s.LoadPartition(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(store.PartitionState{Offset: 90, Parts: map[string][]byte{"tenant/b": []byte("B2")}}, st); diff != "" {
			t.Errorf("loaded state (-want +got):\n%s", diff)
		}
		if _, err := s.Alert(ctx, "zombie"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a fenced commit stored its alert: %v", err)
		}
		other := store.Partition{Group: "vedette-detect", Topic: "vedette.activity", Index: 3}
		if st, _ := s.LoadPartition(ctx, other); st.Offset != store.NoOffset || len(st.Parts) != 0 {
			t.Errorf("another partition sees %+v", st)
		}
		offs, err := s.PartitionOffsets(ctx, "vedette-detect")
		if err != nil || !cmp.Equal(offs, map[string]int64{"vedette.activity/2": 90}) {
			t.Errorf("offsets = %v, %v", offs, err)
		}
	})
}

// TestPartitionCommitRace: members racing to move one partition from the
// same offset: exactly one wins, and only its alert is stored.
func TestPartitionCommitRace(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		p := store.Partition{Group: "g", Topic: "vedette.flows", Index: 0}
		if _, err := s.CommitPartition(ctx, store.PartitionCommit{Partition: p, From: store.NoOffset, To: 5}); err != nil {
			t.Fatal(err)
		}
		const members = 6
		errs := make([]error, members)
		var wg sync.WaitGroup
		for i := range members {
			wg.Go(func() {
				_, errs[i] = s.CommitPartition(ctx, store.PartitionCommit{Partition: p, From: 5, To: int64(10 + i),
					Parts: map[string][]byte{"m": fmt.Appendf(nil, "%d", i)}, Alerts: []event.Alert{alert(fmt.Sprint("m", i))}})
			})
		}
		wg.Wait()
		won := -1
		for i, err := range errs {
			switch {
			case err == nil && won < 0:
				won = i
			case err == nil:
				t.Fatalf("members %d and %d both moved the partition", won, i)
			case !errors.Is(err, store.ErrFenced):
				t.Fatalf("member %d: %v", i, err)
			}
		}
		if won < 0 {
			t.Fatal("no member moved the partition")
		}
		st, err := s.LoadPartition(ctx, p)
		if err != nil || st.Offset != int64(10+won) || string(st.Parts["m"]) != fmt.Sprint(won) {
			t.Fatalf("state %+v, %v: want member %d's", st, err, won)
		}
		var stored []string
		err = s.EachAlert(ctx, func(a store.StoredAlert) error { stored = append(stored, a.ID); return nil })
		if err != nil || !cmp.Equal(stored, []string{fmt.Sprint("m", won)}) {
			t.Errorf("stored alerts %v, %v: want only the winner's", stored, err)
		}
	})
}
