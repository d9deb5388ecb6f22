package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/carepath/carepath/internal/embedded"
	"github.com/carepath/carepath/internal/faketwilio"
)

// Credentials the bench gives carepath and signs webhooks with.
const (
	benchAdminKey  = "cp_bench_admin_key_0123456789abcdef"
	benchSID       = "ACbench0000000000000000000000000"
	benchAuthToken = "benchauthtoken0123456789"
	carepathFrom   = "+15550007777" // carepath's sending number
	baselineFrom   = "+15550008888" // the baseline's, so the two never share a limit
)

// stack is what one bench run talks to: a Temporal server, a PostgreSQL
// database, the fake SMS provider, and carepath itself as a child process
// (`carepath dev` pointed at the first two), exactly as a deployment runs it.
type stack struct {
	dir             string
	temporalAddress string
	databaseURL     string
	namespace       string // Temporal's, for both sides
	temporalPID     int    // 0 when given TEMPORAL_ADDRESS or on a cluster
	postgresPID     int    // 0 when given DATABASE_URL
	twilio          *faketwilio.Server
	arrivals        *arrivals
	carepathBin     string
	pprofAddr       string

	carepath *child
	stops    []func() error
	// stopTemporal stops the server the bench started (the dev server or
	// the cluster); nil when it was given.
	stopTemporal func() error
}

// startStack starts what temporalAddress (unless devServer is false) and
// DATABASE_URL do not name.
func startStack(ctx context.Context, dir, carepathBin, temporalAddress string, devServer bool, logf func(string, ...any)) (*stack, error) {
	s := &stack{dir: dir, carepathBin: carepathBin,
		temporalAddress: temporalAddress, databaseURL: os.Getenv("DATABASE_URL"), namespace: "default"}
	if ns := os.Getenv("TEMPORAL_NAMESPACE"); ns != "" {
		s.namespace = ns
	}
	if s.temporalAddress == "" && devServer {
		bin, err := embedded.FindTemporal(os.Getenv("CAREPATH_TEMPORAL_BIN"))
		if err != nil {
			return nil, err
		}
		port, err := embedded.FreePort()
		if err != nil {
			return nil, err
		}
		logf("starting Temporal dev server")
		t, err := embedded.StartTemporal(ctx, embedded.TemporalOptions{Bin: bin, DBFile: filepath.Join(dir, "temporal.db"),
			Port: port, UIPort: -1, Namespace: s.namespace, LogPath: filepath.Join(dir, "temporal.log")})
		if err != nil {
			return nil, err
		}
		s.stopTemporal = t.Stop
		s.temporalAddress, s.temporalPID = t.Address, t.PID()
	}
	if s.databaseURL == "" {
		logf("starting PostgreSQL")
		pg, err := embedded.StartPostgres(ctx, embedded.PostgresOptions{Dir: filepath.Join(dir, "postgres"), Database: "carepath",
			Log: func(f string, a ...any) { logf(f, a...) }})
		if err != nil {
			return nil, errors.Join(err, s.stop())
		}
		s.stops = append(s.stops, pg.Stop)
		s.databaseURL, s.postgresPID = pg.URL, pg.PID()
	}
	s.arrivals = newArrivals()
	s.twilio = faketwilio.New()
	s.twilio.OnAccept = s.arrivals.record
	s.stops = append(s.stops, func() error { s.twilio.Close(); return nil })
	return s, nil
}

// stop stops carepath, then the services, last started first.
func (s *stack) stop() error {
	var err error
	if s.carepath != nil {
		err = s.carepath.stop()
	}
	if s.stopTemporal != nil {
		err = errors.Join(err, s.stopTemporal())
		s.stopTemporal = nil
	}
	for i := len(s.stops) - 1; i >= 0; i-- {
		err = errors.Join(err, s.stops[i]())
	}
	return err
}

// startCarepath runs `carepath dev` with sendsPerSecond as its per-number
// limit and waits until its API is healthy.
func (s *stack) startCarepath(ctx context.Context, sendsPerSecond int) error {
	port, err := embedded.FreePort()
	if err != nil {
		return err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	env := map[string]string{
		"TEMPORAL_ADDRESS":           s.temporalAddress,
		"TEMPORAL_NAMESPACE":         s.namespace,
		"DATABASE_URL":               s.databaseURL,
		"CAREPATH_DATA_DIR":          filepath.Join(s.dir, "carepath"),
		"CAREPATH_HTTP_ADDR":         addr,
		"CAREPATH_PUBLIC_URL":        "http://" + addr,
		"CAREPATH_BOOTSTRAP_API_KEY": benchAdminKey,
		"CAREPATH_CODEC_ADDR":        "127.0.0.1:0",
		"CAREPATH_LOG_LEVEL":         "warn",
		"CAREPATH_SMS_PER_SECOND":    fmt.Sprint(sendsPerSecond),
		"TWILIO_ACCOUNT_SID":         benchSID,
		"TWILIO_AUTH_TOKEN":          benchAuthToken,
		"TWILIO_FROM_NUMBER":         carepathFrom,
		"TWILIO_API_URL":             s.twilio.URL,
		"CAREPATH_PPROF_ADDR":        s.pprofAddr,
	}
	c, err := s.startChild(ctx, "dev", "carepath.log", env)
	if err != nil {
		return err
	}
	c.base = "http://" + addr
	s.carepath = c
	if err := c.waitHealthy(ctx, 2*time.Minute); err != nil {
		s.carepath = nil
		return errors.Join(err, c.stop())
	}
	return nil
}

// stopCarepath stops the running carepath.
func (s *stack) stopCarepath() error {
	if s.carepath == nil {
		return nil
	}
	err := s.carepath.stop()
	s.carepath = nil
	return err
}
