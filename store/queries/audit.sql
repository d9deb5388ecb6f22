-- name: AuditClaim
-- Locks one partition's head for this transaction: the one it already holds
-- (remembered in a transaction-local setting, so two appends of one
-- transaction share a partition and two transactions can never wait on
-- each other's second partition), else the first free one counting from
-- the backend's own, skipping those other writers hold. Returns no row
-- when every partition is held: then AuditClaimWait queues.
WITH held AS (
    SELECT nullif(current_setting('carepath.audit_partition', true), '')::smallint AS p
), n AS (
    SELECT count(*)::int AS n FROM audit_partitions
), pick AS (
    SELECT h.partition, h.seq, h.hash
    FROM audit_partitions h, held, n
    WHERE held.p IS NULL OR h.partition = held.p
    ORDER BY (h.partition - pg_backend_pid() % n.n + n.n) % n.n
    LIMIT 1
    FOR UPDATE OF h SKIP LOCKED
)
SELECT partition, seq, hash, set_config('carepath.audit_partition', partition::text, true),
       nextval(pg_get_serial_sequence('audit_log', 'id'))
FROM pick;

-- name: AuditClaimWait
-- AuditClaim when every partition is held: wait for the backend's own.
WITH n AS (
    SELECT count(*)::int AS n FROM audit_partitions
), pick AS (
    SELECT h.partition, h.seq, h.hash
    FROM audit_partitions h, n
    WHERE h.partition = pg_backend_pid() % n.n
    FOR UPDATE OF h
)
SELECT partition, seq, hash, set_config('carepath.audit_partition', partition::text, true),
       nextval(pg_get_serial_sequence('audit_log', 'id'))
FROM pick;

-- name: AuditInsert
-- The row and its partition's new head, in one statement. The head moves
-- only from the seq the row follows: 0 rows updated means the claim was lost.
WITH row AS (
    INSERT INTO audit_log (id, occurred_at, actor, action, patient_id, resource, request_id, outcome,
                           partition, seq, key_id, prev_hash, hash)
    VALUES ($1, $2, $3, $4, NULLIF($5, '')::uuid, $6, $7, $8, $9, $10, $11, $12, $13)
)
UPDATE audit_partitions SET seq = $10, hash = $13 WHERE partition = $9 AND seq = $10 - 1;

-- name: AuditList
SELECT id, occurred_at, actor, action, coalesce(patient_id::text, ''), resource, request_id, outcome
FROM audit_log
WHERE ($1 = '' OR patient_id = NULLIF($1, '')::uuid) AND id < $2
ORDER BY id DESC LIMIT $3;

-- name: AuditScanLegacy
-- The chain from before migration 0032, in id order.
SELECT id, occurred_at, actor, action, coalesce(patient_id::text, ''), resource, request_id, outcome, prev_hash, hash
FROM audit_log WHERE partition IS NULL ORDER BY id;

-- name: AuditLegacyHead
SELECT rows, last_id, head FROM audit_legacy;

-- name: AuditScanPartitions
-- Every partition's head with its rows in seq order, in one statement so
-- one snapshot sees heads and rows alike; a row whose partition has no
-- head comes with NULL head columns.
SELECT coalesce(h.partition, l.partition), h.seq, h.hash,
       l.id, l.occurred_at, l.actor, l.action, coalesce(l.patient_id::text, ''), l.resource, l.request_id, l.outcome,
       l.seq, l.key_id, l.prev_hash, l.hash
FROM audit_partitions h
FULL JOIN (SELECT * FROM audit_log WHERE partition IS NOT NULL) l ON l.partition = h.partition
ORDER BY coalesce(h.partition, l.partition), l.seq, l.id;

-- name: AuditHeads
SELECT partition, seq, hash FROM audit_partitions ORDER BY partition;

-- name: AuditCheckpointLock
-- Checkpoints are rare: one at a time keeps their chain linear.
SELECT pg_advisory_xact_lock(1635083637);

-- name: AuditCheckpointLast
SELECT id, hash FROM audit_checkpoints ORDER BY id DESC LIMIT 1;

-- name: AuditCheckpointInsert
INSERT INTO audit_checkpoints (id, made_at, key_id, seqs, hashes, legacy_rows, legacy_last_id, legacy_head, prev_hash, hash)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10);

-- name: AuditCheckpointNextID
SELECT nextval(pg_get_serial_sequence('audit_checkpoints', 'id'));

-- name: AuditCheckpoints
SELECT id, made_at, key_id, seqs, hashes, legacy_rows, legacy_last_id, legacy_head, prev_hash, hash
FROM audit_checkpoints ORDER BY id;
