-- name: OutboxLock
SELECT status, status_reason, provider, coalesce(provider_message_id, ''), attempts, channel, to_address, body,
       sending_at, deferred_until, coalesce(attempt_token::text, ''), lease_until,
       coalesce(enrollment_id::text, ''), coalesce(caregiver_id::text, ''), purpose
FROM messages WHERE id = $1 AND direction = 'outbound' FOR UPDATE;

-- name: OutboxClaim
-- One attempt: only a row nobody is calling the provider for can be
-- claimed (the caller holds its lock). sending_at is the hand-off.
UPDATE messages SET status = 'sending', channel = $2, to_address = $3, provider = $4, body = $5,
    conversational = $6, attempts = attempts + 1, attempt_token = $7, sending_at = $8, lease_until = $9,
    deferred_until = NULL, status_reason = '', updated_at = now()
WHERE id = $1 AND status IN ('queued', 'deferred');

-- name: OutboxAttemptSent
-- The attempt's own record of the provider's acceptance. A row settled
-- meanwhile (a callback or event that carried the provider's ID) is kept.
UPDATE messages SET status = 'sent', provider = $3, provider_message_id = $4, sent_at = now(), updated_at = now()
WHERE id = $1 AND status = 'sending' AND attempt_token IS NOT DISTINCT FROM $2::uuid;

-- name: OutboxAttemptSettle
-- The attempt ends without a provider message: back to queued (surely not
-- accepted: the next decision re-checks everything), failed, suppressed or
-- held, with a reason.
UPDATE messages SET status = $3, status_reason = $4, attempt_token = NULL, lease_until = NULL, updated_at = now()
WHERE id = $1 AND status = 'sending' AND attempt_token IS NOT DISTINCT FROM $2::uuid;

-- name: OutboxProviderIDsTaken
-- Which of these provider message IDs already belong to an outbox row.
SELECT provider_message_id FROM messages WHERE provider = $1 AND provider_message_id = ANY($2::text[]);

-- name: OutboxUnknownTo
-- Other messages to the same address whose outcome is unknown and whose
-- attempt window overlaps [$3, $4].
SELECT id, body FROM messages
WHERE direction = 'outbound' AND status = 'sending' AND to_address = $1 AND id <> $2
  AND coalesce(sending_at, created_at) <= $4 AND coalesce(lease_until, sending_at, created_at) >= $3;

-- name: ConversationReplyDue
-- The patient answered a question of this enrollment at or after $2 (when
-- carepath received the answer, not when it was routed), and the
-- enrollment has sent no conversational reply since that answer.
WITH answered AS (
    SELECT max(coalesce(m.created_at, q.answered_at)) AS at
    FROM questions q LEFT JOIN messages m ON m.id = q.answer_message_id
    WHERE q.enrollment_id = $1 AND q.status = 'answered'
)
SELECT coalesce((SELECT at >= $2 FROM answered), false)
   AND NOT EXISTS (SELECT 1 FROM messages m, answered a
                   WHERE m.enrollment_id = $1 AND m.direction = 'outbound' AND m.conversational AND m.id <> $3
                     AND m.status IN ('sending', 'sent', 'delivered', 'undelivered') AND m.sending_at >= a.at);

-- name: OutreachCountSince
SELECT count(*) FROM messages
WHERE patient_id = $1 AND direction = 'outbound' AND purpose = 'outreach'
  AND status IN ('sending', 'sent', 'delivered') AND NOT conversational
  AND coalesce(sending_at, created_at) >= $2 AND id <> $3;

-- name: OutreachOldestSince
SELECT min(coalesce(sending_at, created_at)) FROM messages
WHERE patient_id = $1 AND direction = 'outbound' AND purpose = 'outreach'
  AND status IN ('sending', 'sent', 'delivered') AND NOT conversational
  AND coalesce(sending_at, created_at) >= $2 AND id <> $3;
