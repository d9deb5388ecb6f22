package config_test

import (
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/config"
)

func TestBootstrapAdminSettings(t *testing.T) {
	c, err := config.FromEnv(env(map[string]string{
		"CAREPATH_BOOTSTRAP_ADMIN_EMAIL":    "admin@example.org",
		"CAREPATH_BOOTSTRAP_ADMIN_PASSWORD": "a long enough password",
	}))
	if err != nil || c.BootstrapAdminEmail != "admin@example.org" || c.BootstrapAdminPassword != "a long enough password" {
		t.Fatalf("read: %+v %v", c, err)
	}
	_, err = config.FromEnv(env(map[string]string{
		"CAREPATH_BOOTSTRAP_ADMIN_EMAIL":    "not an email",
		"CAREPATH_BOOTSTRAP_ADMIN_PASSWORD": "sh0rtpw",
	}))
	if err == nil || !strings.Contains(err.Error(), "CAREPATH_BOOTSTRAP_ADMIN_EMAIL:") ||
		!strings.Contains(err.Error(), "CAREPATH_BOOTSTRAP_ADMIN_PASSWORD:") || strings.Contains(err.Error(), "sh0rtpw") {
		t.Fatalf("bad settings must be named, the password never shown: %v", err)
	}
}
