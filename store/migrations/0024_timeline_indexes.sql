-- The patient timeline (issue 13): every source it merges is read newest
-- first for one patient, from a cursor. These indexes give each source
-- that order; messages (messages_patient_idx), enrollment starts
-- (enrollments_patient_idx) and tasks (tasks_patient_idx, then
-- task_events_task_idx) already have theirs.
CREATE INDEX enrollments_patient_ended_idx ON enrollments (patient_id, completed_at DESC) WHERE completed_at IS NOT NULL;
CREATE INDEX questions_patient_asked_idx ON questions (patient_id, asked_at DESC);
CREATE INDEX observations_patient_time_idx ON observations (patient_id, effective_at DESC);
CREATE INDEX consents_patient_time_idx ON consents (patient_id, effective_at DESC, id DESC);
-- Contact changes are a few audit rows among a patient's many reads.
CREATE INDEX audit_log_contact_change_idx ON audit_log (patient_id, occurred_at DESC)
    WHERE action = 'patient.contact_change';
