-- Second factor and single sign-on (issue 13, item 1).

-- A person's TOTP secret (base32, RFC 6238). Enrolment writes it inactive;
-- a first right code activates it. last_step is the newest time step a code
-- was accepted for, so a code works once.
CREATE TABLE user_totp (
    user_id      uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       text NOT NULL,
    active       boolean NOT NULL DEFAULT false,
    last_step    bigint NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    activated_at timestamptz
);

-- The step between a right password and a right code for a TOTP user: only
-- the SHA-256 of the token the browser holds is stored; it lives minutes and
-- is consumed by the sign-in it completes.
CREATE TABLE mfa_challenges (
    token_hash bytea PRIMARY KEY,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at timestamptz NOT NULL
);
CREATE INDEX mfa_challenges_user_idx ON mfa_challenges (user_id);

-- An OpenID Connect sign-in under way, keyed by the SHA-256 of its state;
-- binding_hash is the SHA-256 of the cookie that ties it to the browser that
-- started it. Consumed by the callback.
CREATE TABLE oidc_states (
    state_hash    bytea PRIMARY KEY,
    binding_hash  bytea NOT NULL,
    nonce         text NOT NULL,
    code_verifier text NOT NULL,
    return_to     text NOT NULL,
    expires_at    timestamptz NOT NULL
);
