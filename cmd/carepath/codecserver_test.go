package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/api"
	"github.com/carepath/carepath/codec"
	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// TestCodecServerForTheTemporalUI drives the codec server the way the
// Temporal UI does in a browser (a CORS preflight, then a POST with the
// UI's origin, X-Namespace and, with TEMPORAL_CODEC_INCLUDE_CREDENTIALS, the
// cookies of the console's sign-in) and the way the CLI does (an API key).
func TestCodecServerForTheTemporalUI(t *testing.T) {
	if testing.Short() {
		t.Skip("needs PostgreSQL")
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := store.Open(ctx, testenv.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	line, err := codec.NewKeyLine("k1")
	if err != nil {
		t.Fatal(err)
	}
	keys, err := codec.ParseKeys(line)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)

	// People and keys of each role.
	e := &engine.Engine{Store: st, Log: log}
	system := carepath.Actor{Kind: carepath.ActorSystem, ID: "test"}
	for _, u := range []engine.NewUser{
		{Email: "nurse@example.org", Name: "Nurse", Role: carepath.RoleCareTeam, Password: "nurse-password-1"},
		{Email: "viewer@example.org", Name: "Viewer", Role: carepath.RoleReadOnly, Password: "viewer-password-1"},
	} {
		if _, err := e.CreateUser(ctx, system, u); err != nil {
			t.Fatal(err)
		}
	}
	const careKey, integrationKey = "care-team-key-0123456789abcdef", "integration-key-0123456789abcdef"
	if _, err := st.APIKeyInsert(ctx, "care", carepath.RoleCareTeam, careKey); err != nil {
		t.Fatal(err)
	}
	if _, err := st.APIKeyInsert(ctx, "ehr", carepath.RoleIntegration, integrationKey); err != nil {
		t.Fatal(err)
	}
	// Sign in through the real API, so the cookie is the console's.
	apiSrv := httptest.NewServer(api.New(e, api.Config{PublicURL: "http://localhost:8080"}, log).Handler())
	defer apiSrv.Close()
	signIn := func(email, password string) *http.Cookie {
		t.Helper()
		body, _ := json.Marshal(map[string]string{"email": email, "password": password}) // strings always marshal
		resp, err := http.Post(apiSrv.URL+"/v1/sessions", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := resp.Body.Close(); err != nil {
			t.Fatal(err)
		}
		for _, ck := range resp.Cookies() {
			if ck.Name == consoleSessionCookie && ck.Value != "" {
				return ck
			}
		}
		t.Fatalf("sign-in %s: %s, no %s cookie in %v", email, resp.Status, consoleSessionCookie, resp.Header["Set-Cookie"])
		return nil
	}
	nurse, viewer := signIn("nurse@example.org", "nurse-password-1"), signIn("viewer@example.org", "viewer-password-1")

	const ui = "http://localhost:8233"
	cfg := &config.Config{CodecAddr: "127.0.0.1:0", CodecCORSOrigin: ui}
	addrc, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- serveCodec(ctx, cfg, keys, st, log, func(a string) { addrc <- a }) }()
	var base string
	select {
	case a := <-addrc:
		base = "http://" + a
	case err := <-done:
		t.Fatalf("codec server: %v", err)
	}
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("codec server: %v", err)
		}
	}()

	enc, err := codec.New(keys).Encode([]*commonpb.Payload{{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(`"Canary"`)}})
	if err != nil {
		t.Fatal(err)
	}
	payloads, err := json.Marshal(map[string]any{"payloads": []map[string]any{{"metadata": enc[0].Metadata, "data": enc[0].Data}}})
	if err != nil {
		t.Fatal(err)
	}
	do := func(method, path string, header map[string]string, ck *http.Cookie) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, base+path, bytes.NewReader(payloads))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		if ck != nil {
			req.AddCookie(ck)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		if err = errors.Join(err, resp.Body.Close()); err != nil {
			t.Fatal(err)
		}
		return resp, string(b)
	}
	fromUI := map[string]string{"Origin": ui, "Content-Type": "application/json", "X-Namespace": "default"}

	// The browser's preflight: no credentials, the UI's origin and headers.
	r, _ := do(http.MethodOptions, "/decode", map[string]string{"Origin": ui, "Access-Control-Request-Method": "POST",
		"Access-Control-Request-Headers": "content-type,x-namespace"}, nil)
	h := r.Header
	if r.StatusCode != http.StatusNoContent || h.Get("Access-Control-Allow-Origin") != ui || h.Get("Access-Control-Allow-Credentials") != "true" ||
		!strings.Contains(h.Get("Access-Control-Allow-Headers"), "X-Namespace") || !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
		t.Fatalf("preflight: %d %v", r.StatusCode, h)
	}
	if r, _ := do(http.MethodOptions, "/decode", map[string]string{"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"}, nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("preflight from another origin: %d", r.StatusCode)
	}

	// The UI with a care-team person's session decodes.
	r, body := do(http.MethodPost, "/decode", fromUI, nurse)
	var out struct {
		Payloads []struct{ Data []byte } `json:"payloads"`
	}
	if r.StatusCode != http.StatusOK || r.Header.Get("Access-Control-Allow-Origin") != ui {
		t.Fatalf("UI decode with a session: %d %s", r.StatusCode, body)
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || len(out.Payloads) != 1 || string(out.Payloads[0].Data) != `"Canary"` {
		t.Fatalf("UI decode: %s %v", body, err)
	}
	// Refused: a read-only person, no origin (not the UI: a page cannot
	// use the cookie), another origin, a made-up session, nothing at all.
	for name, c := range map[string]struct {
		header map[string]string
		ck     *http.Cookie
		want   int
	}{
		"read-only person":  {fromUI, viewer, http.StatusUnauthorized},
		"cookie, no origin": {map[string]string{"Content-Type": "application/json"}, nurse, http.StatusUnauthorized},
		"cookie, other origin": {map[string]string{"Origin": "http://evil.example", "Content-Type": "application/json"},
			nurse, http.StatusForbidden},
		"made-up session": {fromUI, &http.Cookie{Name: consoleSessionCookie, Value: "nope"}, http.StatusUnauthorized},
		"nothing":         {fromUI, nil, http.StatusUnauthorized},
		"integration key": {map[string]string{"Authorization": "Bearer " + integrationKey}, nil, http.StatusUnauthorized},
	} {
		if r, body := do(http.MethodPost, "/decode", c.header, c.ck); r.StatusCode != c.want {
			t.Errorf("%s: %d %s, want %d", name, r.StatusCode, body, c.want)
		}
	}
	// The CLI: a care-team API key, no origin.
	if r, body := do(http.MethodPost, "/decode", map[string]string{"Authorization": "Bearer " + careKey}, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("CLI decode with a key: %d %s", r.StatusCode, body)
	}
	if r, body := do(http.MethodGet, "/healthz", nil, nil); r.StatusCode != http.StatusOK || !strings.Contains(body, `"database":"ok"`) {
		t.Fatalf("healthz: %d %s", r.StatusCode, body)
	}

	// Every use by a caller it could name is in the audit trail, under
	// them: the nurse's decode, the read-only person's and the integration
	// key's refusals, the CLI's decode; nobody for the unnamed ones.
	entries, err := st.AuditList(ctx, "", 0, 500)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "codec.") {
			got[e.Actor+" "+e.Action+" "+e.Outcome+" "+e.Resource]++
		}
	}
	nurseUser, err := st.UserByEmail(ctx, "nurse@example.org")
	if err != nil {
		t.Fatal(err)
	}
	viewerUser, err := st.UserByEmail(ctx, "viewer@example.org")
	if err != nil {
		t.Fatal(err)
	}
	careID, integrationID := keyID(t, st, careKey), keyID(t, st, integrationKey)
	want := map[string]int{
		"user:" + nurseUser.ID + " codec.decode success namespace/default": 1,
		"user:" + viewerUser.ID + " codec.decode denied namespace/default": 1,
		"api_key:" + integrationID + " codec.decode denied codec":          1,
		"api_key:" + careID + " codec.decode success codec":                1,
	}
	if len(got) != len(want) {
		t.Fatalf("codec audit rows %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Fatalf("codec audit rows %v, want %v", got, want)
		}
	}
}

// keyID is the ID of the API key whose secret is secret.
func keyID(t *testing.T, st *store.Store, secret string) string {
	t.Helper()
	k, err := st.APIKeyAuthenticate(context.Background(), secret)
	if err != nil {
		t.Fatal(err)
	}
	return k.ID
}
