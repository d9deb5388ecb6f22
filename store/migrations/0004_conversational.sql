-- Messages sent as conversation (within minutes of the patient's own
-- message) do not count against outreach caps.
ALTER TABLE messages ADD COLUMN conversational boolean NOT NULL DEFAULT false;
