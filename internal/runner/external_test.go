package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/event"
)

// external returns a file of ../shared/testdata-external, skipping the test
// when the folder is absent (a clone of the project alone).
func external(t *testing.T, rel string) string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", "testdata-external", rel)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("external test data absent: %v", err)
	}
	return path
}

// noLearning turns the learning periods off, the harshest setting for a
// file of one day: whatever stays quiet here stays quiet by judgement, not
// for lack of history.
func noLearning(cfg config.Config) config.Config {
	cfg.Detections.ImpossibleTravel.Settings.Learning = 0
	cfg.Detections.InfrequentCountry.Settings.Learning = 0
	cfg.Detections.AnonymousIP.Settings.Learning = 0
	return cfg
}

func byDetection(alerts []event.Alert, detection string) []event.Alert {
	var out []event.Alert
	for _, a := range alerts {
		if a.Detection == detection {
			out = append(out, a)
		}
	}
	return out
}

// TestMsticpyFailedThenSuccessfulSignIn: meganb@ fails to sign in from the US
// (136.55.145.135) at 11:47 and succeeds from Belgium (109.88.218.99) at
// 13:11, 7,300 km in 84 minutes. A failed sign-in is not evidence of where
// the user is, so there is no travel, even with no learning period. Every
// record appears twice in the file: the duplicates are recognised.
func TestMsticpyFailedThenSuccessfulSignIn(t *testing.T) {
	file := external(t, "msticpy/aad_logons.jsonl")
	cfg := noLearning(config.Default())
	cfg.DataDir = t.TempDir()
	alerts, sum := detectFiles(t, cfg, file)
	if got := byDetection(alerts, "impossible-travel"); len(got) != 0 {
		t.Errorf("impossible travel raised: %s", got[0].Description)
	}
	if sum.Read != 86 || sum.Pipeline.Replayed != 41 {
		t.Errorf("read %d, recognised %d duplicates; want 86 and 41", sum.Read, sum.Pipeline.Replayed)
	}
}

// adeleTenant is the Entra tenant of the Sentinel training lab.
const adeleTenant = "2ad3fc79-1859-42fa-9011-6f8df2251b22"

// writeTenantBaseline writes a month of ordinary US sign-ins of the lab's
// tenant before adele's session, in the diagnostic-settings record shape, so
// the organisation knows its countries when her sign-ins arrive.
func writeTenantBaseline(t *testing.T) string {
	t.Helper()
	var buf bytes.Buffer
	start := time.Date(2021, 3, 29, 15, 0, 0, 0, time.UTC)
	for day := range 30 {
		for u := range 5 {
			ts := start.Add(time.Duration(day)*24*time.Hour + time.Duration(u)*time.Minute)
			rec := map[string]any{
				"time": ts.Format(time.RFC3339), "category": "SignInLogs", "tenantId": adeleTenant,
				"operationName": "Sign-in activity", "resultType": "0",
				"properties": map[string]any{
					"id": fmt.Sprintf("base-%d-%d", day, u), "createdDateTime": ts.Format(time.RFC3339),
					"userPrincipalName": fmt.Sprintf("user%d@m365x816222.onmicrosoft.com", u),
					"ipAddress":         fmt.Sprintf("131.107.1.%d", 10+u), "isInteractive": true,
					"appDisplayName": "Azure Portal", "status": map[string]any{"errorCode": 0},
					"location": map[string]any{"city": "Redmond", "countryOrRegion": "US",
						"geoCoordinates": map[string]any{"latitude": 47.674, "longitude": -122.12}},
				},
			}
			line, err := json.Marshal(rec)
			if err != nil {
				t.Fatal(err)
			}
			buf.Write(append(line, '\n'))
		}
	}
	path := filepath.Join(t.TempDir(), "tenant-baseline.jsonl")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestAdeleInfrequentCountryBothGeoPaths: the lab's 56 sign-ins of adelev@
// all come from 175.45.176.99. The records' own LocationDetails say Israel;
// the address is allocated to North Korea. Trusting the record, the alert
// names IL; re-geolocating with the built-in database, KP. Either way it is
// one alert, for the first successful sign-in, after a month in which the
// organisation worked from the US only.
func TestAdeleInfrequentCountryBothGeoPaths(t *testing.T) {
	file := external(t, "azure-sentinel-training-lab/sign-in_adelete.csv")
	baseline := writeTenantBaseline(t)
	for _, tc := range []struct {
		trust   bool
		country string
	}{{true, "IL"}, {false, "KP"}} {
		t.Run(tc.country, func(t *testing.T) {
			cfg := config.Default()
			cfg.Geo.TrustRecordLocation = tc.trust
			cfg.DataDir = t.TempDir()
			alerts, _ := detectFiles(t, cfg, baseline, file)
			got := byDetection(alerts, "infrequent-country")
			if len(got) != 1 {
				t.Fatalf("%d infrequent-country alerts, want 1: %v", len(got), got)
			}
			a := got[0]
			if a.Principal != "adelev@m365x816222.onmicrosoft.com" || a.Evidence[0].IP != "175.45.176.99" ||
				a.Evidence[0].Location == nil || a.Evidence[0].Location.Country != tc.country {
				t.Errorf("alert %+v, want adelev@ from 175.45.176.99 in %s", a.Evidence[0], tc.country)
			}
			if want := time.Date(2021, 4, 28, 14, 8, 45, 0, time.UTC); a.Time.Truncate(time.Second) != want {
				t.Errorf("alert time %s, want the first sign-in %s", a.Time, want)
			}
		})
	}
}

// TestAllowListSuppresses: the lab's pen-test watchlist as an allow list.
// A sign-in from a pen-test IP on an anonymiser list raises nothing.
func TestAllowListSuppresses(t *testing.T) {
	allow := external(t, "azure-sentinel-training-lab/PenTestsIPaddresses.csv")
	baseline := writeTenantBaseline(t)
	proxies := filepath.Join(t.TempDir(), "proxies.txt")
	signin := filepath.Join(t.TempDir(), "pentest.jsonl")
	if err := os.WriteFile(proxies, []byte("82.31.3.4\n185.220.101.7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var lines bytes.Buffer
	for i, ip := range []string{"82.31.3.4", "185.220.101.7"} {
		fmt.Fprintf(&lines, `{"time":"2021-04-28T10:0%d:00Z","category":"SignInLogs","tenantId":%q,"properties":{"id":"pt-%d","userPrincipalName":"user1@m365x816222.onmicrosoft.com","ipAddress":%q,"isInteractive":true,"status":{"errorCode":0}}}`+"\n", i, adeleTenant, i, ip)
	}
	if err := os.WriteFile(signin, lines.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Lists = []config.List{
		{Path: allow, Category: "allow", Name: "pentest"},
		{Path: proxies, Category: "anonymous-proxy", Name: "proxies"},
	}
	alerts, sum := detectFiles(t, cfg, baseline, signin)
	anon := byDetection(alerts, "anonymous-ip")
	if len(anon) != 1 || anon[0].Evidence[0].IP != "185.220.101.7" {
		t.Errorf("anonymous-ip alerts %v, want only the non-pen-test proxy 185.220.101.7", anon)
	}
	if sum.Pipeline.AllowListed == 0 {
		t.Error("no alert counted as suppressed by the allow list")
	}
}

// TestBenignBaselinesStayQuiet: the lab's routine tenant day
// (azure_activity.csv), the destructive ARM session alone and the CloudTrail
// exfiltration (IPs anonymised to 1.2.3.4) raise no identity alert with the
// default learning periods: each is one day of a new organisation.
func TestBenignBaselinesStayQuiet(t *testing.T) {
	for _, rel := range []string{
		"azure-sentinel-training-lab/azure_activity.csv",
		"azure-sentinel-training-lab/azureActivity_adele.csv",
		"otrf-security-datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
	} {
		file := external(t, rel)
		cfg := config.Default()
		cfg.DataDir = t.TempDir()
		alerts, sum := detectFiles(t, cfg, file)
		for _, d := range []string{"impossible-travel", "infrequent-country", "anonymous-ip"} {
			if got := byDetection(alerts, d); len(got) != 0 {
				t.Errorf("%s: %s raised: %s", rel, d, got[0].Description)
			}
		}
		if sum.Read == 0 || len(sum.Rejected) != 0 {
			t.Errorf("%s: read %d, rejected %v", rel, sum.Read, sum.Rejected)
		}
	}
}
