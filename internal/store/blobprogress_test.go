package store_test

import (
	"context"
	"testing"

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
