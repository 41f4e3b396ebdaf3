package console_test

// What an analyst does in the console, in a real browser, against the API.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// apiGet reads the API directly, as a second witness of what the page shows.
func (b *backend) apiGet(t *testing.T, path string, v any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", b.URL+"/api/v1/"+path, nil)
	req.Header.Set("Authorization", "Bearer "+b.Token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("GET %s: %s", path, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// apiPatch changes something through the API, as another analyst would.
func (b *backend) apiPatch(t *testing.T, path, body string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "PATCH", b.URL+"/api/v1/"+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+b.Tokens["analyst"])
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("PATCH %s: %s", path, res.Status)
	}
}

type alertView struct {
	ID        string `json:"id"`
	Detection string `json:"detection"`
	Principal string `json:"principal"`
	Tenant    string `json:"tenant"`
	Entities  []struct {
		Type, ID, Role string
		Location       *struct{ City, Country string }
	} `json:"entities"`
	Triage struct {
		Status, Classification, Assignee string
		Incident                         string `json:"incident_id"`
	} `json:"triage"`
	History []struct{ Field, Old, New, Actor string } `json:"history"`
}

// signIn opens the console, signs in with the token and waits for the alerts.
func (tb *tab) signIn(b *backend) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(b.URL+"/"), chromedp.WaitVisible(chromedp.ID("token")))
	tb.do(chromedp.SendKeys(chromedp.ID("token"), b.Token), chromedp.Click(chromedp.ID("signin")))
	tb.alertsLoaded()
}

// alertsLoaded waits until the alerts page has loaded the list its address names.
func (tb *tab) alertsLoaded() {
	tb.t.Helper()
	tb.waitFor(`location.hash.startsWith('#/alerts') && document.querySelector('#results')?.dataset.query === location.hash`)
}

func TestConsole(t *testing.T) {
	bctx := browser(t)
	b := startBackend(t)

	t.Run("sign in and filter alerts", func(t *testing.T) {
		tb := newTab(t, bctx, 1280, 800)
		tb.do(chromedp.Navigate(b.URL + "/"))
		tb.waitFor(`location.hash.startsWith('#/signin')`)
		tb.screenshot("signin")
		tb.signIn(b)
		var me struct{ Name, Role string }
		b.apiGet(t, "me", &me)
		if who := tb.text(".who"); !strings.Contains(who, me.Role) {
			t.Errorf("header shows %q, want the role %q", who, me.Role)
		}
		var all struct{ Total int }
		b.apiGet(t, "alerts/counts", &all)
		if got := tb.text("#total"); got != itoa(all.Total) {
			t.Errorf("total shown %q, API counts %d", got, all.Total)
		}
		tb.screenshot("alerts")

		// Filter on one detection through the form, as a user would.
		tb.do(chromedp.SetValue(chromedp.ID("detection"), "impossible-travel"),
			chromedp.Click(chromedp.ID("apply")))
		tb.waitFor(`location.hash.includes('detection=impossible-travel')`)
		tb.alertsLoaded()
		var want struct{ Total int }
		b.apiGet(t, "alerts/counts?detection=impossible-travel", &want)
		rows := eval[[]string](tb, `[...document.querySelectorAll('#results tr[data-alert]')].map(r => r.dataset.detection)`)
		if len(rows) != want.Total || want.Total == 0 {
			t.Fatalf("filtered rows %v, API counts %d impossible-travel alerts", rows, want.Total)
		}
		for _, d := range rows {
			if d != "impossible-travel" {
				t.Errorf("row of %s in a list filtered on impossible-travel", d)
			}
		}

		// Another analyst resolves one; Refresh shows it without reloading the page.
		id := eval[string](tb, `window.stillHere = true; document.querySelector('tr[data-alert]').dataset.alert`)
		b.apiPatch(t, "alerts/"+id, `{"status":"resolved"}`)
		tb.do(chromedp.Click(chromedp.ID("refresh")))
		tb.waitFor(`document.querySelector('tr[data-alert="` + id + `"] .badge.st-resolved')`)
		if !eval[bool](tb, `window.stillHere === true`) {
			t.Error("refreshing reloaded the page")
		}
	})

	t.Run("impossible travel map and triage", func(t *testing.T) {
		tb := newTab(t, bctx, 1280, 800)
		tb.signIn(b)
		tb.do(chromedp.Navigate(b.URL + "/#/alerts?detection=impossible-travel"))
		tb.alertsLoaded()
		id := eval[string](tb, `document.querySelector('tr[data-detection="impossible-travel"]').dataset.alert`)
		tb.do(chromedp.Click(chromedp.CSS(`tr[data-alert="` + id + `"] td:nth-child(3) a`)))
		tb.waitFor(`document.querySelector('svg.map g.place.previous') && document.querySelector('svg.map g.place.current')`)

		var a alertView
		b.apiGet(t, "alerts/"+id, &a)
		for _, role := range []string{"previous", "current"} {
			i := slices.IndexFunc(a.Entities, func(e struct {
				Type, ID, Role string
				Location       *struct{ City, Country string }
			}) bool {
				return e.Type == "ip" && e.Role == role
			})
			if i < 0 || a.Entities[i].Location == nil {
				t.Fatalf("alert %s has no located %s IP", id, role)
			}
			e := a.Entities[i]
			if got := tb.text("#place-" + role); !strings.Contains(got, e.Location.City) || !strings.Contains(got, e.ID) {
				t.Errorf("%s place shows %q, want %s (%s)", role, got, e.Location.City, e.ID)
			}
			label := eval[string](tb, `document.querySelector('svg.map g.place.`+role+` text').textContent`)
			if !strings.Contains(label, e.Location.City) {
				t.Errorf("map label of %s place %q, want %s", role, label, e.Location.City)
			}
		}
		if speed := tb.text("#travel-speed"); !strings.Contains(speed, "km/h") {
			t.Errorf("implied speed shows %q", speed)
		}
		// Beside the suppressions, the tenant's shared egress, as the API lists it.
		var eg struct {
			Egress []struct {
				Prefix     string
				Principals int
			}
		}
		b.apiGet(t, "tenants/"+url.PathEscape(a.Tenant)+"/egress", &eg)
		rows := eval[[]string](tb, `[...document.querySelectorAll('#shared-egress tbody tr')].map(r => r.cells[0].textContent + ' ' + r.cells[1].textContent)`)
		if len(eg.Egress) == 0 || len(rows) != len(eg.Egress) {
			t.Fatalf("shared egress table %v, API lists %+v", rows, eg.Egress)
		}
		for i, e := range eg.Egress {
			if n := strings.TrimSuffix(strings.TrimPrefix(rows[i], e.Prefix+" "), "+"); n != fmt.Sprint(min(e.Principals, 8)) {
				t.Errorf("shared egress row %d %q, API %s with %d principals", i, rows[i], e.Prefix, e.Principals)
			}
		}
		tb.screenshot("alert-impossible-travel")

		// Triage through the form, then read it back through the API.
		tb.do(chromedp.SetValue(chromedp.ID("status"), "active"),
			chromedp.SetValue(chromedp.ID("classification"), "true_positive"),
			chromedp.SetValue(chromedp.ID("assignee"), "soc-analyst"),
			chromedp.Click(chromedp.ID("save-triage")))
		tb.waitFor(`[...document.querySelectorAll('ol.history li')].some(li => li.textContent.includes('active'))`)
		b.apiGet(t, "alerts/"+id, &a)
		if a.Triage.Status != "active" || a.Triage.Classification != "true_positive" || a.Triage.Assignee != "soc-analyst" {
			t.Errorf("API triage after saving = %+v", a.Triage)
		}
		if !slices.ContainsFunc(a.History, func(h struct{ Field, Old, New, Actor string }) bool {
			return h.Field == "status" && h.New == "active"
		}) {
			t.Errorf("API history %+v has no status change to active", a.History)
		}
	})

	t.Run("incident", func(t *testing.T) {
		tb := newTab(t, bctx, 1280, 800)
		tb.signIn(b)
		tb.do(chromedp.Navigate(b.URL + "/#/incidents"))
		tb.waitFor(`document.querySelector('tr[data-incident] a')`)
		// The incident across the most detections makes the best picture.
		id := eval[string](tb, `[...document.querySelectorAll('tr[data-incident]')].sort((a, b) => b.cells[5].textContent.split(',').length - a.cells[5].textContent.split(',').length)[0].dataset.incident`)
		tb.do(chromedp.Click(chromedp.CSS(`tr[data-incident="` + id + `"] a`)))
		tb.waitFor(`document.querySelector('#incident-alerts li')`)
		var inc struct {
			AlertCount int `json:"alert_count"`
		}
		b.apiGet(t, "incidents/"+url.PathEscape(id), &inc)
		if n := eval[int](tb, `document.querySelectorAll('#incident-alerts li').length`); n != inc.AlertCount {
			t.Errorf("incident timeline shows %d alerts, API says %d", n, inc.AlertCount)
		}
		tb.screenshot("incident")
	})

	t.Run("disable a detection for one subscription", func(t *testing.T) {
		testDisableForSubscription(t, newTab(t, bctx, 1280, 800), b)
	})

	t.Run("network detection set per subscription", func(t *testing.T) {
		testNetworkOverride(t, newTab(t, bctx, 1280, 800), b)
	})

	t.Run("infrequent country against the organisation's", func(t *testing.T) {
		tb := newTab(t, bctx, 1280, 800)
		tb.signIn(b)
		tb.do(chromedp.Navigate(b.URL + "/#/alerts?detection=infrequent-country"))
		tb.alertsLoaded()
		tb.do(chromedp.Click(chromedp.CSS(`tr[data-detection="infrequent-country"] td:nth-child(3) a`)))
		tb.waitFor(`document.querySelector('figure.country-map svg.map')`)
		var a alertView
		b.apiGet(t, "alerts/"+strings.TrimPrefix(eval[string](tb, `location.hash`), "#/alerts/"), &a)
		var org struct{ Countries []struct{ Country string } }
		b.apiGet(t, "tenants/"+url.PathEscape(a.Tenant)+"/countries", &org)
		alerted := eval[[]string](tb, `[...document.querySelectorAll('svg.map path.alerted')].map(p => p.dataset.country)`)
		usual := eval[[]string](tb, `[...document.querySelectorAll('svg.map path.usual')].map(p => p.dataset.country)`)
		var loc string
		for _, e := range a.Entities {
			if e.Type == "location" {
				loc = e.ID
			}
		}
		if len(alerted) != 1 || alerted[0] != loc {
			t.Errorf("highlighted as the alert's country %v, want %s", alerted, loc)
		}
		drawn := eval[[]string](tb, `[...document.querySelectorAll('svg.map path[data-country]')].map(p => p.dataset.country)`)
		var want []string
		for _, c := range org.Countries {
			if c.Country != loc && slices.Contains(drawn, c.Country) {
				want = append(want, c.Country)
			}
		}
		slices.Sort(usual)
		slices.Sort(want)
		if len(want) < 2 || !slices.Equal(usual, want) {
			t.Errorf("organisation's countries on the map %v, API %v", usual, want)
		}
		if legend := tb.text("figure.country-map figcaption"); !strings.Contains(legend, "organisation's countries") {
			t.Errorf("legend %q", legend)
		}
		tb.screenshot("alert-infrequent-country")
	})

	t.Run("network alert against the host's usual level", func(t *testing.T) {
		testNetworkAlert(t, newTab(t, bctx, 1280, 800), b)
	})

	t.Run("principal page", func(t *testing.T) {
		tb := newTab(t, bctx, 1280, 800)
		tb.signIn(b)
		tb.do(chromedp.Click(chromedp.CSS(`tr[data-detection="impossible-travel"] td:nth-child(4) a`)))
		tb.waitFor(`location.hash.startsWith('#/principals/') && document.querySelector('svg.bars')`)
		parts := strings.Split(eval[string](tb, `location.hash`), "/")
		var p struct {
			Countries []struct{ Country string }
			IPs       []struct{ IP string }
		}
		b.apiGet(t, "principals/"+parts[2]+"/"+parts[3], &p)
		if len(p.Countries) == 0 || len(p.IPs) == 0 {
			t.Fatalf("API principal summary %+v", p)
		}
		for _, c := range p.Countries {
			if !eval[bool](tb, `!!document.querySelector('svg.map path.usual[data-country="`+c.Country+`"]') || !document.querySelector('svg.map path[data-country="`+c.Country+`"]')`) {
				t.Errorf("country %s of the principal is not highlighted on its map", c.Country)
			}
		}
		if n := eval[int](tb, `document.querySelectorAll('tr[data-alert]').length`); n == 0 {
			t.Error("the principal's page lists none of its alerts")
		}
	})

	t.Run("suppression rule simulated before saving", func(t *testing.T) {
		tb := newTab(t, bctx, 1280, 800)
		tb.signIn(b)
		tb.do(chromedp.Navigate(b.URL + "/#/rules"))
		tb.waitFor(`document.querySelector('#rule-simulate')`)
		if !eval[bool](tb, `document.querySelector('#rule-save').disabled`) {
			t.Fatal("saving is offered before simulating")
		}
		tb.do(chromedp.SendKeys(chromedp.ID("name"), "travel desk"),
			chromedp.SendKeys(chromedp.ID("reason"), "known travellers"),
			chromedp.SendKeys(chromedp.ID("m-detection"), "anonymous-ip"),
			chromedp.Click(chromedp.ID("rule-simulate")))
		tb.waitFor(`document.querySelector('#simulate-count')`)
		var counts struct{ Total int }
		b.apiGet(t, "alerts/counts?detection=anonymous-ip", &counts)
		if got := tb.text("#simulate-count strong"); got != itoa(counts.Total) || counts.Total == 0 {
			t.Errorf("simulation counts %s alerts, the API lists %d anonymous-ip alerts", got, counts.Total)
		}
		tb.do(chromedp.Click(chromedp.ID("rule-save")))
		tb.waitFor(`[...document.querySelectorAll('table.rules td')].some(td => td.textContent === 'travel desk')`)
		var rules []struct{ Name string }
		b.apiGet(t, "rules", &rules)
		if len(rules) != 1 || rules[0].Name != "travel desk" {
			t.Errorf("API rules after saving: %+v", rules)
		}
		tb.do(chromedp.Click(chromedp.CSS(`button[aria-label="Delete rule travel desk"]`)))
		tb.waitFor(`document.querySelector('.page p.empty') || !document.querySelector('table.rules')`)
	})

	testAccessibility(t, bctx, b)
	t.Run("the console watch catches errors", func(t *testing.T) { testWatchCatchesErrors(t, bctx) })

	t.Run("viewer is offered no changes", func(t *testing.T) {
		tb := newTab(t, bctx, 1280, 800)
		viewer := *b
		viewer.Token = b.Tokens["viewer"]
		tb.signIn(&viewer)
		if who := tb.text(".who"); !strings.Contains(who, "viewer") {
			t.Fatalf("header shows %q", who)
		}
		tb.do(chromedp.Click(chromedp.CSS(`tr[data-alert] td:nth-child(3) a`)))
		tb.waitFor(`document.querySelector('#triage-status')`)
		if eval[bool](tb, `!!document.querySelector('#save-triage, #add-comment')`) {
			t.Error("a viewer is offered triage")
		}
		tb.do(chromedp.Navigate(b.URL + "/#/settings"))
		tb.waitFor(`document.querySelector('table.settings tbody tr')`)
		if eval[bool](tb, `!!document.querySelector('#override-form') || [...document.querySelectorAll('table.settings input')].some(i => !i.disabled && i.type !== 'search')`) {
			t.Error("a viewer is offered settings changes")
		}
	})
}

// testDisableForSubscription switches persistence-technique off for one
// subscription in the settings page, then replays two copies of the record
// behind one of the sample's persistence-technique alerts (found by its
// evidence's source and record number), later and with new IDs: one in
// that subscription and one in another. Only the other raises an alert.
func testDisableForSubscription(t *testing.T, tb *tab, b *backend) {
	const (
		det   = "persistence-technique"
		other = "5e0c7a14-2b39-4c8e-9d61-7f3a2c1b0e95"
	)
	var page struct {
		Alerts []struct {
			Tenant, Subscription string
			Evidence             []struct {
				Source    string
				Record    int
				Operation string
			}
		}
	}
	b.apiGet(t, "alerts?detection="+det+"&sort=time", &page)
	if len(page.Alerts) == 0 || page.Alerts[0].Subscription == "" {
		t.Fatalf("the sample has no %s alert in a subscription", det)
	}
	a := page.Alerts[0]
	off, tenant := a.Subscription, a.Tenant
	replay := replayFile(t, a.Evidence[0].Source, a.Evidence[0].Record, off, other)

	tb.signIn(b)
	tb.do(chromedp.Navigate(b.URL + "/#/settings"))
	tb.waitFor(`document.querySelector('#override-form')`)
	tb.do(chromedp.SetValue(chromedp.ID("ov-tenant"), tenant),
		chromedp.SetValue(chromedp.ID("ov-subscription"), off),
		chromedp.SetValue(chromedp.ID("ov-detection"), det),
		chromedp.Click(chromedp.ID("ov-enabled")),
		chromedp.Click(chromedp.ID("ov-save")))
	row := `document.querySelector('tr[data-setting="` + tenant + "/" + off + "/" + det + `"]')`
	tb.waitFor(row)
	if eval[bool](tb, row+`.querySelector('input[type=checkbox]').checked`) {
		t.Error("the settings page shows the detection still enabled")
	}
	tb.screenshot("settings")
	var settings struct {
		Settings []struct {
			Tenant, Subscription, Detection string
			Enabled                         bool
			Source                          map[string]string
		}
	}
	b.apiGet(t, "settings", &settings)
	if !slices.ContainsFunc(settings.Settings, func(s struct {
		Tenant, Subscription, Detection string
		Enabled                         bool
		Source                          map[string]string
	}) bool {
		return s.Tenant == tenant && s.Subscription == off && s.Detection == det && !s.Enabled && s.Source["enabled"] == "api"
	}) {
		t.Fatalf("API settings have no disabled %s for %s/%s from the API: %+v", det, tenant, off, settings.Settings)
	}
	// detect's output also carries the store's outbox since its last run
	// (the triage changes made by the subtests before this one); what
	// matters here is what the replayed records raised.
	var subs []string
	raised := b.replay(t, replay)
	for _, a := range raised {
		if a.Detection == det || a.Subscription == off || a.Subscription == other {
			subs = append(subs, a.Detection+" in "+a.Subscription)
		}
	}
	if !slices.Equal(subs, []string{det + " in " + other}) {
		t.Errorf("replay raised %v, want only %s in %s", subs, det, other)
		for _, a := range raised {
			t.Logf("%s %s %s: %s", a.Detection, a.Principal, a.Time, a.Description)
		}
	}
}

// replayFile writes two copies of line record of source, a day after the
// file's last event and with new correlation IDs: the first in subscription
// sub, the second moved to other.
func replayFile(t *testing.T, source string, record int, sub, other string) string {
	t.Helper()
	if !filepath.IsAbs(source) && !strings.HasPrefix(source, "../") {
		source = filepath.Join("..", "..", source) // evidence names files as detect was given them
	}
	data, err := os.ReadFile(source)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if record < 1 || record > len(lines) {
		t.Fatalf("%s has no record %d", source, record)
	}
	var last struct{ Time time.Time }
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
		t.Fatal(err)
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[record-1]), &rec); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for i, s := range []string{sub, other} {
		rec["time"] = last.Time.Add(24*time.Hour + time.Duration(i)*time.Minute).Format(time.RFC3339Nano)
		rec["correlationId"] = fmt.Sprintf("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f%d", i)
		line, _ := json.Marshal(rec)
		for _, c := range []func(string) string{strings.ToLower, strings.ToUpper} {
			line = bytes.ReplaceAll(line, []byte(c(sub)), []byte(c(s)))
		}
		out.Write(append(line, '\n'))
	}
	p := filepath.Join(t.TempDir(), "replay.jsonl")
	if err := os.WriteFile(p, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// testNetworkOverride: choosing a network detection in the settings form
// sets the tenant to "*" (network settings are per subscription), and the
// override the page saves is what the API then reports, from the API.
func testNetworkOverride(t *testing.T, tb *tab, b *backend) {
	const (
		sub = "net-sub-1"
		det = "ssh-incoming-many-to-one"
	)
	tb.signIn(b)
	tb.do(chromedp.Navigate(b.URL + "/#/settings"))
	tb.waitFor(`document.querySelector('#override-form')`)
	tb.do(chromedp.SetValue(chromedp.ID("ov-detection"), det))
	if !eval[bool](tb, `(() => { const d = document.querySelector('#ov-detection'); d.dispatchEvent(new Event('change')); const t = document.querySelector('#ov-tenant'); return t.value === '*' && t.readOnly; })()`) {
		t.Fatal("choosing a network detection did not set the tenant to *")
	}
	tb.do(chromedp.SetValue(chromedp.ID("ov-subscription"), sub),
		chromedp.Click(chromedp.ID("ov-enabled")),
		chromedp.Click(chromedp.ID("ov-save")))
	tb.waitFor(`document.querySelector('tr[data-setting="*/` + sub + "/" + det + `"]')`)
	var settings struct {
		Settings []struct {
			Tenant, Subscription, Detection string
			Enabled                         bool
			Source                          map[string]string
		}
	}
	b.apiGet(t, "settings", &settings)
	found := false
	for _, s := range settings.Settings {
		if s.Tenant == "*" && s.Subscription == sub && s.Detection == det {
			found = !s.Enabled && s.Source["enabled"] == "api"
		}
	}
	if !found {
		t.Errorf("API settings have no disabled %s for */%s from the API", det, sub)
	}
}
