package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/carepath/carepath/internal/embedded"
	"github.com/carepath/carepath/internal/tcluster"
)

type fleetOptions struct {
	dir, bin      string
	apis, workers int
	databaseURL   string
	temporal      *tcluster.Cluster
	secrets       secrets
	codecPort     int
}

// fleet is carepath's processes: the api and worker processes and the
// codec server, each supervised.
type fleet struct {
	apis    []string // http://host:port
	workers []string // each worker's metrics and /healthz address
	codec   string
	procs   []*proc
}

func startFleet(ctx context.Context, o fleetOptions) (*fleet, error) {
	base := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"DATABASE_URL=" + o.databaseURL,
		"TEMPORAL_ADDRESS=" + o.temporal.Address,
		"TEMPORAL_NAMESPACE=" + o.temporal.Namespace,
		"CAREPATH_DATA_DIR=" + o.dir,
		"CAREPATH_ENCRYPTION_KEY_FILE=" + o.secrets.keyFile,
		"CAREPATH_SANDBOX_MESSAGING=true",
	}
	logDir := filepath.Join(o.dir, "logs")
	if err := os.MkdirAll(logDir, 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", logDir, err)
	}
	migrate := exec.CommandContext(ctx, o.bin, "migrate")
	migrate.Env = base
	if out, err := migrate.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("carepath migrate: %w\n%s", err, out)
	}
	logf("carepath database migrated")

	f := &fleet{}
	ok := false
	defer func() {
		if !ok {
			_ = f.stop() // the start error is the one to report
		}
	}()
	add := func(name string, args []string, env ...string) error {
		p := &proc{name: name, bin: o.bin, args: args, env: append(append([]string(nil), base...), env...),
			logPath: filepath.Join(logDir, name+".log"), logf: logf}
		if err := p.start(); err != nil {
			return err
		}
		f.procs = append(f.procs, p)
		return nil
	}
	for i := range o.apis {
		port, err := embedded.FreePort()
		if err != nil {
			return nil, err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		env := []string{"CAREPATH_HTTP_ADDR=" + addr, "CAREPATH_PUBLIC_URL=http://" + addr,
			"CAREPATH_BOOTSTRAP_API_KEY=" + o.secrets.adminKey}
		if i == 0 { // one process ensures the admin account
			env = append(env, "CAREPATH_BOOTSTRAP_ADMIN_EMAIL="+o.secrets.adminEmail,
				"CAREPATH_BOOTSTRAP_ADMIN_PASSWORD="+o.secrets.adminPassword)
		}
		if err := add(fmt.Sprintf("api-%d", i+1), []string{"api"}, env...); err != nil {
			return nil, err
		}
		f.apis = append(f.apis, "http://"+addr)
	}
	for i := range o.workers {
		port, err := embedded.FreePort()
		if err != nil {
			return nil, err
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		if err := add(fmt.Sprintf("worker-%d", i+1), []string{"worker"}, "CAREPATH_METRICS_ADDR="+addr); err != nil {
			return nil, err
		}
		f.workers = append(f.workers, "http://"+addr)
	}
	f.codec = fmt.Sprintf("http://127.0.0.1:%d", o.codecPort)
	codecEnv := []string{fmt.Sprintf("CAREPATH_CODEC_ADDR=127.0.0.1:%d", o.codecPort)}
	if o.temporal.UIAddress != "" { // the UI's page calls the codec server from the browser
		codecEnv = append(codecEnv, "CAREPATH_CODEC_CORS_ORIGIN="+o.temporal.UIAddress)
	}
	if err := add("codec-server", []string{"codec-server"}, codecEnv...); err != nil {
		return nil, err
	}
	if err := f.waitHealthy(ctx, 2*time.Minute); err != nil {
		return nil, err
	}
	logf("carepath up: %d api and %d worker processes", len(f.apis), len(f.workers))
	ok = true
	return f, nil
}

// waitHealthy waits until every api and worker answers /healthz.
func (f *fleet) waitHealthy(ctx context.Context, timeout time.Duration) error {
	urls := append(append([]string(nil), f.apis...), f.workers...)
	deadline := time.Now().Add(timeout)
	probe := &http.Client{Timeout: 3 * time.Second}
	for _, u := range urls {
		for {
			resp, err := probe.Get(u + "/healthz")
			if err == nil {
				_ = resp.Body.Close() // the status is the answer
				if resp.StatusCode == http.StatusOK {
					break
				}
				err = fmt.Errorf("status %d", resp.StatusCode)
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s/healthz not healthy after %s: %v (logs in %s)", u, timeout, err, filepath.Dir(f.procs[0].logPath))
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(500 * time.Millisecond):
			}
		}
	}
	return nil
}

// stop stops every process at once (each drains on SIGTERM).
func (f *fleet) stop() error {
	var wg sync.WaitGroup
	errs := make([]error, len(f.procs))
	for i, p := range f.procs {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = p.stop(20 * time.Second) }()
	}
	wg.Wait()
	return errors.Join(errs...)
}
