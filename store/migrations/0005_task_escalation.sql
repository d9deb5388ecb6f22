-- Escalation: who a task has been escalated to, and the acknowledgement
-- deadline at each level.
ALTER TABLE tasks ADD COLUMN escalation_level int NOT NULL DEFAULT 0;
ALTER TABLE tasks ADD COLUMN resolved_note text NOT NULL DEFAULT '';
