package main

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// workerHealth answers a standalone worker's /healthz (beside /metrics):
// 200 when its worker runs and PostgreSQL and Temporal answer, else 503
// naming what is degraded. The process stays up either way; this is for
// operators and the chaos suite to see it recover by itself.
func (a *app) workerHealth(sup *supervisor) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		state, _ := sup.status()
		checks := map[string]string{"worker": state}
		ok := state == workerRunning
		for name, err := range a.engine.Health(ctx) {
			checks[name] = "ok"
			if err != nil {
				checks[name], ok = "unavailable", false
			}
		}
		status, code := "ok", http.StatusOK
		if !ok {
			status, code = "unavailable", http.StatusServiceUnavailable
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]any{"status": status, "checks": checks}) // the client went away
	})
}
