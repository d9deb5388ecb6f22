package api_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/carepath/carepath/api"
	"github.com/carepath/carepath/console"
	"github.com/carepath/carepath/engine"
)

// TestConsoleMounted checks that the server's handler serves the browser
// console beside the API: page paths get the app shell under the console's
// CSP, assets their files, and everything else still reaches the API.
func TestConsoleMounted(t *testing.T) {
	h := api.New(&engine.Engine{}, api.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler()
	cases := []struct {
		path, wantType string
		want           int
		console        bool
	}{
		{"/console", "text/html; charset=utf-8", http.StatusOK, true},
		{"/console/tasks/123", "text/html; charset=utf-8", http.StatusOK, true},
		{"/console/assets/js/app.js", "text/javascript; charset=utf-8", http.StatusOK, true},
		{"/console/assets/js/missing.js", "", http.StatusNotFound, true},
		{"/consoles", "application/json", http.StatusNotFound, false},
		{"/v1/tasks", "application/json", http.StatusUnauthorized, false},
	}
	for _, c := range cases {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, c.path, nil))
		if w.Code != c.want {
			t.Errorf("%s: %d, want %d", c.path, w.Code, c.want)
		}
		if ct := w.Header().Get("Content-Type"); c.wantType != "" && !strings.HasPrefix(ct, c.wantType) {
			t.Errorf("%s: Content-Type %q, want %q", c.path, ct, c.wantType)
		}
		if got := w.Header().Get("Content-Security-Policy") == console.CSP; got != c.console {
			t.Errorf("%s: console CSP %v, want %v", c.path, got, c.console)
		}
	}
}
