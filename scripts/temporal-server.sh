#!/usr/bin/env bash
# temporal-server.sh builds the Temporal server and its SQL schema tool
# (go.temporal.io/server's cmd/server and cmd/tools/sql, pinned below) once
# into ./bin/temporal-server and ./bin/temporal-sql-tool, and the Temporal
# UI server (github.com/temporalio/ui-server's cmd/server, the release the
# Temporal CLI embeds) into ./bin/temporal-ui-server, with `go install` from
# the module proxy: none of them is a dependency of carepath's module.
# Already built, it returns at once. internal/tcluster (`make cluster`, the
# cluster test, `make bench -cluster`) runs them; the UI is optional.
set -euo pipefail

version=${TEMPORAL_SERVER_VERSION:-v1.29.1}
ui_version=${TEMPORAL_UI_VERSION:-v2.42.1}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/bin
go=${GO:-go}

mkdir -p "$bin"
# Each command is named after its directory (server, sql): install into a
# scratch GOBIN and rename, so nothing else lands in ./bin. Outside
# carepath's module, so its go.mod is neither read nor changed.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$bin/temporal-ui-server" ]; then
	echo "temporal-server: building the Temporal UI server $ui_version into ./bin (once)"
	if (cd "$tmp" && GOBIN=$tmp/ui GOFLAGS= "$go" install "github.com/temporalio/ui-server/v2/cmd/server@$ui_version"); then
		mv "$tmp/ui/server" "$bin/temporal-ui-server"
	else
		# The cluster runs without it (make cluster says so).
		echo "temporal-server: the UI server did not build; the cluster will run without the Temporal UI" >&2
	fi
fi

if [ -x "$bin/temporal-server" ] && [ -x "$bin/temporal-sql-tool" ]; then
	exit 0
fi

echo "temporal-server: building go.temporal.io/server $version (server and sql tool) into ./bin (once; takes a few minutes)"
(cd "$tmp" && GOBIN=$tmp/gobin GOFLAGS= "$go" install \
	"go.temporal.io/server/cmd/server@$version" \
	"go.temporal.io/server/cmd/tools/sql@$version")
mv "$tmp/gobin/server" "$bin/temporal-server"
mv "$tmp/gobin/sql" "$bin/temporal-sql-tool"
echo "temporal-server: built ./bin/temporal-server and ./bin/temporal-sql-tool"
