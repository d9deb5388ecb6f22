package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath/internal/testenv"
)

// fhirGet is a GET with the admin key, returning the headers too.
func fhirGet(t *testing.T, srv *httptest.Server, path string) (int, http.Header, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err = errors.Join(err, resp.Body.Close()); err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("GET %s: %d, not JSON: %s", path, resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Errorf("GET %s: Content-Type %q", path, ct)
	}
	return resp.StatusCode, resp.Header, out
}

// Read answers the resource with its version as ETag and its last update
// as Last-Modified, an unknown id a 404 OperationOutcome; search answers a
// searchset Bundle whose next link leads to the rest.
func TestFHIRReadAndSearchOverHTTP(t *testing.T) {
	srv := newServer(t)
	phone := fmt.Sprintf("+1558%07d", time.Now().UnixNano()%10_000_000)
	st, p := do(t, srv, http.MethodPost, "/v1/patients", adminKey, `{"given_name":"Read","family_name":"Over","birth_date":"1970-05-06",
		"phone":"`+phone+`","timezone":"UTC","preferred_channel":"sms","locale":"en"}`)
	if st != http.StatusCreated {
		t.Fatalf("create patient: %d %v", st, p)
	}
	pid := p["id"].(string)
	ids := []string{uuid.NewString(), uuid.NewString()}
	for i, id := range ids {
		at := time.Now().UTC().Add(time.Duration(i-10) * time.Minute)
		if _, err := testenv.Pool(t).Exec(context.Background(), `INSERT INTO messages (id, patient_id, direction, channel, body, status,
		    created_at, updated_at, sent_at) VALUES ($1, $2, 'outbound', 'sms', 'hello', 'sent', $3, $3, $3)`, id, pid, at); err != nil {
			t.Fatal(err)
		}
	}

	st, h, c := fhirGet(t, srv, "/fhir/R4/Communication/"+ids[0])
	if st != http.StatusOK || c["resourceType"] != "Communication" || c["id"] != ids[0] {
		t.Fatalf("read: %d %v", st, c)
	}
	if h.Get("ETag") != `W/"1"` {
		t.Fatalf("ETag %q", h.Get("ETag"))
	}
	if lm, err := http.ParseTime(h.Get("Last-Modified")); err != nil || time.Since(lm) < 9*time.Minute {
		t.Fatalf("Last-Modified %q: %v", h.Get("Last-Modified"), err)
	}
	st, _, oo := fhirGet(t, srv, "/fhir/R4/Communication/"+uuid.NewString())
	if st != http.StatusNotFound || oo["resourceType"] != "OperationOutcome" || issueCode(oo) != "not-found" {
		t.Fatalf("unknown id: %d %v", st, oo)
	}

	st, _, b := fhirGet(t, srv, "/fhir/R4/Communication?subject=Patient/"+pid+"&_count=1")
	var seen []string
	for page := 0; ; page++ {
		if st != http.StatusOK || b["resourceType"] != "Bundle" || b["type"] != "searchset" {
			t.Fatalf("search page %d: %d %v", page, st, b)
		}
		entries, _ := b["entry"].([]any)
		for _, e := range entries {
			seen = append(seen, e.(map[string]any)["resource"].(map[string]any)["id"].(string))
		}
		next := ""
		links, _ := b["link"].([]any)
		for _, l := range links {
			if l := l.(map[string]any); l["relation"] == "next" {
				next = l["url"].(string)
			}
		}
		if next == "" || page > 3 {
			break
		}
		path, ok := strings.CutPrefix(next, "https://example.org")
		if !ok || !strings.Contains(path, "_cursor=") {
			t.Fatalf("next link %q", next)
		}
		st, _, b = fhirGet(t, srv, path)
	}
	if len(seen) != 2 || seen[0] != ids[0] || seen[1] != ids[1] {
		t.Fatalf("paged %v, want %v", seen, ids)
	}

	st, _, oo = fhirGet(t, srv, "/fhir/R4/Communication?colour=blue")
	if st != http.StatusBadRequest || issueCode(oo) != "invalid" {
		t.Fatalf("unknown parameter: %d %v", st, oo)
	}
}
