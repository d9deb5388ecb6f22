package engine

import (
	"context"
	"strings"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/store"
)

// NewAPIKey is a freshly created key; Secret is shown once and never stored.
type NewAPIKey struct {
	store.APIKeyInfo
	Secret string `json:"key"`
}

// CreateAPIKey creates a key with a role and returns its secret once.
func (e *Engine) CreateAPIKey(ctx context.Context, a carepath.Actor, name string, role carepath.Role) (NewAPIKey, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return NewAPIKey{}, carepath.Invalid("name", "is required (at most 100 characters)")
	}
	if !role.Valid() {
		return NewAPIKey{}, carepath.Invalid("role", "must be one of: admin, care_team, integration")
	}
	secret, err := store.NewAPIKeySecret()
	if err != nil {
		return NewAPIKey{}, err
	}
	var k NewAPIKey
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		id, err := q.APIKeyInsert(ctx, name, role, secret)
		if err != nil {
			return err
		}
		k = NewAPIKey{APIKeyInfo: store.APIKeyInfo{ID: id, Name: name, Prefix: secret[:7], Role: role}, Secret: secret}
		return audit(ctx, q, a, "api_key.create", "", "api_key/"+id)
	})
	return k, err
}

// ListAPIKeys lists keys without their secrets.
func (e *Engine) ListAPIKeys(ctx context.Context, limit int) ([]store.APIKeyInfo, error) {
	return e.Store.APIKeyList(ctx, limit)
}

// RevokeAPIKey revokes a key at once.
func (e *Engine) RevokeAPIKey(ctx context.Context, a carepath.Actor, id string) error {
	if err := validID(id, "api key"); err != nil {
		return err
	}
	return e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := q.APIKeyRevoke(ctx, id); err != nil {
			return err
		}
		return audit(ctx, q, a, "api_key.revoke", "", "api_key/"+id)
	})
}
