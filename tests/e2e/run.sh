#!/usr/bin/env bash
# tests/e2e/run.sh — browser tests: Debian's Chromium driven by npm
# playwright-core (pinned in package-lock.json) through the real pages.
# Each *.test.js file runs against its own fresh instance (own var/
# directory, same port), started with the same webapp/stack.sh that
# `make run` uses, so one file's changes (the scenario changes the admin
# password) never meet another's.  Screenshots, downloads, the browser's
# console errors (if any) and each instance's logs end up in
# test-output/e2e/.  Cleans up even on failure; exits non-zero if anything
# failed.
#
# Needs build/bin/ikegw-web (make) and tests/e2e/node_modules (make deps,
# or `npm ci` here).  IKEGW_E2E_PORT picks the port (default 18081).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tests/e2e
out=$top/test-output/e2e
export IKEGW_PORT=${IKEGW_E2E_PORT:-${IKEGW_PORT:-18081}}
export IKEGW_ADDR=127.0.0.1
export IKEGW_URL=http://127.0.0.1:$IKEGW_PORT
export IKEGW_WORKERS=2
# The stack's ikegwd: ports of its own (a `make run` may hold 500/4500).
# No packets to forward here (and a running `make run` owns ipsec0).
export IKEGW_KERNEL=null
export IKEGW_IKE_PORT=${IKEGW_E2E_IKE_PORT:-18520} IKEGW_NATT_PORT=${IKEGW_E2E_NATT_PORT:-18521}
export IKEGW_E2E_OUT=$out
export IKEGW_VAR=
rm -rf "$out"
mkdir -p "$out"

# Stops the current instance and keeps its logs under log-NAME/.
stop_instance() {
	[ -n "$IKEGW_VAR" ] || return 0
	"$top/webapp/stack.sh" stop >/dev/null 2>&1
	cp -r "$IKEGW_VAR/log" "$out/log-$1" 2>/dev/null
	rm -rf "$IKEGW_VAR"
	IKEGW_VAR=
}
current=none
trap 'stop_instance "$current"' EXIT

start_instance() {
	local start_out
	IKEGW_VAR=$(mktemp -d /tmp/ikegw-e2e.XXXXXX)
	export IKEGW_VAR
	chmod 0755 "$IKEGW_VAR"
	if ! start_out=$("$top/webapp/stack.sh" start 2>&1); then
		echo "$start_out"; echo "  FAIL  could not start the stack"; return 1
	fi
	IKEGW_ADMIN_PASSWORD=$(printf '%s\n' "$start_out" | sed -n 's/^Password: //p')
	export IKEGW_ADMIN_PASSWORD
	if [ -z "$IKEGW_ADMIN_PASSWORD" ]; then
		echo "$start_out"; echo "  FAIL  first run printed no admin password"; return 1
	fi
}

if [ ! -d "$here/node_modules/playwright-core" ]; then
	echo "  FAIL  $here/node_modules/playwright-core is missing (run make deps, or npm ci in tests/e2e)"
	exit 1
fi
if [ ! -x "${IKEGW_CHROMIUM:-/usr/bin/chromium}" ]; then
	echo "  FAIL  ${IKEGW_CHROMIUM:-/usr/bin/chromium} is missing (apt-get install chromium)"
	exit 1
fi

# Chromium as root in CI: no terminal, maybe no usable HOME.
export HOME=${HOME:-/tmp}
cd "$here"
rc=0
for f in ./*.test.js; do
	name=$(basename "$f" .test.js)
	current=$name
	if ! start_instance; then rc=1; break; fi
	timeout --kill-after=10 110 node --test --test-reporter=spec "$f"
	frc=$?
	if [ $frc -eq 124 ] || [ $frc -eq 137 ]; then
		echo "  FAIL  $name: the browser tests took too long (killed after 110 s)"
	fi
	[ $frc -eq 0 ] || rc=$frc
	stop_instance "$name"
	current=none
done
if [ $rc -eq 0 ]; then
	echo "  ok    e2e (screenshots in test-output/e2e/)"
else
	echo "  FAIL  e2e (screenshots and logs in test-output/e2e/)"
fi
exit $rc
