// Package embedded starts the services carepath needs on a laptop or in
// tests from binaries already on the machine: a private PostgreSQL cluster
// and a Temporal dev server. Nothing here is used in production, where
// DATABASE_URL and TEMPORAL_ADDRESS point at managed services.
package embedded

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// process is a child service. It dies with its parent (Pdeathsig), so an
// abrupt end of carepath never leaves an orphan holding the data directory.
type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error
}

func startProcess(name string, cmd *exec.Cmd, logPath string, cred *syscall.Credential) (*process, error) {
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open %s log: %w", name, err)
	}
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	// Setpgid keeps a terminal's Ctrl-C away from the child: carepath stops
	// its services itself, in order, after the worker and API have drained.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true, Credential: cred}
	if err := cmd.Start(); err != nil {
		return nil, errors.Join(fmt.Errorf("start %s: %w", name, err), logFile.Close())
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		p.err = errors.Join(err, logFile.Close())
		close(p.done)
	}()
	return p, nil
}

// exited reports whether the process has ended.
func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends sig and waits up to grace before killing.
func (p *process) stop(sig os.Signal, grace time.Duration) error {
	if p.exited() {
		return nil
	}
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("signal %s: %w", p.name, err)
	}
	select {
	case <-p.done:
		return nil
	case <-time.After(grace):
		if err := p.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
			return fmt.Errorf("kill %s: %w", p.name, err)
		}
		<-p.done
		return fmt.Errorf("%s did not stop within %s and was killed", p.name, grace)
	}
}

// kill crashes the service: SIGKILL to every process under it and to its
// whole group (Setpgid made it the leader), then waits for it to exit.
// The group alone is not enough: PostgreSQL's backends call setsid, so a
// group kill left them answering on open connections for a moment after
// the "crash". The tree is read before anything is killed, since orphans
// are re-parented and can no longer be found.
func (p *process) kill() error {
	if p.exited() {
		return nil
	}
	tree := descendants(p.cmd.Process.Pid)
	if err := syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("kill %s: %w", p.name, err)
	}
	for _, pid := range tree {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			return fmt.Errorf("kill %s: child %d: %w", p.name, pid, err)
		}
	}
	<-p.done
	// A signal is delivered asynchronously: wait until every process of the
	// tree has died, so the crash is complete when kill returns.
	deadline := time.Now().Add(10 * time.Second)
	for _, pid := range tree {
		for running(pid) {
			if time.Now().After(deadline) {
				return fmt.Errorf("kill %s: child %d still running 10s after SIGKILL", p.name, pid)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	return nil
}

// running reports whether pid is a live process: not gone, and not a
// zombie waiting to be reaped by whoever inherited it.
func running(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	// The state is the first field after the command name's parenthesis.
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z" && fields[0] != "X"
}

// descendants lists every process under pid, from Linux's
// /proc/<pid>/task/<tid>/children. Where that is unavailable it returns
// what it found: the group kill still covers children that kept the group.
func descendants(pid int) []int {
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", cur))
		if err != nil {
			continue // gone already, or no /proc
		}
		for _, t := range tasks {
			data, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", cur, t.Name()))
			if err != nil {
				continue
			}
			for _, f := range strings.Fields(string(data)) {
				child, err := strconv.Atoi(f)
				if err != nil {
					continue
				}
				out = append(out, child)
				queue = append(queue, child)
			}
		}
	}
	return out
}

// FreePort asks the kernel for a free TCP port on the loopback interface.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	return port, nil
}

// waitFor polls check until it succeeds, the process exits, or timeout.
func waitFor(p *process, timeout time.Duration, logPath string, check func() error) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if p.exited() {
			return fmt.Errorf("%s exited during start-up (%v); see %s", p.name, p.err, logPath)
		}
		if last = check(); last == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready after %s (last error: %v); see %s", p.name, timeout, last, logPath)
}

// PID is the process ID of the cluster's postmaster (benchmarks read its
// resource use from /proc).
func (p *Postgres) PID() int { return p.proc.cmd.Process.Pid }

// PID is the dev server's process ID.
func (t *Temporal) PID() int { return t.proc.cmd.Process.Pid }
