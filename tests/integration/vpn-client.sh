#!/usr/bin/env bash
# tests/integration/vpn-client.sh CMD [ARG] — the strongSwan side of
# t_vpn_e2e.sh, called by the browser scenario (tests/e2e/vpn.test.js)
# between its steps.  Uses lib.sh in the test's namespaces; T, RW, GW,
# GW_ADDR and IKEGW_VAR come from t_vpn_e2e.sh's environment.
#   start CA.crt        trusts the CA exported from the GUI (DER or PEM), starts charon in rw
#   conf USER PASSWORD  loads connection "vpn" (EAP-MSCHAPv2, server vpn.example.com)
#   up | down           initiates / terminates it
#   sas | resolv        the client's SAs / the DNS it was given
#   gw-sas              the engine's SAs (ikegwctl list-sas)
. "$(dirname "$0")/lib.sh"
: "${T:?} ${RW:?} ${GW_ADDR:?} ${IKEGW_VAR:?}"
case ${1:-} in
start)
	mkdir -p "$T/pki"
	openssl x509 -in "$2" -inform "$(head -c 10 "$2" | grep -q -- '-----' && echo PEM || echo DER)" \
		-out "$T/pki/ca.pem" || exit 1
	client_start > "$T/client-start.log" 2>&1 || { cat "$T/client-start.log"; exit 1; } ;;
conf)
	client_conf <<-CONF
	connections {
	  vpn {
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
	}
	secrets {
	  eap-user { id = $2
	             secret = "$3" }
	}
	CONF
	;;
up) client_up vpn ;;
down) sw --terminate --ike vpn ;;
sas) client_sas ;;
resolv) cat "$T/client-resolv.conf" 2>/dev/null ;;
gw-sas) "$BIN/ikegwctl" -s "$IKEGW_VAR/run/ikegwd.sock" list-sas ;;
*) echo "usage: $0 start CA|conf USER PW|up|down|sas|resolv|gw-sas" >&2; exit 2 ;;
esac
