package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/messaging"
)

// browserControl is the small HTTP server the browser scripts
// (console/e2e/*.mjs) reach the world outside the browser through: the
// patient's phone (POST /reply sends a signed inbound Twilio webhook), the
// fake Twilio (GET /sent?to= lists what it received), the data a scenario
// needs (POST /seed, made once through carepath's API with the admin key)
// and read-only checks of the API (GET /api?path=/v1/...). Its handlers run
// outside the test goroutine, so they answer errors instead of failing the
// test; the script reports them and exits non-zero.
type browserControl struct {
	in   *instance
	srv  *httptest.Server
	sids atomic.Int64

	seedOnce sync.Once
	seeded   browserSeed
	seedErr  error
}

// browserSeedPatient is a patient the scripts look for on the pages.
type browserSeedPatient struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"`
}

// browserSeed is what POST /seed answers.
type browserSeed struct {
	// Patient was asked how they feel by a post-visit check-in and has not
	// answered yet.
	Patient browserSeedPatient `json:"patient"`
	// Stopped texted STOP: a bulk launch to the tag skips them.
	Stopped  browserSeedPatient `json:"stopped"`
	NewPhone string             `json:"new_phone"` // the number the nurse corrects Patient's to
	Tag      string             `json:"tag"`       // both patients carry it
	Journey  string             `json:"journey"`
	// CareTeam is a care_team person who can sign in.
	CareTeam struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	} `json:"care_team"`
}

// The scenario's people. They are made up; the phone numbers are in the
// 555 range the other end-to-end tests use.
const (
	browserPhone     = "+15551237001"
	browserNewPhone  = "+15551237002"
	browserStopPhone = "+15551237003"
	browserTag       = "browser-cohort"
	browserCareEmail = "joy.nurse@carepath.test"
	browserCarePass  = "care-team-passphrase-1"
)

func newBrowserControl(in *instance) *browserControl {
	c := &browserControl{in: in}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /seed", c.handleSeed)
	mux.HandleFunc("POST /reply", c.handleReply)
	mux.HandleFunc("GET /sent", c.handleSent)
	mux.HandleFunc("GET /api", c.handleAPI)
	c.srv = httptest.NewServer(mux)
	in.t.Cleanup(c.srv.Close)
	return c
}

func (c *browserControl) handleSeed(w http.ResponseWriter, r *http.Request) {
	c.seedOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		c.seeded, c.seedErr = c.seed(ctx)
	})
	if c.seedErr != nil {
		http.Error(w, "seed: "+c.seedErr.Error(), http.StatusInternalServerError)
		return
	}
	writeControlJSON(w, c.seeded)
}

// seed makes the scenario's data: a patient waiting for the check-in's
// answer, a patient who texted STOP, both tagged, and a care_team person.
func (c *browserControl) seed(ctx context.Context) (browserSeed, error) {
	s := browserSeed{NewPhone: browserNewPhone, Tag: browserTag, Journey: "post_visit_checkin"}
	s.CareTeam.Email, s.CareTeam.Password = browserCareEmail, browserCarePass
	zone := testenv.ZoneAt(12) // midday for the patients: no quiet hours
	var err error
	if s.Patient, err = c.createPatient("Maria", "Alvarez", browserPhone, zone); err != nil {
		return s, err
	}
	if s.Stopped, err = c.createPatient("Tom", "Becker", browserStopPhone, zone); err != nil {
		return s, err
	}

	var enr item
	if err := c.api(http.MethodPost, "/v1/patients/"+s.Patient.ID+"/enrollments",
		item{"journey": s.Journey, "params": item{"delay": "0s"}}, &enr, http.StatusCreated); err != nil {
		return s, fmt.Errorf("enroll: %w", err)
	}
	eid, _ := enr["id"].(string)
	// The STOP is a real inbound text: consent goes, a confirmation comes.
	if err := c.reply(browserStopPhone, "STOP"); err != nil {
		return s, err
	}
	if err := waitFor(ctx, "the STOP confirmation", func() (bool, error) {
		return len(c.in.twilio.To(browserStopPhone)) >= 1, nil
	}); err != nil {
		return s, err
	}
	// The check-in's question reached the phone and the journey waits for
	// the answer, so the script's "3" is an answer.
	if err := waitFor(ctx, "the check-in question and step asking_how_feeling", func() (bool, error) {
		var e item
		if err := c.api(http.MethodGet, "/v1/enrollments/"+eid, nil, &e, http.StatusOK); err != nil {
			return false, err
		}
		return len(c.in.twilio.To(browserPhone)) >= 1 && e["step"] == "asking_how_feeling", nil
	}); err != nil {
		return s, err
	}

	if err := c.api(http.MethodPost, "/v1/users", item{"email": browserCareEmail, "name": "Joy Nurse",
		"role": "care_team", "password": browserCarePass}, nil, http.StatusCreated); err != nil {
		return s, fmt.Errorf("create the care_team person: %w", err)
	}
	return s, nil
}

func (c *browserControl) createPatient(given, family, phone, zone string) (browserSeedPatient, error) {
	var p item
	if err := c.api(http.MethodPost, "/v1/patients", item{"given_name": given, "family_name": family,
		"birth_date": "1961-04-12", "phone": phone, "timezone": zone, "tags": []string{browserTag}},
		&p, http.StatusCreated); err != nil {
		return browserSeedPatient{}, fmt.Errorf("create patient %s: %w", given, err)
	}
	id, _ := p["id"].(string)
	return browserSeedPatient{ID: id, Name: given + " " + family, Phone: phone}, nil
}

func (c *browserControl) handleReply(w http.ResponseWriter, r *http.Request) {
	var in struct{ From, Body string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.From == "" || in.Body == "" {
		http.Error(w, "want {from, body}", http.StatusBadRequest)
		return
	}
	if err := c.reply(in.From, in.Body); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeControlJSON(w, item{"ok": true})
}

// reply sends carepath the inbound SMS webhook Twilio would, signed with
// the instance's auth token over its public URL.
func (c *browserControl) reply(from, body string) error {
	const path = "/webhooks/twilio/messages"
	params := map[string]string{"MessageSid": fmt.Sprintf("SMbrowser%06d", c.sids.Add(1)),
		"AccountSid": testSID, "From": from, "To": testFrom, "Body": body}
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	req, err := http.NewRequest(http.MethodPost, c.in.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", messaging.SignTwilio(testAuthToken, "https://carepath.example.org"+path, params))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("inbound webhook: %w", err)
	}
	defer closeBody(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("inbound webhook answered %d", resp.StatusCode)
	}
	return nil
}

func (c *browserControl) handleSent(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if to == "" {
		http.Error(w, "want ?to=", http.StatusBadRequest)
		return
	}
	out := []item{}
	for _, m := range c.in.twilio.To(to) {
		out = append(out, item{"to": m.To, "from": m.From, "body": m.Body, "at": m.At})
	}
	writeControlJSON(w, out)
}

// handleAPI reads carepath's API with the admin key, so a script can check
// what a page did (GET only).
func (c *browserControl) handleAPI(w http.ResponseWriter, r *http.Request) {
	path := r.URL.Query().Get("path")
	if !strings.HasPrefix(path, "/v1/") {
		http.Error(w, "want ?path=/v1/...", http.StatusBadRequest)
		return
	}
	var out any
	if err := c.api(http.MethodGet, path, nil, &out, http.StatusOK); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	writeControlJSON(w, out)
}

// api calls carepath's API with the admin key and decodes the answer into
// out (if not nil); a status other than want is an error carrying the body.
func (c *browserControl) api(method, path string, body, out any, want int) error {
	status, b, err := c.in.do(method, path, body)
	if err != nil {
		return err
	}
	if status != want {
		return fmt.Errorf("%s %s: %d %s", method, path, status, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

// waitFor polls cond every 100ms until it holds, fails, or ctx ends.
func waitFor(ctx context.Context, what string, cond func() (bool, error)) error {
	for {
		ok, err := cond()
		if err != nil {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("timed out waiting for %s", what)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func writeControlJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	// A failed write means the script is gone or its connection broke: the
	// script reports that side.
	_ = json.NewEncoder(w).Encode(v)
}
