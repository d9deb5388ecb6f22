package activities

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/faketwilio"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// pageFixture: a database of its own (the roster is global), the fake
// Twilio through twilio-go (paced, so pages take the urgent lane), the
// sandbox for email, and a webhook receiver.
type pageFixture struct {
	t      *testing.T
	store  *store.Store
	twilio *faketwilio.Server
	acts   *Activities

	mu       sync.Mutex
	hooks    []PageWebhookBody
	status   int // the webhook's answer; 0: 200
	badSigns int
}

const pageSecret = "s3cret"

func newPageFixture(t *testing.T) *pageFixture {
	t.Helper()
	st, err := store.Open(context.Background(), testenv.Database(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	tw := faketwilio.New()
	t.Cleanup(tw.Close)
	sms, err := messaging.NewTwilio(messaging.TwilioConfig{AccountSID: "ACtest", AuthToken: "token", From: "+15550000000",
		APIURL: tw.URL, Timeout: testClientTimeout})
	if err != nil {
		t.Fatal(err)
	}
	f := &pageFixture{t: t, store: st, twilio: tw}
	hook := httptest.NewServer(http.HandlerFunc(f.receive))
	t.Cleanup(hook.Close)
	zone, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	f.acts = &Activities{Store: st, SMS: messaging.NewPaced(sms, 10), Email: messaging.Sandbox{},
		Log:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Page: PageSettings{WebhookURL: hook.URL + "/page", WebhookSecret: pageSecret, PublicURL: "https://carepath.example/", Zone: zone}}
	return f
}

// receive checks the signature independently of PageSign.
func (f *pageFixture) receive(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "read", http.StatusBadRequest)
		return
	}
	m := hmac.New(sha256.New, []byte(pageSecret))
	m.Write(body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Header.Get("X-Carepath-Signature") != "sha256="+hex.EncodeToString(m.Sum(nil)) || r.Header.Get("Content-Type") != "application/json" {
		f.badSigns++
		http.Error(w, "bad signature", http.StatusForbidden)
		return
	}
	var b PageWebhookBody
	if err := json.Unmarshal(body, &b); err != nil {
		http.Error(w, "json", http.StatusBadRequest)
		return
	}
	if f.status != 0 {
		w.WriteHeader(f.status)
		return
	}
	f.hooks = append(f.hooks, b)
}

func (f *pageFixture) webhooks() []PageWebhookBody {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]PageWebhookBody(nil), f.hooks...)
}

func (f *pageFixture) staff(name, phone, email string) store.Staff {
	f.t.Helper()
	s, err := f.store.StaffInsert(context.Background(), store.Staff{ID: uuid.NewString(), Name: name, Role: "nurse", Phone: phone, Email: email})
	if err != nil {
		f.t.Fatal(err)
	}
	return s
}

// onCallAllWeek puts the staff on call around the clock, level by order.
func (f *pageFixture) onCallAllWeek(staff ...store.Staff) {
	f.t.Helper()
	var shifts []store.Shift
	for i, s := range staff {
		for wd := range 7 {
			shifts = append(shifts, store.Shift{StaffID: s.ID, Weekday: time.Weekday(wd), Start: 0, End: 1440, Level: i + 1})
		}
	}
	if err := f.store.Tx(context.Background(), func(q *store.Queries) error { return q.OnCallReplace(context.Background(), shifts) }); err != nil {
		f.t.Fatal(err)
	}
}

func (f *pageFixture) task(p carepath.Priority) string {
	f.t.Helper()
	id, err := f.store.TaskInsert(context.Background(), store.NewTask{ID: uuid.NewString(), Priority: p, Reason: carepath.ReasonRedFlag, Swept: true})
	if err != nil {
		f.t.Fatal(err)
	}
	return id
}

func (f *pageFixture) events(taskID, kind string) []store.TaskEvent {
	f.t.Helper()
	all, err := f.store.TaskEvents(context.Background(), taskID)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []store.TaskEvent
	for _, e := range all {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func TestPageSendPagesTheChainOncePerStepAndChannel(t *testing.T) {
	f := newPageFixture(t)
	ctx := context.Background()
	ann := f.staff("Ann", "+15551110001", "ann@clinic.example")
	bob := f.staff("Bob", "+15551110002", "")
	f.onCallAllWeek(ann, bob)
	task := f.task(carepath.PriorityUrgent)

	res, err := f.acts.PageSend(ctx, PageSendRequest{TaskID: task, Step: 0})
	if err != nil {
		t.Fatal(err)
	}
	if res.Closed || res.Repeat || !res.Reached || res.StaffID != ann.ID || res.AckWithin != carepath.AckDeadline[carepath.PriorityUrgent] || len(res.AckCode) != 4 {
		t.Fatalf("first call: %+v", res)
	}
	sms := f.twilio.To(ann.Phone)
	want := "carepath: URGENT task needs you. Reply ACK " + res.AckCode + " to acknowledge. https://carepath.example/v1/tasks/" + task
	if len(sms) != 1 || sms[0].Body != want {
		t.Fatalf("SMS to first call: %+v, want one saying %q", sms, want)
	}
	hooks := f.webhooks()
	if len(hooks) != 1 || hooks[0].TaskID != task || hooks[0].Level != 1 || hooks[0].StaffID != ann.ID || hooks[0].AckCode != res.AckCode ||
		hooks[0].Priority != carepath.PriorityUrgent || hooks[0].Reason != carepath.ReasonRedFlag || !strings.HasSuffix(hooks[0].URL, "/v1/tasks/"+task) {
		t.Fatalf("webhook: %+v", hooks)
	}
	notified := f.events(task, store.TaskEventNotified)
	if len(notified) != 3 { // sms, email (sandbox), webhook
		t.Fatalf("notified events: %+v", notified)
	}
	for _, e := range notified {
		if e.StaffID != ann.ID || e.Actor != "system:pager" || !strings.Contains(e.Detail, "level 1") {
			t.Errorf("notified event %+v", e)
		}
	}

	// A retried activity sends nothing again.
	again, err := f.acts.PageSend(ctx, PageSendRequest{TaskID: task, Step: 0})
	if err != nil || again.AckCode != res.AckCode || !again.Reached {
		t.Fatalf("retry: %+v %v", again, err)
	}
	if n, h, e := len(f.twilio.To(ann.Phone)), len(f.webhooks()), len(f.events(task, store.TaskEventNotified)); n != 1 || h != 1 || e != 3 {
		t.Fatalf("retry sent again: %d SMS, %d webhooks, %d events", n, h, e)
	}

	// Level 2 is Bob (SMS only: no email), with the same code.
	res2, err := f.acts.PageSend(ctx, PageSendRequest{TaskID: task, Step: 1})
	if err != nil || res2.StaffID != bob.ID || res2.Repeat || res2.AckCode != res.AckCode {
		t.Fatalf("second call: %+v %v", res2, err)
	}
	// Past the chain: Bob again, marked as a repeat.
	res3, err := f.acts.PageSend(ctx, PageSendRequest{TaskID: task, Step: 2})
	if err != nil || res3.StaffID != bob.ID || !res3.Repeat {
		t.Fatalf("past the chain: %+v %v", res3, err)
	}
	if n := len(f.twilio.To(bob.Phone)); n != 2 {
		t.Fatalf("%d SMS to second call, want 2 (level 2 and the repeat)", n)
	}
	if hooks := f.webhooks(); len(hooks) != 3 || hooks[2].Level != 3 || !hooks[2].Repeat || hooks[2].ID == hooks[1].ID {
		t.Fatalf("webhooks: %+v", hooks)
	}
	if f.badSigns != 0 {
		t.Fatalf("%d webhook calls with a bad signature", f.badSigns)
	}
}

func TestPageSendNoOneOnCallWebhookOnly(t *testing.T) {
	f := newPageFixture(t)
	task := f.task(carepath.PriorityHigh)
	res, err := f.acts.PageSend(context.Background(), PageSendRequest{TaskID: task, Step: 0})
	if err != nil {
		t.Fatal(err)
	}
	if res.StaffID != "" || res.Reached || !res.Repeat || res.AckWithin != carepath.AckDeadline[carepath.PriorityHigh] {
		t.Fatalf("no one on call: %+v", res)
	}
	if hooks := f.webhooks(); len(hooks) != 1 || hooks[0].StaffID != "" || hooks[0].Priority != carepath.PriorityHigh {
		t.Fatalf("webhooks: %+v", hooks)
	}
	if n := len(f.twilio.Messages()); n != 0 {
		t.Fatalf("%d SMS with no one on call", n)
	}
	notes := f.events(task, store.TaskEventNote)
	if len(notes) != 1 || !strings.Contains(notes[0].Detail, "no one reachable on call") {
		t.Fatalf("notes: %+v", notes)
	}
}

func TestPageSendClosedTaskSendsNothing(t *testing.T) {
	f := newPageFixture(t)
	f.onCallAllWeek(f.staff("Ann", "+15551110001", ""))
	task := f.task(carepath.PriorityUrgent)
	if _, err := f.store.TaskAcknowledge(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	res, err := f.acts.PageSend(context.Background(), PageSendRequest{TaskID: task, Step: 0})
	if err != nil || !res.Closed {
		t.Fatalf("acknowledged task: %+v %v", res, err)
	}
	if n, h := len(f.twilio.Messages()), len(f.webhooks()); n != 0 || h != 0 {
		t.Fatalf("sent %d SMS, %d webhooks for an acknowledged task", n, h)
	}
}

func TestPageSendRetriesOnlyWhenNothingReachedAnyone(t *testing.T) {
	f := newPageFixture(t)
	ctx := context.Background()
	ann := f.staff("Ann", "+15551110001", "")
	f.onCallAllWeek(ann)
	task := f.task(carepath.PriorityUrgent)
	f.twilio.Fail = func(faketwilio.Message) (int, int) { return 500, 20500 }
	f.mu.Lock()
	f.status = http.StatusBadGateway
	f.mu.Unlock()
	if _, err := f.acts.PageSend(ctx, PageSendRequest{TaskID: task, Step: 0}); err == nil {
		t.Fatal("page with every channel failing succeeded")
	}
	if n := len(f.events(task, store.TaskEventNotified)); n != 0 {
		t.Fatalf("%d notified events for failed sends", n)
	}
	// The webhook refuses for good (4xx) while SMS works again: the SMS
	// reaches Ann, the refusal is noted, and nothing is retried.
	f.twilio.Fail = nil
	f.mu.Lock()
	f.status = http.StatusBadRequest
	f.mu.Unlock()
	res, err := f.acts.PageSend(ctx, PageSendRequest{TaskID: task, Step: 0})
	if err != nil || !res.Reached {
		t.Fatalf("page: %+v %v", res, err)
	}
	notes := f.events(task, store.TaskEventNote)
	if len(notes) != 1 || !strings.Contains(notes[0].Detail, "webhook page at level 1 failed: http 400") {
		t.Fatalf("notes: %+v", notes)
	}
}

func TestPageCodesAreUniqueAmongOpenPages(t *testing.T) {
	f := newPageFixture(t)
	ctx := context.Background()
	seen := map[string]string{}
	for range 300 {
		task := f.task(carepath.PriorityUrgent)
		var code string
		if err := f.store.Tx(ctx, func(q *store.Queries) (err error) { code, err = q.PageCode(ctx, task); return err }); err != nil {
			t.Fatal(err)
		}
		if other, dup := seen[code]; dup {
			t.Fatalf("code %s given to open tasks %s and %s", code, other, task)
		}
		seen[code] = task
		var again string
		if err := f.store.Tx(ctx, func(q *store.Queries) (err error) { again, err = q.PageCode(ctx, task); return err }); err != nil || again != code {
			t.Fatalf("second look: %q %v, want %q", again, err, code)
		}
		got, ok, err := f.store.PageOpenTaskByCode(ctx, code)
		if err != nil || !ok || got != task {
			t.Fatalf("task by code %s: %q %v %v", code, got, ok, err)
		}
	}
}

func TestSweeperLeavesPagedTasksToTheirPage(t *testing.T) {
	f := newPageFixture(t)
	ctx := context.Background()
	past := time.Now().Add(-time.Minute)
	raise := func() string {
		id, err := f.store.TaskInsert(ctx, store.NewTask{ID: uuid.NewString(), Priority: carepath.PriorityUrgent, Reason: "test", DueAt: &past, Swept: true})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	paged, unpaged := raise(), raise()
	if started, err := f.store.PageStart(ctx, paged, time.Now()); err != nil || !started {
		t.Fatalf("start page: %v %v", started, err)
	}
	res, err := f.acts.SweepTasks(ctx)
	if err != nil || res.Escalated != 1 {
		t.Fatalf("sweep: %+v %v", res, err)
	}
	for id, want := range map[string]int{paged: 0, unpaged: 1} {
		tk, err := f.store.TaskGet(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if tk.EscalationLevel != want {
			t.Errorf("task (paged %v) at level %d, want %d", id == paged, tk.EscalationLevel, want)
		}
	}
}
