package azblob_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	sdk "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/appendblob"
)

// nsgContainer is where Network Watcher writes NSG flow logs.
const nsgContainer = "insights-logs-networksecuritygroupflowevent"

// nsgBlobName is the path Network Watcher gives an NSG's hour.
func nsgBlobName(nsg string, hour time.Time) string {
	return fmt.Sprintf("resourceId=/SUBSCRIPTIONS/AAAA0A0A-BB1B-CC2C-DD3D-EEEEEE4E4E4E/RESOURCEGROUPS/FABRIKAMRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/%s/y=%04d/m=%02d/d=%02d/h=%02d/m=00/macAddress=000D3AF87856/PT1H.json",
		nsg, hour.Year(), hour.Month(), hour.Day(), hour.Hour())
}

// nsgRecord is one minute's NSG flow-log v2 record: an SSH attempt from
// src to the VM at the given second of the hour.
func nsgRecord(nsg string, at time.Time, src string, n int) string {
	var tuples bytes.Buffer
	for i := range n {
		if i > 0 {
			tuples.WriteByte(',')
		}
		fmt.Fprintf(&tuples, `"%d,%s,10.5.16.4,%d,22,T,I,A,B,,,,"`, at.Unix()+int64(i), src, 40000+i)
	}
	return fmt.Sprintf(`{"time":"%s","systemId":"66aa66aa-bb77-cc88-dd99-00ee00ee00ee","macAddress":"000D3AF87856","category":"NetworkSecurityGroupFlowEvent","resourceId":"/SUBSCRIPTIONS/AAAA0A0A-BB1B-CC2C-DD3D-EEEEEE4E4E4E/RESOURCEGROUPS/FABRIKAMRG/PROVIDERS/MICROSOFT.NETWORK/NETWORKSECURITYGROUPS/%s","operationName":"NetworkSecurityGroupFlowEvents","properties":{"Version":2,"flows":[{"rule":"UserRule_AllowSSH","flows":[{"mac":"000D3AF87856","flowTuples":[%s]}]}]}}`,
		at.UTC().Format("2006-01-02T15:04:05.0000000Z"), nsg, tuples.String())
}

// flowLogWriter writes a PT1H.json as Network Watcher does: a block blob
// of blocks `{"records":[`, one block per record (`,` before all but the
// first) and `]}`, the block list committed again after each minute, so
// that the blob is a complete document after every commit.
type flowLogWriter struct {
	client  *sdk.Client
	name    string
	records []string
}

func (w *flowLogWriter) add(t testing.TB, records ...string) {
	t.Helper()
	ctx := context.Background()
	bb := w.client.ServiceClient().NewContainerClient(nsgContainer).NewBlockBlobClient(w.name)
	stage := func(id, data string) string {
		bid := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%08s", id)))
		if _, err := bb.StageBlock(ctx, bid, streaming.NopCloser(bytes.NewReader([]byte(data))), nil); err != nil {
			t.Fatalf("stage %s: %v", id, err)
		}
		return bid
	}
	for _, r := range records {
		if len(w.records) > 0 {
			r = "," + r
		}
		w.records = append(w.records, r)
	}
	ids := []string{stage("head", `{"records":[`)}
	for i, r := range w.records {
		ids = append(ids, stage(fmt.Sprint(i), r))
	}
	ids = append(ids, stage("foot", "]}"))
	if _, err := bb.CommitBlockList(ctx, ids, nil); err != nil {
		t.Fatalf("commit %s: %v", w.name, err)
	}
}

// appendLines appends JSON lines to an append blob, as diagnostic
// settings write resource and activity logs.
func appendLines(t testing.TB, client *sdk.Client, container, name string, lines ...string) {
	t.Helper()
	ctx := context.Background()
	ab := client.ServiceClient().NewContainerClient(container).NewAppendBlobClient(name)
	if _, err := ab.GetProperties(ctx, nil); err != nil {
		if _, err := ab.Create(ctx, nil); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
	}
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	if _, err := ab.AppendBlock(ctx, streaming.NopCloser(bytes.NewReader(b.Bytes())), &appendblob.AppendBlockOptions{}); err != nil {
		t.Fatalf("append %s: %v", name, err)
	}
}
