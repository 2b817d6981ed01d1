#!/usr/bin/env bash
# (5) A client behind a NAT (masquerade in its own namespace): NAT detected
# on both sides, IKE moves to UDP 4500 with the non-ESP marker, the client's
# keepalives are tolerated, and ikegwd answers the NAT's address and port.
. "$(dirname "$0")/lib.sh"
itest_init nat
net_nat
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
  "users": [ { "name": "dave", "nt_hash": "$(nt_hash Dave-Pass-33)" } ],
  "phase1": [ {
    "name": "mobile", "auth": "eap-mschapv2",
    "local_id": { "type": "fqdn", "value": "vpn.example.com" },
    "proposals": [ { "encryption": "aes-gcm-16", "key_length": 128, "prf": "hmac-sha2-256",
                     "dh": "curve25519" } ],
    "pool": "mobile",
    "phase2": [ { "name": "all", "local_ts": ["0.0.0.0/0"],
      "proposals": [ { "encryption": "aes-gcm-16", "key_length": 128, "dh": "none" } ] } ]
  } ]
}
EOF
gw_start || exit 1
client_start || exit 1
client_conf <<EOF
connections {
  dave {
    remote_addrs = $GW_ADDR
    vips = 0.0.0.0
    proposals = aes128gcm16-prfsha256-x25519
    keyingtries = 1
    local { auth = eap-mschapv2
            eap_id = dave }
    remote { auth = pubkey
             id = vpn.example.com }
    children { net { remote_ts = 0.0.0.0/0
                     esp_proposals = aes128gcm16 } }
  }
}
secrets { eap-dave { id = dave
                     secret = "Dave-Pass-33" } }
EOF
out=$(client_up dave)
check_match "connects through the NAT" "CHILD_SA net\{[0-9]+\} established" "$out"
check_log "the client sees itself behind a NAT" "local host is behind NAT" "$T/charon.log"
check_log "the client moved to port 4500" "to 192\.0\.2\.1\[4500\]" "$T/charon.log"
gsas=$(ctl list-sas)
check_match "ikegwd: peer behind NAT, at the NAT's address" "192\.0\.2\.3:[0-9]+ \(NAT\)" "$gsas"
port=$(ctl --json list-sas | grep -o '"remote_port": [0-9]*' | head -1 | awk '{print $2}')
check "ikegwd talks to the NAT-mapped port (not 500): $port" test "${port:-500}" != 500
check_match "ikegwd: full tunnel 0.0.0.0/0 to the virtual IP" "0\.0\.0\.0/0 === 10\.10\.10\.[0-9]+/32" "$gsas"
check_match "kernel SA uses UDP encapsulation" '"encap": true' "$(ctl --json kernel-sas)"
sleep 2
check_match "ikegwd still has the SA after keepalives" "ESTABLISHED" "$(ctl list-sas)"
