package fhir

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/carepath/carepath"
)

type bundleJSON struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Total        *int   `json:"total"`
	Link         []struct{ Relation, URL string }
	Entry        []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
		Search   *struct {
			Mode string `json:"mode"`
		} `json:"search"`
		Response *struct {
			Status       string          `json:"status"`
			Location     string          `json:"location"`
			Etag         string          `json:"etag"`
			LastModified string          `json:"lastModified"`
			Outcome      json.RawMessage `json:"outcome"`
		} `json:"response"`
	} `json:"entry"`
}

func decodeBundle(t *testing.T, raw json.RawMessage) bundleJSON {
	t.Helper()
	var b bundleJSON
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
	if b.ResourceType != "Bundle" {
		t.Fatalf("not a Bundle: %s", raw)
	}
	return b
}

func TestSearchSetLinksAndEntries(t *testing.T) {
	q := url.Values{"subject": {"Patient/p1"}, "_count": {"2"}, "_format": {"json"}}
	p := Page{Resources: []json.RawMessage{
		json.RawMessage(`{"resourceType":"Communication","id":"m1","status":"completed"}`),
		json.RawMessage(`{"resourceType":"Communication","id":"m2","status":"completed"}`),
	}, Next: "abc", Total: -1}
	b := decodeBundle(t, SearchSet("https://cp.example/fhir/R4/", "Communication", q, p))
	if b.Type != "searchset" || b.Total != nil {
		t.Errorf("type %s total %v", b.Type, b.Total)
	}
	if len(b.Link) != 2 || b.Link[0].Relation != "self" || b.Link[1].Relation != "next" {
		t.Fatalf("links: %+v", b.Link)
	}
	if b.Link[0].URL != "https://cp.example/fhir/R4/Communication?_count=2&subject=Patient%2Fp1" {
		t.Errorf("self: %s", b.Link[0].URL)
	}
	next, err := url.Parse(b.Link[1].URL)
	if err != nil || next.Query().Get("_cursor") != "abc" || next.Query().Get("subject") != "Patient/p1" || next.Path != "/fhir/R4/Communication" {
		t.Errorf("next: %s", b.Link[1].URL)
	}
	if len(b.Entry) != 2 || b.Entry[1].FullURL != "https://cp.example/fhir/R4/Communication/m2" || b.Entry[0].Search.Mode != "match" {
		t.Errorf("entries: %+v", b.Entry)
	}
	if q.Get("_cursor") != "" {
		t.Error("SearchSet changed the caller's query")
	}

	last := decodeBundle(t, SearchSet("https://cp.example/fhir/R4", "Communication", url.Values{}, Page{Total: 0}))
	if len(last.Link) != 1 || last.Total == nil || *last.Total != 0 || len(last.Entry) != 0 {
		t.Errorf("empty last page: %+v", last)
	}
}

func TestSearchSetRefusesResourceWithoutID(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("a resource without an id made a Bundle")
		}
	}()
	SearchSet("https://x/fhir/R4", "Task", nil, Page{Resources: []json.RawMessage{json.RawMessage(`{"resourceType":"Task"}`)}})
}

func TestResponseBundle(t *testing.T) {
	at := time.Date(2026, 12, 1, 3, 4, 5, 0, time.FixedZone("x", -5*3600))
	raw := ResponseBundle(Batch, []EntryResult{
		{Status: 201, Type: "Patient", ID: "p1", Version: 1, LastModified: at},
		{Status: 200, Type: "Appointment", ID: "a1", Version: 3},
		{Err: carepath.Invalid("Bundle.entry[2].resource.Observation.valueQuantity", "must have a UCUM unit")},
		{Err: errors.New("db on fire")},
	})
	b := decodeBundle(t, raw)
	if b.Type != "batch-response" || len(b.Entry) != 4 {
		t.Fatalf("%s", raw)
	}
	r := b.Entry[0].Response
	if r.Status != "201 Created" || r.Location != "Patient/p1/_history/1" || r.Etag != `W/"1"` || r.LastModified != "2026-12-01T08:04:05.000Z" {
		t.Errorf("entry 0: %+v", r)
	}
	if r := b.Entry[1].Response; r.Status != "200 OK" || r.Location != "Appointment/a1/_history/3" || r.LastModified != "" {
		t.Errorf("entry 1: %+v", r)
	}
	if r := b.Entry[2].Response; r.Status != "400 Bad Request" || decodeOutcome(t, r.Outcome).Issue[0].Expression[0] != "Bundle.entry[2].resource.Observation.valueQuantity" {
		t.Errorf("entry 2: %+v", r)
	}
	if r := b.Entry[3].Response; r.Status != "500 Internal Server Error" || decodeOutcome(t, r.Outcome).Issue[0].Diagnostics != "internal error" {
		t.Errorf("entry 3: %+v", r)
	}
	if tx := decodeBundle(t, ResponseBundle(Transaction, nil)); tx.Type != "transaction-response" {
		t.Errorf("transaction: %s", tx.Type)
	}
}
