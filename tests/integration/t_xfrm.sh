#!/usr/bin/env bash
# The "xfrm" kernel backend, as far as a kernel allows (the test kernel has
# XFRM but no ESP):
#  - its policy functions install out/in/fwd policies with tunnel templates
#    for a made-up CHILD SA (xfrm_policy.c), `ip xfrm policy` shows them,
#    with and without a mark, and removing them leaves the SPD empty;
#  - every shape of SA request it builds passes the kernel's own checks
#    (xfrm_policy sa-check: refused only for lack of ESP or an algorithm);
#  - ikegwd with backend "xfrm" probes for ESP at start-up and refuses to
#    run, naming CONFIG_INET_ESP and the "tun" backend; "auto" moves on to tun;
#  - with the probe skipped, a strongSwan client behind a NAT gets its IKE SA
#    over UDP 4500 (which now has UDP_ENCAP set) while the CHILD SA is
#    refused with the kernel's reason (TEMPORARY_FAILURE for the client), and
#    nothing is left in the SAD/SPD.
# On a kernel with ESP the no-ESP checks are skipped.
. "$(dirname "$0")/lib.sh"
itest_init xfrm
net_nat
pki_make	# client_start wants a CA, even for PSK

X=${IKEGW_BUILD:-$TOP/build}/tests/integration/xfrm_policy
[ -x "$X" ] || make -s -C "$TOP" "${X#"$TOP"/}" >/dev/null
if [ ! -x "$X" ]; then fail "xfrm_policy is built" "make $X"; exit 1; fi

# One line per policy: "src A dst B dir D priority P ptype main [mark M/M] tmpl src S dst D proto esp reqid R mode tunnel"
policies() {
	ip -n "$GW" xfrm policy | awk '/^src /{ if (b) print b; b = $0; next } { b = b " " $0 } END { if (b) print b }' \
		| tr -s ' \t' ' ' | sed 's/ $//'
}

# ---------------------------------------------------------------- policies

check "policies of a made-up CHILD SA go in" ip netns exec "$GW" "$X" add
pol=$(policies)
tm_out='tmpl src 192\.0\.2\.1 dst 198\.51\.100\.7 proto esp reqid 42 mode tunnel$'
tm_in='tmpl src 198\.51\.100\.7 dst 192\.0\.2\.1 proto esp reqid 42 mode tunnel$'
check_match "out: 10.1.0.0/24 -> 10.10.10.5, tunnel gw -> client" \
	"^src 10\.1\.0\.0/24 dst 10\.10\.10\.5/32 dir out priority [0-9]+ ptype main $tm_out" "$pol"
check_match "in: 10.10.10.5 -> 10.1.0.0/24, tunnel client -> gw" \
	"^src 10\.10\.10\.5/32 dst 10\.1\.0\.0/24 dir in priority [0-9]+ ptype main $tm_in" "$pol"
check_match "fwd: 10.10.10.5 -> 10.1.0.0/24, tunnel client -> gw" \
	"^src 10\.10\.10\.5/32 dst 10\.1\.0\.0/24 dir fwd priority [0-9]+ ptype main $tm_in" "$pol"
check_match "out: IPv6 selectors in the IPv4 tunnel" \
	"^src 2001:db8:1::/64 dst 2001:db8:ff::5/128 dir out priority [0-9]+ ptype main $tm_out" "$pol"
check_match "in: IPv6 selectors" \
	"^src 2001:db8:ff::5/128 dst 2001:db8:1::/64 dir in priority [0-9]+ ptype main $tm_in" "$pol"
check_match "fwd: IPv6 selectors" \
	"^src 2001:db8:ff::5/128 dst 2001:db8:1::/64 dir fwd priority [0-9]+ ptype main $tm_in" "$pol"
check "six policies, no mixed-family pairs" test "$(printf '%s\n' "$pol" | grep -c '^src')" -eq 6
check_match "the longer prefixes win (lower priority number)" \
	"dst 2001:db8:ff::5/128 dir out priority 199808 " "$pol"
check "installing again replaces, does not fail" ip netns exec "$GW" "$X" add
check "still six" test "$(policies | grep -c '^src')" -eq 6
check "removing them" ip netns exec "$GW" "$X" del
check "the SPD is empty again" test -z "$(ip -n "$GW" xfrm policy)"

check "with a mark" ip netns exec "$GW" "$X" --mark 0x2a/0xff add
pol=$(policies)
check "six marked policies" test "$(printf '%s\n' "$pol" | grep -c 'mark 0x2a/0xff tmpl')" -eq 6
check "removing marked policies" ip netns exec "$GW" "$X" --mark 0x2a/0xff del
check "the SPD is empty after the marked ones" test -z "$(ip -n "$GW" xfrm policy)"

# ---------------------------------------------------------------- SA messages

out=$(ip netns exec "$GW" "$X" sa-check 2>&1)
rc=$?
printf '%s\n' "$out" > "$T/sa-check.log"
check "every SA request shape is well formed for the kernel" test "$rc" -eq 0
check_nomatch "no request refused as invalid" "FAIL" "$out"
check "nothing stays in the SAD" test -z "$(ip -n "$GW" xfrm state)"

# ---------------------------------------------------------------- ikegwd start-up

engine() {	# engine BACKEND
	cat > "$T/engine.json" <<-EOF
	{
	  "version": 1,
	  "control_socket": "$T/ikegwd.sock",
	  "leases_file": "$T/leases.json",
	  "kernel": { "backend": "$1" },
	  "psk": "shared-secret-0123456789",
	  "pools": [ { "name": "p", "ipv4": "10.10.20.0/24" } ],
	  "phase1": [ {
	    "name": "mobile", "auth": "psk",
	    "local_id": { "type": "fqdn", "value": "vpn.example.com" },
	    "proposals": [ { "encryption": "aes-cbc", "key_length": 128,
	                     "integrity": "hmac-sha2-256-128", "prf": "hmac-sha2-256", "dh": "ecp256" } ],
	    "pool": "p",
	    "phase2": [ { "name": "lan", "local_ts": ["10.1.0.0/24"],
	      "proposals": [ { "encryption": "aes-cbc", "key_length": 128,
	                       "integrity": "hmac-sha2-256-128", "dh": "none" } ] } ]
	  } ]
	}
	EOF
}

if probe=$(ip netns exec "$GW" "$X" probe 2>&1); then
	echo "  (this kernel has ESP: the no-ESP checks are skipped)"
	engine xfrm
	gw_start && pass "ikegwd starts with the xfrm backend"
	check_log "it says so" "kernel backend xfrm" "$T/ikegwd.log"
	gw_stop
	exit 0
fi
check_match "the ESP probe: EPROTONOSUPPORT, no CONFIG_INET_ESP, use tun" \
	'refused a test ESP SA: Protocol not supported \(kernel: .+\) — this kernel has no ESP \(CONFIG_INET_ESP\); use the "tun" kernel backend' \
	"$probe"

engine xfrm
ip netns exec "$GW" timeout 10 "$BIN/ikegwd" -c "$T/engine.json" > "$T/ikegwd-xfrm.log" 2>&1
rc=$?
check "ikegwd with backend xfrm refuses to start (exit 1)" test "$rc" -eq 1
check_match "and says why and what to use" \
	'error kernel backend "xfrm": the kernel refused a test ESP SA: Protocol not supported .*— this kernel has no ESP \(CONFIG_INET_ESP\); use the "tun" kernel backend' \
	"$(cat "$T/ikegwd-xfrm.log")"
check "no control socket left" test ! -e "$T/ikegwd.sock"
check "the probe SA did not stay" test -z "$(ip -n "$GW" xfrm state)"

engine auto
ip netns exec "$GW" timeout 5 "$BIN/ikegwd" -c "$T/engine.json" > "$T/ikegwd-auto.log" 2>&1
rc=$?
log=$(cat "$T/ikegwd-auto.log")
check_match "auto: xfrm is not usable, tun is next" \
	'kernel backend auto: xfrm is not usable \(.*no ESP.*\); trying "tun"' "$log"
if printf '%s\n' "$log" | grep -q 'kernel backend tun'; then
	pass "auto: runs with tun"
else
	check "auto: without tun in the build, refuses" test "$rc" -eq 1
	check_match "auto: and names tun" 'the "tun" backend is not in this build' "$log"
fi
rm -f "$T/ikegwd.sock"

# ---------------------------------------------------------------- a client, no ESP

engine xfrm
IKEGW_XFRM_SKIP_PROBE=1 gw_start || exit 1
check_log "probe skipped (test switch) and said so" "IKEGW_XFRM_SKIP_PROBE=1" "$T/ikegwd.log"
spd=$(ip -n "$GW" xfrm policy)
check_match "IKE sockets bypass IPsec (socket in)" "socket in" "$spd"
check_match "IKE sockets bypass IPsec (socket out)" "socket out" "$spd"
client_start || exit 1
client_conf <<EOF
connections {
  c {
    remote_addrs = $GW_ADDR
    vips = 0.0.0.0
    proposals = aes128-sha256-ecp256
    keyingtries = 1
    local { auth = psk
            id = erin }
    remote { auth = psk
             id = vpn.example.com }
    children { net { remote_ts = 10.1.0.0/24
                     esp_proposals = aes128-sha256 } }
  }
}
secrets { ike { secret = "shared-secret-0123456789" } }
EOF
out=$(client_up c)
printf '%s\n' "$out" > "$T/client-up.log"
check_log "IKE went to UDP 4500 (NAT), where UDP_ENCAP is set" "to 192\.0\.2\.1\[4500\]" "$T/charon.log"
check_match "the IKE SA is established through the encap socket" "ESTABLISHED +erin" "$(ctl list-sas)"
check_log "the CHILD SA is refused with the kernel's reason" \
	'installing CHILD SA failed: kernel refused the inbound ESP SA [0-9a-f]{8}: Protocol not supported — this kernel has no ESP \(CONFIG_INET_ESP\); use the "tun" kernel backend$' \
	"$T/ikegwd.log"
check_log "the client hears TEMPORARY_FAILURE" "TEMPORARY_FAILURE" "$T/charon.log"
check_match "no kernel SAs in ikegwd" '"sas":\[\]' "$(ctl --json kernel-sas | tr -d ' \n')"
check "nothing in the SAD" test -z "$(ip -n "$GW" xfrm state)"
check "nothing in the SPD but the socket bypasses" test -z "$(policies | grep -v ' socket ')"
check_nomatch "the client has no CHILD SA" "INSTALLED" "$(client_sas)"
gw_stop
check "ikegwd leaves no policy behind" test -z "$(ip -n "$GW" xfrm policy)"
