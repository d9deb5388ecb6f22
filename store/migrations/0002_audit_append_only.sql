-- The audit trail is append-only: updates, deletes and truncation are
-- refused. Rows are also hash-chained (see store/audit.go), so tampering
-- by someone able to bypass this trigger is still detected by
-- `carepath audit verify`.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

ALTER TABLE audit_log ALTER COLUMN prev_hash SET NOT NULL;
ALTER TABLE audit_log ALTER COLUMN hash SET NOT NULL;

-- Observations and events may name their source system's ID.
CREATE INDEX events_patient_idx ON events (patient_id, occurred_at DESC);
