// Command carepath-cluster (`make cluster`) runs carepath the way a fleet
// does, on one machine: a real Temporal cluster on PostgreSQL (its
// frontend, history, matching and worker services as separate processes;
// internal/tcluster), a private PostgreSQL, and carepath with two `api` and
// three `worker` processes plus the codec server, all on loopback, with
// sandbox messaging as `make run` has. It prints the addresses and runs
// until Ctrl-C, then stops everything, carepath first.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/carepath/carepath/internal/embedded"
	"github.com/carepath/carepath/internal/tcluster"
)

func main() {
	var o options
	flag.StringVar(&o.dir, "dir", filepath.Join(".data", "cluster"), "data directory (kept across runs: journeys resume)")
	flag.StringVar(&o.bin, "carepath", filepath.Join("bin", "carepath"), "the carepath binary (`make build`)")
	flag.IntVar(&o.apis, "apis", 2, "carepath api processes")
	flag.IntVar(&o.workers, "workers", 3, "carepath worker processes")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "carepath-cluster:", err)
		os.Exit(1)
	}
}

type options struct {
	dir, bin      string
	apis, workers int
}

func logf(format string, args ...any) {
	fmt.Printf("%s %s\n", time.Now().Format(time.TimeOnly), fmt.Sprintf(format, args...))
}

func run(ctx context.Context, o options) (err error) {
	if o.apis < 1 || o.workers < 1 {
		return errors.New("-apis and -workers must be at least 1")
	}
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	bin, err := filepath.Abs(o.bin)
	if err != nil {
		return err
	}
	if _, err := os.Stat(bin); err != nil {
		return fmt.Errorf("carepath binary: %w (run `make build`)", err)
	}
	var stops []func() error
	defer func() {
		for i := len(stops) - 1; i >= 0; i-- {
			err = errors.Join(err, stops[i]())
		}
	}()

	// One private PostgreSQL holds carepath's database and Temporal's two.
	pg, err := embedded.StartPostgres(ctx, embedded.PostgresOptions{Dir: filepath.Join(dir, "postgres", "data"),
		Database: "carepath", Log: logf})
	if err != nil {
		return err
	}
	stops = append(stops, pg.Stop)
	logf("PostgreSQL up (%s)", filepath.Join(dir, "postgres"))
	// The codec server's port is picked first: the UI is configured with it.
	codecPort, err := embedded.FreePort()
	if err != nil {
		return err
	}
	codecURL := fmt.Sprintf("http://127.0.0.1:%d", codecPort)
	tc, err := tcluster.Start(ctx, tcluster.Options{Dir: filepath.Join(dir, "temporal"), PostgresURL: pg.URL,
		Namespace: "default", UI: true, UICodecEndpoint: codecURL, Log: logf})
	if err != nil {
		return err
	}
	stops = append(stops, tc.Stop)

	s, err := loadSecrets(dir)
	if err != nil {
		return err
	}
	f, err := startFleet(ctx, fleetOptions{dir: dir, bin: bin, apis: o.apis, workers: o.workers,
		databaseURL: pg.URL, temporal: tc, secrets: s, codecPort: codecPort})
	if err != nil {
		return err
	}
	stops = append(stops, f.stop)
	if err := printBanner(os.Stdout, dir, tc, f, s); err != nil {
		return err
	}
	<-ctx.Done()
	logf("stopping: carepath, then Temporal, then PostgreSQL")
	return nil
}
