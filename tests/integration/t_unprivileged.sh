#!/usr/bin/env bash
# ikegwd with the null kernel backend runs without root: as user nobody on
# an unprivileged IKE port (10500; 4500 needs no privilege either), it answers a strongSwan client and its
# control socket works.
. "$(dirname "$0")/lib.sh"
itest_init unprivileged
net_basic
pki_make
mkdir -p "$T/run"
chown nobody "$T/run"
cat > "$T/engine.json" <<EOF
{
  "version": 1,
  "ike_port": 10500, "natt_port": 4500,
  "control_socket": "$T/run/ikegwd.sock",
  "leases_file": "$T/run/leases.json",
  "kernel": { "backend": "null" },
  "psk": "shared-secret-0123456789",
  "pools": [ { "name": "p", "ipv4": "10.10.20.0/24" } ],
  "phase1": [ {
    "name": "mobile", "auth": "psk",
    "local_id": { "type": "fqdn", "value": "vpn.example.com" },
    "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256, "prf": "hmac-sha2-256", "dh": "modp2048" } ],
    "pool": "p",
    "phase2": [ { "name": "lan", "local_ts": ["10.1.0.0/24"],
      "proposals": [ { "encryption": "aes-gcm-16", "key_length": 256, "dh": "none" } ] } ]
  } ]
}
EOF
chmod 644 "$T/engine.json"
ip netns exec "$GW" setpriv --reuid=nobody --regid=nogroup --clear-groups \
	--inh-caps=-all --bounding-set=-all "$BIN/ikegwd" -c "$T/engine.json" -d \
	> "$T/ikegwd.log" 2>&1 &
echo $! > "$T/ikegwd-nobody.pid"
disown
if wait_for 10 test -S "$T/run/ikegwd.sock"; then pass "ikegwd starts as nobody"
else fail "ikegwd starts as nobody" "$(cat "$T/ikegwd.log")"; exit 1; fi
check_match "it runs as nobody" "^nobody" "$(ps -o user= -p "$(cat "$T/ikegwd-nobody.pid")")"
client_start || exit 1
client_conf <<EOF
connections {
  c {
    remote_addrs = $GW_ADDR
    remote_port = 10500
    vips = 0.0.0.0
    proposals = aes256gcm16-prfsha256-modp2048
    local { auth = psk
            id = erin }
    remote { auth = psk
             id = vpn.example.com }
    children { net { remote_ts = 10.1.0.0/24
                     esp_proposals = aes256gcm16 } }
  }
}
secrets { ike { secret = "shared-secret-0123456789" } }
EOF
out=$(client_up c)
check_match "a client connects to the unprivileged ikegwd" "CHILD_SA net\{[0-9]+\} established" "$out"
check_match "ikegwctl reaches it" "ESTABLISHED +erin" "$("$BIN/ikegwctl" -s "$T/run/ikegwd.sock" list-sas)"
