-- name: DeclineInsert
INSERT INTO program_declines (id, patient_id, program, enrollment_id, reason, reply_message_id, declined_at)
VALUES ($1, $2, $3, $4, $5, $6, coalesce($7::timestamptz, now()))
ON CONFLICT (id) DO NOTHING;

-- name: DeclineOpen
-- The patient's newest decline not yet won back, if any.
SELECT program, reason FROM program_declines
WHERE patient_id = $1 AND returned_at IS NULL
ORDER BY declined_at DESC LIMIT 1;

-- name: DeclineReturned
-- Every open decline of the patient is won back by this enrollment's touch;
-- a retry (or a second "yes") finds none open and changes nothing.
UPDATE program_declines SET returned_at = now(), returned_enrollment_id = $2, returned_via = $3
WHERE patient_id = $1 AND returned_at IS NULL;
