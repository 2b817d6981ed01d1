#!/usr/bin/env bash
# Userspace ESP over TUN (kernel backend "tun") against strongSwan 5.9.8
# with kernel-libipsec:
#  (1) for AES-GCM-16-256 and for AES-CBC-256 + HMAC-SHA2-256-128: the
#      client pings the LAN host (10.1.0.10) from its virtual IP and the LAN
#      host pings the client back; iperf3 TCP (both directions) and UDP run
#      through the tunnel; ikegwctl list-sas counts exactly the pings;
#  (2) an ESP packet captured on gw's wan0 and re-sent from rw is dropped
#      as a replay; the same packet with a flipped bit in its (authenticated)
#      sequence number passes the window and is dropped by the ICV check;
#      both show in ikegwctl kernel-sas, per SA and table-wide;
#  (3) selectors: the client asks for 0.0.0.0/0 and gets 10.1.0.0/24.  lan
#      also answers on 10.2.0.10, a network no phase 2 covers.  Traffic
#      from 10.2.0.10 to the client's address is routed by gw into the TUN
#      device (its route is a /32 to ipsec0) but the data plane refuses to
#      put it into the CHILD SA (outbound selector check, counted as
#      "selector"), and the client's SA sees none of it; the client itself
#      has no tunnel route to 10.2.0.0/24.  (A client cannot be made to send
#      inner packets outside its own policy, so the inbound selector check
#      is covered by tests/unit/test_esp.c and the fuzz target.)
#  (4) a CHILD SA rekey by the client moves the traffic to the new SA.
. "$(dirname "$0")/lib.sh"
itest_init dataplane
if [ ! -x "$ITOOLS/esptool" ]; then
	fail "esptool is built (make $ITOOLS/esptool)"; exit 1
fi
net_basic
net_lan2
pki_make

cat > "$T/engine.json" <<EOF
{
  "version": 1,
  "control_socket": "$T/ikegwd.sock",
  "leases_file": "$T/leases.json",
  "kernel": { "backend": "tun", "tun_name": "ipsec0" },
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
gw_start || exit 1
check "ikegwd created the TUN device ipsec0 (up, MTU 1400)" sh -c \
	"ip -n $GW link show ipsec0 | grep -q 'mtu 1400' && ip -n $GW link show ipsec0 | grep -q UP"
client_start || exit 1
lan_iperf_start || fail "iperf3 server starts on lan"

conn() {	# conn NAME ESP_PROPOSAL
	cat <<-EOF
	  $1 {
	    remote_addrs = $GW_ADDR
	    vips = 0.0.0.0
	    proposals = aes256gcm16-prfsha256-modp2048
	    keyingtries = 1
	    local { auth = eap-mschapv2
	            eap_id = alice }
	    remote { auth = pubkey
	             id = vpn.example.com }
	    children { net { remote_ts = 0.0.0.0/0
	                     esp_proposals = $2 } }
	  }
	EOF
}
client_conf <<EOF
connections {
$(conn gcm aes256gcm16)
$(conn cbc aes256-sha256)
}
secrets { eap-alice { id = alice
                      secret = "Alice-Pass-1" } }
EOF

# iperf ARGS...: iperf3 from rw to lan; retried while the server is still
# finishing the previous test ("busy", "connection refused").
iperf() {
	local i out
	for i in 1 2 3 4 5; do
		out=$(ip netns exec "$RW" timeout 20 iperf3 -c 10.1.0.10 "$@" 2>&1)
		printf '%s\n' "$out" | grep -qE "unable to connect|server is busy" || break
		sleep 1
	done
	printf '%s\n' "$out"
}

# run_traffic LABEL: pings both ways, counters, iperf3 TCP/UDP.
run_traffic() {
	local l=$1 vip out pi po bi bo
	vip=$(client_sas | grep -oE '\[10\.10\.10\.[0-9]+\]' | head -1 | tr -d '[]')
	check "$l: gw routes the client's $vip/32 to ipsec0" sh -c \
		"ip -n $GW route show $vip | grep -q 'dev ipsec0'"
	pi=$(child_field packets_in) po=$(child_field packets_out)
	bi=$(child_field bytes_in) bo=$(child_field bytes_out)
	out=$(ip netns exec "$RW" ping -c 20 -i 0.05 -W 2 10.1.0.10 2>&1)
	check_match "$l: rw pings 10.1.0.10 through the tunnel (20/20)" "20 received" "$out"
	# ICMP echo of 56 data bytes: 84-byte IP packets, counted as inner bytes.
	check "$l: list-sas counts 20 packets in ($pi -> $(child_field packets_in))" \
		test "$(child_field packets_in)" -eq $((pi + 20))
	check "$l: list-sas counts 20 packets out" test "$(child_field packets_out)" -eq $((po + 20))
	check "$l: list-sas counts 20 x 84 bytes in" test "$(child_field bytes_in)" -eq $((bi + 1680))
	check "$l: list-sas counts 20 x 84 bytes out" test "$(child_field bytes_out)" -eq $((bo + 1680))
	check_match "$l: CHILD SA last used just now" "\"last_used\": [1-9]" "$(ctl --json list-sas)"
	out=$(ip netns exec "$LAN" ping -c 5 -i 0.1 -W 2 "$vip" 2>&1)
	check_match "$l: lan pings the client's $vip back" "5 received" "$out"
	out=$(iperf -t 3)
	printf '%s\n' "$out" > "$T/iperf3-$l-tcp.log"
	check_match "$l: iperf3 TCP rw -> lan" "receiver" "$out"
	out=$(iperf -t 3 -R)
	printf '%s\n' "$out" > "$T/iperf3-$l-tcp-r.log"
	check_match "$l: iperf3 TCP lan -> rw" "receiver" "$out"
	out=$(iperf -t 3 -u -b 50M -l 1300)
	printf '%s\n' "$out" > "$T/iperf3-$l-udp.log"
	# Loss stays small at 50 Mbit/s: the "receiver" line shows lost/total (pct%).
	check_match "$l: iperf3 UDP rw -> lan at 50 Mbit/s, loss under 5 %" \
		"\(([0-4](\.[0-9]+)?|[0-9]e-[0-9]+)%\) +receiver" "$out"
	echo "    $l: $(grep -E 'receiver' "$T/iperf3-$l-tcp.log" | awk '{print $7, $8}') TCP up," \
		"$(grep -E 'receiver' "$T/iperf3-$l-tcp-r.log" | awk '{print $7, $8}') TCP down"
}

# (1) AES-GCM
out=$(client_up gcm)
check_match "gcm: connects" "CHILD_SA net\{[0-9]+\} established" "$out"
kern=$(ctl --json kernel-sas)
check_match "gcm: the data plane holds AES_GCM_16 keys" '"encryption": "AES_GCM_16"' "$kern"
check_match "gcm: ESP in UDP" '"encap": true' "$kern"
check_match "gcm: the client got 10.1.0.0/24 for 0.0.0.0/0" "remote 10\.1\.0\.0/24" "$(client_sas)"
run_traffic gcm

# (2) replay and a flipped bit: capture one of rw's ESP packets on gw's wan0.
ip netns exec "$GW" "$ITOOLS/esptool" capture wan0 4500 "$T/esp.bin" 10 > "$T/esptool.log" 2>&1 &
cap=$!
sleep 0.5
ip netns exec "$RW" ping -c 5 -i 0.2 10.1.0.10 > /dev/null 2>&1
if wait "$cap"; then pass "captured an ESP packet on gw's wan0"
else fail "captured an ESP packet on gw's wan0" "$(cat "$T/esptool.log")"; fi
r0=$(sa_drop replay) i0=$(sa_drop icv) pin=$(child_field packets_in)
check "re-send the captured packet from rw" ip netns exec "$RW" "$ITOOLS/esptool" send \
	"$GW_ADDR" 4500 "$T/esp.bin"
# Byte 4 is the top of the sequence number: the window lets it through
# (far ahead), the ICV, which covers it, does not.
check "re-send it with a flipped bit" ip netns exec "$RW" "$ITOOLS/esptool" send \
	"$GW_ADDR" 4500 "$T/esp.bin" 4
sleep 0.3
check "replay dropped and counted on the SA ($r0 -> $(sa_drop replay))" \
	test "$(sa_drop replay)" -eq $((r0 + 1))
check "flipped bit dropped and counted as ICV ($i0 -> $(sa_drop icv))" \
	test "$(sa_drop icv)" -eq $((i0 + 1))
check "table-wide counters show both" test "$(dp_drop replay)" -ge 1 -a "$(dp_drop icv)" -ge 1
check "neither reached the LAN (packets_in unchanged)" test "$(child_field packets_in)" -eq "$pin"
check_match "ikegwd is still running" "ESTABLISHED" "$(ctl list-sas)"

# (3) selectors
vip=$(client_sas | grep -oE '\[10\.10\.10\.[0-9]+\]' | head -1 | tr -d '[]')
s0=$(sa_drop selector) po=$(child_field packets_out)
out=$(ip netns exec "$LAN" ping -c 5 -i 0.1 -W 1 -I 10.2.0.10 "$vip" 2>&1)
check_match "10.2.0.10 (outside the selectors) does not reach the client" "0 received" "$out"
check "gw counted 5 selector drops ($s0 -> $(sa_drop selector))" \
	test "$(sa_drop selector)" -eq $((s0 + 5))
check "no packet of it entered the CHILD SA" test "$(child_field packets_out)" -eq "$po"
check_not "rw has no tunnel route to 10.2.0.10" \
	ip netns exec "$RW" ping -c 2 -i 0.2 -W 1 10.2.0.10
sw --terminate --ike gcm > /dev/null 2>&1
wait_for 5 sh -c "! $BIN/ikegwctl -s $T/ikegwd.sock list-sas | grep -q ESTABLISHED"
check_nomatch "route to $vip removed with the SA" "ipsec0" "$(ip -n "$GW" route show "$vip")"

# (1) again with AES-CBC + HMAC-SHA2-256-128
out=$(client_up cbc)
check_match "cbc: connects" "CHILD_SA net\{[0-9]+\} established" "$out"
check_match "cbc: the data plane holds AES-CBC/HMAC-SHA2-256-128" \
	'"integrity": "HMAC_SHA2_256_128"' "$(ctl --json kernel-sas)"
run_traffic cbc

# (4) a CHILD rekey by the client: the new SA takes over, the old one goes,
# and the shared /32 route survives the old SA's removal.
old_spi=$(ctl --json kernel-sas | grep -o '"spi_in": "[0-9a-f]*"' | head -1)
sw --rekey --child net > "$T/rekey.log" 2>&1
wait_for 10 sh -c "[ \$($BIN/ikegwctl -s $T/ikegwd.sock --json kernel-sas | grep -c '\"spi_in\"') -eq 1 ] &&
	! $BIN/ikegwctl -s $T/ikegwd.sock --json kernel-sas | grep -q '$old_spi'"
new_spi=$(ctl --json kernel-sas | grep -o '"spi_in": "[0-9a-f]*"' | head -1)
check "rekey: one data plane SA, a new SPI ($old_spi -> $new_spi)" \
	test -n "$new_spi" -a "$new_spi" != "$old_spi"
vip=$(client_sas | grep -oE '\[10\.10\.10\.[0-9]+\]' | head -1 | tr -d '[]')
check "rekey: route to $vip kept" sh -c "ip -n $GW route show $vip | grep -q 'dev ipsec0'"
out=$(ip netns exec "$RW" ping -c 5 -i 0.1 -W 2 10.1.0.10 2>&1)
check_match "rekey: traffic flows on the new SA" "5 received" "$out"
check "rekey: the new SA counted it" test "$(child_field packets_in)" -ge 5
sw --terminate --ike cbc > /dev/null 2>&1
