/*
 * names.c — value -> name tables for logs (see names.h).  Names follow the
 * IANA IKEv2 registry spelling without the ike.h prefixes.
 */
#include <stddef.h>

#include "ike.h"
#include "names.h"

struct ike_name {
	unsigned	 value;
	const char	*name;
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))
#define LOOKUP(tab, v)	ike_name_lookup((tab), NELEM(tab), (v))

static const char *
ike_name_lookup(const struct ike_name *tab, size_t n, unsigned v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (tab[i].value == v)
			return tab[i].name;
	return "UNKNOWN";
}

static const struct ike_name exchange_names[] = {
	{ IKE_SA_INIT,		"IKE_SA_INIT" },
	{ IKE_AUTH,		"IKE_AUTH" },
	{ CREATE_CHILD_SA,	"CREATE_CHILD_SA" },
	{ INFORMATIONAL,	"INFORMATIONAL" },
};

static const struct ike_name payload_names[] = {
	{ IKE_PL_NONE,		"NONE" },
	{ IKE_PL_SA,		"SA" },
	{ IKE_PL_KE,		"KE" },
	{ IKE_PL_IDI,		"IDi" },
	{ IKE_PL_IDR,		"IDr" },
	{ IKE_PL_CERT,		"CERT" },
	{ IKE_PL_CERTREQ,	"CERTREQ" },
	{ IKE_PL_AUTH,		"AUTH" },
	{ IKE_PL_NONCE,		"Nonce" },
	{ IKE_PL_NOTIFY,	"N" },
	{ IKE_PL_DELETE,	"D" },
	{ IKE_PL_VENDOR,	"V" },
	{ IKE_PL_TSI,		"TSi" },
	{ IKE_PL_TSR,		"TSr" },
	{ IKE_PL_SK,		"SK" },
	{ IKE_PL_CP,		"CP" },
	{ IKE_PL_EAP,		"EAP" },
	{ IKE_PL_SKF,		"SKF" },
};

#define NT(s)	{ IKE_N_##s, #s }
static const struct ike_name notify_names[] = {
	NT(UNSUPPORTED_CRITICAL_PAYLOAD),
	NT(INVALID_IKE_SPI),
	NT(INVALID_MAJOR_VERSION),
	NT(INVALID_SYNTAX),
	NT(INVALID_MESSAGE_ID),
	NT(INVALID_SPI),
	NT(NO_PROPOSAL_CHOSEN),
	NT(INVALID_KE_PAYLOAD),
	NT(AUTHENTICATION_FAILED),
	NT(SINGLE_PAIR_REQUIRED),
	NT(NO_ADDITIONAL_SAS),
	NT(INTERNAL_ADDRESS_FAILURE),
	NT(FAILED_CP_REQUIRED),
	NT(TS_UNACCEPTABLE),
	NT(INVALID_SELECTORS),
	NT(UNACCEPTABLE_ADDRESSES),
	NT(UNEXPECTED_NAT_DETECTED),
	NT(TEMPORARY_FAILURE),
	NT(CHILD_SA_NOT_FOUND),
	NT(INITIAL_CONTACT),
	NT(SET_WINDOW_SIZE),
	NT(ADDITIONAL_TS_POSSIBLE),
	NT(IPCOMP_SUPPORTED),
	NT(NAT_DETECTION_SOURCE_IP),
	NT(NAT_DETECTION_DESTINATION_IP),
	NT(COOKIE),
	NT(USE_TRANSPORT_MODE),
	NT(HTTP_CERT_LOOKUP_SUPPORTED),
	NT(REKEY_SA),
	NT(ESP_TFC_PADDING_NOT_SUPPORTED),
	NT(NON_FIRST_FRAGMENTS_ALSO),
	NT(MOBIKE_SUPPORTED),
	NT(ADDITIONAL_IP4_ADDRESS),
	NT(ADDITIONAL_IP6_ADDRESS),
	NT(NO_ADDITIONAL_ADDRESSES),
	NT(UPDATE_SA_ADDRESSES),
	NT(COOKIE2),
	NT(NO_NATS_ALLOWED),
	NT(AUTH_LIFETIME),
	NT(MULTIPLE_AUTH_SUPPORTED),
	NT(ANOTHER_AUTH_FOLLOWS),
	NT(REDIRECT_SUPPORTED),
	NT(REDIRECT),
	NT(REDIRECTED_FROM),
	NT(EAP_ONLY_AUTHENTICATION),
	NT(CHILDLESS_IKEV2_SUPPORTED),
	NT(MSG_ID_SYNC_SUPPORTED),
	NT(IKEV2_FRAGMENTATION_SUPPORTED),
	NT(SIGNATURE_HASH_ALGORITHMS),
};
#undef NT

static const struct ike_name proto_names[] = {
	{ 0,			"NONE" },
	{ IKE_PROTO_IKE,	"IKE" },
	{ IKE_PROTO_AH,		"AH" },
	{ IKE_PROTO_ESP,	"ESP" },
};

static const struct ike_name xform_type_names[] = {
	{ IKE_XF_ENCR,		"ENCR" },
	{ IKE_XF_PRF,		"PRF" },
	{ IKE_XF_INTEG,		"INTEG" },
	{ IKE_XF_DH,		"DH" },
	{ IKE_XF_ESN,		"ESN" },
};

static const struct ike_name encr_names[] = {
	{ IKE_ENCR_3DES,		"3DES" },
	{ IKE_ENCR_NULL,		"NULL" },
	{ IKE_ENCR_AES_CBC,		"AES_CBC" },
	{ IKE_ENCR_AES_CTR,		"AES_CTR" },
	{ IKE_ENCR_AES_GCM_8,		"AES_GCM_8" },
	{ IKE_ENCR_AES_GCM_12,		"AES_GCM_12" },
	{ IKE_ENCR_AES_GCM_16,		"AES_GCM_16" },
	{ IKE_ENCR_CHACHA20_POLY1305,	"CHACHA20_POLY1305" },
};

static const struct ike_name prf_names[] = {
	{ IKE_PRF_HMAC_MD5,	"HMAC_MD5" },
	{ IKE_PRF_HMAC_SHA1,	"HMAC_SHA1" },
	{ IKE_PRF_AES128_XCBC,	"AES128_XCBC" },
	{ IKE_PRF_HMAC_SHA2_256, "HMAC_SHA2_256" },
	{ IKE_PRF_HMAC_SHA2_384, "HMAC_SHA2_384" },
	{ IKE_PRF_HMAC_SHA2_512, "HMAC_SHA2_512" },
	{ IKE_PRF_AES128_CMAC,	"AES128_CMAC" },
};

static const struct ike_name integ_names[] = {
	{ IKE_INTEG_NONE,		"NONE" },
	{ IKE_INTEG_HMAC_MD5_96,	"HMAC_MD5_96" },
	{ IKE_INTEG_HMAC_SHA1_96,	"HMAC_SHA1_96" },
	{ IKE_INTEG_AES_XCBC_96,	"AES_XCBC_96" },
	{ IKE_INTEG_HMAC_SHA2_256_128,	"HMAC_SHA2_256_128" },
	{ IKE_INTEG_HMAC_SHA2_384_192,	"HMAC_SHA2_384_192" },
	{ IKE_INTEG_HMAC_SHA2_512_256,	"HMAC_SHA2_512_256" },
};

static const struct ike_name dh_names[] = {
	{ IKE_DH_NONE,		"NONE" },
	{ IKE_DH_MODP768,	"MODP768" },
	{ IKE_DH_MODP1024,	"MODP1024" },
	{ IKE_DH_MODP1536,	"MODP1536" },
	{ IKE_DH_MODP2048,	"MODP2048" },
	{ IKE_DH_MODP3072,	"MODP3072" },
	{ IKE_DH_MODP4096,	"MODP4096" },
	{ IKE_DH_MODP6144,	"MODP6144" },
	{ IKE_DH_MODP8192,	"MODP8192" },
	{ IKE_DH_ECP256,	"ECP256" },
	{ IKE_DH_ECP384,	"ECP384" },
	{ IKE_DH_ECP521,	"ECP521" },
	{ IKE_DH_CURVE25519,	"CURVE25519" },
	{ IKE_DH_CURVE448,	"CURVE448" },
};

static const struct ike_name esn_names[] = {
	{ IKE_ESN_NO,		"NO_ESN" },
	{ IKE_ESN_YES,		"ESN" },
};

static const struct ike_name id_type_names[] = {
	{ IKE_ID_IPV4_ADDR,	"ID_IPV4_ADDR" },
	{ IKE_ID_FQDN,		"ID_FQDN" },
	{ IKE_ID_RFC822_ADDR,	"ID_RFC822_ADDR" },
	{ IKE_ID_IPV6_ADDR,	"ID_IPV6_ADDR" },
	{ IKE_ID_DER_ASN1_DN,	"ID_DER_ASN1_DN" },
	{ IKE_ID_DER_ASN1_GN,	"ID_DER_ASN1_GN" },
	{ IKE_ID_KEY_ID,	"ID_KEY_ID" },
	{ IKE_ID_NULL,		"ID_NULL" },
};

static const struct ike_name cert_enc_names[] = {
	{ IKE_CERT_X509_SIG,	"X509_SIGNATURE" },
	{ IKE_CERT_CRL,		"CRL" },
	{ IKE_CERT_HASH_URL,	"HASH_URL_X509_CERT" },
};

static const struct ike_name auth_method_names[] = {
	{ IKE_AUTH_RSA_SIG,	"RSA_SIG" },
	{ IKE_AUTH_SHARED_KEY,	"SHARED_KEY_MIC" },
	{ IKE_AUTH_DSS_SIG,	"DSS_SIG" },
	{ IKE_AUTH_ECDSA_256,	"ECDSA_SHA2_256_P256" },
	{ IKE_AUTH_ECDSA_384,	"ECDSA_SHA2_384_P384" },
	{ IKE_AUTH_ECDSA_521,	"ECDSA_SHA2_512_P521" },
	{ IKE_AUTH_NULL,	"NULL_AUTH" },
	{ IKE_AUTH_DIGITAL_SIG,	"DIGITAL_SIGNATURE" },
};

static const struct ike_name hash_alg_names[] = {
	{ IKE_HASH_SHA1,	"SHA1" },
	{ IKE_HASH_SHA2_256,	"SHA2_256" },
	{ IKE_HASH_SHA2_384,	"SHA2_384" },
	{ IKE_HASH_SHA2_512,	"SHA2_512" },
	{ IKE_HASH_IDENTITY,	"IDENTITY" },
};

static const struct ike_name ts_type_names[] = {
	{ IKE_TS_IPV4_ADDR_RANGE, "TS_IPV4_ADDR_RANGE" },
	{ IKE_TS_IPV6_ADDR_RANGE, "TS_IPV6_ADDR_RANGE" },
};

static const struct ike_name cfg_type_names[] = {
	{ IKE_CFG_REQUEST,	"CFG_REQUEST" },
	{ IKE_CFG_REPLY,	"CFG_REPLY" },
	{ IKE_CFG_SET,		"CFG_SET" },
	{ IKE_CFG_ACK,		"CFG_ACK" },
};

#define CA(s)	{ IKE_CA_##s, #s }
static const struct ike_name cfg_attr_names[] = {
	CA(INTERNAL_IP4_ADDRESS),
	CA(INTERNAL_IP4_NETMASK),
	CA(INTERNAL_IP4_DNS),
	CA(INTERNAL_IP4_NBNS),
	CA(INTERNAL_ADDRESS_EXPIRY),
	CA(INTERNAL_IP4_DHCP),
	CA(APPLICATION_VERSION),
	CA(INTERNAL_IP6_ADDRESS),
	CA(INTERNAL_IP6_NBNS),
	CA(INTERNAL_IP6_DNS),
	CA(INTERNAL_IP6_DHCP),
	CA(INTERNAL_IP4_SUBNET),
	CA(SUPPORTED_ATTRIBUTES),
	CA(INTERNAL_IP6_SUBNET),
	CA(INTERNAL_DNS_DOMAIN),
	CA(INTERNAL_DNSSEC_TA),
	CA(MS_INTERNAL_IP4_SERVER),
	CA(MS_INTERNAL_IP6_SERVER),
};
#undef CA

static const struct ike_name eap_code_names[] = {
	{ EAP_CODE_REQUEST,	"Request" },
	{ EAP_CODE_RESPONSE,	"Response" },
	{ EAP_CODE_SUCCESS,	"Success" },
	{ EAP_CODE_FAILURE,	"Failure" },
};

static const struct ike_name eap_type_names[] = {
	{ EAP_TYPE_IDENTITY,	"Identity" },
	{ EAP_TYPE_NOTIFICATION, "Notification" },
	{ EAP_TYPE_NAK,		"Nak" },
	{ EAP_TYPE_MD5,		"MD5-Challenge" },
	{ EAP_TYPE_TLS,		"EAP-TLS" },
	{ EAP_TYPE_MSCHAPV2,	"EAP-MSCHAPv2" },
};

const char *
ike_exchange_name(uint8_t exchange)
{
	return LOOKUP(exchange_names, exchange);
}

const char *
ike_payload_name(uint8_t type)
{
	return LOOKUP(payload_names, type);
}

const char *
ike_notify_name(uint16_t type)
{
	return LOOKUP(notify_names, type);
}

const char *
ike_proto_name(uint8_t proto)
{
	return LOOKUP(proto_names, proto);
}

const char *
ike_xform_type_name(uint8_t type)
{
	return LOOKUP(xform_type_names, type);
}

const char *
ike_transform_name(uint8_t type, uint16_t id)
{
	switch (type) {
	case IKE_XF_ENCR:
		return LOOKUP(encr_names, id);
	case IKE_XF_PRF:
		return LOOKUP(prf_names, id);
	case IKE_XF_INTEG:
		return LOOKUP(integ_names, id);
	case IKE_XF_DH:
		return LOOKUP(dh_names, id);
	case IKE_XF_ESN:
		return LOOKUP(esn_names, id);
	}
	return "UNKNOWN";
}

const char *
ike_id_type_name(uint8_t type)
{
	return LOOKUP(id_type_names, type);
}

const char *
ike_cert_enc_name(uint8_t enc)
{
	return LOOKUP(cert_enc_names, enc);
}

const char *
ike_auth_method_name(uint8_t method)
{
	return LOOKUP(auth_method_names, method);
}

const char *
ike_hash_alg_name(uint16_t alg)
{
	return LOOKUP(hash_alg_names, alg);
}

const char *
ike_ts_type_name(uint8_t type)
{
	return LOOKUP(ts_type_names, type);
}

const char *
ike_cfg_type_name(uint8_t type)
{
	return LOOKUP(cfg_type_names, type);
}

const char *
ike_cfg_attr_name(uint16_t type)
{
	return LOOKUP(cfg_attr_names, type);
}

const char *
eap_code_name(uint8_t code)
{
	return LOOKUP(eap_code_names, code);
}

const char *
eap_type_name(uint8_t type)
{
	return LOOKUP(eap_type_names, type);
}
