-- Fencing for provider calls. Each call is an attempt claimed in the
-- outbox row, after the pacer's wait and in the same transaction that
-- re-checks consent, quiet hours and caps: a fresh token and a lease that
-- covers the HTTP client's timeout plus a margin. While the lease runs no
-- other attempt of the message may call the provider; once it has run out,
-- the outcome is settled (provider lookup, callback or event) before
-- anything is sent again.
ALTER TABLE messages ADD COLUMN attempt_token uuid;
ALTER TABLE messages ADD COLUMN lease_until timestamptz;

-- Calls whose outcome is still unknown, by address: a lookup for one must
-- not take a provider message another one to the same phone may own.
CREATE INDEX messages_sending_to_idx ON messages (to_address)
    WHERE direction = 'outbound' AND status = 'sending';
