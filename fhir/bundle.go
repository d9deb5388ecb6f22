package fhir

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	fm "github.com/samply/golang-fhir-models/fhir-models/fhir"
)

// Page is one page of search results.
type Page struct {
	Resources []json.RawMessage
	Next      string // the cursor of the next page, "" at the end
	Total     int    // matches in all pages, -1 when unknown
}

// SearchSet is a searchset Bundle for a page of typ's search: a self link
// (the query as given), a next link carrying _cursor=p.Next when there is
// a next page, a fullUrl (baseURL/Type/id) and search.mode match per entry.
// baseURL is the endpoint's absolute base, e.g. https://host/fhir/R4.
//
// Each resource must be a JSON object with resourceType and id (carepath's
// own renderers make them); one that is not is a bug, and SearchSet panics
// rather than send a Bundle a validator would reject.
func SearchSet(baseURL, typ string, q url.Values, p Page) json.RawMessage {
	base := strings.TrimRight(baseURL, "/")
	b := fm.Bundle{Type: fm.BundleTypeSearchset}
	if p.Total >= 0 {
		total := p.Total
		b.Total = &total
	}
	self := cloneQuery(q)
	b.Link = append(b.Link, fm.BundleLink{Relation: "self", Url: searchURL(base, typ, self)})
	if p.Next != "" {
		next := cloneQuery(q)
		next.Set(ParamCursor, p.Next)
		b.Link = append(b.Link, fm.BundleLink{Relation: "next", Url: searchURL(base, typ, next)})
	}
	match := fm.SearchEntryModeMatch
	for i, r := range p.Resources {
		rt, id, err := typeAndID(r)
		if err != nil {
			panic(fmt.Sprintf("fhir: SearchSet %s entry %d: %v", typ, i, err))
		}
		full := base + "/" + rt + "/" + id
		b.Entry = append(b.Entry, fm.BundleEntry{FullUrl: &full, Resource: r,
			Search: &fm.BundleEntrySearch{Mode: &match}})
	}
	return mustJSON(b)
}

func cloneQuery(q url.Values) url.Values {
	out := url.Values{}
	for k, vs := range q {
		if k == "_format" || k == "_pretty" {
			continue
		}
		out[k] = append([]string(nil), vs...)
	}
	return out
}

func searchURL(base, typ string, q url.Values) string {
	u := base + "/" + typ
	if enc := q.Encode(); enc != "" {
		u += "?" + enc
	}
	return u
}

// typeAndID reads a resource's resourceType and id.
func typeAndID(r json.RawMessage) (typ, id string, err error) {
	var head struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	}
	if err := json.Unmarshal(r, &head); err != nil {
		return "", "", fmt.Errorf("not a JSON object: %w", err)
	}
	if head.ResourceType == "" || !ValidID(head.ID) {
		return "", "", fmt.Errorf("resourceType or id missing")
	}
	return head.ResourceType, head.ID, nil
}

// BundleKind is the kind of Bundle a response answers: a transaction (all
// or nothing) or a batch (each entry on its own).
type BundleKind int

// Bundle kinds.
const (
	Transaction BundleKind = iota
	Batch
)

// EntryResult is what one entry of a transaction or batch came to.
type EntryResult struct {
	Status       int // 201 created, 200 updated or unchanged; for a failed batch entry, ignored (Err decides)
	Type, ID     string
	Version      int64
	LastModified time.Time
	Err          error // a batch entry's failure: its status and OperationOutcome come from Outcome
}

// ResponseBundle is the transaction-response or batch-response Bundle for
// the entries' results, in the request's order: entry.response.status
// ("201 Created"), location (Type/id/_history/v), etag (W/"v") and
// lastModified for each success, and status plus an OperationOutcome for
// each failed batch entry.
func ResponseBundle(kind BundleKind, results []EntryResult) json.RawMessage {
	b := fm.Bundle{Type: fm.BundleTypeTransactionResponse}
	if kind == Batch {
		b.Type = fm.BundleTypeBatchResponse
	}
	b.Entry = make([]fm.BundleEntry, 0, len(results))
	for _, r := range results {
		b.Entry = append(b.Entry, fm.BundleEntry{Response: EntryResponse(r)})
	}
	return mustJSON(b)
}

// EntryResponse is one entry's Bundle.entry.response.
func EntryResponse(r EntryResult) *fm.BundleEntryResponse {
	if r.Err != nil {
		status, outcome := Outcome(r.Err)
		return &fm.BundleEntryResponse{Status: StatusLine(status), Outcome: outcome}
	}
	v := strconv.FormatInt(r.Version, 10)
	loc := r.Type + "/" + r.ID + "/_history/" + v
	etag := ETag(r.Version)
	resp := &fm.BundleEntryResponse{Status: StatusLine(r.Status), Location: &loc, Etag: &etag}
	if !r.LastModified.IsZero() {
		lm := Instant(r.LastModified)
		resp.LastModified = &lm
	}
	return resp
}

// StatusLine is an HTTP status as Bundle.entry.response.status gives it:
// "201 Created".
func StatusLine(status int) string {
	return strings.TrimSpace(strconv.Itoa(status) + " " + http.StatusText(status))
}

// ETag is a version's weak ETag: W/"3".
func ETag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

// Instant formats a time as a FHIR instant (UTC, milliseconds).
func Instant(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// mustJSON encodes a Bundle whose resources were checked to be JSON.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("fhir: encode Bundle: %v", err))
	}
	return b
}
