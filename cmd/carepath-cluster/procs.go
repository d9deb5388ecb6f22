package main

import (
	"fmt"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/carepath/carepath/internal/embedded"
)

// proc is one carepath process under a supervisor: an exit it did not ask
// for is logged and the process started again a second later, as systemd
// or Kubernetes would.
type proc struct {
	name    string
	bin     string
	args    []string
	env     []string
	logPath string
	logf    func(string, ...any)

	mu      sync.Mutex
	p       *embedded.Process
	stopped bool
	done    chan struct{}
}

func (p *proc) start() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.startLocked(); err != nil {
		return err
	}
	p.done = make(chan struct{})
	go p.supervise()
	return nil
}

func (p *proc) startLocked() error {
	cmd := exec.Command(p.bin, p.args...)
	cmd.Env = p.env
	ep, err := embedded.StartProcess(p.name, cmd, p.logPath)
	if err != nil {
		return err
	}
	p.p = ep
	return nil
}

// supervise restarts the process whenever it exits on its own.
func (p *proc) supervise() {
	defer close(p.done)
	for {
		time.Sleep(time.Second)
		p.mu.Lock()
		if p.stopped {
			p.mu.Unlock()
			return
		}
		if p.p.Exited() {
			p.logf("%s exited (see %s); starting it again", p.name, p.logPath)
			if err := p.startLocked(); err != nil {
				p.logf("restart %s: %v", p.name, err)
			}
		}
		p.mu.Unlock()
	}
}

// stop ends the process for good: SIGTERM, SIGKILL after grace.
func (p *proc) stop(grace time.Duration) error {
	p.mu.Lock()
	p.stopped = true
	ep, done := p.p, p.done
	p.mu.Unlock()
	if done != nil {
		<-done
	}
	if ep == nil {
		return nil
	}
	if err := ep.Stop(syscall.SIGTERM, grace); err != nil {
		return fmt.Errorf("stop %s: %w", p.name, err)
	}
	return nil
}
