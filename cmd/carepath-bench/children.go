package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// child is one running carepath command (dev, api, worker, migrate) the
// bench started, logging to a file in the bench's directory.
type child struct {
	name string // the command
	cmd  *exec.Cmd
	base string // http://host:port of its /healthz (API or metrics)
	log  string // its log file
	done chan error
}

// startChild runs `carepath <name>` with env and none of the bench's own
// CAREPATH_, TWILIO_, TEMPORAL_ADDRESS or DATABASE_URL settings (empty
// values are left unset), logging to <dir>/<logName>. The child dies with
// the bench.
func (s *stack) startChild(ctx context.Context, name, logName string, env map[string]string) (*child, error) {
	cmd := exec.CommandContext(ctx, s.carepathBin, name)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, set := env[k]; !set && !strings.HasPrefix(k, "CAREPATH_") && !strings.HasPrefix(k, "TWILIO_") &&
			k != "TEMPORAL_ADDRESS" && k != "DATABASE_URL" {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	for k, v := range env {
		if v != "" {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	path := filepath.Join(s.dir, logName)
	logFile, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("carepath %s log: %w", name, err)
	}
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGINT) }
	cmd.WaitDelay = time.Minute
	if err := cmd.Start(); err != nil {
		return nil, errors.Join(fmt.Errorf("start carepath %s: %w", name, err), logFile.Close())
	}
	c := &child{name: name, cmd: cmd, log: path, done: make(chan error, 1)}
	go func() {
		err := cmd.Wait()
		c.done <- errors.Join(err, logFile.Close())
	}()
	return c, nil
}

// runChild runs `carepath <name>` to its end (migrate).
func (s *stack) runChild(ctx context.Context, name, logName string, env map[string]string) error {
	c, err := s.startChild(ctx, name, logName, env)
	if err != nil {
		return err
	}
	if err := <-c.done; err != nil {
		return fmt.Errorf("carepath %s (see %s): %w", name, c.log, err)
	}
	return nil
}

// waitHealthy polls c's /healthz until it answers 200.
func (c *child) waitHealthy(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		select {
		case err := <-c.done:
			c.done <- err // stop reads it again
			return fmt.Errorf("carepath %s exited during start-up (see %s): %v", c.name, c.log, err)
		default:
		}
		if resp, err := http.Get(c.base + "/healthz"); err == nil {
			if _, err := readAll(resp); err == nil && resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("carepath %s not healthy within %s (see %s)", c.name, timeout, c.log)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// pid is the process's ID.
func (c *child) pid() int { return c.cmd.Process.Pid }

// stop asks the child to drain and stop, as Ctrl-C does; a nil child is
// already stopped.
func (c *child) stop() error {
	if c == nil {
		return nil
	}
	if err := c.cmd.Process.Signal(syscall.SIGINT); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("stop carepath %s: %w", c.name, err)
	}
	select {
	case err := <-c.done:
		if err != nil {
			return fmt.Errorf("carepath %s stopped with: %w", c.name, err)
		}
		return nil
	case <-time.After(90 * time.Second):
		return errors.Join(fmt.Errorf("carepath %s did not stop within 90s of SIGINT", c.name), c.cmd.Process.Kill())
	}
}

// with is a copy of base with extra's entries over it.
func with(base, extra map[string]string) map[string]string {
	out := maps.Clone(base)
	maps.Copy(out, extra)
	return out
}
