package engine

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/google/uuid"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/jose"
	"github.com/carepath/carepath/store"
)

// maxClientKeys bounds a registration's JWK Set.
const maxClientKeys = 10

// SMARTClientRegistration is what an admin registers for an EHR system:
// a name, the public keys it signs assertions with (a JWK Set: RSA for
// RS384, EC P-384 for ES384), and the most it may be granted.
type SMARTClientRegistration struct {
	Name   string
	JWKS   json.RawMessage
	Scopes []string
}

// RegisterSMARTClient registers a client; its ID is the client_id the EHR
// puts in iss and sub of its assertions.
func (e *Engine) RegisterSMARTClient(ctx context.Context, a carepath.Actor, r SMARTClientRegistration) (store.SMARTClient, error) {
	name := strings.TrimSpace(r.Name)
	if name == "" || len(name) > 100 {
		return store.SMARTClient{}, carepath.Invalid("name", "is required (at most 100 characters)")
	}
	if len(r.JWKS) == 0 || string(r.JWKS) == "null" {
		return store.SMARTClient{}, carepath.Invalid("jwks", "is required: a JWK Set {\"keys\": [...]} of public keys")
	}
	keys, err := jose.ParseJWKS(r.JWKS)
	if err != nil {
		// The parser's reasons name the key and the member, never key
		// material.
		return store.SMARTClient{}, carepath.Invalid("jwks", "%s", err.Error())
	}
	if len(keys) > maxClientKeys {
		return store.SMARTClient{}, carepath.Invalid("jwks", "at most %d keys", maxClientKeys)
	}
	if len(r.Scopes) == 0 {
		return store.SMARTClient{}, carepath.Invalid("scopes", "is required: the scopes the client may be granted, e.g. system/*.read")
	}
	if _, err := ParseScopes("scopes", r.Scopes); err != nil {
		return store.SMARTClient{}, err
	}
	c := store.SMARTClient{ID: uuid.NewString(), Name: name, Scopes: r.Scopes, CreatedBy: a.Name()}
	for _, k := range keys {
		c.Keys = append(c.Keys, store.SMARTClientKey{Kid: k.Kid, Kty: k.Kty, JWK: k.Raw})
	}
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := q.SMARTClientInsert(ctx, c); err != nil {
			return err
		}
		if c, err = q.SMARTClientGet(ctx, c.ID); err != nil {
			return err
		}
		return audit(ctx, q, a, "fhir_client.create", "", "fhir_client/"+c.ID)
	})
	return c, err
}

// ListSMARTClients lists registered clients with their public keys.
func (e *Engine) ListSMARTClients(ctx context.Context, limit int) ([]store.SMARTClient, error) {
	return e.Store.SMARTClientList(ctx, limit)
}

// RevokeSMARTClient revokes a client: its tokens stop working at once and
// it gets no new ones.
func (e *Engine) RevokeSMARTClient(ctx context.Context, a carepath.Actor, id string) error {
	if err := validID(id, "FHIR client"); err != nil {
		return err
	}
	return e.Store.Tx(ctx, func(q *store.Queries) error {
		if err := q.SMARTClientRevoke(ctx, id); err != nil {
			return err
		}
		return audit(ctx, q, a, "fhir_client.revoke", "", "fhir_client/"+id)
	})
}
