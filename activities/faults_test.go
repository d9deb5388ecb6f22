package activities

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/carepath/carepath/internal/fakefault"
	"github.com/carepath/carepath/messaging"
)

// fault is what the proxy does with one create (POST) request.
type fault int

const (
	passThrough   fault = iota
	acceptThen500       // the provider accepts it, then answers 500
	refuse500           // 500 without accepting
	acceptStall         // accepted; the answer comes only after the client's timeout
	dropUnsent          // the connection breaks before the provider sees the request
)

// faultProxy stands in front of a fake provider and misbehaves on create
// requests as plan says; lookups (GET) pass through. alter, if set,
// rewrites the Twilio body the provider stores (a provider that changes
// what it was given). It logs the order of creates and lookups.
type faultProxy struct {
	*httptest.Server
	target *url.URL

	mu    sync.Mutex
	plan  func(n int) fault // n counts creates from 1
	alter func(body string) string
	n     int
	log   []string // "create", "lookup"
}

func newFaultProxy(t *testing.T, target string) *faultProxy {
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{target: u}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.Close)
	return p
}

// set plans the faults of the next creates (n counts from 1 again).
func (p *faultProxy) set(plan func(n int) fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.plan, p.n, p.log = plan, 0, nil
}

// first makes the next create meet fl and every later one pass through.
func (p *faultProxy) first(fl fault) {
	p.set(func(n int) fault {
		if n == 1 {
			return fl
		}
		return passThrough
	})
}

// calls returns the log of creates and lookups since set.
func (p *faultProxy) calls() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.log...)
}

func (p *faultProxy) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	kind := "lookup"
	f := passThrough
	alter := p.alter
	if r.Method == http.MethodPost {
		kind = "create"
		p.n++
		if p.plan != nil {
			f = p.plan(p.n)
		}
	}
	p.log = append(p.log, kind)
	p.mu.Unlock()
	if r.Method == http.MethodPost && alter != nil && r.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
		if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Body") != "" {
			form.Set("Body", alter(form.Get("Body")))
			body = []byte(form.Encode())
		}
	}
	switch f {
	case refuse500:
		fail500(w)
		return
	case dropUnsent:
		hangUp(w)
		return
	}
	resp, err := p.forward(r, body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	answer, err := io.ReadAll(resp.Body)
	if err = errors.Join(err, resp.Body.Close()); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	switch f {
	case acceptThen500:
		fail500(w)
		return
	case acceptStall:
		time.Sleep(testClientTimeout + 500*time.Millisecond)
		fail500(w) // nobody is listening any more
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(answer) // a client that has gone sees that itself
}

func (p *faultProxy) forward(r *http.Request, body []byte) (*http.Response, error) {
	u := *r.URL
	u.Scheme, u.Host = p.target.Scheme, p.target.Host
	out, err := http.NewRequest(r.Method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	out.Header = r.Header.Clone()
	return http.DefaultClient.Do(out)
}

func fail500(w http.ResponseWriter) {
	fakefault.WriteJSON(w, http.StatusInternalServerError, map[string]any{"code": 20500, "message": "fake internal error", "status": 500})
}

func hangUp(w http.ResponseWriter) {
	if !fakefault.HangUp(w) {
		panic("cannot hijack")
	}
}

// run calls SendMessage as Temporal does: again after every retryable
// error, after the delay the error asks for. It returns the outcome and
// how many activity attempts it took.
func (f *fixture) run(req SendMessageRequest) (SendMessageResult, int) {
	f.t.Helper()
	for attempt := 1; ; attempt++ {
		res, err := f.acts.SendMessage(context.Background(), req)
		if err == nil {
			return res, attempt
		}
		var ae *temporal.ApplicationError
		if errors.As(err, &ae) && ae.NonRetryable() {
			f.t.Fatalf("non-retryable: %v", err)
		}
		if attempt >= 15 {
			f.t.Fatalf("no outcome after %d attempts: %v", attempt, err)
		}
		delay := 100 * time.Millisecond
		if errors.As(err, &ae) && ae.NextRetryDelay() > 0 {
			delay = min(ae.NextRetryDelay(), 5*time.Second)
		}
		time.Sleep(delay)
	}
}

func hasPrefix(calls []string, prefix ...string) bool {
	return len(calls) >= len(prefix) && strings.Join(calls[:len(prefix)], ",") == strings.Join(prefix, ",")
}

// gate is a pacer stand-in: Acquire calls onWait (what happens while a
// message waits for its slot), then hands out the slot at once.
type gate struct {
	inner messaging.Sender
	mu    sync.Mutex
	wait  func()
}

func newGate(inner messaging.Sender) *gate { return &gate{inner: inner} }

func (g *gate) setOnWait(fn func()) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.wait = fn
}

func (g *gate) Provider() string         { return g.inner.Provider() }
func (g *gate) Direct() messaging.Sender { return g.inner }

func (g *gate) Acquire(context.Context) (*messaging.Slot, error) {
	g.mu.Lock()
	fn := g.wait
	g.mu.Unlock()
	if fn != nil {
		fn()
	}
	return nil, nil
}

// AcquireUrgent is Acquire: the stand-in has no queue to jump.
func (g *gate) AcquireUrgent(ctx context.Context) (*messaging.Slot, error) { return g.Acquire(ctx) }

func (g *gate) Send(ctx context.Context, m messaging.Outbound) (messaging.Receipt, error) {
	if _, err := g.Acquire(ctx); err != nil {
		return messaging.Receipt{}, err
	}
	return g.inner.Send(ctx, m)
}

func (g *gate) Lookup(ctx context.Context, q messaging.LookupQuery) ([]messaging.Accepted, error) {
	return g.inner.(messaging.Looker).Lookup(ctx, q)
}
