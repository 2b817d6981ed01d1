#!/usr/bin/env bash
# bench/dataplane.sh — ESP data plane throughput: ikegwd's userspace ESP
# (kernel backend "tun") against strongSwan charon with kernel-libipsec as
# the responder, on this machine, in one run.
#
#   rw (strongSwan 5.9.8 client, kernel-libipsec) ── gw (responder) ── lan (iperf3 -s)
#
# The same client configuration connects to each responder in turn (EAP-
# MSCHAPv2, server certificate, pool address); iperf3 runs rw → lan, TCP and
# then UDP (unlimited rate, 1300-byte datagrams), BENCH_SECONDS each (10),
# for each ESP proposal in BENCH_ESP ("aes256gcm16 aes256-sha256").
# Reported per responder: receiver throughput, the responder's CPU seconds
# (utime + stime from /proc/PID/stat) per GB carried, and the client's, then
# the ratios ikegwd / libipsec.  BENCH_PERF=1 also records a perf profile
# of the responder per run in test-output/integration/bench-dataplane/.
# Needs root; not part of `make test`.
set -u
. "$(dirname "$0")/../tests/integration/lib.sh"
SECS=${BENCH_SECONDS:-10}
ESPS=${BENCH_ESP:-"aes256gcm16 aes256-sha256"}
TICK=$(getconf CLK_TCK)
itest_init bench-dataplane
net_basic
pki_make
RESULTS=$T/results.txt
: > "$RESULTS"

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
# json_sum FILE KEY: KEY of iperf3 -J's end.sum_received
json_sum() { awk -v k="\"$2\":" '/"sum_received"/ {f=1} f && $1 == k {gsub(",", "", $2); print $2; exit}' "$1"; }

# ---------------------------------------------------------------- responders

ikegwd_conf() {
	cat > "$T/engine.json" <<-EOF
	{
	  "version": 1,
	  "control_socket": "$T/ikegwd.sock",
	  "leases_file": "$T/leases.json",
	  "kernel": { "backend": "tun" },
	  "server": { "certificate": $(json_file "$T/pki/server.pem"),
	              "private_key": $(json_file "$T/pki/server.key") },
	  "pools": [ { "name": "mobile", "ipv4": "10.10.10.0/24" } ],
	  "users": [ { "name": "alice", "nt_hash": "$(nt_hash 'Alice-Pass-1')" } ],
	  "phase1": [ {
	    "name": "mobile", "auth": "eap-mschapv2",
	    "local_id": { "type": "fqdn", "value": "vpn.example.com" },
	    "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256, "prf": "hmac-sha2-256",
	                     "dh": "modp2048" } ],
	    "pool": "mobile",
	    "phase2": [ { "name": "lan", "local_ts": ["10.1.0.0/24"],
	      "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256, "dh": "none" },
	                     { "encryption": "aes-cbc", "key_length": 256,
	                       "integrity": "hmac-sha2-256-128", "dh": "none" } ] } ]
	  } ]
	}
	EOF
}

# strongSwan as the responder in gw: its own mount namespace, private /run,
# vici socket in $T/resp, credentials next to its swanctl.conf.
resp_start() {
	local d=$T/resp
	mkdir -p "$d/x509ca" "$d/x509" "$d/private"
	rm -f "$d/charon.vici"	# charon leaves its socket behind
	cp "$T/pki/ca.pem" "$d/x509ca/"
	cp "$T/pki/server.pem" "$d/x509/"
	cp "$T/pki/server.key" "$d/private/"
	cat > "$d/strongswan.conf" <<-EOF
	charon {
		load_modular = yes
		# the comparison must not be throttled by DoS protection
		init_limit_half_open = 0
		init_limit_job_load = 0
		plugins {
			include /etc/strongswan.d/charon/*.conf
			kernel-libipsec { load = yes }
			vici { socket = unix://$d/charon.vici }
		}
		filelog {
			log { path = $T/resp-charon.log
			      flush_line = yes
			      default = 1 }
		}
	}
	EOF
	cat > "$d/swanctl.conf" <<-EOF
	connections {
	  rw {
	    pools = mobile
	    proposals = aes256gcm16-prfsha256-modp2048
	    local { auth = pubkey
	            certs = server.pem
	            id = vpn.example.com }
	    remote { auth = eap-mschapv2
	             eap_id = %any }
	    children { net { local_ts = 10.1.0.0/24
	                     esp_proposals = aes256gcm16,aes256-sha256 } }
	    send_certreq = no
	  }
	}
	pools { mobile { addrs = 10.10.10.0/24 } }
	secrets {
	  eap-alice { id = alice
	              secret = "Alice-Pass-1" }
	  private-server { file = server.key }
	}
	EOF
	ip netns exec "$GW" unshare -m --propagation private sh -c \
		"mount -t tmpfs none /run && echo \$\$ > $T/resp.pid && STRONGSWAN_CONF=$d/strongswan.conf exec /usr/lib/ipsec/charon" \
		> "$T/resp-stdout.log" 2>&1 &
	disown
	wait_for 10 test -S "$d/charon.vici" || { echo "responder charon does not start"; return 1; }
	swanctl --load-all --uri "unix://$d/charon.vici" --file "$d/swanctl.conf" \
		> "$T/resp-load.log" 2>&1
}

resp_stop() {
	local pid
	[ -f "$T/resp.pid" ] || return 0
	pid=$(cat "$T/resp.pid")
	kill "$pid" 2>/dev/null
	wait_for 5 sh -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null
	rm -f "$T/resp.pid" "$T/resp/charon.vici"
}

# ---------------------------------------------------------------- measuring

# measure NAME RESPONDER_PID PROTO ESP: one iperf3 run; appends a result line
#   NAME ESP PROTO Mbit/s resp_cpu_s client_cpu_s GB
measure() {
	local name=$1 pid=$2 proto=$3 esp=$4 args="" r0 r1 c0 c1 j bytes secs
	[ "$proto" = udp ] && args="-u -b 0 -l 1300"
	j=$T/iperf-$name-$esp-$proto.json
	r0=$(cpu_ticks "$pid") c0=$(cpu_ticks "$(cat "$T/charon.pid")")
	# BENCH_PERF=1: a CPU profile of the responder during the run.
	if [ -n "${BENCH_PERF:-}" ] && command -v perf > /dev/null; then
		perf record -q -g -p "$pid" -o "$OUT/perf-$name-$esp-$proto.data" \
			-- sleep "$SECS" > /dev/null 2>&1 &
	fi
	# shellcheck disable=SC2086
	ip netns exec "$RW" timeout $((SECS + 20)) iperf3 -c 10.1.0.10 -t "$SECS" -J $args > "$j" 2>&1
	r1=$(cpu_ticks "$pid") c1=$(cpu_ticks "$(cat "$T/charon.pid")")
	wait
	bytes=$(json_sum "$j" bytes) secs=$(json_sum "$j" seconds)
	if [ -z "$bytes" ] || [ -z "$secs" ]; then
		echo "    $name $esp $proto: iperf3 failed (see $j)"
		bytes=0 secs=1
	fi
	awk -v n="$name" -v e="$esp" -v p="$proto" -v b="$bytes" -v s="$secs" -v r=$((r1 - r0)) \
		-v c=$((c1 - c0)) -v t="$TICK" 'BEGIN {
		printf "%s %s %s %.1f %.2f %.2f %.4f\n", n, e, p, b * 8 / s / 1e6, r / t, c / t, b / 1e9 }' \
		>> "$RESULTS"
	tail -1 "$RESULTS" | awk '{printf "    %-8s %-14s %s: %8.1f Mbit/s, responder %.2f s CPU, client %.2f s CPU, %.3f GB\n",
		$1, $2, $3, $4, $5, $6, $7}'
}

client_conf_for() {	# client_conf_for ESP
	client_conf <<-EOF
	connections {
	  bench {
	    remote_addrs = $GW_ADDR
	    vips = 0.0.0.0
	    proposals = aes256gcm16-prfsha256-modp2048
	    keyingtries = 1
	    local { auth = eap-mschapv2
	            eap_id = alice }
	    remote { auth = pubkey
	             id = vpn.example.com }
	    children { net { remote_ts = 10.1.0.0/24
	                     esp_proposals = $1 } }
	  }
	}
	secrets { eap-alice { id = alice
	                      secret = "Alice-Pass-1" } }
	EOF
}

run_one() {	# run_one NAME PIDFILE ESP
	local out
	client_conf_for "$3"
	out=$(client_up bench)
	if ! printf '%s\n' "$out" | grep -qE "CHILD_SA net\{[0-9]+\} established"; then
		echo "    $1 $3: the client did not connect"; printf '%s\n' "$out" | tail -5
		return 1
	fi
	measure "$1" "$(cat "$2")" tcp "$3"
	measure "$1" "$(cat "$2")" udp "$3"
	sw --terminate --ike bench > /dev/null 2>&1
	sleep 0.5
}

lan_iperf_start || { echo "iperf3 server does not start"; exit 1; }
client_start || exit 1
echo "  $SECS s per run; ESP: $ESPS; $(nproc) CPUs"
ikegwd_conf
for esp in $ESPS; do
	gw_start || exit 1
	run_one ikegwd "$T/ikegwd.pid" "$esp"
	gw_stop
	resp_start || exit 1
	run_one libipsec "$T/resp.pid" "$esp"
	resp_stop
done

# ---------------------------------------------------------------- table

echo
printf '| ESP | test | ikegwd Mbit/s | libipsec Mbit/s | ratio | ikegwd CPU s/GB | libipsec CPU s/GB | ratio | client CPU s/GB (ikegwd / libipsec) |\n'
printf '|---|---|---:|---:|---:|---:|---:|---:|---|\n'
for esp in $ESPS; do
	for proto in tcp udp; do
		awk -v e="$esp" -v p="$proto" '
		$2 == e && $3 == p { m[$1] = $4; r[$1] = $7 > 0 ? $5 / $7 : 0; c[$1] = $7 > 0 ? $6 / $7 : 0 }
		END {
			if (!("ikegwd" in m) || !("libipsec" in m)) exit
			printf "| %s | %s | %.0f | %.0f | %.2f× | %.2f | %.2f | %.2f× | %.2f / %.2f |\n",
			    e, toupper(p), m["ikegwd"], m["libipsec"], m["libipsec"] ? m["ikegwd"] / m["libipsec"] : 0,
			    r["ikegwd"], r["libipsec"], r["libipsec"] ? r["ikegwd"] / r["libipsec"] : 0,
			    c["ikegwd"], c["libipsec"] }' "$RESULTS"
	done
done
echo
echo "  targets: throughput ratio >= 2x, CPU-per-GB ratio <= 0.5x (raw lines: $OUT/results.txt)"
cp "$RESULTS" "$T/results.log" 2>/dev/null
cp "$RESULTS" "$OUT/results.txt" 2>/dev/null
