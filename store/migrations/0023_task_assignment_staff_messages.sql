-- Task assignment and staff replies (issue 13, items 2 and 3).

-- Who a task is assigned to: a person who signs in. NULL: nobody (the
-- team's). Deactivated people keep their tasks until someone reassigns them.
ALTER TABLE tasks ADD COLUMN assigned_to uuid REFERENCES users (id);
ALTER TABLE tasks ADD COLUMN assigned_at timestamptz;
CREATE INDEX tasks_assigned_idx ON tasks (assigned_to, status) WHERE assigned_to IS NOT NULL;

-- A task's history records assignments too.
ALTER TABLE task_events DROP CONSTRAINT task_events_kind_check;
ALTER TABLE task_events ADD CONSTRAINT task_events_kind_check
    CHECK (kind IN ('raised', 'notified', 'escalated', 'acknowledged', 'resolved', 'note', 'assigned', 'unassigned'));

-- Who wrote an outbound message a staff member sent from the console: the
-- audit actor ("user:<id>", "api_key:<id>"). NULL: carepath's own (a
-- journey, a compliance or safety answer).
ALTER TABLE messages ADD COLUMN author text;
