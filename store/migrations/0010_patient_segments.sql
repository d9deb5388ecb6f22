-- Segments for bulk launches: care-team tags and condition codes on patients.
ALTER TABLE patients
    ADD COLUMN tags       text[] NOT NULL DEFAULT '{}',
    ADD COLUMN conditions text[] NOT NULL DEFAULT '{}';
CREATE INDEX patients_tags_idx ON patients USING gin (tags);
CREATE INDEX patients_conditions_idx ON patients USING gin (conditions);

-- The segment a bulk launch was made from (NULL: an explicit list).
ALTER TABLE batch_jobs ADD COLUMN segment jsonb;
