package codec_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"

	"github.com/carepath/carepath/codec"
)

func TestCodecServer(t *testing.T) {
	k, _ := keyring(t, "k1")
	c := codec.New(k)
	var recorded []string
	srv := httptest.NewServer(codec.Handler(c, "https://ui.example.org", func(r *http.Request) (codec.Caller, bool) {
		switch r.Header.Get("Authorization") {
		case "Bearer good":
			return codec.Caller{Actor: "api_key:good", Allowed: true}, true
		case "Bearer viewer":
			return codec.Caller{Actor: "api_key:viewer"}, true
		}
		return codec.Caller{}, false
	}, func(_ *http.Request, c codec.Caller, op string) error {
		recorded = append(recorded, fmt.Sprintf("%s %s %v", c.Actor, op, c.Allowed))
		return nil
	}))
	defer srv.Close()

	enc, err := c.Encode([]*commonpb.Payload{{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"Canary"`)}})
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(map[string]any{"payloads": []map[string]any{{"metadata": enc[0].Metadata, "data": enc[0].Data}}})
	if err != nil {
		t.Fatal(err)
	}

	// post answers the response with its body read and closed.
	post := func(path, origin, auth string) (*http.Response, []byte) {
		req, err := http.NewRequest(http.MethodPost, srv.URL+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		if err = errors.Join(err, resp.Body.Close()); err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	if r, _ := post("/decode", "", ""); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no key: %d", r.StatusCode)
	}
	if r, _ := post("/decode", "", "Bearer bad"); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("bad key: %d", r.StatusCode)
	}
	if r, _ := post("/decode", "https://evil.example.com", "Bearer good"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign origin: %d", r.StatusCode)
	}
	if r, _ := post("/decode", "", "Bearer viewer"); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a role that may not decode: %d", r.StatusCode)
	}
	if r, _ := post("/other", "", "Bearer good"); r.StatusCode != http.StatusNotFound {
		t.Fatalf("another path: %d", r.StatusCode)
	}
	if want := "api_key:viewer decode false"; strings.Join(recorded, ",") != want {
		t.Fatalf("recorded %q, want %q (only known callers, before anything is decoded)", recorded, want)
	}
	r, b := post("/decode", "https://ui.example.org", "Bearer good")
	if r.StatusCode != http.StatusOK || r.Header.Get("Access-Control-Allow-Origin") != "https://ui.example.org" {
		t.Fatalf("decode: %d %v", r.StatusCode, r.Header)
	}
	var out struct {
		Payloads []struct{ Data []byte } `json:"payloads"`
	}
	if err := json.Unmarshal(b, &out); err != nil || len(out.Payloads) != 1 || string(out.Payloads[0].Data) != `"Canary"` {
		t.Fatalf("decoded %+v %v", out, err)
	}
	pre, err := http.NewRequest(http.MethodOptions, srv.URL+"/decode", nil)
	if err != nil {
		t.Fatal(err)
	}
	pre.Header.Set("Origin", "https://ui.example.org")
	resp, err := http.DefaultClient.Do(pre)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusNoContent || resp.Header.Get("Access-Control-Allow-Headers") == "" {
		t.Fatalf("preflight: %d %v", resp.StatusCode, resp.Header)
	}
	if want := "api_key:viewer decode false,api_key:good decode true"; strings.Join(recorded, ",") != want {
		t.Fatalf("recorded %q, want %q", recorded, want)
	}
}

// A decode that cannot be recorded does not happen.
func TestCodecServerRefusesWhatItCannotRecord(t *testing.T) {
	k, _ := keyring(t, "k1")
	srv := httptest.NewServer(codec.Handler(codec.New(k), "https://ui.example.org", func(*http.Request) (codec.Caller, bool) {
		return codec.Caller{Actor: "api_key:good", Allowed: true}, true
	}, func(*http.Request, codec.Caller, string) error { return errors.New("audit down") }))
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/decode", "application/json", strings.NewReader(`{"payloads":[]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("decode with the audit trail down: %d, want 503", resp.StatusCode)
	}
}
