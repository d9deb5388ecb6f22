package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/carepath/carepath/codec"
	"github.com/carepath/carepath/internal/embedded"
)

// split is carepath as a deployment runs it at scale: `carepath api` and
// `carepath worker` as two processes on the same Temporal and PostgreSQL,
// so each one's memory and CPU are measured on their own.
type split struct {
	api, worker *child
	apiBase     string // http://host:port
	workerAddr  string // the worker's /metrics and /healthz
}

// startSplit migrates the database, then starts api and worker with
// stickyCache as the worker's CAREPATH_STICKY_CACHE_SIZE (-1: carepath's
// default) and waits until both are healthy.
func startSplit(ctx context.Context, st *stack, stickyCache int) (_ *split, err error) {
	key, err := codec.NewKeyLine("bench")
	if err != nil {
		return nil, err
	}
	apiPort, err := embedded.FreePort()
	if err != nil {
		return nil, err
	}
	metricsPort, err := embedded.FreePort()
	if err != nil {
		return nil, err
	}
	s := &split{apiBase: fmt.Sprintf("http://127.0.0.1:%d", apiPort), workerAddr: fmt.Sprintf("127.0.0.1:%d", metricsPort)}
	common := map[string]string{
		"TEMPORAL_ADDRESS":         st.temporalAddress,
		"DATABASE_URL":             st.databaseURL,
		"CAREPATH_ENCRYPTION_KEYS": key,
		"CAREPATH_LOG_LEVEL":       "warn",
		"TWILIO_ACCOUNT_SID":       benchSID,
		"TWILIO_AUTH_TOKEN":        benchAuthToken,
		"TWILIO_FROM_NUMBER":       carepathFrom,
		"TWILIO_API_URL":           st.twilio.URL,
		"CAREPATH_SMS_PER_SECOND":  "1000",
		"CAREPATH_HTTP_ADDR":       strings.TrimPrefix(s.apiBase, "http://"),
		"CAREPATH_PUBLIC_URL":      s.apiBase,
	}
	if err := st.runChild(ctx, "migrate", "carepath-migrate.log", common); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.stop())
		}
	}()
	if s.api, err = st.startChild(ctx, "api", "carepath-api.log", with(common, map[string]string{"CAREPATH_BOOTSTRAP_API_KEY": benchAdminKey})); err != nil {
		return s, err
	}
	s.api.base = s.apiBase
	if err := s.api.waitHealthy(ctx, 2*time.Minute); err != nil {
		return s, err
	}
	we := with(common, map[string]string{"CAREPATH_METRICS_ADDR": s.workerAddr})
	if stickyCache >= 0 {
		we["CAREPATH_STICKY_CACHE_SIZE"] = fmt.Sprint(stickyCache)
	}
	if s.worker, err = st.startChild(ctx, "worker", "carepath-worker.log", we); err != nil {
		return s, err
	}
	s.worker.base = "http://" + s.workerAddr
	return s, s.worker.waitHealthy(ctx, 2*time.Minute)
}

// stop stops the worker, then the API.
func (s *split) stop() error {
	if s == nil {
		return nil
	}
	return errors.Join(s.worker.stop(), s.api.stop())
}
