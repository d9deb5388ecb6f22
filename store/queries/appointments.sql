-- name: AppointmentRespond
-- A patient's answer to a reminder. Applied once per reply time, so a
-- retried activity changes nothing the second time; a cancellation
-- cancels only an appointment still to happen.
UPDATE appointments SET
    response = $3,
    responded_at = $4,
    patient_response = coalesce($5, patient_response),
    status = CASE WHEN $3 = 'cancelled' AND status IN ('proposed', 'pending', 'booked', 'waitlist')
                  THEN 'cancelled' ELSE status END,
    version = version + 1,
    updated_at = now()
WHERE id = $1 AND patient_id = $2 AND responded_at IS DISTINCT FROM $4
RETURNING version, status;

-- name: AppointmentGetForPatient
SELECT version, status FROM appointments WHERE id = $1 AND patient_id = $2;

-- name: AppointmentReminded
-- The journey counts its reminders and passes the count: a retry sets the
-- same number. reminders_sent is carepath's own bookkeeping (not part of
-- the FHIR Appointment), so neither version nor updated_at moves and the
-- EHR pusher sends nothing for it.
UPDATE appointments SET reminders_sent = greatest(reminders_sent, $3)
WHERE id = $1 AND patient_id = $2;

-- name: AppointmentEngagement
-- The appointments followed by appointment_reminders enrollments started
-- in [$1, $2) (an enrollment's journey_key is its appointment's ID).
SELECT count(*) AS followed,
       count(*) FILTER (WHERE a.reminders_sent > 0) AS reminded,
       count(*) FILTER (WHERE a.response = 'confirmed') AS confirmed,
       count(*) FILTER (WHERE a.response = 'cancelled') AS cancelled,
       count(*) FILTER (WHERE a.response = 'reschedule_requested') AS reschedule_requested,
       count(*) FILTER (WHERE a.status = 'noshow' AND a.reminders_sent > 0) AS no_shows
FROM enrollments e
JOIN appointments a ON a.id::text = e.journey_key
WHERE e.journey = 'appointment_reminders' AND e.created_at >= $1 AND e.created_at < $2;
