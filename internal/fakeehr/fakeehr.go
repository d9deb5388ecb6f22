// Package fakeehr is a local stand-in for an EHR's FHIR R4 server and its
// SMART Backend Services token endpoint, for tests and demos: resources
// PUT, POSTed and read back with versions, kept in memory; tokens issued
// only for a client assertion signed by a registered key; every FHIR call
// checked for a live token; and faults on demand (the vocabulary the fake
// messaging providers share, internal/fakefault).
package fakeehr

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/carepath/carepath/internal/fakefault"
)

// Paths under the server's URL.
const (
	FHIRPath  = "/fhir"       // the FHIR base
	TokenPath = "/auth/token" // the token endpoint
)

// Request is one FHIR call, as a fault plan sees it and the log keeps it.
type Request struct {
	Method, Type, ID string
	Status           int // the answer (0 while a plan decides)
}

// Server is the fake EHR.
type Server struct {
	*httptest.Server

	// Plan, if set, decides the misbehaviour of each FHIR request (after
	// the queued faults of FailNext are used up).
	Plan func(r Request) fakefault.Plan
	// TokenLifetime is the lifetime of issued tokens (default 5 min).
	TokenLifetime time.Duration
	// Now is the fake's clock for assertion and token expiry (default time.Now).
	Now func() time.Time

	mu        sync.Mutex
	clients   map[string]client    // by client_id
	tokens    map[string]token     // by access token
	jtis      map[string]bool      // assertion IDs seen
	resources map[string][]version // by Type/id, oldest first
	queued    []queuedFault        // FailNext and RefuseNext, in order
	log       []Request            // FHIR requests, in order
	tokenReqs int                  // token requests answered 200
	nextID    int
	delay     time.Duration // Slow
	ledger    fakefault.Ledger
}

type version struct {
	body    []byte
	updated time.Time
}

type token struct {
	clientID string
	scopes   []string
	expires  time.Time
}

// New starts a fake EHR on a loopback port.
func New() *Server {
	s := newServer()
	s.Server = httptest.NewServer(s.mux())
	return s
}

// Start starts a fake EHR listening on addr (host:port), for a local demo
// of the EHR link: point CAREPATH_EHR_FHIR_URL at FHIRBase() and register
// carepath's key with RegisterKey. Stop it with Close.
func Start(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("fakeehr: listen on %s: %w", addr, err)
	}
	s := newServer()
	s.Server = httptest.NewUnstartedServer(s.mux())
	_ = s.Server.Listener.Close() // replaced by the one on addr; nothing was accepted on it
	s.Server.Listener = ln
	s.Server.Start()
	return s, nil
}

func newServer() *Server {
	return &Server{clients: map[string]client{}, tokens: map[string]token{}, jtis: map[string]bool{},
		resources: map[string][]version{}}
}

func (s *Server) mux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+TokenPath, s.serveToken)
	mux.HandleFunc("GET "+FHIRPath+"/.well-known/smart-configuration", s.serveSMARTConfiguration)
	mux.HandleFunc(FHIRPath+"/", s.serveFHIR)
	return mux
}

// FHIRBase is the FHIR base URL carepath pushes to.
func (s *Server) FHIRBase() string { return s.URL + FHIRPath }

// TokenURL is the token endpoint (the assertion's aud).
func (s *Server) TokenURL() string { return s.URL + TokenPath }

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Server) serveSMARTConfiguration(w http.ResponseWriter, _ *http.Request) {
	fakefault.WriteJSON(w, http.StatusOK, map[string]any{
		"token_endpoint":                                   s.TokenURL(),
		"grant_types_supported":                            []string{"client_credentials"},
		"token_endpoint_auth_methods_supported":            []string{"private_key_jwt"},
		"token_endpoint_auth_signing_alg_values_supported": []string{"ES384", "RS384"},
		"scopes_supported":                                 []string{"system/*.read", "system/*.write"},
		"capabilities":                                     []string{"client-confidential-asymmetric"},
	})
}

// queuedFault is one of FailNext's: a plan, or a plain refusal with a status.
type queuedFault struct {
	plan   fakefault.Plan
	status int
}

// FailNext makes the next n FHIR requests misbehave with fault (for
// example fakefault.Unavailable: 503, not applied; fakefault.AcceptThenError:
// applied, then 500).
func (s *Server) FailNext(n int, fault fakefault.Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.queued = append(s.queued, queuedFault{plan: fakefault.Plan{Fault: fault}})
	}
}

// RefuseNext answers the next n FHIR requests with status (500, 503, ...)
// without applying them.
func (s *Server) RefuseNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.queued = append(s.queued, queuedFault{status: status})
	}
}

// Slow delays every FHIR request by d (0: no delay).
func (s *Server) Slow(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.delay = d
}

// Faults reports how many times each fault was injected.
func (s *Server) Faults() map[fakefault.Fault]int { return s.ledger.Faults() }

// Requests is every FHIR request so far, in order, with its answer.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// TokensIssued is how many access tokens the token endpoint issued.
func (s *Server) TokensIssued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenReqs
}

// RevokeTokens invalidates every issued token: the next FHIR call with one
// gets 401.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens = map[string]token{}
}

// plan takes the next queued fault, else asks Plan; status != 0 is a
// plain refusal.
func (s *Server) plan(r Request) (p fakefault.Plan, status int) {
	s.mu.Lock()
	if len(s.queued) > 0 {
		q := s.queued[0]
		s.queued = s.queued[1:]
		s.mu.Unlock()
		return q.plan, q.status
	}
	p.Latency = s.delay
	s.mu.Unlock()
	if s.Plan != nil {
		p = s.Plan(r)
		p.Latency = max(p.Latency, s.delay)
	}
	return p, 0
}

// authorized checks the bearer token and its scope for the access
// ("read" or "write") on the type.
func (s *Server) authorized(r *http.Request, typ, access string) (status int, ok bool) {
	tok, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !found {
		return http.StatusUnauthorized, false
	}
	s.mu.Lock()
	t, live := s.tokens[tok]
	s.mu.Unlock()
	if !live || !s.now().Before(t.expires) {
		return http.StatusUnauthorized, false
	}
	for _, sc := range t.scopes {
		if scopeAllows(sc, typ, access) {
			return 0, true
		}
	}
	return http.StatusForbidden, false
}

// scopeAllows reads a SMART scope (v1 system/Type.read|write|*, v2
// system/Type.rs|cud).
func scopeAllows(scope, typ, access string) bool {
	rest, ok := strings.CutPrefix(scope, "system/")
	if !ok {
		return false
	}
	t, perm, ok := strings.Cut(rest, ".")
	if !ok || (t != "*" && t != typ) {
		return false
	}
	switch perm {
	case "*", access:
		return true
	case "read", "write":
		return false
	}
	// v2: letters c r u d s
	if access == "read" {
		return strings.ContainsAny(perm, "rs")
	}
	return strings.ContainsAny(perm, "cu")
}
