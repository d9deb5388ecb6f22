package codec

import (
	"net/http"

	"go.temporal.io/sdk/converter"
)

// Authorizer decides whether a request may use the codec (it decrypts PHI).
type Authorizer func(r *http.Request) bool

// Handler serves POST /encode and POST /decode (the Temporal codec-server
// protocol used by the web UI and `temporal --codec-endpoint`) for callers
// the authorizer accepts, with CORS limited to one UI origin.
func Handler(c *Codec, allowedOrigin string, authorize Authorizer) http.Handler {
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
		if !authorize(r) {
			http.Error(w, "an API key (Authorization: Bearer) or a console session is required", http.StatusUnauthorized)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, 4<<20)
		inner.ServeHTTP(w, r)
	})
}
