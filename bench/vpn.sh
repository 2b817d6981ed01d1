#!/usr/bin/env bash
# bench/vpn.sh — the web app's VPN side at scale, on a fresh stack
# (webapp/stack.sh, ikegwd with the null kernel backend on UDP 18531/18532):
#   Apply end to end (render engine.json from the database, write it, the
#   engine's apply over the control socket) with 10 000 VPN users and 50
#   Phase 2 entries: BENCH_RUNS runs (9), median and worst, from the HTTP
#   client (curl) and as the web app measures it;
#   Status > IPsec > Leases with 10 000 leases (seeded into the engine's
#   lease file): the HTML page and its JSON twin, median of BENCH_RUNS.
# Target: Apply under 200 ms.  Needs root (stack.sh runs ikegwd as root).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${BENCH_RUNS:-9}
USERS=${BENCH_USERS:-10000}
LEASES=${BENCH_LEASES:-10000}
export IKEGW_VAR=$(mktemp -d /tmp/ikegw-bench-vpn.XXXXXX)
export IKEGW_PORT=${BENCH_PORT:-18530} IKEGW_ADDR=127.0.0.1 IKEGW_WORKERS=2
export IKEGW_IKE_PORT=18531 IKEGW_NATT_PORT=18532
U=http://127.0.0.1:$IKEGW_PORT
J=$IKEGW_VAR/cookies
chmod 755 "$IKEGW_VAR"
cleanup() { "$top/webapp/stack.sh" stop > /dev/null 2>&1; rm -rf "$IKEGW_VAR"; }
trap cleanup EXIT
die() { echo "  FAIL  $*"; exit 1; }

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

api POST /api/v1/cas '{"method":"internal","name":"bench CA","cn":"bench CA","key":"ec256"}' > /dev/null || die "CA"
api POST /api/v1/certs '{"method":"internal","name":"vpn","ca":1,"type":"server","cn":"vpn.example.com","key":"ec256"}' > /dev/null || die "certificate"
api PUT /api/v1/vpn/mobile '{"enabled":true,"pool4":"10.20.0.0/18","dns":["10.1.0.53"]}' > /dev/null || die "mobile clients"
api POST /api/v1/vpn/phase1 '{"description":"mobile","cert":1}' > /dev/null || die "phase 1"
api POST /api/v1/vpn/phase1/1/phase2 '{"description":"LAN","local_network":"10.1.0.0/24"}' > /dev/null || die "phase 2"
"$top/build/bench/vpn_seed" "$IKEGW_VAR" "$USERS" 49 > /dev/null || die "seed"
# The group exists now (vpn_seed made "staff"): restrict to it.
api PUT /api/v1/vpn/mobile '{"group":1}' > /dev/null || die "mobile clients"

echo "  Apply: $USERS users, 50 Phase 2 entries ($RUNS runs)"
: > "$IKEGW_VAR/apply-client" ; : > "$IKEGW_VAR/apply-server"
for i in $(seq "$RUNS"); do
	r=$(curl -s -b "$J" -X POST -H "X-CSRF-Token: $CSRF" -w '\n%{time_total}' "$U/api/v1/vpn/apply")
	printf '%s\n' "$r" | head -1 | grep -q '"applied":true' || die "apply: $r"
	printf '%s\n' "$r" | tail -1 | awk '{printf "%.1f\n", $1 * 1000}' >> "$IKEGW_VAR/apply-client"
	printf '%s\n' "$r" | head -1 | sed -n 's/.*"ms":\([0-9.]*\).*/\1/p' >> "$IKEGW_VAR/apply-server"
done
size=$(stat -c %s "$IKEGW_VAR/engine.json")
printf '    %-44s %8s ms (worst %s ms)\n' "HTTP request (curl, end to end)" \
	"$(median < "$IKEGW_VAR/apply-client")" "$(worst < "$IKEGW_VAR/apply-client")"
printf '    %-44s %8s ms (worst %s ms)\n' "render + write + engine apply (web app)" \
	"$(awk '{printf "%.1f\n", $1}' "$IKEGW_VAR/apply-server" | median)" \
	"$(awk '{printf "%.1f\n", $1}' "$IKEGW_VAR/apply-server" | worst)"
printf '    %-44s %8s bytes\n' "engine.json" "$size"

# 10 000 leases: written into the engine's lease file while it is stopped.
"$top/webapp/stack.sh" engine-stop > /dev/null
awk -v n="$LEASES" 'BEGIN {
	printf "{\"version\": 1, \"leases\": [\n"
	for (i = 0; i < n; i++) {
		a = i + 1
		printf "%s{\"pool\": \"mobile\", \"address\": \"10.20.%d.%d\", \"identity\": \"benchuser%05d\", \"online\": false, \"since\": 1700000000, \"used\": %d}\n", (i ? "," : ""), int(a / 256), a % 256, i, i + 1
	}
	printf "]}\n"
}' > "$IKEGW_VAR/leases.json"
chmod 600 "$IKEGW_VAR/leases.json"
"$top/webapp/stack.sh" engine-start > /dev/null
n=$(curl -s -b "$J" "$U/api/v1/status/ipsec/leases" | grep -o '"identity"' | wc -l)
[ "$n" -ge "$LEASES" ] || die "the engine lists $n leases, not $LEASES"
echo "  Status > IPsec > Leases: $n leases ($RUNS runs)"
for what in "HTML page:/status/ipsec/leases" "JSON (live refresh):/api/v1/status/ipsec/leases" \
    "Overview page (no SAs):/status/ipsec/overview"; do
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
	echo "  ok    Apply median $med ms < 200 ms"
else
	echo "  FAIL  Apply median $med ms is not under 200 ms"; exit 1
fi
