/*
 * names.h — value -> name tables for IKEv2 protocol numbers (ike.h), so
 * logs read "IKE_SA_INIT", "N(NAT_DETECTION_SOURCE_IP)", "ENCR AES_CBC".
 *
 * Every function returns a static constant string (never NULL, never a
 * rotating buffer); values not in the table give "UNKNOWN", so a log line
 * should print the number next to the name: "%s(%u)".
 */
#ifndef IKEGW_IKE_NAMES_H
#define IKEGW_IKE_NAMES_H

#include <stdint.h>

const char	*ike_exchange_name(uint8_t exchange);
const char	*ike_payload_name(uint8_t type);
const char	*ike_notify_name(uint16_t type);
const char	*ike_proto_name(uint8_t proto);
const char	*ike_xform_type_name(uint8_t type);
/* Algorithm of a transform: ike_transform_name(IKE_XF_ENCR, 12) = "AES_CBC". */
const char	*ike_transform_name(uint8_t type, uint16_t id);
const char	*ike_id_type_name(uint8_t type);
const char	*ike_cert_enc_name(uint8_t enc);
const char	*ike_auth_method_name(uint8_t method);
const char	*ike_hash_alg_name(uint16_t alg);
const char	*ike_ts_type_name(uint8_t type);
const char	*ike_cfg_type_name(uint8_t type);
const char	*ike_cfg_attr_name(uint16_t type);
const char	*eap_code_name(uint8_t code);
const char	*eap_type_name(uint8_t type);

#endif
