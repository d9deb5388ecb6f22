package embedded

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"go.temporal.io/sdk/client"
)

// TemporalCLIVersion is the CLI release that can still be built from the Go
// module proxy; `make temporal-cli` builds it into ./bin.
const TemporalCLIVersion = "v1.5.1"

// TemporalOptions says how to run a Temporal dev server.
type TemporalOptions struct {
	Bin       string // path to the temporal CLI; found with FindTemporal if empty
	DBFile    string // SQLite file; journeys survive a restart because of it
	Port      int    // gRPC port; 0 picks a free one
	UIPort    int    // web UI port; 0 picks a free one, -1 disables the UI
	Namespace string
	LogPath   string
	// SQLitePragmas are passed as --sqlite-pragma; nil means DefaultPragmas.
	SQLitePragmas []string
	// SearchAttributes registers custom search attributes (name → type).
	SearchAttributes map[string]string
}

// Temporal is a running dev server.
type Temporal struct {
	Address string
	UIURL   string // empty when headless
	proc    *process
	// What Restart needs to start the same server again.
	bin       string
	args      []string
	logPath   string
	namespace string
}

// FindTemporal returns the temporal CLI to use: explicit, then PATH, then
// ./bin/temporal, then beside the running executable.
func FindTemporal(explicit string) (string, error) {
	if explicit != "" {
		if isExecutable(explicit) {
			return explicit, nil
		}
		return "", fmt.Errorf("CAREPATH_TEMPORAL_BIN=%s is not an executable file", explicit)
	}
	if p, err := exec.LookPath("temporal"); err == nil {
		return p, nil
	}
	candidates := []string{filepath.Join("bin", "temporal")}
	if exe, err := os.Executable(); err == nil {
		candidates = append(candidates, filepath.Join(filepath.Dir(exe), "temporal"))
	}
	for _, c := range candidates {
		if isExecutable(c) {
			return filepath.Abs(c)
		}
	}
	return "", errors.New("the temporal CLI was not found: run `make temporal-cli` (builds " +
		"github.com/temporalio/cli/cmd/temporal@" + TemporalCLIVersion + " into ./bin), put `temporal` on PATH, " +
		"set CAREPATH_TEMPORAL_BIN, or set TEMPORAL_ADDRESS to an existing server")
}

// DefaultPragmas put the dev server's SQLite file in write-ahead-log mode
// with fsync at checkpoints: about 40% more workflow throughput on a
// laptop's disk (measured with `make bench`). A power cut can lose the last
// transactions; a dev server's state is not a production record.
var DefaultPragmas = []string{"journal_mode=wal", "synchronous=normal"}

// StartTemporal starts `temporal server start-dev` and waits until its
// frontend answers health checks.
func StartTemporal(ctx context.Context, o TemporalOptions) (*Temporal, error) {
	bin, err := FindTemporal(o.Bin)
	if err != nil {
		return nil, err
	}
	port := o.Port
	if port == 0 {
		if port, err = FreePort(); err != nil {
			return nil, err
		}
	}
	args := []string{"server", "start-dev",
		"--ip", "127.0.0.1",
		"--port", strconv.Itoa(port),
		"--log-level", "warn",
		"--namespace", o.Namespace,
	}
	if o.DBFile != "" { // else in memory: state is lost when the server stops
		args = append(args, "--db-filename", o.DBFile)
	}
	pragmas := o.SQLitePragmas
	if pragmas == nil {
		pragmas = DefaultPragmas
	}
	for _, p := range pragmas {
		args = append(args, "--sqlite-pragma", p)
	}
	for name, typ := range o.SearchAttributes {
		args = append(args, "--search-attribute", name+"="+typ)
	}
	t := &Temporal{Address: fmt.Sprintf("127.0.0.1:%d", port)}
	switch ui := o.UIPort; {
	case ui < 0:
		args = append(args, "--headless")
	default:
		if ui == 0 {
			if ui, err = FreePort(); err != nil {
				return nil, err
			}
		}
		args = append(args, "--ui-port", strconv.Itoa(ui))
		t.UIURL = fmt.Sprintf("http://127.0.0.1:%d", ui)
	}
	if o.DBFile != "" {
		if err := os.MkdirAll(filepath.Dir(o.DBFile), 0o700); err != nil {
			return nil, fmt.Errorf("create temporal data dir: %w", err)
		}
	}
	t.bin, t.args, t.logPath, t.namespace = bin, args, o.LogPath, o.Namespace
	if err := t.start(ctx); err != nil {
		return nil, err
	}
	return t, nil
}

// start runs the dev server and waits until its frontend answers.
func (t *Temporal) start(ctx context.Context) error {
	proc, err := startProcess("temporal dev server", exec.Command(t.bin, t.args...), t.logPath, nil)
	if err != nil {
		return err
	}
	err = waitFor(proc, 90*time.Second, t.logPath, func() error {
		c, err := client.Dial(client.Options{HostPort: t.Address, Namespace: t.namespace, Logger: quietLogger{}})
		if err != nil {
			return err
		}
		defer c.Close()
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		_, err = c.CheckHealth(cctx, &client.CheckHealthRequest{})
		return err
	})
	if err != nil {
		return errors.Join(err, proc.kill())
	}
	t.proc = proc
	return nil
}

// Kill crashes the server (SIGKILL to it and its children).
func (t *Temporal) Kill() error { return t.proc.kill() }

// Restart starts the server again on the same port and database file,
// after stopping it if it still runs (Stop or Kill first to keep it down
// for a while). Without a database file its state starts empty.
func (t *Temporal) Restart(ctx context.Context) error {
	if err := t.Stop(); err != nil {
		return err
	}
	return t.start(ctx)
}

// Stop asks the server to shut down and waits for its SQLite file to close.
func (t *Temporal) Stop() error { return t.proc.stop(syscall.SIGTERM, 20*time.Second) }

// quietLogger silences the SDK while we poll a server that is still starting.
type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
