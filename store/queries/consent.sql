-- name: ConsentRecord
INSERT INTO consents (patient_id, channel, purpose, granted, source, reason, effective_at)
VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::timestamptz, now()));

-- name: CaregiverConsentRecord
INSERT INTO caregiver_consents (caregiver_id, channel, purpose, granted, source, reason, effective_at)
VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::timestamptz, now()));

-- name: AddressConsentRecord
INSERT INTO address_consents (channel, address, granted, source, reason, effective_at)
VALUES ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()));

-- name: AddressConsentCurrent
SELECT granted FROM address_consents WHERE channel = $1 AND address = $2
ORDER BY effective_at DESC, id DESC LIMIT 1;

-- name: ConsentCurrent
-- Ordered by when the person acted. Three answers: the newest decision kept
-- for the patient's current address, the newest blanket decision, and the
-- newest decision covering the purpose (NULL when there is none).
SELECT
  (SELECT a.granted FROM address_consents a, patients p
   WHERE p.id = $1 AND a.channel = $2
     AND a.address = CASE WHEN $2 = 'email' THEN lower(p.email) ELSE p.phone END
   ORDER BY a.effective_at DESC, a.id DESC LIMIT 1),
  (SELECT granted FROM consents WHERE patient_id = $1 AND channel = $2 AND purpose = 'all'
   ORDER BY effective_at DESC, id DESC LIMIT 1),
  (SELECT granted FROM consents WHERE patient_id = $1 AND channel = $2 AND purpose IN ($3, 'all')
   ORDER BY effective_at DESC, id DESC LIMIT 1);

-- name: CaregiverConsentCurrent
SELECT
  (SELECT a.granted FROM address_consents a, caregivers c
   WHERE c.id = $1 AND a.channel = $2
     AND a.address = CASE WHEN $2 = 'email' THEN lower(c.email) ELSE c.phone END
   ORDER BY a.effective_at DESC, a.id DESC LIMIT 1),
  (SELECT granted FROM caregiver_consents WHERE caregiver_id = $1 AND channel = $2 AND purpose = 'all'
   ORDER BY effective_at DESC, id DESC LIMIT 1),
  (SELECT granted FROM caregiver_consents WHERE caregiver_id = $1 AND channel = $2 AND purpose IN ($3, 'all')
   ORDER BY effective_at DESC, id DESC LIMIT 1);

-- name: ConsentHistory
SELECT channel, purpose, granted, source, reason, effective_at, recorded_at, scope FROM (
  SELECT id, channel, purpose, granted, source, reason, effective_at, recorded_at, 'patient' AS scope
  FROM consents WHERE patient_id = $1
  UNION ALL
  SELECT a.id, a.channel, 'all', a.granted, a.source, a.reason, a.effective_at, a.recorded_at, 'address'
  FROM address_consents a, patients p
  WHERE p.id = $1 AND ((a.channel = 'sms' AND a.address = p.phone) OR (a.channel = 'email' AND a.address = lower(p.email)))
) h ORDER BY effective_at DESC, recorded_at DESC, id DESC LIMIT $2;

-- name: CaregiverConsentHistory
SELECT channel, purpose, granted, source, reason, effective_at, recorded_at, scope FROM (
  SELECT id, channel, purpose, granted, source, reason, effective_at, recorded_at, 'caregiver' AS scope
  FROM caregiver_consents WHERE caregiver_id = $1
  UNION ALL
  SELECT a.id, a.channel, 'all', a.granted, a.source, a.reason, a.effective_at, a.recorded_at, 'address'
  FROM address_consents a, caregivers c
  WHERE c.id = $1 AND ((a.channel = 'sms' AND a.address = c.phone) OR (a.channel = 'email' AND a.address = lower(c.email)))
) h ORDER BY effective_at DESC, recorded_at DESC, id DESC LIMIT $2;

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
SELECT id FROM patients WHERE lower(email) = lower($1) ORDER BY created_at, id;

-- name: ContactHygieneReport
SELECT id, phone_status, email_status, coalesce(phone, '') <> '', coalesce(email, '') <> '', updated_at FROM patients
WHERE phone_status <> 'valid' OR email_status <> 'valid'
ORDER BY (phone_status = 'invalid' OR email_status = 'invalid') DESC, updated_at DESC, id
LIMIT $1;

-- name: ProviderEventSeen
INSERT INTO provider_events (provider, event_key) VALUES ($1, $2) ON CONFLICT DO NOTHING;

-- name: InboundReceivedAt
SELECT created_at FROM messages WHERE id = $1 AND direction = 'inbound';
