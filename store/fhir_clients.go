package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/carepath/carepath"
)

// SMARTClient is a registered SMART Backend Services client (an EHR
// system), as listed to admins: its public keys, never a secret.
type SMARTClient struct {
	ID        string           `json:"id"`
	Name      string           `json:"name"`
	Scopes    []string         `json:"scopes"`
	Keys      []SMARTClientKey `json:"keys"`
	CreatedBy string           `json:"created_by"`
	CreatedAt time.Time        `json:"created_at"`
	RevokedAt *time.Time       `json:"revoked_at,omitempty"`
}

// SMARTClientKey is one public key (a JWK) a client signs assertions with.
type SMARTClientKey struct {
	Kid string          `json:"kid"`
	Kty string          `json:"kty"`
	JWK json.RawMessage `json:"jwk"`
}

// SMARTClientInsert stores a client and its keys.
func (q *Queries) SMARTClientInsert(ctx context.Context, c SMARTClient) error {
	if _, err := q.db.Exec(ctx, stmt("SMARTClientInsert"), c.ID, c.Name, c.Scopes, c.CreatedBy); err != nil {
		return fmt.Errorf("insert smart client: %w", err)
	}
	for _, k := range c.Keys {
		if _, err := q.db.Exec(ctx, stmt("SMARTClientKeyInsert"), c.ID, k.Kid, k.Kty, k.JWK); err != nil {
			return fmt.Errorf("insert smart client key: %w", err)
		}
	}
	return nil
}

// SMARTClientGet returns a client (revoked or not) with its keys, or
// ENOTFOUND.
func (q *Queries) SMARTClientGet(ctx context.Context, id string) (SMARTClient, error) {
	c, err := scanSMARTClient(q.db.QueryRow(ctx, stmt("SMARTClientGet"), id))
	if err != nil {
		return SMARTClient{}, wrapErr("get smart client", notFound(err, "FHIR client"))
	}
	list := []SMARTClient{c}
	if err := q.smartClientKeys(ctx, list); err != nil {
		return SMARTClient{}, err
	}
	return list[0], nil
}

// SMARTClientList lists clients with their keys, oldest first.
func (q *Queries) SMARTClientList(ctx context.Context, limit int) ([]SMARTClient, error) {
	rows, err := q.db.Query(ctx, stmt("SMARTClientList"), limit)
	if err != nil {
		return nil, fmt.Errorf("list smart clients: %w", err)
	}
	defer rows.Close()
	out := []SMARTClient{}
	for rows.Next() {
		c, err := scanSMARTClient(rows)
		if err != nil {
			return nil, fmt.Errorf("scan smart client: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list smart clients: %w", err)
	}
	return out, q.smartClientKeys(ctx, out)
}

func scanSMARTClient(row pgx.Row) (SMARTClient, error) {
	var c SMARTClient
	err := row.Scan(&c.ID, &c.Name, &c.Scopes, &c.CreatedBy, &c.CreatedAt, &c.RevokedAt)
	return c, err
}

// smartClientKeys fills in each client's keys.
func (q *Queries) smartClientKeys(ctx context.Context, cs []SMARTClient) error {
	if len(cs) == 0 {
		return nil
	}
	ids := make([]string, len(cs))
	at := map[string]int{}
	for i, c := range cs {
		ids[i], at[c.ID] = c.ID, i
		cs[i].Keys = []SMARTClientKey{}
	}
	rows, err := q.db.Query(ctx, stmt("SMARTClientKeysOf"), ids)
	if err != nil {
		return fmt.Errorf("smart client keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var k SMARTClientKey
		if err := rows.Scan(&id, &k.Kid, &k.Kty, &k.JWK); err != nil {
			return fmt.Errorf("scan smart client key: %w", err)
		}
		cs[at[id]].Keys = append(cs[at[id]].Keys, k)
	}
	return wrapErr("smart client keys", rows.Err())
}

// SMARTClientKey returns a live client's key by kid, or ENOTFOUND (no such
// client, key, or the client is revoked).
func (q *Queries) SMARTClientKey(ctx context.Context, clientID, kid string) (json.RawMessage, error) {
	var jwk json.RawMessage
	err := q.db.QueryRow(ctx, stmt("SMARTClientKey"), clientID, kid).Scan(&jwk)
	return jwk, wrapErr("smart client key", notFound(err, "FHIR client key"))
}

// SMARTClientRevoke revokes a client and drops its access tokens at once;
// ENOTFOUND if there is no such client.
func (q *Queries) SMARTClientRevoke(ctx context.Context, id string) error {
	var exists bool
	if err := q.db.QueryRow(ctx, stmt("SMARTClientExists"), id).Scan(&exists); err != nil {
		return fmt.Errorf("revoke smart client: %w", err)
	}
	if !exists {
		return carepath.NotFound("FHIR client")
	}
	if _, err := q.db.Exec(ctx, stmt("SMARTClientRevoke"), id); err != nil {
		return fmt.Errorf("revoke smart client: %w", err)
	}
	if _, err := q.db.Exec(ctx, stmt("SMARTAccessTokensRevoke"), id); err != nil {
		return fmt.Errorf("revoke smart client tokens: %w", err)
	}
	return nil
}

// SMARTAssertionJTIUse records an assertion's jti until it expires and
// reports whether it was fresh: false means the assertion is a replay.
func (q *Queries) SMARTAssertionJTIUse(ctx context.Context, clientID, jti string, expires time.Time) (bool, error) {
	if _, err := q.db.Exec(ctx, stmt("SMARTAssertionJTIsSweep")); err != nil {
		return false, fmt.Errorf("sweep assertion ids: %w", err)
	}
	var one int
	err := q.db.QueryRow(ctx, stmt("SMARTAssertionJTIUse"), clientID, jti, expires).Scan(&one)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, wrapErr("record assertion id", err)
}

// smartTokenPrefix marks carepath access tokens (API keys are cp_), so
// the FHIR endpoint knows which kind of bearer it holds.
const smartTokenPrefix = "cpat_"

// IsSMARTAccessToken reports whether a bearer credential is shaped like a
// carepath access token rather than an API key.
func IsSMARTAccessToken(bearer string) bool {
	return strings.HasPrefix(bearer, smartTokenPrefix)
}

// SMARTAccessToken is what a live access token grants.
type SMARTAccessToken struct {
	ClientID  string
	Scopes    []string
	ExpiresAt time.Time
}

// SMARTAccessTokenInsert makes a fresh opaque access token for a client,
// stores its hash with the scopes and expiry, and returns the token (shown
// once). Expired tokens are swept on the way.
func (q *Queries) SMARTAccessTokenInsert(ctx context.Context, clientID string, scopes []string, expires time.Time) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate access token: %w", err)
	}
	token := smartTokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	if _, err := q.db.Exec(ctx, stmt("SMARTAccessTokensSweep")); err != nil {
		return "", fmt.Errorf("sweep access tokens: %w", err)
	}
	if _, err := q.db.Exec(ctx, stmt("SMARTAccessTokenInsert"), hashKey(token), clientID, scopes, expires); err != nil {
		return "", fmt.Errorf("insert access token: %w", err)
	}
	return token, nil
}

// SMARTAccessTokenAuthenticate returns what a live token of a live client
// grants, or ENOTFOUND.
func (q *Queries) SMARTAccessTokenAuthenticate(ctx context.Context, token string) (SMARTAccessToken, error) {
	var t SMARTAccessToken
	err := q.db.QueryRow(ctx, stmt("SMARTAccessTokenByHash"), hashKey(token)).Scan(&t.ClientID, &t.Scopes, &t.ExpiresAt)
	return t, wrapErr("authenticate access token", notFound(err, "access token"))
}
