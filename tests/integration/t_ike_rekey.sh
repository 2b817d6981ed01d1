#!/usr/bin/env bash
# The gateway's own IKE SA rekey and reauthentication deadline:
#  - ikegwd rekeys the IKE SA at its soft lifetime (the client's is long):
#    it becomes the new SA's initiator (RFC 7296 2.18), deletes the old SA,
#    the lease and the CHILD SA move along, not one ping is lost; the new SA
#    carries CHILD rekeys from both sides and the client's own IKE rekey;
#  - both sides rekey the IKE SA at once (forced, 2.8.2): one new SA stays,
#    the redundant one is deleted, traffic passes;
#  - a phase 1 reauth time is sent as AUTH_LIFETIME (RFC 4478): the client
#    reauthenticates on its own and keeps its address; a client that cannot
#    come back in time is closed at the deadline.
. "$(dirname "$0")/lib.sh"
itest_init ike_rekey
net_basic
pki_make
engine() {	# engine LIFETIME REKEY REAUTH
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
	    "proposals": [ { "encryption": "aes-cbc", "key_length": 256, "integrity": "hmac-sha2-256-128",
	                     "prf": "hmac-sha2-256", "dh": "modp2048" },
	                   { "encryption": "aes-gcm-16", "key_length": 128, "prf": "hmac-sha2-256", "dh": "ecp256" } ],
	    "lifetime": $1, "rekey": $2, "reauth": $3,
	    "dpd_delay": 0,
	    "pool": "mobile",
	    "phase2": [ { "name": "lan", "local_ts": ["10.1.0.0/24"], "lifetime": 3600,
	      "proposals": [ { "encryption": "aes-gcm-16", "key_length": 128, "dh": "ecp256" } ] } ]
	  } ]
	}
	EOF
}
engine 3600 30 0
gw_start || exit 1
client_start || exit 1
client_conf <<EOF
connections {
  calm {
    remote_addrs = $GW_ADDR
    vips = 0.0.0.0
    proposals = aes128gcm16-prfsha256-ecp256
    rekey_time = 3600s
    over_time = 20s
    rand_time = 0s
    local { auth = eap-mschapv2
            id = calm
            eap_id = alice }
    remote { auth = pubkey
             id = vpn.example.com }
    children { net { remote_ts = 10.1.0.0/24
                     esp_proposals = aes128gcm16-ecp256
                     rekey_time = 3000s
                     life_time = 3600s
                     rand_time = 0s } }
  }
}
secrets { eap-alice { id = alice
                      secret = "Alice-Pass-1" } }
EOF

vip_of_client() { client_sas | grep -oE '\[10\.10\.10\.[0-9]+\]' | head -1 | tr -d '[]'; }
pings() {	# pings SECONDS — ping the LAN host from the virtual IP, prints the loss
	ip netns exec "$RW" ping -q -I "$(vip_of_client)" -i 0.2 -w "$1" 10.1.0.10 2>&1
}
sa_ids() { ctl list-sas | sed -n 's/^#\([0-9]*\) .*ESTABLISHED.*/\1/p'; }

# 1. ikegwd rekeys the IKE SA at its soft lifetime (30 s, less up to 1 s)
check_match "client connects" "CHILD_SA net\{[0-9]+\} established" "$(client_up calm)"
vip=$(vip_of_client)
first=$(sa_ids | head -1)
check_match "the first IKE SA is the client's (ikegwd responder)" "false" \
	"$(ctl --json list-sas | jq ".sas[] | select(.id == $first) | .initiator")"
out=$(pings 38)
check_match "ping through the gateway's IKE SA rekey: no packet lost" " 0% packet loss" "$out"
check_log "ikegwd started the rekey at the soft lifetime" "rekeying the IKE SA \(ECP256\)" "$T/ikegwd.log"
check_log "ikegwd: the new IKE SA stands, made by us" "IKE SA rekeyed into sa#[0-9]+ \(.*\), by us" "$T/ikegwd.log"
check_log "the client answered our IKE rekey" "parsed CREATE_CHILD_SA request 0 \[ SA No KE \]" "$T/charon.log"
check_log "the client switched to the new IKE SA" "IKE_SA calm\[[0-9]+\] rekeyed between" "$T/charon.log"
check_log "the client got our Delete of the old IKE SA" "received DELETE for IKE_SA calm\[[0-9]+\]" "$T/charon.log"
check "one IKE SA left on the gateway" wait_for 10 sh -c "[ \$($BIN/ikegwctl -s $T/ikegwd.sock --json list-sas | jq '.sas | length') -eq 1 ]"
second=$(sa_ids | head -1)
check "it is a new one" test "$second" != "$first"
check_match "ikegwd is its initiator" "true" \
	"$(ctl --json list-sas | jq ".sas[] | select(.id == $second) | .initiator")"
check_match "its CHILD SA and the lease came along" "^1 $vip\$" \
	"$(ctl --json list-sas | jq -r ".sas[] | select(.id == $second) | \"\(.children | length) \(.virtual_ips[0])\"")"
check "the client has one IKE SA" test "$(client_sas | grep -c 'ESTABLISHED')" -eq 1
check_match "the lease table agrees" "$vip" "$(ctl leases)"

# The SA where ikegwd is initiator carries everything after: the client's
# CHILD rekey, ours, and the client's own IKE rekey (roles swap back).
check_match "the client rekeys its CHILD SA over the new IKE SA" "rekey completed successfully" "$(sw --rekey --child net 2>&1)"
check_log "ikegwd answered it" "CHILD SA [0-9a-f]+/[0-9a-f]+ rekeyed with PFS" "$T/ikegwd.log"
check "ikegwd rekeys the CHILD SA over it" ctl rekey "$second"
check "and the client answers" wait_for 10 grep -qE "CHILD SA [0-9a-f]+/[0-9a-f]+ rekeyed into" "$T/ikegwd.log"
sw --rekey --ike calm > /dev/null 2>&1
check "the client rekeys the IKE SA in turn" wait_for 10 grep -qE "IKE SA rekeyed into sa#[0-9]+ \([^)]*\)\$" "$T/ikegwd.log"
check "one IKE SA again" wait_for 10 sh -c "[ \$($BIN/ikegwctl -s $T/ikegwd.sock --json list-sas | jq '.sas | length') -eq 1 ]"
third=$(sa_ids | head -1)
check_match "the client is its initiator" "false" \
	"$(ctl --json list-sas | jq ".sas[] | select(.id == $third) | .initiator")"
out=$(pings 3)
check_match "traffic passes" " 0% packet loss" "$out"

# 2. a forced collision: the client's IKE messages are held back while both
#    sides start an IKE rekey; then only its answers; then everything flows.
# Which new SA stays depends on the nonces (random): three rounds, so that
# both outcomes are usually seen; each must end in one working SA.
for round in 1 2 3; do
	cur=$(sa_ids | head -1)
	collisions=$(grep -c "IKE SA rekey collision: the peer's rekey made" "$T/ikegwd.log")
	hold all
	sw --rekey --ike calm > /dev/null 2>&1 &
	sleep 0.5
	check "round $round: ikegwd starts an IKE rekey too (ikegwctl rekey-ike)" ctl rekey-ike "$cur"
	sleep 0.5
	hold answers
	sleep 3
	hold none
	check "round $round: ikegwd saw the collision" wait_for 5 sh -c \
		"[ \$(grep -c \"IKE SA rekey collision: the peer's rekey made\" $T/ikegwd.log) -gt $collisions ]"
	# Resolved when our answer comes (we compare the nonces), or when the
	# peer, whose SA won, deletes the old one first.
	check "round $round: one IKE SA left on the gateway" wait_for 30 sh -c \
		"[ \$($BIN/ikegwctl -s $T/ikegwd.sock --json list-sas | jq '.sas | length') -eq 1 ]"
	check "round $round: one IKE SA left on the client" wait_for 10 sh -c \
		"[ \$(swanctl --list-sas --uri unix://$T/client/charon.vici 2>/dev/null | grep -c ESTABLISHED) -eq 1 ]"
	check_match "round $round: it holds the CHILD SA and the lease" "^1 $vip\$" \
		"$(ctl --json list-sas | jq -r '.sas[0] | "\(.children | length) \(.virtual_ips[0])"')"
	out=$(pings 3)
	check_match "round $round: traffic passes after the collision" " 0% packet loss" "$out"
done
check_log "the client saw the collisions too" "detected IKE_REKEY collision with IKE_REKEY" "$T/charon.log"
echo "  (collision outcomes: ours stayed $(grep -c 'ours (sa#[0-9]*) stays' "$T/ikegwd.log")," \
	"the peer's stayed $(grep -cE "stays, ours|the peer's rekey, takes over" "$T/ikegwd.log"))"
sw --terminate --ike calm > /dev/null 2>&1
check "the client leaves" wait_for 10 sh -c "$BIN/ikegwctl -s $T/ikegwd.sock list-sas | grep -q 'no IKE SAs'"

# 3. reauthentication deadline (AUTH_LIFETIME): 60 s
engine 3600 3000 60
check "apply a phase 1 reauth time of 60 s" ctl apply "$T/engine.json"
check_match "client connects" "CHILD_SA net\{[0-9]+\} established" "$(client_up calm)"
check_log "the client was told" "received AUTH_LIFETIME of 60s, scheduling reauthentication in 40s" "$T/charon.log"
first=$(sa_ids | head -1)
check "the client reauthenticates on its own (a new IKE SA)" wait_for 50 sh -c \
	"$BIN/ikegwctl -s $T/ikegwd.sock list-sas | grep ESTABLISHED | grep -vq '^#$first '"
check_log "the client's log says so" "reauthenticating IKE_SA calm\[[0-9]+\]" "$T/charon.log"
check "one IKE SA after it" wait_for 10 sh -c "[ \$($BIN/ikegwctl -s $T/ikegwd.sock --json list-sas | jq '.sas | length') -eq 1 ]"
check_match "with the same address" "$vip" "$(vip_of_client)"
check_not "ikegwd did not close it itself" grep -q "not reauthenticated in time" "$T/ikegwd.log"
reauthed=$(sa_ids | head -1)
# This time the client cannot come back: its IKE messages are dropped.
hold all
ip netns exec "$GW" nft add rule inet hold hold_in ip saddr 192.0.2.2 udp dport 500 drop
check "at the deadline ikegwd closes the SA" wait_for 65 grep -q "not reauthenticated in time" "$T/ikegwd.log"
check_nomatch "it is no longer established" "^#$reauthed .*ESTABLISHED" "$(ctl list-sas)"
hold none
