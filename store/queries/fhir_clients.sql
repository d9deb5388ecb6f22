-- name: SMARTClientInsert
INSERT INTO smart_clients (id, name, scopes, created_by) VALUES ($1, $2, $3, $4);

-- name: SMARTClientKeyInsert
INSERT INTO smart_client_keys (client_id, kid, kty, jwk) VALUES ($1, $2, $3, $4);

-- name: SMARTClientGet
SELECT id, name, scopes, created_by, created_at, revoked_at FROM smart_clients WHERE id = $1;

-- name: SMARTClientList
SELECT id, name, scopes, created_by, created_at, revoked_at FROM smart_clients ORDER BY created_at, id LIMIT $1;

-- name: SMARTClientKeysOf
SELECT client_id, kid, kty, jwk FROM smart_client_keys WHERE client_id = ANY($1) ORDER BY client_id, kid;

-- name: SMARTClientKey
SELECT k.jwk FROM smart_client_keys k JOIN smart_clients c ON c.id = k.client_id
WHERE k.client_id = $1 AND k.kid = $2 AND c.revoked_at IS NULL;

-- name: SMARTClientRevoke
UPDATE smart_clients SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL;

-- name: SMARTClientExists
SELECT EXISTS (SELECT 1 FROM smart_clients WHERE id = $1);

-- name: SMARTAccessTokensRevoke
DELETE FROM smart_access_tokens WHERE client_id = $1;

-- name: SMARTAssertionJTIsSweep
DELETE FROM smart_assertion_jtis WHERE expires_at < now();

-- A jti row that outlived its assertion may be taken again; a live one
-- may not: no row comes back.
-- name: SMARTAssertionJTIUse
INSERT INTO smart_assertion_jtis (client_id, jti, expires_at) VALUES ($1, $2, $3)
ON CONFLICT (client_id, jti) DO UPDATE SET expires_at = EXCLUDED.expires_at
WHERE smart_assertion_jtis.expires_at < now()
RETURNING 1;

-- name: SMARTAccessTokensSweep
DELETE FROM smart_access_tokens WHERE expires_at < now();

-- name: SMARTAccessTokenInsert
INSERT INTO smart_access_tokens (token_hash, client_id, scopes, expires_at) VALUES ($1, $2, $3, $4);

-- name: SMARTAccessTokenByHash
SELECT t.client_id, t.scopes, t.expires_at FROM smart_access_tokens t JOIN smart_clients c ON c.id = t.client_id
WHERE t.token_hash = $1 AND t.expires_at > now() AND c.revoked_at IS NULL;
