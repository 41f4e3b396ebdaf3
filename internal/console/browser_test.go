package console_test

// The harness of the browser tests: a real headless Chromium driven with
// chromedp, one tab per test, every console message, uncaught exception
// and failed load recorded so that a test fails on any of them.

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/vedette/vedette/internal/console"
)

var updateScreenshots = flag.Bool("update-screenshots", false, "rewrite docs/screenshots from the browser tests")

// chromium finds the browser, or skips the test: locally a missing browser
// skips, in CI (CI=true) it fails.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed (.ci/run installs Debian's chromium)")
	}
	t.Skip("chromium not installed; the browser tests need it (apt-get install chromium)")
	return ""
}

// browser starts one headless Chromium for a test and its subtests.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("lang", "en-GB"),
	)
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses its sandbox as root (CI containers)
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	if err := chromedp.Do(bctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return bctx
}

// tab is one browser tab with its console watched.
type tab struct {
	t   *testing.T
	ctx context.Context
	mu  sync.Mutex
	bad []string
}

// newTab opens a tab of width×height CSS pixels. At the end of the test
// the tab must have logged no error, warning or exception.
func newTab(t *testing.T, bctx context.Context, width, height int64) *tab {
	t.Helper()
	tb := &tab{t: t}
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithListener(tb.listen))
	ctx, tcancel := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, msg := range tb.bad {
			t.Errorf("browser console: %s", msg)
		}
		tcancel()
		cancel()
	})
	tb.ctx = ctx
	tb.do(chromedp.EmulateViewport(width, height))
	return tb
}

func (tb *tab) listen(ev any) {
	var msg string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeWarning || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			msg = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		msg = "exception: " + ev.ExceptionDetails.Text
		if ev.ExceptionDetails.Exception != nil {
			msg += " " + ev.ExceptionDetails.Exception.Description
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level == log.EntryLevelError || ev.Entry.Level == log.EntryLevelWarning {
			msg = fmt.Sprintf("log %s (%s): %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
		}
	}
	if msg != "" {
		tb.mu.Lock()
		tb.bad = append(tb.bad, msg)
		tb.mu.Unlock()
	}
}

// do runs actions, failing the test on error.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.t.Fatalf("browser: %v", err)
	}
}

// text returns the visible text of the first element matching css.
func (tb *tab) text(css string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(css), chromedp.NodeVisible))
	if err != nil {
		tb.t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

// eval evaluates a JavaScript expression and decodes its JSON value into T.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	raw, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[]byte](expr))
	if err != nil {
		tb.t.Fatalf("evaluate %s: %v", expr, err)
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		tb.t.Fatalf("evaluate %s: %v (%s)", expr, err, raw)
	}
	return v
}

// waitFor polls a JavaScript condition until it is true.
func (tb *tab) waitFor(cond string) {
	tb.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if eval[bool](tb, "!!("+cond+")") {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.t.Fatalf("timed out waiting for %s", cond)
}

// screenshot writes docs/screenshots/name.png when -update-screenshots is set.
func (tb *tab) screenshot(name string) {
	tb.t.Helper()
	if !*updateScreenshots {
		return
	}
	buf, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	p := filepath.Join("..", "..", "docs", "screenshots", name+".png")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		tb.t.Fatal(err)
	}
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}

// testWatchCatchesErrors: the watch on the console must catch what it
// claims to: a console.error, an uncaught exception and a failed request
// all show up. (A subtest of TestConsole, on its browser.)
func testWatchCatchesErrors(t *testing.T, bctx context.Context) {
	srv := httptest.NewServer(console.Handler())
	defer srv.Close()
	tb := &tab{t: t}
	ctx, cancel := chromedp.NewContext(bctx, chromedp.WithListener(tb.listen))
	defer cancel()
	tb.ctx = ctx
	tb.do(chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.ID("token")))
	tb.do(chromedp.Evaluate[chromedp.Void](`console.error('boom'); setTimeout(() => { throw new Error('bang'); }); fetch('/nothing-here')`))
	deadline := time.Now().Add(10 * time.Second)
	for {
		tb.mu.Lock()
		got := strings.Join(tb.bad, "\n")
		tb.mu.Unlock()
		if strings.Contains(got, "boom") && strings.Contains(got, "bang") && strings.Contains(got, "404") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("recorded only:\n%s", got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
