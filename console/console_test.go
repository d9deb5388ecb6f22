package console

import (
	"io/fs"
	"net/http"
	"net/http/httptest"
	"path"
	"regexp"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, path string, hdr ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func checkSecurityHeaders(t *testing.T, path string, w *httptest.ResponseRecorder) {
	t.Helper()
	want := map[string]string{
		"Content-Security-Policy": CSP,
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
		"X-Frame-Options":         "DENY",
	}
	for k, v := range want {
		if got := w.Header().Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", path, k, got, v)
		}
	}
}

func TestIndexForPagePaths(t *testing.T) {
	h := Handler()
	for _, p := range []string{"/console", "/console/", "/console/signin", "/console/tasks",
		"/console/patients/0a1b/conversation", "/console/users?x=1"} {
		w := get(t, h, http.MethodGet, p)
		if w.Code != http.StatusOK {
			t.Fatalf("%s: %d", p, w.Code)
		}
		if ct := w.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", p, ct)
		}
		if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", p, cc)
		}
		if !strings.Contains(w.Body.String(), `<nav aria-label="Main"`) {
			t.Errorf("%s: not the app shell", p)
		}
		checkSecurityHeaders(t, p, w)
	}
}

func TestAssets(t *testing.T) {
	h := Handler()
	for path, ct := range map[string]string{
		"/console/assets/js/app.js":         "text/javascript; charset=utf-8",
		"/console/assets/js/pages/tasks.js": "text/javascript; charset=utf-8",
		"/console/assets/css/console.css":   "text/css; charset=utf-8",
	} {
		w := get(t, h, http.MethodGet, path)
		if w.Code != http.StatusOK || w.Body.Len() == 0 {
			t.Fatalf("%s: %d, %d bytes", path, w.Code, w.Body.Len())
		}
		if got := w.Header().Get("Content-Type"); got != ct {
			t.Errorf("%s: Content-Type %q, want %q", path, got, ct)
		}
		if cc := w.Header().Get("Cache-Control"); cc != assetMaxAge {
			t.Errorf("%s: Cache-Control %q", path, cc)
		}
		checkSecurityHeaders(t, path, w)
		etag := w.Header().Get("ETag")
		if etag == "" {
			t.Fatalf("%s: no ETag", path)
		}
		if w := get(t, h, http.MethodGet, path, "If-None-Match", etag); w.Code != http.StatusNotModified {
			t.Errorf("%s with its ETag: %d, want 304", path, w.Code)
		}
	}
	if w := get(t, h, http.MethodHead, "/console/assets/js/app.js"); w.Code != http.StatusOK || w.Body.Len() != 0 {
		t.Errorf("HEAD: %d with %d bytes", w.Code, w.Body.Len())
	}
}

func TestMissingAssetIs404(t *testing.T) {
	h := Handler()
	for _, p := range []string{"/console/assets/js/nope.js", "/console/assets/", "/console/assets/js",
		"/console/assets/../console.go", "/console/assets/js/../../console_test.go"} {
		w := get(t, h, http.MethodGet, p)
		if w.Code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, w.Code)
		}
		checkSecurityHeaders(t, p, w)
	}
}

func TestOnlyGetAndHead(t *testing.T) {
	w := get(t, Handler(), http.MethodPost, "/console/tasks")
	if w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("POST: %d", w.Code)
	}
	checkSecurityHeaders(t, "POST", w)
}

// cspChecks are what the CSP would block (and a reviewer should never
// see) in the console's files: inline scripts and styles, on* handlers,
// HTML built from strings, eval, and anything fetched off-site. bad is a
// sample each must catch (TestCSPChecksCatch).
var cspChecks = []struct {
	what string
	re   *regexp.Regexp
	in   string // the file extensions it applies to
	bad  string
}{
	{"style attribute", regexp.MustCompile(`(?i)<[a-z][^>]*\sstyle\s*=`), ".html", `<div class="x" style="color:red">`},
	{"on* attribute", regexp.MustCompile(`(?i)<[a-z][^>]*\son[a-z]+\s*=`), ".html", `<button type="button" onclick="x()">`},
	{"style element", regexp.MustCompile(`(?i)<style\b`), ".html", `<style>p{}</style>`},
	{"javascript: URL", regexp.MustCompile(`(?i)javascript:`), ".html .js", `<a href="javascript:x()">`},
	{"setAttribute('style')", regexp.MustCompile(`setAttribute\(\s*['"]style['"]`), ".js", `el.setAttribute('style', 'color:red')`},
	{"setAttribute('on…')", regexp.MustCompile(`(?i)setAttribute\(\s*['"]on[a-z]+['"]`), ".js", `el.setAttribute("onclick", "x()")`},
	{"on* property", regexp.MustCompile(`\.on[a-z]+\s*=[^=]`), ".js", `button.onclick = go;`},
	{"markup in a JS string", regexp.MustCompile(`(?i)['"\x60]\s*<[a-z]+[\s>]`), ".js", `const x = '<b>' + name;`},
	{"HTML from strings", regexp.MustCompile(`\b(inner|outer)HTML\b|insertAdjacentHTML|document\.write`), ".js", `el.innerHTML = text;`},
	{"eval", regexp.MustCompile(`\beval\(|new Function\(`), ".js", `eval(code)`},
	{"off-site URL", regexp.MustCompile(`(?i)(src|href|url)\s*[=(:]\s*["']?(https?:)?//`), ".html .js .css", `<script src="https://cdn.example/x.js">`},
	{"@import", regexp.MustCompile(`@import`), ".css", `@import "x.css";`},
}

var scriptTag = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)

// TestAssetsKeepCSP scans every embedded file with cspChecks, and every
// <script> in the HTML for a src and no body.
func TestAssetsKeepCSP(t *testing.T) {
	n := 0
	err := fs.WalkDir(assets, "assets", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(assets, p)
		if err != nil {
			return err
		}
		n++
		ext := path.Ext(p)
		body := string(b)
		if ext == ".js" || ext == ".css" {
			body = withoutCommentLines(body)
		}
		for _, c := range cspChecks {
			if !strings.Contains(c.in, ext) {
				continue
			}
			if loc := c.re.FindStringIndex(body); loc != nil {
				t.Errorf("%s: %s at %q", p, c.what, body[loc[0]:min(loc[1]+20, len(body))])
			}
		}
		if ext == ".html" {
			for _, m := range scriptTag.FindAllStringSubmatch(body, -1) {
				if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
					t.Errorf("%s: inline script %q", p, m[0])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 5 {
		t.Fatalf("scanned only %d files", n)
	}
}

// withoutCommentLines drops whole-line comments (which may name what they
// avoid, "never innerHTML"); code lines are scanned whole, trailing
// comments included, so nothing can hide behind a "//" in a URL.
func withoutCommentLines(src string) string {
	lines := strings.Split(src, "\n")
	out := lines[:0]
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "//") || strings.HasPrefix(t, "/*") || strings.HasPrefix(t, "*") {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// TestCSPChecksCatch keeps the scan honest: each check finds its sample,
// and an inline script is told from a module loaded by src.
func TestCSPChecksCatch(t *testing.T) {
	for _, c := range cspChecks {
		if !c.re.MatchString(c.bad) {
			t.Errorf("%s: misses %q", c.what, c.bad)
		}
	}
	m := scriptTag.FindStringSubmatch(`<script type="module">go()</script>`)
	if m == nil || strings.TrimSpace(m[2]) == "" {
		t.Error("inline script not found")
	}
}
