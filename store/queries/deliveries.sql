-- name: DeliveryMessageByProviderID
-- The outbound message a provider's callback is about, locked.
SELECT id, coalesce(patient_id::text, ''), coalesce(caregiver_id::text, ''), status, channel, to_address,
       provider, coalesce(provider_message_id, '')
FROM messages WHERE provider = $1 AND provider_message_id = $2 AND direction = 'outbound' FOR UPDATE;

-- name: DeliveryMessageByID
-- The outbound message by carepath's own ID (in the callback URL or a
-- SendGrid custom argument), locked.
SELECT id, coalesce(patient_id::text, ''), coalesce(caregiver_id::text, ''), status, channel, to_address,
       provider, coalesce(provider_message_id, '')
FROM messages WHERE id = $1 AND direction = 'outbound' FOR UPDATE;

-- name: DeliveryRecord
UPDATE messages SET status = $2, status_reason = $3, error_code = $4,
    delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END, updated_at = now()
WHERE id = $1;

-- name: DeliveryKeep
INSERT INTO delivery_reports_pending (provider, provider_message_id, event_key, status, error_code, failure)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (provider, event_key) DO NOTHING;

-- name: DeliveryTakePending
-- The kept reports for a provider message, oldest first, removed as taken.
DELETE FROM delivery_reports_pending WHERE provider = $1 AND provider_message_id = $2
RETURNING event_key, status, error_code, failure, received_at;

-- name: DeliveryPendingRecorded
-- Kept reports whose message has since been recorded as sent (a path that
-- did not apply them itself, or failed to).
SELECT DISTINCT p.provider, p.provider_message_id FROM delivery_reports_pending p
JOIN messages m ON m.provider = p.provider AND m.provider_message_id = p.provider_message_id
LIMIT $1;

-- name: DeliveryPendingPrune
-- Kept reports no send claimed in a week are about messages carepath
-- never recorded (another system's, or a test's): drop them.
DELETE FROM delivery_reports_pending WHERE received_at < now() - interval '7 days';
