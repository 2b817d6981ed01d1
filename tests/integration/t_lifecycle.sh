#!/usr/bin/env bash
# IKE SA lifecycle against strongSwan:
#  - CHILD SA rekey with and without PFS, and IKE SA rekey, with short
#    lifetimes on the client: the tunnel stays, the lease does not change;
#  - duplicate identity (policy "replace"): a second IKE SA of the same
#    user replaces the first, one lease online;
#  - dead peer detection: a client killed without a word is removed within
#    delay x misses and its lease goes offline;
#  - graceful restart: stopping ikegwd sends Delete to clients; after the
#    restart a client gets its old address back (leases persist).
. "$(dirname "$0")/lib.sh"
itest_init lifecycle
net_basic
pki_make
cat > "$T/engine.json" <<EOF
{
  "version": 1,
  "control_socket": "$T/ikegwd.sock",
  "leases_file": "$T/leases.json",
  "kernel": { "backend": "null" },
  "server": { "certificate": $(json_file "$T/pki/server.pem"),
              "private_key": $(json_file "$T/pki/server.key") },
  "pools": [ { "name": "mobile", "ipv4": "10.10.10.0/24" } ],
  "users": [ { "name": "alice", "nt_hash": "$(nt_hash Alice-Pass-1)" } ],
  "phase1": [ {
    "name": "mobile", "auth": "eap-mschapv2",
    "local_id": { "type": "fqdn", "value": "vpn.example.com" },
    "proposals": [ { "encryption": "aes-cbc", "key_length": 256, "integrity": "hmac-sha2-256-128",
                     "prf": "hmac-sha2-256", "dh": "modp2048" } ],
    "dpd_delay": 2, "dpd_max_failures": 3,
    "duplicates": "replace",
    "pool": "mobile",
    "phase2": [ { "name": "lan", "local_ts": ["10.1.0.0/24"],
      "proposals": [ { "encryption": "aes-cbc", "key_length": 256,
                       "integrity": "hmac-sha2-256-128", "dh": "modp2048" } ] } ]
  } ]
}
EOF
gw_start || exit 1
client_start || exit 1
conn() {	# conn NAME ESP_PROPOSAL [LOCAL_ID]
	cat <<-EOF
	  $1 {
	    remote_addrs = $GW_ADDR
	    vips = 0.0.0.0
	    proposals = aes256-sha256-modp2048
	    rekey_time = 8s
	    over_time = 30s
	    rand_time = 0s
	    unique = never
	    local { auth = eap-mschapv2
	            id = ${3:-192.0.2.2}
	            eap_id = alice }
	    remote { auth = pubkey
	             id = vpn.example.com }
	    children { net { remote_ts = 10.1.0.0/24
	                     esp_proposals = $2
	                     rekey_time = 3s
	                     life_time = 20s
	                     rand_time = 0s } }
	  }
	EOF
}
client_conf <<EOF
connections {
$(conn pfs aes256-sha256-modp2048)
$(conn nopfs aes256-sha256)
$(conn dup aes256-sha256 alice-laptop)
}
secrets { eap-alice { id = alice
                      secret = "Alice-Pass-1" } }
EOF

# Rekeying: iOS-style with PFS first
client_up pfs > /dev/null
vip=$(client_sas | grep -oE '\[10\.10\.10\.[0-9]+\]' | head -1 | tr -d '[]')
check "connected with a virtual IP" test -n "$vip"
sleep 11
check_log "client: CHILD SA rekey requested" "CREATE_CHILD_SA request [0-9]+ \[ N\(REKEY_SA\) SA No KE TSi TSr \]" "$T/charon.log"
check_log "client: a second CHILD SA established by the rekey" "CHILD_SA net\{2\} established" "$T/charon.log"
check_log "ikegwd: CHILD SA rekeyed with PFS" "CHILD SA [0-9a-f]+/[0-9a-f]+ rekeyed with PFS" "$T/ikegwd.log"
check_log "ikegwd: IKE SA rekeyed" "IKE SA rekeyed into sa#" "$T/ikegwd.log"
check_log "client: IKE SA rekeyed" "IKE_SA pfs\[[0-9]+\] rekeyed|rekeying IKE_SA" "$T/charon.log"
gsas=$(ctl list-sas)
check_match "one IKE SA established after the rekeys" "^#[0-9]+ mobile ESTABLISHED" "$gsas"
check "exactly one IKE SA remains" test "$(printf '%s\n' "$gsas" | grep -c '^#')" -eq 1
check_match "the lease did not change" "virtual IP $vip\$" "$gsas"
check "client and gateway agree on the CHILD SA count (1)" test "$(printf '%s\n' "$gsas" | grep -c 'CHILD')" -eq 1
sw --terminate --ike pfs > /dev/null 2>&1

# macOS-style: rekey without PFS is accepted too
client_up nopfs > /dev/null
sleep 5
check_log "ikegwd: CHILD SA rekeyed without PFS" "CHILD SA [0-9a-f]+/[0-9a-f]+ rekeyed$" "$T/ikegwd.log"

# Duplicate identity: a second IKE SA of alice replaces the first
client_up dup > /dev/null
wait_for 5 sh -c "[ \$($BIN/ikegwctl -s $T/ikegwd.sock list-sas | grep -c '^#.*ESTABLISHED') -eq 1 ]"
gsas=$(ctl list-sas)
check "duplicate: one IKE SA of alice on the gateway" test "$(printf '%s\n' "$gsas" | grep -c '^#.*ESTABLISHED')" -eq 1
check_log "duplicate: logged as replaced" "replaced by a new connection" "$T/ikegwd.log"
check "duplicate: one lease, online" test "$(ctl leases | grep -cE '^  .* online +since')" -eq 1

# Dead peer detection: kill the client hard
kill -9 "$(cat "$T/charon.pid")"
start=$(date +%s)
if wait_for 20 sh -c "$BIN/ikegwctl -s $T/ikegwd.sock list-sas | grep -q 'no IKE SAs'"; then
	took=$(( $(date +%s) - start ))
	# delay 2 s idle + 3 checks 2 s apart, plus the idle time before the kill
	check "DPD removed the dead client in ${took}s (<= 2 x (2 + 3 x 2) s)" test "$took" -le 16
else
	fail "DPD removed the dead client" "$(ctl list-sas)"
fi
check_log "DPD: logged" "dead peer: no answer to liveness checks" "$T/ikegwd.log"
check_match "DPD: the lease is offline" "$vip +alice +offline" "$(ctl leases)"

# Graceful restart
client_start || exit 1
sw --load-all --file "$T/client/swanctl.conf" > /dev/null 2>&1
client_up nopfs > /dev/null
gw_stop
check_log "shutdown: the client was told (Delete)" "received DELETE for IKE_SA nopfs" "$T/charon.log"
check_match "shutdown: leases file kept alice's address" "$vip" "$(cat "$T/leases.json")"
gw_start || exit 1
client_up nopfs > /dev/null
vip2=$(client_sas | grep -oE '\[10\.10\.10\.[0-9]+\]' | head -1 | tr -d '[]')
check "after the restart alice gets $vip again" test "$vip" = "$vip2"
