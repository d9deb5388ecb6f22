package config_test

import (
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/internal/testenv"
)

func TestTemporalConnectionSettings(t *testing.T) {
	c, err := config.FromEnv(env(map[string]string{}))
	if err != nil || c.Temporal.TLS != nil || c.Temporal.APIKey != "" {
		t.Fatalf("plaintext without credentials by default: %+v %v", c.Temporal, err)
	}
	pki := testenv.NewPKI(t)
	c, err = config.FromEnv(env(map[string]string{"TEMPORAL_ADDRESS": "temporal.example.org:7233",
		"TEMPORAL_TLS_CA_FILE": pki.CAFile, "TEMPORAL_TLS_CERT_FILE": pki.ClientCertFile, "TEMPORAL_TLS_KEY_FILE": pki.ClientKeyFile,
		"TEMPORAL_TLS_SERVER_NAME": "frontend.internal"}))
	if err != nil || c.Temporal.TLS == nil || c.Temporal.TLS.RootCAs == nil || len(c.Temporal.TLS.Certificates) != 1 ||
		c.Temporal.TLS.ServerName != "frontend.internal" {
		t.Fatalf("mTLS: %+v %v", c.Temporal.TLS, err)
	}
	c, err = config.FromEnv(env(map[string]string{"TEMPORAL_API_KEY": "k-123"}))
	if err != nil || c.Temporal.TLS == nil || c.Temporal.TLS.RootCAs != nil || c.Temporal.APIKey != "k-123" {
		t.Fatalf("an API key turns TLS on with the system roots: %+v %v", c.Temporal, err)
	}
	c, err = config.FromEnv(env(map[string]string{"TEMPORAL_API_KEY": "k-123", "TEMPORAL_TLS": "false"}))
	if err != nil || c.Temporal.TLS != nil {
		t.Fatalf("TEMPORAL_TLS=false keeps a local server plaintext: %+v %v", c.Temporal, err)
	}

	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"TEMPORAL_TLS": "maybe"}, "TEMPORAL_TLS"},
		{map[string]string{"TEMPORAL_TLS": "false", "TEMPORAL_TLS_CA_FILE": pki.CAFile}, "TEMPORAL_TLS"},
		{map[string]string{"TEMPORAL_TLS_CA_FILE": "/nonexistent/ca.pem"}, "TEMPORAL_TLS_CA_FILE"},
		{map[string]string{"TEMPORAL_TLS_CA_FILE": pki.ClientKeyFile}, "TEMPORAL_TLS_CA_FILE"},
		{map[string]string{"TEMPORAL_TLS_CERT_FILE": pki.ClientCertFile}, "TEMPORAL_TLS_KEY_FILE"},
		{map[string]string{"TEMPORAL_TLS_KEY_FILE": pki.ClientKeyFile}, "TEMPORAL_TLS_CERT_FILE"},
		{map[string]string{"TEMPORAL_TLS_CERT_FILE": pki.CAFile, "TEMPORAL_TLS_KEY_FILE": pki.ClientKeyFile}, "TEMPORAL_TLS_CERT_FILE"},
	} {
		if _, err := config.FromEnv(env(tc.env)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %s", tc.env, err, tc.want)
		}
	}
}
