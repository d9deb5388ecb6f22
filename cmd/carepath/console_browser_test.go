package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The bootstrap admin the browser signs in as (CAREPATH_BOOTSTRAP_ADMIN_*).
const (
	browserAdminEmail = "admin@carepath.test"
	browserAdminPass  = "browser-admin-passphrase"
)

// TestConsoleBrowser drives the console in a real browser: Debian's
// Chromium, headless, through playwright-core (scripts/browser-deps.sh
// installs both; `make test` runs it first). The scenarios are plain node
// scripts in console/e2e, run against `carepath dev` with a fake Twilio;
// they reach the patient's phone and the fake Twilio through a control
// server (console_control_test.go). Each page's screenshot goes to
// $CAREPATH_SCREENSHOT_DIR (`make screenshots`: docs/console), else to a
// temporary directory; CAREPATH_BROWSER_SPECS=a.spec.mjs,... runs only
// those scripts. A missing Chromium, node or playwright-core fails
// the test: only -short skips it.
func TestConsoleBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("drives Chromium against carepath dev: integration tier, not run under -short")
	}
	e2e, chromium := browserTools(t)
	shots := os.Getenv("CAREPATH_SCREENSHOT_DIR")
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	in := startDevWith(t, map[string]string{
		"CAREPATH_BOOTSTRAP_ADMIN_EMAIL":    browserAdminEmail,
		"CAREPATH_BOOTSTRAP_ADMIN_PASSWORD": browserAdminPass,
	})
	ctl := newBrowserControl(in)
	env := []string{
		"CONSOLE_URL=" + in.base + "/console",
		"CONTROL_URL=" + ctl.srv.URL,
		"ADMIN_EMAIL=" + browserAdminEmail,
		"ADMIN_PASSWORD=" + browserAdminPass,
		"SCREENSHOT_DIR=" + shots,
		"CHROMIUM=" + chromium,
	}
	specs := []string{"console.spec.mjs", "roles.spec.mjs"}
	if only := os.Getenv("CAREPATH_BROWSER_SPECS"); only != "" {
		specs = strings.Split(only, ",") // one script while working on it
	}
	for _, spec := range specs {
		t.Run(strings.TrimSuffix(spec, ".spec.mjs"), func(t *testing.T) {
			runBrowserSpec(t, e2e, spec, env)
		})
	}
}

// browserTools finds what the scripts need and returns the e2e directory
// and Chromium's path; anything missing fails the test with the fix.
func browserTools(t *testing.T) (e2e, chromium string) {
	t.Helper()
	const fix = "run scripts/browser-deps.sh (make test does)"
	chromium = os.Getenv("CAREPATH_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no Chromium at %s: %s", chromium, fix)
	}
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatalf("no node on PATH: %s", fix)
	}
	e2e, err := filepath.Abs(filepath.Join("..", "..", "console", "e2e"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(e2e, "node_modules", "playwright-core", "package.json")); err != nil {
		t.Fatalf("playwright-core is not installed in %s: %s", e2e, fix)
	}
	return e2e, chromium
}

// runBrowserSpec runs one script with node and fails with its output when
// it exits non-zero. The script has its own waits, each with a timeout and
// a message; the overall limit only stops a hung browser.
func runBrowserSpec(t *testing.T, dir, spec string, env []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", spec)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	// SIGTERM first: playwright closes the browser it launched on the way out.
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 15 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			t.Fatalf("%s did not finish within 8 minutes:\n%s", spec, out)
		}
		t.Fatalf("%s failed (%v):\n%s", spec, err, out)
	}
	t.Logf("%s passed in %s:\n%s", spec, time.Since(start).Round(time.Second), out)
}
