#!/bin/sh
# Creates Temporal's two PostgreSQL databases if missing and brings their
# schemas to the version built into this temporal-sql-tool (the schema is
# embedded in the tool, so it always matches the admin-tools image). Every
# step is idempotent: it runs at every `docker compose up`, and after an
# image upgrade it is the schema migration, done before the new server
# starts (depends_on). Runs in temporalio/admin-tools; SQL_PASSWORD,
# POSTGRES_SEEDS and POSTGRES_USER come from the environment.
set -eu
: "${SQL_PASSWORD:?}" "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}"
sql() {
	temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "${DB_PORT:-5432}" -u "$POSTGRES_USER" "$@"
}
for db in temporal:temporal temporal_visibility:visibility; do
	name=${db%%:*}
	sql --db "$name" create
	sql --db "$name" setup-schema -v 0.0
	sql --db "$name" update-schema --schema-name "postgresql/v12/${db#*:}"
done
echo "temporal-schema: temporal and temporal_visibility are up to date"
