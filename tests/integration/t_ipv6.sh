#!/usr/bin/env bash
# IPv6: a strongSwan client reaches ikegwd over IPv6 (UDP 500/4500 on the
# IPv6 sockets), authenticates with EAP-MSCHAPv2 and gets an IPv4 and an
# IPv6 address from a dual-stack pool, IPv6 DNS, and CHILD SAs for both the
# IPv4 and the IPv6 LAN.
. "$(dirname "$0")/lib.sh"
itest_init ipv6
for ns in "$RW" "$GW"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
ip link add eth0 netns "$RW" type veth peer name wan0 netns "$GW"
ip -n "$RW" addr add 2001:db8:1::2/64 dev eth0 nodad
ip -n "$GW" addr add 2001:db8:1::1/64 dev wan0 nodad
ip -n "$RW" link set eth0 up
ip -n "$GW" link set wan0 up
GW_ADDR=2001:db8:1::1
d=$T/pki
mkdir -p "$d"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 30 \
	-subj "/CN=ikegw v6 CA" -addext basicConstraints=critical,CA:TRUE \
	-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$d/server.key" -out "$d/server.csr" -subj "/CN=vpn6.example.com" 2>/dev/null
openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 30 \
	-out "$d/server.pem" -extfile <(printf '%s\n' "subjectAltName=DNS:vpn6.example.com,IP:2001:db8:1::1" \
	"extendedKeyUsage=serverAuth") 2>/dev/null
cat > "$T/engine.json" <<EOF
{
  "version": 1,
  "control_socket": "$T/ikegwd.sock",
  "leases_file": "$T/leases.json",
  "kernel": { "backend": "null" },
  "server": { "certificate": $(json_file "$d/server.pem"),
              "private_key": $(json_file "$d/server.key") },
  "pools": [ { "name": "mobile", "ipv4": "10.10.10.0/24", "ipv6": "fd00:10::/112",
               "dns": ["10.1.0.53", "fd00:1::53"] } ],
  "users": [ { "name": "vera", "nt_hash": "$(nt_hash Vera-Pass-66)" } ],
  "phase1": [ {
    "name": "mobile", "auth": "eap-mschapv2",
    "local_id": { "type": "fqdn", "value": "vpn6.example.com" },
    "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256, "prf": "hmac-sha2-256", "dh": "ecp256" } ],
    "pool": "mobile",
    "phase2": [ { "name": "lan4", "local_ts": ["10.1.0.0/24"],
                  "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256, "dh": "none" } ] },
                { "name": "lan6", "local_ts": ["fd00:1::/64"],
                  "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256, "dh": "none" } ] } ]
  } ]
}
EOF
mkdir -p "$T/pki" && cp "$d/ca.pem" "$T/pki/ca.pem"
gw_start || exit 1
client_start || exit 1
client_conf <<EOF
connections {
  v6 {
    remote_addrs = $GW_ADDR
    vips = 0.0.0.0, ::
    proposals = aes256gcm16-prfsha256-ecp256
    local { auth = eap-mschapv2
            eap_id = vera }
    remote { auth = pubkey
             id = vpn6.example.com }
    children { net { remote_ts = 10.1.0.0/24, fd00:1::/64
                     esp_proposals = aes256gcm16 } }
  }
}
secrets { eap-vera { id = vera
                     secret = "Vera-Pass-66" } }
EOF
out=$(client_up v6)
check_match "connects over IPv6" "CHILD_SA net\{[0-9]+\} established" "$out"
sas=$(client_sas)
check_match "the outer addresses are IPv6" "remote 'vpn6.example.com' @ 2001:db8:1::1\[" "$sas"
check_match "an IPv4 address from the pool" "10\.10\.10\.[0-9]+" "$sas"
check_match "an IPv6 address from the pool" "fd00:10::[0-9a-f]+" "$sas"
check_match "IPv6 DNS server" "nameserver fd00:1::53" "$(cat "$T/client-resolv.conf" 2>/dev/null)"
check_match "the CHILD SA covers both LANs" "remote 10\.1\.0\.0/24 fd00:1::/64" "$sas"
gsas=$(ctl list-sas)
check_match "ikegwd sees the client's IPv6 address" "\[2001:db8:1::2\]:[0-9]+" "$gsas"
check_match "ikegwd: both virtual IPs" "virtual IP fd00:10::" "$gsas"
check_match "ikegwd: IPv6 selectors" "fd00:1::/64" "$gsas"
check_match "leases: the IPv6 pool has vera online" "fd00:10::[0-9a-f]+ +vera +online" "$(ctl leases)"
