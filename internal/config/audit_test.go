package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/carepath/carepath/internal/config"
)

func TestAuditKeySettings(t *testing.T) {
	const line = "audit1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
	c, err := config.FromEnv(env(map[string]string{}))
	if err != nil || c.Audit.Keys != nil {
		t.Fatalf("no audit key by default (derived from the encryption keys): %+v %v", c.Audit, err)
	}
	c, err = config.FromEnv(env(map[string]string{"CAREPATH_AUDIT_KEYS": line + ",old:" + strings.Repeat("A", 43) + "="}))
	if err != nil || c.Audit.Keys.Active() != "audit1" || len(c.Audit.Keys.IDs()) != 2 {
		t.Fatalf("keys: %v %v", c.Audit.Keys.IDs(), err)
	}
	file := filepath.Join(t.TempDir(), "audit.key")
	if err := os.WriteFile(file, []byte("# the audit key\n"+line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err = config.FromEnv(env(map[string]string{"CAREPATH_AUDIT_KEY_FILE": file}))
	if err != nil || c.Audit.Keys.Active() != "audit1" {
		t.Fatalf("key file: %v %v", c.Audit.Keys.IDs(), err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"CAREPATH_AUDIT_KEYS": line, "CAREPATH_AUDIT_KEY_FILE": file}, "CAREPATH_AUDIT_KEYS: set either"},
		{map[string]string{"CAREPATH_AUDIT_KEYS": "audit1:c2hvcnQ="}, "CAREPATH_AUDIT_KEYS: audit keys: key audit1 must be 32 bytes"},
		{map[string]string{"CAREPATH_AUDIT_KEYS": "builtin:" + strings.Split(line, ":")[1]}, "reserved"},
		{map[string]string{"CAREPATH_AUDIT_KEYS": "enc.k1:" + strings.Split(line, ":")[1]}, "reserved"},
		{map[string]string{"CAREPATH_AUDIT_KEY_FILE": "/nonexistent/audit.key"}, "CAREPATH_AUDIT_KEY_FILE: cannot be read"},
	} {
		if _, err := config.FromEnv(env(tc.env)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.env, err, tc.want)
		}
	}
}
