-- A patient declining a program (onboarding's "may we send check-ins?" NO)
-- is recorded here, apart from channel consent: declining a program is not
-- revoking contact. Re-engagement reads the open decline to reach the
-- patient with care messages tied to care events, and records the touch
-- that won them back; the engagement report counts both.
CREATE TABLE program_declines (
    id                     uuid PRIMARY KEY, -- derived by the journey: a retried record inserts once
    patient_id             uuid NOT NULL REFERENCES patients (id),
    program                text NOT NULL,    -- the journey declined, e.g. onboarding
    enrollment_id          uuid REFERENCES enrollments (id),
    reason                 text NOT NULL DEFAULT '', -- the reason chosen (cost, doubt, time, access), never free text
    reply_message_id       uuid,             -- the reply that declined
    declined_at            timestamptz NOT NULL DEFAULT now(),
    -- Set once, when the patient comes back.
    returned_at            timestamptz,
    returned_enrollment_id uuid REFERENCES enrollments (id),
    returned_via           text              -- journey:touch, e.g. reengagement:after_visit
);
CREATE INDEX program_declines_open_idx ON program_declines (patient_id) WHERE returned_at IS NULL;
CREATE INDEX program_declines_enrollment_idx ON program_declines (enrollment_id);
