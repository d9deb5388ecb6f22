package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
)

// APIKey is a stored key, never its secret.
type APIKey struct {
	ID   string
	Name string
	Role carepath.Role
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
func (q *Queries) APIKeyInsert(ctx context.Context, name string, role carepath.Role, secret string) (string, error) {
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

// APIKeyInfo is a key as listed to admins: never its secret or hash.
type APIKeyInfo struct {
	ID        string        `json:"id"`
	Name      string        `json:"name"`
	Prefix    string        `json:"prefix"`
	Role      carepath.Role `json:"role"`
	CreatedAt time.Time     `json:"created_at"`
	RevokedAt *time.Time    `json:"revoked_at,omitempty"`
}

// APIKeyList lists keys, oldest first.
func (q *Queries) APIKeyList(ctx context.Context, limit int) ([]APIKeyInfo, error) {
	rows, err := q.db.Query(ctx, stmt("APIKeyList"), limit)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	defer rows.Close()
	out := []APIKeyInfo{}
	for rows.Next() {
		var k APIKeyInfo
		if err := rows.Scan(&k.ID, &k.Name, &k.Prefix, &k.Role, &k.CreatedAt, &k.RevokedAt); err != nil {
			return nil, fmt.Errorf("scan api key: %w", err)
		}
		out = append(out, k)
	}
	return out, wrapErr("list api keys", rows.Err())
}

// APIKeyRevoke revokes a key; ENOTFOUND if there is no such key.
func (q *Queries) APIKeyRevoke(ctx context.Context, id string) error {
	if _, err := q.db.Exec(ctx, stmt("APIKeyRevoke"), id); err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	var exists bool
	if err := q.db.QueryRow(ctx, stmt("APIKeyExists"), id).Scan(&exists); err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	if !exists {
		return carepath.NotFound("api key")
	}
	return nil
}
