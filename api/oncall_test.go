package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"
)

func staffID(t *testing.T, body map[string]any) string {
	t.Helper()
	id, ok := body["id"].(string)
	if !ok {
		t.Fatalf("no staff ID in %v", body)
	}
	return id
}

func chainNames(t *testing.T, body map[string]any) string {
	t.Helper()
	var names []string
	for _, it := range body["chain"].([]any) {
		c := it.(map[string]any)
		names = append(names, fmt.Sprintf("%s@%v", c["name"], c["level"]))
	}
	return strings.Join(names, ",")
}

// The roster is replaced whole, validated with the path of each problem,
// and read in the clinic's zone (New York by default): across the
// spring-forward day a Sunday 08:00 shift still starts at 08:00 local.
func TestOnCallAPI(t *testing.T) {
	srv := newServer(t)
	careTeam, _ := newKey(t, srv, "care_team")
	_, a := do(t, srv, "POST", "/v1/staff", adminKey, `{"name":"Oncall A","role":"nurse","phone":"+15558881001"}`)
	_, b := do(t, srv, "POST", "/v1/staff", adminKey, `{"name":"Oncall B","role":"physician","email":"b@example.org"}`)
	_, gone := do(t, srv, "POST", "/v1/staff", adminKey, `{"name":"Oncall Gone","role":"nurse","phone":"+15558881003"}`)
	ida, idb, idGone := staffID(t, a), staffID(t, b), staffID(t, gone)
	if st, _ := do(t, srv, "DELETE", "/v1/staff/"+idGone, adminKey, ""); st != http.StatusOK {
		t.Fatalf("deactivate: %d", st)
	}
	shift := func(id string, wd int, start, end string, level int) string {
		return fmt.Sprintf(`{"staff_id":"%s","weekday":%d,"start":"%s","end":"%s","level":%d}`, id, wd, start, end, level)
	}
	good := []string{shift(ida, 0, "08:00", "20:00", 1), shift(idb, 0, "00:00", "24:00", 2), shift(ida, 6, "22:00", "06:00", 1)}
	roster := func(shifts ...string) string { return `{"shifts":[` + strings.Join(shifts, ",") + `]}` }
	bad := []struct{ name, body, field string }{
		{"no shifts", `{}`, "shifts"},
		{"shifts not a list", `{"shifts":{}}`, "shifts"},
		{"unknown staff", roster(good[0], shift(uuid.NewString(), 1, "08:00", "09:00", 1)), "shifts[1].staff_id"},
		{"staff not an ID", roster(shift("x", 1, "08:00", "09:00", 1)), "shifts[0].staff_id"},
		{"deactivated staff", roster(good[0], good[1], shift(idGone, 1, "08:00", "09:00", 1)), "shifts[2].staff_id"},
		{"weekday 7", roster(shift(ida, 7, "08:00", "09:00", 1)), "shifts[0].weekday"},
		{"weekday missing", roster(good[0], fmt.Sprintf(`{"staff_id":"%s","start":"08:00","end":"09:00","level":1}`, ida)), "shifts[1].weekday"},
		{"start 24:00", roster(shift(ida, 1, "24:00", "09:00", 1)), "shifts[0].start"},
		{"start 8:00", roster(good[0], good[1], shift(ida, 1, "8:00", "09:00", 1)), "shifts[2].start"},
		{"end 09:60", roster(shift(ida, 1, "08:00", "09:60", 1)), "shifts[0].end"},
		{"end 24:01", roster(shift(ida, 1, "08:00", "24:01", 1)), "shifts[0].end"},
		{"empty shift", roster(shift(ida, 1, "08:00", "08:00", 1)), "shifts[0].end"},
		{"level 0", roster(good[0], shift(ida, 1, "08:00", "09:00", 0)), "shifts[1].level"},
		{"unknown field", roster(`{"staff_id":"` + ida + `","weekday":1,"start":"08:00","end":"09:00","level":1,"note":"x"}`), "shifts[0].note"},
	}
	for _, c := range bad {
		st, body := do(t, srv, "PUT", "/v1/oncall", adminKey, c.body)
		if st != http.StatusBadRequest || errField(body) != c.field {
			t.Errorf("%s: %d %v, want 400 naming %q", c.name, st, body, c.field)
		}
	}
	// A type error is the decoder's: it names the field without the index
	// (api/decode.go's jsonError; see REQUESTS.md).
	wrongType := roster(good[0], `{"staff_id":"`+ida+`","weekday":"monday","start":"08:00","end":"09:00","level":1}`)
	if st, body := do(t, srv, "PUT", "/v1/oncall", adminKey, wrongType); st != http.StatusBadRequest ||
		!strings.HasPrefix(errField(body), "shifts") || !strings.HasSuffix(errField(body), ".weekday") {
		t.Errorf("weekday of the wrong type: %d %v, want 400 naming shifts…weekday", st, body)
	}
	if st, _ := do(t, srv, "PUT", "/v1/oncall", careTeam, roster(good...)); st != http.StatusForbidden {
		t.Fatalf("care_team replaces the roster: %d, want 403", st)
	}
	st, got := do(t, srv, "PUT", "/v1/oncall", adminKey, roster(good...))
	if st != http.StatusOK || got["timezone"] != "America/New_York" || len(got["shifts"].([]any)) != 3 {
		t.Fatalf("replace: %d %v", st, got)
	}
	st, got = do(t, srv, "GET", "/v1/oncall", careTeam, "")
	if st != http.StatusOK || len(got["shifts"].([]any)) != 3 {
		t.Fatalf("read roster: %d %v", st, got)
	}
	first := got["shifts"].([]any)[0].(map[string]any)
	if first["staff_id"] != idb || first["start"] != "00:00" || first["end"] != "24:00" || first["weekday"] != float64(0) {
		t.Fatalf("first line (Sunday from midnight): %v", first)
	}
	last := got["shifts"].([]any)[2].(map[string]any)
	if last["overnight"] != true || last["start"] != "22:00" || last["end"] != "06:00" {
		t.Fatalf("overnight line: %v", last)
	}

	for at, want := range map[string]string{
		"2026-03-01T13:30:00Z": "Oncall A@1,Oncall B@2", // Sunday 08:30 EST
		"2026-03-01T12:30:00Z": "Oncall B@2",            // 07:30 EST
		"2026-03-08T12:30:00Z": "Oncall A@1,Oncall B@2", // Sunday 08:30 EDT, the spring-forward day
		"2026-03-08T06:30:00Z": "Oncall A@1,Oncall B@2", // 01:30 EST: Saturday's overnight shift, and B
		"2026-03-08T11:30:00Z": "Oncall B@2",            // 07:30 EDT: the overnight shift ended at 06:00
		"2026-03-09T12:30:00Z": "",                      // Monday
	} {
		st, body := do(t, srv, "GET", "/v1/oncall/now?at="+at, careTeam, "")
		if st != http.StatusOK {
			t.Fatalf("now at %s: %d %v", at, st, body)
		}
		if got := chainNames(t, body); got != want {
			t.Errorf("at %s (%v): chain %q, want %q", at, body["local"], got, want)
		}
	}
	if st, body := do(t, srv, "GET", "/v1/oncall/now?at=tomorrow", careTeam, ""); st != http.StatusBadRequest || errField(body) != "at" {
		t.Fatalf("bad at: %d %v", st, body)
	}

	// A deactivated member stays on the roster but leaves the chain.
	if st, _ := do(t, srv, "DELETE", "/v1/staff/"+ida, adminKey, ""); st != http.StatusOK {
		t.Fatalf("deactivate: %d", st)
	}
	if _, body := do(t, srv, "GET", "/v1/oncall/now?at=2026-03-08T12:30:00Z", careTeam, ""); chainNames(t, body) != "Oncall B@2" {
		t.Fatalf("chain after deactivating A: %q", chainNames(t, body))
	}
	if st, got = do(t, srv, "PUT", "/v1/oncall", adminKey, `{"shifts":[]}`); st != http.StatusOK || len(got["shifts"].([]any)) != 0 {
		t.Fatalf("clear the roster: %d %v", st, got)
	}
	if n := auditCount(t, "oncall.replace", "oncall"); n < 2 {
		t.Fatalf("roster replacements audited %d times", n)
	}
}
