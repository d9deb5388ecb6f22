-- name: CaregiverInsert
INSERT INTO caregivers (id, patient_id, given_name, family_name, relationship, phone, email, preferred_channel, locale, authorized_at)
VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), NULLIF($7, ''), $8, $9, CASE WHEN $10 THEN now() END)
RETURNING created_at, authorized_at;

-- name: CaregiverList
SELECT id, patient_id, given_name, family_name, relationship, coalesce(phone, ''), coalesce(email, ''),
       preferred_channel, locale, authorized_at, phone_status, email_status, created_at
FROM caregivers WHERE patient_id = $1 ORDER BY created_at, id;

-- name: CaregiverGet
SELECT id, patient_id, given_name, family_name, relationship, coalesce(phone, ''), coalesce(email, ''),
       preferred_channel, locale, authorized_at, phone_status, email_status, created_at
FROM caregivers WHERE id = $1;

-- name: CaregiversByPhone
SELECT id, patient_id, given_name, family_name, relationship, coalesce(phone, ''), coalesce(email, ''),
       preferred_channel, locale, authorized_at, phone_status, email_status, created_at
FROM caregivers WHERE phone = $1 ORDER BY created_at, id;

-- name: CaregiversByEmail
SELECT id, patient_id, given_name, family_name, relationship, coalesce(phone, ''), coalesce(email, ''),
       preferred_channel, locale, authorized_at, phone_status, email_status, created_at
FROM caregivers WHERE lower(email) = lower($1) ORDER BY created_at, id;

-- name: CaregiverPatient
SELECT patient_id FROM caregivers WHERE id = $1;

-- name: CaregiverAuthorize
UPDATE caregivers SET authorized_at = CASE WHEN $2 THEN coalesce(authorized_at, now()) END
WHERE id = $1 RETURNING patient_id;

-- name: CaregiverOutboxInsert
INSERT INTO messages (id, patient_id, enrollment_id, direction, channel, template, body, to_address, status, status_reason, provider, purpose, caregiver_id)
VALUES ($1, $2, $3, 'outbound', $4, $5, $6, $7, $8, $9, $10, 'care', $11)
ON CONFLICT (id) DO NOTHING;
