#!/usr/bin/env bash
# bench/handshake.sh — IKEv2 handshake rate, connect latency and memory per
# SA: ikegwd against strongSwan charon as the responder, same initiator,
# same machine, same run.
#
#   rw (build/bench/ikeload, BENCH_SOURCES source addresses) ── gw (responder)
#
# Rows (BENCH_ROWS, default "rsa ecdsa"):
#   rsa    EAP-MSCHAPv2, RSA-2048 server certificate, IKE aes256gcm16-prfsha256-modp2048
#   ecdsa  EAP-MSCHAPv2, ECDSA P-256 server certificate, IKE aes256gcm16-prfsha256-curve25519
# ESP aes256gcm16 in both; every client asks for a pool address.
#
# Responders:
#   ikegwd  kernel backend "null" (no data plane; SAs are not installed
#           anywhere), half_open_cookie/half_open_per_source out of the way.
#   charon  strongSwan 5.9.8 with kernel-libipsec (userspace ESP like ours:
#           charon cannot skip installing CHILD SAs, libipsec installs them
#           in its own process), in its own mount namespace with a private
#           /run; swanctl with the same users (eap secrets), pool,
#           certificate and key.  Its DoS protection is lifted so that it
#           neither drops nor cookies the load — see charon_conf below for
#           every setting and why.  charon.threads: each row tries 2x the
#           cores (on top of the threads its long-running jobs hold) and the
#           default (16) once and keeps the faster.
# Users: user1..userN, N = the handshakes of one run (fresh responder per
# run), the same for both; charon looks EAP secrets up in a list, so its
# cost per handshake grows with N (ikegwd: binary search).  So each row
# also runs both with BENCH_SMALL (500) users and handshakes per run (last
# column).
#
# Per row and responder: BENCH_RUNS (3) runs of BENCH_CLIENTS handshakes
# (row rsa: 3000, ecdsa: 6000) at BENCH_CONC (64) in flight, each on a
# freshly started responder; the median rate is reported, with the latency
# (first IKE_SA_INIT sent to the last IKE_AUTH response, which carries the
# CHILD SA: charon sends it after installing the CHILD SA) of that run.
# Unloaded latency: BENCH_IDLE (200) handshakes one at a time.  Memory: the
# responder's VmRSS (/proc/PID/status) after a 20-handshake warm-up (deleted)
# and again holding BENCH_HOLD (1000) established IKE SA + CHILD SA pairs;
# per SA = delta / BENCH_HOLD.  ikegwd is measured twice: with the null
# backend (the rate runs' setup; its CHILD SA record is a full copy of what
# a kernel backend gets, keys included) and with its userspace ESP ("tun",
# per-SA cipher contexts, one route per CHILD SA), which is what charon's
# kernel-libipsec figure compares with.
#
# Crypto limit, measured with `openssl speed` in the same run: per handshake
# the responder signs once and does two DH operations (key generation and
# shared secret): limit = 1 / (t_sign + 2 t_dh) for one core, twice that for
# two.  ikegwd is single-threaded: the 70 % target is taken against the
# one-core limit (the other core runs the initiator, which does the same two
# DH operations per handshake).
#
# BENCH_PERF=1 records a perf profile (perf record -g) of the responder in
# every rate run into test-output/integration/bench-handshake/.  Needs root; not part of
# `make test`.
set -u
. "$(dirname "$0")/../tests/integration/lib.sh"
ROWS=${BENCH_ROWS:-"rsa ecdsa"}
RUNS=${BENCH_RUNS:-3}
CONC=${BENCH_CONC:-64}
NSRC=${BENCH_SOURCES:-32}
HOLD=${BENCH_HOLD:-1000}
IDLE=${BENCH_IDLE:-200}
SMALL=${BENCH_SMALL:-500}
SPEED_SECS=${BENCH_SPEED_SECONDS:-3}
CPUS=$(nproc)
# charon's long-running jobs (receiver, scheduler, watcher, kernel-netlink,
# kernel-libipsec, vici ...) hold 10 of its threads for good here (swanctl
# --stats at rest: "16 total, 6 idle"); with threads = 4 it never answers
# vici.  "2x the cores" is therefore 10 + 2 x cores threads.
CHARON_BLOCKED=10
THREAD_CHOICES=${BENCH_THREADS:-"$((CHARON_BLOCKED + 2 * CPUS)) 16"}
itest_init bench-handshake
# SIGINT sent to this script alone (not to its process group) would let it go
# on after the running command; stop instead (the EXIT trap cleans up)
trap 'echo "  interrupted"; exit 130' INT
ikeload_built || exit 1
RESULTS=$T/results.txt
: > "$RESULTS"

clients_for() {	# clients_for ROW: handshakes per rate run
	if [ -n "${BENCH_CLIENTS:-}" ]; then echo "$BENCH_CLIENTS"; return; fi
	case $1 in rsa) echo 3000 ;; *) echo 6000 ;; esac
}
# users per row: as many as one run's handshakes (each run starts a fresh
# responder, so a user connects at most once per responder)
users_for() {
	local n
	n=$(clients_for "$1")
	[ "$HOLD" -gt "$n" ] && n=$HOLD
	[ "$IDLE" -gt "$n" ] && n=$IDLE
	echo "$n"
}

# ---------------------------------------------------------------- network, PKI, users

# rw 192.0.2.2 ── 192.0.2.1 gw 10.1.0.1 ── lan (net_basic; lan only gives gw
# an address inside phase 2's local_ts, which charon's kernel-libipsec needs
# for its per-CHILD-SA route)
net_basic
for i in $(seq 0 $((NSRC - 1))); do
	ip -n "$RW" addr add "192.0.2.$((10 + i))/24" dev eth0
done
pki_make
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
	-keyout "$T/pki/server-ec.key" -out "$T/pki/server-ec.csr" \
	-subj "/C=US/O=ikegw test/CN=vpn.example.com" 2>/dev/null
openssl x509 -req -in "$T/pki/server-ec.csr" -CA "$T/pki/ca.pem" -CAkey "$T/pki/ca.key" \
	-CAcreateserial -days 30 -out "$T/pki/server-ec.pem" -extfile <(printf '%s\n' \
	"subjectAltName=DNS:vpn.example.com,IP:192.0.2.1" \
	"extendedKeyUsage=serverAuth,1.3.6.1.5.5.8.2.2" \
	"keyUsage=critical,digitalSignature") 2>/dev/null
# make_users N: user1..userN for both responders, one password for all
# (one NT hash, computed by openssl, not by ikegw)
PASS=Bench-Pass-1
NTH=$(nt_hash "$PASS")
make_users() {
	NUSERS=$1
	awk -v n="$1" -v h="$NTH" 'BEGIN {
		for (i = 1; i <= n; i++)
			printf "    { \"name\": \"user%d\", \"nt_hash\": \"%s\" }%s\n", i, h, i < n ? "," : "" }' \
		> "$T/users.json"
	awk -v n="$1" -v p="$PASS" 'BEGIN {
		for (i = 1; i <= n; i++) printf "  eap-u%d { id = user%d\n            secret = \"%s\" }\n", i, i, p }' \
		> "$T/eap-secrets.conf"
}

row_cert() { case $1 in rsa) echo server ;; *) echo server-ec ;; esac; }
row_dh() { case $1 in rsa) echo modp2048 ;; *) echo curve25519 ;; esac; }
row_ike() { echo "aes256gcm16-prfsha256-$(row_dh "$1")"; }
row_title() {
	case $1 in
	rsa) echo "RSA-2048 + modp2048" ;;
	*) echo "ECDSA P-256 + curve25519" ;;
	esac
}

# ---------------------------------------------------------------- crypto limit (openssl speed)

# speed_of ALGO: the openssl speed line(s) of ALGO, measured now.
echo "  openssl speed, ${SPEED_SECS} s per algorithm ..."
SPEED=$(openssl speed -seconds "$SPEED_SECS" rsa2048 ffdh2048 ecdsap256 ecdhx25519 2>/dev/null)
printf '%s\n' "$SPEED" > "$T/openssl-speed.log"
RSA_SIGN=$(printf '%s\n' "$SPEED" | awk '/^rsa 2048 bits/ {print $(NF-1)}')
FFDH=$(printf '%s\n' "$SPEED" | awk '/^2048 bits ffdh/ {print $NF}')
ECDSA_SIGN=$(printf '%s\n' "$SPEED" | awk '/ecdsa \(nistp256\)/ {print $(NF-1)}')
X25519=$(printf '%s\n' "$SPEED" | awk '/ecdh \(X25519\)/ {print $NF}')
for v in RSA_SIGN FFDH ECDSA_SIGN X25519; do
	if [ -z "${!v}" ]; then
		echo "  openssl speed gave no $v (see $OUT/openssl-speed.log)"; exit 1
	fi
done
echo "  openssl speed: rsa2048 $RSA_SIGN sign/s, ffdh2048 $FFDH op/s, ecdsap256 $ECDSA_SIGN sign/s, x25519 $X25519 op/s"
limit_for() {	# limit_for ROW: one-core handshakes/s limit
	case $1 in
	rsa) awk -v s="$RSA_SIGN" -v d="$FFDH" 'BEGIN {printf "%.0f", 1 / (1 / s + 2 / d)}' ;;
	*) awk -v s="$ECDSA_SIGN" -v d="$X25519" 'BEGIN {printf "%.0f", 1 / (1 / s + 2 / d)}' ;;
	esac
}

# ---------------------------------------------------------------- responders

ikegwd_conf() {	# ikegwd_conf ROW [BACKEND]
	cat > "$T/engine.json" <<-EOF
	{
	  "version": 1,
	  "control_socket": "$T/ikegwd.sock",
	  "leases_file": "$T/leases.json",
	  "kernel": { "backend": "${2:-null}" },
	  "half_open_cookie": 1000000,
	  "half_open_per_source": 0,
	  "server": { "certificate": $(json_file "$T/pki/$(row_cert "$1").pem"),
	              "private_key": $(json_file "$T/pki/$(row_cert "$1").key") },
	  "cas": [ { "name": "test", "certificate": $(json_file "$T/pki/ca.pem") } ],
	  "pools": [ { "name": "mobile", "ipv4": "10.10.0.0/16" } ],
	  "users": [
	$(cat "$T/users.json")
	  ],
	  "phase1": [ {
	    "name": "mobile", "auth": "eap-mschapv2",
	    "local_id": { "type": "fqdn", "value": "vpn.example.com" },
	    "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256, "prf": "hmac-sha2-256",
	                     "dh": "$(row_dh "$1")" } ],
	    "pool": "mobile",
	    "phase2": [ { "name": "lan", "local_ts": ["10.1.0.0/24"],
	      "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256 } ] } ]
	  } ]
	}
	EOF
}

# ikegwd at its default log level (info; gw_start would add -d, debug)
ikegwd_start() {
	rm -f "$T/leases.json"
	ip netns exec "$GW" "$BIN/ikegwd" -c "$T/engine.json" --pidfile "$T/ikegwd.pid" \
		>> "$T/ikegwd.log" 2>&1 &
	disown
	if ! wait_for 10 test -S "$T/ikegwd.sock" || ! wait_for 5 test -s "$T/ikegwd.pid"; then
		fail "ikegwd starts" "$(tail -20 "$T/ikegwd.log")"
		return 1
	fi
}

ikegwd_established() { ctl stats 2>/dev/null | grep -o '"established": [0-9]*' | awk '{print $2}'; }

# charon_conf ROW THREADS: strongswan.conf + swanctl.conf of the responder.
# Settings changed from strongSwan's defaults, and why:
#   threads = N                 2x cores or the default 16, the faster (see above)
#   dos_protection = no         with cookie_threshold = 0 and block_threshold = 0:
#                               no COOKIE round (default: above 10 half-open
#                               SAs) and no drop of a source with more than 5
#                               half-open SAs (the initiator has BENCH_CONC in
#                               flight from BENCH_SOURCES addresses)
#   init_limit_half_open = 0, init_limit_job_load = 0, ikesa_limit = 0
#                               no global limits (these are the defaults,
#                               spelled out)
#   half_open_timeout = 60      (default 30) a queued IKE_SA_INIT is not timed out
#   ikesa_table_size = 4096, ikesa_table_segments = 16
#                               (defaults 1 and 1: one list for all IKE SAs)
#                               the hash table strongSwan recommends for
#                               many SAs; fewer lock collisions between threads
# Left as they are: kernel-libipsec installs every CHILD SA in charon's own
# process and adds a route to its TUN device per CHILD SA (netlink); no
# setting turns that off (charon.install_routes is for kernel-netlink).
#   filelog at level 0 (default 1), no flush per line: charon logs about 20
#                               lines per handshake at level 1, ikegwd about 3
#                               at info
# Plugins: the Debian set (include /etc/strongswan.d/charon/*.conf) plus
# kernel-libipsec; vici on a socket in $T/resp.
charon_conf() {
	local d=$T/resp
	mkdir -p "$d/x509ca" "$d/x509" "$d/private"
	rm -f "$d"/x509/* "$d"/private/*
	cp "$T/pki/ca.pem" "$d/x509ca/"
	cp "$T/pki/$(row_cert "$1").pem" "$d/x509/server.pem"
	cp "$T/pki/$(row_cert "$1").key" "$d/private/server.key"
	cat > "$d/strongswan.conf" <<-EOF
	charon {
		load_modular = yes
		threads = $2
		dos_protection = no
		cookie_threshold = 0
		block_threshold = 0
		init_limit_half_open = 0
		init_limit_job_load = 0
		ikesa_limit = 0
		half_open_timeout = 60
		ikesa_table_size = 4096
		ikesa_table_segments = 16
		plugins {
			include /etc/strongswan.d/charon/*.conf
			kernel-libipsec { load = yes }
			vici { socket = unix://$d/charon.vici }
		}
		filelog {
			log { path = $T/resp-charon.log
			      default = 0 }
		}
	}
	EOF
	cat > "$d/swanctl.conf" <<-EOF
	connections {
	  rw {
	    pools = mobile
	    proposals = $(row_ike "$1")
	    local { auth = pubkey
	            certs = server.pem
	            id = vpn.example.com }
	    remote { auth = eap-mschapv2
	             eap_id = %any }
	    children { net { local_ts = 10.1.0.0/24
	                     esp_proposals = aes256gcm16 } }
	    send_certreq = no
	    send_cert = always
	  }
	}
	pools { mobile { addrs = 10.10.0.0/16 } }
	secrets {
	  private-server { file = server.key }
	$(cat "$T/eap-secrets.conf")
	}
	EOF
}

charon_start() {
	local d=$T/resp
	rm -f "$d/charon.vici" "$T/resp.pid"
	ip netns exec "$GW" unshare -m --propagation private sh -c \
		"mount -t tmpfs none /run && echo \$\$ > $T/resp.pid && STRONGSWAN_CONF=$d/strongswan.conf exec /usr/lib/ipsec/charon" \
		>> "$T/resp-stdout.log" 2>&1 &
	disown
	if ! wait_for 15 test -S "$d/charon.vici"; then
		fail "charon starts" "$(tail -20 "$T/resp-stdout.log" "$T/resp-charon.log" 2>/dev/null)"
		return 1
	fi
	if ! swanctl --load-all --uri "unix://$d/charon.vici" --file "$d/swanctl.conf" \
		> "$T/resp-load.log" 2>&1; then
		fail "swanctl loads the responder's configuration" "$(tail -20 "$T/resp-load.log")"
		return 1
	fi
}

charon_stop() { resp_stop_pid; }
resp_stop_pid() {
	local pid
	[ -f "$T/resp.pid" ] || return 0
	pid=$(cat "$T/resp.pid")
	kill "$pid" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null
	rm -f "$T/resp.pid" "$T/resp/charon.vici"
}

charon_established() {
	swanctl --stats --uri "unix://$T/resp/charon.vici" 2>/dev/null |
		awk '/IKE_SAs:/ {print $2 - $4; exit}'	# "IKE_SAs: N total, M half-open"
}

resp_start() {	# resp_start NAME ROW [THREADS]: prints the responder's pid
	case $1 in
	ikegwd) ikegwd_conf "$2"; ikegwd_start ;;
	ikegwd-tun) ikegwd_conf "$2" tun; ikegwd_start ;;
	charon) charon_conf "$2" "$3"; charon_start ;;
	esac
}
resp_stop() { case $1 in ikegwd*) gw_stop ;; charon) charon_stop ;; esac; }
resp_pid() { case $1 in ikegwd*) cat "$T/ikegwd.pid" ;; charon) cat "$T/resp.pid" ;; esac; }
resp_established() { case $1 in ikegwd*) ikegwd_established ;; charon) charon_established ;; esac; }

# ---------------------------------------------------------------- measuring

jnum() { grep -o "\"$2\": [0-9.e+-]*" "$1" | head -1 | awk '{print $2}'; }
# ikeload_run OUTFILE ROW ARGS...: one load in rw, JSON summary in OUTFILE
ikeload_run() {
	local out=$1 row=$2
	shift 2
	ip netns exec "$RW" "$IKELOAD" --server "$GW_ADDR" \
		--sources "192.0.2.10/24/$NSRC" --user-pattern 'user%d' --password "$PASS" \
		--ca "$T/pki/ca.pem" --remote-id vpn.example.com \
		--ike-proposal "$(row_ike "$row")" --esp-proposal aes256gcm16 \
		--timeout 30 --json "$@" > "$out" 2> "$out.err"
}

# rate_run NAME ROW RUN [THREADS]: one rate run on a fresh responder; appends
#   rate NAME ROW RUN THREADS hs/s median_ms p99_ms established clients
rate_run() {	# [CLIENTS] as 5th argument: instead of clients_for ROW
	local name=$1 row=$2 run=$3 th=${4:--} pid j n perf=""
	n=${5:-$(clients_for "$row")}
	resp_start "$name" "$row" "$th" || return 1
	pid=$(resp_pid "$name")
	j=$T/rate-$name-$row-$run-$th.json
	if [ -n "${BENCH_PERF:-}" ] && command -v perf > /dev/null; then
		perf=$OUT/perf-$name-$row-$run.data
		perf record -q -g -p "$pid" -o "$perf" > /dev/null 2>&1 &
		echo $! > "$T/perf.pid"
		sleep 0.5
	fi
	ikeload_run "$j" "$row" --clients "$n" --concurrency "$CONC"
	if [ -n "$perf" ]; then
		kill -INT "$(cat "$T/perf.pid")" 2>/dev/null
		wait "$(cat "$T/perf.pid")" 2>/dev/null
		rm -f "$T/perf.pid"
	fi
	cp "$j" "$OUT/" 2>/dev/null
	resp_stop "$name"
	if [ "$(jnum "$j" established)" != "$n" ]; then
		fail "$name $row run $run: all $n established" "$(cat "$j" "$j.err" | head -40)"
	fi
	printf 'rate %s %s %s %s %.1f %.2f %.2f %s %s\n' "$name" "$row" "$run" "$th" \
		"$(jnum "$j" handshakes_per_second)" "$(jnum "$j" median)" "$(jnum "$j" p99)" \
		"$(jnum "$j" established)" "$n" >> "$RESULTS"
	tail -1 "$RESULTS" | awk '{printf "    %-6s %-5s run %s threads %-2s %8.1f handshakes/s, latency median %.1f ms, p99 %.1f ms (%s/%s established)\n",
		$2, $3, $4, $5, $6, $7, $8, $9, $10}'
}

# idle_run NAME ROW [THREADS]: BENCH_IDLE handshakes one at a time; appends
#   idle NAME ROW median_ms p99_ms
idle_run() {
	local name=$1 row=$2 th=${3:--} j
	resp_start "$name" "$row" "$th" || return 1
	j=$T/idle-$name-$row.json
	ikeload_run "$j" "$row" --clients "$IDLE" --concurrency 1
	cp "$j" "$OUT/" 2>/dev/null
	resp_stop "$name"
	printf 'idle %s %s %.2f %.2f\n' "$name" "$row" "$(jnum "$j" median)" "$(jnum "$j" p99)" >> "$RESULTS"
	tail -1 "$RESULTS" | awk '{printf "    %-6s %-5s one at a time: latency median %.2f ms, p99 %.2f ms\n", $2, $3, $4, $5}'
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# mem_run NAME ROW [THREADS]: RSS before/while holding BENCH_HOLD SAs; appends
#   mem NAME ROW rss0_kB rss1_kB established bytes_per_sa
mem_run() {
	local name=$1 row=$2 th=${3:--} pid r0 r1 n=0 i
	resp_start "$name" "$row" "$th" || return 1
	pid=$(resp_pid "$name")
	ikeload_run "$T/warm-$name-$row.json" "$row" --clients 20 --concurrency 10 --delete \
		--index-base "$((NUSERS - 19))"
	sleep 1
	r0=$(rss_kb "$pid")
	ikeload_run "$T/hold-$name-$row.json" "$row" --clients "$HOLD" --concurrency "$CONC" \
		--hold 120 &
	echo $! > "$T/ikeload.pid"
	for i in $(seq 600); do
		n=$(resp_established "$name")
		[ "${n:-0}" -ge "$HOLD" ] && break
		kill -0 "$(cat "$T/ikeload.pid")" 2>/dev/null || break
		sleep 0.2
	done
	sleep 1
	r1=$(rss_kb "$pid")
	n=$(resp_established "$name")
	kill "$(cat "$T/ikeload.pid")" 2>/dev/null
	wait "$(cat "$T/ikeload.pid")" 2>/dev/null
	rm -f "$T/ikeload.pid"
	resp_stop "$name"
	if [ "${n:-0}" -lt "$HOLD" ]; then
		fail "$name $row: $HOLD SAs held (got ${n:-0})" "$(tail -5 "$T/hold-$name-$row.json.err" 2>/dev/null)"
	fi
	printf 'mem %s %s %s %s %s %.0f\n' "$name" "$row" "$r0" "$r1" "${n:-0}" \
		"$(awk -v a="$r0" -v b="$r1" -v n="$HOLD" 'BEGIN {print (b - a) * 1024 / n}')" >> "$RESULTS"
	tail -1 "$RESULTS" | awk '{printf "    %-6s %-5s VmRSS %d kB -> %d kB holding %d SAs: %.0f bytes per SA\n", $2, $3, $4, $5, $6, $7}'
}

# median_rate NAME ROW THREADS [small]: "hs/s median_ms p99_ms run" of the
# median-rate run (the main runs are numbered, the small ones s1, s2, ...)
median_rate() {
	awk -v n="$1" -v r="$2" -v t="$3" -v s="${4:-}" '$1 == "rate" && $2 == n && $3 == r && $5 == t &&
		(s == "" ? $4 ~ /^[0-9]+$/ : $4 ~ /^s/) {print $6, $7, $8, $4}' \
		"$RESULTS" | sort -n | awk '{a[NR] = $0} END {if (NR) print a[int((NR + 1) / 2)]}'
}

# ---------------------------------------------------------------- runs

echo "  $CPUS CPUs; $RUNS runs per responder; concurrency $CONC from $NSRC source addresses"
for row in $ROWS; do
	make_users "$(users_for "$row")"
	echo "  row $row: $(row_title "$row"), $(clients_for "$row") handshakes per run, $NUSERS users"
	# charon's thread count: one run with each choice, keep the faster
	best=""
	for th in $THREAD_CHOICES; do
		rate_run charon "$row" tune "$th"
	done
	best=$(awk -v r="$row" '$1 == "rate" && $2 == "charon" && $3 == r && $4 == "tune" {print $6, $5}' \
		"$RESULTS" | sort -n | tail -1 | awk '{print $2}')
	echo "$best" > "$T/threads-$row"
	echo "    charon threads = $best"
	for run in $(seq "$RUNS"); do
		rate_run ikegwd "$row" "$run"
		rate_run charon "$row" "$run" "$best"
	done
	idle_run ikegwd "$row"
	idle_run charon "$row" "$best"
	mem_run ikegwd "$row"
	mem_run ikegwd-tun "$row"
	mem_run charon "$row" "$best"
	# charon's cost per handshake grows with the users it holds: the same
	# runs with BENCH_SMALL users and handshakes
	make_users "$SMALL"
	for run in $(seq "$RUNS"); do
		rate_run ikegwd "$row" "s$run" - "$SMALL"
		rate_run charon "$row" "s$run" "$best" "$SMALL"
	done
done

# ---------------------------------------------------------------- table

echo
printf '| row | ikegwd handshakes/s | charon handshakes/s | ratio | crypto limit 1 core / 2 cores | ikegwd %% of limit (1 core / 2 cores) | latency ms at %s in flight, median / p99 (ikegwd; charon) | latency ms one at a time, median / p99 (ikegwd; charon) | memory per SA, bytes: ikegwd null (tun); charon | with %s users: ikegwd / charon handshakes/s, ratio |\n' "$CONC" "$SMALL"
printf '|---|---:|---:|---:|---:|---:|---|---|---|---|\n'
for row in $ROWS; do
	th=$(cat "$T/threads-$row")
	read -r gr gm gp _ <<< "$(median_rate ikegwd "$row" -)"
	read -r cr cm cp _ <<< "$(median_rate charon "$row" "$th")"
	read -r gs _ <<< "$(median_rate ikegwd "$row" - small)"
	read -r cs _ <<< "$(median_rate charon "$row" "$th" small)"
	lim=$(limit_for "$row")
	read -r _ _ _ gim gip <<< "$(grep "^idle ikegwd $row " "$RESULTS" | awk '{print $1, $2, $3, $4, $5}')"
	read -r _ _ _ cim cip <<< "$(grep "^idle charon $row " "$RESULTS" | awk '{print $1, $2, $3, $4, $5}')"
	gmem=$(awk -v r="$row" '$1 == "mem" && $2 == "ikegwd" && $3 == r {print $7}' "$RESULTS")
	cmem=$(awk -v r="$row" '$1 == "mem" && $2 == "charon" && $3 == r {print $7}' "$RESULTS")
	tmem=$(awk -v r="$row" '$1 == "mem" && $2 == "ikegwd-tun" && $3 == r {print $7}' "$RESULTS")
	awk -v t="$(row_title "$row")" -v gr="${gr:-0}" -v cr="${cr:-0}" -v l="$lim" \
		-v gm="${gm:-0}" -v gp="${gp:-0}" -v cm="${cm:-0}" -v cp="${cp:-0}" \
		-v gim="${gim:-0}" -v gip="${gip:-0}" -v cim="${cim:-0}" -v cip="${cip:-0}" \
		-v gmem="${gmem:-0}" -v cmem="${cmem:-0}" -v tmem="${tmem:-0}" -v th="$th" \
		-v gs="${gs:-0}" -v cs="${cs:-0}" 'BEGIN {
		ratio = cr > 0 ? gr / cr : 0
		p1 = l > 0 ? 100 * gr / l : 0
		rs = cs > 0 ? gs / cs : 0
		printf "| %s | %.0f | %.0f (threads %s) | %.2f× | %d / %d | %.0f %% / %.0f %% | %.1f / %.1f; %.1f / %.1f | %.2f / %.2f; %.2f / %.2f | %.0f (%.0f); %.0f | %.0f / %.0f, %.2f× |\n",
		    t, gr, cr, th, ratio, l, 2 * l, p1, p1 / 2, gm, gp, cm, cp, gim, gip, cim, cip, gmem, tmem, cmem, gs, cs, rs }'
done
echo
echo "  targets: ratio >= 2x, ikegwd >= 70 % of the 1-core crypto limit, memory per SA <= 4096 bytes"
echo "  (raw lines: $OUT/results.txt; openssl speed: $OUT/openssl-speed.log)"
cp "$RESULTS" "$OUT/results.txt" 2>/dev/null
