package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"go.temporal.io/sdk/client"

	"github.com/carepath/carepath/api"
	"github.com/carepath/carepath/engine"
	"github.com/carepath/carepath/internal/embedded"
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
	form := url.Values{}
	for k, v := range params {
		form.Set(k, v)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/webhooks/twilio/messages", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", messaging.SignTwilio("tok", "https://example.org/webhooks/twilio/messages", params))
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	defer resp.Body.Close()
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
