package console_test

// Accessibility in the browser: the keyboard reaches and opens an alert,
// text keeps WCAG AA contrast, and phone width needs no sideways scrolling.

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// contrastJS returns, for every visible element that holds text, the
// WCAG contrast ratio of its colour against the first opaque background
// behind it, with a short description; the worst ten come back.
const contrastJS = `(() => {
  const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const bg = (el) => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor); if (c.length === 3 || c[3] > 0.9) return c.slice(0, 3); } return [255, 255, 255]; };
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('svg') || !el.offsetParent && el.tagName !== 'BODY') continue;
    const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent.trim()).join('');
    if (!text) continue;
    const st = getComputedStyle(el);
    if (st.visibility === 'hidden' || +st.opacity === 0) continue;
    const a = lum(rgb(st.color)), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    out.push({ratio: Math.round(ratio * 100) / 100, what: el.tagName.toLowerCase() + '.' + el.className + ': ' + text.slice(0, 30)});
  }
  return out.sort((x, y) => x.ratio - y.ratio).slice(0, 10);
})()`

type contrast struct {
	Ratio float64
	What  string
}

// testAccessibility runs as subtests of TestConsole, on its browser and demo.
func testAccessibility(t *testing.T, bctx context.Context, b *backend) {
	t.Run("keyboard opens an alert", func(t *testing.T) {
		tb := newTab(t, bctx, 1280, 800)
		tb.signIn(b)
		tb.do(chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
		for i := 0; i < 80 && !eval[bool](tb, `!!document.activeElement.closest('tr[data-alert]')`); i++ {
			tb.do(chromedp.KeyEvent("\t"))
		}
		id := eval[string](tb, `document.activeElement.closest('tr[data-alert]')?.dataset.alert || ''`)
		if id == "" {
			t.Fatal("80 Tab presses never reached an alert in the list")
		}
		if outline := eval[string](tb, `getComputedStyle(document.activeElement).outlineStyle`); outline == "none" {
			t.Error("the focused link shows no outline")
		}
		tb.do(chromedp.KeyEvent("\r"))
		tb.waitFor(`location.hash === '#/alerts/` + id + `' && document.querySelector('h1')`)
	})

	pages := []string{"/#/alerts", "/#/incidents", "/#/settings", "/#/rules"}
	t.Run("contrast", func(t *testing.T) {
		tb := newTab(t, bctx, 1280, 800)
		tb.signIn(b)
		first := eval[string](tb, `document.querySelector('tr[data-alert]').dataset.alert`)
		for _, p := range append(pages, "/#/alerts/"+first) {
			tb.do(chromedp.Navigate(b.URL + p))
			tb.waitFor(`!document.querySelector('main').hasAttribute('aria-busy') && document.querySelector('main h1')`)
			worst := eval[[]contrast](tb, contrastJS)
			if len(worst) == 0 {
				t.Fatalf("%s: no text found", p)
			}
			for _, c := range worst {
				if c.Ratio < 4.5 {
					t.Errorf("%s: contrast %.2f < 4.5 for %s", p, c.Ratio, c.What)
				}
			}
		}
	})

	t.Run("phone width", func(t *testing.T) {
		tb := newTab(t, bctx, 390, 844)
		tb.signIn(b)
		tb.screenshot("alerts-phone")
		first := eval[string](tb, `document.querySelector('tr[data-alert]').dataset.alert`)
		for _, p := range append(pages, "/#/alerts/"+first) {
			tb.do(chromedp.Navigate(b.URL + p))
			tb.waitFor(`!document.querySelector('main').hasAttribute('aria-busy') && document.querySelector('main h1')`)
			if w := eval[[]int](tb, `[document.documentElement.scrollWidth, innerWidth]`); w[0] > w[1] {
				wide := eval[[]string](tb, `[...document.querySelectorAll('body *')].filter(e => !(e.parentElement && e.parentElement.closest('.table-wrap')) && e.getBoundingClientRect().right > innerWidth + 1).slice(-3).map(e => e.tagName + '.' + e.className + '#' + e.id)`)
				t.Errorf("%s: page is %d px wide in a %d px window (%v)", p, w[0], w[1], wide)
			}
			if nav := tb.text("#nav"); !strings.Contains(nav, "Alerts") {
				t.Errorf("%s: navigation not visible at phone width: %q", p, nav)
			}
		}
	})
}
