package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath/internal/embedded"
	"github.com/carepath/carepath/internal/faketwilio"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/messaging"
)

const (
	testAdminKey  = "cp_test_admin_key_0123456789abcdef"
	testSID       = "ACtest00000000000000000000000000"
	testAuthToken = "testauthtoken0123456789"
	testFrom      = "+15550009999"
)

// instance is a `carepath dev` started by a test through run(), exactly as
// `make run` starts it, with twilio-go pointed at a fake Twilio. Given
// DATABASE_URL and TEMPORAL_ADDRESS, `dev` starts no services of its own:
// it migrates and runs the worker, the API and the codec server.
type instance struct {
	t         *testing.T
	base      string
	twilio    *faketwilio.Server
	env       map[string]string
	dataDir   string
	temporal  string // the Temporal server's address
	namespace string // the Temporal namespace the instance runs in
	// temporalFiles is a glob of the Temporal server's SQLite files and log.
	temporalFiles string
}

func startDev(t *testing.T) *instance { t.Helper(); return startDevWith(t, nil) }

// startDevWith starts `carepath dev` with extra environment on the
// package's shared PostgreSQL and Temporal server (TestMain), in a database
// and a namespace of its own: no test sees another's rows, and no worker
// picks up a journey an earlier test left running.
func startDevWith(t *testing.T, extra map[string]string) *instance {
	t.Helper()
	s := testenv.Get(t)
	in := newInstance(t)
	in.temporal, in.namespace = s.TemporalAddress, testenv.Namespace(t)
	in.temporalFiles = filepath.Join(s.Dir, "temporal.*")
	in.env["DATABASE_URL"] = testenv.Database(t)
	in.env["TEMPORAL_ADDRESS"] = in.temporal
	in.env["TEMPORAL_NAMESPACE"] = in.namespace
	in.start(extra)
	return in
}

// newInstance prepares the environment every instance shares: a fake
// Twilio, a free API port and a data directory.
func newInstance(t *testing.T) *instance {
	t.Helper()
	port, err := embedded.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	tw := faketwilio.New()
	t.Cleanup(tw.Close)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	env := map[string]string{
		"CAREPATH_DATA_DIR":          t.TempDir(),
		"CAREPATH_HTTP_ADDR":         addr,
		"CAREPATH_PUBLIC_URL":        "https://carepath.example.org",
		"CAREPATH_BOOTSTRAP_API_KEY": testAdminKey,
		"CAREPATH_LOG_LEVEL":         "warn",
		"CAREPATH_CODEC_ADDR":        "127.0.0.1:0",
		"CAREPATH_SMS_PER_SECOND":    "50",
		"TWILIO_ACCOUNT_SID":         testSID,
		"TWILIO_AUTH_TOKEN":          testAuthToken,
		"TWILIO_FROM_NUMBER":         testFrom,
		"TWILIO_API_URL":             tw.URL,
	}
	return &instance{t: t, base: "http://" + addr, twilio: tw, env: env, dataDir: env["CAREPATH_DATA_DIR"]}
}

// start runs `carepath dev` with the instance's environment plus extra,
// stops it when the test ends, and waits until /healthz answers 200. A
// free port can be taken by another process between FreePort and the
// listen (the chaos run starts beside these tests): that start is retried
// on a new port rather than failing the test.
func (in *instance) start(extra map[string]string) {
	t := in.t
	t.Helper()
	for k, v := range extra {
		in.env[k] = v
	}
	for attempt := 1; ; attempt++ {
		err := in.startOnce()
		if err == nil {
			return
		}
		if !strings.Contains(err.Error(), "address already in use") || attempt == 3 {
			t.Fatalf("carepath dev exited during start-up: %v", err)
		}
		port, perr := embedded.FreePort()
		if perr != nil {
			t.Fatal(perr)
		}
		addr := fmt.Sprintf("127.0.0.1:%d", port)
		in.env["CAREPATH_HTTP_ADDR"], in.base = addr, "http://"+addr
	}
}

// startOnce starts `carepath dev` and waits for it to be healthy; it
// returns the error `dev` ended with if it ended during start-up.
func (in *instance) startOnce() error {
	t := in.t
	t.Helper()
	env := make(map[string]string, len(in.env))
	for k, v := range in.env {
		env[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var stdout bytes.Buffer
	go func() { done <- run(ctx, []string{"dev"}, func(k string) string { return env[k] }, &stdout, os.Stderr) }()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		select {
		case err := <-done:
			cancel()
			return err
		default:
		}
		if resp, err := http.Get(in.base + "/healthz"); err == nil {
			closeBody(resp.Body)
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatal("carepath dev not healthy after 2 minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("carepath dev ended with an error: %v", err)
			}
		case <-time.After(60 * time.Second):
			t.Error("carepath dev did not stop within 60s of cancellation")
		}
	})
	return nil
}

// call sends a JSON request with the admin key and decodes the answer.
func (in *instance) call(method, path string, body any, out any) int {
	in.t.Helper()
	status, b, err := in.do(method, path, body)
	if err != nil {
		in.t.Fatal(err)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			in.t.Fatalf("%s %s: decode: %v", method, path, err)
		}
	}
	return status
}

// do is call without the test: it returns the status and body, or what
// went wrong, for code that runs outside the test's goroutine (the
// browser tests' control server).
func (in *instance) do(method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, in.base+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+testAdminKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer closeBody(resp.Body)
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("%s %s: read: %w", method, path, err)
	}
	return resp.StatusCode, b, nil
}

// sms posts an inbound SMS webhook signed with token (Twilio's algorithm,
// over the public URL) and returns the status.
func (in *instance) sms(token, sid, from, body string) int {
	in.t.Helper()
	st, b := in.signedPost(token, "/webhooks/twilio/messages",
		map[string]string{"MessageSid": sid, "AccountSid": testSID, "From": from, "To": testFrom, "Body": body})
	if st == http.StatusOK && !strings.Contains(b, "<Response") {
		in.t.Fatalf("webhook answered 200 without TwiML: %s", b)
	}
	return st
}

// twilioPost posts a form signed as Twilio signs it and returns the status.
func (in *instance) twilioPost(token, path string, params map[string]string) int {
	in.t.Helper()
	st, _ := in.signedPost(token, path, params)
	return st
}

// signedPost posts a form with X-Twilio-Signature computed (with token)
// over the public URL, and returns the status and body.
func (in *instance) signedPost(token, path string, params map[string]string) (int, string) {
	in.t.Helper()
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	req, err := http.NewRequest(http.MethodPost, in.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		in.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", messaging.SignTwilio(token, "https://carepath.example.org"+path, params))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer closeBody(resp.Body)
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		in.t.Fatalf("%s: read answer: %v", path, err)
	}
	return resp.StatusCode, string(b)
}

// eventually polls cond until it holds or a minute passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for: %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

type item = map[string]any

// closeBody closes an HTTP response body the test has read: nothing the
// test checks can be lost by the close, so its error is not reported.
func closeBody(body io.Closer) { _ = body.Close() }
