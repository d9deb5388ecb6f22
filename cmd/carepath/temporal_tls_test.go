package main

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/carepath/carepath/codec"
	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/internal/testenv"
	"github.com/carepath/carepath/telemetry"
)

// The Temporal client carepath's processes dial speaks TLS when told to,
// verifies the server against the configured CA, presents its client
// certificate (mTLS) and sends the API key (Temporal Cloud). The far end is
// an HTTP/2 server requiring a client certificate from the test CA, standing
// in for a Temporal frontend: it records what arrived and answers every
// gRPC call "unimplemented", which is all this test needs from it.
func TestTemporalClientTLSAndAPIKey(t *testing.T) {
	pki := testenv.NewPKI(t)
	type arrival struct{ clientCN, authorization string }
	got := make(chan arrival, 16)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := arrival{authorization: r.Header.Get("Authorization")}
		if r.TLS != nil && len(r.TLS.PeerCertificates) > 0 {
			a.clientCN = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		select {
		case got <- a:
		default:
		}
		w.Header().Set("Content-Type", "application/grpc")
		w.Header().Set("Grpc-Status", "12") // unimplemented
		w.WriteHeader(http.StatusOK)
	}))
	srv.EnableHTTP2 = true
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.Server}, ClientCAs: pki.CA, ClientAuth: tls.RequireAndVerifyClientCert}
	srv.StartTLS()
	defer srv.Close()

	keys, err := codec.NewKeyLine("t1")
	if err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"TEMPORAL_ADDRESS": srv.Listener.Addr().String(), "CAREPATH_ENCRYPTION_KEYS": keys,
		"TEMPORAL_TLS_CA_FILE": pki.CAFile, "TEMPORAL_TLS_CERT_FILE": pki.ClientCertFile, "TEMPORAL_TLS_KEY_FILE": pki.ClientKeyFile,
		"TEMPORAL_API_KEY": "test-api-key"}
	cfg, err := config.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	metrics, err := telemetry.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	tc, err := dialTemporal(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), metrics)
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	select {
	case a := <-got:
		if a.clientCN != "carepath" || a.authorization != "Bearer test-api-key" {
			t.Errorf("the frontend saw client certificate %q and authorization %q; want carepath's certificate and the API key",
				a.clientCN, a.authorization)
		}
	case <-ctx.Done():
		t.Fatal("no call reached the TLS frontend: the client did not complete the mTLS handshake")
	}
}
