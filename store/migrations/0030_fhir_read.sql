-- FHIR reads (issue 14): what carepath did, as FHIR resources.
--
-- meta.versionId of a rendered resource (Communication ← messages, Task ←
-- tasks, QuestionnaireResponse ← questions, Patient ← patients) is the
-- row's version: 1 when written, +1 on every UPDATE that changes it, kept
-- by a trigger so no query that changes these rows has to remember it. An
-- HTTP cache or an EHR comparing ETags then sees each change.
CREATE FUNCTION fhir_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW IS DISTINCT FROM OLD THEN
        NEW.version := OLD.version + 1;
    END IF;
    RETURN NEW;
END;
$$;

ALTER TABLE messages ADD COLUMN version bigint NOT NULL DEFAULT 1;
ALTER TABLE tasks ADD COLUMN version bigint NOT NULL DEFAULT 1;
ALTER TABLE questions ADD COLUMN version bigint NOT NULL DEFAULT 1;
ALTER TABLE patients ADD COLUMN version bigint NOT NULL DEFAULT 1;

CREATE TRIGGER messages_fhir_version BEFORE UPDATE ON messages FOR EACH ROW EXECUTE FUNCTION fhir_version_bump();
CREATE TRIGGER tasks_fhir_version BEFORE UPDATE ON tasks FOR EACH ROW EXECUTE FUNCTION fhir_version_bump();
CREATE TRIGGER questions_fhir_version BEFORE UPDATE ON questions FOR EACH ROW EXECUTE FUNCTION fhir_version_bump();
CREATE TRIGGER patients_fhir_version BEFORE UPDATE ON patients FOR EACH ROW EXECUTE FUNCTION fhir_version_bump();

-- Searches page in (last updated, id) order, per patient or over all.
CREATE INDEX messages_patient_updated_idx ON messages (patient_id, updated_at, id);
CREATE INDEX messages_updated_idx ON messages (updated_at, id);
CREATE INDEX observations_created_idx ON observations (created_at, id);
CREATE INDEX observations_patient_created_idx ON observations (patient_id, created_at, id);
CREATE INDEX patients_updated_idx ON patients (updated_at, id);
-- The question an inbound reply answered (a Communication's thread).
CREATE INDEX questions_answer_message_idx ON questions (answer_message_id) WHERE answer_message_id IS NOT NULL;
