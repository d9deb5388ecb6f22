-- name: QuestionOpen
-- Asking (again, for a reminder or a clarification) re-opens the question.
INSERT INTO questions (id, enrollment_id, patient_id, workflow_id, question_key, choices, status)
VALUES ($1, $2, $3, $4, $5, $6, 'open')
ON CONFLICT (id) DO UPDATE SET status = 'open', asked_at = now();

-- name: QuestionsOpenByPatients
-- The open questions of any of these patients (a phone number may be
-- shared by a family), newest first; locked so two replies cannot both
-- take one.
SELECT id, enrollment_id, patient_id, workflow_id, choices FROM questions
WHERE patient_id = ANY($1) AND status = 'open'
ORDER BY asked_at DESC, id LIMIT 20
FOR UPDATE;

-- name: QuestionAnswer
UPDATE questions SET status = 'answered', answered_at = now(), answer_message_id = $2 WHERE id = $1;

-- name: QuestionClose
-- Returns the status before closing: 'answered' means a reply is on its way.
UPDATE questions q SET status = CASE WHEN q.status = 'open' THEN 'closed' ELSE q.status END
FROM (SELECT id, status FROM questions WHERE id = $1 FOR UPDATE) old
WHERE q.id = old.id
RETURNING old.status;

-- name: QuestionAnsweredBy
-- On a provider's re-delivery: the question this message already answered.
SELECT id, enrollment_id, patient_id, workflow_id FROM questions WHERE answer_message_id = $1;
