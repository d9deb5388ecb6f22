-- Pages driven from the database (issue 15, item 4): a page's progress
-- along the on-call chain is kept in its row and advanced by the page
-- runner beside each worker, instead of one TaskPage workflow per task
-- (a second workflow per urgent or high task doubled the Temporal work of
-- a worried answer). Rows written by the TaskPage workflow keep runner =
-- false: those pages finish in their workflows.
ALTER TABLE pages
    ADD COLUMN runner        boolean NOT NULL DEFAULT false,
    -- the step to page next (0: first call) or the one waited on
    ADD COLUMN step          integer NOT NULL DEFAULT 0 CHECK (step >= 0),
    -- pages made past the end of the chain (or with nobody on call)
    ADD COLUMN repeats       integer NOT NULL DEFAULT 0 CHECK (repeats >= 0),
    -- send: the step's page is due; wait: its acknowledgement deadline is
    ADD COLUMN phase         text NOT NULL DEFAULT 'send' CHECK (phase IN ('send', 'wait')),
    -- when the phase is due; NULL once the page ended (or for a workflow's)
    ADD COLUMN due_at        timestamptz,
    -- when the step's first attempt was made: a step that reached nobody
    -- for pageGiveUp counts as failed and the chain moves on
    ADD COLUMN step_since    timestamptz,
    ADD COLUMN attempt       integer NOT NULL DEFAULT 0 CHECK (attempt >= 0),
    -- the level's acknowledgement deadline as the step's page read it
    ADD COLUMN ack_within_ms bigint NOT NULL DEFAULT 0 CHECK (ack_within_ms >= 0),
    -- the runner holding the page (its lease is due_at); NULL when none
    ADD COLUMN claim         uuid;

CREATE INDEX pages_due_idx ON pages (due_at) WHERE runner AND due_at IS NOT NULL;
