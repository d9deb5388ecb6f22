-- FHIR reads (issue 14): carepath's records as FHIR resources. Every list
-- pages in (last updated, id) order with a keyset cursor, so a page never
-- repeats or skips a row that did not change meanwhile. Parameters, the
-- same in each list: $1 patient (NULL: any), $2/$3 last updated from
-- (inclusive) / before (exclusive), $4 ids (NULL: any), $5/$6 the cursor
-- (rows after it), $7 limit.
-- A patient's FHIR Patient id is the stored (EHR) Patient's when there is
-- one, else the carepath UUID (store.FHIRPatientID, in SQL here so a page
-- of rows costs one query).

-- name: FHIRMessageList
-- An inbound reply that answered a question is in response to the
-- journey's latest message to the patient asked before the question was
-- (re)opened: the question itself, or its reminder.
SELECT m.id, coalesce(m.patient_id::text, ''), coalesce(m.enrollment_id::text, ''), m.direction, m.channel, m.template,
       m.body, m.status, m.status_reason, m.provider, coalesce(m.provider_message_id, ''), m.created_at, m.sent_at,
       coalesce(m.author, ''), coalesce(u.name, ''), coalesce(m.caregiver_id::text, ''), m.purpose, m.delivered_at,
       m.updated_at, m.version, coalesce(pr.id, m.patient_id::text, ''), coalesce(rp.id, ''),
       coalesce(qa.id::text, ''), coalesce(asker.id::text, '')
FROM messages m
LEFT JOIN users u ON m.author LIKE 'user:%' AND u.id::text = substr(m.author, 6)
LEFT JOIN LATERAL (SELECT r.id FROM fhir_resources r WHERE r.resource_type = 'Patient' AND r.patient_id = m.patient_id
                   ORDER BY r.last_updated DESC, r.id LIMIT 1) pr ON m.patient_id IS NOT NULL
LEFT JOIN LATERAL (SELECT r.id FROM fhir_resources r
                   WHERE r.carepath_ref = 'caregiver/' || m.caregiver_id::text AND r.resource_type = 'RelatedPerson'
                   ORDER BY r.last_updated DESC, r.id LIMIT 1) rp ON m.caregiver_id IS NOT NULL
LEFT JOIN LATERAL (SELECT q.id, q.enrollment_id, q.asked_at FROM questions q WHERE q.answer_message_id = m.id
                   ORDER BY q.asked_at DESC LIMIT 1) qa ON m.direction = 'inbound'
LEFT JOIN LATERAL (SELECT o.id FROM messages o
                   WHERE o.patient_id = m.patient_id AND o.enrollment_id = qa.enrollment_id AND o.direction = 'outbound'
                     AND o.caregiver_id IS NULL AND o.created_at <= qa.asked_at
                   ORDER BY o.created_at DESC, o.id DESC LIMIT 1) asker ON qa.id IS NOT NULL
WHERE ($1::uuid IS NULL OR m.patient_id = $1)
  AND ($2::timestamptz IS NULL OR m.updated_at >= $2)
  AND ($3::timestamptz IS NULL OR m.updated_at < $3)
  AND ($4::uuid[] IS NULL OR m.id = ANY ($4))
  AND ($5::timestamptz IS NULL OR (m.updated_at, m.id) > ($5, $6::uuid))
ORDER BY m.updated_at, m.id
LIMIT $7;

-- name: FHIRTaskList
-- $8: carepath task statuses (NULL: any).
SELECT t.id, coalesce(t.patient_id::text, ''), coalesce(t.enrollment_id::text, ''), coalesce(t.message_id::text, ''),
       t.priority, t.status, t.reason, t.note, t.created_at, t.acknowledged_at, t.resolved_at, t.escalation_level, t.due_at,
       t.resolved_note, coalesce(t.assigned_to::text, ''), coalesce(u.name, ''),
       coalesce(t.acknowledged_by_staff::text, ''), coalesce(s.name, ''), coalesce(t.acknowledged_by, ''),
       t.updated_at, t.version, coalesce(pr.id, t.patient_id::text, '')
FROM tasks t
LEFT JOIN users u ON u.id = t.assigned_to
LEFT JOIN staff s ON s.id = t.acknowledged_by_staff
LEFT JOIN LATERAL (SELECT r.id FROM fhir_resources r WHERE r.resource_type = 'Patient' AND r.patient_id = t.patient_id
                   ORDER BY r.last_updated DESC, r.id LIMIT 1) pr ON t.patient_id IS NOT NULL
WHERE ($1::uuid IS NULL OR t.patient_id = $1)
  AND ($2::timestamptz IS NULL OR t.updated_at >= $2)
  AND ($3::timestamptz IS NULL OR t.updated_at < $3)
  AND ($4::uuid[] IS NULL OR t.id = ANY ($4))
  AND ($5::timestamptz IS NULL OR (t.updated_at, t.id) > ($5, $6::uuid))
  AND ($8::text[] IS NULL OR t.status = ANY ($8))
ORDER BY t.updated_at, t.id
LIMIT $7;

-- name: FHIRQuestionList
SELECT q.id, q.enrollment_id, q.patient_id, e.journey, q.question_key, q.choices, q.status, q.asked_at, q.answered_at,
       coalesce(q.answer_message_id::text, ''), coalesce(am.body, ''), q.updated_at, q.version,
       coalesce(pr.id, q.patient_id::text)
FROM questions q
JOIN enrollments e ON e.id = q.enrollment_id
LEFT JOIN messages am ON am.id = q.answer_message_id
LEFT JOIN LATERAL (SELECT r.id FROM fhir_resources r WHERE r.resource_type = 'Patient' AND r.patient_id = q.patient_id
                   ORDER BY r.last_updated DESC, r.id LIMIT 1) pr ON true
WHERE ($1::uuid IS NULL OR q.patient_id = $1)
  AND ($2::timestamptz IS NULL OR q.updated_at >= $2)
  AND ($3::timestamptz IS NULL OR q.updated_at < $3)
  AND ($4::uuid[] IS NULL OR q.id = ANY ($4))
  AND ($5::timestamptz IS NULL OR (q.updated_at, q.id) > ($5, $6::uuid))
ORDER BY q.updated_at, q.id
LIMIT $7;

-- name: FHIRObservationList
-- Patient-reported readings. A reading the EHR sent is its stored
-- Observation instead: the one its carepath_ref names, and every earlier
-- reading a corrected value left behind (source fhir:Observation/<id>/v<n>).
SELECT o.id, o.patient_id, o.code, o.value, o.value2, o.unit, o.original_value, o.original_value2, o.original_unit,
       o.effective_at, coalesce(o.source_id, ''), o.created_at, coalesce(pr.id, o.patient_id::text)
FROM observations o
LEFT JOIN LATERAL (SELECT r.id FROM fhir_resources r WHERE r.resource_type = 'Patient' AND r.patient_id = o.patient_id
                   ORDER BY r.last_updated DESC, r.id LIMIT 1) pr ON true
WHERE ($1::uuid IS NULL OR o.patient_id = $1)
  AND ($2::timestamptz IS NULL OR o.created_at >= $2)
  AND ($3::timestamptz IS NULL OR o.created_at < $3)
  AND ($4::uuid[] IS NULL OR o.id = ANY ($4))
  AND ($5::timestamptz IS NULL OR (o.created_at, o.id) > ($5, $6::uuid))
  AND (o.source_id IS NULL OR o.source_id NOT LIKE 'fhir:%')
  AND NOT EXISTS (SELECT 1 FROM fhir_resources r WHERE r.carepath_ref = 'observation/' || o.id::text)
ORDER BY o.created_at, o.id
LIMIT $7;

-- name: FHIRPatientRowList
-- Patients created through /v1 (no stored EHR Patient): rendered from the
-- row.
SELECT p.id, p.given_name, p.family_name, to_char(p.birth_date, 'YYYY-MM-DD'), coalesce(p.phone, ''), coalesce(p.email, ''),
       p.locale, p.timezone, p.preferred_channel, p.phone_status, p.email_status, p.created_at, p.updated_at, p.version
FROM patients p
WHERE ($1::uuid IS NULL OR p.id = $1)
  AND ($2::timestamptz IS NULL OR p.updated_at >= $2)
  AND ($3::timestamptz IS NULL OR p.updated_at < $3)
  AND ($4::uuid[] IS NULL OR p.id = ANY ($4))
  AND ($5::timestamptz IS NULL OR (p.updated_at, p.id) > ($5, $6::uuid))
  AND NOT EXISTS (SELECT 1 FROM fhir_resources r WHERE r.resource_type = 'Patient' AND r.patient_id = p.id)
ORDER BY p.updated_at, p.id
LIMIT $7;

-- name: FHIRAppointmentList
-- Stored Appointments with the appointments row carepath keeps for each
-- (status, the patient's answer, version). Last updated is the later of
-- the two: the EHR's last change or carepath's.
SELECT r.resource_type, r.id, r.version, coalesce(r.source_version, ''), r.content_hash, r.content,
       coalesce(r.patient_id::text, ''), coalesce(r.carepath_ref, ''), r.last_updated,
       coalesce(a.id::text, ''), coalesce(a.status, ''), coalesce(a.patient_response, ''), coalesce(a.version, 0),
       a.updated_at, coalesce(pr.id, coalesce(a.patient_id, r.patient_id)::text, ''), lu.at
FROM fhir_resources r
LEFT JOIN appointments a ON a.fhir_id = r.id
CROSS JOIN LATERAL (SELECT greatest(r.last_updated, a.updated_at) AS at) lu
LEFT JOIN LATERAL (SELECT p.id FROM fhir_resources p WHERE p.resource_type = 'Patient'
                     AND p.patient_id = coalesce(a.patient_id, r.patient_id)
                   ORDER BY p.last_updated DESC, p.id LIMIT 1) pr ON true
WHERE r.resource_type = 'Appointment'
  AND ($1::uuid IS NULL OR coalesce(a.patient_id, r.patient_id) = $1)
  AND ($2::timestamptz IS NULL OR lu.at >= $2)
  AND ($3::timestamptz IS NULL OR lu.at < $3)
  AND ($4::text[] IS NULL OR r.id = ANY ($4))
  AND ($5::timestamptz IS NULL OR (lu.at, r.id) > ($5, $6::text))
ORDER BY lu.at, r.id
LIMIT $7;

-- name: FHIRMessageIDByProvider
SELECT id FROM messages WHERE provider = $1 AND provider_message_id = $2;
