-- The fleet-wide send limit (issue 15): a provider's per-number limit
-- holds across every worker process, not only inside one.
--
-- Each sending number (an E.164 number, or a Twilio Messaging Service SID
-- whose numbers share one pool) has N slot rows, N being the requests its
-- limit allows per window. A request holds a slot from before it starts
-- until one window after its answer (free_at = the answer + the window,
-- on PostgreSQL's clock, so workers' clocks do not matter): two requests
-- through one slot reach the provider at least a window apart, and no
-- window can see more than N. A holder that dies is reclaimed once its
-- lease (held_until) and one more window have passed.
CREATE TABLE send_slots (
    sender     text NOT NULL,
    slot       integer NOT NULL,
    free_at    timestamptz NOT NULL DEFAULT 'epoch',
    holder     uuid,
    held_until timestamptz,
    PRIMARY KEY (sender, slot),
    CHECK ((holder IS NULL) = (held_until IS NULL))
);

-- The urgent lane across processes: while a process has an urgent send
-- waiting for a slot of a number it keeps a row here (refreshed while it
-- waits, so a dead process's row lapses), and no bulk send takes a slot
-- of that number meanwhile.
CREATE TABLE send_slot_waiters (
    sender     text NOT NULL,
    waiter     uuid NOT NULL,
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (sender, waiter)
);
