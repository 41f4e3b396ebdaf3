package normalize

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"github.com/vedette/vedette/internal/event"
)

// summary is what the format tests compare: the fields detectors use.
type summary struct {
	Rec         int
	Kind        event.Kind
	Time        string
	Principal   string
	PKind       event.PrincipalKind
	Tenant      string
	Sub         string
	IP          string
	Op          string
	Result      event.Result
	Code        string
	Interactive bool
	Country     string
	Coord       bool
}

func summarize(e *event.Event) summary {
	ip := ""
	if e.SourceIP.IsValid() {
		ip = e.SourceIP.String()
	}
	return summary{
		Rec: e.Origin.Record, Kind: e.Kind, Time: e.Time.Format(time.RFC3339Nano), Principal: e.Principal,
		PKind: e.PrincipalKind, Tenant: e.Tenant, Sub: e.Subscription, IP: ip, Op: e.Operation,
		Result: e.Result, Code: e.ResultCode, Interactive: e.Interactive, Country: e.Location.Country,
		Coord: e.Location.HasCoord,
	}
}

const (
	tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	sub    = "9b3c1f8e-2d4a-4c6b-8e1f-3a5d7c9e0b12"
	acct   = "111122223333"
)

var (
	user = event.PrincipalUser
	sp   = event.PrincipalServicePrincipal
	mi   = event.PrincipalManagedIdentity
	svc  = event.PrincipalService
	ok   = event.ResultSuccess
	fail = event.ResultFailure
	unk  = event.ResultUnknown
	sgn  = event.KindSignIn
	mgmt = event.KindManagement
	ct   = event.KindCloudTrail
)

func TestReadFormats(t *testing.T) {
	t.Parallel()
	armUser := func(rec int, when, code string, r event.Result) summary {
		return summary{rec, mgmt, when, "meganb@contoso.com", user, tenant, sub, "203.0.113.45",
			"microsoft.storage/storageaccounts/listkeys/action", r, code, true, "", false}
	}
	tests := []struct {
		file   string
		format Format
		want   []summary
	}{
		{"activity-eventhub.json", FormatAzureActivity, []summary{
			armUser(1, "2024-03-11T09:14:02.1234567Z", "Start", unk),
			armUser(2, "2024-03-11T09:14:02.3456789Z", "Success", ok),
			{3, mgmt, "2024-03-11T09:20:45Z", "a1b2c3d4-e5f6-4789-a0b1-c2d3e4f5a6b7", sp, tenant, sub, "2001:db8::17",
				"microsoft.compute/virtualmachines/delete", fail, "Failure", true, "", false},
			{4, mgmt, "2024-03-11T10:02:11.5Z", "f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f", mi, tenant, sub, "52.174.10.20",
				"microsoft.keyvault/vaults/write", ok, "Success", true, "", false},
		}},
		{"activity-rest.json", FormatAzureActivityREST, []summary{
			{1, mgmt, "2024-03-12T16:40:05.889Z", "adele.vance@contoso.com", user, tenant, sub, "198.51.100.23",
				"microsoft.authorization/roleassignments/write", ok, "Succeeded", true, "", false},
			{2, mgmt, "2024-03-12T17:02:00Z", "3f1e5d7c-9b2a-4c6e-8d0f-1a3b5c7d9e2f", sp, tenant, sub, "20.61.4.9",
				"microsoft.resources/deployments/write", unk, "Accepted", true, "", false},
		}},
		{"signin-diag.json", FormatEntraSignIn, []summary{
			{1, sgn, "2024-03-11T09:00:01.1234567Z", "meganb@contoso.com", user, tenant, "", "203.0.113.45", "sign-in", ok, "0", true, "US", true},
			{2, sgn, "2024-03-11T09:30:12.5Z", "meganb@contoso.com", user, tenant, "", "2001:db8:85a3::8a2e:370:7334", "sign-in", fail, "50126", false, "NG", true},
			{3, sgn, "2024-03-11T09:45:00Z", "a1b2c3d4-e5f6-4789-a0b1-c2d3e4f5a6b7", sp, tenant, "", "20.61.4.9", "sign-in", ok, "0", false, "NL", true},
			{4, sgn, "2024-03-11T09:50:00Z", "f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f", mi, tenant, "", "", "sign-in", ok, "0", false, "", false},
		}},
		{"signin-graph.json", FormatEntraSignInGraph, []summary{
			{1, sgn, "2024-03-11T09:00:01.1234567Z", "meganb@contoso.com", user, tenant, "", "203.0.113.45", "sign-in", ok, "0", true, "US", true},
			{2, sgn, "2024-03-11T09:30:12.5Z", "meganb@contoso.com", user, tenant, "", "2001:db8:85a3::8a2e:370:7334", "sign-in", fail, "50126", true, "NG", true},
		}},
		{"cloudtrail.json", FormatCloudTrail, []summary{
			{1, ct, "2024-03-11T08:58:00Z", "alice", user, acct, "", "198.51.100.77", "signin.amazonaws.com:ConsoleLogin", fail, "", true, "", false},
			{2, ct, "2024-03-11T08:59:10Z", "alice", user, acct, "", "198.51.100.77", "signin.amazonaws.com:ConsoleLogin", ok, "", true, "", false},
			{3, ct, "2024-03-11T09:05:33Z", "web-instance-role/i-0abc123def4567890", mi, acct, "", "192.0.2.200", "s3.amazonaws.com:ListBuckets", ok, "", true, "", false},
			{4, ct, "2024-03-11T09:06:01Z", "web-instance-role/i-0abc123def4567890", mi, acct, "", "192.0.2.200", "s3.amazonaws.com:GetObject", fail, "AccessDenied", true, "", false},
			{5, ct, "2024-03-11T09:07:00Z", "ec2.amazonaws.com", svc, acct, "", "", "sts.amazonaws.com:AssumeRole", ok, "", true, "", false},
			{6, ct, "2024-03-11T09:08:00Z", "AWSReservedSSO_AdministratorAccess_0123456789abcdef/bob@example.com", user, acct, "", "203.0.113.9", "iam.amazonaws.com:CreateAccessKey", ok, "", true, "", false},
			{7, ct, "2024-03-11T09:09:00Z", "arn:aws:iam::111122223333:root", user, acct, "", "203.0.113.10", "iam.amazonaws.com:DeleteTrail", ok, "", true, "", false},
		}},
		{"la-signin.csv", FormatLASignInCSV, []summary{
			{1, sgn, "2024-03-11T09:00:01.123Z", "meganb@contoso.com", user, tenant, "", "203.0.113.45", "sign-in", ok, "0", true, "US", true},
			{2, sgn, "2024-03-11T13:30:12.5Z", "meganb@contoso.com", user, tenant, "", "2001:db8:85a3::8a2e:370:7334", "sign-in", fail, "50126", false, "NG", true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			c, f, err := readAll(t, filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if f != tt.format {
				t.Errorf("format = %q, want %q", f, tt.format)
			}
			got := make([]summary, len(c.events))
			for i, e := range c.events {
				got[i] = summarize(e)
				if e.Key == "" || e.Origin.Source == "" {
					t.Errorf("record %d: empty Key or Origin: %+v", i+1, e)
				}
			}
			if diff := cmp.Diff(got, tt.want); diff != "" {
				t.Errorf("events (-got, +want):\n%s", diff)
			}
		})
	}
}

func TestReadCSVRejectsBadTime(t *testing.T) {
	t.Parallel()
	c, _, err := readAll(t, filepath.Join("testdata", "la-signin.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Rejection{{Source: filepath.Join("testdata", "la-signin.csv"), Record: 3, Reason: "bad-time",
		Detail: `createdDateTime "not a time" is not a timestamp`}}
	if diff := cmp.Diff(c.rejections, want); diff != "" {
		t.Errorf("rejections (-got, +want):\n%s", diff)
	}
}

// TestRejectionDetailIsInert: a rejection's detail quotes the bad value,
// and `vedette detect` prints it to the terminal; an escape sequence in
// the value must arrive there as inert text.
func TestRejectionDetailIsInert(t *testing.T) {
	t.Parallel()
	line := `{"id":"1","createdDateTime":"2026-10-10\u001b[2J\u001b]0;x\u0007","userPrincipalName":"a@contoso.com","ipAddress":"192.0.2.1"}` + "\n"
	c := &collector{}
	if _, err := Read("signins.jsonl", strings.NewReader(line), c); err != nil {
		t.Fatal(err)
	}
	if len(c.rejections) != 1 {
		t.Fatalf("rejections %+v, want the bad time's", c.rejections)
	}
	d := c.rejections[0].Detail
	if strings.ContainsFunc(d, unicode.IsControl) || !strings.Contains(d, "2026-10-10?[2J") {
		t.Errorf("detail %q: want the value with each control character as '?'", d)
	}
}
