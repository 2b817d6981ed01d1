#!/usr/bin/env bash
# bench/firewall.sh — Apply with a large firewall, end to end, on a fresh
# stack (webapp/stack.sh; ikegwd with the null kernel backend, in a network
# namespace of its own so that the ruleset it installs is not this
# machine's): BENCH_FW_RULES (1000) filter rules added through the API
# (60 % on IPsec, 30 % on WAN, 10 % on LAN: hosts, networks, aliases, ports
# and ranges, logging, descriptions), WAN and LAN assigned (veth pairs with
# one end here, where the web app reads the addresses, and one of the same
# name in the namespace), a PSK Phase 1; then BENCH_RUNS (9) Applies:
# render engine.json from the database, write it, the engine's apply
# (parse, render nftables, one libnftables transaction in the kernel).
# Median and worst, from the HTTP client (curl) and as the web app measures
# it; the kernel's table is checked to hold every rule.  Then the Rules
# page (IPsec tab) and its JSON twin with those rules.
# Target: Apply of 1 000 rules under 200 ms.  Needs root.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${BENCH_RUNS:-9}
RULES=${BENCH_FW_RULES:-1000}
export IKEGW_VAR=$(mktemp -d /tmp/ikegw-bench-fw.XXXXXX)
export IKEGW_PORT=${BENCH_PORT:-18540} IKEGW_ADDR=127.0.0.1 IKEGW_WORKERS=2
export IKEGW_IKE_PORT=18541 IKEGW_NATT_PORT=18542 IKEGW_KERNEL=null
export IKEGW_ENGINE_NETNS=ikegw-bench-fw-$$
U=http://127.0.0.1:$IKEGW_PORT
J=$IKEGW_VAR/cookies
chmod 755 "$IKEGW_VAR"
cleanup() {
	"$top/webapp/stack.sh" stop > /dev/null 2>&1
	rm -rf "$IKEGW_VAR"
	ip netns del "$IKEGW_ENGINE_NETNS" 2>/dev/null	# and the veth pairs with it
}
trap cleanup EXIT
die() { echo "  FAIL  $*"; exit 1; }

ip netns add "$IKEGW_ENGINE_NETNS" || die "netns"
ip -n "$IKEGW_ENGINE_NETNS" link set lo up
ip link add fwbwan0 type veth peer name fwbwan0 netns "$IKEGW_ENGINE_NETNS" || die "veth"
ip link add fwblan0 type veth peer name fwblan0 netns "$IKEGW_ENGINE_NETNS" || die "veth"
ip addr add 192.0.2.1/24 dev fwbwan0
ip addr add 10.61.0.1/24 dev fwblan0

out=$("$top/webapp/stack.sh" start 2>&1) || die "stack: $out"
pw=$(printf '%s\n' "$out" | sed -n 's/^Password: //p')
c=$(curl -s -c "$J" -b "$J" "$U/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -c "$J" -b "$J" -o /dev/null --data-urlencode "csrf=$c" --data-urlencode username=admin \
	--data-urlencode "password=$pw" "$U/login"
CSRF=$(curl -s -b "$J" "$U/api/v1/session" | sed -n 's/.*"csrf": *"\([^"]*\)".*/\1/p')
[ -n "$CSRF" ] || die "login"
api() {	# api METHOD PATH [JSON] → body; fails on HTTP >= 400
	curl -sf -b "$J" -X "$1" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: application/json' \
		${3:+--data "$3"} "$U$2"
}
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
worst() { sort -n | tail -1; }

api PUT /api/v1/vpn/mobile '{"enabled":true,"pool4":"10.20.0.0/18"}' > /dev/null || die "mobile clients"
api POST /api/v1/vpn/phase1 '{"auth":"psk","my_id_type":"fqdn","my_id":"vpn.example.com","psk":"bench-firewall-psk-0123"}' \
	> /dev/null || die "phase 1"
api POST /api/v1/vpn/phase1/1/phase2 '{"local_network":"10.61.0.0/24"}' > /dev/null || die "phase 2"
api PUT /api/v1/firewall/settings '{"wan":"fwbwan0","lan":"fwblan0"}' > /dev/null || die "settings"
api PUT /api/v1/firewall/nat '{"mode":"automatic"}' > /dev/null || die "nat"

t0=$(date +%s.%N)
for i in $(seq "$RULES"); do
	case $((i % 10)) in
	[0-5])	body="{\"tab\":\"ipsec\",\"protocol\":\"tcp\",\"source_type\":\"vpn_pool\",\"destination_type\":\"address\",\"destination\":\"10.61.$((i / 250)).$((i % 250 + 1))\",\"destination_ports\":\"$((1000 + i))\",\"description\":\"bench $i: VPN to host\"}" ;;
	[6-7])	body="{\"tab\":\"wan\",\"action\":\"block\",\"protocol\":\"udp\",\"source_type\":\"network\",\"source\":\"198.51.$((i % 256)).0/24\",\"destination_type\":\"wan_address\",\"destination_ports\":\"$((2000 + i))-$((3000 + i))\",\"log\":true,\"description\":\"bench $i: block\"}" ;;
	8)	body="{\"tab\":\"wan\",\"action\":\"reject\",\"protocol\":\"tcp/udp\",\"source_type\":\"address\",\"source\":\"2001:db8::$i\",\"destination_ports\":\"$((4000 + i))\",\"description\":\"bench $i: v6\"}" ;;
	9)	body="{\"tab\":\"lan\",\"protocol\":\"icmp\",\"source_type\":\"lan_net\",\"destination_type\":\"network\",\"destination\":\"10.$((i % 200)).0.0/16\",\"description\":\"bench $i: LAN\"}" ;;
	esac
	api POST /api/v1/firewall/rules "$body" > /dev/null || die "rule $i: $body"
done
t1=$(date +%s.%N)
awk -v n="$RULES" -v a="$t0" -v b="$t1" 'BEGIN { printf "  %d rules added through the API in %.1f s\n", n, b - a }'

echo "  Apply: $RULES firewall rules ($RUNS runs)"
: > "$IKEGW_VAR/apply-client" ; : > "$IKEGW_VAR/apply-server"
for i in $(seq "$RUNS"); do
	r=$(curl -s -b "$J" -X POST -H "X-CSRF-Token: $CSRF" -w '\n%{time_total}' "$U/api/v1/vpn/apply")
	printf '%s\n' "$r" | head -1 | grep -q '"applied":true' || die "apply: $r"
	printf '%s\n' "$r" | tail -1 | awk '{printf "%.1f\n", $1 * 1000}' >> "$IKEGW_VAR/apply-client"
	printf '%s\n' "$r" | head -1 | sed -n 's/.*"ms":\([0-9.]*\).*/\1/p' >> "$IKEGW_VAR/apply-server"
done
n=$(ip netns exec "$IKEGW_ENGINE_NETNS" nft list table inet ikegw | grep -c 'comment "bench ')
# IPv4 rules render once, the any-family ones too; nothing is dropped.
[ "$n" -ge "$RULES" ] || die "the kernel holds $n of the $RULES rules"
printf '    %-44s %8s ms (worst %s ms)\n' "HTTP request (curl, end to end)" \
	"$(median < "$IKEGW_VAR/apply-client")" "$(worst < "$IKEGW_VAR/apply-client")"
printf '    %-44s %8s ms (worst %s ms)\n' "render + write + engine apply (web app)" \
	"$(awk '{printf "%.1f\n", $1}' "$IKEGW_VAR/apply-server" | median)" \
	"$(awk '{printf "%.1f\n", $1}' "$IKEGW_VAR/apply-server" | worst)"
printf '    %-44s %8s bytes, %s rules in the kernel\n' "engine.json" \
	"$(stat -c %s "$IKEGW_VAR/engine.json")" "$n"
echo "  Firewall > Rules, IPsec tab ($((RULES * 6 / 10)) rules, $RUNS runs)"
for what in "HTML page:/firewall/rules?tab=ipsec" "JSON:/api/v1/firewall/rules?tab=ipsec"; do
	: > "$IKEGW_VAR/t"
	for i in $(seq "$RUNS"); do
		curl -s -b "$J" -o "$IKEGW_VAR/body" -w '%{time_total}\n' "$U${what#*:}" \
			| awk '{printf "%.1f\n", $1 * 1000}' >> "$IKEGW_VAR/t"
	done
	printf '    %-44s %8s ms (worst %s ms, %s bytes)\n' "${what%%:*}" "$(median < "$IKEGW_VAR/t")" \
		"$(worst < "$IKEGW_VAR/t")" "$(stat -c %s "$IKEGW_VAR/body")"
done
med=$(awk '{printf "%.1f\n", $1}' "$IKEGW_VAR/apply-server" | median)
if awk -v m="$med" 'BEGIN { exit !(m < 200) }'; then
	echo "  ok    Apply of $RULES firewall rules: median $med ms < 200 ms"
else
	echo "  FAIL  Apply of $RULES firewall rules: median $med ms is not under 200 ms"; exit 1
fi
