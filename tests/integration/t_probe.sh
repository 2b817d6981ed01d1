#!/usr/bin/env bash
# Protocol probes with ikeload (bench/ikeload.c) against ikegwd, null kernel
# backend, from rw:
#  - a retransmitted IKE_SA_INIT and a retransmitted first IKE_AUTH are
#    answered byte for byte like the first time (RFC 7296 2.1); a first
#    IKE_AUTH sent in SKF fragments and retransmitted is answered once
#    (RFC 7383 2.6.1; fails today, a known ikegwd bug);
#  - a KE payload of another group than the SA offers gets
#    INVALID_KE_PAYLOAD naming the configured group (1.2);
#  - a legacy, Windows-like proposal (3des/sha1/modp1024) gets
#    NO_PROPOSAL_CHOSEN while legacy_clients is false, and connects once
#    `ikegwctl apply` turned legacy_clients on with such a proposal;
#  - an unknown payload with the critical bit gets
#    UNSUPPORTED_CRITICAL_PAYLOAD with its type (2.5);
#  - thousands of malformed datagrams on 500 and 4500 leave ikegwd running
#    and answering (no crash in its log).
. "$(dirname "$0")/lib.sh"
itest_init probe
net_basic
pki_make
ikeload_built || exit 1

write_engine() {	# write_engine LEGACY(true|false)
	local legacy_ike='' legacy_esp=''
	if [ "$1" = true ]; then
		legacy_ike=', { "encryption": "3des", "integrity": "hmac-sha1-96", "prf": "hmac-sha1", "dh": "modp1024" }'
		legacy_esp=', { "encryption": "3des", "integrity": "hmac-sha1-96" }'
	fi
	cat > "$T/engine.json.tmp" <<-EOF2
	{
	  "version": 1,
	  "control_socket": "$T/ikegwd.sock",
	  "leases_file": "$T/leases.json",
	  "kernel": { "backend": "null" },
	  "legacy_clients": $1,
	  "server": { "certificate": $(json_file "$T/pki/server.pem"),
	              "private_key": $(json_file "$T/pki/server.key") },
	  "cas": [ { "name": "test", "certificate": $(json_file "$T/pki/ca.pem") } ],
	  "pools": [ { "name": "mobile", "ipv4": "10.10.10.0/24", "dns": ["10.1.0.53"],
	               "banner": "Authorised use only.\\nikegw test gateway" } ],
	  "users": [
	$(users_json 3)
	  ],
	  "phase1": [ {
	    "name": "mobile", "auth": "eap-mschapv2",
	    "local_id": { "type": "fqdn", "value": "vpn.example.com" },
	    "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256, "prf": "hmac-sha2-256",
	                     "dh": "modp2048" }$legacy_ike ],
	    "pool": "mobile",
	    "phase2": [ { "name": "lan", "local_ts": ["10.1.0.0/24"],
	      "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256 }$legacy_esp ] } ]
	  } ]
	}
	EOF2
	mv "$T/engine.json.tmp" "$T/engine.json"
}
write_engine false
check "ikegwd --check accepts the configuration" "$BIN/ikegwd" --check "$T/engine.json"
gw_start || exit 1
EAP=(--user user1 --password pass1 --ca "$T/pki/ca.pem")

# RFC 7296 2.1: retransmissions get the cached answer, byte for byte.
out=$(ikeload probe retransmit "${EAP[@]}" 2>&1)
printf '%s\n' "$out" > "$T/probe-retransmit.log"
check_match "retransmitted IKE_SA_INIT: byte-identical answer" \
	"IKE_SA_INIT identical" "$out"
check_match "retransmitted IKE_AUTH: byte-identical answer (all fragments)" \
	"IKE_AUTH identical" "$out"
check_match "the probe's handshake completes afterwards" "established, virtual IP 10\.10\.10\." "$out"
check_match "ikegwd counted the retransmissions" '"rx_retransmit": [1-9]' "$(ctl stats)"
check_match "a first IKE_AUTH sent as 3 SKF fragments is reassembled and answered" \
	"IKE_AUTH in 3 fragments, retransmitted: answered" "$out"
# RFC 7383 2.6.1: only fragment number 1 of a retransmitted request
# triggers the response again (found by ikeload: ikegwd used to answer each).
check_match "a retransmitted fragmented request is answered once (RFC 7383 2.6.1)" \
	"IKE_AUTH in 3 fragments, retransmitted: answered once, identical" "$out"
check_match "a whole IKE_AUTH in one SKF (Total Fragments 1) is answered, once on retransmission" \
	"IKE_AUTH in 1 fragment, retransmitted: answered once, identical" "$out"
# The same from the NAT-T port (non-ESP marker).
out=$(ikeload probe retransmit --natt "${EAP[@]}" 2>&1)
check_match "NAT-T port: retransmitted IKE_SA_INIT answered identically" "IKE_SA_INIT identical" "$out"
check_match "NAT-T port: retransmitted IKE_AUTH answered identically" "IKE_AUTH identical" "$out"

# RFC 7296 1.2: INVALID_KE_PAYLOAD names the group to use.
out=$(ikeload probe invalid-ke --ike-proposal aes256gcm16-prfsha256-modp2048 --ke-group ecp256 2>&1)
check_match "KE ecp256 with SA modp2048: INVALID_KE_PAYLOAD names modp2048 (14)" \
	"INVALID_KE_PAYLOAD group=14 " "$out"
out=$(ikeload probe invalid-ke --ike-proposal aes256gcm16-prfsha256-x25519-ecp256-modp2048 \
	--ke-group x25519 2>&1)
check_match "several groups offered: INVALID_KE_PAYLOAD names the configured one (14)" \
	"INVALID_KE_PAYLOAD group=14 " "$out"
out=$(ikeload --user user2 --password pass2 --ca "$T/pki/ca.pem" \
	--ike-proposal aes256gcm16-prfsha256-ecp256-modp2048 --json 2>&1)
check_match "a client starting with the wrong KE retries and connects" '"established": 1,' "$out"
check_match "... after one INVALID_KE_PAYLOAD round" '"invalid_ke_retries": 1,' "$out"

# Legacy algorithms (what default Windows proposes) are off by default.
WIN=(--ike-proposal 3des-sha1-modp1024,aes256-sha1-modp1024 --esp-proposal aes256-sha1,3des-sha1)
out=$(ikeload probe no-proposal 2>&1)
check_match "legacy proposal (3des/sha1/modp1024): NO_PROPOSAL_CHOSEN" "NO_PROPOSAL_CHOSEN" "$out"
out=$(ikeload probe no-proposal "${WIN[@]}" 2>&1)
check_match "Windows-like proposal list: NO_PROPOSAL_CHOSEN" "NO_PROPOSAL_CHOSEN" "$out"
check_log "ikegwd says legacy algorithms are off" "legacy algorithms are off" "$T/ikegwd.log"
write_engine true
check "apply with legacy_clients and a 3des/sha1/modp1024 proposal" ctl apply "$T/engine.json"
out=$(ikeload probe no-proposal "${EAP[@]}" 2>&1)
check_match "after apply: the legacy proposal is accepted" \
	"accepted 3DES/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP1024" "$out"
out=$(ikeload --user user3 --password pass3 --ca "$T/pki/ca.pem" "${WIN[@]}" --json 2>&1)
printf '%s\n' "$out" > "$T/windows-like.log"
check_match "after apply: a Windows-like client connects (3DES IKE, ESP from its list)" \
	'"established": 1,' "$out"
check_log "ikegwd: the SA uses 3DES/SHA1/MODP1024" "3DES/HMAC_SHA1_96/PRF_HMAC_SHA1/MODP1024" \
	"$T/ikegwd.log"

# RFC 7296 2.5: an unknown critical payload is refused with its type.
out=$(ikeload probe critical --type 200 2>&1)
check_match "unknown critical payload 200: UNSUPPORTED_CRITICAL_PAYLOAD naming 200" \
	"UNSUPPORTED_CRITICAL_PAYLOAD type=200 " "$out"
out=$(ikeload probe critical --type 55 2>&1)
check_match "unknown critical payload 55: UNSUPPORTED_CRITICAL_PAYLOAD naming 55" \
	"UNSUPPORTED_CRITICAL_PAYLOAD type=55 " "$out"

# Malformed input of every kind on both ports, including well-encrypted
# requests with mutated payloads at every step of an EAP handshake: ikegwd
# stays up and answers.
out=$(ikeload probe garbage --count 6000 --seed 20261123 "${EAP[@]}" 2>&1)
printf '%s\n' "$out" > "$T/probe-garbage.log"
check_match "garbage (6000 datagrams, seed 20261123): a normal IKE_SA_INIT is still answered" \
	"; alive$" "$out"
check "garbage: the ikegwd process is still running" gw_running
check_not "garbage: no crash or sanitizer report in ikegwd's log" grep -aqE "$CRASH_RE" \
	"$T/ikegwd.log"
check_match "garbage: ikegwd still answers its control socket" "uptime" "$(ctl stats)"
out=$(ikeload --user user1 --password pass1 --ca "$T/pki/ca.pem" --json 2>&1)
check_match "garbage: a full EAP handshake still succeeds afterwards" '"established": 1,' "$out"
check_nomatch "no login banner for a client that does not ask for it" '"banner"' "$out"

# The login banner (Mobile Clients) reaches a client that asks for it.
out=$(ikeload --user user1 --password pass1 --ca "$T/pki/ca.pem" --banner --json 2>&1)
check_match "the client that asks gets the login banner" \
	'"banner": "Authorised use only.\\nikegw test gateway"' "$out"

# A peer must not be able to write forged lines into ikegwd's log through
# its EAP identity (found by ikeload: it used to be logged byte for byte).
forged='2026-01-01T00:00:00Z info  sa#999 established: forged-by-the-peer'
ikeload --user "mallory
$forged" --id mallory --password x --ca "$T/pki/ca.pem" > /dev/null 2>&1
check_log "an EAP identity with a newline is refused" "authentication failed for mallory" \
	"$T/ikegwd.log"
check_not "a peer's EAP identity cannot forge a line in ikegwd's log" \
	grep -aq "^$forged" "$T/ikegwd.log"
