package detect_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"github.com/vedette/vedette/internal/baseline"
	"github.com/vedette/vedette/internal/config"
	"github.com/vedette/vedette/internal/detect"
	"github.com/vedette/vedette/internal/event"
	"github.com/vedette/vedette/internal/pipeline"
)

var update = flag.Bool("update", false, "rewrite the alerts.json golden sections")

// caseEvent is the compact event form of the golden cases.
type caseEvent struct {
	T      time.Time `json:"t"`
	P      string    `json:"p"`
	IP     string    `json:"ip"`
	CC     string    `json:"cc"`
	City   string    `json:"city"`
	Lat    *float64  `json:"lat"`
	Lon    *float64  `json:"lon"`
	Radius float64   `json:"radius"`
	Source string    `json:"geo"`
	Result string    `json:"r"`
	NonInt bool      `json:"ni"`
	Kind   string    `json:"kind"`
	PKind  string    `json:"pkind"`
	App    string    `json:"app"`
	UA     string    `json:"ua"`
	Tags   []string  `json:"tags"` // "category:list"
	// Management events: op (operation name, any case; implies kind
	// "management"), appid (the client's appid claim) and res (resource ID).
	// r "start" is an operation's Start record (result unknown).
	Op    string `json:"op"`
	AppID string `json:"appid"`
	Res   string `json:"res"`
	// Directory events: kind "directory" with op the Entra activity name
	// as written, res the target's object ID, detail the event's Detail
	// (a role definition body for ARM role definition writes, the role of
	// a directory role membership).
	Detail string `json:"detail"`
	// Network of the source IP: asn, its organisation and class
	// (microsoft, cloud, mobile, hosting); code is the result code (an
	// Entra error code, a CloudTrail errorCode).
	ASN     uint32 `json:"asn"`
	ASOrg   string `json:"asorg"`
	ASClass string `json:"asclass"`
	Code    string `json:"code"`
}

// caseAlert is what the goldens pin of an alert.
type caseAlert struct {
	Detection  string    `json:"detection"`
	Principal  string    `json:"principal"`
	Time       time.Time `json:"time"`
	Confidence float64   `json:"confidence"`
	Factors    []string  `json:"factors"`
	Evidence   []string  `json:"evidence"` // keys
	// Checks are the suppressions checked, "name" or "name (applied)".
	Checks []string `json:"checks,omitempty"`
}

// mapLists is an in-memory IP list: the real lookup structure is tested in
// enrich/iplist; here the cases name each IP's lists directly.
type mapLists map[netip.Addr][]detect.IPTag

func (m mapLists) Tags(ip netip.Addr) []detect.IPTag { return m[ip] }

// runCases replays every txtar case under testdata/<detection> through the
// pipeline with the default (or the case's) configuration and compares the
// alerts of that detection with the case's alerts.json.
func runCases(t *testing.T, dir string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", dir, "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases in testdata/%s: %v", dir, err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			runCase(t, file, dir)
		})
	}
}

func runCase(t *testing.T, file, detection string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string][]byte{}
	for _, f := range ar.Files {
		sections[f.Name] = f.Data
	}
	cfg := config.Default()
	if y, ok := sections["config.yaml"]; ok {
		if cfg, err = config.Parse(bytes.NewReader(y)); err != nil {
			t.Fatalf("config: %v", err)
		}
	}
	got := []caseAlert{}
	for _, a := range replay(t, cfg, sections["events.jsonl"]) {
		if a.Detection == detection {
			got = append(got, summarize(a))
		}
	}
	if *update {
		writeGolden(t, file, ar, got)
		return
	}
	var want []caseAlert
	if err := json.Unmarshal(sections["alerts.json"], &want); err != nil {
		t.Fatalf("alerts.json: %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("alerts (-want +got):\n%s", diff)
	}
}

// replay runs a case's events through a pipeline configured by cfg.
func replay(t *testing.T, cfg config.Config, data []byte) []event.Alert {
	t.Helper()
	events, lists := parseEvents(t, data)
	p := pipeline.New(pipeline.Options{TrustRecordLocation: true}, baseline.New(cfg.Baseline),
		pipeline.Deps{Lists: lists, Scoper: cfg.Scopes()})
	var out []event.Alert
	for _, e := range events {
		out = append(out, p.Process(e)...)
	}
	return out
}

func summarize(a event.Alert) caseAlert {
	c := caseAlert{Detection: a.Detection, Principal: a.Principal, Time: a.Time, Confidence: a.Confidence, Factors: []string{}, Evidence: []string{}}
	for _, f := range a.Factors {
		c.Factors = append(c.Factors, f.Name)
	}
	for _, e := range a.Evidence {
		c.Evidence = append(c.Evidence, e.Key)
	}
	for _, s := range a.SuppressionsChecked {
		name := s.Name
		if s.Applied {
			name += " (applied)"
		}
		c.Checks = append(c.Checks, name)
	}
	return c
}

func parseEvents(t *testing.T, data []byte) ([]*event.Event, mapLists) {
	t.Helper()
	lists := mapLists{}
	var events []*event.Event
	for i, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var c caseEvent
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&c); err != nil {
			t.Fatalf("events.jsonl:%d: %v", i+1, err)
		}
		e := &event.Event{
			Key: "ev-" + strconv.Itoa(i+1), Kind: event.KindSignIn, Time: c.T, Tenant: "contoso",
			Principal: c.P, PrincipalKind: event.PrincipalUser, Result: event.ResultSuccess,
			Interactive: !c.NonInt, AppName: c.App, UserAgent: c.UA, Operation: "sign-in",
			Origin: event.Origin{Source: "events.jsonl", Record: i + 1},
		}
		if c.Kind == "management" {
			e.Kind, e.Operation = event.KindManagement, "microsoft.compute/virtualmachines/write"
		}
		if c.Op != "" {
			e.Kind, e.Operation = event.KindManagement, strings.ToLower(c.Op)
		}
		e.AppID, e.Resource, e.Detail = c.AppID, strings.ToLower(c.Res), c.Detail
		e.Network = event.Network{ASN: c.ASN, Org: c.ASOrg, Class: c.ASClass}
		e.ResultCode = c.Code
		if c.Kind == "cloudtrail" {
			e.Kind, e.Operation = event.KindCloudTrail, c.Op
		}
		if c.Kind == "directory" {
			e.Kind, e.Operation, e.Resource = event.KindDirectory, c.Op, c.Res
		}
		switch c.PKind {
		case "service_principal":
			e.PrincipalKind = event.PrincipalServicePrincipal
		case "managed_identity":
			e.PrincipalKind = event.PrincipalManagedIdentity
		}
		switch c.Result {
		case "failure":
			e.Result = event.ResultFailure
		case "start":
			e.Result = event.ResultUnknown
		}
		if c.IP != "" {
			e.SourceIP = netip.MustParseAddr(c.IP)
		}
		e.Location = event.Location{Country: c.CC, City: c.City, Source: "record", RadiusKm: 25}
		if c.Source != "" {
			e.Location.Source = c.Source
		}
		if c.Radius != 0 {
			e.Location.RadiusKm = c.Radius
		}
		if c.Lat != nil && c.Lon != nil {
			e.Location.Lat, e.Location.Lon, e.Location.HasCoord = *c.Lat, *c.Lon, true
		}
		for _, tag := range c.Tags {
			cat, list, _ := strings.Cut(tag, ":")
			lists[e.SourceIP] = append(lists[e.SourceIP], detect.IPTag{Category: cat, List: list})
		}
		events = append(events, e)
	}
	return events, lists
}

func writeGolden(t *testing.T, file string, ar *txtar.Archive, got []caseAlert) {
	out, err := json.MarshalIndent(got, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, '\n')
	replaced := false
	for i := range ar.Files {
		if ar.Files[i].Name == "alerts.json" {
			ar.Files[i].Data, replaced = out, true
		}
	}
	if !replaced {
		ar.Files = append(ar.Files, txtar.File{Name: "alerts.json", Data: out})
	}
	if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
		t.Fatal(err)
	}
}
