-- name: CaregiverUpdateFHIR
UPDATE caregivers SET given_name = $2, family_name = $3, relationship = $4,
       phone = NULLIF($5, ''), email = NULLIF($6, ''), preferred_channel = $7, locale = $8,
       phone_status = CASE WHEN phone IS DISTINCT FROM NULLIF($5, '') THEN 'unverified' ELSE phone_status END,
       email_status = CASE WHEN lower(email) IS DISTINCT FROM lower(NULLIF($6, '')) THEN 'unverified' ELSE email_status END
WHERE id = $1
RETURNING patient_id;
