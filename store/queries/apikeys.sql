-- name: APIKeyInsert
INSERT INTO api_keys (id, name, prefix, key_hash, role) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (key_hash) DO NOTHING;

-- name: APIKeyByHash
SELECT id, name, role FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL;

-- name: APIKeyList
SELECT id, name, prefix, role, created_at, revoked_at FROM api_keys ORDER BY created_at, id LIMIT $1;

-- name: APIKeyRevoke
UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL;

-- name: APIKeyExists
SELECT EXISTS (SELECT 1 FROM api_keys WHERE id = $1);
