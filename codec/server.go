package codec

import (
	"net/http"
	"path"

	"go.temporal.io/sdk/converter"
)

// Caller is who asked the codec server, as the authorizer found them.
type Caller struct {
	// Actor is the caller as the audit trail names them ("user:<id>",
	// "api_key:<id>").
	Actor string
	// Allowed: the caller's role may use the codec (it decrypts PHI).
	Allowed bool
}

// Authorizer identifies a request's caller; known is false when the
// request carries no credentials it accepts (there is no one to name).
type Authorizer func(r *http.Request) (c Caller, known bool)

// Recorder writes one use of the codec ("decode" or "encode") by a known
// caller, allowed or not, to the audit trail before anything is decoded.
// An error refuses the request: a decode that cannot be recorded does not
// happen.
type Recorder func(r *http.Request, c Caller, op string) error

// Handler serves POST /encode and POST /decode (the Temporal codec-server
// protocol used by the web UI and `temporal --codec-endpoint`) for callers
// the authorizer allows, with CORS limited to one UI origin. Every request
// of a known caller is recorded first.
func Handler(c *Codec, allowedOrigin string, authorize Authorizer, record Recorder) http.Handler {
	inner := converter.NewPayloadCodecHTTPHandler(c)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" {
			if origin != allowedOrigin {
				http.Error(w, "origin not allowed", http.StatusForbidden)
				return
			}
			h := w.Header()
			h.Set("Access-Control-Allow-Origin", allowedOrigin)
			h.Set("Access-Control-Allow-Credentials", "true")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Namespace")
			h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			h.Add("Vary", "Origin")
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if r.Method != http.MethodPost {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		op := path.Base(r.URL.Path)
		if op != "decode" && op != "encode" {
			http.NotFound(w, r)
			return
		}
		caller, known := authorize(r)
		if known {
			if err := record(r, caller, op); err != nil {
				http.Error(w, "the audit trail is unavailable: nothing was decoded", http.StatusServiceUnavailable)
				return
			}
		}
		if !known || !caller.Allowed {
			http.Error(w, "an API key (Authorization: Bearer) or a console session of an admin or the care team is required", http.StatusUnauthorized)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 4<<20)
		inner.ServeHTTP(w, r)
	})
}
