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

-- name: EngagementDecliners
-- Per journey, the patients who declined its program in an enrollment started
-- in [$1, $2), and how many of them came back since.
SELECT e.journey,
       count(DISTINCT d.patient_id) AS declined,
       count(DISTINCT d.patient_id) FILTER (WHERE d.returned_at IS NOT NULL) AS reengaged
FROM program_declines d JOIN enrollments e ON e.id = d.enrollment_id
WHERE e.created_at >= $1 AND e.created_at < $2
GROUP BY e.journey ORDER BY e.journey;

-- name: EngagementDeclinerPaths
-- Of those, the patients who came back, by the journey:touch that won them back.
SELECT e.journey, d.returned_via, count(DISTINCT d.patient_id)
FROM program_declines d JOIN enrollments e ON e.id = d.enrollment_id
WHERE e.created_at >= $1 AND e.created_at < $2 AND d.returned_at IS NOT NULL
GROUP BY e.journey, d.returned_via ORDER BY e.journey, d.returned_via;

-- name: EnrollmentCounts
SELECT journey, status, count(*) FROM enrollments GROUP BY journey, status ORDER BY journey, status;
