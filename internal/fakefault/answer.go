package fakefault

import (
	"encoding/json"
	"net/http"
)

// WriteJSON answers with status and v as JSON. An answer that cannot be
// written means the client has gone (timed out or hung up, as chaos
// clients do on purpose): a fake has no one left to tell, and the client
// already sees the transport error it is being tested on.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// HangUp closes the connection without an answer, as a provider that dies
// mid-request does, and reports whether it could.
func HangUp(w http.ResponseWriter) bool {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return false
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return false
	}
	_ = conn.Close() // hanging up is the point: a failed close leaves nothing to undo
	return true
}
