#!/usr/bin/env bash
# The firewall ikegwd applies with libnftables (table inet ikegw):
#  - nft -c accepts every golden ruleset (tests/unit/golden/*.nft);
#  - from the WAN side, IKE on UDP 500/4500 reaches the gateway (a client
#    connects) and TCP 22 does not; a WAN pass rule for TCP 22, applied with
#    ikegwctl apply, opens it;
#  - ikegwctl render nft prints what the kernel holds; render pf a pf.conf;
#  - an apply the kernel refuses (an interface that vanished) leaves the
#    previous ruleset in place and says why.
. "$(dirname "$0")/lib.sh"
itest_init firewall
net_basic
pki_make

# 1. golden rulesets, checked in a namespace that has their interfaces
ip netns add "${P}chk"
for i in wan0 lan0 eth0; do ip -n "${P}chk" link add "$i" type veth peer name "x$i"; done
for f in "$TOP"/tests/unit/golden/*.nft; do
	check "nft -c accepts $(basename "$f")" ip netns exec "${P}chk" nft -c -f "$f"
done
ip netns del "${P}chk"

engine() {	# engine WAN_IF WAN_RULES_JSON
	cat > "$T/engine.json" <<-EOF
	{
	  "version": 1,
	  "control_socket": "$T/ikegwd.sock",
	  "leases_file": "$T/leases.json",
	  "kernel": { "backend": "null" },
	  "psk": "firewall-test-psk-0123",
	  "pools": [ { "name": "p", "ipv4": "10.10.10.0/24" } ],
	  "phase1": [ {
	    "name": "mobile", "auth": "psk",
	    "local_id": { "type": "fqdn", "value": "vpn.example.com" },
	    "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256, "prf": "hmac-sha2-256", "dh": "ecp256" } ],
	    "pool": "p",
	    "phase2": [ { "name": "lan", "local_ts": ["10.1.0.0/24"],
	      "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256, "dh": "none" } ] } ]
	  } ],
	  "firewall": {
	    "interfaces": { "wan": "$1", "lan": "lan0" },
	    "lan_net": ["10.1.0.0/24"], "wan_address": ["192.0.2.1"],
	    "rules": { "wan": $2 }
	  }
	}
	EOF
}
engine wan0 '[]'
gw_start || exit 1
ip netns exec "$GW" nc -lk 22 > /dev/null 2>&1 &
echo $! > "$T/nc.pid"
disown

ruleset=$(ip netns exec "$GW" nft list table inet ikegw 2>&1)
check_match "ikegwd installed table inet ikegw" "chain in_wan" "$ruleset"
check_match "auto rules pass IKE and ESP on WAN" "udp dport \{ 500, 4500 \} accept" "$ruleset"
check_not "from WAN, TCP 22 to the gateway is blocked" ip netns exec "$RW" nc -z -w 2 192.0.2.1 22
client_start || exit 1
client_conf <<EOF
connections { c { remote_addrs = $GW_ADDR
                  vips = 0.0.0.0
                  proposals = aes256gcm16-prfsha256-ecp256
                  local { auth = psk
                          id = fw-client }
                  remote { auth = psk
                           id = vpn.example.com }
                  children { net { remote_ts = 10.1.0.0/24
                                   esp_proposals = aes256gcm16 } } } }
secrets { ike { secret = "firewall-test-psk-0123" } }
EOF
check_match "from WAN, IKE on UDP 500 and 4500 reaches the gateway (a client connects)" \
	"CHILD_SA net\{[0-9]+\} established" "$(client_up c)"

engine wan0 '[ { "action": "pass", "protocol": "tcp", "destination": { "type": "wan_address" }, "destination_ports": "22", "description": "ssh" }, { "action": "pass", "protocol": "tcp", "destination_ports": "22" } ]'
check "apply a WAN rule passing TCP 22" ctl apply "$T/engine.json"
check "from WAN, TCP 22 now reaches the gateway" ip netns exec "$RW" nc -z -w 2 192.0.2.1 22
check_match "the VPN client survived the apply" "ESTABLISHED" "$(client_sas)"
rendered=$(ctl render nft)
check_match "ikegwctl render nft shows the new rule" 'ip daddr @wan_address4 tcp dport 22 accept comment "ssh"' "$rendered"
kernel=$(ip netns exec "$GW" nft list table inet ikegw)
check_match "the kernel holds the same rule" 'ip daddr @wan_address4 tcp dport 22 accept comment "ssh"' "$kernel"
check_match "ikegwctl render pf prints a pf.conf fragment" 'pass in quick on \$wan proto udp to \(\$wan\) port \{ 500 4500 \}' "$(ctl render pf)"
check_match "pf: outbound NAT for the pool" 'nat on \$wan from <vpn_pool> to any -> \(\$wan\)' "$(ctl render pf)"

# An apply the kernel refuses: the WAN interface vanished.
before=$(ip netns exec "$GW" nft list table inet ikegw)
engine gone0 '[]'
out=$(ctl apply "$T/engine.json" 2>&1)
check_match "apply refused, with the reason" "Interface does not exist" "$out"
after=$(ip netns exec "$GW" nft list table inet ikegw)
check "the previous ruleset is still in place" test "$before" = "$after"
check "TCP 22 still passes (old rules)" ip netns exec "$RW" nc -z -w 2 192.0.2.1 22
check_match "the engine kept running its old configuration" 'tcp dport 22 accept' "$(ctl render nft)"

# Switching the firewall off (e.g. WAN unassigned in the pages) removes our
# table; other tables stay.
ip netns exec "$GW" nft add table inet someone_else
engine wan0 '[]'
sed -i 's/"firewall": {/"firewall": { "enabled": false,/' "$T/engine.json"
check "apply with the firewall switched off" ctl apply "$T/engine.json"
check_not "table inet ikegw is gone" ip netns exec "$GW" nft list table inet ikegw
check "other tables are left alone" ip netns exec "$GW" nft list table inet someone_else
