-- name: UserInsert
INSERT INTO users (id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5)
RETURNING id, email, name, role, active, created_at;

-- name: UserGet
SELECT id, email, name, role, active, created_at FROM users WHERE id = $1;

-- name: UserList
SELECT id, email, name, role, active, created_at FROM users ORDER BY created_at, id LIMIT $1;

-- name: UserUpdate
UPDATE users SET role = coalesce($2, role), active = coalesce($3, active),
    password_hash = coalesce($4, password_hash),
    failed_attempts = CASE WHEN $4::text IS NULL THEN failed_attempts ELSE 0 END,
    locked_until = CASE WHEN $4::text IS NULL THEN locked_until ELSE NULL END
WHERE id = $1
RETURNING id, email, name, role, active, created_at;

-- name: UserCredentials
SELECT id, email, name, role, active, created_at, password_hash, failed_attempts, locked_until, locked_until > now()
FROM users WHERE lower(email) = lower($1);

-- name: UserLoginFailed
-- A lock that has run out starts the count afresh.
UPDATE users SET
    failed_attempts = CASE WHEN locked_until <= now() THEN 1 ELSE failed_attempts + 1 END,
    locked_until = CASE
        WHEN (CASE WHEN locked_until <= now() THEN 1 ELSE failed_attempts + 1 END) >= $2 THEN now() + $3::interval
        WHEN locked_until <= now() THEN NULL
        ELSE locked_until END
WHERE id = $1;

-- name: UserLoginSucceeded
UPDATE users SET failed_attempts = 0, locked_until = NULL WHERE id = $1;

-- name: UserByEmailExists
SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1));
