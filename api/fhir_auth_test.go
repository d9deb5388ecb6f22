package api_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/testenv"
)

// fhirDo makes a FHIR request and returns the status and the JSON body
// (an OperationOutcome on errors). Every answer must be FHIR JSON.
func fhirDo(t *testing.T, srv *httptest.Server, method, path, bearer, contentType, body string, header ...string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err = errors.Join(err, resp.Body.Close()); err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/fhir+json") {
		t.Errorf("%s %s: Content-Type %q, want application/fhir+json", method, path, ct)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s %s: %d, not JSON: %s", method, path, resp.StatusCode, b)
	}
	if resp.StatusCode >= 400 && out["resourceType"] != "OperationOutcome" {
		t.Errorf("%s %s: %d without an OperationOutcome: %s", method, path, resp.StatusCode, b)
	}
	if resp.StatusCode == http.StatusUnauthorized && resp.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("%s %s: 401 without WWW-Authenticate", method, path)
	}
	return resp.StatusCode, out
}

// issueCode is an OperationOutcome's first issue code.
func issueCode(oo map[string]any) string {
	issues, _ := oo["issue"].([]any)
	if len(issues) == 0 {
		return ""
	}
	code, _ := issues[0].(map[string]any)["code"].(string)
	return code
}

func refused(st int) bool { return st == http.StatusUnauthorized || st == http.StatusForbidden }

func TestFHIRMetadataIsACapabilityStatement(t *testing.T) {
	srv := newServer(t)
	st, cs := fhirDo(t, srv, "GET", "/fhir/R4/metadata", "", "", "")
	if st != http.StatusOK || cs["resourceType"] != "CapabilityStatement" {
		t.Fatalf("%d %v", st, cs)
	}
	if cs["fhirVersion"] != "4.0.1" || cs["kind"] != "instance" || cs["status"] != "active" || cs["date"] == "" ||
		!slices.Contains(toStrings(cs["format"]), "json") {
		t.Errorf("header fields: %v", cs)
	}
	if sw := cs["software"].(map[string]any); sw["name"] != "carepath" || sw["version"] == "" {
		t.Errorf("software %v", sw)
	}
	if impl := cs["implementation"].(map[string]any); impl["url"] != "https://example.org/fhir/R4" {
		t.Errorf("implementation %v", impl)
	}
	rest := cs["rest"].([]any)[0].(map[string]any)
	if rest["mode"] != "server" {
		t.Errorf("mode %v", rest["mode"])
	}
	sec := rest["security"].(map[string]any)
	ext := sec["extension"].([]any)[0].(map[string]any)
	inner := ext["extension"].([]any)[0].(map[string]any)
	if ext["url"] != "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris" || inner["url"] != "token" || inner["valueUri"] != testTokenURL {
		t.Errorf("oauth-uris extension %v", ext)
	}
	coding := sec["service"].([]any)[0].(map[string]any)["coding"].([]any)[0].(map[string]any)
	if coding["code"] != "SMART-on-FHIR" || coding["system"] != "http://terminology.hl7.org/CodeSystem/restful-security-service" {
		t.Errorf("service %v", coding)
	}
	var system []string
	for _, i := range rest["interaction"].([]any) {
		system = append(system, i.(map[string]any)["code"].(string))
	}
	if strings.Join(system, ",") != "transaction,batch" {
		t.Errorf("system interactions %v", system)
	}
	types := map[string][]string{}
	params := map[string][]string{}
	for _, r := range rest["resource"].([]any) {
		m := r.(map[string]any)
		for _, i := range m["interaction"].([]any) {
			types[m["type"].(string)] = append(types[m["type"].(string)], i.(map[string]any)["code"].(string))
		}
		for _, p := range m["searchParam"].([]any) {
			params[m["type"].(string)] = append(params[m["type"].(string)], p.(map[string]any)["name"].(string))
		}
	}
	for _, typ := range []string{"Patient", "RelatedPerson", "Consent", "Appointment", "Encounter", "Observation", "CarePlan", "MedicationRequest"} {
		if strings.Join(types[typ], ",") != "create,update,read,search-type" {
			t.Errorf("%s: %v, want create, update, read, search", typ, types[typ])
		}
	}
	for _, typ := range []string{"Communication", "Task", "QuestionnaireResponse"} {
		if strings.Join(types[typ], ",") != "read,search-type" {
			t.Errorf("%s: %v, want read and search only", typ, types[typ])
		}
	}
	if len(types) != 11 {
		t.Errorf("%d types, want 11: %v", len(types), types)
	}
	if !slices.Contains(params["Communication"], "subject") || !slices.Contains(params["Task"], "status") || slices.Contains(params["Patient"], "subject") {
		t.Errorf("search params %v", params)
	}
}

func TestFHIRNeedsCredentials(t *testing.T) {
	srv := newServer(t)
	for _, bearer := range []string{"", "cp_not_a_key", "cpat_not_a_token"} {
		st, oo := fhirDo(t, srv, "GET", "/fhir/R4/Patient", bearer, "", "")
		if st != http.StatusUnauthorized || issueCode(oo) != "login" {
			t.Errorf("bearer %q: %d %v", bearer, st, oo)
		}
	}
	// An API key is not an access token to the token-only check, nor the
	// other way round: a SMART token is refused on /v1.
	c := registerClient(t, srv, newECKey(t), "system/*.*")
	tok, _ := getToken(t, srv, c, "system/*.*")
	if st, _ := do(t, srv, "GET", "/v1/patients", tok, ""); st != http.StatusUnauthorized {
		t.Errorf("SMART token on /v1: %d", st)
	}
}

func TestFHIRRolesAndScopes(t *testing.T) {
	srv := newServer(t)
	careKey, _ := newKey(t, srv, "care_team")
	integrationKey, _ := newKey(t, srv, "integration")
	patient := `{"resourceType":"Patient"}`

	// care_team keys read, never write.
	if st, _ := fhirDo(t, srv, "GET", "/fhir/R4/Patient?_count=1", careKey, "", ""); refused(st) {
		t.Errorf("care_team search refused: %d", st)
	}
	if st, oo := fhirDo(t, srv, "POST", "/fhir/R4/Patient", careKey, "application/fhir+json", patient); st != http.StatusForbidden || issueCode(oo) != "forbidden" {
		t.Errorf("care_team create: %d %v", st, oo)
	}
	if st, _ := fhirDo(t, srv, "PUT", "/fhir/R4/Patient/p-1", careKey, "application/fhir+json", patient); st != http.StatusForbidden {
		t.Errorf("care_team update: %d", st)
	}
	if st, _ := fhirDo(t, srv, "POST", "/fhir/R4", careKey, "application/fhir+json", `{"resourceType":"Bundle","type":"batch"}`); st != http.StatusForbidden {
		t.Errorf("care_team Bundle: %d", st)
	}
	// Integration and admin keys write (whatever the handler makes of the
	// body, the caller is admitted).
	for name, key := range map[string]string{"integration": integrationKey, "admin": adminKey} {
		if st, oo := fhirDo(t, srv, "POST", "/fhir/R4/Patient", key, "application/fhir+json", patient); refused(st) {
			t.Errorf("%s create refused: %d %v", name, st, oo)
		}
	}

	// A read-only token cannot write; a Patient write token cannot write
	// other types, nor read.
	c := registerClient(t, srv, newECKey(t), "system/*.*")
	read, _ := getToken(t, srv, c, "system/*.read")
	if st, _ := fhirDo(t, srv, "POST", "/fhir/R4/Patient", read, "application/fhir+json", patient); st != http.StatusForbidden {
		t.Errorf("read token creates: %d", st)
	}
	if st, _ := fhirDo(t, srv, "POST", "/fhir/R4", read, "application/fhir+json", `{"resourceType":"Bundle","type":"transaction"}`); st != http.StatusForbidden {
		t.Errorf("read token posts a Bundle: %d", st)
	}
	if st, _ := fhirDo(t, srv, "GET", "/fhir/R4/Observation", read, "", ""); refused(st) {
		t.Errorf("read token search refused: %d", st)
	}
	pw, _ := getToken(t, srv, c, "system/Patient.write")
	if st, _ := fhirDo(t, srv, "PUT", "/fhir/R4/Appointment/a-1", pw, "application/fhir+json", `{"resourceType":"Appointment"}`); st != http.StatusForbidden {
		t.Errorf("Patient.write token updates an Appointment: %d", st)
	}
	if st, _ := fhirDo(t, srv, "GET", "/fhir/R4/Patient/p-1", pw, "", ""); st != http.StatusForbidden {
		t.Errorf("write-only token reads: %d", st)
	}
	if st, _ := fhirDo(t, srv, "POST", "/fhir/R4/Patient", pw, "application/fhir+json", patient); refused(st) {
		t.Errorf("Patient.write token create refused: %d", st)
	}
	// Nor through a Bundle: each entry's type is checked.
	bundle := `{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"PUT","url":"Appointment/a-1"},
		"resource":{"resourceType":"Appointment","id":"a-1","status":"booked","participant":[{"status":"accepted"}]}}]}`
	if st, oo := fhirDo(t, srv, "POST", "/fhir/R4", pw, "application/fhir+json", bundle); st != http.StatusForbidden || issueCode(oo) != "forbidden" {
		t.Errorf("Patient.write token writes an Appointment in a Bundle: %d %v", st, oo)
	}
	// v2: .rs reads and searches, .c creates but does not update.
	rs, _ := getToken(t, srv, c, "system/Task.rs system/Patient.c")
	if st, _ := fhirDo(t, srv, "GET", "/fhir/R4/Task", rs, "", ""); refused(st) {
		t.Errorf("Task.rs search refused: %d", st)
	}
	if st, _ := fhirDo(t, srv, "PUT", "/fhir/R4/Patient/p-1", rs, "application/fhir+json", patient); st != http.StatusForbidden {
		t.Errorf("Patient.c updates: %d", st)
	}

	// Denials are audited under the client's name; the token issue too.
	var denied, issued int
	if err := testenv.Pool(t).QueryRow(t.Context(), `SELECT count(*) FILTER (WHERE outcome = 'denied'),
		count(*) FILTER (WHERE action = 'fhir_client.token') FROM audit_log WHERE actor = $1`, "smart_client:"+c.id).Scan(&denied, &issued); err != nil {
		t.Fatal(err)
	}
	if denied != 6 || issued != 3 {
		t.Errorf("audit for smart_client:%s: %d denied (want 6), %d tokens (want 3)", c.id, denied, issued)
	}
}

func TestFHIRFormatsAndUnsupported(t *testing.T) {
	srv := newServer(t)
	cases := []struct {
		method, path, contentType, body string
		header                          []string
		status                          int
		code                            string
	}{
		{"POST", "/fhir/R4/Patient", "text/plain", "{}", nil, 415, "not-supported"},
		{"POST", "/fhir/R4/Patient", "application/fhir+xml", "<Patient/>", nil, 415, "not-supported"},
		{"POST", "/fhir/R4/Patient", "", "{}", nil, 415, "not-supported"},
		{"PUT", "/fhir/R4/Patient/p-1", "application/x-www-form-urlencoded", "a=b", nil, 415, "not-supported"},
		{"GET", "/fhir/R4/Patient?_format=xml", "", "", nil, 406, "not-supported"},
		{"GET", "/fhir/R4/metadata?_format=application/fhir%2Bxml", "", "", nil, 406, "not-supported"},
		{"GET", "/fhir/R4/Patient", "", "", []string{"Accept", "application/fhir+xml"}, 406, "not-supported"},
		{"GET", "/fhir/R4/Basic", "", "", nil, 404, "not-supported"},
		{"GET", "/fhir/R4/basic/1", "", "", nil, 404, "not-supported"},
		{"POST", "/fhir/R4/Communication", "application/fhir+json", `{"resourceType":"Communication"}`, nil, 405, "not-supported"},
		{"PUT", "/fhir/R4/Task/t-1", "application/fhir+json", `{"resourceType":"Task"}`, nil, 405, "not-supported"},
		{"PUT", "/fhir/R4/QuestionnaireResponse?identifier=a|b", "application/fhir+json", `{}`, nil, 405, "not-supported"},
		{"GET", "/fhir/R4/Patient/p-1/_history/1/extra", "", "", nil, 404, "not-found"},
	}
	for _, c := range cases {
		st, oo := fhirDo(t, srv, c.method, c.path, adminKey, c.contentType, c.body, c.header...)
		if st != c.status || issueCode(oo) != c.code {
			t.Errorf("%s %s (%s): %d %v, want %d %s", c.method, c.path, c.contentType, st, oo, c.status, c.code)
		}
	}
	// JSON in any of its spellings is accepted.
	for _, ct := range []string{"application/fhir+json", "application/fhir+json; charset=utf-8", "application/json"} {
		if st, oo := fhirDo(t, srv, "POST", "/fhir/R4/Patient", adminKey, ct, `{"resourceType":"Patient"}`); st == 415 || refused(st) {
			t.Errorf("%s: %d %v", ct, st, oo)
		}
	}
	if st, _ := fhirDo(t, srv, "GET", "/fhir/R4/metadata?_format=json", "", "", "", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8"); st != http.StatusOK {
		t.Errorf("browser-ish metadata: %d", st)
	}
}

func TestFHIRSignedInPeopleRead(t *testing.T) {
	srv := newServer(t)
	for _, role := range []string{"care_team", "read_only"} {
		b := signedIn(t, srv, role)
		if st, out := b.send(t, srv, "GET", "/fhir/R4/Observation?_count=1", "", false); refused(st) {
			t.Errorf("%s person searching: %d %v", role, st, out)
		}
		st, out := b.send(t, srv, "POST", "/fhir/R4/Observation", `{"resourceType":"Observation"}`, true)
		if st != http.StatusForbidden || out["resourceType"] != "OperationOutcome" {
			t.Errorf("%s person writing: %d %v", role, st, out)
		}
	}
	// Without the CSRF token a session cannot even try to write.
	b := signedIn(t, srv, "care_team")
	if st, _ := b.send(t, srv, "POST", "/fhir/R4/Observation", `{"resourceType":"Observation"}`, false); st != http.StatusForbidden {
		t.Errorf("session write without CSRF: %d", st)
	}
}
