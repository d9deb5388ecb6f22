package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"

	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/internal/redact"
)

const usage = `carepath — a patient-engagement engine

Usage: carepath <command>

Commands:
  dev           everything in one process: Temporal dev server, private PostgreSQL,
                migrations, worker, API and sandbox messaging (what 'make run' runs)
  api           the HTTP API (needs DATABASE_URL and a Temporal server)
  worker        the Temporal worker running journeys and activities
  migrate       apply database migrations and exit
  codec-server  the payload codec over HTTP for the Temporal UI and CLI (--codec-endpoint)
  keygen        print a new payload-encryption key line (id:base64)
  healthcheck   GET a URL, fail unless it answers 2xx (Docker/Kubernetes exec probes)
  audit         audit verify [--checkpoint FILE]: check the audit trail's chains;
                audit checkpoint: record and print a checkpoint to keep elsewhere
  simulate-sms  send a signed inbound SMS to a running 'dev' (sandbox only)
  verify-replay replay recent histories from the namespace against this build (before it takes traffic)
  deploy        Worker Versioning: status, set-current, ramp, drain-status (docs/operations.md)

Configuration is read from the environment; see README.md.
`

// run is the whole program, so tests can run it with their own arguments,
// environment and output.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		_, err := io.WriteString(stdout, usage)
		return err
	}
	if args[0] == "healthcheck" { // before the configuration: a probe needs none
		return runHealthcheck(ctx, args[1:], stdout)
	}
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		return err
	}
	log := newLogger(stderr, getenv("CAREPATH_LOG_LEVEL"))
	if cfg.PprofAddr != "" {
		servePprof(ctx, cfg.PprofAddr, log)
	}
	switch args[0] {
	case "dev":
		return runDev(ctx, cfg, log, stdout)
	case "api":
		return runAPI(ctx, cfg, log)
	case "worker":
		return runWorker(ctx, cfg, log)
	case "migrate":
		return runMigrate(ctx, cfg, log)
	case "codec-server":
		return runCodecServer(ctx, cfg, log)
	case "audit":
		return runAudit(ctx, cfg, args[1:], stdout)
	case "keygen":
		return runKeygen(args[1:], stdout)
	case "verify-replay":
		return runVerifyReplay(ctx, cfg, log, args[1:], stdout)
	case "deploy":
		return runDeploy(ctx, cfg, log, args[1:], stdout)
	case "simulate-sms":
		return runSimulateSMS(ctx, cfg, args[1:], stdout)
	}
	return errors.New("unknown command " + args[0] + "\n\n" + usage)
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		l = slog.LevelInfo
	}
	// Every line passes through the redactor: PHI never reaches a log.
	return slog.New(redact.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})))
}
