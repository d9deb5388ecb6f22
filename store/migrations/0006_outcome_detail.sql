-- Why an enrollment ended as it did (e.g. the reason a patient declined).
ALTER TABLE enrollments ADD COLUMN outcome_detail text NOT NULL DEFAULT '';
