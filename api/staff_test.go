package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/carepath/carepath/internal/testenv"
)

// newKey creates an API key of a role and returns its secret and ID.
func newKey(t *testing.T, srv *httptest.Server, role string) (secret, id string) {
	t.Helper()
	st, body := do(t, srv, "POST", "/v1/api-keys", adminKey, fmt.Sprintf(`{"name":"%s %s","role":"%s"}`, role, uuid.NewString()[:8], role))
	if st != http.StatusCreated {
		t.Fatalf("create %s key: %d %v", role, st, body)
	}
	return body["key"].(string), body["id"].(string)
}

func auditCount(t *testing.T, action, resource string) int {
	t.Helper()
	var n int
	if err := testenv.Pool(t).QueryRow(context.Background(),
		`SELECT count(*) FROM audit_log WHERE action = $1 AND resource = $2`, action, resource).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStaffAPI(t *testing.T) {
	srv := newServer(t)
	careTeam, _ := newKey(t, srv, "care_team")

	bad := []struct{ name, body, field string }{
		{"no name", `{"name":" ","role":"nurse","phone":"+15558880001"}`, "name"},
		{"name too long", `{"name":"` + strings.Repeat("a", 201) + `","role":"nurse","phone":"+15558880001"}`, "name"},
		{"no role", `{"name":"Ann","phone":"+15558880001"}`, "role"},
		{"role too long", `{"name":"Ann","role":"` + strings.Repeat("r", 65) + `","phone":"+15558880001"}`, "role"},
		{"control character", `{"name":"Ann\u0007","role":"nurse","phone":"+15558880001"}`, "name"},
		{"phone not E.164", `{"name":"Ann","role":"nurse","phone":"5558880001"}`, "phone"},
		{"bad email", `{"name":"Ann","role":"nurse","email":"ann@"}`, "email"},
		{"no contact", `{"name":"Ann","role":"nurse"}`, "phone"},
		{"unknown field", `{"name":"Ann","role":"nurse","phone":"+15558880001","pager":"1"}`, "pager"},
		{"wrong type", `{"name":"Ann","role":7,"phone":"+15558880001"}`, "role"},
	}
	for _, c := range bad {
		st, body := do(t, srv, "POST", "/v1/staff", adminKey, c.body)
		if st != http.StatusBadRequest || errField(body) != c.field {
			t.Errorf("%s: %d %v, want 400 naming %q", c.name, st, body, c.field)
		}
	}
	if st, _ := do(t, srv, "POST", "/v1/staff", careTeam, `{"name":"Ann","role":"nurse","phone":"+15558880001"}`); st != http.StatusForbidden {
		t.Fatalf("care_team creates staff: %d, want 403", st)
	}

	st, ann := do(t, srv, "POST", "/v1/staff", adminKey, `{"name":" Ann Nurse ","role":"nurse","phone":"+15558880001","email":"ann@example.org"}`)
	if st != http.StatusCreated || ann["name"] != "Ann Nurse" || ann["active"] != true || ann["phone"] != "+15558880001" {
		t.Fatalf("create: %d %v", st, ann)
	}
	id := ann["id"].(string)
	if st, got := do(t, srv, "GET", "/v1/staff/"+id, careTeam, ""); st != http.StatusOK || got["email"] != "ann@example.org" {
		t.Fatalf("care_team reads staff: %d %v", st, got)
	}
	for _, missing := range []string{uuid.NewString(), "nope"} {
		if st, _ := do(t, srv, "GET", "/v1/staff/"+missing, adminKey, ""); st != http.StatusNotFound {
			t.Errorf("GET staff %s: %d, want 404", missing, st)
		}
	}

	patchBad := []struct{ name, body, field string }{
		{"empty", `{}`, "body"},
		{"clear both contacts", `{"phone":"","email":""}`, "phone"},
		{"bad phone", `{"phone":"+1"}`, "phone"},
		{"blank role", `{"role":""}`, "role"},
		{"active not a bool", `{"active":"no"}`, "active"},
	}
	for _, c := range patchBad {
		st, body := do(t, srv, "PATCH", "/v1/staff/"+id, adminKey, c.body)
		if st != http.StatusBadRequest || errField(body) != c.field {
			t.Errorf("patch %s: %d %v, want 400 naming %q", c.name, st, body, c.field)
		}
	}
	st, got := do(t, srv, "PATCH", "/v1/staff/"+id, adminKey, `{"role":"charge nurse","email":""}`)
	if st != http.StatusOK || got["role"] != "charge nurse" || got["email"] != nil || got["phone"] != "+15558880001" || got["name"] != "Ann Nurse" {
		t.Fatalf("patch: %d %v", st, got)
	}
	if st, _ := do(t, srv, "PATCH", "/v1/staff/"+id, careTeam, `{"role":"x"}`); st != http.StatusForbidden {
		t.Fatalf("care_team patches staff: %d, want 403", st)
	}

	if st, got = do(t, srv, "DELETE", "/v1/staff/"+id, adminKey, ""); st != http.StatusOK || got["active"] != false {
		t.Fatalf("delete: %d %v", st, got)
	}
	if st, got = do(t, srv, "GET", "/v1/staff/"+id, adminKey, ""); st != http.StatusOK || got["active"] != false || got["name"] != "Ann Nurse" {
		t.Fatalf("deactivated staff is kept: %d %v", st, got)
	}
	listed := func(q string) bool {
		st, list := do(t, srv, "GET", "/v1/staff"+q, careTeam, "")
		if st != http.StatusOK {
			t.Fatalf("list%s: %d %v", q, st, list)
		}
		for _, it := range list["items"].([]any) {
			if it.(map[string]any)["id"] == id {
				return true
			}
		}
		return false
	}
	if listed("?limit=500") || !listed("?include_inactive=true&limit=500") {
		t.Fatal("the deactivated are listed only on request")
	}
	if st, body := do(t, srv, "GET", "/v1/staff?include_inactive=perhaps", adminKey, ""); st != http.StatusBadRequest || errField(body) != "include_inactive" {
		t.Fatalf("bad include_inactive: %d %v", st, body)
	}
	if st, got = do(t, srv, "PATCH", "/v1/staff/"+id, adminKey, `{"active":true}`); st != http.StatusOK || got["active"] != true {
		t.Fatalf("reactivate: %d %v", st, got)
	}
	for action, n := range map[string]int{"staff.create": 1, "staff.read": 2, "staff.update": 2, "staff.deactivate": 1} {
		if got := auditCount(t, action, "staff/"+id); got != n {
			t.Errorf("%s audited %d times, want %d", action, got, n)
		}
	}
}
