package config_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/config"
)

func TestEHRSettings(t *testing.T) {
	c, err := config.FromEnv(env(map[string]string{}))
	if err != nil || c.EHR.Enabled() {
		t.Fatalf("the EHR link is off by default: %v", err)
	}
	k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "ehr.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = config.FromEnv(env(map[string]string{
		"CAREPATH_EHR_FHIR_URL":         "https://ehr.example.org/fhir/R4/",
		"CAREPATH_EHR_CLIENT_ID":        "carepath",
		"CAREPATH_EHR_PRIVATE_KEY_FILE": keyFile,
		"CAREPATH_EHR_KEY_ID":           "carepath-2026",
	}))
	if err != nil || !c.EHR.Enabled() || c.EHR.FHIRURL != "https://ehr.example.org/fhir/R4" || c.EHR.Key.Alg != "ES384" ||
		c.EHR.Scope != "system/*.write system/*.read" || c.EHR.TokenURL != "" {
		t.Fatalf("read: %+v %v", c.EHR, err)
	}
	notKey := filepath.Join(t.TempDir(), "not.pem")
	if err := os.WriteFile(notKey, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = config.FromEnv(env(map[string]string{
		"CAREPATH_EHR_FHIR_URL":         "http://ehr.example.org/fhir",
		"CAREPATH_EHR_TOKEN_URL":        "ftp://x",
		"CAREPATH_EHR_PRIVATE_KEY_FILE": notKey,
		"CAREPATH_EHR_SCOPE":            "patient/*.read",
	}))
	for _, key := range []string{"CAREPATH_EHR_FHIR_URL:", "CAREPATH_EHR_TOKEN_URL:", "CAREPATH_EHR_CLIENT_ID:",
		"CAREPATH_EHR_KEY_ID:", "CAREPATH_EHR_PRIVATE_KEY_FILE:", "CAREPATH_EHR_SCOPE:"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("%s not named: %v", key, err)
		}
	}
	if _, err := config.FromEnv(env(map[string]string{"CAREPATH_EHR_CLIENT_ID": "carepath"})); err == nil ||
		!strings.Contains(err.Error(), "CAREPATH_EHR_FHIR_URL:") {
		t.Errorf("a client ID without the FHIR URL: %v", err)
	}
}
