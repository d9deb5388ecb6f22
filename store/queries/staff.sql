-- name: StaffInsert
INSERT INTO staff (id, name, role, phone, email)
VALUES ($1, $2, $3, NULLIF($4, ''), NULLIF($5, ''))
RETURNING created_at;

-- name: StaffGet
SELECT id, name, role, coalesce(phone, ''), coalesce(email, ''), active, created_at
FROM staff WHERE id = $1;

-- name: StaffList
-- Active first, then by name; $1 false leaves the deactivated out.
SELECT id, name, role, coalesce(phone, ''), coalesce(email, ''), active, created_at
FROM staff
WHERE active OR $1
ORDER BY active DESC, name, id
LIMIT $2;

-- name: StaffUpdate
-- NULL leaves a field as it is; '' clears a phone or email.
UPDATE staff SET name = coalesce($2, name), role = coalesce($3, role),
    phone = CASE WHEN $4::text IS NULL THEN phone ELSE NULLIF($4, '') END,
    email = CASE WHEN $5::text IS NULL THEN email ELSE NULLIF($5, '') END,
    active = coalesce($6, active), updated_at = now()
WHERE id = $1
RETURNING id, name, role, coalesce(phone, ''), coalesce(email, ''), active, created_at;

-- name: StaffByPhone
SELECT id, name, role, coalesce(phone, ''), coalesce(email, ''), active, created_at
FROM staff WHERE phone = $1 AND active
ORDER BY created_at, id;

-- name: StaffByEmail
SELECT id, name, role, coalesce(phone, ''), coalesce(email, ''), active, created_at
FROM staff WHERE lower(email) = lower($1) AND active
ORDER BY created_at, id;
