package config_test

import (
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/config"
)

func TestOIDCSettings(t *testing.T) {
	c, err := config.FromEnv(env(map[string]string{}))
	if err != nil || c.OIDCEnabled() {
		t.Fatalf("single sign-on is off by default: %+v %v", c, err)
	}
	c, err = config.FromEnv(env(map[string]string{
		"CAREPATH_PUBLIC_URL":         "https://care.example.org/",
		"CAREPATH_OIDC_ISSUER":        "https://idp.example.org/realms/care",
		"CAREPATH_OIDC_CLIENT_ID":     "carepath",
		"CAREPATH_OIDC_CLIENT_SECRET": "very-secret-value",
	}))
	if err != nil || !c.OIDCEnabled() || c.OIDCRedirectURL != "https://care.example.org/v1/sessions/oidc/callback" || c.OIDCClientSecret != "very-secret-value" {
		t.Fatalf("read: %+v %v", c, err)
	}
	if c, err := config.FromEnv(env(map[string]string{"CAREPATH_OIDC_ISSUER": "http://127.0.0.1:9000", "CAREPATH_OIDC_CLIENT_ID": "x"})); err != nil || !c.OIDCEnabled() {
		t.Fatalf("a loopback http issuer (local provider): %v", err)
	}
	_, err = config.FromEnv(env(map[string]string{
		"CAREPATH_OIDC_ISSUER":        "http://idp.example.org",
		"CAREPATH_OIDC_CLIENT_SECRET": "very-secret-value",
		"CAREPATH_OIDC_REDIRECT_URL":  "/relative",
	}))
	for _, key := range []string{"CAREPATH_OIDC_ISSUER:", "CAREPATH_OIDC_CLIENT_ID:", "CAREPATH_OIDC_REDIRECT_URL:"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s not named: %v", key, err)
		}
	}
	if err != nil && strings.Contains(err.Error(), "very-secret-value") {
		t.Errorf("the secret is shown: %v", err)
	}
}
