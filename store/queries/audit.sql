-- name: AuditLock
-- Serialises appends so the chain stays linear; released at commit.
SELECT pg_advisory_xact_lock(1635083636);

-- name: AuditHead
SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1;

-- name: AuditNextID
SELECT nextval(pg_get_serial_sequence('audit_log', 'id'));

-- name: AuditInsert
INSERT INTO audit_log (id, occurred_at, actor, action, patient_id, resource, request_id, outcome, prev_hash, hash)
VALUES ($1, $2, $3, $4, NULLIF($5, '')::uuid, $6, $7, $8, $9, $10);

-- name: AuditList
SELECT id, occurred_at, actor, action, coalesce(patient_id::text, ''), resource, request_id, outcome
FROM audit_log
WHERE ($1 = '' OR patient_id = NULLIF($1, '')::uuid) AND id < $2
ORDER BY id DESC LIMIT $3;

-- name: AuditScan
SELECT id, occurred_at, actor, action, coalesce(patient_id::text, ''), resource, request_id, outcome, prev_hash, hash
FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2;
