package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/carepath/carepath/internal/config"
	"github.com/carepath/carepath/store"
)

// auditKeys is the audit keyring the configuration gives: the explicit
// audit keys (CAREPATH_AUDIT_KEYS or _FILE) first, so the first of them
// writes, then keys derived from the payload-encryption keys, so rows
// written before an explicit key was set still verify.
func auditKeys(cfg *config.Config) (*store.AuditKeys, error) {
	var derived *store.AuditKeys
	spec := cfg.EncryptionKeys
	if spec == "" && cfg.EncryptionKeyFile != "" {
		b, err := os.ReadFile(cfg.EncryptionKeyFile)
		if err != nil {
			return nil, fmt.Errorf("audit key: read the encryption key file: %w", err)
		}
		spec = string(b)
	}
	if spec != "" {
		var err error
		if derived, err = store.DeriveAuditKeys(spec); err != nil {
			return nil, err
		}
	}
	switch {
	case cfg.Audit.Keys != nil:
		return cfg.Audit.Keys.With(derived)
	case derived != nil:
		return derived, nil
	}
	return nil, errors.New("no audit key: set CAREPATH_AUDIT_KEYS or CAREPATH_AUDIT_KEY_FILE (make one with `carepath keygen -id audit1`), " +
		"or the payload-encryption keys it is otherwise derived from")
}

// useAuditKeys makes the configured keys the ones this process's audit
// appends are MACed under.
func useAuditKeys(cfg *config.Config) error {
	k, err := auditKeys(cfg)
	if err != nil {
		return err
	}
	store.UseAuditKeys(k)
	return nil
}
