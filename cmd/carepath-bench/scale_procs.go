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

	"github.com/carepath/carepath/codec"
	"github.com/carepath/carepath/internal/embedded"
)

// split is carepath as a deployment runs it at scale: `carepath api` and
// `carepath worker` as two processes on the same Temporal and PostgreSQL,
// so each one's memory and CPU are measured on their own.
type split struct {
	api, worker *proc
	apiBase     string // http://host:port
	workerAddr  string // the worker's /metrics and /healthz
}

// proc is one running carepath command.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan error
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
	if out, err := carepathCommand(ctx, st, "migrate", common).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("carepath migrate: %w: %s", err, out)
	}
	defer func() {
		if err != nil {
			err = errors.Join(err, s.stop())
		}
	}()
	if s.api, err = startProc(ctx, st, "api", with(common, map[string]string{"CAREPATH_BOOTSTRAP_API_KEY": benchAdminKey})); err != nil {
		return s, err
	}
	if err := waitHealthy(ctx, s.api, s.apiBase+"/healthz"); err != nil {
		return s, err
	}
	we := with(common, map[string]string{"CAREPATH_METRICS_ADDR": s.workerAddr})
	if stickyCache >= 0 {
		we["CAREPATH_STICKY_CACHE_SIZE"] = fmt.Sprint(stickyCache)
	}
	if s.worker, err = startProc(ctx, st, "worker", we); err != nil {
		return s, err
	}
	return s, waitHealthy(ctx, s.worker, "http://"+s.workerAddr+"/healthz")
}

// with is a copy of base with extra's entries added.
func with(base, extra map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(extra))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}

// carepathCommand is `carepath <name>` with env and none of the bench's own
// CAREPATH_/TWILIO_ settings, logging to <dir>/<name>.log.
func carepathCommand(ctx context.Context, st *stack, name string, env map[string]string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, st.carepathBin, name)
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); env[k] == "" && !strings.HasPrefix(k, "CAREPATH_") && !strings.HasPrefix(k, "TWILIO_") &&
			k != "TEMPORAL_ADDRESS" && k != "DATABASE_URL" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	return cmd
}

// startProc starts `carepath <name>`; stop it with stop.
func startProc(ctx context.Context, st *stack, name string, env map[string]string) (*proc, error) {
	cmd := carepathCommand(ctx, st, name, env)
	logFile, err := os.OpenFile(filepath.Join(st.dir, "carepath-"+name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("carepath %s log: %w", name, err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = time.Minute
	if err := cmd.Start(); err != nil {
		return nil, errors.Join(fmt.Errorf("start carepath %s: %w", name, err), logFile.Close())
	}
	p := &proc{name: name, cmd: cmd, done: make(chan error, 1)}
	go func() { err := cmd.Wait(); p.done <- errors.Join(err, logFile.Close()) }()
	return p, nil
}

// pid is the process's ID.
func (p *proc) pid() int { return p.cmd.Process.Pid }

// waitHealthy polls url until it answers 200, for up to two minutes.
func waitHealthy(ctx context.Context, p *proc, url string) error {
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case err := <-p.done:
			p.done <- err
			return fmt.Errorf("carepath %s exited during start-up: %v", p.name, err)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		if resp, err := http.Get(url); err == nil {
			if _, err := readAll(resp); err == nil && resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("carepath %s not healthy after 2 minutes", p.name)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// stop asks the process to drain and stop, as Ctrl-C does.
func (p *proc) stop() error {
	if p == nil {
		return nil
	}
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop carepath %s: %w", p.name, err)
	}
	select {
	case err := <-p.done:
		if err != nil {
			return fmt.Errorf("carepath %s stopped with: %w", p.name, err)
		}
		return nil
	case <-time.After(90 * time.Second):
		return errors.Join(fmt.Errorf("carepath %s did not stop within 90s of SIGINT", p.name), p.cmd.Process.Kill())
	}
}

// stop stops the worker, then the API.
func (s *split) stop() error {
	if s == nil {
		return nil
	}
	return errors.Join(s.worker.stop(), s.api.stop())
}
