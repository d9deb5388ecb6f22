package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"

	"github.com/google/uuid"
)

// API key roles.
const (
	RoleAdmin       = "admin"
	RoleCareTeam    = "care_team"
	RoleIntegration = "integration"
)

// APIKey is a stored key, never its secret.
type APIKey struct {
	ID   string
	Name string
	Role string
}

// keyPrefix marks carepath keys so secret scanners can recognise them.
const keyPrefix = "cp_"

// NewAPIKeySecret returns a fresh random key (shown once, stored hashed).
func NewAPIKeySecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate api key: %w", err)
	}
	return keyPrefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// hashKey is SHA-256: keys are 256-bit random, so a slow hash adds nothing.
func hashKey(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// APIKeyInsert stores the hash of secret under a new ID. Storing a secret
// that exists already is a no-op (idempotent bootstrap).
func (q *Queries) APIKeyInsert(ctx context.Context, name, role, secret string) (string, error) {
	id := uuid.NewString()
	prefix := secret
	if len(prefix) > 7 {
		prefix = prefix[:7]
	}
	_, err := q.db.Exec(ctx, stmt("APIKeyInsert"), id, name, prefix, hashKey(secret), role)
	return id, wrapErr("insert api key", err)
}

// APIKeyAuthenticate returns the live key matching secret, or ENOTFOUND.
func (q *Queries) APIKeyAuthenticate(ctx context.Context, secret string) (APIKey, error) {
	var k APIKey
	err := q.db.QueryRow(ctx, stmt("APIKeyByHash"), hashKey(secret)).Scan(&k.ID, &k.Name, &k.Role)
	return k, wrapErr("authenticate api key", notFound(err, "api key"))
}
