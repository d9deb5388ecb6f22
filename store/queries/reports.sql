-- name: EngagementByJourney
-- Per journey, for enrollments started in [$1, $2).
WITH e AS (
    SELECT id, patient_id, journey, status, outcome, created_at FROM enrollments
    WHERE created_at >= $1 AND created_at < $2
)
SELECT e.journey,
       count(*) AS enrolled,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM messages m WHERE m.enrollment_id = e.id AND m.direction = 'outbound'
                                      AND m.status IN ('sent', 'delivered'))) AS messaged,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM messages m WHERE m.enrollment_id = e.id AND m.direction = 'outbound'
                                      AND m.status = 'delivered')) AS reached,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM messages m WHERE m.enrollment_id = e.id AND m.direction = 'inbound')) AS responded,
       count(*) FILTER (WHERE e.status = 'completed') AS completed,
       count(*) FILTER (WHERE e.outcome = 'declined') AS declined,
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM consents c WHERE c.patient_id = e.patient_id AND NOT c.granted
                                      AND c.recorded_at >= e.created_at)) AS opted_out,
       count(*) FILTER (WHERE e.outcome = 'reengaged') AS reengaged,
       (SELECT avg(f.score)::float8 FROM feedback f JOIN e e2 ON e2.id = f.enrollment_id WHERE e2.journey = e.journey) AS satisfaction_mean,
       (SELECT count(*) FROM feedback f JOIN e e2 ON e2.id = f.enrollment_id WHERE e2.journey = e.journey) AS satisfaction_count
FROM e
GROUP BY e.journey
ORDER BY e.journey;

-- name: EngagementOutcomes
SELECT journey, outcome, count(*) FROM enrollments
WHERE created_at >= $1 AND created_at < $2 AND status = 'completed'
GROUP BY journey, outcome ORDER BY journey, outcome;

-- name: EnrollmentCounts
SELECT journey, status, count(*) FROM enrollments GROUP BY journey, status ORDER BY journey, status;
