-- Tasks whose acknowledgement deadline one deployment-wide sweeper watches
-- (instead of a watcher workflow per task). Tasks raised before it keep
-- their own watchers, or none, as they had.
ALTER TABLE tasks ADD COLUMN swept boolean NOT NULL DEFAULT false;
CREATE INDEX tasks_sweep_idx ON tasks (due_at) WHERE status = 'open' AND swept;
