package fakeehr

import (
	"net/http"
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/fakefault"
)

// live gives the fake a token without the token endpoint.
func live(s *Server) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens["t"] = token{clientID: "c", scopes: []string{"system/*.write", "system/Patient.read"}, expires: s.now().Add(1e12)}
	return "t"
}

func do(t *testing.T, s *Server, method, path, tok, body string) int {
	t.Helper()
	req, err := http.NewRequest(method, s.FHIRBase()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode
}

func TestFaultsAndVersions(t *testing.T) {
	s := New()
	defer s.Close()
	tok := live(s)
	body := `{"resourceType":"Patient","id":"p"}`
	if got := do(t, s, http.MethodPut, "/Patient/p", "", body); got != http.StatusUnauthorized {
		t.Fatalf("no token: %d", got)
	}
	s.FailNext(1, fakefault.Unavailable)
	if got := do(t, s, http.MethodPut, "/Patient/p", tok, body); got != http.StatusServiceUnavailable || s.Versions("Patient", "p") != 0 {
		t.Fatalf("unavailable: %d, versions %d", got, s.Versions("Patient", "p"))
	}
	s.FailNext(1, fakefault.AcceptThenError)
	if got := do(t, s, http.MethodPut, "/Patient/p", tok, body); got != http.StatusInternalServerError || s.Versions("Patient", "p") != 1 {
		t.Fatalf("accept then error: %d, versions %d", got, s.Versions("Patient", "p"))
	}
	s.RefuseNext(1, http.StatusInternalServerError)
	if got := do(t, s, http.MethodPut, "/Patient/p", tok, body); got != http.StatusInternalServerError || s.Versions("Patient", "p") != 1 {
		t.Fatalf("refused: %d, versions %d", got, s.Versions("Patient", "p"))
	}
	if got := do(t, s, http.MethodPut, "/Patient/p", tok, body); got != http.StatusOK || s.Versions("Patient", "p") != 2 {
		t.Fatalf("update: %d, versions %d", got, s.Versions("Patient", "p"))
	}
	if got := do(t, s, http.MethodGet, "/Patient/p/_history/1", tok, ""); got != http.StatusOK {
		t.Fatalf("history read: %d", got)
	}
	if got := do(t, s, http.MethodGet, "/Observation/o", tok, ""); got != http.StatusForbidden {
		t.Fatalf("read without the scope: %d", got)
	}
	if got := do(t, s, http.MethodPut, "/Patient/q", tok, body); got != http.StatusBadRequest {
		t.Fatalf("id mismatch: %d", got)
	}
}

func TestStartOnAnAddress(t *testing.T) {
	s, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	resp, err := http.Get(s.FHIRBase() + "/.well-known/smart-configuration")
	if err != nil {
		t.Fatal(err)
	}
	if err := resp.Body.Close(); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("smart-configuration: %d %v", resp.StatusCode, err)
	}
}
