package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/carepath/carepath"
	"github.com/carepath/carepath/internal/jose"
	"github.com/carepath/carepath/store"
)

// SMART Backend Services token rules.
const (
	// SMARTTokenLifetime is how long an access token works.
	SMARTTokenLifetime = 5 * time.Minute
	// maxAssertionAhead is how far ahead an assertion's exp may be (the
	// spec's five minutes), plus clockSkew for the client's clock.
	maxAssertionAhead = 5 * time.Minute
	clockSkew         = 30 * time.Second
	// AssertionType is the only client_assertion_type accepted.
	AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// SMARTTokenRequest is a token request (client_credentials grant with a
// private_key_jwt assertion). TokenURL is the endpoint's absolute URL: the
// assertion's aud must name it.
type SMARTTokenRequest struct {
	GrantType           string
	ClientAssertionType string
	ClientAssertion     string
	Scope               string
	TokenURL            string
	RequestID           string
}

// SMARTToken is the token response.
type SMARTToken struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
	Scope       string `json:"scope"`
}

// OAuthError is a token request refused, as RFC 6749 5.2 words it. Its
// Description never holds the assertion or key material.
type OAuthError struct {
	Code        string // invalid_request, invalid_client, invalid_scope, unsupported_grant_type
	Description string
}

func (e *OAuthError) Error() string { return "oauth: " + e.Code + ": " + e.Description }

// Status is the HTTP status for the error: 401 for a client that failed to
// authenticate, else 400.
func (e *OAuthError) Status() int {
	if e.Code == "invalid_client" {
		return http.StatusUnauthorized
	}
	return http.StatusBadRequest
}

func oauthErr(code, format string, args ...any) *OAuthError {
	return &OAuthError{Code: code, Description: fmt.Sprintf(format, args...)}
}

// assertionClaims are the claims of a client assertion.
type assertionClaims struct {
	Iss string          `json:"iss"`
	Sub string          `json:"sub"`
	Aud json.RawMessage `json:"aud"`
	Exp *json.Number    `json:"exp"`
	Nbf *json.Number    `json:"nbf"`
	Iat *json.Number    `json:"iat"`
	Jti string          `json:"jti"`
}

// IssueSMARTToken checks a token request per SMART Backend Services and
// issues an access token for the requested scopes the client is allowed.
// A refusal is an *OAuthError; anything else is an internal failure.
func (e *Engine) IssueSMARTToken(ctx context.Context, r SMARTTokenRequest) (SMARTToken, error) {
	now := time.Now()
	switch {
	case r.GrantType == "":
		return SMARTToken{}, oauthErr("invalid_request", "grant_type is required")
	case r.GrantType != "client_credentials":
		return SMARTToken{}, oauthErr("unsupported_grant_type", "only client_credentials is supported")
	case r.ClientAssertionType != AssertionType:
		return SMARTToken{}, oauthErr("invalid_request", "client_assertion_type must be %s", AssertionType)
	case r.ClientAssertion == "":
		return SMARTToken{}, oauthErr("invalid_request", "client_assertion is required")
	case strings.TrimSpace(r.Scope) == "":
		return SMARTToken{}, oauthErr("invalid_scope", "scope is required")
	}
	requested, err := ParseScopes("scope", strings.Fields(r.Scope))
	if err != nil {
		return SMARTToken{}, oauthErr("invalid_scope", "scope: only system scopes (system/<Type|*>.<read|write|*|cruds>) are granted")
	}
	jws, claims, err := parseAssertion(r.ClientAssertion, r.TokenURL, now)
	if err != nil {
		return SMARTToken{}, err
	}
	clientID := claims.Iss
	// The assertion is spent once its signature holds, whatever comes of
	// the rest: its own transaction, committed before the scopes are
	// looked at.
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		raw, err := q.SMARTClientKey(ctx, clientID, jws.Header.Kid)
		if carepath.ErrorCode(err) == carepath.ENOTFOUND {
			return oauthErr("invalid_client", "no live client has a key with this kid")
		}
		if err != nil {
			return err
		}
		key, err := jose.ParseJWK(raw)
		if err != nil {
			return fmt.Errorf("stored key of client %s: %w", clientID, err)
		}
		if err := jws.Verify(key); err != nil {
			return oauthErr("invalid_client", "the assertion's signature does not verify with key %s", key.Kid)
		}
		exp, _ := unixTime(claims.Exp) // checked in parseAssertion
		fresh, err := q.SMARTAssertionJTIUse(ctx, clientID, claims.Jti, exp)
		if err != nil {
			return err
		}
		if !fresh {
			return oauthErr("invalid_client", "the assertion's jti was used already")
		}
		return nil
	})
	if err != nil {
		return SMARTToken{}, err
	}
	var tok SMARTToken
	err = e.Store.Tx(ctx, func(q *store.Queries) error {
		client, err := q.SMARTClientGet(ctx, clientID)
		if err != nil {
			return err
		}
		if client.RevokedAt != nil {
			return oauthErr("invalid_client", "the client is revoked")
		}
		allowed, err := ParseScopes("scopes", client.Scopes)
		if err != nil {
			return fmt.Errorf("stored scopes of client %s: %w", clientID, err)
		}
		granted := GrantScopes(requested, allowed)
		if len(granted) == 0 {
			return oauthErr("invalid_scope", "none of the requested scopes is allowed for this client")
		}
		access, err := q.SMARTAccessTokenInsert(ctx, clientID, granted, now.Add(SMARTTokenLifetime))
		if err != nil {
			return err
		}
		tok = SMARTToken{AccessToken: access, TokenType: "bearer", ExpiresIn: int(SMARTTokenLifetime.Seconds()),
			Scope: strings.Join(granted, " ")}
		a := carepath.Actor{Kind: carepath.ActorSMARTClient, ID: clientID, RequestID: r.RequestID}
		return audit(ctx, q, a, "fhir_client.token", "", "fhir_client/"+clientID)
	})
	if err != nil {
		return SMARTToken{}, err
	}
	return tok, nil
}

// parseAssertion checks what can be checked without the database: the
// JWS shape and algorithm, kid, iss = sub (a UUID client_id), aud = the
// token URL, exp ahead but at most five minutes, nbf/iat not in the future,
// jti present.
func parseAssertion(raw, tokenURL string, now time.Time) (*jose.JWS, assertionClaims, error) {
	var c assertionClaims
	jws, err := jose.Parse(raw)
	if err != nil {
		return nil, c, oauthErr("invalid_client", "client_assertion is not an RS384 or ES384 JWS")
	}
	if jws.Header.Kid == "" {
		return nil, c, oauthErr("invalid_client", "the assertion's header has no kid")
	}
	dec := json.NewDecoder(strings.NewReader(string(jws.Payload)))
	dec.UseNumber()
	if err := dec.Decode(&c); err != nil {
		return nil, c, oauthErr("invalid_client", "the assertion's claims are not a JSON object")
	}
	if c.Iss == "" || c.Iss != c.Sub {
		return nil, c, oauthErr("invalid_client", "iss and sub must both be the client_id")
	}
	if validID(c.Iss, "client") != nil {
		return nil, c, oauthErr("invalid_client", "iss is not a registered client_id")
	}
	auds, err := audiences(c.Aud)
	if err != nil || !slices.Contains(auds, tokenURL) {
		return nil, c, oauthErr("invalid_client", "aud must be the token endpoint URL %s", tokenURL)
	}
	exp, err := unixTime(c.Exp)
	if err != nil {
		return nil, c, oauthErr("invalid_client", "exp is required (seconds since the epoch)")
	}
	if !exp.After(now) {
		return nil, c, oauthErr("invalid_client", "the assertion has expired")
	}
	if exp.After(now.Add(maxAssertionAhead + clockSkew)) {
		return nil, c, oauthErr("invalid_client", "exp may be at most five minutes ahead")
	}
	for name, n := range map[string]*json.Number{"nbf": c.Nbf, "iat": c.Iat} {
		if n == nil {
			continue
		}
		t, err := unixTime(n)
		if err != nil || t.After(now.Add(clockSkew)) {
			return nil, c, oauthErr("invalid_client", "%s must be a time not in the future", name)
		}
	}
	if c.Jti == "" || len(c.Jti) > 256 {
		return nil, c, oauthErr("invalid_client", "jti is required (at most 256 characters)")
	}
	return jws, c, nil
}

// audiences reads aud, a string or an array of strings.
func audiences(raw json.RawMessage) ([]string, error) {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, errors.New("aud must be a string or an array of strings")
	}
	return many, nil
}

// unixTime reads a NumericDate (seconds, possibly fractional).
func unixTime(n *json.Number) (time.Time, error) {
	if n == nil {
		return time.Time{}, errors.New("missing")
	}
	f, err := n.Float64()
	if err != nil || f <= 0 || f > 1e11 {
		return time.Time{}, errors.New("not a time")
	}
	return time.Unix(0, int64(f*1e9)), nil
}

// SMARTAuthenticate returns what a bearer access token grants, or
// EUNAUTHORIZED when it is unknown, expired, or its client revoked.
func (e *Engine) SMARTAuthenticate(ctx context.Context, token string) (store.SMARTAccessToken, error) {
	t, err := e.Store.SMARTAccessTokenAuthenticate(ctx, token)
	if carepath.ErrorCode(err) == carepath.ENOTFOUND {
		return t, carepath.Errorf(carepath.EUNAUTHORIZED, "the access token is not valid (unknown, expired or revoked): get a new one")
	}
	return t, err
}
