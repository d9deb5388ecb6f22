package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/answers"
	"github.com/carepath/carepath/api"
	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/internal/embedded"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/store"
)

// With PostgreSQL unreachable, an inbound SMS is answered 503 (code
// "unavailable") at once, so Twilio applies the number's fallback URL
// instead of waiting out its 15-second timeout on a 500.
func TestInboundSMSWithDatabaseDownIs503Fast(t *testing.T) {
	port, err := embedded.FreePort() // nothing listens there
	if err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(context.Background(), "postgres://carepath@127.0.0.1:"+strconv.Itoa(port)+"/carepath?connect_timeout=10")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := &engine.Engine{Store: &store.Store{Pool: pool, Queries: store.NewQueries(pool)}, Temporal: tc, Log: log}
	srv := httptest.NewServer(api.New(eng, api.Config{PublicURL: "https://example.org", TwilioAuthToken: "tok"}, log).Handler())
	t.Cleanup(srv.Close)

	params := map[string]string{"MessageSid": "SMdown1", "From": "+15551234567", "To": "+15550009999", "Body": "3"}
	req := signedTwilioRequest(t, srv.URL, params)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	defer closeBody(t, resp)
	var body api.ErrorBody
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || body.Error.Code != "unavailable" {
		t.Fatalf("database down: %d %+v, want 503 unavailable", resp.StatusCode, body.Error)
	}
	// Well inside Twilio's 15 s, so its fallback URL takes the message.
	if took > 3*time.Second {
		t.Fatalf("503 took %s", took)
	}
}

// inboundEmailServer is the API on the test database with the Inbound
// Parse token set; Temporal is unreachable (the webhook does not need it).
func inboundEmailServer(t *testing.T) (*httptest.Server, *store.Store) {
	t.Helper()
	testenv.Pool(t) // migrations
	st, err := store.Open(context.Background(), testenv.Get(t).DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := &engine.Engine{Store: st, Temporal: tc, Log: log}
	srv := httptest.NewServer(api.New(eng, api.Config{PublicURL: "https://example.org", SendGridInboundToken: inboundToken}, log).Handler())
	t.Cleanup(srv.Close)
	return srv, st
}

const inboundToken = "inbound-token-0123456789abcdef"

// postEmail posts an Inbound Parse form and returns the status.
func postEmail(t *testing.T, srv *httptest.Server, fields map[string]string) int {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := w.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest("POST", srv.URL+"/webhooks/sendgrid/inbound/"+inboundToken, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	closeBody(t, resp)
	return resp.StatusCode
}

// An email reply is answered 200 and stored whatever its authentication
// and encoding. A sender SendGrid's SPF/DKIM checks do not vouch for never
// answers the patient's open question: it becomes a review task (review
// 1.9; before, anyone could answer for the patient). Text in a declared
// charset is decoded; text that cannot be decoded is kept and reviewed
// (before, it was a 400 and the reply was lost).
func TestInboundEmailAuthenticationAndCharset(t *testing.T) {
	ctx := context.Background()
	srv, st := inboundEmailServer(t)
	email := "pat-" + uuid.NewString()[:8] + "@example.org"
	pid := uuid.NewString()
	if _, err := st.PatientInsert(ctx, pid, carepath.NewPatient{GivenName: "Em", FamilyName: "Ail", BirthDate: "1970-01-01",
		Email: email, Timezone: "UTC", PreferredChannel: carepath.ChannelEmail, Locale: "es"}); err != nil {
		t.Fatal(err)
	}
	enr, err := st.EnrollmentInsert(ctx, carepath.Enrollment{ID: uuid.NewString(), PatientID: pid, Journey: "post_visit_checkin",
		Params: map[string]any{}, WorkflowID: "wf-" + pid})
	if err != nil {
		t.Fatal(err)
	}
	question := store.Question{ID: uuid.NewString(), EnrollmentID: enr.ID, PatientID: pid, WorkflowID: enr.WorkflowID, Key: "feeling",
		Accepts: answers.Spec{Choices: []answers.Choice{{Value: "better", Words: []string{"1", "mejor"}}}}}
	if err := st.QuestionOpen(ctx, question); err != nil {
		t.Fatal(err)
	}
	form := func(msgID, text string, extra map[string]string) map[string]string {
		f := map[string]string{"envelope": `{"from":"` + email + `","to":["care@example.org"]}`,
			"headers": "Message-ID: <" + msgID + ">\nSubject: Re\n", "text": text, "from": "Pat <" + email + ">"}
		for k, v := range extra {
			f[k] = v
		}
		return f
	}
	stored := func(msgID string) (id, body, taskReason string) {
		t.Helper()
		err := testenv.Pool(t).QueryRow(ctx, `SELECT m.id, m.body, coalesce(t.reason, '') FROM messages m
			LEFT JOIN tasks t ON t.message_id = m.id WHERE m.provider = 'sendgrid' AND m.provider_message_id = $1`, msgID).Scan(&id, &body, &taskReason)
		if err != nil {
			t.Fatalf("message %s not stored: %v", msgID, err)
		}
		return id, body, taskReason
	}

	forged := uuid.NewString() + "@mail.example.net"
	if st := postEmail(t, srv, form(forged, "1", map[string]string{"SPF": "fail", "dkim": "{@attacker.example : pass}"})); st != http.StatusOK {
		t.Fatalf("unverified sender: %d", st)
	}
	id, _, reason := stored(forged)
	if reason != engine.ReasonUnverifiedEmail {
		t.Fatalf("unverified sender's reply: task %q", reason)
	}
	if _, answered, err := st.QuestionAnsweredBy(ctx, id); err != nil || answered {
		t.Fatalf("unverified sender answered the question: %v %v", answered, err)
	}

	latin1 := uuid.NewString() + "@mail.example.net"
	if st := postEmail(t, srv, form(latin1, "S\xed, mejor", map[string]string{"dkim": "{@example.org : pass}",
		"charsets": `{"text":"iso-8859-1","from":"UTF-8"}`})); st != http.StatusOK {
		t.Fatalf("iso-8859-1 reply: %d", st)
	}
	if id, body, _ := stored(latin1); body != "Sí, mejor" {
		t.Fatalf("iso-8859-1 reply stored as %q", body)
	} else if q, answered, err := st.QuestionAnsweredBy(ctx, id); err != nil || !answered || q.ID != question.ID {
		t.Fatalf("verified reply did not answer the question: %v %v", answered, err)
	}

	garbled := uuid.NewString() + "@mail.example.net"
	if st := postEmail(t, srv, form(garbled, "caf\xe9 \xff", map[string]string{"SPF": "pass", "charsets": `{"text":"UTF-8"}`})); st != http.StatusOK {
		t.Fatalf("undecodable reply: %d", st)
	}
	if _, body, reason := stored(garbled); reason != engine.ReasonUnreadableEmail || !strings.HasPrefix(body, "caf") {
		t.Fatalf("undecodable reply stored as %q with task %q", body, reason)
	}
}

// A reply waiting more than a minute to be routed shows in /healthz as a
// warning (status degraded); the metric carries the same figures.
func TestHealthWarnsOfRepliesWaiting(t *testing.T) {
	ctx := context.Background()
	srv, _ := inboundEmailServer(t)
	pool := testenv.Pool(t)
	id := uuid.NewString()
	if _, err := pool.Exec(ctx, `INSERT INTO messages (id, direction, channel, body, status, created_at)
		VALUES ($1, 'inbound', 'sms', 'x', 'received', now() - interval '2 minutes')`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO inbound_routes (message_id, sender, route, created_at)
		VALUES ($1, 'health-test', '{}', now() - interval '2 minutes')`, id); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := pool.Exec(ctx, `DELETE FROM inbound_routes WHERE message_id = $1`, id); err != nil {
			t.Error(err)
		}
	})
	resp, err := http.Get(srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer closeBody(t, resp)
	var body struct {
		Status   string
		Checks   map[string]string
		Warnings []string
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	if body.Checks["reply_routing"] != "delayed" || len(body.Warnings) != 1 {
		t.Fatalf("healthz with a reply waiting 2 minutes: %d %+v", resp.StatusCode, body)
	}
}

// Across a PostgreSQL crash and restart, the inbound-SMS webhook stores
// replies before (200), answers 503 fast while it is down (Twilio's fallback
// URL applies), and stores them again once it is back, with the same pool
// and no restart of carepath: dead pooled connections are not a 500.
func TestInboundSMSAcrossDatabaseCrashRestart(t *testing.T) {
	testenv.SkipShort(t) // a private PostgreSQL, started and crashed here
	ctx := context.Background()
	pg, err := embedded.StartPostgres(ctx, embedded.PostgresOptions{Dir: t.TempDir(), Database: "carepath_crash"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := pg.Stop(); err != nil {
			t.Log(err)
		}
	})
	st, err := store.Open(ctx, pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	if _, err := store.Migrate(ctx, st.Pool); err != nil {
		t.Fatal(err)
	}
	tc, err := client.NewLazyClient(client.Options{HostPort: "127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	eng := &engine.Engine{Store: st, Temporal: tc, Log: log}
	srv := httptest.NewServer(api.New(eng, api.Config{PublicURL: "https://example.org", TwilioAuthToken: "tok"}, log).Handler())
	t.Cleanup(srv.Close)
	post := func(sid string) (int, time.Duration) {
		params := map[string]string{"MessageSid": sid, "From": "+15557654321", "To": "+15550009999", "Body": "hello"}
		req := signedTwilioRequest(t, srv.URL, params)
		start := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		closeBody(t, resp)
		return resp.StatusCode, time.Since(start)
	}
	if code, _ := post("SMcrash1"); code != http.StatusOK {
		t.Fatalf("before the crash: %d", code)
	}
	if err := pg.Kill(); err != nil {
		t.Fatal(err)
	}
	if code, took := post("SMcrash2"); code != http.StatusServiceUnavailable || took > 3*time.Second {
		t.Fatalf("database down: %d after %s, want 503 within a second or so", code, took)
	}
	// The killed backends may take a moment to go (shared memory, port).
	for attempt := 1; ; attempt++ {
		err := pg.Restart(ctx)
		if err == nil {
			break
		}
		if attempt == 10 {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if code, _ := post("SMcrash3"); code != http.StatusOK {
		t.Fatalf("after the restart: %d", code)
	}
	var n int
	if err := st.Pool.QueryRow(ctx, `SELECT count(*) FROM messages WHERE provider_message_id IN ('SMcrash1', 'SMcrash3')`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Fatalf("%d of the 2 accepted replies stored", n)
	}
}

// closeBody closes a response body, failing the test if that fails.
func closeBody(t *testing.T, resp *http.Response) {
	t.Helper()
	if err := resp.Body.Close(); err != nil {
		t.Error(err)
	}
}

// signedTwilioRequest is an inbound-SMS webhook request to base, signed
// with the test auth token "tok" for the public URL https://example.org.
func signedTwilioRequest(t *testing.T, base string, params map[string]string) *http.Request {
	t.Helper()
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	req, err := http.NewRequest("POST", base+"/webhooks/twilio/messages", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", messaging.SignTwilio("tok", "https://example.org/webhooks/twilio/messages", params))
	return req
}
