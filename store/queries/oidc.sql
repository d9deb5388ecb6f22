-- name: OIDCStateInsert
INSERT INTO oidc_states (state_hash, binding_hash, nonce, code_verifier, return_to, expires_at)
VALUES ($1, $2, $3, $4, $5, now() + $6::interval);

-- name: OIDCStateTake
-- Consumes the state (once only) if it is live; expired ones answer no row.
DELETE FROM oidc_states WHERE state_hash = $1
RETURNING binding_hash, nonce, code_verifier, return_to, expires_at > now();

-- name: OIDCStateSweep
DELETE FROM oidc_states WHERE expires_at <= now();

-- name: UserByEmail
SELECT id, email, name, role, active, created_at FROM users WHERE lower(email) = lower($1);
