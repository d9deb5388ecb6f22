// Package tcluster runs a real Temporal server as a cluster on one machine:
// go.temporal.io/server's `server` command (built once into ./bin, never
// imported into carepath's module) with PostgreSQL persistence and
// visibility set up by its `tools/sql` command, and the frontend, history,
// matching and worker services as separate processes on loopback. `make
// cluster`, the cluster test and `make bench -cluster` run on it.
package tcluster

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/carepath/carepath/internal/embedded"
)

// Service is one of the Temporal server's services, each its own process.
type Service string

// The services, in start order.
const (
	Frontend Service = "frontend"
	History  Service = "history"
	Matching Service = "matching"
	Worker   Service = "worker"
)

// Options say where the cluster lives.
type Options struct {
	// Dir holds the cluster's PostgreSQL (unless PostgresURL is set), its
	// config and one log per service.
	Dir string
	// PostgresURL is an existing server to keep Temporal's two databases
	// in (created if missing); empty starts a private one under Dir.
	PostgresURL string
	// Namespace is registered once the frontend answers ("default" if empty).
	Namespace string
	// UI starts the Temporal UI when a UI binary is available
	// (bin/temporal-ui-server, `make temporal-server` builds it).
	UI bool
	// UICodecEndpoint is the codec server the UI decodes payloads with
	// (carepath's codec-server), if any.
	UICodecEndpoint string
	// Log receives one-line progress notices; may be nil.
	Log func(format string, args ...any)
}

// Cluster is a running Temporal cluster.
type Cluster struct {
	Address   string // the frontend's host:port, what TEMPORAL_ADDRESS names
	Namespace string
	UIAddress string // http://host:port of the UI; empty without one
	// PostgresURL is the server Temporal's databases are on.
	PostgresURL string

	dir    string
	bin    string
	logf   func(string, ...any)
	ports  map[Service]ports
	pg     *embedded.Postgres // nil when Options.PostgresURL was given
	mu     sync.Mutex
	procs  map[Service]*embedded.Process
	ui     *embedded.Process
	closed bool
}

// services in start order; Stop goes the other way.
var services = []Service{Frontend, History, Matching, Worker}

// Start builds nothing: it finds the server and sql-tool binaries (Bins),
// sets up the schemas, starts every service and waits until the namespace
// answers. Stop it with Stop.
func Start(ctx context.Context, o Options) (_ *Cluster, err error) {
	server, sqlTool, err := Bins()
	if err != nil {
		return nil, err
	}
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	logf := o.Log
	if logf == nil {
		logf = func(string, ...any) {}
	}
	if err := os.MkdirAll(o.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("create the cluster dir: %w", err)
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Namespace: o.Namespace, dir: dir, bin: server, logf: logf, procs: map[Service]*embedded.Process{}}
	defer func() {
		if err != nil {
			err = errors.Join(err, c.Stop())
		}
	}()
	c.PostgresURL = o.PostgresURL
	if c.PostgresURL == "" {
		pg, err := embedded.StartPostgres(ctx, embedded.PostgresOptions{Dir: filepath.Join(dir, "postgres", "data"),
			Database: "temporal", Log: logf})
		if err != nil {
			return nil, fmt.Errorf("start Temporal's PostgreSQL: %w", err)
		}
		c.pg, c.PostgresURL = pg, pg.URL
		logf("temporal: PostgreSQL up (%s)", filepath.Join(dir, "postgres"))
	}
	if err := setUpSchemas(ctx, c.PostgresURL, sqlTool, filepath.Join(dir, "sql-tool.log")); err != nil {
		return nil, err
	}
	logf("temporal: schemas set up (numHistoryShards %d)", numHistoryShards)
	db, err := parseDB(c.PostgresURL)
	if err != nil {
		return nil, err
	}
	free, err := freePorts(2*len(services) + 1)
	if err != nil {
		return nil, err
	}
	c.ports = map[Service]ports{}
	for i, s := range services {
		c.ports[s] = ports{grpc: free[2*i], membership: free[2*i+1]}
	}
	if err := writeConfig(dir, db, c.ports, free[len(free)-1]); err != nil {
		return nil, err
	}
	c.Address = "127.0.0.1:" + strconv.Itoa(c.ports[Frontend].grpc)
	// The frontend first: on new databases every process writes the
	// cluster's metadata record at start, and the ones that lose the race
	// exit. The other three then start at once (they find each other
	// through the membership table).
	if err := c.start(Frontend); err != nil {
		return nil, err
	}
	if err := c.waitListening(Frontend); err != nil {
		return nil, err
	}
	for _, s := range services[1:] {
		if err := c.start(s); err != nil {
			return nil, err
		}
	}
	for _, s := range services[1:] {
		if err := c.waitListening(s); err != nil {
			return nil, err
		}
	}
	if err := c.registerNamespace(ctx); err != nil {
		return nil, err
	}
	if err := c.waitServing(ctx, 2*time.Minute); err != nil {
		return nil, err
	}
	logf("temporal: frontend %s, namespace %s", c.Address, c.Namespace)
	if o.UI {
		if err := c.startUI(o.UICodecEndpoint); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// start runs one service's process.
func (c *Cluster) start(s Service) error {
	cmd := exec.Command(c.bin, "--root", c.dir, "--config", "config", "--env", configEnv, "--allow-no-auth",
		"start", "--service", string(s))
	p, err := embedded.StartProcess("temporal "+string(s), cmd, c.logPath(s))
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.procs[s] = p
	c.mu.Unlock()
	return nil
}

// logPath is a service's log: Dir/temporal-<service>.log.
func (c *Cluster) logPath(s Service) string {
	return filepath.Join(c.dir, "temporal-"+string(s)+".log")
}

// LogPath is where one service's output goes.
func (c *Cluster) LogPath(s Service) string { return c.logPath(s) }

// Dir is the cluster's directory.
func (c *Cluster) Dir() string { return c.dir }

// PID is a running service's process ID (0 when it is down).
func (c *Cluster) PID(s Service) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p := c.procs[s]; p != nil && !p.Exited() {
		return p.PID()
	}
	return 0
}

// Kill SIGKILLs one service's process (the history service, say, mid-run).
func (c *Cluster) Kill(s Service) error {
	c.mu.Lock()
	p := c.procs[s]
	c.procs[s] = nil
	c.mu.Unlock()
	if p == nil {
		return fmt.Errorf("temporal %s is not running", s)
	}
	return p.Kill()
}

// Restart starts a killed or stopped service again and waits until it is up.
func (c *Cluster) Restart(ctx context.Context, s Service) error {
	c.mu.Lock()
	p, closed := c.procs[s], c.closed
	c.procs[s] = nil
	c.mu.Unlock()
	if closed {
		return errors.New("tcluster: stopped")
	}
	if p != nil {
		if err := p.Stop(syscall.SIGTERM, 20*time.Second); err != nil {
			return err
		}
	}
	if err := c.start(s); err != nil {
		return err
	}
	if err := c.waitListening(s); err != nil {
		return err
	}
	return c.waitServing(ctx, 2*time.Minute)
}

// Stop stops every service (and the private PostgreSQL), last started first.
func (c *Cluster) Stop() error {
	c.mu.Lock()
	c.closed = true
	procs := c.procs
	c.procs = map[Service]*embedded.Process{}
	ui := c.ui
	c.ui = nil
	c.mu.Unlock()
	var errs []error
	if ui != nil {
		errs = append(errs, ui.Stop(syscall.SIGTERM, 10*time.Second))
	}
	for i := len(services) - 1; i >= 0; i-- {
		if p := procs[services[i]]; p != nil {
			errs = append(errs, p.Stop(syscall.SIGTERM, 20*time.Second))
		}
	}
	if c.pg != nil {
		errs = append(errs, c.pg.Stop())
		c.pg = nil
	}
	return errors.Join(errs...)
}
