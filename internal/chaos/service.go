package chaos

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// service is one carepath process (api or worker) under a supervisor: the
// harness kills it on purpose and restarts it as systemd would; an exit the
// harness did not cause is reported through onCrash (and restarted too, so
// the run goes on).
type service struct {
	name    string
	bin     string
	args    []string
	env     []string
	logPath string
	onCrash func(name string, err error)

	mu       sync.Mutex
	cmd      *exec.Cmd
	done     chan struct{}
	killing  bool // the harness is killing it: the exit is expected
	stopped  bool // the harness has shut it down for good
	restarts int
}

func (s *service) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.startLocked()
}

func (s *service) startLocked() error {
	logf, err := os.OpenFile(s.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open %s log: %w", s.name, err)
	}
	cmd := exec.Command(s.bin, s.args...)
	cmd.Env = s.env
	cmd.Stdout, cmd.Stderr = logf, logf
	// Pdeathsig: a harness that dies (test timeout, ^C) takes its processes with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return errors.Join(fmt.Errorf("start %s: %w", s.name, err), logf.Close())
	}
	done := make(chan struct{})
	s.cmd, s.done, s.killing = cmd, done, false
	go func() {
		err := cmd.Wait()
		cerr := logf.Close()
		close(done)
		if cerr != nil {
			// The log is the evidence a crash report quotes: losing it fails the run.
			s.onCrash(s.name, fmt.Errorf("close %s log: %w", s.name, cerr))
		}
		s.mu.Lock()
		expected := s.killing || s.stopped
		s.mu.Unlock()
		if !expected {
			s.onCrash(s.name, err)
			time.Sleep(time.Second)
			s.mu.Lock()
			if !s.stopped && s.cmd == cmd {
				s.restarts++
				if err := s.startLocked(); err != nil {
					s.onCrash(s.name, err)
				}
			}
			s.mu.Unlock()
		}
	}()
	return nil
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *service) kill() error {
	s.mu.Lock()
	if s.cmd == nil || s.exited() {
		s.mu.Unlock()
		return errors.New(s.name + " is not running")
	}
	s.killing = true
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("kill %s: %w", s.name, err)
	}
	<-done
	return nil
}

// restart starts the process again after a kill (the supervisor's job).
func (s *service) restart() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return nil
	}
	s.restarts++
	return s.startLocked()
}

// alive reports whether the process is running.
func (s *service) alive() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd != nil && !s.exited()
}

// exited is called with mu held.
func (s *service) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// shutdown stops the process for good: SIGTERM, then SIGKILL after grace.
func (s *service) shutdown(grace time.Duration) {
	s.mu.Lock()
	s.stopped = true
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(grace):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
	}
}
