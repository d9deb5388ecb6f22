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
	// UI starts the Temporal UI when a UI binary is available.
	UI bool
	// Log receives one-line progress notices; may be nil.
	Log func(format string, args ...any)
}

// Cluster is a running Temporal cluster.
type Cluster struct {
	Address   string // the frontend's host:port, what TEMPORAL_ADDRESS names
	Namespace string
	UIAddress string // http://host:port of the UI; empty without one
}

// Start builds nothing: it finds the server and sql-tool binaries (Bins),
// sets up the schemas, starts every service and waits until the namespace
// answers. Stop it with Stop.
func Start(ctx context.Context, o Options) (*Cluster, error) {
	return nil, errors.New("tcluster: not built yet")
}

// Kill SIGKILLs one service's process (the history service, say, mid-run).
func (c *Cluster) Kill(s Service) error { return errors.New("tcluster: not built yet") }

// Restart starts a killed or stopped service again and waits until it is up.
func (c *Cluster) Restart(ctx context.Context, s Service) error {
	return errors.New("tcluster: not built yet")
}

// Stop stops every service (and the private PostgreSQL), last started first.
func (c *Cluster) Stop() error { return nil }
