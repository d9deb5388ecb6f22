package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/codec"
	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/internal/embedded"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/store"
)

// The worker process starts while Temporal is down, keeps running across a
// Temporal crash and a PostgreSQL crash, and finishes work afterwards, with
// no restart of its own. Its PostgreSQL and Temporal are private to this
// test, so they can be killed.
func TestWorkerRecoversFromTemporalAndPostgresOutages(t *testing.T) {
	testenv.SkipShort(t)
	t.Parallel() // a private stack, mostly waiting out outages
	ctx := context.Background()
	dir := t.TempDir()
	pg, err := embedded.StartPostgres(ctx, embedded.PostgresOptions{Dir: filepath.Join(dir, "pg"), Database: "recovery", Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg.Stop() })
	bin, err := testenv.TemporalBin()
	if err != nil {
		t.Fatal(err)
	}
	tmp, err := embedded.StartTemporal(ctx, embedded.TemporalOptions{Bin: bin, DBFile: filepath.Join(dir, "temporal.db"),
		UIPort: -1, Namespace: "default", LogPath: filepath.Join(dir, "temporal.log")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tmp.Stop() })
	keys, err := codec.NewKeyLine("t1")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.FromEnv(func(k string) string {
		return map[string]string{"DATABASE_URL": pg.URL, "TEMPORAL_ADDRESS": tmp.Address, "CAREPATH_ENCRYPTION_KEYS": keys,
			"CAREPATH_SANDBOX_MESSAGING": "true", "CAREPATH_DATA_DIR": dir,
			"CAREPATH_RECONCILE_INTERVAL": "1s", "CAREPATH_RECONCILE_GRACE": "0s"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := runMigrate(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}

	// Start-up with Temporal down: the process waits for it.
	if err := tmp.Stop(); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		t.Fatalf("openApp with Temporal down: %v", err)
	}
	t.Cleanup(a.close)
	restarted := make(chan error, 1)
	go func() {
		time.Sleep(2 * time.Second)
		restarted <- tmp.Restart(ctx)
	}()
	sup, err := a.startWorker(ctx, true)
	if rerr := <-restarted; rerr != nil {
		t.Fatal(rerr)
	}
	if err != nil {
		t.Fatalf("worker did not start once Temporal came up: %v", err)
	}
	t.Cleanup(sup.Stop)
	batchCompletes(t, a, "after starting with Temporal down")

	// A Temporal crash and a 20 s outage; a bulk launch accepted meanwhile
	// is started by the reconciler once Temporal is back.
	if err := tmp.Kill(); err != nil {
		t.Fatal(err)
	}
	job := createBatch(t, a)
	time.Sleep(20 * time.Second)
	if err := tmp.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	waitBatch(t, a, job, "accepted during the Temporal outage")
	batchCompletes(t, a, "after the Temporal outage")

	// A PostgreSQL crash-restart under the running worker.
	if err := pg.Kill(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(3 * time.Second)
	if err := pg.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	batchCompletes(t, a, "after the PostgreSQL crash-restart")
	if state, err := sup.status(); state != workerRunning {
		t.Fatalf("worker %s (%v) after the outages", state, err)
	}
	srv := httptest.NewServer(a.workerHealth(sup))
	defer srv.Close()
	if h := getHealth(srv.URL); h.Status != "ok" || h.Checks["worker"] != workerRunning {
		t.Fatalf("worker /healthz after the outages: %+v", h)
	}
}

// createBatch launches a bulk job for one unknown patient: its launcher
// workflow runs a LaunchBatch activity, which skips the patient and
// completes the job. PostgreSQL may still be coming back, so it retries.
func createBatch(t *testing.T, a *app) string {
	t.Helper()
	actor := carepath.Actor{Kind: carepath.ActorSystem, ID: "recovery-test"}
	deadline := time.Now().Add(time.Minute)
	for {
		job, err := a.engine.CreateBatch(context.Background(), actor, engine.BatchRequest{Journey: "onboarding",
			PatientIDs: []string{uuid.NewString()}})
		if err == nil {
			return job.ID
		}
		if time.Now().After(deadline) {
			t.Fatalf("create batch: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func batchCompletes(t *testing.T, a *app, when string) {
	t.Helper()
	waitBatch(t, a, createBatch(t, a), when)
}

// waitBatch waits up to two minutes for a job to complete.
func waitBatch(t *testing.T, a *app, id, when string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	var job store.BatchJob
	var err error
	for time.Now().Before(deadline) {
		if job, err = a.store.BatchJobGet(context.Background(), id); err == nil && job.Status == "completed" {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("bulk launch %s did not complete within 2 minutes (%s): %+v %v", when, fmt.Sprint(job.Status), job, err)
}

// The api process starts while Temporal is down, reports it on /healthz,
// and reports healthy once Temporal is up; a PostgreSQL crash-restart
// shows as "database unavailable" and then heals, with no restart of the
// process.
func TestAPIRecoversFromTemporalAndPostgresOutages(t *testing.T) {
	testenv.SkipShort(t)
	t.Parallel() // a private stack, mostly waiting out outages
	ctx := context.Background()
	dir := t.TempDir()
	pg, err := embedded.StartPostgres(ctx, embedded.PostgresOptions{Dir: filepath.Join(dir, "pg"), Database: "recovery", Ephemeral: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pg.Stop() })
	bin, err := testenv.TemporalBin()
	if err != nil {
		t.Fatal(err)
	}
	tmp, err := embedded.StartTemporal(ctx, embedded.TemporalOptions{Bin: bin, DBFile: filepath.Join(dir, "temporal.db"),
		UIPort: -1, Namespace: "default", LogPath: filepath.Join(dir, "temporal.log")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tmp.Stop() })
	if err := tmp.Stop(); err != nil {
		t.Fatal(err)
	}
	keys, err := codec.NewKeyLine("t1")
	if err != nil {
		t.Fatal(err)
	}
	port, err := embedded.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": pg.URL, "TEMPORAL_ADDRESS": tmp.Address, "CAREPATH_ENCRYPTION_KEYS": keys,
		"CAREPATH_DATA_DIR": dir, "CAREPATH_HTTP_ADDR": fmt.Sprintf("127.0.0.1:%d", port), "CAREPATH_LOG_LEVEL": "error"}
	getenv := func(k string) string { return env[k] }
	if err := run(ctx, []string{"migrate"}, getenv, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- run(runCtx, []string{"api"}, getenv, io.Discard, io.Discard) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("api ended with an error: %v", err)
		}
	})
	health := func(want string, checks map[string]string) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		var got healthBody
		for time.Now().Before(deadline) {
			select {
			case err := <-done:
				done <- err // for the cleanup, which waits for it
				t.Fatalf("api exited: %v", err)
			default:
			}
			got = getHealth("http://" + env["CAREPATH_HTTP_ADDR"] + "/healthz")
			if got.Status == want && matches(got.Checks, checks) {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("/healthz never showed %s %v; last %+v", want, checks, got)
	}
	health("unavailable", map[string]string{"temporal": "unavailable", "database": "ok"})
	if err := tmp.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	health("ok", nil)
	if err := pg.Kill(); err != nil {
		t.Fatal(err)
	}
	health("unavailable", map[string]string{"database": "unavailable"})
	if err := pg.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	health("ok", nil)
	if err := tmp.Kill(); err != nil {
		t.Fatal(err)
	}
	health("unavailable", map[string]string{"temporal": "unavailable"})
	if err := tmp.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	health("ok", nil)
}

type healthBody struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
}

func getHealth(url string) healthBody {
	var h healthBody
	resp, err := http.Get(url)
	if err != nil {
		return healthBody{Status: "no answer: " + err.Error()}
	}
	defer closeBody(resp.Body)
	if err := json.NewDecoder(resp.Body).Decode(&h); err != nil {
		return healthBody{Status: "undecodable: " + err.Error()}
	}
	return h
}

// matches reports whether every wanted check has the wanted value.
func matches(got, want map[string]string) bool {
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}
