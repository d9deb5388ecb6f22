-- name: APIKeyInsert
INSERT INTO api_keys (id, name, prefix, key_hash, role) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (key_hash) DO NOTHING;

-- name: APIKeyByHash
SELECT id, name, role FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL;
