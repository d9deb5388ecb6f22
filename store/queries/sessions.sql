-- name: SessionInsert
INSERT INTO sessions (token_hash, user_id, csrf_token) VALUES ($1, $2, $3);

-- name: SessionTouch
-- A live session of an active user slides its idle deadline; an idle or too
-- old one answers no row.
UPDATE sessions s SET last_seen_at = now()
FROM users u
WHERE s.token_hash = $1 AND u.id = s.user_id AND u.active
  AND s.last_seen_at > now() - $2::interval
  AND s.created_at > now() - $3::interval
RETURNING u.id, u.email, u.name, u.role, u.active, u.created_at, s.csrf_token;

-- name: SessionDelete
DELETE FROM sessions WHERE token_hash = $1;

-- name: SessionDeleteForUser
DELETE FROM sessions WHERE user_id = $1;
