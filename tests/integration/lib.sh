# tests/integration/lib.sh — helpers for engine tests in network namespaces.
#
# Topology (net_basic):   rw 192.0.2.2 ── 192.0.2.1 gw 10.1.0.1 ── 10.1.0.10 lan
# With a NAT (net_nat):   rw 198.51.100.2 ── 198.51.100.1 nat 192.0.2.3 ── 192.0.2.1 gw ...
#
# gw runs ikegwd from build/bin; rw runs strongSwan's charon (Debian
# 5.9.8) with kernel-libipsec in its own mount namespace, driven through
# swanctl over a vici socket in the test directory.  Everything a test
# makes — namespaces, processes, files — goes away in the EXIT trap, also
# on failure.  Tests only send traffic inside their own namespaces.
set -u

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BIN=${IKEGW_BIN:-$TOP/build/bin}
FAILS=0
CHECKS=0

itest_init() {
	TNAME=$1
	T=$(mktemp -d /tmp/ikegw-it-"$TNAME".XXXXXX)
	chmod 755 "$T"
	P="it$(printf '%s' "$T" | md5sum | cut -c1-5)"
	RW=${P}rw GW=${P}gw LAN=${P}lan NAT=${P}nat
	OUT=$TOP/test-output/integration/$TNAME
	rm -rf "$OUT"
	mkdir -p "$OUT"
	trap itest_cleanup EXIT
}

itest_cleanup() {
	local ns pid
	gw_stop 2>/dev/null
	for f in "$T"/*.pid; do
		[ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	for ns in "$RW" "$GW" "$LAN" "$NAT"; do
		if ip netns list | grep -qw "$ns"; then
			for pid in $(ip netns pids "$ns" 2>/dev/null); do kill "$pid" 2>/dev/null; done
		fi
	done
	sleep 0.3
	for ns in "$RW" "$GW" "$LAN" "$NAT"; do
		if ip netns list | grep -qw "$ns"; then
			for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
			ip netns del "$ns" 2>/dev/null
		fi
	done
	cp "$T"/*.log "$OUT"/ 2>/dev/null
	rm -rf "$T"
	echo "  $TNAME: $((CHECKS - FAILS))/$CHECKS checks passed"
	[ "$FAILS" -eq 0 ]
	exit $?
}

# ---------------------------------------------------------------- checks

pass() { CHECKS=$((CHECKS + 1)); printf '  ok    %s\n' "$1"; }
fail() {
	CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); printf '  FAIL  %s\n' "$1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | tail -25 | sed 's/^/        /'
	return 0
}
# check NAME CMD... — the command succeeds
check() { local n=$1; shift; local o; if o=$("$@" 2>&1); then pass "$n"; else fail "$n" "$o"; fi; }
# check_not NAME CMD... — the command fails
check_not() { local n=$1; shift; local o; if o=$("$@" 2>&1); then fail "$n" "$o"; else pass "$n"; fi; }
# check_match NAME REGEX TEXT
check_match() { if printf '%s\n' "$3" | grep -qE -- "$2"; then pass "$1"; else fail "$1" "no match for /$2/ in:
$3"; fi; }
check_nomatch() { if printf '%s\n' "$3" | grep -qE -- "$2"; then fail "$1" "unexpected /$2/ in:
$3"; else pass "$1"; fi; }
# check_log NAME REGEX FILE — the file shows REGEX within 5 s (logs are written late)
check_log() {
	local i
	for i in $(seq 50); do grep -qE -- "$2" "$3" 2>/dev/null && { pass "$1"; return 0; }; sleep 0.1; done
	fail "$1" "no /$2/ in $(basename "$3"):
$(tail -15 "$3" 2>/dev/null)"
}
# wait_for SECONDS CMD... — retries until the command succeeds
wait_for() { local s=$1 i; shift; for i in $(seq $((s * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done; return 1; }

# ---------------------------------------------------------------- networks

veth() {	# veth NS1 IF1 ADDR1 NS2 IF2 ADDR2
	ip link add "$2" netns "$1" type veth peer name "$5" netns "$4"
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$4" addr add "$6" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}

net_basic() {
	local ns
	for ns in "$RW" "$GW" "$LAN"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
	veth "$RW" eth0 192.0.2.2/24 "$GW" wan0 192.0.2.1/24
	veth "$GW" lan0 10.1.0.1/24 "$LAN" eth0 10.1.0.10/24
	ip -n "$LAN" route add default via 10.1.0.1
	ip netns exec "$GW" sysctl -qw net.ipv4.ip_forward=1
	GW_ADDR=192.0.2.1
}

net_nat() {
	local ns
	for ns in "$RW" "$NAT" "$GW" "$LAN"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
	veth "$RW" eth0 198.51.100.2/24 "$NAT" in0 198.51.100.1/24
	veth "$NAT" out0 192.0.2.3/24 "$GW" wan0 192.0.2.1/24
	veth "$GW" lan0 10.1.0.1/24 "$LAN" eth0 10.1.0.10/24
	ip -n "$RW" route add default via 198.51.100.1
	ip -n "$LAN" route add default via 10.1.0.1
	ip netns exec "$NAT" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$GW" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$NAT" nft -f - <<-NFT
	table ip nat {
		chain post { type nat hook postrouting priority srcnat; oifname "out0" masquerade; }
	}
	NFT
	GW_ADDR=192.0.2.1
}

# ---------------------------------------------------------------- PKI (openssl CLI)

# pki_make: CA, server certificate for vpn.example.com, client certificate
# for alice@example.com, all under $T/pki.
pki_make() {
	local d=$T/pki
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" \
		-subj "/C=US/O=ikegw test/CN=ikegw Test CA" -days 30 \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$d/server.key" -out "$d/server.csr" \
		-subj "/C=US/O=ikegw test/CN=vpn.example.com" 2>/dev/null
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-days 30 -out "$d/server.pem" -extfile <(printf '%s\n' \
		"subjectAltName=DNS:vpn.example.com,IP:192.0.2.1" \
		"extendedKeyUsage=serverAuth,1.3.6.1.5.5.8.2.2" \
		"keyUsage=critical,digitalSignature,keyEncipherment") 2>/dev/null
	openssl req -newkey rsa:2048 -nodes -keyout "$d/alice.key" -out "$d/alice.csr" \
		-subj "/C=US/O=ikegw test/CN=alice@example.com" 2>/dev/null
	openssl x509 -req -in "$d/alice.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-days 30 -out "$d/alice.pem" -extfile <(printf '%s\n' \
		"subjectAltName=email:alice@example.com" "extendedKeyUsage=clientAuth") 2>/dev/null
}

# JSON string of a file's contents.
json_file() { printf '"'; sed -e ':a;N;$!ba;s/\\/\\\\/g;s/"/\\"/g;s/\n/\\n/g' "$1" | tr -d '\n'; printf '"'; }
json_str() { printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g;s/"/\\"/g')"; }
# NT hash (RFC 2759 NtPasswordHash) computed independently of ikegw.
nt_hash() {
	printf '%s' "$1" | iconv -t UTF-16LE | openssl dgst -md4 -provider legacy -provider default \
		| awk '{print $NF}'
}

# ---------------------------------------------------------------- ikegwd

ctl() { "$BIN/ikegwctl" -s "$T/ikegwd.sock" "$@"; }

gw_start() {	# gw_start [extra ikegwd args]
	ip netns exec "$GW" "$BIN/ikegwd" -c "$T/engine.json" -d --pidfile "$T/ikegwd.pid" "$@" \
		>> "$T/ikegwd.log" 2>&1 &
	disown
	if ! wait_for 10 test -S "$T/ikegwd.sock"; then
		fail "ikegwd starts" "$(cat "$T/ikegwd.log")"
		return 1
	fi
}

gw_stop() {
	[ -f "$T/ikegwd.pid" ] && kill "$(cat "$T/ikegwd.pid")" 2>/dev/null
	wait_for 5 test ! -S "$T/ikegwd.sock"
	rm -f "$T/ikegwd.pid"
}

# ---------------------------------------------------------------- strongSwan client

# client_start [NS]: charon in NS (default rw), private /run, vici in $T.
client_start() {
	local ns=${1:-$RW} d=$T/client
	mkdir -p "$d/x509ca" "$d/x509" "$d/private"
	rm -f "$d/charon.vici"	# a killed charon leaves its socket behind
	cp "$T/pki/ca.pem" "$d/x509ca/"
	cat > "$d/strongswan.conf" <<-EOF
	charon {
		load_modular = yes
		retransmit_tries = 2
		retransmit_timeout = 1.5
		keep_alive = 1s
		plugins {
			include /etc/strongswan.d/charon/*.conf
			kernel-libipsec { load = yes }
			vici { socket = unix://$d/charon.vici }
			resolve { file = $T/client-resolv.conf }
		}
		filelog {
			log {
				path = $T/charon.log
				flush_line = yes
				time_format = %T
				default = 1
				ike = 2
				cfg = 2
			}
		}
	}
	EOF
	ip netns exec "$ns" unshare -m --propagation private sh -c \
		"mount -t tmpfs none /run && echo \$\$ > $T/charon.pid && STRONGSWAN_CONF=$d/strongswan.conf exec /usr/lib/ipsec/charon" \
		> "$T/charon-stdout.log" 2>&1 &
	disown
	if ! wait_for 10 test -S "$d/charon.vici"; then
		fail "charon starts" "$(cat "$T/charon-stdout.log" "$T/charon.log" 2>/dev/null)"
		return 1
	fi
}

# sw --command [args]: swanctl wants the command first, then --uri.
sw() { local c=$1; shift; swanctl "$c" --uri "unix://$T/client/charon.vici" "$@" 2> >(grep -v "^plugin '" >&2); }

# client_conf: writes $T/client/swanctl.conf from stdin and loads it.
client_conf() {
	cat > "$T/client/swanctl.conf"
	sw --load-all --file "$T/client/swanctl.conf" > "$T/swanctl-load.log" 2>&1
}

client_up() {	# client_up CONN [CHILD]
	timeout 30 swanctl --initiate --uri "unix://$T/client/charon.vici" --ike "$1" \
		--child "${2:-net}" --timeout 20 2>&1 | grep -v "^plugin '"
	return "${PIPESTATUS[0]}"
}

client_sas() { sw --list-sas 2>&1; }

# ---------------------------------------------------------------- data plane (t_dataplane.sh)

ITOOLS=${IKEGW_ITOOLS:-$TOP/build/tests/integration}

# net_lan2: a second network behind the gateway, 10.2.0.0/24, that no
# phase 2 covers: lan also answers on 10.2.0.10.
net_lan2() {
	ip -n "$LAN" addr add 10.2.0.10/24 dev eth0
	ip -n "$GW" route add 10.2.0.0/24 via 10.1.0.10
}

# lan_iperf_start: iperf3 server on lan (10.1.0.10:5201), stopped by the cleanup.
lan_iperf_start() {
	ip netns exec "$LAN" iperf3 -s -D -I "$T/iperf3.pid" --logfile "$T/iperf3-server.log"
	wait_for 5 test -s "$T/iperf3.pid"
}

# child_field FIELD: FIELD of the first CHILD SA in ikegwctl --json list-sas.
child_field() {
	ctl --json list-sas | grep -o "\"$1\": [0-9]*" | head -1 | awk '{print $2}'
}

# sa_drop REASON: drops for REASON of the first SA in ikegwctl kernel-sas.
# Holds back the client's (net_basic: 192.0.2.2) IKE messages on 4500 at
# the gateway, to force rekey collisions: all | answers (the Response flag,
# byte 31 after the UDP header) | none.  ESP passes.
hold() {
	ip netns exec "$GW" nft delete table inet hold 2> /dev/null
	case $1 in
	all) rule="ip saddr 192.0.2.2 udp dport 4500 @th,64,32 0 drop" ;;
	answers) rule="ip saddr 192.0.2.2 udp dport 4500 @th,64,32 0 @th,248,8 & 0x20 == 0x20 drop" ;;
	*) return 0 ;;
	esac
	ip netns exec "$GW" nft -f - <<-NFT
	table inet hold {
		chain hold_in {
			type filter hook input priority -10; policy accept;
			$rule
		}
	}
	NFT
}

sa_drop() {
	ctl --json kernel-sas | sed -n '/"sas"/,/"dataplane"/p' | grep -o "\"$1\": [0-9]*" |
		head -1 | awk '{print $2}'
}

# dp_drop REASON: the data plane's table-wide drops for REASON.
dp_drop() {
	ctl --json kernel-sas | sed -n '/"dataplane"/,$p' | grep -o "\"$1\": [0-9]*" |
		head -1 | awk '{print $2}'
}

# ---------------------------------------------------------------- ikeload (bench/ikeload.c)

IKELOAD=${IKELOAD:-$TOP/build/bench/ikeload}

# ikeload [probe NAME] ARGS...: the IKEv2 load/probe initiator, run in rw
# against gw ($GW_ADDR).  Needs net_basic (or GW_ADDR set).
ikeload() {
	if [ "${1:-}" = probe ]; then
		local name=$2
		shift 2
		ip netns exec "$RW" "$IKELOAD" probe "$name" --server "$GW_ADDR" "$@"
	else
		ip netns exec "$RW" "$IKELOAD" --server "$GW_ADDR" "$@"
	fi
}

# gw_running: the ikegwd started by gw_start is still alive.
gw_running() { [ -f "$T/ikegwd.pid" ] && kill -0 "$(cat "$T/ikegwd.pid")" 2>/dev/null; }

# Lines of a log that show a crash or a sanitizer report.
CRASH_RE='Sanitizer|runtime error|Segmentation fault|Aborted|core dumped|stack smashing|double free|free\(\): '

# users_json N: "users" entries user1..userN with passwords pass1..passN (NT
# hashes computed by openssl, independently of ikegwd), comma-separated.
users_json() {
	local i
	for i in $(seq 1 "$1"); do
		[ "$i" -gt 1 ] && printf ',\n'
		printf '    { "name": "user%d", "nt_hash": "%s" }' "$i" "$(nt_hash "pass$i")"
	done
	printf '\n'
}

# ikeload_built: fails the test clearly when build/bench/ikeload is missing.
ikeload_built() {
	[ -x "$IKELOAD" ] && return 0
	fail "ikeload is built ($IKELOAD; run: make build/bench/ikeload)"
	return 1
}
