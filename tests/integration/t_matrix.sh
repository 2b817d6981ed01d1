#!/usr/bin/env bash
# The client proposal matrix: strongSwan configured to propose what each OS
# proposes by default (INTEROP.md), EAP-MSCHAPv2 against ikegwd:
#  - Windows-like (AES-CBC-256/SHA1/modp1024, ESP AES-CBC-256/SHA1): refused
#    with NO_PROPOSAL_CHOSEN while the legacy switch is off, connects after
#    `ikegwctl apply` of a configuration with it on;
#  - iOS/macOS-like (AES-CBC-256/SHA2-256/modp2048, ESP AES-CBC-256/SHA2-256,
#    with and without PFS), sending no CERTREQ: still receives our certificate;
#  - Android-like (AES-GCM-16-256/PRF-SHA2-256/curve25519, ESP AES-GCM-16-256);
#  - strongSwan's defaults (its first KE group is not ours: INVALID_KE_PAYLOAD,
#    then it retries with the group we name).
. "$(dirname "$0")/lib.sh"
itest_init matrix
net_basic
pki_make

engine() {	# engine LEGACY(true|false)
	local legacy_ike="" legacy_esp=""
	if [ "$1" = true ]; then
		legacy_ike=', { "encryption": "aes-cbc", "key_length": 256, "integrity": "hmac-sha1-96", "prf": "hmac-sha1", "dh": "modp1024" }'
		legacy_esp=', { "encryption": "aes-cbc", "key_length": 256, "integrity": "hmac-sha1-96", "dh": "none" }'
	fi
	cat > "$T/engine.json" <<-EOF
	{
	  "version": 1,
	  "legacy_clients": $1,
	  "control_socket": "$T/ikegwd.sock",
	  "leases_file": "$T/leases.json",
	  "kernel": { "backend": "null" },
	  "server": { "certificate": $(json_file "$T/pki/server.pem"),
	              "private_key": $(json_file "$T/pki/server.key") },
	  "pools": [ { "name": "mobile", "ipv4": "10.10.10.0/24", "dns": ["10.1.0.53"] } ],
	  "users": [ { "name": "alice", "nt_hash": "$(nt_hash Alice-Pass-1)" } ],
	  "phase1": [ {
	    "name": "mobile", "auth": "eap-mschapv2",
	    "local_id": { "type": "fqdn", "value": "vpn.example.com" },
	    "proposals": [
	      { "encryption": "aes-gcm-16", "key_length": 256, "prf": "hmac-sha2-256", "dh": "modp2048" },
	      { "encryption": "aes-cbc", "key_length": 256, "integrity": "hmac-sha2-256-128", "prf": "hmac-sha2-256", "dh": "modp2048" },
	      { "encryption": "aes-gcm-16", "key_length": 256, "prf": "hmac-sha2-256", "dh": "curve25519" },
	      { "encryption": "aes-cbc", "key_length": 128, "integrity": "hmac-sha2-256-128", "prf": "hmac-sha2-256", "dh": "modp3072" }
	      $legacy_ike
	    ],
	    "pool": "mobile",
	    "phase2": [ { "name": "lan", "local_ts": ["10.1.0.0/24"],
	      "proposals": [
	        { "encryption": "aes-gcm-16", "key_length": 256, "dh": "modp2048" },
	        { "encryption": "aes-cbc", "key_length": 256, "integrity": "hmac-sha2-256-128", "dh": "modp2048" },
	        { "encryption": "aes-gcm-16", "key_length": 128, "dh": "none" },
	        { "encryption": "aes-cbc", "key_length": 128, "integrity": "hmac-sha2-256-128", "dh": "none" }
	        $legacy_esp
	      ] } ]
	  } ]
	}
	EOF
}
engine false
gw_start || exit 1
client_start || exit 1
conn() {	# conn NAME IKE ESP [EXTRA]
	cat <<-EOF
	  $1 {
	    remote_addrs = $GW_ADDR
	    vips = 0.0.0.0
	    proposals = $2
	    keyingtries = 1
	    ${4:-mobike = yes}
	    local { auth = eap-mschapv2
	            id = $1
	            eap_id = alice }
	    remote { auth = pubkey
	             id = vpn.example.com }
	    children { net { remote_ts = 10.1.0.0/24
	                     esp_proposals = $3 } }
	  }
	EOF
}
client_conf <<EOF
connections {
$(conn windows aes256-sha1-modp1024 aes256-sha1)
$(conn ios aes256-sha256-modp2048 aes256-sha256-modp2048 "send_certreq = no")
$(conn macos aes256-sha256-modp2048 aes256-sha256 "send_certreq = no")
$(conn android aes256gcm16-prfsha256-curve25519 aes256gcm16)
$(conn strongswan default default)
}
secrets { eap-alice { id = alice
                      secret = "Alice-Pass-1" } }
EOF

up_and_down() {	# up_and_down CONN LABEL — connects, checks, disconnects
	local out
	out=$(client_up "$1")
	check_match "$2 connects" "CHILD_SA net\{[0-9]+\} established" "$out"
	sw --terminate --ike "$1" > /dev/null 2>&1
	wait_for 5 sh -c "$BIN/ikegwctl -s $T/ikegwd.sock list-sas | grep -q 'no IKE SAs'"
}

out=$(client_up windows)
check_nomatch "Windows-like, legacy off: refused" "CHILD_SA net.* established" "$out"
check_log "Windows-like, legacy off: NO_PROPOSAL_CHOSEN" "received NO_PROPOSAL_CHOSEN notify" "$T/charon.log"
check_log "ikegwd explains that legacy algorithms are off" "no acceptable proposal \(legacy algorithms are off\)" "$T/ikegwd.log"

: > "$T/charon.log"
up_and_down ios "iOS-like (AES-CBC-256/SHA2-256/modp2048, ESP with PFS)"
check_nomatch "iOS-like: the client sent no CERTREQ" "IKE_AUTH request 1 \[.*CERTREQ" "$(cat "$T/charon.log")"
check_log "iOS-like: still received our certificate" "received end entity cert \"C=US, O=ikegw test, CN=vpn.example.com\"" "$T/charon.log"
up_and_down macos "macOS-like (ESP without PFS)"
up_and_down android "Android-like (AES-GCM-16-256/curve25519)"
check_log "Android-like: curve25519 used" "IKE_SA_INIT from .*AES_GCM_16_256/AEAD/PRF_HMAC_SHA2_256/CURVE25519" "$T/ikegwd.log"
up_and_down strongswan "strongSwan defaults"
check_log "strongSwan defaults: INVALID_KE_PAYLOAD was answered and the client retried" "KE group .*, want " "$T/ikegwd.log"

engine true
check "apply with the legacy switch on" ctl apply "$T/engine.json"
up_and_down windows "Windows-like, legacy on"
check_log "Windows-like: modp1024 with SHA1 was chosen" "AES_CBC_256/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP1024" "$T/ikegwd.log"
