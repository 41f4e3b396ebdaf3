package console_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// testNetworkAlert opens an incoming SSH brute-force alert of the demo's
// generated flow logs: the host's attempts are drawn against its usual
// level and the threshold, and the top peers are the alert's evidence.
func testNetworkAlert(t *testing.T, tb *tab, b *backend) {
	const det = "ssh-incoming-many-to-one"
	var page struct {
		Alerts []struct {
			ID       string
			Evidence []struct{ IP string }
			Entities []struct{ Type, ID string }
		}
	}
	b.apiGet(t, "alerts?detection="+det+"&limit=1", &page)
	if len(page.Alerts) == 0 {
		t.Fatalf("the demo has no %s alert", det)
	}
	a := page.Alerts[0]
	var host string
	for _, e := range a.Entities {
		if e.Type == "host" {
			host = e.ID
		}
	}
	var sum struct {
		UsualHourly map[string]struct {
			AttemptsMean float64 `json:"attempts_mean"`
		} `json:"usual_hourly"`
	}
	b.apiGet(t, "hosts/"+url.PathEscape(host), &sum)
	if _, ok := sum.UsualHourly["ssh_in"]; !ok {
		t.Fatalf("host %s has no usual ssh_in level: %+v", host, sum)
	}

	tb.signIn(b)
	tb.do(chromedp.Navigate(b.URL + "/#/alerts/" + a.ID))
	tb.waitFor(`document.querySelector('svg.bars .bar.current')`)
	for _, ref := range []string{"usual", "threshold"} {
		if !eval[bool](tb, `!!document.querySelector('svg.bars .ref.`+ref+`')`) {
			t.Errorf("no %s line on the host's chart", ref)
		}
	}
	peers := eval[[]string](tb, `[...document.querySelectorAll('table.peers tbody tr td:first-child')].map(td => td.textContent)`)
	if len(peers) != len(a.Evidence) || len(peers) == 0 {
		t.Errorf("top peers %v, evidence %+v", peers, a.Evidence)
	}
	for i, p := range peers {
		if i < len(a.Evidence) && p != a.Evidence[i].IP {
			t.Errorf("peer %d is %s, evidence says %s", i, p, a.Evidence[i].IP)
		}
	}
	tb.screenshot("alert-network")

	tb.do(chromedp.Click(chromedp.CSS(`a[href="#/hosts/` + url.PathEscape(host) + `"]`)))
	// The alert page's own tables stay until the host page replaces them:
	// wait for the host page's heading, then for its table.
	tb.waitFor(`location.hash.startsWith('#/hosts/') && document.querySelector('main p.crumbs')?.textContent === 'Host' && document.querySelector('main table')`)
	if levels := eval[string](tb, `document.querySelector('main').textContent`); !strings.Contains(levels, "ssh_in") {
		t.Error("the host page shows no ssh_in level")
	}
}
