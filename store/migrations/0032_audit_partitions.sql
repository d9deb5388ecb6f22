-- The audit trail as keyed, per-partition chains (store/audit.go) instead
-- of one chain under a global lock: a writer locks one partition's head
-- row, so concurrent writers rarely wait on each other. The number of
-- partitions is the number of rows in audit_partitions (32).
CREATE TABLE audit_partitions (
    partition smallint PRIMARY KEY,
    seq       bigint NOT NULL, -- the last row's seq in this partition; 0: none yet
    hash      bytea NOT NULL   -- the last row's MAC; 32 zero bytes before the first
);
INSERT INTO audit_partitions (partition, seq, hash)
SELECT p, 0, decode(repeat('00', 32), 'hex') FROM generate_series(0, 31) AS p;

-- Rows written from now on name their partition, their place in it and the
-- key their MAC is under. Rows written before stay the legacy chain: NULL
-- here, verified with the old unkeyed SHA-256 chain in id order.
ALTER TABLE audit_log
    ADD COLUMN partition smallint,
    ADD COLUMN seq bigint,
    ADD COLUMN key_id text;
CREATE UNIQUE INDEX audit_log_partition_seq_idx ON audit_log (partition, seq) WHERE partition IS NOT NULL;

-- The legacy chain is closed here: its length, last id and head hash are
-- recorded, every checkpoint MACs them, and no legacy-form row can follow.
-- (A binary from before this migration cannot write audit rows after it:
-- its writes fail, and so the change they record.)
CREATE TABLE audit_legacy (
    rows    bigint NOT NULL,
    last_id bigint NOT NULL,
    head    bytea NOT NULL
);
INSERT INTO audit_legacy (rows, last_id, head)
SELECT count(*), coalesce(max(id), 0),
       coalesce((SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1), decode(repeat('00', 32), 'hex'))
FROM audit_log;

DO $$
BEGIN
    -- NOT VALID: the rows already there satisfy it by construction, and
    -- checking them would hold the table's lock for a scan.
    EXECUTE format('ALTER TABLE audit_log ADD CONSTRAINT audit_log_legacy_closed CHECK ('
        '(partition IS NULL AND seq IS NULL AND key_id IS NULL AND id <= %1$s) OR '
        '(partition IS NOT NULL AND seq > 0 AND key_id IS NOT NULL AND id > %1$s)) NOT VALID',
        (SELECT last_id FROM audit_legacy));
END;
$$;

-- Checkpoints: every partition's head and the legacy head at one moment,
-- chained and MACed like the rows. `carepath audit checkpoint` makes one
-- and prints it for the operator to keep outside the database.
CREATE TABLE audit_checkpoints (
    id             bigserial PRIMARY KEY,
    made_at        timestamptz NOT NULL,
    key_id         text NOT NULL,
    seqs           bigint[] NOT NULL, -- by partition number
    hashes         bytea[] NOT NULL,
    legacy_rows    bigint NOT NULL,
    legacy_last_id bigint NOT NULL,
    legacy_head    bytea NOT NULL,
    prev_hash      bytea NOT NULL,    -- the previous checkpoint's MAC
    hash           bytea NOT NULL
);

CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: the audit trail is append-only', TG_OP, TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER audit_legacy_no_change BEFORE INSERT OR UPDATE OR DELETE ON audit_legacy
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_legacy_no_truncate BEFORE TRUNCATE ON audit_legacy
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
