-- name: MessageOutboxInsert
-- The ID is derived by the workflow, so a retried activity finds its row.
INSERT INTO messages (id, patient_id, enrollment_id, direction, channel, template, body, to_address, from_address, status, status_reason, provider, purpose)
VALUES ($1, $2, $3, 'outbound', $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (id) DO NOTHING;

-- name: MessageMarkSent
-- The provider has the message (its answer, a lookup, a callback or an
-- event). A delivery already reported is kept, and a row that owns another
-- provider message is never re-pointed.
UPDATE messages SET status = CASE WHEN status IN ('delivered', 'undelivered') THEN status ELSE 'sent' END,
    provider = $2, provider_message_id = $3, sent_at = coalesce(sent_at, now()), updated_at = now()
WHERE id = $1 AND (provider_message_id IS NULL OR provider_message_id = $3);

-- name: MessageMarkFailed
UPDATE messages SET status = $2, status_reason = $3, updated_at = now() WHERE id = $1;

-- name: MessageInboundInsert
-- A provider re-delivering the same message hits the unique index and
-- inserts nothing; the caller then looks the message up and resumes.
INSERT INTO messages (id, patient_id, direction, channel, body, to_address, from_address, status, provider, provider_message_id)
VALUES ($1, $2, 'inbound', $3, $4, $5, $6, 'received', $7, $8)
ON CONFLICT (provider, provider_message_id) WHERE provider_message_id IS NOT NULL DO NOTHING
RETURNING id;

-- name: MessageByProviderID
SELECT id, coalesce(patient_id::text, ''), status FROM messages WHERE provider = $1 AND provider_message_id = $2;

-- name: MessageRouted
UPDATE messages SET status = 'routed', enrollment_id = $2, updated_at = now() WHERE id = $1;

-- name: MessagesByPatient
SELECT id, coalesce(patient_id::text, ''), coalesce(enrollment_id::text, ''), direction, channel, template, body,
       status, status_reason, provider, coalesce(provider_message_id, ''), created_at, sent_at
FROM messages WHERE patient_id = $1
ORDER BY created_at DESC, id
LIMIT $2;

-- name: MessageGet
SELECT id, coalesce(patient_id::text, ''), coalesce(enrollment_id::text, ''), direction, channel, template, body,
       status, status_reason, provider, coalesce(provider_message_id, ''), created_at, sent_at
FROM messages WHERE id = $1;

-- name: MessageDefer
UPDATE messages SET status = 'deferred', status_reason = $2, deferred_until = $3, updated_at = now() WHERE id = $1;

-- name: InboundReceivedAt
SELECT created_at FROM messages WHERE id = $1 AND direction = 'inbound';
