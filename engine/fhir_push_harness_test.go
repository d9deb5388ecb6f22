package engine

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/carepath/carepath/internal/fakeehr"
	"github.com/carepath/carepath/internal/smartclient"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/journeys"
	"github.com/carepath/carepath/store"
)

// ehrRig is an engine on a database of its own (the pusher's cursors see
// every row, so other tests' rows must not be there) linked through SMART
// Backend Services to a fake EHR.
type ehrRig struct {
	e    *Engine
	ehr  *fakeehr.Server
	link *EHRLink
	url  string // the database, for a second ("restarted") engine
}

func newEHRRig(t *testing.T) *ehrRig {
	t.Helper()
	url := testenv.Database(t)
	ehr := fakeehr.New()
	t.Cleanup(ehr.Close)
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := smartclient.NewKey(k, "carepath-1")
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := key.JWKS()
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(jwks)
	if err != nil {
		t.Fatal(err)
	}
	if err := ehr.Register("carepath", b); err != nil {
		t.Fatal(err)
	}
	sc, err := smartclient.New(smartclient.Config{TokenURL: ehr.TokenURL(), ClientID: "carepath", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	link := &EHRLink{Base: ehr.FHIRBase(), HTTP: sc.HTTPClient(10 * time.Second)}
	e := engineOn(t, url)
	e.EHR = link
	return &ehrRig{e: e, ehr: ehr, link: link, url: url}
}

// engineOn is an engine on the database at url and the package's Temporal
// (FHIRWrite starts journeys; the pusher needs none).
func engineOn(t *testing.T, url string) *Engine {
	t.Helper()
	st, err := store.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(st.Close)
	tc, err := client.NewLazyClient(client.Options{HostPort: testenv.Get(t).TemporalAddress})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(tc.Close)
	reg, err := journeys.Registry()
	if err != nil {
		t.Fatal(err)
	}
	e := &Engine{Store: st, Temporal: tc, Journeys: reg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return e
}

// exec runs SQL on the rig's database.
func (r *ehrRig) exec(t *testing.T, sql string, args ...any) {
	t.Helper()
	if _, err := r.e.Store.Pool.Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}
