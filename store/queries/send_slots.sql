-- name: SendSlotsProvision
-- The sender's slots 0..n-1 exist (a new one is free at once); slots at or
-- above n go, so the table follows the configured limit.
WITH add AS (
    INSERT INTO send_slots (sender, slot)
    SELECT $1, generate_series(0, $2::integer - 1)
    ON CONFLICT (sender, slot) DO NOTHING
)
DELETE FROM send_slots WHERE sender = $1 AND slot >= $2::integer;

-- name: SendSlotWaitersExpire
DELETE FROM send_slot_waiters WHERE sender = $1 AND expires_at < clock_timestamp();

-- name: SendSlotClaim
-- One slot of the sender free now: idle with free_at passed, or held by a
-- holder whose lease and one window have passed (its request can no longer
-- arrive: it counts from held_until). Bulk ($5 false) takes none while an
-- urgent waiter of the sender is registered. SKIP LOCKED: concurrent
-- claimers take different slots instead of queueing on one row.
WITH c AS (
    SELECT sender, slot FROM send_slots
    WHERE sender = $1
      AND CASE WHEN holder IS NULL THEN free_at
               ELSE held_until + make_interval(secs => $4::float8) END <= clock_timestamp()
      AND ($5::boolean OR NOT EXISTS (
            SELECT 1 FROM send_slot_waiters w
            WHERE w.sender = $1 AND w.expires_at > clock_timestamp()))
    ORDER BY slot
    LIMIT 1
    FOR UPDATE SKIP LOCKED
)
UPDATE send_slots s
SET free_at = CASE WHEN s.holder IS NULL THEN s.free_at
                   ELSE s.held_until + make_interval(secs => $4::float8) END,
    holder = $2,
    held_until = clock_timestamp() + make_interval(secs => $3::float8)
FROM c
WHERE s.sender = c.sender AND s.slot = c.slot
RETURNING s.slot;

-- name: SendSlotNextFree
-- Seconds until the sender's earliest slot is free (negative: one is free
-- now, though it may be locked by a claimer), and whether an urgent waiter
-- holds bulk back.
SELECT coalesce(extract(epoch FROM min(CASE WHEN holder IS NULL THEN free_at
                    ELSE held_until + make_interval(secs => $2::float8) END) - clock_timestamp()), $2::float8)::float8,
       NOT $3::boolean AND EXISTS (
            SELECT 1 FROM send_slot_waiters w
            WHERE w.sender = $1 AND w.expires_at > clock_timestamp())
FROM send_slots WHERE sender = $1;

-- name: SendSlotRelease
-- The request was answered (or given up on): the slot is free one window
-- from now. A holder whose slot was reclaimed changes nothing.
UPDATE send_slots SET holder = NULL, held_until = NULL,
    free_at = clock_timestamp() + make_interval(secs => $4::float8)
WHERE sender = $1 AND slot = $2 AND holder = $3;

-- name: SendSlotReturn
-- No request was made: the slot is idle again as it was.
UPDATE send_slots SET holder = NULL, held_until = NULL
WHERE sender = $1 AND slot = $2 AND holder = $3;

-- name: SendSlotWaiting
INSERT INTO send_slot_waiters (sender, waiter, expires_at)
VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3::float8))
ON CONFLICT (sender, waiter) DO UPDATE SET expires_at = excluded.expires_at;

-- name: SendSlotDoneWaiting
DELETE FROM send_slot_waiters WHERE sender = $1 AND waiter = $2;
