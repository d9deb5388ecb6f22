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
