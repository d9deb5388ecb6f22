-- name: FeedbackInsert
INSERT INTO feedback (id, patient_id, enrollment_id, kind, score) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (id) DO NOTHING;
