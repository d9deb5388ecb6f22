package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHealthcheckCommand(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/healthz" {
			_, _ = w.Write([]byte(`{"status":"ok"}`)) // the test reads it back
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte(`{"status":"unavailable","checks":{"temporal":"unavailable"}}`))
	}))
	defer srv.Close()
	// A setting the probed process would reject must not fail the probe.
	badEnv := func(k string) string {
		if k == "CAREPATH_HTTP_ADDR" {
			return "not an address"
		}
		return ""
	}
	healthcheck := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(context.Background(), append([]string{"healthcheck"}, args...), badEnv, &out, &out)
		return out.String(), err
	}

	out, err := healthcheck(srv.URL + "/healthz")
	if err != nil || !strings.Contains(out, "200 OK") {
		t.Fatalf("healthy: %q %v", out, err)
	}
	if _, err := healthcheck(srv.URL + "/down"); err == nil || !strings.Contains(err.Error(), "503") ||
		!strings.Contains(err.Error(), `"temporal":"unavailable"`) {
		t.Fatalf("503 must fail naming what is down: %v", err)
	}
	// Nothing listening: fails (the server is closed below first).
	closed := httptest.NewServer(http.NotFoundHandler())
	addr := closed.URL
	closed.Close()
	if _, err := healthcheck(addr + "/healthz"); err == nil {
		t.Fatal("a closed port must fail")
	}
	for _, bad := range [][]string{nil, {"127.0.0.1:8080/healthz"}, {"ftp://x/healthz"}, {srv.URL, "extra"}} {
		if _, err := healthcheck(bad...); err == nil {
			t.Fatalf("%q must be refused", bad)
		}
	}
}
