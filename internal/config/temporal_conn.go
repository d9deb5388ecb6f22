package config

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"strconv"
)

// TemporalConn is how carepath reaches a Temporal cluster beyond its
// address: TLS (the server verified against the system's roots or a CA
// file, with a client certificate for mTLS) and an API key (Temporal
// Cloud). The zero value is plaintext without credentials: the dev server.
type TemporalConn struct {
	TLS    *tls.Config // nil: plaintext
	APIKey string      // sent as "authorization: Bearer <key>"; "" none
}

// temporalConnFromEnv reads TEMPORAL_TLS, TEMPORAL_TLS_CA_FILE,
// TEMPORAL_TLS_CERT_FILE, TEMPORAL_TLS_KEY_FILE, TEMPORAL_TLS_SERVER_NAME
// and TEMPORAL_API_KEY. The files are read here, at start, so a missing or
// malformed one stops the process naming its variable instead of failing
// the first call. Any TLS file or an API key turns TLS on (an API key over
// plaintext would travel in the clear) unless TEMPORAL_TLS=false says
// otherwise, for a local server.
func temporalConnFromEnv(get func(k, def string) string, bad func(key, format string, args ...any)) TemporalConn {
	c := TemporalConn{APIKey: get("TEMPORAL_API_KEY", "")}
	caFile, certFile, keyFile := get("TEMPORAL_TLS_CA_FILE", ""), get("TEMPORAL_TLS_CERT_FILE", ""), get("TEMPORAL_TLS_KEY_FILE", "")
	serverName := get("TEMPORAL_TLS_SERVER_NAME", "")
	wantTLS := caFile != "" || certFile != "" || keyFile != "" || serverName != "" || c.APIKey != ""
	if v := get("TEMPORAL_TLS", ""); v != "" {
		on, err := strconv.ParseBool(v)
		if err != nil {
			bad("TEMPORAL_TLS", "must be true or false")
			return c
		}
		if !on && (caFile != "" || certFile != "" || keyFile != "" || serverName != "") {
			bad("TEMPORAL_TLS", "is false but TEMPORAL_TLS_* files or server name are given")
			return c
		}
		wantTLS = on
	}
	if !wantTLS {
		return c
	}
	t := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			bad("TEMPORAL_TLS_CA_FILE", "cannot be read: %v", err)
		} else {
			t.RootCAs = x509.NewCertPool()
			if !t.RootCAs.AppendCertsFromPEM(pem) {
				bad("TEMPORAL_TLS_CA_FILE", "holds no PEM certificate")
			}
		}
	}
	switch {
	case certFile != "" && keyFile != "":
		pair, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			bad("TEMPORAL_TLS_CERT_FILE", "and TEMPORAL_TLS_KEY_FILE are not a usable certificate and key: %v", err)
		} else {
			t.Certificates = []tls.Certificate{pair}
		}
	case certFile != "":
		bad("TEMPORAL_TLS_KEY_FILE", "is required with TEMPORAL_TLS_CERT_FILE (mTLS needs both)")
	case keyFile != "":
		bad("TEMPORAL_TLS_CERT_FILE", "is required with TEMPORAL_TLS_KEY_FILE (mTLS needs both)")
	}
	c.TLS = t
	return c
}
