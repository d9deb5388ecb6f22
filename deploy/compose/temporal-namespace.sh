#!/bin/sh
# Waits until the Temporal frontend serves, then registers carepath's
# namespace if it does not exist (retention: how long a finished journey's
# history stays readable, e.g. by `carepath verify-replay`). Idempotent.
# Runs in temporalio/admin-tools.
set -eu
ns=${TEMPORAL_NAMESPACE:-default}
retention=${TEMPORAL_RETENTION:-720h}
tries=0
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
	tries=$((tries + 1))
	if [ "$tries" -ge 90 ]; then
		echo "temporal-namespace: $TEMPORAL_ADDRESS is not serving after 3 minutes" >&2
		exit 1
	fi
	sleep 2
done
if temporal operator namespace describe --address "$TEMPORAL_ADDRESS" -n "$ns" >/dev/null 2>&1; then
	echo "temporal-namespace: $ns exists"
else
	temporal operator namespace create --address "$TEMPORAL_ADDRESS" -n "$ns" --retention "$retention"
	echo "temporal-namespace: created $ns (retention $retention)"
fi
