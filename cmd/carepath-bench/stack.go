package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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

// child is a running `carepath dev`.
type child struct {
	cmd  *exec.Cmd
	base string // http://host:port of its API
	done chan error
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
	cmd := exec.CommandContext(ctx, s.carepathBin, "dev")
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); env[k] == "" && !strings.HasPrefix(k, "CAREPATH_") && !strings.HasPrefix(k, "TWILIO_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		if v != "" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	logFile, err := os.OpenFile(filepath.Join(s.dir, "carepath.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("carepath log: %w", err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = time.Minute
	if err := cmd.Start(); err != nil {
		return errors.Join(fmt.Errorf("start carepath: %w", err), logFile.Close())
	}
	c := &child{cmd: cmd, base: "http://" + addr, done: make(chan error, 1)}
	go func() {
		err := cmd.Wait()
		c.done <- errors.Join(err, logFile.Close())
	}()
	s.carepath = c
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case err := <-c.done:
			s.carepath = nil
			return fmt.Errorf("carepath exited during start-up (see %s): %v", filepath.Join(s.dir, "carepath.log"), err)
		default:
		}
		if resp, err := http.Get(c.base + "/healthz"); err == nil {
			if _, err := readAll(resp); err == nil && resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return errors.New("carepath not healthy after 2 minutes")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop asks carepath to drain and stop, as Ctrl-C does.
func (c *child) stop() error {
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil {
		return fmt.Errorf("stop carepath: %w", err)
	}
	select {
	case err := <-c.done:
		if err != nil {
			return fmt.Errorf("carepath stopped with: %w", err)
		}
		return nil
	case <-time.After(90 * time.Second):
		return errors.Join(errors.New("carepath did not stop within 90s of SIGINT"), c.cmd.Process.Kill())
	}
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
