package store_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	bolt "go.etcd.io/bbolt"

	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/store"
	"github.com/vedette/vedette/internal/store/storetest"
)

func TestSettingOverrides(t *testing.T) {
	storetest.Run(t, func(t *testing.T, open func(store.Options) *store.Store) {
		ctx := context.Background()
		s := open(store.Options{})
		var heard atomic.Int32
		s.OnSettingsChange(func() { heard.Add(1) })
		off := false
		if err := s.PutSetting(ctx, store.SettingOverride{Tenant: "Contoso", Subscription: "*", Detection: "microburst", Enabled: &off, UpdatedBy: "admin"}); err != nil {
			t.Fatal(err)
		}
		err := s.PutSetting(ctx, store.SettingOverride{Tenant: "contoso", Subscription: "sub-1", Detection: "impossible-travel",
			Params: map[string]any{"max_speed_kmh": 900.0}, UpdatedBy: "admin"})
		if err != nil {
			t.Fatal(err)
		}
		on := true
		if err := s.PutSetting(ctx, store.SettingOverride{Tenant: "contoso", Subscription: "*", Detection: "microburst", Enabled: &on, UpdatedBy: "eve"}); err != nil {
			t.Fatal(err)
		}
		if err := s.PutSetting(ctx, store.SettingOverride{Tenant: "contoso", Subscription: "*", Detection: "microburst"}); !errors.Is(err, store.ErrInvalid) {
			t.Errorf("an override of nothing: %v", err)
		}
		got, err := s.SettingOverrides(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.SettingOverride{
			{Tenant: "contoso", Subscription: "*", Detection: "microburst", Enabled: &on, UpdatedBy: "eve"},
			{Tenant: "contoso", Subscription: "sub-1", Detection: "impossible-travel", Params: map[string]any{"max_speed_kmh": 900.0}, UpdatedBy: "admin"},
		}
		if d := cmp.Diff(want, got, cmpopts.IgnoreFields(store.SettingOverride{}, "UpdatedAt")); d != "" {
			t.Errorf("overrides (-want +got)\n%s", d)
		}
		if err := s.DeleteSetting(ctx, "contoso", "sub-1", "impossible-travel", "admin"); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteSetting(ctx, "contoso", "sub-1", "impossible-travel", "admin"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second delete: %v", err)
		}
		if v, _ := s.SettingsVersion(ctx); v != 4 || heard.Load() != 4 {
			t.Errorf("settings version %d, listeners called %d times; want 4", v, heard.Load())
		}
		if log, _ := s.AuditLog(ctx, 2); len(log) != 2 || log[0].Action != "setting.delete" || log[1].Actor != "eve" {
			t.Errorf("audit %+v", log)
		}
		if err := s.AddAudit(ctx, store.AuditEntry{Actor: "bob", Action: "alert.triage", Target: "a1", Detail: []byte(`{"status":"resolved"}`)}); err != nil {
			t.Fatal(err)
		}
		if log, _ := s.AuditLog(ctx, 1); string(log[0].Detail) != `{"status":"resolved"}` || log[0].At.IsZero() {
			t.Errorf("audit entry %+v", log[0])
		}
	})
}

// TestSharedDataDirectory: two processes' stores on one database (detect
// back-filling while serve runs) insert the same alerts at once; every
// alert is stored once and the outbox stays gapless and in commit order.
func TestSharedDataDirectory(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		concurrentInserts(t, func() (*store.Store, error) { return store.Open(dir) })
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.PostgresDSN(t)
		dsn = storetest.WithSearchPath(dsn, storetest.FreshSchema(t, dsn))
		concurrentInserts(t, func() (*store.Store, error) {
			return store.OpenWith(context.Background(), "", store.Options{PostgresDSN: dsn})
		})
	})
}

func concurrentInserts(t *testing.T, open func() (*store.Store, error)) {
	var stores [2]*store.Store
	for i := range stores {
		s, err := open()
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	alerts := corpus(400)
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Both write every alert, in batches, from opposite ends.
			for j := 0; j < len(alerts); j += 20 {
				batch := alerts[j : j+20]
				if i == 1 {
					batch = alerts[len(alerts)-j-20 : len(alerts)-j]
				}
				if _, err := s.Insert(context.Background(), batch); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	ch, err := stores[1].OutboxAfter(context.Background(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for i, c := range ch {
		if c.Seq != int64(i+1) || seen[c.Alert.ID] {
			t.Fatalf("change %d: seq %d, alert %s seen before: %v", i, c.Seq, c.Alert.ID, seen[c.Alert.ID])
		}
		seen[c.Alert.ID] = true
	}
	if len(ch) != 400 {
		t.Errorf("%d changes for 400 alerts", len(ch))
	}
}

// TestBoltDataDirectoryConverts: a data directory of the bbolt version
// opens as it is: its alerts and state are imported, once.
func TestBoltDataDirectoryConverts(t *testing.T) {
	dir := t.TempDir()
	db, err := bolt.Open(filepath.Join(dir, store.DBFile), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	alerts := corpus(50)
	err = db.Update(func(tx *bolt.Tx) error {
		b, _ := tx.CreateBucket([]byte("alerts"))
		for _, a := range alerts {
			v, _ := jsonMarshal(a)
			b.Put([]byte(a.ID), v)
		}
		st, _ := tx.CreateBucket([]byte("state"))
		return st.Put([]byte("activity-baselines"), []byte{9, 8, 7})
	})
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		s, err := store.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := s.CountAlerts(context.Background(), store.AlertFilter{})
		data, err := s.LoadState("activity-baselines")
		if c.Total != 50 || c.ByStatus[string(event.StatusNew)] != 50 || err != nil || string(data) != "\x09\x08\x07" {
			t.Errorf("after conversion: %+v, state %v %v", c, data, err)
		}
		s.Close()
	}
	if _, err := os.Stat(filepath.Join(dir, store.DBFile+".bolt.imported")); err != nil {
		t.Errorf("the bbolt file is not kept aside: %v", err)
	}
}
