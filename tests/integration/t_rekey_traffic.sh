#!/usr/bin/env bash
# Rekeying under traffic, with the userspace data plane (tun backend):
#  - the client rekeys its CHILD SA (with PFS) and its IKE SA every few
#    seconds while it pings the LAN host: not one ping is lost;
#  - ikegwd rekeys the CHILD SA itself at its soft volume limit (90 % of
#    life_packets; the client's lifetimes are long): the client sees the
#    rekey, traffic goes on;
#  - ikegwd rekeys at its soft lifetime (90 % of 60 s, less a little
#    jitter) while the client rekeys at about the same time;
#  - a rekey collision forced on purpose (RFC 7296 2.8.1): the client's
#    answers are held back while ikegwd and the client each start a rekey
#    of the same CHILD SA; once they flow again both sides settle on one
#    CHILD SA and traffic passes.
. "$(dirname "$0")/lib.sh"
itest_init rekey_traffic
net_basic
pki_make
engine() {	# engine PHASE2_LIFETIME [LIFE_PACKETS]
	cat > "$T/engine.json" <<-EOF
	{
	  "version": 1,
	  "control_socket": "$T/ikegwd.sock",
	  "leases_file": "$T/leases.json",
	  "kernel": { "backend": "tun", "tun_name": "ipsec0" },
	  "server": { "certificate": $(json_file "$T/pki/server.pem"),
	              "private_key": $(json_file "$T/pki/server.key") },
	  "pools": [ { "name": "mobile", "ipv4": "10.10.10.0/24" } ],
	  "users": [ { "name": "alice", "nt_hash": "$(nt_hash Alice-Pass-1)" } ],
	  "phase1": [ {
	    "name": "mobile", "auth": "eap-mschapv2",
	    "local_id": { "type": "fqdn", "value": "vpn.example.com" },
	    "proposals": [ { "encryption": "aes-gcm-16", "key_length": 128, "prf": "hmac-sha2-256", "dh": "ecp256" } ],
	    "dpd_delay": 0,
	    "pool": "mobile",
	    "phase2": [ { "name": "lan", "local_ts": ["10.1.0.0/24"], "lifetime": $1, "life_packets": ${2:-0},
	      "proposals": [ { "encryption": "aes-gcm-16", "key_length": 128, "dh": "ecp256" } ] } ]
	  } ]
	}
	EOF
}
engine 3600
gw_start || exit 1
client_start || exit 1
conn() {	# conn NAME IKE_REKEY CHILD_REKEY
	cat <<-EOF
	  $1 {
	    remote_addrs = $GW_ADDR
	    vips = 0.0.0.0
	    proposals = aes128gcm16-prfsha256-ecp256
	    rekey_time = $2
	    over_time = 600s
	    rand_time = 0s
	    local { auth = eap-mschapv2
	            id = $1
	            eap_id = alice }
	    remote { auth = pubkey
	             id = vpn.example.com }
	    children { net { remote_ts = 10.1.0.0/24
	                     esp_proposals = aes128gcm16-ecp256
	                     rekey_time = $3
	                     life_time = 3600s
	                     rand_time = 0s } }
	  }
	EOF
}
client_conf <<EOF
connections {
$(conn busy 7s 3s)
$(conn calm 3600s 3000s)
$(conn both 3600s 52s)
}
secrets { eap-alice { id = alice
                      secret = "Alice-Pass-1" } }
EOF

pings() {	# pings SECONDS — ping the LAN host from the virtual IP, prints the loss
	local vip
	vip=$(client_sas | grep -oE '\[10\.10\.10\.[0-9]+\]' | head -1 | tr -d '[]')
	ip netns exec "$RW" ping -q -I "$vip" -i 0.2 -w "$1" 10.1.0.10 2>&1
}

# 1. the client rekeys CHILD (3 s, PFS) and IKE (7 s) under a running ping
check_match "client connects" "CHILD_SA net\{[0-9]+\} established" "$(client_up busy)"
out=$(pings 16)
check_match "ping through 16 s of client rekeys: no packet lost" " 0% packet loss" "$out"
check_log "the client rekeyed its CHILD SA" "CREATE_CHILD_SA request [0-9]+ \[ N\(REKEY_SA\) SA No KE TSi TSr \]" "$T/charon.log"
check_log "ikegwd: CHILD SA rekeyed with PFS" "CHILD SA [0-9a-f]+/[0-9a-f]+ rekeyed with PFS" "$T/ikegwd.log"
check_log "ikegwd: IKE SA rekeyed" "IKE SA rekeyed into sa#" "$T/ikegwd.log"
check "one IKE SA, one CHILD SA afterwards" test "$(ctl list-sas | grep -c 'CHILD')" -eq 1
sw --terminate --ike busy > /dev/null 2>&1
wait_for 5 sh -c "$BIN/ikegwctl -s $T/ikegwd.sock list-sas | grep -q 'no IKE SAs'"

# 2. ikegwd rekeys at its own soft volume limit (60 packets: soft at 54,
#    a ping is one packet in and one out, 5 per second)
engine 3600 60
check "apply a phase 2 limit of 60 packets" ctl apply "$T/engine.json"
check_match "client connects (long lifetimes of its own)" "CHILD_SA net\{[0-9]+\} established" "$(client_up calm)"
out=$(pings 14)
check_match "ping through the gateway's own rekeys: no packet lost" " 0% packet loss" "$out"
check_log "ikegwd started the rekey at the soft packet limit" "rekeying CHILD SA [0-9a-f]+/[0-9a-f]+ with PFS" "$T/ikegwd.log"
check_log "ikegwd installed the new CHILD SA and deleted the old" "CHILD SA [0-9a-f]+/[0-9a-f]+ rekeyed into [0-9a-f]+/[0-9a-f]+ with PFS" "$T/ikegwd.log"
check_log "the client answered our CREATE_CHILD_SA" "parsed CREATE_CHILD_SA request [0-9]+ \[ N\(REKEY_SA\) SA No KE TSi TSr \]" "$T/charon.log"
check "still one CHILD SA" test "$(ctl list-sas | grep -c 'CHILD')" -eq 1
sw --terminate --ike calm > /dev/null 2>&1
wait_for 5 sh -c "$BIN/ikegwctl -s $T/ikegwd.sock list-sas | grep -q 'no IKE SAs'"

# 3. both sides rekey around the same time: the client after 52 s, the
#    gateway at 90 % of 60 s less up to 3 s of jitter
engine 60
check "apply a phase 2 lifetime of 60 s" ctl apply "$T/engine.json"
check_match "client connects" "CHILD_SA net\{[0-9]+\} established" "$(client_up both)"
out=$(pings 58)
check_match "ping through rekeys from both sides: no packet lost" " 0% packet loss" "$out"
check "afterwards one CHILD SA on the gateway" test "$(ctl list-sas | grep -c 'CHILD')" -eq 1
check_match "and the client agrees" "ESTABLISHED" "$(client_sas)"

sw --terminate --ike both > /dev/null 2>&1
wait_for 5 sh -c "$BIN/ikegwctl -s $T/ikegwd.sock list-sas | grep -q 'no IKE SAs'"

# 4. a forced collision.  Everything the client sends is held back; the
#    client starts a rekey, then ikegwd starts one of the same CHILD SA (the
#    client sees the collision); then only the client's answers stay held,
#    so its retransmitted request reaches ikegwd while ikegwd's own rekey is
#    still open (ikegwd sees it); then everything flows again.
engine 3600
check "apply long lifetimes again" ctl apply "$T/engine.json"
check_match "client connects" "CHILD_SA net\{[0-9]+\} established" "$(client_up calm)"
id=$(ctl list-sas | sed -n 's/^#\([0-9]*\) .*/\1/p' | head -1)
hold all
sw --rekey --child net > /dev/null 2>&1 &
sleep 0.5
check "ikegwd starts a rekey of the same CHILD SA (ikegwctl rekey)" ctl rekey "$id"
sleep 0.5
hold answers
sleep 3
hold none
out=$(pings 12)
check_log "ikegwd saw the collision" "rekey collision on CHILD SA" "$T/ikegwd.log"
check_log "the client saw it too" "detected CHILD_REKEY collision with CHILD_REKEY" "$T/charon.log"
check_match "traffic passes after the collision" " 0% packet loss" "$out"
wait_for 10 sh -c "[ \$($BIN/ikegwctl -s $T/ikegwd.sock list-sas | grep -c CHILD) -eq 1 ]"
check "one CHILD SA left on the gateway" test "$(ctl list-sas | grep -c 'CHILD')" -eq 1
check "one CHILD SA left on the client" test "$(client_sas | grep -c 'INSTALLED')" -eq 1
