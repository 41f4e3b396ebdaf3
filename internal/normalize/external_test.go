package normalize

import (
	"errors"
	"math"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/event"
)

// TestExternalSamples reads the public samples in ../shared/testdata-external
// (see its EXPECTED.md) and checks counts and the facts detectors rely on.
func TestExternalSamples(t *testing.T) {
	t.Parallel()
	dir := externalDir(t)
	tests := []struct {
		file   string
		format Format
		events int
		check  func(t *testing.T, evs []*event.Event)
	}{
		{"microsoft-docs-examples/activity-log-eventhub-record.json", FormatAzureActivity, 1, nil},
		{"microsoft-docs-examples/activity-log-rest-administrative.json", FormatAzureActivityREST, 1, nil},
		{"microsoft-docs-examples/entra-signin-azure-monitor-record.json", FormatEntraSignIn, 1, checkPlaceholderIP},
		{"msticpy/aad_logons.jsonl", FormatLASignIn, 86, checkAADLogons},
		{"azure-sentinel-training-lab/sign-in_adelete.csv", FormatLASignInCSV, 56, checkAdeleSignIns},
		{"azure-sentinel-training-lab/disable_accounts.csv", FormatLASignInCSV, 4, checkDisabled},
		{"azure-sentinel-training-lab/azureActivity_adele.csv", FormatLAActivityCSV, 23, checkAdeleActivity},
		{"azure-sentinel-training-lab/azure_activity.csv", FormatLAActivityCSV, 325, nil},
		{"otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json", FormatCloudTrail, 103, checkCloudTrail},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			t.Parallel()
			c, f, err := readAll(t, filepath.Join(dir, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if f != tt.format || len(c.events) != tt.events || len(c.rejections) != 0 {
				t.Fatalf("format %q, %d events, rejections %v; want %q, %d, none", f, len(c.events), c.rejections, tt.format, tt.events)
			}
			if tt.check != nil {
				tt.check(t, c.events)
			}
		})
	}
}

func TestExternalOtherTables(t *testing.T) {
	t.Parallel()
	dir := externalDir(t)
	for _, file := range []string{
		"azure-sentinel-training-lab/signinLogs.csv",
		"azure-sentinel-training-lab/PenTestsIPaddresses.csv",
		"otrf-security-datasets/AWS_S3_HoneyBucketLogs.csv",
		"microsoft-docs-examples/nsg-flow-log-v2.json",
		"microsoft-docs-examples/vnet-flow-log-v4.json",
		"msticpy/az_net_comms.jsonl",
		"msticpy/az_net_flows.csv",
	} {
		c, _, err := readAll(t, filepath.Join(dir, file))
		if !errors.Is(err, ErrUnknownFormat) || len(c.events)+len(c.rejections) != 0 {
			t.Errorf("%s: err %v, %d events, %d rejections; want only ErrUnknownFormat", file, err, len(c.events), len(c.rejections))
		}
	}
}

func checkPlaceholderIP(t *testing.T, evs []*event.Event) {
	if e := evs[0]; e.SourceIP.IsValid() || e.Result != event.ResultFailure || e.ResultCode != "50140" {
		t.Errorf("docs sign-in: IP %v result %v code %q", e.SourceIP, e.Result, e.ResultCode)
	}
}

func checkAADLogons(t *testing.T, evs []*event.Event) {
	// EXPECTED.md says every record appears twice; in fact 41 do and 4
	// appear once (45 distinct Ids). A repeated record must give the same
	// event, Key included.
	byKey := map[string]*event.Event{}
	var megan *event.Event
	for _, e := range evs {
		if prev, seen := byKey[e.Key]; seen {
			a, b := *prev, *e
			a.Origin, b.Origin = event.Origin{}, event.Origin{}
			if a != b {
				t.Errorf("key %s: repeated record gives %+v, then %+v", e.Key, a, b)
			}
		}
		byKey[e.Key] = e
		if e.Principal == "meganb@seccxp.ninja" && e.SourceIP == netip.MustParseAddr("136.55.145.135") {
			megan = e
		}
	}
	if len(byKey) != 45 {
		t.Errorf("%d distinct keys, want 45", len(byKey))
	}
	if megan == nil {
		t.Fatal("meganb sign-in from 136.55.145.135 missing")
	}
	want := time.Date(2020, 5, 20, 11, 47, 15, 343e6, time.UTC)
	l := megan.Location
	if !megan.Time.Equal(want) || megan.Result != event.ResultFailure || megan.ResultCode != "90072" ||
		!l.HasCoord || math.Abs(l.Lat-34.7984580994) > 1e-9 || math.Abs(l.Lon - -83.3882827759) > 1e-9 || l.Country != "US" {
		t.Errorf("meganb failed sign-in = %+v", *megan)
	}
}

func checkAdeleSignIns(t *testing.T, evs []*event.Event) {
	results := map[string]int{}
	for _, e := range evs {
		results[e.ResultCode]++
		if e.SourceIP != netip.MustParseAddr("175.45.176.99") || e.Location.Country != "IL" || !e.Location.HasCoord ||
			e.Principal != "adelev@m365x816222.onmicrosoft.com" || e.Time.Before(time.Date(2021, 4, 28, 14, 8, 0, 0, time.UTC)) {
			t.Errorf("record %d = %+v", e.Origin.Record, *e)
		}
	}
	if results["0"] != 53 || results["16000"] != 2 || results["50058"] != 1 {
		t.Errorf("result codes = %v, want 53×0, 2×16000, 1×50058", results)
	}
}

func checkDisabled(t *testing.T, evs []*event.Event) {
	for _, e := range evs {
		// The export has no time column: the first authentication step
		// dates it. Its coordinates are swapped (latitude 125): dropped.
		if e.Result != event.ResultFailure || e.ResultCode != "50057" || e.Location.Country != "KP" || e.Location.HasCoord ||
			e.Time.Format("2006-01-02") != "2021-04-19" || e.Principal != "johns@m365x816222.onmicrosoft.com" {
			t.Errorf("record %d = %+v", e.Origin.Record, *e)
		}
	}
}

func checkAdeleActivity(t *testing.T, evs []*event.Event) {
	deletes := 0
	for _, e := range evs {
		if e.Principal != "adelev@m365x816222.onmicrosoft.com" || e.SourceIP != netip.MustParseAddr("37.142.150.162") ||
			e.Subscription == "" || e.Key == "" {
			t.Errorf("record %d = %+v", e.Origin.Record, *e)
		}
		if strings.HasSuffix(e.Operation, "/delete") && e.Result == event.ResultSuccess {
			deletes++
		}
	}
	if deletes == 0 {
		t.Error("no successful delete operations")
	}
}

func checkCloudTrail(t *testing.T, evs []*event.Event) {
	kinds := map[string]int{}
	for _, e := range evs {
		kinds[e.PrincipalKind.String()+" "+e.Principal]++
		if e.Principal == "ec2.amazonaws.com" && e.SourceIP.IsValid() {
			t.Errorf("service host name parsed as an IP: %+v", *e)
		}
	}
	want := map[string]int{
		"user pedro": 87,
		"managed_identity MordorNginxStack-BankingWAFRole-9S3E0UAE1MM0/i-0317f6c6b66ae9c40": 11,
		"service ec2.amazonaws.com": 5,
	}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("principals = %v, want %v", kinds, want)
			break
		}
	}
}
