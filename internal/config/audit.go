package config

import (
	"os"

	"github.com/carepath/carepath/store"
)

// Audit is the key the audit trail's rows and checkpoints are MACed under
// (store/audit_keys.go): CAREPATH_AUDIT_KEYS ("id:base64[,...]", the first
// writes, all verify; `carepath keygen -id audit1` makes one) or the file
// CAREPATH_AUDIT_KEY_FILE names. Without either, keys derived from the
// payload-encryption keys are used (cmd/carepath/audit_keys.go); set one
// in production, so retiring an encryption key never retires the proof of
// the audit rows written under it.
type Audit struct {
	Keys *store.AuditKeys // nil: derive from the encryption keys
}

// auditFromEnv reads CAREPATH_AUDIT_KEYS and CAREPATH_AUDIT_KEY_FILE; the
// file is read here, so a missing or malformed one stops the process
// naming its variable.
func auditFromEnv(get func(k, def string) string, bad func(key, format string, args ...any)) Audit {
	spec, file := get("CAREPATH_AUDIT_KEYS", ""), get("CAREPATH_AUDIT_KEY_FILE", "")
	key := "CAREPATH_AUDIT_KEYS"
	switch {
	case spec != "" && file != "":
		bad(key, "set either it or CAREPATH_AUDIT_KEY_FILE, not both")
		return Audit{}
	case file != "":
		key = "CAREPATH_AUDIT_KEY_FILE"
		b, err := os.ReadFile(file)
		if err != nil {
			bad(key, "cannot be read: %v", err)
			return Audit{}
		}
		spec = string(b)
	case spec == "":
		return Audit{}
	}
	k, err := store.ParseAuditKeys(spec)
	if err != nil {
		bad(key, "%v", err)
		return Audit{}
	}
	return Audit{Keys: k}
}
