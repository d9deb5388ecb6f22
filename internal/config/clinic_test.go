package config_test

import (
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/config"
)

// The on-call roster is read in the clinic's zone: New York unless set,
// and a zone that does not exist stops the process at start.
func TestClinicTimezone(t *testing.T) {
	c, err := config.FromEnv(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.ClinicTimezone != "America/New_York" || c.ClinicZone == nil || c.ClinicZone.String() != "America/New_York" {
		t.Fatalf("default clinic zone: %q %v", c.ClinicTimezone, c.ClinicZone)
	}
	if c, err = config.FromEnv(env(map[string]string{"CAREPATH_CLINIC_TIMEZONE": "Europe/Madrid"})); err != nil || c.ClinicZone.String() != "Europe/Madrid" {
		t.Fatalf("Europe/Madrid: %v %v", c, err)
	}
	for _, bad := range []string{"Mars/Olympus", "Local"} {
		if _, err := config.FromEnv(env(map[string]string{"CAREPATH_CLINIC_TIMEZONE": bad})); err == nil ||
			!strings.Contains(err.Error(), "CAREPATH_CLINIC_TIMEZONE:") {
			t.Errorf("%q: %v, want an error naming CAREPATH_CLINIC_TIMEZONE", bad, err)
		}
	}
}

// The outgoing page webhook: optional; with it a secret of some length,
// and neither the URL's nor the secret's problem echoes the secret.
func TestPageWebhook(t *testing.T) {
	c, err := config.FromEnv(env(nil))
	if err != nil || c.PageWebhookURL != "" {
		t.Fatalf("default: %q %v", c.PageWebhookURL, err)
	}
	c, err = config.FromEnv(env(map[string]string{"CAREPATH_PAGE_WEBHOOK_URL": "https://pager.example.org/hook",
		"CAREPATH_PAGE_WEBHOOK_SECRET": "0123456789abcdef"}))
	if err != nil || c.PageWebhookURL != "https://pager.example.org/hook" || c.PageWebhookSecret != "0123456789abcdef" {
		t.Fatalf("configured: %+v %v", c, err)
	}
	for name, e := range map[string]map[string]string{
		"CAREPATH_PAGE_WEBHOOK_SECRET": {"CAREPATH_PAGE_WEBHOOK_URL": "https://pager.example.org/hook", "CAREPATH_PAGE_WEBHOOK_SECRET": "sh0rt-s3cret"},
		"CAREPATH_PAGE_WEBHOOK_URL":    {"CAREPATH_PAGE_WEBHOOK_URL": "ftp://pager", "CAREPATH_PAGE_WEBHOOK_SECRET": "0123456789abcdef-s3cret"},
	} {
		_, err := config.FromEnv(env(e))
		if err == nil || !strings.Contains(err.Error(), name+":") || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("%v: %v, want an error naming %s without the secret", e, err, name)
		}
	}
	if _, err := config.FromEnv(env(map[string]string{"CAREPATH_PAGE_WEBHOOK_SECRET": "0123456789abcdef"})); err == nil ||
		!strings.Contains(err.Error(), "CAREPATH_PAGE_WEBHOOK_URL:") {
		t.Errorf("a secret without a URL: %v", err)
	}
}
