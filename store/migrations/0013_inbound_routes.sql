-- Replies carepath has accepted but not yet handed to Temporal. The webhook
-- stores the reply and its route in one transaction and answers 2xx; the
-- reply router (in the api process) drains this table, in arrival order per
-- sender, retrying until Temporal takes each route or it becomes a task.
CREATE TABLE inbound_routes (
    seq             bigserial PRIMARY KEY,
    message_id      uuid NOT NULL UNIQUE REFERENCES messages (id),
    -- sha256 of channel and sender address: the ordering key, without PHI.
    sender          text NOT NULL,
    route           jsonb NOT NULL,
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL DEFAULT now(),
    routed_at       timestamptz
);
CREATE INDEX inbound_routes_pending_idx ON inbound_routes (sender, seq) WHERE routed_at IS NULL;

-- Replies the code before this table left 'received' (their signal failed
-- and nothing retried it) go to the care team's inbox.
INSERT INTO inbound_routes (message_id, sender, route)
SELECT id, encode(sha256(convert_to(channel || ':' || from_address, 'UTF8')), 'hex'),
       jsonb_build_object('inbox', jsonb_build_object('patient_id', coalesce(patient_id::text, ''),
           'reason', 'patient reply needs review (it answered no open question)'))
FROM messages WHERE direction = 'inbound' AND status = 'received'
ORDER BY created_at, id;

-- Delivery reports that arrived before carepath recorded the provider's
-- message ID (the callback can beat the API response). They are applied
-- when the send is recorded (ApplyPendingDeliveryReports).
CREATE TABLE delivery_reports_pending (
    provider            text NOT NULL,
    provider_message_id text NOT NULL,
    event_key           text NOT NULL,
    status              text NOT NULL,
    error_code          int NOT NULL DEFAULT 0,
    failure             text NOT NULL DEFAULT '',
    received_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, event_key)
);
CREATE INDEX delivery_reports_pending_msg_idx ON delivery_reports_pending (provider, provider_message_id);
