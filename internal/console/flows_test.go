package console_test

// What an analyst does in the console, in a real browser, against the API.

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

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

type alertView struct {
	ID        string `json:"id"`
	Detection string `json:"detection"`
	Principal string `json:"principal"`
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
	tb.waitFor(`document.querySelector('#results table.alerts tbody tr')`)
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
		tb.waitFor(`location.hash.includes('detection=impossible-travel') && document.querySelector('#results').dataset.query === location.hash`)
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
	})

	t.Run("impossible travel map and triage", func(t *testing.T) {
		tb := newTab(t, bctx, 1280, 800)
		tb.signIn(b)
		tb.do(chromedp.Navigate(b.URL + "/#/alerts?detection=impossible-travel"))
		tb.waitFor(`document.querySelector('tr[data-detection="impossible-travel"] a')`)
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
		id := eval[string](tb, `document.querySelector('tr[data-incident]').dataset.incident`)
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
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
