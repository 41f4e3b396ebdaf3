package console_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/vedette/vedette/internal/console"
)

func get(t *testing.T, h http.Handler, path string, hdr map[string]string) *http.Response {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	r := io.Reader(res.Body)
	if res.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		r = gz
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestServesPageAndAssets(t *testing.T) {
	t.Parallel()
	h := console.Handler()
	cases := []struct {
		path, ctype, contains string
		status                int
	}{
		{"/", "text/html; charset=utf-8", `<script type="module" src="assets/js/app.js">`, 200},
		{"/assets/js/app.js", "text/javascript; charset=utf-8", "hashchange", 200},
		{"/assets/css/console.css", "text/css; charset=utf-8", "--focus", 200},
		{"/assets/world/countries-110m.json", "application/json", `"Topology"`, 200},
		{"/assets/favicon.svg", "image/svg+xml", "<svg", 200},
		{"/assets/js/missing.js", "", "", 404},
		{"/etc/passwd", "", "", 404},
		{"/assets/../console.go", "", "", 404},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			res := get(t, h, c.path, map[string]string{"Accept-Encoding": "gzip"})
			if res.StatusCode != c.status {
				t.Fatalf("status %d, want %d", res.StatusCode, c.status)
			}
			if c.status != 200 {
				return
			}
			if got := res.Header.Get("Content-Type"); got != c.ctype {
				t.Errorf("Content-Type %q, want %q", got, c.ctype)
			}
			if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
			if b := body(t, res); !strings.Contains(b, c.contains) {
				t.Errorf("body does not contain %q", c.contains)
			}
		})
	}
}

func TestRevalidatesWithETag(t *testing.T) {
	t.Parallel()
	h := console.Handler()
	first := get(t, h, "/assets/world/countries-110m.json", nil)
	etag := first.Header.Get("ETag")
	if etag == "" || first.Header.Get("Content-Encoding") != "" {
		t.Fatalf("ETag %q, Content-Encoding %q without Accept-Encoding", etag, first.Header.Get("Content-Encoding"))
	}
	plain := len(body(t, first))
	gz := get(t, h, "/assets/world/countries-110m.json", map[string]string{"Accept-Encoding": "br, gzip"})
	if gz.Header.Get("Content-Encoding") != "gzip" || gz.ContentLength*2 > int64(plain) {
		t.Errorf("gzip: encoding %q, %d bytes of %d", gz.Header.Get("Content-Encoding"), gz.ContentLength, plain)
	}
	again := get(t, h, "/assets/world/countries-110m.json", map[string]string{"If-None-Match": etag})
	if again.StatusCode != http.StatusNotModified {
		t.Errorf("revalidation status %d, want 304", again.StatusCode)
	}
	post := httptest.NewRecorder()
	h.ServeHTTP(post, httptest.NewRequest("POST", "/", nil))
	if post.Code != http.StatusMethodNotAllowed {
		t.Errorf("POST / status %d, want 405", post.Code)
	}
}

// Every module a page imports, statically or dynamically, and every asset
// a page names must be embedded: a typo would otherwise only show in a
// browser, on the page that loads it.
func TestModulesResolve(t *testing.T) {
	t.Parallel()
	h := console.Handler()
	importRe := regexp.MustCompile(`(?:from|import\()\s*['"` + "`" + `](\.{1,2}/[^'"` + "`" + `$]+)['"` + "`" + `]`)
	pages := regexp.MustCompile(`import\(` + "`" + `\./pages/\$\{route\.page\}\.js` + "`" + `\)`)
	routePages := regexp.MustCompile(`page: '([a-z]+)'`)
	seen := map[string]bool{}
	queue := []string{"/assets/js/app.js"}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		res := get(t, h, p, nil)
		if res.StatusCode != 200 {
			t.Errorf("%s: status %d", p, res.StatusCode)
			continue
		}
		src := body(t, res)
		dir := p[:strings.LastIndex(p, "/")+1]
		for _, m := range importRe.FindAllStringSubmatch(src, -1) {
			queue = append(queue, resolve(dir, m[1]))
		}
		if pages.MatchString(src) {
			for _, m := range routePages.FindAllStringSubmatch(src, -1) {
				queue = append(queue, dir+"pages/"+m[1]+".js")
			}
		}
		for _, m := range regexp.MustCompile(`'(assets/[^']+)'`).FindAllStringSubmatch(src, -1) {
			queue = append(queue, "/"+m[1])
		}
	}
	if len(seen) < 15 {
		t.Errorf("followed only %d modules: %v", len(seen), seen)
	}
}

func resolve(dir, rel string) string {
	parts := strings.Split(strings.TrimSuffix(dir, "/"), "/")
	for _, s := range strings.Split(rel, "/") {
		switch s {
		case ".":
		case "..":
			parts = parts[:len(parts)-1]
		default:
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "/")
}
