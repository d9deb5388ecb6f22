package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/carepath/carepath/codec"
	"github.com/carepath/carepath/internal/embedded"
)

// fleet is carepath deployed as a fleet on the bench's Temporal and
// PostgreSQL: one `carepath api` and several `carepath worker` processes,
// as production runs it, so the outbound phase measures the fleet-wide
// send limit rather than one process's.
type fleet struct {
	api     *child
	workers []*child
}

// startFleet stops `carepath dev` and starts an api and n workers with
// sendsPerSecond as the per-number limit, using dev's encryption key file
// (journeys started under dev stay readable), and waits until all answer
// /healthz.
func (s *stack) startFleet(ctx context.Context, sendsPerSecond, n int) (*fleet, error) {
	if err := s.stopCarepath(); err != nil {
		return nil, err
	}
	port, err := embedded.FreePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	keyFile, err := fleetKeyFile(filepath.Join(s.dir, "carepath"))
	if err != nil {
		return nil, err
	}
	env := map[string]string{
		"TEMPORAL_ADDRESS":             s.temporalAddress,
		"TEMPORAL_NAMESPACE":           s.namespace,
		"DATABASE_URL":                 s.databaseURL,
		"CAREPATH_DATA_DIR":            filepath.Join(s.dir, "carepath"),
		"CAREPATH_ENCRYPTION_KEY_FILE": keyFile,
		"CAREPATH_HTTP_ADDR":           addr,
		"CAREPATH_PUBLIC_URL":          "http://" + addr,
		"CAREPATH_BOOTSTRAP_API_KEY":   benchAdminKey,
		"CAREPATH_LOG_LEVEL":           "warn",
		"CAREPATH_SMS_PER_SECOND":      fmt.Sprint(sendsPerSecond),
		"TWILIO_ACCOUNT_SID":           benchSID,
		"TWILIO_AUTH_TOKEN":            benchAuthToken,
		"TWILIO_FROM_NUMBER":           carepathFrom,
		"TWILIO_API_URL":               s.twilio.URL,
	}
	f := &fleet{}
	ok := false
	defer func() {
		if !ok {
			if err := f.stop(); err != nil {
				logf("fleet: %v", err)
			}
		}
	}()
	// Dev migrates as it starts; without it (the rate phase alone) nothing has.
	if err := s.runChild(ctx, "migrate", "fleet-migrate.log", env); err != nil {
		return nil, err
	}
	if f.api, err = s.startChild(ctx, "api", "fleet-api.log", env); err != nil {
		return nil, err
	}
	f.api.base = "http://" + addr
	for i := range n {
		mport, err := embedded.FreePort()
		if err != nil {
			return nil, err
		}
		maddr := fmt.Sprintf("127.0.0.1:%d", mport)
		w, err := s.startChild(ctx, "worker", fmt.Sprintf("fleet-worker-%d.log", i+1),
			with(env, map[string]string{"CAREPATH_METRICS_ADDR": maddr, "CAREPATH_HTTP_ADDR": ""}))
		if err != nil {
			return nil, fmt.Errorf("worker %d: %w", i+1, err)
		}
		w.base = "http://" + maddr
		f.workers = append(f.workers, w)
	}
	for _, c := range append([]*child{f.api}, f.workers...) {
		if err := c.waitHealthy(ctx, 2*time.Minute); err != nil {
			return nil, err
		}
	}
	ok = true
	return f, nil
}

// fleetKeyFile is dev's encryption key file in dir, made if dev has not
// run (the rate phase alone).
func fleetKeyFile(dir string) (string, error) {
	path := filepath.Join(dir, "encryption.keys")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	line, err := codec.NewKeyLine("bench1")
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("fleet key file: %w", err)
	}
	if err := os.WriteFile(path, []byte(line+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("fleet key file: %w", err)
	}
	return path, nil
}

// stop stops the workers, then the api.
func (f *fleet) stop() error {
	var errs []error
	for _, w := range f.workers {
		errs = append(errs, w.stop())
	}
	if f.api != nil {
		errs = append(errs, f.api.stop())
	}
	f.workers, f.api = nil, nil
	return errors.Join(errs...)
}
