package tcluster

import (
	"context"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"net"
	"strconv"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"
)

// retention is how long the registered namespace keeps closed workflows.
const retention = 72 * time.Hour

// freePorts picks n distinct free loopback ports below the kernel's
// ephemeral range (32768 and up on Linux): Temporal keeps membership ports
// in a smallint column, and a port outside that range cannot be taken by
// an outgoing connection while a killed service is down, so a restart gets
// its ports back.
func freePorts(n int) ([]int, error) {
	seen := map[int]bool{}
	var out []int
	for tries := 0; len(out) < n; tries++ {
		if tries > 1000 {
			return nil, fmt.Errorf("no %d free loopback ports between %d and %d", n, lowPort, highPort)
		}
		p := lowPort + mrand.IntN(highPort-lowPort)
		if seen[p] {
			continue
		}
		seen[p] = true
		l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
		if err != nil {
			continue // taken
		}
		if err := l.Close(); err != nil {
			return nil, fmt.Errorf("probe port %d: %w", p, err)
		}
		out = append(out, p)
	}
	return out, nil
}

// The range freePorts picks from.
const lowPort, highPort = 20000, 32000

// waitListening waits until a service's gRPC port accepts connections.
func (c *Cluster) waitListening(s Service) error {
	c.mu.Lock()
	p := c.procs[s]
	c.mu.Unlock()
	if p == nil {
		return fmt.Errorf("temporal %s is not running", s)
	}
	addr := "127.0.0.1:" + strconv.Itoa(c.ports[s].grpc)
	if s == Worker {
		// The worker service runs Temporal's system workflows as a client
		// of the frontend and serves no gRPC: alive after a moment is up.
		time.Sleep(2 * time.Second)
		return p.WaitReady(time.Second, func() error { return nil })
	}
	return p.WaitReady(2*time.Minute, func() error {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return err
		}
		return conn.Close()
	})
}

func (c *Cluster) dial() (client.Client, error) {
	return client.Dial(client.Options{HostPort: c.Address, Namespace: c.Namespace, Logger: quietLogger{}})
}

// registerNamespace registers the namespace unless it exists (a restart
// on the same databases).
func (c *Cluster) registerNamespace(ctx context.Context) error {
	deadline := time.Now().Add(2 * time.Minute)
	var last error
	for time.Now().Before(deadline) {
		if last = c.tryRegister(ctx); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("register namespace %s: %w (logs in %s)", c.Namespace, last, c.dir)
}

func (c *Cluster) tryRegister(ctx context.Context) error {
	nc, err := client.NewNamespaceClient(client.Options{HostPort: c.Address, Logger: quietLogger{}})
	if err != nil {
		return err
	}
	defer nc.Close()
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err = nc.Register(cctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: c.Namespace, WorkflowExecutionRetentionPeriod: durationpb.New(retention)})
	var exists *serviceerror.NamespaceAlreadyExists
	if err == nil || errors.As(err, &exists) {
		return nil
	}
	return err
}

// waitServing waits until the frontend knows the namespace and the history
// service answers through it: reading the history of a workflow that does
// not exist gets history's NotFound (not the namespace's, not Unavailable).
// A namespace just registered reaches the frontend's cache within seconds.
func (c *Cluster) waitServing(ctx context.Context, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	var last error
	for time.Now().Before(deadline) {
		if last = c.serving(ctx); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("temporal cluster not serving namespace %s after %s: %w (logs in %s)", c.Namespace, timeout, last, c.dir)
}

func (c *Cluster) serving(ctx context.Context) error {
	tc, err := c.dial()
	if err != nil {
		return err
	}
	defer tc.Close()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err = tc.WorkflowService().GetWorkflowExecutionHistory(cctx, &workflowservice.GetWorkflowExecutionHistoryRequest{
		Namespace: c.Namespace, Execution: &commonpb.WorkflowExecution{WorkflowId: "tcluster-readiness-probe"}})
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil
	}
	if err == nil {
		return errors.New("history of a missing workflow answered without an error")
	}
	return err
}

// quietLogger silences the SDK while the cluster is still starting.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
