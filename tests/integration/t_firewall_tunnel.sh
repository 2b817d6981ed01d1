#!/usr/bin/env bash
# The firewall with traffic through the tunnel (userspace ESP over TUN):
#  - IPsec tab: a pass rule for TCP 443 to the LAN host lets the VPN client
#    through, while TCP 22 to the same host meets the tab's default deny;
#  - full tunnel with automatic outbound NAT: the client's traffic to a host
#    beyond WAN leaves with the gateway's WAN address.
# Topology:  rw 198.51.100.2 ── sw (router) ── 192.0.2.1 gw 10.1.0.1 ── lan 10.1.0.10
#                               └── 203.0.113.10 inet (a host beyond WAN)
. "$(dirname "$0")/lib.sh"
itest_init firewall_tunnel
SW=${P}sw INET=${P}inet
for ns in "$RW" "$SW" "$GW" "$LAN" "$INET"; do ip netns add "$ns"; ip -n "$ns" link set lo up; done
extra_cleanup() {
	for ns in "$SW" "$INET"; do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$pid" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
}
trap 'extra_cleanup; itest_cleanup' EXIT
veth "$RW" eth0 198.51.100.2/24 "$SW" rw0 198.51.100.254/24
veth "$SW" gw0 192.0.2.254/24 "$GW" wan0 192.0.2.1/24
veth "$SW" inet0 203.0.113.254/24 "$INET" eth0 203.0.113.10/24
veth "$GW" lan0 10.1.0.1/24 "$LAN" eth0 10.1.0.10/24
ip -n "$RW" route add default via 198.51.100.254
ip -n "$GW" route add default via 192.0.2.254
ip -n "$INET" route add default via 203.0.113.254
ip -n "$LAN" route add default via 10.1.0.1
ip netns exec "$SW" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$GW" sysctl -qw net.ipv4.ip_forward=1
GW_ADDR=192.0.2.1
pki_make

cat > "$T/engine.json" <<EOF
{
  "version": 1,
  "control_socket": "$T/ikegwd.sock",
  "leases_file": "$T/leases.json",
  "kernel": { "backend": "tun", "tun_name": "ipsec0" },
  "psk": "tunnel-firewall-psk-01",
  "pools": [ { "name": "p", "ipv4": "10.10.10.0/24" } ],
  "phase1": [ {
    "name": "mobile", "auth": "psk",
    "local_id": { "type": "fqdn", "value": "vpn.example.com" },
    "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256, "prf": "hmac-sha2-256", "dh": "ecp256" } ],
    "pool": "p",
    "phase2": [ { "name": "all", "local_ts": ["0.0.0.0/0"],
      "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256, "dh": "none" } ] } ]
  } ],
  "firewall": {
    "interfaces": { "wan": "wan0", "lan": "lan0" },
    "lan_net": ["10.1.0.0/24"],
    "rules": {
      "ipsec": [
        { "action": "pass", "protocol": "tcp", "source": { "type": "vpn_pool" },
          "destination": { "type": "address", "value": "10.1.0.10" }, "destination_ports": "443",
          "description": "VPN clients to the web server" },
        { "action": "pass", "protocol": "tcp", "source": { "type": "vpn_pool" },
          "destination": { "type": "address", "value": "203.0.113.10" }, "destination_ports": "80" }
      ]
    },
    "nat": { "mode": "automatic" }
  }
}
EOF
gw_start || exit 1
for port in 443 22; do
	ip netns exec "$LAN" nc -lk "$port" > /dev/null 2>&1 &
	disown
done
ip netns exec "$INET" sh -c "nc -lkvn 80 > /dev/null 2> $T/inet-nc.log" > /dev/null 2>&1 &
disown
client_start || exit 1
client_conf <<EOF
connections { c { remote_addrs = $GW_ADDR
                  vips = 0.0.0.0
                  proposals = aes256gcm16-prfsha256-ecp256
                  local { auth = psk
                          id = fw-client }
                  remote { auth = psk
                           id = vpn.example.com }
                  children { net { remote_ts = 0.0.0.0/0
                                   esp_proposals = aes256gcm16 } } } }
secrets { ike { secret = "tunnel-firewall-psk-01" } }
EOF
check_match "the client connects (full tunnel)" "CHILD_SA net\{[0-9]+\} established" "$(client_up c)"
vip=$(client_sas | grep -oE '\[10\.10\.10\.[0-9]+\]' | head -1 | tr -d '[]')
check "through the tunnel, TCP 443 to the LAN host passes (IPsec tab rule)" \
	ip netns exec "$RW" nc -z -w 3 -s "$vip" 10.1.0.10 443
check_not "through the tunnel, TCP 22 to the same host is blocked (default deny)" \
	ip netns exec "$RW" nc -z -w 3 -s "$vip" 10.1.0.10 22
check "through the tunnel to a host beyond WAN (TCP 80)" \
	ip netns exec "$RW" nc -z -w 3 -s "$vip" 203.0.113.10 80
check_log "it arrived from the gateway's WAN address (automatic outbound NAT)" \
	"Connection (from|received on) 192\.0\.2\.1" "$T/inet-nc.log"
check_nomatch "the client's pool address never reached the host beyond WAN" "10\.10\.10\." "$(cat "$T/inet-nc.log")"
check_match "the ruleset matches tunnel traffic on the TUN device" 'iifname "ipsec0" jump in_ipsec' \
	"$(ip netns exec "$GW" nft list table inet ikegw)"
