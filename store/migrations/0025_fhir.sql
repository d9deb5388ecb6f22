-- FHIR R4 (issue 14). Resources an EHR sent, kept as sent so a re-sent
-- resource (same id and version, or same content) is recognised and not
-- processed twice, and so reads return what the EHR knows plus what
-- carepath changed.
CREATE TABLE fhir_resources (
    resource_type  text NOT NULL CHECK (resource_type ~ '^[A-Z][A-Za-z]{1,63}$'),
    id             text NOT NULL CHECK (id ~ '^[A-Za-z0-9.-]{1,64}$'),
    -- carepath's version of the resource: 1 on create, +1 on each change.
    version        bigint NOT NULL DEFAULT 1,
    -- The sender's meta.versionId, when it gave one.
    source_version text,
    -- sha256 (hex) of the content without meta: a re-send without a
    -- versionId is recognised by it.
    content_hash   text NOT NULL,
    content        jsonb NOT NULL,
    -- The carepath patient the resource is about (Patient: itself).
    patient_id     uuid REFERENCES patients (id),
    -- What it fed in carepath: patient/<uuid>, caregiver/<uuid>,
    -- appointment/<uuid>, observation/<uuid>, event/<uuid>, consent/<uuid>.
    carepath_ref   text,
    last_updated   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (resource_type, id)
);
CREATE INDEX fhir_resources_patient_idx ON fhir_resources (patient_id, resource_type);
CREATE INDEX fhir_resources_ref_idx ON fhir_resources (carepath_ref) WHERE carepath_ref IS NOT NULL;
CREATE INDEX fhir_resources_updated_idx ON fhir_resources (resource_type, last_updated, id);

-- Business identifiers of stored resources, for conditional update
-- (PUT Patient?identifier=system|value) and for matching an EHR's
-- references.
CREATE TABLE fhir_identifiers (
    resource_type text NOT NULL,
    system        text NOT NULL DEFAULT '',
    value         text NOT NULL,
    id            text NOT NULL,
    PRIMARY KEY (resource_type, system, value),
    FOREIGN KEY (resource_type, id) REFERENCES fhir_resources (resource_type, id) ON DELETE CASCADE
);
CREATE INDEX fhir_identifiers_id_idx ON fhir_identifiers (resource_type, id);

-- Appointments carepath reminds patients of. The status is the EHR's (or
-- cancelled by the patient's reply); patient_response is the patient
-- participant's status (FHIR ParticipationStatus) that a reply changes.
CREATE TABLE appointments (
    id               uuid PRIMARY KEY,
    patient_id       uuid NOT NULL REFERENCES patients (id),
    fhir_id          text NOT NULL UNIQUE,
    status           text NOT NULL CHECK (status IN ('proposed', 'pending', 'booked', 'arrived', 'fulfilled',
                         'cancelled', 'noshow', 'entered-in-error', 'checked-in', 'waitlist')),
    start_at         timestamptz,
    patient_response text NOT NULL DEFAULT 'needs-action'
                         CHECK (patient_response IN ('needs-action', 'accepted', 'declined', 'tentative')),
    -- What the patient answered a reminder with, and when.
    response         text CHECK (response IN ('confirmed', 'cancelled', 'reschedule_requested')),
    responded_at     timestamptz,
    -- Reminders sent for it (the no-shows-after-reminders figure).
    reminders_sent   int NOT NULL DEFAULT 0,
    -- The appointment_reminders enrollment following it.
    enrollment_id    uuid,
    -- +1 on every change, carried in the journey's signal so an older
    -- update arriving late is ignored.
    version          bigint NOT NULL DEFAULT 1,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX appointments_patient_idx ON appointments (patient_id, start_at DESC);
CREATE INDEX appointments_updated_idx ON appointments (updated_at, id);
