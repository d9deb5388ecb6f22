-- name: TimelinePage
-- A patient's timeline newest first, from a cursor: items strictly before
-- ($2 at, $3 key). Each source reads its own index newest first and stops
-- at $4 rows; the merge keeps the newest $4. key is unique and orders
-- items that share a time. detail holds each kind's own fields.
WITH
msg AS (
    SELECT m.created_at AS at,
           CASE WHEN m.direction = 'inbound' THEN 'message_in' ELSE 'message_out' END AS kind,
           m.id::text AS ref, 'message/' || m.id::text AS key,
           jsonb_build_object('direction', m.direction, 'channel', m.channel, 'template', m.template,
               'purpose', m.purpose, 'status', m.status, 'reason', m.status_reason,
               'deferred_until', m.deferred_until, 'sent_at', m.sent_at, 'delivered_at', m.delivered_at,
               'enrollment_id', m.enrollment_id, 'journey', e.journey, 'body', m.body,
               'caregiver_id', m.caregiver_id, 'author', m.author, 'author_name', u.name) AS detail
    FROM messages m
    LEFT JOIN enrollments e ON e.id = m.enrollment_id
    LEFT JOIN users u ON m.author LIKE 'user:%' AND u.id::text = substr(m.author, 6)
    WHERE m.patient_id = $1 AND m.created_at <= $2 AND (m.created_at < $2 OR 'message/' || m.id::text < $3)
    ORDER BY m.created_at DESC, 4 DESC LIMIT $4
),
started AS (
    SELECT e.created_at AS at, 'enrollment' AS kind, e.id::text AS ref, 'enrollment/' || e.id::text || '/0' AS key,
           jsonb_build_object('event', 'started', 'journey', e.journey, 'key', e.journey_key,
               'status', e.status) AS detail
    FROM enrollments e
    WHERE e.patient_id = $1 AND e.created_at <= $2 AND (e.created_at < $2 OR 'enrollment/' || e.id::text || '/0' < $3)
    ORDER BY e.created_at DESC, 4 DESC LIMIT $4
),
ended AS (
    SELECT e.completed_at AS at, 'enrollment' AS kind, e.id::text AS ref, 'enrollment/' || e.id::text || '/1' AS key,
           jsonb_build_object('event', 'ended', 'journey', e.journey, 'key', e.journey_key, 'status', e.status,
               'outcome', e.outcome, 'outcome_detail', e.outcome_detail) AS detail
    FROM enrollments e
    WHERE e.patient_id = $1 AND e.completed_at IS NOT NULL
      AND e.completed_at <= $2 AND (e.completed_at < $2 OR 'enrollment/' || e.id::text || '/1' < $3)
    ORDER BY e.completed_at DESC, 4 DESC LIMIT $4
),
step AS (
    SELECT q.asked_at AS at, 'step' AS kind, q.id::text AS ref, 'question/' || q.id::text AS key,
           jsonb_build_object('question', q.question_key, 'status', q.status, 'answered_at', q.answered_at,
               'answer_message_id', q.answer_message_id, 'enrollment_id', q.enrollment_id, 'journey', e.journey) AS detail
    FROM questions q
    JOIN enrollments e ON e.id = q.enrollment_id
    WHERE q.patient_id = $1 AND q.asked_at <= $2 AND (q.asked_at < $2 OR 'question/' || q.id::text < $3)
    ORDER BY q.asked_at DESC, 4 DESC LIMIT $4
),
task AS (
    SELECT te.at, 'task' AS kind, t.id::text AS ref, 'task_event/' || lpad(te.id::text, 19, '0') AS key,
           jsonb_build_object('event', te.kind, 'task_id', t.id, 'reason', t.reason, 'priority', t.priority,
               'status', t.status, 'actor', te.actor, 'actor_name', u.name, 'detail', te.detail,
               'enrollment_id', t.enrollment_id, 'message_id', t.message_id) AS detail
    FROM tasks t
    JOIN task_events te ON te.task_id = t.id
    LEFT JOIN users u ON te.actor LIKE 'user:%' AND u.id::text = substr(te.actor, 6)
    WHERE t.patient_id = $1 AND te.at <= $2 AND (te.at < $2 OR 'task_event/' || lpad(te.id::text, 19, '0') < $3)
    ORDER BY te.at DESC, 4 DESC LIMIT $4
),
-- Tasks raised before task_events existed (migration 0016) have no events:
-- their raising is the task row itself.
old_task AS (
    SELECT t.created_at AS at, 'task' AS kind, t.id::text AS ref, 'task/' || t.id::text AS key,
           jsonb_build_object('event', 'raised', 'task_id', t.id, 'reason', t.reason, 'priority', t.priority,
               'status', t.status, 'enrollment_id', t.enrollment_id, 'message_id', t.message_id) AS detail
    FROM tasks t
    WHERE t.patient_id = $1 AND t.created_at <= $2 AND (t.created_at < $2 OR 'task/' || t.id::text < $3)
      AND NOT EXISTS (SELECT 1 FROM task_events te WHERE te.task_id = t.id)
    ORDER BY t.created_at DESC, 4 DESC LIMIT $4
),
obs AS (
    SELECT o.effective_at AS at, 'observation' AS kind, o.id::text AS ref, 'observation/' || o.id::text AS key,
           jsonb_build_object('code', o.code, 'value', o.original_value, 'value2', o.original_value2,
               'unit', o.original_unit, 'canonical_value', o.value, 'canonical_value2', o.value2,
               'canonical_unit', o.unit, 'recorded_at', o.created_at) AS detail
    FROM observations o
    WHERE o.patient_id = $1 AND o.effective_at <= $2 AND (o.effective_at < $2 OR 'observation/' || o.id::text < $3)
    ORDER BY o.effective_at DESC, 4 DESC LIMIT $4
),
consent AS (
    SELECT c.effective_at AS at, 'consent' AS kind, c.id::text AS ref, 'consent/' || lpad(c.id::text, 19, '0') AS key,
           jsonb_build_object('channel', c.channel, 'purpose', c.purpose, 'granted', c.granted, 'source', c.source,
               'reason', c.reason, 'recorded_at', c.recorded_at) AS detail
    FROM consents c
    WHERE c.patient_id = $1 AND c.effective_at <= $2
      AND (c.effective_at < $2 OR 'consent/' || lpad(c.id::text, 19, '0') < $3)
    ORDER BY c.effective_at DESC, 4 DESC LIMIT $4
),
contact AS (
    SELECT a.occurred_at AS at, 'contact' AS kind, a.id::text AS ref, 'audit/' || lpad(a.id::text, 19, '0') AS key,
           jsonb_build_object('field', split_part(a.resource, '/', 3),
               'actor', a.actor, 'actor_name', u.name) AS detail
    FROM audit_log a
    LEFT JOIN users u ON a.actor LIKE 'user:%' AND u.id::text = substr(a.actor, 6)
    WHERE a.patient_id = $1 AND a.action = 'patient.contact_change' AND a.occurred_at <= $2
      AND (a.occurred_at < $2 OR 'audit/' || lpad(a.id::text, 19, '0') < $3)
    ORDER BY a.occurred_at DESC, 4 DESC LIMIT $4
)
SELECT at, kind, ref, key, detail FROM (
    SELECT * FROM msg UNION ALL SELECT * FROM started UNION ALL SELECT * FROM ended
    UNION ALL SELECT * FROM step UNION ALL SELECT * FROM task UNION ALL SELECT * FROM old_task
    UNION ALL SELECT * FROM obs UNION ALL SELECT * FROM consent UNION ALL SELECT * FROM contact
) items
ORDER BY at DESC, key DESC
LIMIT $4;

-- name: ObservationsByPatient
-- A patient's readings, newest first: one code or all ("" for all), since
-- a time (-infinity for all).
SELECT id, code, original_value, original_value2, original_unit, value, value2, unit, effective_at, created_at
FROM observations
WHERE patient_id = $1 AND ($2 = '' OR code = $2) AND effective_at >= $3
ORDER BY effective_at DESC, id DESC
LIMIT $4;
