package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/carepath/carepath/internal/testenv"
)

func TestPatientSearch(t *testing.T) {
	srv := newServer(t)
	careTeam, _ := newKey(t, srv, "care_team")
	// A family name no other test uses, so the results are only these; cy
	// sorts after the others by family name ("zz-other").
	family := "Zq" + strings.ReplaceAll(uuid.NewString()[:8], "-", "")
	create := func(given, family, birth, phone string) string {
		t.Helper()
		st, p := do(t, srv, "POST", "/v1/patients", careTeam, fmt.Sprintf(`{"given_name":%q,"family_name":%q,
			"birth_date":%q,"phone":%q,"timezone":"America/New_York"}`, given, family, birth, phone))
		if st != http.StatusCreated {
			t.Fatalf("create %s: %d %v", given, st, p)
		}
		return p["id"].(string)
	}
	phone := fmt.Sprintf("+1555%07d", uuid.New().ID()%10000000)
	ana := create("Ana", family, "1950-02-03", phone)
	bob := create("Bob", family+"-Smith", "1961-04-05", phone) // shares the family phone
	cy := create("Cy_"+family, "Zz-Other", "1950-02-03", "+15550001111")

	search := func(query string) []string {
		t.Helper()
		st, body := do(t, srv, "GET", "/v1/patients?"+query, careTeam, "")
		if st != http.StatusOK {
			t.Fatalf("search %s: %d %v", query, st, body)
		}
		var ids []string
		for _, it := range body["items"].([]any) {
			ids = append(ids, it.(map[string]any)["id"].(string))
		}
		return ids
	}
	names := map[string]string{ana: "ana", bob: "bob", cy: "cy"}
	got := func(query string) string {
		t.Helper()
		var out []string
		for _, id := range search(query) {
			if n, ok := names[id]; ok {
				out = append(out, n)
			} else {
				out = append(out, "other")
			}
		}
		return strings.Join(out, ",")
	}
	lower := strings.ToLower(family)
	for query, want := range map[string]string{
		"q=" + url.QueryEscape(lower):                                     "ana,bob,cy", // any case, given or family name, substring
		"q=" + url.QueryEscape(lower+"-sm"):                               "bob",
		"q=" + url.QueryEscape(family) + "&birth_date=1950-02-03":         "ana,cy", // every filter given must match
		"phone=" + url.QueryEscape(phone):                                 "ana,bob",
		"phone=" + url.QueryEscape(phone) + "&birth_date=1961-04-05":      "bob",
		"q=" + url.QueryEscape(family) + "&limit=1":                       "ana",
		"q=" + url.QueryEscape("y_"+family):                               "cy", // "_" is a letter, not a wildcard
		"q=" + url.QueryEscape(family[:3]+"%") + "&birth_date=1950-02-03": "",
	} {
		if g := got(query); g != want {
			t.Errorf("search %s: got %q, want %q", query, g, want)
		}
	}

	for query, field := range map[string]string{
		"":                              "q",
		"q=++":                          "q",
		"phone=5551234":                 "phone",
		"birth_date=03/02/1950":         "birth_date",
		"q=ana&limit=0":                 "limit",
		"q=ana&limit=51":                "limit",
		"q=" + strings.Repeat("a", 201): "q",
	} {
		if st, body := do(t, srv, "GET", "/v1/patients?"+query, careTeam, ""); st != http.StatusBadRequest || errField(body) != field {
			t.Errorf("search %q: %d %q, want 400 naming %s", query, st, errField(body), field)
		}
	}

	// Each patient found is audited by ID, and the search terms are not.
	if n := auditCount(t, "patient.search", "patient/"+bob); n != 4 {
		t.Errorf("bob found by 4 searches, %d audited", n)
	}
	var leaked int
	if err := testenv.Pool(t).QueryRow(context.Background(), `SELECT count(*) FROM audit_log
		WHERE action = 'patient.search' AND (resource ILIKE '%' || $1 || '%' OR resource LIKE '%' || $2 || '%')`,
		family, phone).Scan(&leaked); err != nil {
		t.Fatal(err)
	}
	if leaked != 0 {
		t.Errorf("%d audit entries carry search terms", leaked)
	}
}
