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
SELECT m.id, coalesce(m.patient_id::text, ''), coalesce(m.enrollment_id::text, ''), m.direction, m.channel, m.template, m.body,
       m.status, m.status_reason, m.provider, coalesce(m.provider_message_id, ''), m.created_at, m.sent_at,
       coalesce(m.author, ''), coalesce(u.name, '')
FROM messages m LEFT JOIN users u ON m.author LIKE 'user:%' AND u.id::text = substr(m.author, 6)
WHERE m.patient_id = $1
ORDER BY m.created_at DESC, m.id
LIMIT $2;

-- name: MessageGet
SELECT m.id, coalesce(m.patient_id::text, ''), coalesce(m.enrollment_id::text, ''), m.direction, m.channel, m.template, m.body,
       m.status, m.status_reason, m.provider, coalesce(m.provider_message_id, ''), m.created_at, m.sent_at,
       coalesce(m.author, ''), coalesce(u.name, '')
FROM messages m LEFT JOIN users u ON m.author LIKE 'user:%' AND u.id::text = substr(m.author, 6)
WHERE m.id = $1;

-- name: MessageDefer
UPDATE messages SET status = 'deferred', status_reason = $2, deferred_until = $3, updated_at = now() WHERE id = $1;

-- name: InboundReceivedAt
SELECT created_at FROM messages WHERE id = $1 AND direction = 'inbound';
