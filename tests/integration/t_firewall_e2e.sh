#!/usr/bin/env bash
# The firewall pages, end to end: the whole stack (nginx, ikegw-web, ikegwd
# with userspace ESP over TUN) runs inside namespace gw, as on a gateway
# whose interfaces are wan0 and lan0, and Chromium, in the same namespace,
# drives the pages (tests/e2e/firewall.test.js): WAN and LAN assigned, a
# WAN rule passing TCP 22 to the WAN address, IPsec rules (pass TCP 443 to
# the LAN host, block TCP 22, pass ICMP) reordered by drag and by buttons,
# a field message for ports with protocol any, Apply.  Then:
#  - the kernel's ruleset (nft list table inet ikegw) and ikegwctl render
#    nft hold the rules in the order of the page;
#  - a strongSwan client in rw connects (IKE passes WAN: automatic rules)
#    and reaches TCP 443 on the LAN host but not TCP 22;
#  - from rw, TCP 22 to the gateway's WAN address passes (the WAN rule).
# Topology (net_basic):  rw 192.0.2.2 ── 192.0.2.1 gw 10.1.0.1 ── 10.1.0.10 lan
. "$(dirname "$0")/lib.sh"
itest_init firewall_e2e
net_basic

export IKEGW_VAR=$T/var IKEGW_ADDR=127.0.0.1 IKEGW_PORT=${IKEGW_FW_E2E_PORT:-18083}
export IKEGW_URL=http://127.0.0.1:$IKEGW_PORT IKEGW_WORKERS=2 IKEGW_ENGINE_NETNS=
export IKEGW_IKE_PORT=500 IKEGW_NATT_PORT=4500 IKEGW_KERNEL=tun
export IKEGW_E2E_OUT=$OUT
mkdir -p "$IKEGW_VAR"
chmod 755 "$IKEGW_VAR"

fw_cleanup() {
	"$TOP/webapp/stack.sh" stop > /dev/null 2>&1
	cp -r "$IKEGW_VAR/log" "$OUT/stack-log" 2>/dev/null
	itest_cleanup
}
trap fw_cleanup EXIT

if ! start_out=$(ip netns exec "$GW" "$TOP/webapp/stack.sh" start 2>&1); then
	fail "the stack starts in $GW" "$start_out"
	exit 1
fi
pass "the stack starts inside namespace $GW"
export IKEGW_ADMIN_PASSWORD=$(printf '%s\n' "$start_out" | sed -n 's/^Password: //p')
ctl_gw() { "$BIN/ikegwctl" -s "$IKEGW_VAR/run/ikegwd.sock" "$@"; }

for port in 443 22; do
	ip netns exec "$LAN" nc -lk "$port" > /dev/null 2>&1 &
	echo $! > "$T/nc-lan-$port.pid"
	disown
done
for port in 22 443; do
	ip netns exec "$GW" nc -lk "$port" > /dev/null 2>&1 &
	echo $! > "$T/nc-gw-$port.pid"
	disown
done

if [ ! -d "$TOP/tests/e2e/node_modules/playwright-core" ]; then
	fail "browser scenario" "tests/e2e/node_modules is missing (make deps)"
	exit 1
fi
export HOME=${HOME:-/tmp} IKEGW_FW_E2E=1
if out=$(cd "$TOP/tests/e2e" && ip netns exec "$GW" timeout --kill-after=10 150 \
		node --test --test-reporter=spec firewall.test.js 2>&1); then
	printf '%s\n' "$out" > "$OUT/browser.log"
	pass "browser scenario (tests/e2e/firewall.test.js; steps in $OUT/browser.log)"
else
	printf '%s\n' "$out" > "$OUT/browser.log"
	fail "browser scenario (tests/e2e/firewall.test.js)" "$out"
	exit 1
fi

# The rules, in the page's order, where the kernel has them.
kernel=$(ip netns exec "$GW" nft list table inet ikegw 2>&1)
printf '%s\n' "$kernel" > "$OUT/ruleset.nft"
# chain NAME: that chain of the listing, on one line.
chain() {
	printf '%s\n' "$kernel" | awk -v c="chain $1 {" 'index($0, c) { on = 1 } on { print }
		on && /^\t}$/ { exit }' | tr '\n' ' '
}
check_match "the IPsec tab's rules are installed in the page's order (ping, ssh, web)" \
	'icmp accept comment "ping".*tcp dport 22 log prefix "ikegw ipsec 2: " drop comment "ssh".*tcp dport 443 accept comment "web".*drop comment "default deny"' \
	"$(chain in_ipsec)"
check_match "WAN: the automatic IKE/ESP rules, then the WAN rule" \
	'udp dport \{ 500, 4500 \} accept.*meta l4proto esp accept.*ip daddr @wan_address4 tcp dport 22 accept comment "wan ssh"' \
	"$(chain in_wan)"
check_match "the interfaces are the ones assigned on the page" 'iif "wan0" jump in_wan' "$kernel"
check_match "LAN net is lan0's subnet" 'elements = \{ 10\.1\.0\.0/24 \}' "$kernel"
check_match "ikegwctl render nft prints the same IPsec rules" \
	'ip saddr @vpn_pool4 ip daddr 10\.1\.0\.10 tcp dport 443 accept comment "web"' "$(ctl_gw render nft)"
check_match "engine.json holds the firewall model, not text" '"firewall": \{' "$(cat "$IKEGW_VAR/engine.json")"

# Traffic: a VPN client through the tunnel.
pki_make
client_start || exit 1
client_conf <<EOF
connections { c { remote_addrs = $GW_ADDR
                  vips = 0.0.0.0
                  proposals = aes256gcm16-prfsha256-modp2048
                  local { auth = psk
                          id = fw-client }
                  remote { auth = psk
                           id = vpn.example.com }
                  children { net { remote_ts = 10.1.0.0/24
                                   esp_proposals = aes256gcm16 } } } }
secrets { ike { secret = "firewall-e2e-psk-0123" } }
EOF
check_match "the client connects (IKE passes WAN: the automatic rules)" \
	"CHILD_SA net\{[0-9]+\} established" "$(client_up c)"
vip=$(client_sas | grep -oE '\[10\.10\.10\.[0-9]+\]' | head -1 | tr -d '[]')
check_match "the client has an address from the pool" '^10\.10\.10\.' "$vip"
check "through the tunnel, TCP 443 on the LAN host passes (IPsec rule 'web')" \
	ip netns exec "$RW" nc -z -w 3 -s "$vip" 10.1.0.10 443
check_not "through the tunnel, TCP 22 on the LAN host is blocked (IPsec rule 'ssh')" \
	ip netns exec "$RW" nc -z -w 3 -s "$vip" 10.1.0.10 22
check "through the tunnel, ping to the LAN host passes (IPsec rule 'ping')" \
	ip netns exec "$RW" ping -c 1 -W 3 -I "$vip" 10.1.0.10
check "from WAN, TCP 22 to the gateway passes (WAN rule 'wan ssh')" \
	ip netns exec "$RW" nc -z -w 3 192.0.2.1 22
check_not "from WAN, TCP 443 to the gateway is blocked (default deny)" \
	ip netns exec "$RW" nc -z -w 3 192.0.2.1 443
