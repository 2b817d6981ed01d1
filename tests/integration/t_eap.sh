#!/usr/bin/env bash
# EAP-MSCHAPv2 road warrior against strongSwan 5.9.8:
#  (1) connects, both sides established, pool address and DNS on the client,
#      the lease online in ikegwctl; (2) a wrong password is refused with
#      AUTHENTICATION_FAILED and leaves no lease; (6) a user outside the allowed
#      group is refused; (7) reconnecting gets the same address; (8) ikegwctl
#      terminate deletes the SA on the client too.
. "$(dirname "$0")/lib.sh"
itest_init eap
net_basic
pki_make

write_engine() {	# write_engine GROUPS_JSON
	cat > "$T/engine.json" <<-EOF
	{
	  "version": 1,
	  "control_socket": "$T/ikegwd.sock",
	  "leases_file": "$T/leases.json",
	  "kernel": { "backend": "null" },
	  "server": {
	    "certificate": $(json_file "$T/pki/server.pem"),
	    "private_key": $(json_file "$T/pki/server.key")
	  },
	  "cas": [ { "name": "test", "certificate": $(json_file "$T/pki/ca.pem") } ],
	  "pools": [ { "name": "mobile", "ipv4": "10.10.10.0/24", "dns": ["10.1.0.53"],
	               "domain": "corp.example" } ],
	  "users": [
	    { "name": "alice", "nt_hash": "$(nt_hash 'Alice-Pass-1')", "groups": ["staff"] },
	    { "name": "bob", "nt_hash": "$(nt_hash 'Bob-Pass-22')", "groups": ["guests"] }
	  ],
	  "phase1": [ {
	    "name": "mobile",
	    "auth": "eap-mschapv2",
	    "local_id": { "type": "fqdn", "value": "vpn.example.com" },
	    "proposals": [
	      { "encryption": "aes-gcm-16", "key_length": 256, "prf": "hmac-sha2-256", "dh": "modp2048" },
	      { "encryption": "aes-cbc", "key_length": 256, "integrity": "hmac-sha2-256-128",
	        "prf": "hmac-sha2-256", "dh": "modp2048" }
	    ],
	    "groups": $1,
	    "pool": "mobile",
	    "phase2": [ { "name": "lan", "local_ts": ["10.1.0.0/24"],
	      "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256, "dh": "none" },
	                     { "encryption": "aes-cbc", "key_length": 256,
	                       "integrity": "hmac-sha2-256-128", "dh": "none" } ] } ]
	  } ]
	}
	EOF
}
write_engine '["staff"]'
check "ikegwd --check accepts the configuration" "$BIN/ikegwd" --check "$T/engine.json"
gw_start || exit 1
client_start || exit 1

conn() {	# conn NAME USER
	cat <<-EOF
	  $1 {
	    version = 2
	    remote_addrs = $GW_ADDR
	    vips = 0.0.0.0
	    proposals = aes256gcm16-prfsha256-modp2048
	    local { auth = eap-mschapv2
	            eap_id = $2 }
	    remote { auth = pubkey
	             id = vpn.example.com }
	    children { net { remote_ts = 10.1.0.0/24
	                     esp_proposals = aes256gcm16 } }
	  }
	EOF
}
client_conf <<EOF
connections {
$(conn alice alice)
$(conn wrong mallory)
$(conn bob bob)
}
secrets {
  eap-alice { id = alice
              secret = "Alice-Pass-1" }
  eap-mallory { id = mallory
                secret = "Not-The-Password" }
  eap-bob { id = bob
            secret = "Bob-Pass-22" }
}
EOF

# (1) connect
out=$(client_up alice)
check_match "alice connects (client: established)" "CHILD_SA net\{[0-9]+\} established" "$out"
sas=$(client_sas)
printf '%s\n' "$sas" > "$T/client-sas.log"
check_match "client holds a virtual IP from 10.10.10.0/24" "\[10\.10\.10\.[0-9]+\]" "$sas"
vip1=$(printf '%s\n' "$sas" | grep -oE '\[10\.10\.10\.[0-9]+\]' | head -1 | tr -d '[]')
check_match "client received DNS 10.1.0.53" "nameserver 10\.1\.0\.53" "$(cat "$T/client-resolv.conf" 2>/dev/null)"
check_match "client sees the remote network 10.1.0.0/24" "remote 10\.1\.0\.0/24" "$sas"
gsas=$(ctl list-sas)
check_match "ikegwd: IKE SA established" "ESTABLISHED.*alice" "$gsas"
check_match "ikegwd: EAP identity alice" "EAP:alice" "$gsas"
check_match "ikegwd: virtual IP matches the client's" "virtual IP $vip1\$" "$gsas"
check_match "ikegwd: CHILD SA 10.1.0.0/24 === $vip1/32" "10\.1\.0\.0/24 === $vip1/32" "$gsas"
leases=$(ctl leases)
check_match "ikegwctl leases: alice online at $vip1" "$vip1 +alice +online" "$leases"
# The SPIs ikegwd gave the kernel backend are the ones strongSwan uses.
ci=$(printf '%s\n' "$sas" | awk '$1 == "in" {sub(",", "", $2); print $2; exit}')
co=$(printf '%s\n' "$sas" | awk '$1 == "out" {sub(",", "", $2); print $2; exit}')
kern=$(ctl --json kernel-sas)
check_match "kernel SA outbound SPI = client's inbound SPI ($ci)" "\"spi_out\": \"$ci\"" "$kern"
check_match "kernel SA inbound SPI = client's outbound SPI ($co)" "\"spi_in\": \"$co\"" "$kern"
check_match "kernel SA carries AES-GCM-16-256 keys (32 + 4 salt bytes)" "\"enc_key_len\": 36" "$kern"

# (7) reconnect: same address
sw --terminate --ike alice > /dev/null 2>&1
wait_for 5 sh -c "! $BIN/ikegwctl -s $T/ikegwd.sock list-sas | grep -q ESTABLISHED"
check_match "after the client's Delete the lease is offline" "$vip1 +alice +offline" "$(ctl leases)"
check_match "no IKE SA left on ikegwd" "no IKE SAs" "$(ctl list-sas)"
client_up alice > /dev/null
vip2=$(client_sas | grep -oE '\[10\.10\.10\.[0-9]+\]' | head -1 | tr -d '[]')
check "reconnect gets the same address ($vip1)" test "$vip1" = "$vip2"

# (8) terminate from the gateway
check "ikegwctl terminate alice" ctl terminate alice
if wait_for 10 sh -c "! swanctl --list-sas --uri unix://$T/client/charon.vici 2>/dev/null | grep -q ESTABLISHED"; then
	pass "the client's IKE SA is gone after terminate"
else
	fail "the client's IKE SA is gone after terminate" "$(client_sas)"
fi
check_log "client log: deleted by the peer" "received DELETE for IKE_SA alice" "$T/charon.log"

# (2) wrong password for alice
sed -i 's/"Alice-Pass-1"/"Wrong-Pass-9"/' "$T/client/swanctl.conf"
sw --load-creds --clear --file "$T/client/swanctl.conf" > /dev/null 2>&1
out=$(client_up alice)
check_nomatch "wrong password: no CHILD SA" "CHILD_SA net.* established" "$out"
check_log "wrong password: AUTHENTICATION_FAILED at the client" "received AUTHENTICATION_FAILED" "$T/charon.log"
check_log "wrong password: ikegwd logs why" "authentication failed for alice: wrong password" "$T/ikegwd.log"
check_nomatch "wrong password: alice's lease stays offline" "alice +online" "$(ctl leases)"
check_match "wrong password: no IKE SA left on ikegwd" "no IKE SAs" "$(ctl list-sas)"

# an unknown user gets the same answer

out=$(client_up wrong)
check_nomatch "unknown user: no CHILD SA" "CHILD_SA net.* established" "$out"
check_nomatch "unknown user: no lease" "mallory" "$(ctl leases)"

# (6) bob is not in group staff
out=$(client_up bob)
check_nomatch "bob (group guests) is refused" "CHILD_SA net.* established" "$out"
check_log "ikegwd says why bob was refused" "bob is not in a group allowed to connect" "$T/ikegwd.log"
check_nomatch "bob got no lease" "bob" "$(ctl leases)"
