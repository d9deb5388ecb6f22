#!/usr/bin/env bash
# fhir-deps.sh installs what the FHIR conformance test needs
# (cmd/carepath/fhir_conformance_test.go): Node.js, and the npm packages
# pinned in fhir/e2e's package-lock.json (fhir-kit-client, Medplum's R4
# validator and definitions, ajv for HL7's R4 JSON schema, HL7's R4
# examples) into fhir/e2e/node_modules. Already installed, it checks and
# returns in well under a second, so `make test` runs it every time.
#
# Needs Debian (apt-get; root, or sudo) only when Node.js is missing, and
# the npm registry only when the lock file changed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
e2e=$root/fhir/e2e

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "fhir-deps: installing Debian's nodejs and npm (once)"
	sudo=()
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || { echo "fhir-deps: installing nodejs needs root (or sudo)" >&2; exit 1; }
		sudo=(sudo)
	fi
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get install -y -q --no-install-recommends nodejs npm ||
		{ "${sudo[@]}" apt-get update -q && "${sudo[@]}" apt-get install -y -q --no-install-recommends nodejs npm; }
fi

# Medplum's packages need Node.js 20.19 or later (their engines field).
if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
	echo "fhir-deps: Node.js $(node --version) is too old: fhir/e2e needs 20.19 or later" >&2
	exit 1
fi

# npm ci only when node_modules was not installed from this very lock file
# (the stamp holds the lock file's hash).
stamp=$e2e/node_modules/.carepath-lock
want=$(sha256sum "$e2e/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	echo "fhir-deps: installing fhir/e2e's packages into fhir/e2e/node_modules"
	(cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
	echo "$want" >"$stamp"
fi
