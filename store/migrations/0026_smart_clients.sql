-- SMART Backend Services (issue 14): carepath is the authorization server
-- for the EHR systems an admin registers. A client proves who it is with a
-- JWT signed by one of its registered public keys and gets a short-lived
-- opaque access token for the FHIR endpoint.
CREATE TABLE smart_clients (
    id         uuid PRIMARY KEY,           -- the client_id
    name       text NOT NULL,
    -- The most the client may be granted, e.g. system/Patient.write,
    -- system/*.read, system/*.rs.
    scopes     text[] NOT NULL,
    created_by text NOT NULL,              -- actor name, as in the audit trail
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz
);

-- Public keys (JWK) a client signs its assertions with, by kid.
CREATE TABLE smart_client_keys (
    client_id uuid NOT NULL REFERENCES smart_clients (id),
    kid       text NOT NULL,
    kty       text NOT NULL CHECK (kty IN ('RSA', 'EC')),
    jwk       jsonb NOT NULL,
    PRIMARY KEY (client_id, kid)
);

-- Access tokens, stored as sha256 of the token (256-bit random: a slow
-- hash adds nothing), with what they grant and until when.
CREATE TABLE smart_access_tokens (
    token_hash bytea PRIMARY KEY,
    client_id  uuid NOT NULL REFERENCES smart_clients (id),
    scopes     text[] NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX smart_access_tokens_expiry_idx ON smart_access_tokens (expires_at);

-- Assertion IDs (jti) already used, kept until the assertion expires: a
-- replayed assertion is refused, and after its exp it is refused anyway.
CREATE TABLE smart_assertion_jtis (
    client_id  uuid NOT NULL REFERENCES smart_clients (id),
    jti        text NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (client_id, jti)
);
CREATE INDEX smart_assertion_jtis_expiry_idx ON smart_assertion_jtis (expires_at);
