-- name: EngagementSatisfactionScores
-- Per journey, how many survey answers gave each score, in enrollments
-- started in [$1, $2).
SELECT e.journey, f.score, count(*)
FROM feedback f JOIN enrollments e ON e.id = f.enrollment_id
WHERE e.created_at >= $1 AND e.created_at < $2
GROUP BY e.journey, f.score ORDER BY e.journey, f.score;

-- name: EngagementMessagesPerPatient
-- The patients enrolled in [$1, $2), by how many messages their
-- enrollments started then sent (accepted by a provider): n → patients.
WITH p AS (
    SELECT e.patient_id, count(m.id) AS n
    FROM enrollments e
    LEFT JOIN messages m ON m.enrollment_id = e.id AND m.direction = 'outbound' AND m.status IN ('sent', 'delivered')
    WHERE e.created_at >= $1 AND e.created_at < $2
    GROUP BY e.patient_id
)
SELECT n, count(*) FROM p GROUP BY n ORDER BY n;
