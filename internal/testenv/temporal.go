package testenv

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/carepath/carepath/internal/embedded"
)

var namespaces int

// Namespace registers a fresh namespace on the shared Temporal server for
// one test and returns its name once it takes work. A worker in the next
// test then never picks up a journey this test left running, nor finds its
// singleton workflows.
func Namespace(t testing.TB) string {
	t.Helper()
	s := Get(t)
	if s.TemporalAddress == "" {
		t.Fatal("testenv: Temporal not started; use Needs{Temporal: true}")
	}
	mu.Lock()
	namespaces++
	name := fmt.Sprintf("test-%d", namespaces)
	mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	nc, err := client.NewNamespaceClient(client.Options{HostPort: s.TemporalAddress, Logger: quietLogger{}})
	if err != nil {
		t.Fatalf("testenv: namespace client: %v", err)
	}
	defer nc.Close()
	if err := nc.Register(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: name, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
	}); err != nil {
		t.Fatalf("testenv: register namespace %s: %v", name, err)
	}
	c, err := client.Dial(client.Options{HostPort: s.TemporalAddress, Namespace: name, Logger: quietLogger{}})
	if err != nil {
		t.Fatalf("testenv: dial namespace %s: %v", name, err)
	}
	defer c.Close()
	// The server's namespace cache reads a new namespace through on a
	// miss; wait until a namespaced call succeeds rather than trusting it.
	for {
		_, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: name, PageSize: 1})
		var nf *serviceerror.NamespaceNotFound
		if err == nil {
			return name
		}
		if !errors.As(err, &nf) || ctx.Err() != nil {
			t.Fatalf("testenv: namespace %s not usable: %v", name, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TemporalBin finds the temporal CLI for tests: CAREPATH_TEMPORAL_BIN, PATH,
// or <module root>/bin/temporal (built by `make temporal-cli`).
func TemporalBin() (string, error) {
	if p := os.Getenv("CAREPATH_TEMPORAL_BIN"); p != "" {
		return embedded.FindTemporal(p)
	}
	if p, err := embedded.FindTemporal(""); err == nil {
		return p, nil
	}
	root, err := ModuleRoot()
	if err != nil {
		return "", err
	}
	return embedded.FindTemporal(filepath.Join(root, "bin", "temporal"))
}

// quietLogger silences the SDK's connection chatter in test output.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
