package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := config.FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:8080" || c.PublicURL != "http://127.0.0.1:8080" || c.TemporalNamespace != "default" ||
		c.TwilioAPIURL != "https://api.twilio.com" || c.DevTemporalPort != 7233 || c.TwilioEnabled() || c.SendGridEnabled() {
		t.Fatalf("defaults: %+v", c)
	}
	if !strings.HasSuffix(c.DataDir, "/.data") {
		t.Fatalf("data dir %q", c.DataDir)
	}
}

func TestEveryProblemReportedAtOnce(t *testing.T) {
	_, err := config.FromEnv(env(map[string]string{
		"CAREPATH_HTTP_ADDR":         "nonsense",
		"CAREPATH_PUBLIC_URL":        "ftp://x",
		"DATABASE_URL":               "mysql://db",
		"TWILIO_ACCOUNT_SID":         "AC123",
		"TWILIO_FROM_NUMBER":         "12345",
		"SENDGRID_FROM_EMAIL":        "not-an-email",
		"CAREPATH_BOOTSTRAP_API_KEY": "short",
		"CAREPATH_DEV_TEMPORAL_PORT": "99999",
	}))
	if err == nil {
		t.Fatal("invalid configuration accepted")
	}
	for _, key := range []string{"CAREPATH_HTTP_ADDR", "CAREPATH_PUBLIC_URL", "DATABASE_URL", "TWILIO_AUTH_TOKEN",
		"TWILIO_FROM_NUMBER", "SENDGRID_API_KEY", "SENDGRID_FROM_EMAIL", "CAREPATH_BOOTSTRAP_API_KEY", "CAREPATH_DEV_TEMPORAL_PORT"} {
		if !strings.Contains(err.Error(), key+":") {
			t.Errorf("error does not name %s:\n%v", key, err)
		}
	}
}

func TestSecretsNeverInErrors(t *testing.T) {
	_, err := config.FromEnv(env(map[string]string{
		"TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "s3cr3t-t0ken!", "TWILIO_FROM_NUMBER": "+15550001111",
		"DATABASE_URL": "mysql://user:hunter2@db",
	}))
	if err == nil || strings.Contains(err.Error(), "s3cr3t") || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error leaks a secret or is missing: %v", err)
	}
}

func TestTwilioConfigured(t *testing.T) {
	c, err := config.FromEnv(env(map[string]string{
		"TWILIO_ACCOUNT_SID": "AC123", "TWILIO_AUTH_TOKEN": "abc123", "TWILIO_FROM_NUMBER": "+15550001111",
		"CAREPATH_PUBLIC_URL": "https://care.example.org/",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.TwilioEnabled() || c.PublicURL != "https://care.example.org" {
		t.Fatalf("%+v", c)
	}
}

func TestSendTiming(t *testing.T) {
	c, err := config.FromEnv(env(nil))
	if err != nil || c.Send != config.DefaultSendTiming {
		t.Fatalf("default send timing: %+v %v", c.Send, err)
	}
	c, err = config.FromEnv(env(map[string]string{"CAREPATH_SEND_PROVIDER_TIMEOUT": "2s", "CAREPATH_SEND_LEASE_MARGIN": "1s",
		"CAREPATH_SEND_SETTLE_DELAY": "500ms", "CAREPATH_SEND_HOLD_WAIT": "5s"}))
	if err != nil || c.Send != (config.SendTiming{ProviderTimeout: 2 * time.Second, LeaseMargin: time.Second,
		SettleDelay: 500 * time.Millisecond, HoldWait: 5 * time.Second}) {
		t.Fatalf("shortened send timing: %+v %v", c.Send, err)
	}
	_, err = config.FromEnv(env(map[string]string{"CAREPATH_SEND_LEASE_MARGIN": "soon", "CAREPATH_SEND_SETTLE_DELAY": "-1s"}))
	if err == nil || !strings.Contains(err.Error(), "CAREPATH_SEND_LEASE_MARGIN:") || !strings.Contains(err.Error(), "CAREPATH_SEND_SETTLE_DELAY:") {
		t.Fatalf("bad send timing: %v", err)
	}
}

// The worker's /metrics and /healthz listen only where this says; it was
// once validated but never read, so a standalone worker served neither.
func TestMetricsAddrRead(t *testing.T) {
	c, err := config.FromEnv(env(map[string]string{"CAREPATH_METRICS_ADDR": "127.0.0.1:9464"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.MetricsAddr != "127.0.0.1:9464" {
		t.Fatalf("MetricsAddr = %q", c.MetricsAddr)
	}
	if _, err := config.FromEnv(env(map[string]string{"CAREPATH_METRICS_ADDR": "nonsense"})); err == nil ||
		!strings.Contains(err.Error(), "CAREPATH_METRICS_ADDR") {
		t.Fatalf("bad address: %v", err)
	}
}
