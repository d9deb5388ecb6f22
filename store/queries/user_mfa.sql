-- name: TOTPEnrol
-- A new enrolment replaces a pending one; an active one stays until removed.
INSERT INTO user_totp (user_id, secret) VALUES ($1, $2)
ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, last_step = 0, created_at = now()
WHERE NOT user_totp.active
RETURNING user_id;

-- name: TOTPGet
SELECT secret, active, last_step FROM user_totp WHERE user_id = $1;

-- name: TOTPUse
-- Accepts a step only if it is newer than the last one used (a code works
-- once, even when two requests race); activates a pending secret.
UPDATE user_totp SET last_step = $2, active = true, activated_at = coalesce(activated_at, now())
WHERE user_id = $1 AND last_step < $2 AND secret = $3
RETURNING user_id;

-- name: TOTPDelete
DELETE FROM user_totp WHERE user_id = $1;

-- name: TOTPActive
SELECT EXISTS (SELECT 1 FROM user_totp WHERE user_id = $1 AND active);

-- name: MFAChallengeInsert
-- Sweeps expired challenges on the way: abandoned sign-ins leave rows.
WITH swept AS (DELETE FROM mfa_challenges WHERE expires_at <= now())
INSERT INTO mfa_challenges (token_hash, user_id, expires_at) VALUES ($1, $2, now() + $3::interval);

-- name: MFAChallengeUser
-- The live challenge's user; expired ones answer no row.
SELECT user_id FROM mfa_challenges WHERE token_hash = $1 AND expires_at > now();

-- name: MFAChallengeDelete
-- Consumes the challenge, and sweeps expired ones.
DELETE FROM mfa_challenges WHERE token_hash = $1 OR expires_at <= now();

-- name: MFAChallengeDeleteForUser
DELETE FROM mfa_challenges WHERE user_id = $1;
