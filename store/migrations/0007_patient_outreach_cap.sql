-- A patient who asked for "less often" gets a lower weekly outreach cap.
ALTER TABLE patients ADD COLUMN outreach_per_week int;
