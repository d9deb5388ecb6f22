package chaos

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/testenv"
)

// Mix is how many people of each kind a run simulates.
type Mix struct {
	Checkins      int // post-visit check-ins by SMS (some stay silent)
	EmailCheckins int // post-visit check-ins answered by email
	Families      int // two patients sharing one phone, same first name: identical bodies
	Stops         int // STOP at the first question, START later, then a new check-in
	Onboardings   int
	Treatments    int // follow-ups with readings posted as observations
	Caregivers    int // patients whose caregiver sends STOP/HELP from their own phone
}

// patient is one simulated patient.
type patient struct {
	id, phone, email string
	caregivers       []string // their addresses
}

// person is whoever holds one address: one patient, a family sharing a
// phone, or a caregiver.
type person struct {
	address  string
	channel  carepath.Channel
	patients []*patient
	// caregiverOf is set for a caregiver; caregivers answer nothing.
	caregiverOf *patient
	silent      bool
	stopFirst   bool // answers the first question with STOP
	restart     bool // sends START later, then gets a new check-in

	mu      sync.Mutex
	stopped bool
}

// traffic drives the patients and records what they did.
type traffic struct {
	ctx    context.Context
	rnd    *rnd
	c      *client
	prov   *providers
	logf   func(string, ...any)
	window time.Duration // enrollments start within it

	mu             sync.Mutex
	people         map[string]*person
	patients       []*patient
	enrollments    []string
	treatments     map[string]*patient // enrollment → patient
	readings       map[string]bool     // patients whose reading was posted
	replies        []Reply
	optOuts        []OptOut
	caregiverStops []string
	refused        []string // replies no webhook attempt acknowledged
	wg             sync.WaitGroup
	seq            int
}

func newTraffic(ctx context.Context, r *rnd, c *client, prov *providers, window time.Duration, logf func(string, ...any)) *traffic {
	return &traffic{ctx: ctx, rnd: r, c: c, prov: prov, window: window, logf: logf,
		people: map[string]*person{}, treatments: map[string]*patient{}, readings: map[string]bool{}}
}

func (t *traffic) next() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.seq++
	return t.seq
}

// createPatient registers a patient through the API (before any fault, so a
// plain call: POST /patients is not idempotent).
func (t *traffic) createPatient(given, phone, email string, channel carepath.Channel) (*patient, error) {
	n := t.next()
	body := map[string]any{"given_name": given, "family_name": fmt.Sprintf("Chaos%d", n), "birth_date": "1970-01-01",
		"timezone": testenv.ZoneAt(12), "locale": "en"}
	if phone != "" {
		body["phone"] = phone
	}
	if email != "" {
		body["email"] = email
	}
	if channel != "" {
		body["preferred_channel"] = channel
	}
	var out carepath.Patient
	if _, err := t.c.call(t.ctx, http.MethodPost, "/v1/patients", body, &out); err != nil {
		return nil, err
	}
	p := &patient{id: out.ID, phone: phone, email: email}
	t.mu.Lock()
	t.patients = append(t.patients, p)
	t.mu.Unlock()
	return p, nil
}

func (t *traffic) addPerson(p *person) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.people[p.address] = p
}

func phoneN(n int) string { return fmt.Sprintf("+1555%07d", 2000000+n) }
func emailN(n int) string { return fmt.Sprintf("patient%d@chaos.example.org", n) }

// setup creates everyone and schedules their journeys within the window.
func (t *traffic) setup(m Mix) error {
	at := func() time.Duration { return t.rnd.between(2*time.Second, t.window*3/4) }
	for i := range m.Checkins {
		n := t.next()
		p, err := t.createPatient("Pat", phoneN(n), "", "")
		if err != nil {
			return err
		}
		silent := i%8 == 7
		t.addPerson(&person{address: p.phone, channel: "sms", patients: []*patient{p}, silent: silent})
		start := at()
		if silent {
			start = t.rnd.between(time.Second, 10*time.Second) // its timeouts must run out before the end
		}
		t.after(start, func() { t.enroll(p, "post_visit_checkin", "visit-1", checkinParams(silent)) })
	}
	for range m.EmailCheckins {
		n := t.next()
		p, err := t.createPatient("Em", "", emailN(n), "email")
		if err != nil {
			return err
		}
		t.addPerson(&person{address: p.email, channel: "email", patients: []*patient{p}})
		t.after(at(), func() { t.enroll(p, "post_visit_checkin", "visit-1", checkinParams(false)) })
	}
	for i := range m.Families {
		phone := phoneN(t.next())
		fam := &person{address: phone, channel: "sms", stopFirst: i%2 == 1}
		for range 2 {
			p, err := t.createPatient("Alex", phone, "", "")
			if err != nil {
				return err
			}
			fam.patients = append(fam.patients, p)
		}
		t.addPerson(fam)
		// Early: a reply no journey can claim for sure waits out reply timeouts.
		start := t.rnd.between(2*time.Second, t.window/3)
		for _, p := range fam.patients {
			// No reminder: a reply carepath cannot attribute to one of the two
			// goes to an inbox task, and each journey waits out its timeout.
			t.after(start, func() { t.enroll(p, "post_visit_checkin", "visit-1", checkinParams(true)) })
		}
	}
	for range m.Stops {
		p, err := t.createPatient("Sam", phoneN(t.next()), "", "")
		if err != nil {
			return err
		}
		t.addPerson(&person{address: p.phone, channel: "sms", patients: []*patient{p}, stopFirst: true, restart: true})
		t.after(at(), func() { t.enroll(p, "post_visit_checkin", "visit-1", checkinParams(false)) })
	}
	for range m.Onboardings {
		p, err := t.createPatient("Ona", phoneN(t.next()), "", "")
		if err != nil {
			return err
		}
		t.addPerson(&person{address: p.phone, channel: "sms", patients: []*patient{p}})
		t.after(at(), func() { t.enroll(p, "onboarding", "", map[string]any{"reminders": 0}) })
	}
	for range m.Treatments {
		p, err := t.createPatient("Tia", phoneN(t.next()), "", "")
		if err != nil {
			return err
		}
		t.addPerson(&person{address: p.phone, channel: "sms", patients: []*patient{p}})
		t.after(at(), func() { t.startTreatment(p) })
	}
	for range m.Caregivers {
		n := t.next()
		p, err := t.createPatient("Cara", phoneN(n), emailN(n), "")
		if err != nil {
			return err
		}
		t.addPerson(&person{address: p.phone, channel: "sms", patients: []*patient{p}})
		cgPhone := phoneN(t.next())
		cg := map[string]any{"given_name": "Gina", "family_name": "Giver", "relationship": "daughter", "phone": cgPhone,
			"email": emailN(t.next()), "preferred_channel": "sms", "authorized_by_patient": true}
		if _, err := t.c.call(t.ctx, http.MethodPost, "/v1/patients/"+p.id+"/caregivers", cg, nil); err != nil {
			return err
		}
		p.caregivers = []string{cgPhone, cg["email"].(string)}
		giver := &person{address: cgPhone, channel: "sms", caregiverOf: p}
		t.addPerson(giver)
		t.after(at(), func() { t.caregiverSaysStop(giver) })
	}
	return nil
}

// checkinParams: delay 0, a one-minute reply timeout, one reminder unless
// noReminder.
func checkinParams(noReminder bool) map[string]any {
	p := map[string]any{"delay": "0s", "reply_timeout": "1m", "reminders": 1}
	if noReminder {
		p["reminders"] = 0
	}
	return p
}

// after runs f after d on its own goroutine, unless the run ends first.
func (t *traffic) after(d time.Duration, f func()) {
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		select {
		case <-time.After(d):
			f()
		case <-t.ctx.Done():
		}
	}()
}

// enroll starts a journey through the API; the key makes retries safe.
func (t *traffic) enroll(p *patient, journey, key string, params map[string]any) {
	body := map[string]any{"journey": journey, "params": params}
	if key != "" {
		body["key"] = key
	}
	var e carepath.Enrollment
	if err := t.c.retry(t.ctx, http.MethodPost, "/v1/patients/"+p.id+"/enrollments", body, &e); err != nil {
		t.logf("enroll patient %s in %s: %v", p.id, journey, err)
		return
	}
	t.mu.Lock()
	t.enrollments = append(t.enrollments, e.ID)
	t.mu.Unlock()
}

// startTreatment posts the EHR event that starts a follow-up.
func (t *traffic) startTreatment(p *patient) {
	id := fmt.Sprintf("chaos-plan-%s", p.id)
	body := map[string]any{"id": id, "type": "care_plan.started", "patient_id": p.id,
		"occurred_at": time.Now().UTC().Format(time.RFC3339),
		"data": map[string]any{"care_plan_id": "plan-" + p.id[:8],
			"params": map[string]any{"first_checkin": "now", "checkin_every": "24h", "reply_timeout": "1h", "high": 250}}}
	var out struct {
		Enrollments []string `json:"enrollments"`
	}
	if err := t.c.retry(t.ctx, http.MethodPost, "/v1/events", body, &out); err != nil || len(out.Enrollments) != 1 {
		t.logf("care plan event for patient %s: %v (%d enrollments)", p.id, err, len(out.Enrollments))
		return
	}
	t.mu.Lock()
	t.enrollments = append(t.enrollments, out.Enrollments[0])
	t.treatments[out.Enrollments[0]] = p
	t.mu.Unlock()
}

// caregiverSaysStop: the caregiver texts STOP (and HELP, and a question) from
// their own phone; then the patient gets a check-in, which must reach them.
func (t *traffic) caregiverSaysStop(giver *person) {
	if _, ok := t.reply(giver, "STOP", true); !ok {
		return
	}
	t.mu.Lock()
	t.caregiverStops = append(t.caregiverStops, giver.caregiverOf.id)
	t.mu.Unlock()
	if t.rnd.chance(0.5) {
		t.reply(giver, "HELP", true)
	}
	t.reply(giver, "How is my mother doing?", false)
	t.sleep(3 * time.Second)
	t.enroll(giver.caregiverOf, "post_visit_checkin", "visit-1", checkinParams(false))
}

func (t *traffic) sleep(d time.Duration) {
	select {
	case <-time.After(d):
	case <-t.ctx.Done():
	}
}

// watch reads what the fakes accepted and lets each person react.
func (t *traffic) watch(done <-chan struct{}) {
	twSeen, sgSeen := 0, 0
	for {
		select {
		case <-done:
			return
		case <-time.After(200 * time.Millisecond):
		}
		msgs := t.prov.tw.Messages()
		for _, m := range msgs[twSeen:] {
			t.react(m.To, m.Body)
		}
		twSeen = len(msgs)
		mails := t.prov.sg.Mails()
		for _, m := range mails[sgSeen:] {
			t.react(m.To, m.Text)
		}
		sgSeen = len(mails)
	}
}

func (t *traffic) react(to, body string) {
	t.mu.Lock()
	p := t.people[to]
	t.mu.Unlock()
	if p == nil || p.caregiverOf != nil || p.silent {
		return
	}
	if asksForReading(body) {
		t.after(t.rnd.between(time.Second, 8*time.Second), func() { t.postReading(p.patients[0]) })
		return
	}
	answer, ok := answerFor(t.rnd, body)
	if !ok {
		return
	}
	p.mu.Lock()
	stopNow := p.stopFirst && !p.stopped
	if stopNow {
		p.stopped = true
	}
	p.mu.Unlock()
	delay := t.rnd.between(500*time.Millisecond, 10*time.Second)
	if stopNow {
		t.after(delay, func() { t.stopAndMaybeRestart(p) })
		return
	}
	t.after(delay, func() { t.reply(p, answer, false) })
}

func (t *traffic) stopAndMaybeRestart(p *person) {
	if _, ok := t.reply(p, pick(t.rnd, "STOP", "stop", " Stop "), true); !ok || !p.restart {
		return
	}
	t.sleep(t.rnd.between(10*time.Second, 20*time.Second))
	startAt := time.Now()
	if _, ok := t.reply(p, "START", true); !ok {
		return
	}
	t.mu.Lock()
	for i := range t.optOuts {
		if t.optOuts[i].Address == p.address && t.optOuts[i].Start.IsZero() {
			t.optOuts[i].Start = startAt
		}
	}
	t.mu.Unlock()
	t.sleep(3 * time.Second)
	for _, pt := range p.patients {
		t.enroll(pt, "post_visit_checkin", "visit-2", checkinParams(false))
	}
}

// reply sends an inbound message from p, retrying as Twilio's fallback URL
// would (same message ID) until carepath acknowledges it.
func (t *traffic) reply(p *person, body string, keyword bool) (time.Time, bool) {
	id := "SM" + randomHex(16)
	if p.channel == "email" {
		id = randomHex(12) + "@mail.chaos.example.org"
	}
	deadline := time.Now().Add(3 * time.Minute)
	for attempt := 0; ; attempt++ {
		ctx, cancel := context.WithTimeout(t.ctx, 15*time.Second)
		var st int
		var err error
		if p.channel == "email" {
			st, err = t.c.postEmail(ctx, p.address, id, body+"\n\nOn Monday, Care Team wrote:\n> an earlier message\n")
		} else {
			st, err = t.c.postForm(ctx, t.c.base+"/webhooks/twilio/messages", map[string]string{"MessageSid": id,
				"AccountSid": twilioSID, "From": p.address, "To": twilioFrom, "Body": body})
		}
		cancel()
		if err == nil && st/100 == 2 {
			t.recordReply(p, id, body, keyword, time.Now())
			return time.Now(), true
		}
		if time.Now().After(deadline) || t.ctx.Err() != nil {
			t.mu.Lock()
			t.refused = append(t.refused, fmt.Sprintf("reply %s never acknowledged after %d attempts (last: %d %v)", id, attempt+1, st, err))
			t.mu.Unlock()
			return time.Time{}, false
		}
		t.sleep(2 * time.Second)
	}
}

func (t *traffic) recordReply(p *person, id, body string, keyword bool, at time.Time) {
	var ids []string
	if p.caregiverOf == nil {
		for _, pt := range p.patients {
			ids = append(ids, pt.id)
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.replies = append(t.replies, Reply{Channel: p.channel, From: p.address, ProviderID: id, Body: body,
		PatientIDs: ids, Keyword: keyword, AckedAt: at})
	switch {
	case keyword && strings.EqualFold(strings.TrimSpace(body), "STOP"):
		t.optOuts = append(t.optOuts, OptOut{Address: p.address, Stop: at})
	case keyword && strings.EqualFold(strings.TrimSpace(body), "HELP"):
		for i := range t.optOuts {
			if t.optOuts[i].Address == p.address && t.optOuts[i].Start.IsZero() {
				t.optOuts[i].Helps++
			}
		}
	}
}

// postReading is the patient's meter sending a reading (sometimes high).
func (t *traffic) postReading(p *patient) {
	value := 90 + t.rnd.intn(120)
	if t.rnd.chance(0.3) {
		value = 300
	}
	body := map[string]any{"id": "meter-" + p.id, "code": "blood_glucose", "value": value, "unit": "mg/dL",
		"effective_at": time.Now().UTC().Format(time.RFC3339)}
	if err := t.c.retry(t.ctx, http.MethodPost, "/v1/patients/"+p.id+"/observations", body, nil); err != nil {
		t.logf("reading for patient %s: %v", p.id, err)
		return
	}
	t.mu.Lock()
	t.readings[p.id] = true
	t.mu.Unlock()
}

// finishTreatments cancels each follow-up once its first cycle is done
// (it would otherwise run for months): the care team ends the plan.
func (t *traffic) finishTreatments(done <-chan struct{}) {
	cancelled := map[string]bool{}
	for {
		select {
		case <-done:
			return
		case <-time.After(2 * time.Second):
		}
		t.mu.Lock()
		var todo []string
		for id, p := range t.treatments {
			if t.readings[p.id] && !cancelled[id] {
				todo = append(todo, id)
			}
		}
		t.mu.Unlock()
		for _, id := range todo {
			var e carepath.Enrollment
			if _, err := t.c.call(t.ctx, http.MethodGet, "/v1/enrollments/"+id, nil, &e); err != nil {
				continue
			}
			if e.Status != carepath.EnrollmentActive {
				cancelled[id] = true
				continue
			}
			if e.Step == "waiting_for_checkin" {
				if _, err := t.c.call(t.ctx, http.MethodPost, "/v1/enrollments/"+id+"/cancel", nil, nil); err == nil {
					cancelled[id] = true
				}
			}
		}
	}
}

// chatter: patients text something that answers no question (while
// Temporal is down): each must end up with a journey or in a task.
func (t *traffic) chatter(n int) {
	t.mu.Lock()
	var sms []*person
	for _, p := range t.people {
		if p.channel == "sms" && p.caregiverOf == nil && !p.stopFirst && !p.silent && len(p.patients) == 1 {
			sms = append(sms, p)
		}
	}
	t.mu.Unlock()
	for i := 0; i < n && len(sms) > 0; i++ {
		k := t.rnd.intn(len(sms))
		p := sms[k]
		sms = append(sms[:k], sms[k+1:]...)
		t.after(t.rnd.between(0, 5*time.Second), func() { t.reply(p, "Thank you so much", false) })
	}
}

// activeEnrollments lists the tracked enrollments not yet finished, as
// journey@step.
func (t *traffic) activeEnrollments() ([]string, error) {
	t.mu.Lock()
	ids := append([]string(nil), t.enrollments...)
	t.mu.Unlock()
	var active []string
	for _, id := range ids {
		var e carepath.Enrollment
		if _, err := t.c.call(t.ctx, http.MethodGet, "/v1/enrollments/"+id, nil, &e); err != nil {
			return nil, err
		}
		if e.Status == carepath.EnrollmentActive {
			active = append(active, e.Journey+"@"+e.Step)
		}
	}
	return active, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
