package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/codec"
	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/internal/embedded"
	"github.com/carepath/carepath/store"
)

// Files under the data directory.
const (
	devAdminKeyFile = "admin-api-key"
	// devAdminEmail is dev's first admin when CAREPATH_BOOTSTRAP_ADMIN_EMAIL
	// is unset, so `make run` always has someone to sign in as.
	devAdminEmail       = "admin@carepath.local"
	devTwilioTokenFile  = "sandbox-twilio-token"
	devKeyFile          = "encryption.keys"
	devInboundTokenFile = "sandbox-sendgrid-inbound-token"
)

// runDev runs the whole product in one process: the embedded services it
// is not given addresses for, migrations, worker and API. State lives in the
// data directory, so journeys resume after a restart.
func runDev(ctx context.Context, cfg *config.Config, log *slog.Logger, stdout io.Writer) (err error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data dir: %w", err)
	}
	var stops []func() error
	defer func() {
		for i := len(stops) - 1; i >= 0; i-- {
			if serr := stops[i](); serr != nil {
				log.Error("stop", "error", serr)
				err = errors.Join(err, serr)
			}
		}
	}()

	// dev is one process, so one worker holds each number: its memory keeps
	// the limit exactly, without the shared limiter's database round trips
	// on every send. Extra workers beside a dev process need
	// CAREPATH_SEND_LIMITER=shared.
	if !cfg.SendFleet.LimiterSet {
		cfg.SendFleet.Limiter = config.LimiterProcess
	}

	temporalUI := ""
	if cfg.TemporalAddress == "" {
		log.Info("starting Temporal dev server", "db", filepath.Join(cfg.DataDir, "temporal.db"))
		t, err := embedded.StartTemporal(ctx, embedded.TemporalOptions{
			Bin: cfg.TemporalBin, DBFile: filepath.Join(cfg.DataDir, "temporal.db"),
			Port: cfg.DevTemporalPort, UIPort: cfg.DevTemporalUIPort, Namespace: cfg.TemporalNamespace,
			LogPath: filepath.Join(cfg.DataDir, "temporal.log"),
		})
		if err != nil {
			return err
		}
		stops = append(stops, t.Stop)
		cfg.TemporalAddress, temporalUI = t.Address, t.UIURL
	}
	if cfg.DatabaseURL == "" {
		log.Info("starting private PostgreSQL", "dir", filepath.Join(cfg.DataDir, "postgres"))
		pg, err := embedded.StartPostgres(ctx, embedded.PostgresOptions{
			Dir: filepath.Join(cfg.DataDir, "postgres"), Database: "carepath",
			Log: func(f string, a ...any) { log.Info(fmt.Sprintf(f, a...)) },
		})
		if err != nil {
			return err
		}
		stops = append(stops, pg.Stop)
		cfg.DatabaseURL = pg.URL
	}

	if cfg.EncryptionKeys == "" && cfg.EncryptionKeyFile == "" {
		cfg.EncryptionKeyFile = filepath.Join(cfg.DataDir, devKeyFile)
		line, err := codec.NewKeyLine("dev1")
		if err != nil {
			return err
		}
		if _, err := secretFile(cfg.EncryptionKeyFile, line); err != nil {
			return err
		}
	}
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	stops = append(stops, func() error { a.close(); return nil })
	if _, err := store.Migrate(ctx, a.store.Pool); err != nil {
		return err
	}
	adminKey, err := devAdminKey(ctx, cfg, a.store)
	if err != nil {
		return err
	}
	// The first person who signs in (CAREPATH_BOOTSTRAP_ADMIN_EMAIL, or
	// admin@carepath.local on a laptop); a generated password is shown
	// once, in the banner.
	if cfg.BootstrapAdminEmail == "" {
		cfg.BootstrapAdminEmail = devAdminEmail
	}
	adminPassword, err := a.bootstrapAdmin(ctx)
	if err != nil {
		return err
	}
	twilioToken := cfg.TwilioAuthToken
	if !cfg.TwilioEnabled() {
		if twilioToken, err = secretFile(filepath.Join(cfg.DataDir, devTwilioTokenFile), ""); err != nil {
			return err
		}
	}
	inboundToken := cfg.SendGridInboundToken
	if inboundToken == "" {
		if inboundToken, err = secretFile(filepath.Join(cfg.DataDir, devInboundTokenFile), ""); err != nil {
			return err
		}
	}
	w, err := a.startWorker(ctx, true)
	if err != nil {
		return err
	}
	stops = append(stops, func() error { w.Stop(); return nil })
	if err := makeCurrent(ctx, a.temporal, cfg.Deployment, log); err != nil { // versioned dev only (deployment.go)
		return err
	}

	keys, err := loadKeys(cfg)
	if err != nil {
		return err
	}
	// The codec server runs beside the API so `temporal workflow show
	// --codec-endpoint` (and the UI) can decode by hand.
	g, gctx := errgroup.WithContext(ctx)
	codecReady := make(chan string, 1)
	g.Go(func() error {
		return serveCodec(gctx, cfg, keys, a.store, log, func(addr string) { codecReady <- addr })
	})
	g.Go(func() error {
		return a.serveAPI(gctx, twilioToken, inboundToken, func(addr string) {
			var codecAddr string
			select {
			case codecAddr = <-codecReady:
			case <-gctx.Done():
			}
			if err := printBanner(stdout, cfg, addr, adminKey, adminPassword, temporalUI, codecAddr, keys.ActiveKeyID()); err != nil {
				log.Error("print the banner", "error", err)
			}
		})
	})
	return g.Wait()
}

// devAdminKey ensures the admin key exists: CAREPATH_BOOTSTRAP_API_KEY, or
// one generated once and kept in the data directory.
func devAdminKey(ctx context.Context, cfg *config.Config, st *store.Store) (string, error) {
	key := cfg.BootstrapAPIKey
	if key == "" {
		generated, err := store.NewAPIKeySecret()
		if err != nil {
			return "", err
		}
		if key, err = secretFile(filepath.Join(cfg.DataDir, devAdminKeyFile), generated); err != nil {
			return "", err
		}
	}
	if _, err := st.APIKeyInsert(ctx, "dev admin", carepath.RoleAdmin, key); err != nil {
		return "", err
	}
	return key, nil
}

// secretFile returns the secret kept in path, creating it (0600) with
// value, or a random one if value is empty, the first time.
func secretFile(path, value string) (string, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("read %s: %w", path, err)
	}
	if value == "" {
		raw := make([]byte, 24)
		if _, err := rand.Read(raw); err != nil {
			return "", fmt.Errorf("generate secret: %w", err)
		}
		value = hex.EncodeToString(raw)
	}
	if err := os.WriteFile(path, []byte(value+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return value, nil
}

func printBanner(w io.Writer, cfg *config.Config, addr, adminKey, adminPassword, temporalUI, codecAddr, keyID string) error {
	sms, email := "sandbox (recorded in PostgreSQL, nothing is sent)", "sandbox (recorded in PostgreSQL, nothing is sent)"
	if cfg.TwilioEnabled() {
		sms = "Twilio via " + cfg.TwilioAPIURL
	}
	if cfg.SendGridEnabled() {
		email = "SendGrid via " + cfg.SendGridAPIURL
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\ncarepath is running\n")
	fmt.Fprintf(&b, "  Console:           http://%s/console\n", addr)
	fmt.Fprintf(&b, "  API:               http://%s   (OpenAPI: /openapi.json, health: /healthz)\n", addr)
	fmt.Fprintf(&b, "  Admin API key:     %s\n", adminKey)
	if cfg.BootstrapAdminEmail != "" {
		password := "(CAREPATH_BOOTSTRAP_ADMIN_PASSWORD, or the one shown when it was created)"
		if adminPassword != "" {
			password = adminPassword + "   (generated: shown once)"
		}
		fmt.Fprintf(&b, "  Admin sign-in:     %s  password: %s\n", cfg.BootstrapAdminEmail, password)
	}
	fmt.Fprintf(&b, "  Outbound SMS:      %s\n", sms)
	fmt.Fprintf(&b, "  Outbound email:    %s\n", email)
	fmt.Fprintf(&b, "  Message timeline:  GET /v1/patients/{id}/messages\n")
	if temporalUI != "" {
		fmt.Fprintf(&b, "  Temporal UI:       %s\n", temporalUI)
	}
	fmt.Fprintf(&b, "  Temporal:          %s (namespace %s)\n", cfg.TemporalAddress, cfg.TemporalNamespace)
	fmt.Fprintf(&b, "  Payload encryption: AES-256-GCM, active key %q\n", keyID)
	fmt.Fprintf(&b, "  Codec server:      http://%s  (temporal workflow show -w ID --codec-endpoint http://%s --codec-auth \"Bearer <key>\")\n", codecAddr, codecAddr)
	fmt.Fprintf(&b, "  Data directory:    %s\n", cfg.DataDir)
	if !cfg.TwilioEnabled() {
		fmt.Fprintf(&b, "  Simulate a reply:  ./bin/carepath simulate-sms --from +15551234567 --body 3\n")
	}
	fmt.Fprintf(&b, "Press Ctrl-C to stop.\n\n")
	_, err := io.WriteString(w, b.String())
	return err
}
