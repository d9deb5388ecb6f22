package embedded

import (
	"os"
	"os/exec"
	"time"
)

// Process is a child service run the way this package runs its own: its
// output appended to a log, its own process group (a terminal's Ctrl-C is
// the parent's to pass on), and killed with its parent. internal/tcluster
// runs the Temporal server's services with it.
type Process struct {
	p       *process
	logPath string
}

// StartProcess starts cmd with its output appended to logPath.
func StartProcess(name string, cmd *exec.Cmd, logPath string) (*Process, error) {
	p, err := startProcess(name, cmd, logPath, nil)
	if err != nil {
		return nil, err
	}
	return &Process{p: p, logPath: logPath}, nil
}

// WaitReady polls check until it succeeds, failing early if the process
// exits and after timeout (both errors name the log).
func (p *Process) WaitReady(timeout time.Duration, check func() error) error {
	return waitFor(p.p, timeout, p.logPath, check)
}

// Exited reports whether the process has ended.
func (p *Process) Exited() bool { return p.p.exited() }

// Stop sends sig and waits up to grace before killing it.
func (p *Process) Stop(sig os.Signal, grace time.Duration) error { return p.p.stop(sig, grace) }

// Kill crashes the process: SIGKILL to it and everything under it.
func (p *Process) Kill() error { return p.p.kill() }

// PID is the process ID.
func (p *Process) PID() int { return p.p.cmd.Process.Pid }
