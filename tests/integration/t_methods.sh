#!/usr/bin/env bash
# Certificate and PSK authentication against strongSwan, switching between
# them with `ikegwctl apply`; CHILD SA delete and liveness checks.
#  (3) a client certificate from the trusted CA (identity from its SAN);
#      an identity the certificate does not carry is refused;
#  (4) PSK (per-user key), a wrong key is refused;
#  INFORMATIONAL: the client deletes its CHILD SA (the IKE SA stays) and
#  sends DPD liveness checks that ikegwd answers.
. "$(dirname "$0")/lib.sh"
itest_init methods
net_basic
pki_make

engine() {	# engine AUTH
	cat > "$T/engine.json" <<-EOF
	{
	  "version": 1,
	  "control_socket": "$T/ikegwd.sock",
	  "leases_file": "$T/leases.json",
	  "kernel": { "backend": "null" },
	  "server": { "certificate": $(json_file "$T/pki/server.pem"),
	              "private_key": $(json_file "$T/pki/server.key") },
	  "cas": [ { "name": "test", "certificate": $(json_file "$T/pki/ca.pem") } ],
	  "pools": [ { "name": "mobile", "ipv4": "10.10.10.0/24" } ],
	  "users": [ { "name": "carol", "psk": "carol-psk-0123456789" },
	             { "name": "alice@example.com", "nt_hash": "$(nt_hash x)" } ],
	  "phase1": [ {
	    "name": "mobile", "auth": "$1",
	    "local_id": { "type": "fqdn", "value": "vpn.example.com" },
	    "proposals": [ { "encryption": "aes-cbc", "key_length": 128,
	                     "integrity": "hmac-sha2-256-128", "prf": "hmac-sha2-256", "dh": "ecp256" } ],
	    "pool": "mobile",
	    "phase2": [ { "name": "lan", "local_ts": ["10.1.0.0/24"],
	      "proposals": [ { "encryption": "aes-cbc", "key_length": 128,
	                       "integrity": "hmac-sha2-256-128", "dh": "none" } ] } ]
	  } ]
	}
	EOF
}
engine certificate
gw_start || exit 1
client_start || exit 1
cp "$T/pki/alice.pem" "$T/client/x509/"
cp "$T/pki/alice.key" "$T/client/private/"
client_conf <<EOF
connections {
  cert {
    remote_addrs = $GW_ADDR
    vips = 0.0.0.0
    proposals = aes128-sha256-ecp256
    dpd_delay = 1s
    local { auth = pubkey
            certs = alice.pem
            id = alice@example.com }
    remote { auth = pubkey
             id = vpn.example.com }
    children { net { remote_ts = 10.1.0.0/24
                     esp_proposals = aes128-sha256 } }
  }
  liar {
    remote_addrs = $GW_ADDR
    vips = 0.0.0.0
    proposals = aes128-sha256-ecp256
    local { auth = pubkey
            certs = alice.pem
            id = mallory@example.com }
    remote { auth = pubkey
             id = vpn.example.com }
    children { net { remote_ts = 10.1.0.0/24
                     esp_proposals = aes128-sha256 } }
  }
  psk {
    remote_addrs = $GW_ADDR
    vips = 0.0.0.0
    proposals = aes128-sha256-ecp256
    local { auth = psk
            id = carol }
    remote { auth = psk
             id = vpn.example.com }
    children { net { remote_ts = 10.1.0.0/24
                     esp_proposals = aes128-sha256 } }
  }
}
secrets {
  ike-carol { id-1 = carol
              id-2 = vpn.example.com
              secret = "carol-psk-0123456789" }
}
EOF

# (3) certificate
out=$(client_up cert)
check_match "certificate: connects" "CHILD_SA net\{[0-9]+\} established" "$out"
check_match "certificate: ikegwd verified the client's certificate" \
	"ESTABLISHED +alice@example.com" "$(ctl list-sas)"
check_log "certificate: subject logged" "client certificate .*CN=alice@example.com" "$T/ikegwd.log"
check_match "certificate: lease for alice@example.com" "alice@example.com +online" "$(ctl leases)"

# INFORMATIONAL: liveness (dpd_delay 1s on the client) and CHILD SA delete
sleep 3
check_log "liveness: the client sent DPD checks" "sending DPD request" "$T/charon.log"
check_nomatch "liveness: every check was answered (no retransmit)" "retransmit" "$(cat "$T/charon.log")"
sw --terminate --child net > /dev/null 2>&1
wait_for 5 sh -c "! $BIN/ikegwctl -s $T/ikegwd.sock list-sas | grep -q CHILD"
gsas=$(ctl list-sas)
check_nomatch "CHILD delete: ikegwd removed the CHILD SA" "CHILD" "$gsas"
check_match "CHILD delete: the IKE SA stays" "ESTABLISHED" "$gsas"
check_match "CHILD delete: the kernel backend holds no SA" '"sas": \[\]' "$(ctl --json kernel-sas)"
sw --terminate --ike cert > /dev/null 2>&1

out=$(client_up liar)
check_nomatch "certificate: an identity not in the certificate is refused" "CHILD_SA net.* established" "$out"
check_log "certificate: ikegwd says why" "identity does not match the certificate" "$T/ikegwd.log"

# (4) PSK, switched on with ikegwctl apply (the cert client is gone)
engine psk
check "apply the PSK configuration" ctl apply "$T/engine.json"
out=$(client_up psk)
check_match "PSK: connects" "CHILD_SA net\{[0-9]+\} established" "$out"
check_match "PSK: ikegwd shows carol" "ESTABLISHED +carol" "$(ctl list-sas)"
sw --terminate --ike psk > /dev/null 2>&1
sed -i 's/carol-psk-0123456789/carol-psk-wrong-value/' "$T/client/swanctl.conf"
sw --load-creds --clear --file "$T/client/swanctl.conf" > /dev/null 2>&1
out=$(client_up psk)
check_nomatch "PSK: a wrong key is refused" "CHILD_SA net.* established" "$out"
check_log "PSK: ikegwd says why" "authentication failed for carol: wrong pre-shared key" "$T/ikegwd.log"
check_log "PSK: the client got AUTHENTICATION_FAILED" "received AUTHENTICATION_FAILED" "$T/charon.log"

# apply with a broken file: refused, the running configuration stays
echo '{"version": 1, "phase1": 5}' > "$T/bad.json"
out=$(ctl apply "$T/bad.json" 2>&1)
check_match "apply of a broken configuration is refused with the path" "phase1" "$out"
check_match "ikegwd still answers after the refused apply" "uptime" "$(ctl stats)"
