-- name: PatientInsert
INSERT INTO patients (id, given_name, family_name, birth_date, phone, email, locale, timezone, preferred_channel, tags, conditions)
VALUES ($1, $2, $3, $4, NULLIF($5, ''), NULLIF($6, ''), $7, $8, $9, $10, $11)
RETURNING created_at, updated_at;

-- name: PatientGet
SELECT id, given_name, family_name, to_char(birth_date, 'YYYY-MM-DD'), coalesce(phone, ''), coalesce(email, ''),
       locale, timezone, preferred_channel, phone_status, email_status, created_at, updated_at, outreach_per_week, tags, conditions
FROM patients WHERE id = $1;

-- name: PatientIDsByPhone
SELECT id FROM patients WHERE phone = $1 ORDER BY created_at, id;

-- name: PatientLessOften
UPDATE patients SET outreach_per_week = 1, updated_at = now() WHERE id = $1;

-- name: PatientSegmentsSet
UPDATE patients SET tags = coalesce($2, tags), conditions = coalesce($3, conditions), updated_at = now()
WHERE id = $1
RETURNING tags, conditions, updated_at;

-- name: PatientIDsInSegment
-- A condition filter matches the code and every code under it (E11 matches E11.9).
SELECT id FROM patients
WHERE ($1::text = '' OR tags @> ARRAY[$1::text])
  AND ($2::text = '' OR EXISTS (SELECT 1 FROM unnest(conditions) c WHERE c LIKE $2::text || '%'))
ORDER BY id
LIMIT $3;

-- name: PatientLock
-- Serialises send decisions for one patient (caps across journeys).
SELECT id FROM patients WHERE id = $1 FOR UPDATE;

-- name: PatientIDsByEmail
SELECT id FROM patients WHERE lower(email) = lower($1) ORDER BY created_at, id;

-- name: PatientSearch
-- Every filter given must match; the name part is a substring of the given
-- or family name, case-insensitive ($1 arrives with LIKE wildcards escaped).
SELECT id, given_name, family_name, to_char(birth_date, 'YYYY-MM-DD'), coalesce(phone, ''), coalesce(email, ''),
       locale, timezone, preferred_channel, phone_status, email_status, created_at, updated_at, outreach_per_week, tags, conditions
FROM patients
WHERE ($1::text = '' OR given_name ILIKE '%' || $1::text || '%' OR family_name ILIKE '%' || $1::text || '%')
  AND ($2::text = '' OR phone = $2::text)
  AND ($3::text = '' OR birth_date = $3::date)
ORDER BY lower(family_name), lower(given_name), id
LIMIT $4;

-- name: PatientContactSet
-- A changed phone or email is a new contact point: its status and failure
-- count start again, so a number once marked invalid is not held against
-- its replacement.
UPDATE patients SET
    given_name = $2, family_name = $3, phone = NULLIF($4, ''), email = NULLIF($5, ''),
    timezone = $6, locale = $7, preferred_channel = $8,
    phone_status = CASE WHEN phone IS DISTINCT FROM NULLIF($4, '') THEN 'unverified' ELSE phone_status END,
    phone_unreachable_count = CASE WHEN phone IS DISTINCT FROM NULLIF($4, '') THEN 0 ELSE phone_unreachable_count END,
    email_status = CASE WHEN lower(email) IS DISTINCT FROM lower(NULLIF($5, '')) THEN 'unverified' ELSE email_status END,
    updated_at = now()
WHERE id = $1
RETURNING updated_at;

-- name: PatientChannelHint
-- The channel a new journey's first message most likely takes: email when
-- the patient prefers it or has no phone. A hint for the send lane only;
-- the send decides the channel.
SELECT CASE WHEN preferred_channel = 'email' OR phone IS NULL THEN 'email' ELSE 'sms' END
FROM patients WHERE id = $1;
