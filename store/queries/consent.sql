-- name: ConsentRecord
INSERT INTO consents (patient_id, channel, purpose, granted, source) VALUES ($1, $2, $3, $4, $5);

-- name: ConsentCurrent
-- The newest decision that covers (channel, purpose): one for the purpose
-- itself or a blanket one ('all'). No row means not revoked.
SELECT granted, purpose FROM consents
WHERE patient_id = $1 AND channel = $2 AND purpose IN ($3, 'all')
ORDER BY recorded_at DESC, id DESC LIMIT 1;

-- name: ConsentHistory
SELECT channel, purpose, granted, source, recorded_at FROM consents WHERE patient_id = $1 ORDER BY recorded_at DESC, id DESC LIMIT $2;

-- name: PatientLock
-- Serialises send decisions for one patient (caps across journeys).
SELECT id FROM patients WHERE id = $1 FOR UPDATE;

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

-- name: LastInboundAt
SELECT max(created_at) FROM messages WHERE patient_id = $1 AND direction = 'inbound';

-- name: PatientPhoneInvalid
UPDATE patients SET phone_status = 'invalid', updated_at = now() WHERE id = $1 AND phone = $2;

-- name: PatientEmailInvalid
UPDATE patients SET email_status = 'invalid', updated_at = now() WHERE id = $1 AND lower(email) = lower($2);

-- name: PatientPhoneUnreachable
UPDATE patients SET phone_unreachable_count = phone_unreachable_count + 1, updated_at = now()
WHERE id = $1 AND phone = $2 RETURNING phone_unreachable_count;

-- name: PatientPhoneDelivered
UPDATE patients SET phone_status = 'valid', phone_unreachable_count = 0 WHERE id = $1 AND phone = $2 AND phone_status <> 'invalid';

-- name: PatientEmailDelivered
UPDATE patients SET email_status = 'valid' WHERE id = $1 AND lower(email) = lower($2) AND email_status <> 'invalid';

-- name: PatientIDsByEmail
SELECT id FROM patients WHERE lower(email) = lower($1) ORDER BY created_at LIMIT 10;

-- name: ContactHygieneReport
SELECT id, phone_status, email_status, coalesce(phone, '') <> '', coalesce(email, '') <> '', updated_at FROM patients
WHERE phone_status <> 'valid' OR email_status <> 'valid'
ORDER BY (phone_status = 'invalid' OR email_status = 'invalid') DESC, updated_at DESC, id
LIMIT $1;

-- name: ProviderEventSeen
INSERT INTO provider_events (provider, event_key) VALUES ($1, $2) ON CONFLICT DO NOTHING;
