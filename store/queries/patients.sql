-- name: PatientInsert
INSERT INTO patients (id, given_name, family_name, birth_date, phone, email, locale, timezone, preferred_channel)
VALUES ($1, $2, $3, $4, NULLIF($5, ''), NULLIF($6, ''), $7, $8, $9)
RETURNING created_at, updated_at;

-- name: PatientGet
SELECT id, given_name, family_name, to_char(birth_date, 'YYYY-MM-DD'), coalesce(phone, ''), coalesce(email, ''),
       locale, timezone, preferred_channel, phone_status, email_status, created_at, updated_at, outreach_per_week
FROM patients WHERE id = $1;

-- name: PatientIDsByPhone
SELECT id FROM patients WHERE phone = $1 ORDER BY created_at LIMIT 10;

-- name: PatientLessOften
UPDATE patients SET outreach_per_week = 1, updated_at = now() WHERE id = $1;
