#!/usr/bin/env bash
# The administrator's journey, end to end: Chromium drives the real pages
# (tests/e2e/vpn.test.js) — CA and server certificate, a VPN user, Mobile
# Clients (pool 10.10.10.0/24, DNS), Phase 1 (EAP-MSCHAPv2, the server
# certificate), Phase 2 (the LAN), Apply, the CA exported as .crt — and a
# strongSwan client in namespace rw, trusting that CA, connects to ikegwd,
# which the stack (webapp/stack.sh, as `make run` starts it) runs inside
# namespace gw.  Then: the lease online on the Leases page (refreshed live),
# disconnect from the Overview page, an unrelated Apply keeps the client,
# an Apply that disables the user drops it.
. "$(dirname "$0")/lib.sh"
itest_init vpn_e2e
net_basic

export IKEGW_VAR=$T/var IKEGW_ADDR=127.0.0.1 IKEGW_PORT=${IKEGW_VPN_E2E_PORT:-18082}
export IKEGW_URL=http://127.0.0.1:$IKEGW_PORT IKEGW_WORKERS=2 IKEGW_ENGINE_NETNS=$GW
export IKEGW_IKE_PORT=500 IKEGW_NATT_PORT=4500
export IKEGW_E2E_OUT=$OUT T RW GW LAN GW_ADDR BIN
mkdir -p "$IKEGW_VAR"
chmod 755 "$IKEGW_VAR"

vpn_cleanup() {
	"$TOP/webapp/stack.sh" stop > /dev/null 2>&1
	cp -r "$IKEGW_VAR/log" "$OUT/stack-log" 2>/dev/null
	itest_cleanup
}
trap vpn_cleanup EXIT

if ! start_out=$("$TOP/webapp/stack.sh" start 2>&1); then
	fail "the stack starts" "$start_out"
	exit 1
fi
pass "the stack starts (ikegwd in namespace $GW)"
export IKEGW_ADMIN_PASSWORD=$(printf '%s\n' "$start_out" | sed -n 's/^Password: //p')
check "ikegwd answers on var/run/ikegwd.sock" "$BIN/ikegwctl" -s "$IKEGW_VAR/run/ikegwd.sock" stats
check_match "ikegwd runs in $GW" "$GW" "$(ip netns identify "$(cat "$IKEGW_VAR/run/ikegwd.pid")")"

if [ ! -d "$TOP/tests/e2e/node_modules/playwright-core" ]; then
	fail "browser scenario" "tests/e2e/node_modules is missing (make deps)"
	exit 1
fi
export HOME=${HOME:-/tmp} IKEGW_VPN_E2E=1
if out=$(cd "$TOP/tests/e2e" && timeout --kill-after=10 240 node --test --test-reporter=spec vpn.test.js 2>&1); then
	printf '%s\n' "$out" > "$OUT/browser.log"
	pass "browser scenario (tests/e2e/vpn.test.js; steps in $OUT/browser.log)"
else
	printf '%s\n' "$out" > "$OUT/browser.log"
	fail "browser scenario (tests/e2e/vpn.test.js)" "$out"
fi
