#!/usr/bin/env bash
# Install the Debian packages named on the command line that are missing,
# then Node.js (for the browser tests) and the npm packages of tests/e2e.
# Called by `make deps` (and so by `make run` and `make test`).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for p in "$@"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	missing+=(nodejs npm)
fi
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: missing packages ${missing[*]}; run as root to install them" >&2
		exit 1
	fi
	echo "deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# Package installs must not start system services (nginx on :80 and so on).
	policy=/usr/sbin/policy-rc.d
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod 755 "$policy"; trap 'rm -f "$policy"' EXIT
	fi
	if ! apt-get install -y --no-install-recommends "${missing[@]}"; then
		apt-get update
		apt-get install -y --no-install-recommends "${missing[@]}"
	fi
fi

# playwright-core for the browser tests, pinned by tests/e2e/package-lock.json.
if [ -f tests/e2e/package.json ] && [ ! -d tests/e2e/node_modules/playwright-core ]; then
	(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi
