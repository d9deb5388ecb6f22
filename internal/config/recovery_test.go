package config_test

import (
	"strings"
	"testing"
	"time"

	"github.com/carepath/carepath/internal/config"
)

func TestRecovery(t *testing.T) {
	c, err := config.FromEnv(env(nil))
	if err != nil || c.Recovery != config.DefaultRecovery {
		t.Fatalf("defaults: %+v %v", c.Recovery, err)
	}
	c, err = config.FromEnv(env(map[string]string{"CAREPATH_DB_LOCK_TIMEOUT": "0", "CAREPATH_RECONCILE_GRACE": "20s",
		"CAREPATH_DB_MAX_CONNS": "5", "CAREPATH_RECONCILE_MAX_ATTEMPTS": "3"}))
	if err != nil || c.Recovery.DBLockTimeout != 0 || c.Recovery.ReconcileGrace != 20*time.Second ||
		c.Recovery.DBMaxConns != 5 || c.Recovery.ReconcileMaxAttempts != 3 {
		t.Fatalf("overrides: %+v %v", c.Recovery, err)
	}
	_, err = config.FromEnv(env(map[string]string{"CAREPATH_DB_STATEMENT_TIMEOUT": "soon", "CAREPATH_DB_MAX_CONNS": "0",
		"CAREPATH_RECONCILE_INTERVAL": "10ms"}))
	for _, key := range []string{"CAREPATH_DB_STATEMENT_TIMEOUT", "CAREPATH_DB_MAX_CONNS", "CAREPATH_RECONCILE_INTERVAL"} {
		if err == nil || !strings.Contains(err.Error(), key+":") {
			t.Errorf("error does not name %s: %v", key, err)
		}
	}
}
