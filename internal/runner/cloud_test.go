package runner

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/streaming"
	sdk "github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/google/go-cmp/cmp"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/source/azblob/azuritetest"
)

const vnetContainer = "insights-logs-flowlogflowevent"

// hourBlobs splits flow-log documents into one PT1H.json per hour, named
// as Network Watcher names VNet flow logs, each a list of records.
func hourBlobs(t *testing.T, files []string) (names []string, blobs map[string][]json.RawMessage) {
	t.Helper()
	blobs = map[string][]json.RawMessage{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct{ Records []json.RawMessage }
		if err := json.Unmarshal(data, &doc); err != nil {
			t.Fatal(err)
		}
		for _, r := range doc.Records {
			var head struct{ Time time.Time }
			if err := json.Unmarshal(r, &head); err != nil {
				t.Fatal(err)
			}
			h := head.Time.UTC()
			name := fmt.Sprintf("flowLogResourceID=/AAAA0A0A-BB1B-CC2C-DD3D-EEEEEE4E4E4E/NETWORKWATCHERRG/NETWORKWATCHER_EASTUS/VNETFLOWLOG/y=%04d/m=%02d/d=%02d/h=%02d/m=00/macAddress=000D3AF87856/PT1H.json",
				h.Year(), h.Month(), h.Day(), h.Hour())
			blobs[name] = append(blobs[name], r)
		}
	}
	for n := range blobs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, blobs
}

// commitRecords writes a PT1H.json the way Network Watcher does: blocks
// `{"records":[`, the records (a "," before all but the first), `]}`,
// the block list committed again as the hour's records arrive.
func commitRecords(t *testing.T, client *sdk.Client, container, name string, records []json.RawMessage) {
	t.Helper()
	ctx := context.Background()
	bb := client.ServiceClient().NewContainerClient(container).NewBlockBlobClient(name)
	var ids []string
	stage := func(id string, data []byte) {
		bid := base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("%08s", id)))
		if _, err := bb.StageBlock(ctx, bid, streaming.NopCloser(bytes.NewReader(data)), nil); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, bid)
	}
	stage("head", []byte(`{"records":[`))
	for i := 0; i < len(records); i += 20 { // a block per minute's records
		var b []byte
		for j, r := range records[i:min(i+20, len(records))] {
			if i+j > 0 {
				b = append(b, ',')
			}
			b = append(b, r...)
		}
		stage(fmt.Sprint(i), b)
	}
	stage("foot", []byte("]}"))
	if _, err := bb.CommitBlockList(ctx, ids, nil); err != nil {
		t.Fatal(err)
	}
}

func azurite(t *testing.T, containers ...string) *sdk.Client {
	t.Helper()
	srv := azuritetest.Start(t)
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", srv.ConnectionString)
	client, err := sdk.NewClientFromConnectionString(srv.ConnectionString, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range containers {
		if _, err := client.CreateContainer(context.Background(), c, nil); err != nil {
			t.Fatal(err)
		}
	}
	return client
}

// TestFlowLogContainerLiveEqualsBatch: VNet flow logs laid out in Azurite
// as Network Watcher writes them, read by `detect azblob://...` twice
// while the current hour's blob grows and new hours appear (each run a
// restart), raise the alerts, with the same IDs, of one run over the
// final blobs; a third run reads nothing; evidence names the blob.
func TestFlowLogContainerLiveEqualsBatch(t *testing.T) {
	files, cfg := netMonth(t)
	names, blobs := hourBlobs(t, files)
	client := azurite(t, vnetContainer)
	url := "azblob://" + azuritetest.Account + "/" + vnetContainer
	cut := len(names) / 2
	for _, n := range names[:cut] {
		commitRecords(t, client, vnetContainer, n, blobs[n])
	}
	growing := blobs[names[cut]]
	commitRecords(t, client, vnetContainer, names[cut], growing[:len(growing)/2])

	cfg.DataDir = t.TempDir()
	first, sum1 := detectOpts(t, cfg, Options{}, url)
	for _, n := range names[cut:] {
		commitRecords(t, client, vnetContainer, n, blobs[n])
	}
	second, sum2 := detectFiles(t, cfg, url)
	again, _ := detectFiles(t, cfg, url)

	cfg.DataDir = t.TempDir()
	batch, sumB := detectFiles(t, cfg, url)
	if len(batch) < 10 || sumB.FlowsRead != sum1.FlowsRead+sum2.FlowsRead {
		t.Fatalf("batch: %d alerts, %d flows; live %d + %d flows", len(batch), sumB.FlowsRead, sum1.FlowsRead, sum2.FlowsRead)
	}
	t.Logf("live: %d + %d alerts from %d + %d flows; batch %d alerts from %d flows", len(first), len(second), sum1.FlowsRead, sum2.FlowsRead, len(batch), sumB.FlowsRead)
	if diff := cmp.Diff(ids(batch), ids(append(first, second...))); diff != "" {
		t.Errorf("live differs from batch (-batch +live):\n%s", diff)
	}
	if len(again) != 0 {
		t.Errorf("a third run raised %d alerts", len(again))
	}
	for _, a := range batch {
		for _, e := range a.Evidence {
			if e.Source != "" && !strings.HasPrefix(e.Source, "azblob:"+azuritetest.Account+"/"+vnetContainer+"/flowLogResourceID=/") {
				t.Fatalf("evidence names %q, not its blob", e.Source)
			}
		}
	}
}

// TestSentinelLabFromBlobStorage: the Sentinel training lab's sign-ins of
// adelev@ (a Log Analytics export) and a month of her tenant's sign-ins as
// JSON lines, uploaded to Azurite in the diagnostic-settings layout, and
// Microsoft's documented sample records beside them: read end to end, the
// infrequent-country alert names the blob and the row.
func TestSentinelLabFromBlobStorage(t *testing.T) {
	lab := external(t, "azure-sentinel-training-lab/sign-in_adelete.csv")
	baseline := writeTenantBaseline(t)
	const container = "insights-logs-signinlogs"
	client := azurite(t, container)
	dir := "tenantId=" + adeleTenant + "/y=2021/m=04/d=%s/h=%s/m=00/PT1H.json"
	upload := func(name, path string) string {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := client.UploadBuffer(context.Background(), container, name, data, nil); err != nil {
			t.Fatal(err)
		}
		return name
	}
	upload(fmt.Sprintf(dir, "01", "00"), baseline)
	labBlob := upload(fmt.Sprintf(dir, "28", "14"), lab)
	for _, sample := range []string{"entra-signin-azure-monitor-record.json", "activity-log-eventhub-record.json", "nsg-flow-log-v2.json"} {
		upload("samples/"+sample, external(t, "microsoft-docs-examples/"+sample))
	}
	cfg := config.Default()
	cfg.Geo.TrustRecordLocation = false
	cfg.DataDir = t.TempDir()
	alerts, sum := detectFiles(t, cfg, "azblob://"+azuritetest.Account+"/"+container)
	got := byDetection(alerts, "infrequent-country")
	if len(got) != 1 {
		t.Fatalf("%d infrequent-country alerts, want 1; summary %+v", len(got), sum)
	}
	ev := got[0].Evidence[0]
	if want := "azblob:" + azuritetest.Account + "/" + container + "/" + labBlob; ev.Source != want || ev.Record < 1 || ev.IP != "175.45.176.99" {
		t.Errorf("evidence %s#%d from %s, want %s", ev.Source, ev.Record, ev.IP, want)
	}
	if sum.FlowsRead == 0 || len(sum.Rejected) != 0 {
		t.Errorf("samples: %d flows read, rejected %v", sum.FlowsRead, sum.Rejected)
	}
}

func TestCloudURLs(t *testing.T) {
	t.Setenv("AZURE_STORAGE_BLOB_ENDPOINT", "")
	cfg, err := AzblobConfig("azblob://acct/insights-logs-flowlogflowevent/flowLogResourceID=/X/?start=2026-11-01")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.ServiceURL != "https://acct.blob.core.windows.net/" || cfg.Containers[0] != "insights-logs-flowlogflowevent" ||
		cfg.Prefix != "flowLogResourceID=/X/" || !cfg.Start.Equal(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("config %+v", cfg)
	}
	for _, bad := range []string{"azblob://acct", "azblob:///c", "azblob://acct/c?start=yesterday"} {
		if _, err := AzblobConfig(bad); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	files, urls := splitCloud([]string{"a.json", "s3://trail/AWSLogs/", "azblob://acct/c", "-"})
	if len(files) != 2 || len(urls) != 2 {
		t.Fatalf("files %v urls %v", files, urls)
	}
}
