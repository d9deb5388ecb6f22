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

-- name: ContactHygieneReport
SELECT id, phone_status, email_status, coalesce(phone, '') <> '', coalesce(email, '') <> '', updated_at FROM patients
WHERE phone_status <> 'valid' OR email_status <> 'valid'
ORDER BY (phone_status = 'invalid' OR email_status = 'invalid') DESC, updated_at DESC, id
LIMIT $1;

-- name: CaregiverPhoneInvalid
UPDATE caregivers SET phone_status = 'invalid' WHERE id = $1 AND phone = $2;

-- name: CaregiverEmailInvalid
UPDATE caregivers SET email_status = 'invalid' WHERE id = $1 AND lower(email) = lower($2);

-- name: CaregiverPhoneUnreachable
UPDATE caregivers SET phone_unreachable_count = phone_unreachable_count + 1
WHERE id = $1 AND phone = $2 RETURNING phone_unreachable_count;

-- name: CaregiverPhoneDelivered
UPDATE caregivers SET phone_status = 'valid', phone_unreachable_count = 0 WHERE id = $1 AND phone = $2 AND phone_status <> 'invalid';

-- name: CaregiverEmailDelivered
UPDATE caregivers SET email_status = 'valid' WHERE id = $1 AND lower(email) = lower($2) AND email_status <> 'invalid';
