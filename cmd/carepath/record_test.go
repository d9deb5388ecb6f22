//go:build record

package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath/internal/embedded"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/workflows"
)

// TestRecordHistories runs each post_visit_checkin branch on a real `dev`
// stack with the committed test-only key and writes the histories the
// replay tests use. Run it with `make record-histories` after a
// deliberate, versioned change to a journey; never to silence a replay
// failure.
func TestRecordHistories(t *testing.T) {
	in, dir, bin := startRecordingDev(t)
	branches := []branch{
		{"onboarding", "engaged", item{}, []string{"yes", "2", "yes", "1", "2"}, 1},
		{"onboarding", "declined", item{}, []string{"no", "1", "no", "3"}, 1},
		{"post_visit_checkin", "worse", item{"delay": "0s"}, []string{"3"}, 0},
		{"post_visit_checkin", "better_with_score", item{"delay": "0s"}, []string{"1", "9"}, 0},
		{"post_visit_checkin", "about_same_call", item{"delay": "0s"}, []string{"2", "call"}, 0},
		{"post_visit_checkin", "needs_review", item{"delay": "0s"}, []string{"maybe", "hmm"}, 0},
		{"post_visit_checkin", "no_response", item{"delay": "0s", "reply_timeout": "1m", "reminders": 0}, nil, 0},
		{"reengagement", "reengaged", item{"first_attempt": "now"}, []string{"1", "yes"}, 0},
		{"reengagement", "declined", item{"first_attempt": "now", "attempts": 1}, []string{"3", "no"}, 0},
		// One cycle of a one-day program: first check-in at once, the next
		// would fall after the program (check-in hour 13, local time is 12).
		{"treatment_followup", "one_cycle_high_reading", item{"first_checkin": "now", "checkin_every": "24h", "checkin_hour": 13,
			"length": "24h", "high": 250}, []string{"yes"}, 0},
	}
	for i, b := range branches {
		recordBranch(t, in, dir, bin, i, b)
	}
}

// TestRecordHistoriesSharedLimiter records a check-in on a stack whose
// send limit is the fleet's shared one, as production's workers run: no
// slot can be known free there without a round trip, so each send's
// SendNow answers queued and the lane sends it (the other branches'
// stack keeps the limit in memory and sends in the workflow task).
func TestRecordHistoriesSharedLimiter(t *testing.T) {
	in, dir, bin := startRecordingDevWith(t, map[string]string{"CAREPATH_SEND_LIMITER": "shared"})
	recordBranch(t, in, dir, bin, 20, branch{"post_visit_checkin", "shared_limiter_worse", item{"delay": "0s"}, []string{"3"}, 0})
}

// branch is one recorded journey run.
type branch struct {
	journey string
	name    string
	params  item
	replies []string
	sent    int // messages sent before the first question
}

// recordBranch runs b for a new patient (phone number i) on in and writes
// its history into dir.
func recordBranch(t *testing.T, in *instance, dir, bin string, i int, b branch) {
	t.Helper()
	phone := fmt.Sprintf("+1555777%04d", i)
	var p, e item
	if st := in.call("POST", "/v1/patients", item{"given_name": "Rec", "family_name": "Order", "birth_date": "1970-01-01",
		"phone": phone, "timezone": testenv.ZoneAt(12)}, &p); st != http.StatusCreated {
		t.Fatalf("%s: patient %d", b.name, st)
	}
	in.call("POST", "/v1/patients/"+p["id"].(string)+"/enrollments", item{"journey": b.journey, "params": b.params}, &e)
	eid := e["id"].(string)
	for n, r := range b.replies {
		eventually(t, b.name+": question", func() bool { return len(in.twilio.To(phone)) >= b.sent+n+1 })
		if st := in.sms(testAuthToken, fmt.Sprintf("SMrec%d%d", i, n), phone, r); st != http.StatusOK {
			t.Fatalf("%s: reply %d", b.name, st)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if b.journey == "treatment_followup" {
		eventually(t, "reading request", func() bool { return len(in.twilio.To(phone)) >= 2 })
		if st := in.call("POST", "/v1/patients/"+p["id"].(string)+"/observations", item{"id": "rec-" + b.name,
			"code": "blood_glucose", "value": 320, "unit": "mg/dL", "effective_at": time.Now().UTC().Format(time.RFC3339)}, nil); st != http.StatusCreated {
			t.Fatalf("%s: observation %d", b.name, st)
		}
	}
	deadline := time.Now().Add(3 * time.Minute)
	for {
		var got item
		in.call("GET", "/v1/enrollments/"+eid, nil, &got)
		if got["status"] == "completed" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not completed: %v", b.name, got)
		}
		time.Sleep(time.Second)
	}
	out, err := exec.Command(bin, "workflow", "show", "--address", in.temporal, "--namespace", in.namespace, "-w", workflows.WorkflowID(eid), "-o", "json").Output()
	if err != nil {
		t.Fatalf("%s: workflow show: %v", b.name, err)
	}
	path := filepath.Join(dir, b.journey+"_v1_"+b.name+".json")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("recorded %s", path)
}

// startPrivateDev starts a complete `carepath dev`, with its own PostgreSQL
// and Temporal dev server in the namespace "default", as the histories were
// first recorded; recording is rare, so it does not share the package's.
func startPrivateDev(t *testing.T, bin string, extra map[string]string) *instance {
	t.Helper()
	tport, err := embedded.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	in := newInstance(t)
	in.temporal, in.namespace = fmt.Sprintf("127.0.0.1:%d", tport), "default"
	in.temporalFiles = filepath.Join(in.dataDir, "temporal.*")
	in.env["CAREPATH_DEV_TEMPORAL_PORT"] = fmt.Sprint(tport)
	in.env["CAREPATH_DEV_TEMPORAL_UI_PORT"] = "-1"
	in.env["CAREPATH_TEMPORAL_BIN"] = bin
	in.start(extra)
	return in
}

// startRecordingDev starts a private `dev` stack with the committed
// test-only key, so the histories it records replay in the tests; it
// returns the stack, the histories folder and the Temporal CLI.
func startRecordingDev(t *testing.T) (in *instance, dir, bin string) {
	t.Helper()
	return startRecordingDevWith(t, nil)
}

// startRecordingDevWith is startRecordingDev with extra settings.
func startRecordingDevWith(t *testing.T, extra map[string]string) (in *instance, dir, bin string) {
	t.Helper()
	testenv.SkipShort(t)
	root, err := testenv.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(root, "journeys", "testdata", "histories")
	keys, err := os.ReadFile(filepath.Join(dir, "test.keys"))
	if err != nil {
		t.Fatal(err)
	}
	var keyLines []string
	for _, l := range strings.Split(string(keys), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			keyLines = append(keyLines, l)
		}
	}
	bin, err = testenv.TemporalBin()
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CAREPATH_ENCRYPTION_KEYS": strings.Join(keyLines, ",")}
	for k, v := range extra {
		env[k] = v
	}
	in = startPrivateDev(t, bin, env)
	return in, dir, bin
}
