package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/internal/faketwilio"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/workflows"
)

type canaryInput struct{ Name, Phone, Email, Birth string }

func canaryWorkflow(ctx workflow.Context, in canaryInput) (string, error) {
	ao := workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second, RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 2}}
	var out string
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, ao), canaryActivity, in).Get(ctx, &out)
	return out, err
}

// canaryActivity fails with an error that quotes PHI, as a careless
// activity (or a provider's error text) might.
func canaryActivity(_ context.Context, in canaryInput) (string, error) {
	return "", fmt.Errorf("could not reach %s (born %s) at %s / %s", in.Name, in.Birth, in.Phone, in.Email)
}

// runCanaryWorkflow runs canaryWorkflow on its own queue with c and returns
// the workflow ID and its error.
func runCanaryWorkflow(t *testing.T, c client.Client, queue string, in canaryInput) (string, error) {
	t.Helper()
	w := sdkworker.New(c, queue, sdkworker.Options{})
	w.RegisterWorkflow(canaryWorkflow)
	w.RegisterActivity(canaryActivity)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	id := "canary-" + queue
	run, err := c.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: id, TaskQueue: queue}, canaryWorkflow, in)
	if err != nil {
		t.Fatal(err)
	}
	return id, run.Get(context.Background(), nil)
}

// TestCanaryNoPlaintextPHIInTemporal runs journeys for patients whose PHI
// is made of unique canary strings, plus a workflow whose activity fails
// with an error quoting them, then searches Temporal's own database file,
// its log and `temporal workflow show` output (decoding base64 payloads)
// for any canary. A control workflow run without the codec proves the
// search finds plain text when it is there.
func TestCanaryNoPlaintextPHIInTemporal(t *testing.T) {
	in := startDev(t)
	ctx := context.Background()
	tag := fmt.Sprintf("%x", time.Now().UnixNano())
	digits := fmt.Sprint(time.Now().UnixNano())
	canaries := map[string]string{
		"given name":  "Cnrygiven" + tag,
		"family name": "Cnryfamily" + tag,
		"email":       "cnry" + tag + "@example.org",
		"phone":       "+1555" + digits[len(digits)-7:],
		"birth date":  "1931-07-13",
		"reply":       "Cnryreply" + tag,
	}
	badPhone := "+1556" + digits[len(digits)-7:]
	in.twilio.Fail = func(m faketwilio.Message) (int, int) {
		if m.To == badPhone {
			return http.StatusBadRequest, 21211 // Twilio's text for it quotes the number
		}
		return 0, 0
	}

	var patient, other, enr, enr2 item
	mustCreate := func(st int) {
		if st != http.StatusCreated {
			t.Fatalf("create patient: %d", st)
		}
	}
	mustCreate(in.call("POST", "/v1/patients", item{"given_name": canaries["given name"], "family_name": canaries["family name"],
		"birth_date": canaries["birth date"], "phone": canaries["phone"], "email": canaries["email"],
		"timezone": testenv.ZoneAt(12)}, &patient))
	mustCreate(in.call("POST", "/v1/patients", item{"given_name": canaries["given name"] + "b", "family_name": canaries["family name"],
		"birth_date": canaries["birth date"], "phone": badPhone, "timezone": testenv.ZoneAt(12)}, &other))
	if in.call("POST", "/v1/patients/"+patient["id"].(string)+"/enrollments", item{"journey": "post_visit_checkin",
		"params": item{"delay": "0s"}}, &enr) != http.StatusCreated {
		t.Fatalf("enroll: %v", enr)
	}
	in.call("POST", "/v1/patients/"+other["id"].(string)+"/enrollments", item{"journey": "post_visit_checkin",
		"params": item{"delay": "0s"}}, &enr2)
	eventually(t, "check-in SMS", func() bool { return len(in.twilio.To(canaries["phone"])) == 1 })
	eventually(t, "step asking", func() bool {
		var e item
		in.call("GET", "/v1/enrollments/"+enr["id"].(string), nil, &e)
		return e["step"] == "asking_how_feeling"
	})
	if st := in.sms(testAuthToken, "SMcanary"+tag, canaries["phone"], canaries["reply"]+" worse"); st != http.StatusOK {
		t.Fatalf("reply: %d", st)
	}
	for _, id := range []string{enr["id"].(string), enr2["id"].(string)} {
		eventually(t, "journey completed", func() bool {
			var e item
			in.call("GET", "/v1/enrollments/"+id, nil, &e)
			return e["status"] == "completed"
		})
	}

	// A failing activity quoting PHI, through the product's own client.
	env := map[string]string{}
	for k, v := range in.env {
		env[k] = v
	}
	env["TEMPORAL_ADDRESS"] = in.temporal
	env["CAREPATH_ENCRYPTION_KEY_FILE"] = filepath.Join(in.dataDir, devKeyFile)
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	product, err := dialTemporal(ctx, cfg, quiet, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer product.Close()
	failID, runErr := runCanaryWorkflow(t, product, "canary", canaryInput{Name: canaries["given name"],
		Phone: canaries["phone"], Email: canaries["email"], Birth: canaries["birth date"]})
	if runErr == nil || !strings.Contains(runErr.Error(), canaries["given name"]) {
		t.Fatalf("the product's client should decode the failure for authorised callers: %v", runErr)
	}

	// Control: the same workflow without the codec must be found by the search.
	control := map[string]string{"control name": "Ctrlname" + tag, "control phone": "+1666" + digits[len(digits)-7:]}
	plain, err := client.Dial(client.Options{HostPort: in.temporal, Namespace: in.namespace, Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	controlID, _ := runCanaryWorkflow(t, plain, "control", canaryInput{Name: control["control name"], Phone: control["control phone"]})

	// Search attributes and memos: only the allow-list, and no PHI anywhere.
	for _, id := range []string{enr["id"].(string), enr2["id"].(string)} {
		desc, err := plain.DescribeWorkflowExecution(ctx, workflows.WorkflowID(id), "")
		if err != nil {
			t.Fatal(err)
		}
		info := desc.GetWorkflowExecutionInfo()
		for name := range info.GetSearchAttributes().GetIndexedFields() {
			if !workflows.SearchAttributeAllowed(name) {
				t.Errorf("search attribute %s is not on the allow-list", name)
			}
		}
		if n := len(info.GetMemo().GetFields()); n != 0 {
			t.Errorf("workflow carries %d memo fields; carepath sets none", n)
		}
	}

	// What an operator without the codec can see.
	var shown bytes.Buffer
	bin, err := testenv.TemporalBin()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{workflows.WorkflowID(enr["id"].(string)), workflows.WorkflowID(enr2["id"].(string)), failID, controlID} {
		out, err := exec.Command(bin, "workflow", "show", "--address", in.temporal, "--namespace", in.namespace, "-w", id, "-o", "json").CombinedOutput()
		if err != nil {
			t.Fatalf("temporal workflow show %s: %v\n%s", id, err, out)
		}
		shown.Write(expandBase64(out))
	}
	list, err := exec.Command(bin, "workflow", "list", "--address", in.temporal, "--namespace", in.namespace, "-o", "json").CombinedOutput()
	if err != nil {
		t.Fatalf("temporal workflow list: %v\n%s", err, list)
	}
	shown.Write(expandBase64(list))

	// Temporal's persistence: the SQLite file (and its WAL) and its log.
	var persisted bytes.Buffer
	files, _ := filepath.Glob(in.temporalFiles)
	if len(files) == 0 {
		t.Fatal("no Temporal database files found")
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		persisted.Write(b)
	}

	for what, s := range map[string]*bytes.Buffer{"temporal workflow show/list": &shown, "Temporal database and log": &persisted} {
		for name, c := range canaries {
			if bytes.Contains(s.Bytes(), []byte(c)) {
				t.Errorf("%s: the patient's %s appears in plain text", what, name)
			}
		}
		for name, c := range control {
			if !bytes.Contains(s.Bytes(), []byte(c)) {
				t.Errorf("%s: control %s not found: the search cannot see plain text, so this test proves nothing", what, name)
			}
		}
	}
}

// expandBase64 appends to JSON output the decoding of every string that is
// valid base64, so payload bytes are searched as well as the text.
func expandBase64(out []byte) []byte {
	var v any
	if json.Unmarshal(out, &v) != nil {
		// The CLI may print one JSON document per line.
		var buf bytes.Buffer
		buf.Write(out)
		for _, line := range bytes.Split(out, []byte("\n")) {
			if json.Unmarshal(line, &v) == nil {
				walkStrings(v, &buf)
			}
		}
		return buf.Bytes()
	}
	buf := bytes.NewBuffer(append([]byte(nil), out...))
	walkStrings(v, buf)
	return buf.Bytes()
}

func walkStrings(v any, buf *bytes.Buffer) {
	switch x := v.(type) {
	case string:
		if b, err := base64.StdEncoding.DecodeString(x); err == nil {
			buf.WriteByte('\n')
			buf.Write(b)
		}
	case []any:
		for _, e := range x {
			walkStrings(e, buf)
		}
	case map[string]any:
		for _, e := range x {
			walkStrings(e, buf)
		}
	}
}

type quietLogger struct{}

func (quietLogger) Debug(string, ...any) {}
func (quietLogger) Info(string, ...any)  {}
func (quietLogger) Warn(string, ...any)  {}
func (quietLogger) Error(string, ...any) {}
