package api_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// fhirPatientBody is HL7's Patient example shape with a test's id, MRN and
// phone.
func fhirPatientBody(id, mrn string) string {
	idPart := ""
	if id != "" {
		idPart = fmt.Sprintf(`"id":%q,`, id)
	}
	return fmt.Sprintf(`{"resourceType":"Patient",%s
	  "identifier":[{"system":"urn:oid:1.2.36.146.595.217.0.1","value":%q}],
	  "name":[{"use":"official","family":"Chalmers","given":["Peter","James"]}],
	  "telecom":[{"system":"phone","value":"+1555%07d","use":"mobile"}],
	  "gender":"male","birthDate":"1974-12-25"}`, idPart, mrn, uuid.New().ID()%10_000_000)
}

func issueExpressions(oo map[string]any) []string {
	var out []string
	issues, _ := oo["issue"].([]any)
	for _, i := range issues {
		exprs, _ := i.(map[string]any)["expression"].([]any)
		for _, e := range exprs {
			s, _ := e.(string)
			out = append(out, s)
		}
	}
	return out
}

func TestFHIRUpdateAndCreateResponses(t *testing.T) {
	srv := newServer(t)
	id := "ehr-" + uuid.NewString()[:8]
	mrn := "MRN-" + uuid.NewString()[:8]
	body := fhirPatientBody(id, mrn)

	st, oo := fhirDo(t, srv, "PUT", "/fhir/R4/Patient/other-id", adminKey, "application/fhir+json", body)
	if ex := issueExpressions(oo); st != http.StatusBadRequest || len(ex) != 1 || ex[0] != "Patient.id" {
		t.Fatalf("id mismatch: %d %v", st, oo)
	}
	req, _ := http.NewRequest("PUT", srv.URL+"/fhir/R4/Patient/"+id, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+adminKey)
	req.Header.Set("Content-Type", "application/fhir+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || !strings.HasSuffix(resp.Header.Get("Location"), "/fhir/R4/Patient/"+id+"/_history/1") ||
		resp.Header.Get("ETag") != `W/"1"` || resp.Header.Get("Last-Modified") == "" {
		t.Fatalf("create by PUT: %d Location %q ETag %q Last-Modified %q", resp.StatusCode, resp.Header.Get("Location"),
			resp.Header.Get("ETag"), resp.Header.Get("Last-Modified"))
	}
	st, res := fhirDo(t, srv, "PUT", "/fhir/R4/Patient/"+id, adminKey, "application/fhir+json", body)
	meta, _ := res["meta"].(map[string]any)
	if st != http.StatusOK || res["id"] != id || res["resourceType"] != "Patient" || meta["versionId"] != "1" {
		t.Fatalf("re-sent update: %d %v", st, res)
	}

	// Prefer: return=minimal: no body.
	req, _ = http.NewRequest("POST", srv.URL+"/fhir/R4/Patient", strings.NewReader(fhirPatientBody("", "MRN-"+uuid.NewString()[:8])))
	req.Header.Set("Authorization", "Bearer "+adminKey)
	req.Header.Set("Content-Type", "application/fhir+json")
	req.Header.Set("Prefer", "return=minimal")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || len(b) != 0 || !strings.Contains(resp.Header.Get("Location"), "/fhir/R4/Patient/") {
		t.Fatalf("minimal create: %d %q %s", resp.StatusCode, resp.Header.Get("Location"), b)
	}

	// Conditional update: created, then the same resource updated.
	cmrn := "MRN-" + uuid.NewString()[:8]
	path := "/fhir/R4/Patient?identifier=" + url.QueryEscape("urn:oid:1.2.36.146.595.217.0.1|"+cmrn)
	st, first := fhirDo(t, srv, "PUT", path, adminKey, "application/fhir+json", fhirPatientBody("", cmrn))
	if st != http.StatusCreated {
		t.Fatalf("conditional create: %d %v", st, first)
	}
	st, second := fhirDo(t, srv, "PUT", path, adminKey, "application/fhir+json", fhirPatientBody("", cmrn))
	if st != http.StatusOK || second["id"] != first["id"] {
		t.Fatalf("conditional update: %d %v (first %v)", st, second["id"], first["id"])
	}

	// A type carepath renders but does not take.
	if st, oo := fhirDo(t, srv, "POST", "/fhir/R4/Communication", adminKey, "application/fhir+json", `{"resourceType":"Communication"}`); st != http.StatusMethodNotAllowed || issueCode(oo) != "not-supported" {
		t.Fatalf("Communication create: %d %v", st, oo)
	}
}

func TestFHIRBundles(t *testing.T) {
	srv := newServer(t)
	good := fhirPatientBody("", "MRN-"+uuid.NewString()[:8])
	bad := strings.Replace(fhirPatientBody("", "MRN-"+uuid.NewString()[:8]), `"1974-12-25"`, `"1974-13-45"`, 1)
	noName := strings.Replace(fhirPatientBody("", "MRN-"+uuid.NewString()[:8]), `"name"`, `"alias"`, 1)
	entry := func(res string) string {
		return fmt.Sprintf(`{"fullUrl":"urn:uuid:%s","resource":%s,"request":{"method":"POST","url":"Patient"}}`, uuid.NewString(), res)
	}

	tx := fmt.Sprintf(`{"resourceType":"Bundle","type":"transaction","entry":[%s,%s,%s]}`, entry(good), entry(bad), entry(noName))
	st, oo := fhirDo(t, srv, "POST", "/fhir/R4", adminKey, "application/fhir+json", tx)
	ex := issueExpressions(oo)
	if st != http.StatusBadRequest || len(ex) != 2 || ex[0] != "Bundle.entry[1].resource.birthDate" || ex[1] != "Bundle.entry[2].resource.name" {
		t.Fatalf("transaction with two bad entries: %d %v", st, ex)
	}

	batch := fmt.Sprintf(`{"resourceType":"Bundle","type":"batch","entry":[%s,%s]}`, entry(good), entry(bad))
	st, out := fhirDo(t, srv, "POST", "/fhir/R4", adminKey, "application/fhir+json", batch)
	if st != http.StatusOK || out["type"] != "batch-response" {
		t.Fatalf("batch: %d %v", st, out)
	}
	entries, _ := out["entry"].([]any)
	status := func(i int) string {
		r, _ := entries[i].(map[string]any)["response"].(map[string]any)
		s, _ := r["status"].(string)
		return s
	}
	if len(entries) != 2 || !strings.HasPrefix(status(0), "201") || !strings.HasPrefix(status(1), "400") {
		t.Fatalf("batch-response: %v", out)
	}

	st, oo = fhirDo(t, srv, "POST", "/fhir/R4", adminKey, "application/fhir+json", `{"resourceType":"Bundle","type":"collection","entry":[]}`)
	if ex := issueExpressions(oo); st != http.StatusBadRequest || len(ex) != 1 || ex[0] != "Bundle.type" {
		t.Fatalf("collection Bundle: %d %v", st, oo)
	}
	st, oo = fhirDo(t, srv, "POST", "/fhir/R4", adminKey, "application/fhir+json",
		`{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"},"request":{"method":"DELETE","url":"Patient/x"}}]}`)
	if ex := issueExpressions(oo); st != http.StatusBadRequest || len(ex) != 1 || ex[0] != "Bundle.entry[0].request.method" {
		t.Fatalf("DELETE entry: %d %v", st, oo)
	}
}
