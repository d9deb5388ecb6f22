package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/fhir"
)

// EHRLink is carepath's connection to the EHR's FHIR server: where it
// pushes what it did and fetches what an id-only subscription
// notification names. HTTP carries the SMART access token
// (internal/smartclient's Transport).
type EHRLink struct {
	Base string // the FHIR base URL, without a trailing slash
	HTTP *http.Client
}

// EHRError is the EHR's refusal of one request. It names the type, id and
// status only: the EHR's diagnostics may quote the resource.
type EHRError struct {
	Op       string // "PUT" or "GET"
	Type, ID string
	Status   int
	Codes    string // the OperationOutcome's issue codes, e.g. "invalid,required"
}

func (e *EHRError) Error() string {
	s := fmt.Sprintf("EHR answered %s %s/%s with %d", e.Op, e.Type, e.ID, e.Status)
	if e.Codes != "" {
		s += " (" + e.Codes + ")"
	}
	return s
}

// Rejected reports whether the EHR refused the resource itself (invalid,
// unknown type), so sending it again would only be refused again. Auth,
// throttling, timeouts, conflicts and server errors are worth retrying.
func (e *EHRError) Rejected() bool {
	switch e.Status {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusGone,
		http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType, http.StatusUnprocessableEntity:
		return true
	}
	return false
}

const fhirJSON = "application/fhir+json"

// Put updates (or creates) Type/id at the EHR with body; nil once the EHR
// answered 2xx.
func (l *EHRLink) Put(ctx context.Context, typ, id string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, l.Base+"/"+typ+"/"+url.PathEscape(id), bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("EHR PUT %s: %w", typ, err)
	}
	req.Header.Set("Content-Type", fhirJSON)
	req.Header.Set("Accept", fhirJSON)
	_, err = l.do(req, "PUT", typ, id)
	return err
}

// Get reads Type/id (or one version of it, when version is not "").
func (l *EHRLink) Get(ctx context.Context, typ, id, version string) (json.RawMessage, error) {
	u := l.Base + "/" + typ + "/" + url.PathEscape(id)
	if version != "" {
		u += "/_history/" + url.PathEscape(version)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("EHR GET %s: %w", typ, err)
	}
	req.Header.Set("Accept", fhirJSON)
	return l.do(req, "GET", typ, id)
}

func (l *EHRLink) do(req *http.Request, op, typ, id string) (json.RawMessage, error) {
	resp, err := l.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("EHR %s %s/%s: %w", op, typ, id, err)
	}
	defer func() { _ = resp.Body.Close() }() // read fully below; nothing left to report
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("EHR %s %s/%s: read answer: %w", op, typ, id, err)
	}
	if resp.StatusCode/100 != 2 {
		return nil, &EHRError{Op: op, Type: typ, ID: id, Status: resp.StatusCode, Codes: outcomeCodes(body)}
	}
	return body, nil
}

// outcomeCodes lists an OperationOutcome's issue codes (a fixed FHIR
// vocabulary, never the diagnostics text).
func outcomeCodes(body []byte) string {
	var oo struct {
		ResourceType string `json:"resourceType"`
		Issue        []struct {
			Code string `json:"code"`
		} `json:"issue"`
	}
	if json.Unmarshal(body, &oo) != nil || oo.ResourceType != "OperationOutcome" {
		return ""
	}
	var codes []string
	for _, i := range oo.Issue {
		if validCode(i.Code) {
			codes = append(codes, i.Code)
		}
	}
	return strings.Join(codes, ",")
}

func validCode(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '-' {
			return false
		}
	}
	return true
}

// Ref splits a reference to a resource at the EHR: "Type/id",
// "Type/id/_history/v", or the same under the EHR's base URL. A reference
// to any other server is refused: carepath's token is for its EHR only.
func (l *EHRLink) Ref(ref string) (typ, id, version string, err error) {
	rel := ref
	if strings.Contains(ref, "://") {
		var ok bool
		if rel, ok = strings.CutPrefix(ref, l.Base+"/"); !ok {
			return "", "", "", carepath.Invalid("focus.reference", "must be a reference to a resource at the EHR's FHIR base URL")
		}
	}
	parts := strings.Split(rel, "/")
	switch {
	case len(parts) == 2:
	case len(parts) == 4 && parts[2] == "_history" && parts[3] != "":
		version = parts[3]
	default:
		return "", "", "", carepath.Invalid("focus.reference", "must be Type/id")
	}
	if !fhirTypeName(parts[0]) || !fhir.ValidID(parts[1]) {
		return "", "", "", carepath.Invalid("focus.reference", "must be Type/id")
	}
	return parts[0], parts[1], version, nil
}

func fhirTypeName(s string) bool {
	if len(s) < 2 || len(s) > 64 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') {
			return false
		}
	}
	return true
}
