package main

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/pprof"
	"time"
)

// servePprof serves Go's profiler on addr until ctx ends (CAREPATH_PPROF_ADDR),
// so a running carepath can be profiled under load without a rebuild. A
// failure to listen is logged, not fatal: profiling is a diagnostic.
func servePprof(ctx context.Context, addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := serveUntilDone(ctx, "pprof", srv, addr, time.Second, func(a string) { log.Info("pprof listening", "addr", a) }); err != nil {
			log.Error("pprof server", "error", err)
		}
	}()
}
