#!/usr/bin/env bash
# MOBIKE and IKE fragmentation:
#  - fragmentation: 4096-bit certificates under an intermediate CA on both
#    sides make IKE_AUTH larger than the fragment size in both directions;
#    ikegwd reassembles the client's fragments and fragments its answer;
#  - MOBIKE (RFC 4555): the client's address changes, it sends
#    UPDATE_SA_ADDRESSES, the SA follows, the client stays connected and the
#    lease does not change.
. "$(dirname "$0")/lib.sh"
itest_init mobike_frag
net_basic
d=$T/pki
mkdir -p "$d"
ext() { printf '%s\n' "$@" > "$d/ext.cnf"; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 30 \
	-subj "/CN=ikegw Root" -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey rsa:4096 -nodes -keyout "$d/inter.key" -out "$d/inter.csr" -subj "/CN=ikegw Intermediate" 2>/dev/null
ext "basicConstraints=critical,CA:TRUE" "keyUsage=critical,keyCertSign,cRLSign"
openssl x509 -req -in "$d/inter.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 30 \
	-out "$d/inter.pem" -extfile "$d/ext.cnf" 2>/dev/null
openssl req -newkey rsa:4096 -nodes -keyout "$d/server.key" -out "$d/server.csr" -subj "/CN=vpn.example.com" 2>/dev/null
ext "subjectAltName=DNS:vpn.example.com" "extendedKeyUsage=serverAuth,1.3.6.1.5.5.8.2.2"
openssl x509 -req -in "$d/server.csr" -CA "$d/inter.pem" -CAkey "$d/inter.key" -CAcreateserial -days 30 \
	-out "$d/server.pem" -extfile "$d/ext.cnf" 2>/dev/null
openssl req -newkey rsa:4096 -nodes -keyout "$d/alice.key" -out "$d/alice.csr" -subj "/CN=alice@example.com" 2>/dev/null
ext "subjectAltName=email:alice@example.com" "extendedKeyUsage=clientAuth"
openssl x509 -req -in "$d/alice.csr" -CA "$d/inter.pem" -CAkey "$d/inter.key" -CAcreateserial -days 30 \
	-out "$d/alice.pem" -extfile "$d/ext.cnf" 2>/dev/null

cat > "$T/engine.json" <<EOF
{
  "version": 1,
  "control_socket": "$T/ikegwd.sock",
  "leases_file": "$T/leases.json",
  "kernel": { "backend": "null" },
  "server": { "certificate": $(json_file "$d/server.pem"),
              "chain": $(json_file "$d/inter.pem"),
              "private_key": $(json_file "$d/server.key") },
  "cas": [ { "name": "root", "certificate": $(json_file "$d/ca.pem") },
           { "name": "inter", "certificate": $(json_file "$d/inter.pem") } ],
  "pools": [ { "name": "mobile", "ipv4": "10.10.10.0/24" } ],
  "phase1": [ {
    "name": "mobile", "auth": "certificate",
    "local_id": { "type": "fqdn", "value": "vpn.example.com" },
    "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256, "prf": "hmac-sha2-384", "dh": "ecp384" } ],
    "fragment_size": 1280,
    "mobike": true,
    "pool": "mobile",
    "phase2": [ { "name": "lan", "local_ts": ["10.1.0.0/24"],
      "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256, "dh": "none" } ] } ]
  } ]
}
EOF
gw_start || exit 1
client_start || exit 1
cp "$d/alice.pem" "$d/inter.pem" "$T/client/x509/"
cp "$d/alice.key" "$T/client/private/"
cp "$d/ca.pem" "$T/client/x509ca/"
client_conf <<EOF
connections {
  big {
    remote_addrs = $GW_ADDR
    vips = 0.0.0.0
    proposals = aes256gcm16-prfsha384-ecp384
    fragmentation = yes
    mobike = yes
    local { auth = pubkey
            certs = alice.pem
            id = alice@example.com }
    remote { auth = pubkey
             id = vpn.example.com }
    children { net { remote_ts = 10.1.0.0/24
                     esp_proposals = aes256gcm16 } }
  }
}
EOF
out=$(client_up big)
check_match "4096-bit chains on both sides: connects" "CHILD_SA net\{[0-9]+\} established" "$out"
check_log "the client fragmented its IKE_AUTH" "IKE_AUTH request 1 \[ EF\(1/[0-9]+\) \]" "$T/charon.log"
check_log "ikegwd reassembled it" "reassembled IKE_AUTH from fragments" "$T/ikegwd.log"
check_log "ikegwd fragmented its answer" "IKE_AUTH sent in [0-9]+ fragments" "$T/ikegwd.log"
check_log "the client reassembled our answer" "reassembled fragmented IKE message" "$T/charon.log"
check_log "the client received our intermediate CA" "received issuer cert \"CN=ikegw Intermediate\"" "$T/charon.log"

vip=$(ctl list-sas | grep -oE 'virtual IP [0-9.]+' | awk '{print $3}')
# MOBIKE: the client gets a new address and loses the old one.
ip netns exec "$RW" sysctl -qw net.ipv4.conf.eth0.promote_secondaries=1
ip -n "$RW" addr add 192.0.2.7/24 dev eth0
ip -n "$RW" addr del 192.0.2.2/24 dev eth0
if wait_for 15 sh -c "$BIN/ikegwctl -s $T/ikegwd.sock list-sas | grep -q '192.0.2.7:'"; then
	pass "MOBIKE: the SA moved to the client's new address 192.0.2.7"
else
	fail "MOBIKE: the SA moved to the client's new address 192.0.2.7" "$(ctl list-sas; tail -5 "$T/ikegwd.log")"
fi
check_log "MOBIKE: UPDATE_SA_ADDRESSES handled" "MOBIKE: addresses updated to 192\.0\.2\.7" "$T/ikegwd.log"
check_log "MOBIKE: the client sent the update" "UPDATE_SA_ADDRESSES|N\(UPD_SA_ADDR\)" "$T/charon.log"
check_match "MOBIKE: the client is still connected" "ESTABLISHED" "$(client_sas)"
check_match "MOBIKE: same virtual IP ($vip)" "virtual IP $vip\$" "$(ctl list-sas)"
check_match "MOBIKE: the kernel SA follows too" '"address": "192.0.2.7"' "$(ctl --json kernel-sas)"
