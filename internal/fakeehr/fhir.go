package fakeehr

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/carepath/carepath/internal/fakefault"
)

const fhirJSON = "application/fhir+json"

// serveFHIR is read (GET Type/id, Type/id/_history/vid), update (PUT
// Type/id: create or new version) and create (POST Type) of any type.
func (s *Server) serveFHIR(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, FHIRPath), "/"), "/")
	req := Request{Method: r.Method, Type: parts[0]}
	if len(parts) > 1 {
		req.ID = parts[1]
	}
	status := s.handle(w, r, req, parts)
	req.Status = status
	s.mu.Lock()
	s.log = append(s.log, req)
	s.mu.Unlock()
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request, req Request, parts []string) int {
	access := "read"
	if r.Method != http.MethodGet {
		access = "write"
	}
	if status, ok := s.authorized(r, req.Type, access); !ok {
		return outcome(w, status, "security", "a live access token with the scope is required")
	}
	plan, refuse := s.plan(req)
	if refuse != 0 {
		return outcome(w, refuse, "exception", "fake refusal")
	}
	if s.ledger.Before(plan) {
		return faultAnswer(w, plan.Fault)
	}
	switch {
	case r.Method == http.MethodGet && len(parts) == 2:
		return s.read(w, req.Type, req.ID, 0)
	case r.Method == http.MethodGet && len(parts) == 4 && parts[2] == "_history":
		v, err := strconv.Atoi(parts[3])
		if err != nil || v < 1 {
			return outcome(w, http.StatusNotFound, "not-found", "no such version")
		}
		return s.read(w, req.Type, req.ID, v)
	case (r.Method == http.MethodPut && len(parts) == 2) || (r.Method == http.MethodPost && len(parts) == 1):
	default:
		return outcome(w, http.StatusMethodNotAllowed, "not-supported", "unsupported interaction")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return outcome(w, http.StatusBadRequest, "invalid", "unreadable body")
	}
	var res map[string]any
	if err := json.Unmarshal(body, &res); err != nil {
		return outcome(w, http.StatusBadRequest, "invalid", "not a JSON resource")
	}
	if res["resourceType"] != req.Type {
		return outcome(w, http.StatusBadRequest, "invalid", "resourceType does not match the URL")
	}
	id := req.ID
	if r.Method == http.MethodPost {
		s.mu.Lock()
		s.nextID++
		id = fmt.Sprintf("ehr-%d", s.nextID)
		s.mu.Unlock()
	} else if res["id"] != id {
		return outcome(w, http.StatusBadRequest, "invalid", "id does not match the URL")
	}
	stored, created, err := s.store(req.Type, id, res)
	if err != nil {
		return outcome(w, http.StatusInternalServerError, "exception", err.Error())
	}
	if s.ledger.AfterAccept(req.Type+"/"+id, plan) {
		return faultAnswer(w, plan.Fault)
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", s.FHIRBase()+"/"+req.Type+"/"+id)
	}
	return writeFHIR(w, status, stored)
}

// store keeps res as the next version of Type/id.
func (s *Server) store(typ, id string, res map[string]any) (stored []byte, created bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := typ + "/" + id
	n := len(s.resources[key]) + 1
	now := s.now().UTC()
	res["id"] = id
	res["meta"] = map[string]any{"versionId": strconv.Itoa(n), "lastUpdated": now.Format(time.RFC3339Nano)}
	b, err := json.Marshal(res)
	if err != nil {
		return nil, false, err
	}
	s.resources[key] = append(s.resources[key], version{body: b, updated: now})
	return b, n == 1, nil
}

func (s *Server) read(w http.ResponseWriter, typ, id string, v int) int {
	s.mu.Lock()
	vs := s.resources[typ+"/"+id]
	s.mu.Unlock()
	if len(vs) == 0 || v > len(vs) {
		return outcome(w, http.StatusNotFound, "not-found", "no such resource")
	}
	if v == 0 {
		v = len(vs)
	}
	return writeFHIR(w, http.StatusOK, vs[v-1].body)
}

// Seed stores a resource as the EHR's own (no request, no fault), as if a
// clinician had entered it; it returns its version number.
func (s *Server) Seed(resource []byte) (int, error) {
	var res map[string]any
	if err := json.Unmarshal(resource, &res); err != nil {
		return 0, fmt.Errorf("fakeehr: seed: %w", err)
	}
	typ, _ := res["resourceType"].(string)
	id, _ := res["id"].(string)
	if typ == "" || id == "" {
		return 0, fmt.Errorf("fakeehr: seed: resourceType and id are required")
	}
	if _, _, err := s.store(typ, id, res); err != nil {
		return 0, err
	}
	return s.Versions(typ, id), nil
}

// Resource is the current version of Type/id as stored.
func (s *Server) Resource(typ, id string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs := s.resources[typ+"/"+id]
	if len(vs) == 0 {
		return nil, false
	}
	return vs[len(vs)-1].body, true
}

// Versions is how many versions of Type/id the fake holds (0: none).
func (s *Server) Versions(typ, id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.resources[typ+"/"+id])
}

// IDs lists the ids of a type held, in no order.
func (s *Server) IDs(typ string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for k := range s.resources {
		if t, id, _ := strings.Cut(k, "/"); t == typ {
			out = append(out, id)
		}
	}
	return out
}

func writeFHIR(w http.ResponseWriter, status int, body []byte) int {
	w.Header().Set("Content-Type", fhirJSON)
	w.WriteHeader(status)
	_, _ = w.Write(body) // a client that hung up sees its own error
	return status
}

func outcome(w http.ResponseWriter, status int, code, diagnostics string) int {
	b, err := json.Marshal(map[string]any{"resourceType": "OperationOutcome",
		"issue": []any{map[string]any{"severity": "error", "code": code, "diagnostics": diagnostics}}})
	if err != nil {
		status, b = http.StatusInternalServerError, nil
	}
	return writeFHIR(w, status, b)
}

func faultAnswer(w http.ResponseWriter, f fakefault.Fault) int {
	switch f {
	case fakefault.Unavailable, fakefault.StallThenUnavailable:
		return outcome(w, http.StatusServiceUnavailable, "transient", "fake "+f.String())
	case fakefault.RateLimited:
		return outcome(w, http.StatusTooManyRequests, "throttled", "fake "+f.String())
	}
	return outcome(w, http.StatusInternalServerError, "exception", "fake "+f.String())
}
