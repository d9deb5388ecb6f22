#!/usr/bin/env bash
# browser-deps.sh installs what the console's browser tests need
# (cmd/carepath/console_browser_test.go): Debian's Chromium at
# /usr/bin/chromium and playwright-core, pinned in console/e2e's
# package-lock.json, into console/e2e/node_modules. It downloads no browser
# of its own: the tests drive the distribution's Chromium. Already
# installed, it checks and returns in well under a second, so `make test`
# runs it every time.
#
# Needs Debian (apt-get; root, or sudo) only when Chromium or Node.js is
# missing, and the npm registry only when the lock file changed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
e2e=$root/console/e2e

apt_install() {
	local sudo=()
	if [ "$(id -u)" != 0 ]; then
		command -v sudo >/dev/null || { echo "browser-deps: installing $* needs root (or sudo)" >&2; exit 1; }
		sudo=(sudo)
	fi
	export DEBIAN_FRONTEND=noninteractive
	# The package lists are refreshed only when the install fails: a fresh
	# image's lists are usually recent enough, and an update takes a while.
	"${sudo[@]}" apt-get install -y -q "$@" ||
		{ "${sudo[@]}" apt-get update -q && "${sudo[@]}" apt-get install -y -q "$@"; }
}

if [ ! -x /usr/bin/chromium ]; then
	echo "browser-deps: installing Debian's chromium (once)"
	apt_install --no-install-recommends chromium fonts-liberation
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "browser-deps: installing Debian's nodejs and npm (once)"
	apt_install --no-install-recommends nodejs npm
fi

# npm ci only when node_modules was not installed from this very lock file
# (the stamp holds the lock file's hash).
stamp=$e2e/node_modules/.carepath-lock
want=$(sha256sum "$e2e/package-lock.json" | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	echo "browser-deps: installing playwright-core into console/e2e/node_modules"
	(cd "$e2e" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
	echo "$want" >"$stamp"
fi
