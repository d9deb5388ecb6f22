package engine

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"

	"github.com/carepath/carepath/activities"
	"github.com/carepath/carepath/internal/faketwilio"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/messaging"
	"github.com/carepath/carepath/paging"
	"github.com/carepath/carepath/store"
	"github.com/carepath/carepath/worker"
)

// e2e is an engine with a worker on the real Temporal server and Twilio's
// client pointed at the fake, for tests that follow a message all the way.
type e2e struct {
	e  *Engine
	st *store.Store
	tc client.Client
	tw *faketwilio.Server
}

// startE2E opens databaseURL, dials the test namespace and starts a worker
// sending sendsPerSecond; configure may add settings to its activities.
func startE2E(t *testing.T, databaseURL string, sendsPerSecond float64, configure func(*activities.Activities)) e2e {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	tc, err := client.Dial(client.Options{HostPort: testenv.Get(t).TemporalAddress, Namespace: testenv.Namespace(t),
		Logger: tlog.NewStructuredLogger(log)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	reg, err := journeys.Registry()
	if err != nil {
		t.Fatal(err)
	}
	tw := faketwilio.New()
	t.Cleanup(tw.Close)
	sms, err := messaging.NewTwilio(messaging.TwilioConfig{AccountSID: "ACtest", AuthToken: "token", From: "+15550000000", APIURL: tw.URL})
	if err != nil {
		t.Fatal(err)
	}
	acts := &activities.Activities{Store: st, SMS: messaging.NewPaced(sms, sendsPerSecond), Log: log, Templates: reg.Templates()}
	if configure != nil {
		configure(acts)
	}
	w := worker.New(tc, reg, acts, worker.Options{SendsPerSecond: sendsPerSecond})
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Stop)
	// Pages run beside the worker, as in production.
	pctx, stopPaging := context.WithCancel(context.Background())
	paged := make(chan struct{})
	go func() { defer close(paged); (&paging.Runner{Store: st, Effects: acts, Log: log}).Run(pctx) }()
	t.Cleanup(func() { stopPaging(); <-paged })
	return e2e{e: &Engine{Store: st, Temporal: tc, Journeys: reg, Log: log}, st: st, tc: tc, tw: tw}
}
