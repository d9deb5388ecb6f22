package api_test

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/testenv"
)

// getRaw fetches a path with the admin key and returns the raw answer.
func getRaw(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+adminKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

// Both reports download as CSV (a header row, an attachment); JSON stays
// the default and the engagement report gives the charts' distributions.
func TestReportsAsCSV(t *testing.T) {
	srv := newServer(t)
	st, p := do(t, srv, "POST", "/v1/patients", adminKey, `{"given_name":"Csv","family_name":"Hygiene","birth_date":"1960-01-01",
		"phone":"+15557770401","timezone":"UTC"}`)
	if st != http.StatusCreated {
		t.Fatalf("create: %d %v", st, p)
	}
	id := p["id"].(string)
	if _, err := testenv.Pool(t).Exec(context.Background(), `UPDATE patients SET phone_status = 'invalid' WHERE id = $1`, id); err != nil {
		t.Fatal(err)
	}

	res, body := getRaw(t, srv.URL+"/v1/reports/contact-hygiene?format=csv&limit=500")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), `attachment; filename="contact-hygiene-`) {
		t.Fatalf("hygiene csv: %d %v", res.StatusCode, res.Header)
	}
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], ",") != "patient_id,phone_status,email_status,has_phone,has_email,updated_at" {
		t.Fatalf("hygiene header %v", rows[0])
	}
	found := false
	for _, r := range rows[1:] {
		found = found || (r[0] == id && r[1] == "invalid" && r[3] == "true")
	}
	if !found {
		t.Fatalf("the patient with an invalid phone is not in the CSV:\n%s", body)
	}

	res, body = getRaw(t, srv.URL+"/v1/reports/engagement?from=2026-01-01&to=2026-02-01&format=csv")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		res.Header.Get("Content-Disposition") != `attachment; filename="engagement-2026-01-01-to-2026-02-01.csv"` {
		t.Fatalf("engagement csv: %d %v %s", res.StatusCode, res.Header, body)
	}
	if !strings.HasPrefix(body, "journey,enrolled,messaged,reached,responded,completed,") {
		t.Fatalf("engagement header: %s", body)
	}

	st, rep := do(t, srv, "GET", "/v1/reports/engagement?from=2026-01-01&to=2026-02-01", adminKey, "")
	if _, ok := rep["messages_per_patient"]; st != http.StatusOK || !ok || rep["journeys"] == nil {
		t.Fatalf("engagement json: %d %v", st, rep)
	}
	if st, e := do(t, srv, "GET", "/v1/reports/engagement?format=xlsx", adminKey, ""); st != http.StatusBadRequest || errField(e) != "format" {
		t.Fatalf("format=xlsx: %d %v", st, e)
	}
}
