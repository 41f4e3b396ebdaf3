package normalize

import (
	"bytes"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vedette/vedette/internal/event"
)

// auditEvent is what the audit tests pin of a directory event.
type auditEvent struct {
	Key, Tenant, Principal, PrincipalID string
	Kind                                event.PrincipalKind
	IP, UA, AppID, Op, Category         string
	Result                              event.Result
	Resource, Detail                    string
	Time                                time.Time
}

func auditOf(e *event.Event) auditEvent {
	ip := ""
	if e.SourceIP.IsValid() {
		ip = e.SourceIP.String()
	}
	return auditEvent{Key: e.Key, Tenant: e.Tenant, Principal: e.Principal, PrincipalID: e.PrincipalID, Kind: e.PrincipalKind,
		IP: ip, UA: e.UserAgent, AppID: e.AppID, Op: e.Operation, Category: e.Category, Result: e.Result,
		Resource: e.Resource, Detail: e.Detail, Time: e.Time}
}

const (
	contosoTenant = "6f1e2d3c-4b5a-4978-8a9b-0c1d2e3f4a5b"
	ps7UA         = "Mozilla/5.0 (Windows NT 10.0; Microsoft Windows 10.0.22631; en-US) PowerShell/7.4.6"
)

func TestAuditFormats(t *testing.T) {
	t.Parallel()
	hannah := func(key, op, cat, res, detail string, at time.Time) auditEvent {
		return auditEvent{Key: key, Tenant: contosoTenant, Principal: "hannah.kowalski@contoso.com",
			PrincipalID: "3a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d", Kind: event.PrincipalUser, IP: "185.220.101.34",
			UA: ps7UA, Op: op, Category: cat, Result: event.ResultSuccess, Resource: res, Detail: detail, Time: at}
	}
	devLead := func(key, op, cat, res string, r event.Result, ua string, at time.Time) auditEvent {
		return auditEvent{Key: key, Principal: "dev.lead@contoso.com", PrincipalID: "b7c8d9e0-f1a2-4b3c-8d4e-5f6a7b8c9d0e",
			Kind: event.PrincipalUser, IP: "81.2.69.160", UA: ua, Op: op, Category: cat, Result: r, Resource: res, Time: at}
	}
	tests := []struct {
		file   string
		format Format
		want   []auditEvent
	}{
		{"audit-diag.json", FormatEntraAudit, []auditEvent{
			hannah("Directory_7d1c9a0e-2b3f-4c5d-8e6f-7a8b9c0d1e2f_QK2P8_41022785", "Add service principal credentials",
				"ApplicationManagement", "0c5e8f21-7a44-4d1b-b6a2-93e4f7c8d9a0", "", time.Date(2026, 3, 2, 21, 14, 7, 330543100, time.UTC)),
			hannah("Directory_a4b5c6d7-e8f9-4a0b-9c1d-2e3f4a5b6c7d_LM3X1_55210934", "Add member to role",
				"RoleManagement", "0c5e8f21-7a44-4d1b-b6a2-93e4f7c8d9a0", "Global Administrator", time.Date(2026, 3, 2, 21, 16, 40, 118730200, time.UTC)),
			{Key: "Directory_c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f_9ZT4K_10882713", Tenant: contosoTenant,
				Principal: "91b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", PrincipalID: "91b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
				Kind: event.PrincipalServicePrincipal, AppID: "e3a1b2c4-d5e6-4f70-8a9b-c0d1e2f3a4b5", Op: "Add user",
				Category: "UserManagement", Result: event.ResultSuccess, Resource: "d4e5f6a7-b8c9-4d0e-9f1a-2b3c4d5e6f70",
				Time: time.Date(2026, 3, 3, 7, 2, 11, 901660000, time.UTC)},
		}},
		{"audit-graph.json", FormatEntraAuditGraph, []auditEvent{
			devLead("Directory_3e4f5a6b-7c8d-4e9f-a0b1-c2d3e4f5a6b7_PX7Q2_72931150", "Update application – Certificates and secrets management",
				"ApplicationManagement", "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b", event.ResultSuccess,
				"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
				time.Date(2026, 3, 4, 10, 41, 27, 551123400, time.UTC)),
			devLead("Directory_5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d_RT9M4_11830267", "Invite external user", "UserManagement",
				"e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b", event.ResultFailure, "", time.Date(2026, 3, 4, 11, 3, 2, 0, time.UTC)),
		}},
		{"la-auditlogs.csv", FormatLAAuditCSV, []auditEvent{
			{Key: "Directory_9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a_HG5T2_30917745", Tenant: contosoTenant, Principal: "svc-ops@contoso.com",
				PrincipalID: "c0d1e2f3-a4b5-4c6d-8e7f-9a0b1c2d3e4f", Kind: event.PrincipalUser, IP: "203.0.113.77",
				UA: "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.5247", Op: "Add delegated permission grant",
				Category: "ApplicationManagement", Result: event.ResultSuccess, Resource: "401dd906-ea4f-4d41-b762-7e936d222368",
				Time: time.Date(2026, 3, 5, 14, 11, 9, 402e6, time.UTC)},
			{Key: "Directory_1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d_KL8W3_50218871", Tenant: contosoTenant, Principal: "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
				PrincipalID: "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f", Kind: event.PrincipalServicePrincipal, AppID: "14d82eec-204b-4c2f-b7e8-296a70dab67e",
				Op: "Add app role assignment to service principal", Category: "ApplicationManagement", Result: event.ResultSuccess,
				Resource: "0c5e8f21-7a44-4d1b-b6a2-93e4f7c8d9a0", Time: time.Date(2026, 3, 5, 14, 12, 40, 118e6, time.UTC)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			c, f, err := readAll(t, filepath.Join("testdata", tt.file))
			if err != nil || f != tt.format || len(c.rejections) != 0 {
				t.Fatalf("format %q, err %v, rejections %v", f, err, c.rejections)
			}
			got := make([]auditEvent, 0, len(c.events))
			for _, e := range c.events {
				if e.Kind != event.KindDirectory || !e.Interactive != (e.PrincipalKind != event.PrincipalUser) {
					t.Errorf("%s: kind %v, interactive %v", e.Key, e.Kind, e.Interactive)
				}
				got = append(got, auditOf(e))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

// TestAuditRejections: entries without a time or an initiator are
// rejected, not guessed.
func TestAuditRejections(t *testing.T) {
	t.Parallel()
	tests := []struct{ rec, reason string }{
		{`{"id":"Directory_x","activityDisplayName":"Add user","activityDateTime":"2026-03-01T00:00:00Z","initiatedBy":{"user":null,"app":null},"result":"success"}`, "missing-principal"},
		{`{"time":"x","category":"AuditLogs","properties":{"id":"Directory_y","activityDisplayName":"Add user","initiatedBy":{"user":{"userPrincipalName":"a@b.c"}}}}`, "bad-time"},
		{`{"time":"2026-03-01T00:00:00Z","category":"AuditLogs","properties":{"id":"Directory_z","activityDisplayName":"  ","initiatedBy":{"user":{"userPrincipalName":"a@b.c"}}}}`, "missing-operation"},
	}
	for _, tt := range tests {
		c := &collector{}
		if _, err := Read("t", strings.NewReader(tt.rec), c); err != nil {
			t.Fatal(err)
		}
		if len(c.events) != 0 || len(c.rejections) != 1 || c.rejections[0].Reason != tt.reason {
			t.Errorf("%s: %d events, rejections %v; want %s", tt.rec, len(c.events), c.rejections, tt.reason)
		}
	}
}

// TestExternalAADAuditEvents reads the SimuLand lab's AuditLogs rows
// (otrf-security-datasets): the Log Analytics table as JSON lines, nested
// columns as JSON strings, an activity name with Entra's trailing space.
func TestExternalAADAuditEvents(t *testing.T) {
	t.Parallel()
	c, f, err := readAll(t, filepath.Join(externalDir(t), "otrf-security-datasets", "AADAuditEvents.json"))
	if err != nil || f != FormatLAAudit || len(c.rejections) != 0 || len(c.events) != 4 {
		t.Fatalf("format %q, err %v, %d events, rejections %v", f, err, len(c.events), c.rejections)
	}
	const ua = "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.17763.1971"
	pg := func(key, op, res string, at time.Time) auditEvent {
		return auditEvent{Key: key, Tenant: "00000000-0000-0000-0000-000000000000", Principal: "pgustavo@simulandlabs.com",
			PrincipalID: "aead923d-498b-4f64-a66c-2af91447a8b6", Kind: event.PrincipalUser, UA: ua, Op: op,
			Category: "ApplicationManagement", Result: event.ResultSuccess, Resource: res, Time: at}
	}
	secret := pg("Directory_10065ffb-8199-48bc-8ff5-912cb5b8295a_AUMVX_13992832", "Update application – Certificates and secrets management",
		"11b49e19-2326-4be6-93cb-7f37439bbd81", time.Date(2021, 8, 2, 13, 29, 25, 983e6, time.UTC))
	want := []auditEvent{secret, secret, // the export repeats the row once per key event
		pg("Directory_ae69aa7a-e9b7-4066-84f2-58582994d8cb_7H1JL_8584070", "Update application", "11b49e19-2326-4be6-93cb-7f37439bbd81",
			time.Date(2021, 8, 2, 13, 25, 12, 246e6, time.UTC)),
		pg("Directory_630d7f0c-acc4-4596-85ab-7e5d839b4291_9VRQI_37762000", "Add delegated permission grant", "401dd906-ea4f-4d41-b762-7e936d222368",
			time.Date(2021, 8, 2, 13, 27, 20, 17e6, time.UTC)),
	}
	var got []auditEvent
	for _, e := range c.events {
		got = append(got, auditOf(e))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// TestExternalAuditLogsHunting reads the training lab's AuditLogs hunting
// export. It has no time column at all (no TimeGenerated, no
// ActivityDateTime): every row is rejected rather than given an invented
// time. With a TimeGenerated column added, the rows are the five credential
// additions EXPECTED.md describes.
func TestExternalAuditLogsHunting(t *testing.T) {
	t.Parallel()
	path := filepath.Join(externalDir(t), "azure-sentinel-training-lab", "AuditLogs_Hunting.csv")
	c, f, err := readAll(t, path)
	if err != nil || f != FormatLAAuditCSV || len(c.events) != 0 || len(c.rejections) != 5 {
		t.Fatalf("format %q, err %v, %d events, %d rejections", f, err, len(c.events), len(c.rejections))
	}
	for _, r := range c.rejections {
		if r.Reason != "missing-time" {
			t.Errorf("rejection %v", r)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))
	timed := bytes.Replace(raw, []byte("OperationName,"), []byte("TimeGenerated [UTC],OperationName,"), 1)
	timed = bytes.ReplaceAll(timed, []byte("\r\nUpdate application"), []byte("\r\n\"8/2/2021, 1:29:25.983 PM\",Update application"))
	c = &collector{}
	if _, err := Read("timed", bytes.NewReader(timed), c); err != nil || len(c.rejections) != 0 || len(c.events) != 5 {
		t.Fatalf("err %v, %d events, rejections %v", err, len(c.events), c.rejections)
	}
	ips := map[string]string{}
	for _, e := range c.events {
		if e.Operation != "Update application – Certificates and secrets management" || e.Result != event.ResultSuccess ||
			!strings.HasPrefix(e.Key, "Directory_") || e.Resource == "" || e.UserAgent == "" {
			t.Errorf("event %+v", auditOf(e))
		}
		ips[e.Principal+" "+e.SourceIP.String()] = e.Resource
	}
	if ips["victim@buildseccxpninja.onmicrosoft.com 45.153.160.2"] != "020c2630-81fb-5678-9a9c-ce9984a45458" ||
		ips["vadimj@buildseccxpninja.onmicrosoft.com 185.20.35.69"] != "a9929be8-b429-4918-ab41-0604fc9356b4" {
		t.Errorf("principals, IPs and targets %v", ips)
	}
	if c.events[2].UserAgent[:len("python/3.8.9")] != "python/3.8.9" || c.events[0].SourceIP != netip.MustParseAddr("45.153.160.2") {
		t.Errorf("user agents and IPs: %+v, %+v", auditOf(c.events[0]), auditOf(c.events[2]))
	}
}
