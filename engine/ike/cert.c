/* cert — see cert.h. */
#include <arpa/inet.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert.h"
#include "ike.h"

#define MAX_CHAIN 8

struct ike_certs {
	EVP_PKEY	*key;
	X509		*leaf;
	uint8_t		*der[MAX_CHAIN];
	size_t		 derlen[MAX_CHAIN];
	size_t		 nder;
	X509_STORE	*store;
	STACK_OF(X509)	*cas;
	STACK_OF(X509_CRL) *crls;
	uint8_t		*certreq;
	size_t		 certreq_len;
};

static void
ossl_err(char *err, size_t len, const char *what)
{
	unsigned long e = ERR_get_error();
	char buf[256] = "";

	if (e)
		ERR_error_string_n(e, buf, sizeof(buf));
	snprintf(err, len, "%s%s%s", what, *buf ? ": " : "", buf);
	ERR_clear_error();
}

/* Reads every certificate of a PEM text onto a stack. */
static int
pem_certs(const char *pem, STACK_OF(X509) *out)
{
	BIO *b = BIO_new_mem_buf(pem, -1);
	X509 *x;
	int n = 0;

	if (b == NULL)
		return -1;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
		sk_X509_push(out, x);
		n++;
	}
	ERR_clear_error();
	BIO_free(b);
	return n;
}

static int
add_der(struct ike_certs *c, X509 *x)
{
	int n;
	uint8_t *p;

	if (c->nder >= MAX_CHAIN || (n = i2d_X509(x, NULL)) <= 0 ||
	    (c->der[c->nder] = malloc((size_t)n)) == NULL)
		return -1;
	p = c->der[c->nder];
	i2d_X509(x, &p);
	c->derlen[c->nder++] = (size_t)n;
	return 0;
}

struct ike_certs *
ike_certs_load(const struct ike_config *cfg, char *err, size_t errlen)
{
	struct ike_certs *c = calloc(1, sizeof(*c));
	STACK_OF(X509) *chain = NULL;
	BIO *b = NULL;
	size_t i;
	int j;

	if (c == NULL)
		goto nomem;
	c->store = X509_STORE_new();
	c->cas = sk_X509_new_null();
	c->crls = sk_X509_CRL_new_null();
	if (c->store == NULL || c->cas == NULL || c->crls == NULL)
		goto nomem;
	if (cfg->server_cert_pem) {
		if ((b = BIO_new_mem_buf(cfg->server_cert_pem, -1)) == NULL ||
		    (c->leaf = PEM_read_bio_X509(b, NULL, NULL, NULL)) == NULL) {
			ossl_err(err, errlen, "server certificate");
			goto fail;
		}
		BIO_free(b);
		if ((b = BIO_new_mem_buf(cfg->server_key_pem, -1)) == NULL ||
		    (c->key = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL)) == NULL) {
			ossl_err(err, errlen, "server private key");
			goto fail;
		}
		BIO_free(b);
		b = NULL;
		if (X509_check_private_key(c->leaf, c->key) != 1) {
			snprintf(err, errlen, "server private key does not match the certificate");
			goto fail;
		}
		if (add_der(c, c->leaf) == -1)
			goto nomem;
		if (cfg->server_chain_pem) {
			if ((chain = sk_X509_new_null()) == NULL || pem_certs(cfg->server_chain_pem,
			    chain) < 0)
				goto nomem;
			for (j = 0; j < sk_X509_num(chain); j++)
				if (add_der(c, sk_X509_value(chain, j)) == -1)
					goto nomem;
			sk_X509_pop_free(chain, X509_free);
			chain = NULL;
		}
	}
	for (i = 0; i < cfg->ncas; i++) {
		STACK_OF(X509) *one = sk_X509_new_null();

		if (one == NULL || pem_certs(cfg->cas[i].cert_pem, one) < 1) {
			sk_X509_pop_free(one, X509_free);
			snprintf(err, errlen, "CA %s: no certificate", cfg->cas[i].name);
			goto fail;
		}
		for (j = 0; j < sk_X509_num(one); j++) {
			X509 *x = sk_X509_value(one, j);

			X509_STORE_add_cert(c->store, x);
			X509_up_ref(x);
			sk_X509_push(c->cas, x);
		}
		sk_X509_pop_free(one, X509_free);
		if (cfg->cas[i].crl_pem) {
			X509_CRL *crl;

			if ((b = BIO_new_mem_buf(cfg->cas[i].crl_pem, -1)) == NULL ||
			    (crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL)) == NULL) {
				ossl_err(err, errlen, "CRL");
				goto fail;
			}
			BIO_free(b);
			b = NULL;
			sk_X509_CRL_push(c->crls, crl);
		}
	}
	/* CERTREQ (RFC 7296 3.7): SHA-1 of each CA's SubjectPublicKeyInfo. */
	if ((c->certreq = malloc(20 * (size_t)(sk_X509_num(c->cas) + 1))) == NULL)
		goto nomem;
	for (j = 0; j < sk_X509_num(c->cas); j++) {
		uint8_t *spki = NULL;
		int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(sk_X509_value(c->cas, j)), &spki);
		unsigned int mdlen = 20;

		if (n <= 0 || EVP_Digest(spki, (size_t)n, c->certreq + c->certreq_len, &mdlen,
		    EVP_sha1(), NULL) != 1) {
			OPENSSL_free(spki);
			goto nomem;
		}
		OPENSSL_free(spki);
		c->certreq_len += 20;
	}
	return c;
nomem:
	snprintf(err, errlen, "out of memory");
fail:
	BIO_free(b);
	sk_X509_pop_free(chain, X509_free);
	ike_certs_free(c);
	return NULL;
}

void
ike_certs_free(struct ike_certs *c)
{
	size_t i;

	if (c == NULL)
		return;
	EVP_PKEY_free(c->key);
	X509_free(c->leaf);
	for (i = 0; i < c->nder; i++)
		free(c->der[i]);
	X509_STORE_free(c->store);
	sk_X509_pop_free(c->cas, X509_free);
	sk_X509_CRL_pop_free(c->crls, X509_CRL_free);
	free(c->certreq);
	free(c);
}

EVP_PKEY *
ike_certs_key(const struct ike_certs *c)
{
	return c->key;
}

const uint8_t *
ike_certs_der(const struct ike_certs *c, size_t i, size_t *len)
{
	if (i >= c->nder)
		return NULL;
	*len = c->derlen[i];
	return c->der[i];
}

const uint8_t *
ike_certs_certreq(const struct ike_certs *c, size_t *len)
{
	*len = c->certreq_len;
	return c->certreq_len ? c->certreq : NULL;
}

int
ike_certs_local_id(const struct ike_certs *c, const struct cfg_identity *id, uint8_t *type,
    uint8_t **data, size_t *len)
{
	uint8_t *p;
	int n;

	*data = NULL;
	switch (id->type) {
	case CFG_ID_FQDN:
	case CFG_ID_EMAIL:
	case CFG_ID_KEYID:
		*type = id->type == CFG_ID_FQDN ? IKE_ID_FQDN : id->type == CFG_ID_EMAIL ?
		    IKE_ID_RFC822_ADDR : IKE_ID_KEY_ID;
		*len = strlen(id->value);
		if ((*data = malloc(*len + 1)) == NULL)
			return -1;
		memcpy(*data, id->value, *len);
		return 0;
	case CFG_ID_IPV4:
	case CFG_ID_IPV6:
		*type = id->type == CFG_ID_IPV4 ? IKE_ID_IPV4_ADDR : IKE_ID_IPV6_ADDR;
		*len = id->type == CFG_ID_IPV4 ? 4 : 16;
		if ((*data = malloc(16)) == NULL)
			return -1;
		if (inet_pton(id->type == CFG_ID_IPV4 ? AF_INET : AF_INET6, id->value, *data) != 1) {
			free(*data);
			*data = NULL;
			return -1;
		}
		return 0;
	case CFG_ID_DN:
		if (c->leaf == NULL)
			return -1;
		*type = IKE_ID_DER_ASN1_DN;
		p = NULL;
		if ((n = i2d_X509_NAME(X509_get_subject_name(c->leaf), &p)) <= 0)
			return -1;
		if ((*data = malloc((size_t)n)) == NULL) {
			OPENSSL_free(p);
			return -1;
		}
		memcpy(*data, p, (size_t)n);
		OPENSSL_free(p);
		*len = (size_t)n;
		return 0;
	}
	return -1;
}

void
ike_id_text(uint8_t type, const uint8_t *data, size_t len, char *out, size_t outlen)
{
	const uint8_t *p = data;
	X509_NAME *name;
	size_t i, o = 0;

	if (outlen == 0)
		return;
	out[0] = '\0';
	switch (type) {
	case IKE_ID_IPV4_ADDR:
		if (len == 4)
			inet_ntop(AF_INET, data, out, (socklen_t)outlen);
		return;
	case IKE_ID_IPV6_ADDR:
		if (len == 16)
			inet_ntop(AF_INET6, data, out, (socklen_t)outlen);
		return;
	case IKE_ID_DER_ASN1_DN:
		if ((name = d2i_X509_NAME(NULL, &p, (long)len)) != NULL) {
			X509_NAME_oneline(name, out, (int)outlen);
			X509_NAME_free(name);
		}
		ERR_clear_error();
		return;
	default:
		/* FQDN, RFC822, KEY_ID: printable bytes; anything else as '?'. */
		for (i = 0; i < len && o + 1 < outlen; i++)
			out[o++] = isprint(data[i]) ? (char)data[i] : '?';
		out[o] = '\0';
		return;
	}
}

/* 1 when the certificate carries a SAN of the kind and value the ID names. */
static int
san_matches(X509 *x, uint8_t id_type, const uint8_t *id, size_t idlen)
{
	GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	int i, hit = 0;

	for (i = 0; gens && i < sk_GENERAL_NAME_num(gens) && !hit; i++) {
		const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
		const ASN1_STRING *s = NULL;

		if (id_type == IKE_ID_FQDN && g->type == GEN_DNS)
			s = g->d.dNSName;
		else if (id_type == IKE_ID_RFC822_ADDR && g->type == GEN_EMAIL)
			s = g->d.rfc822Name;
		else if ((id_type == IKE_ID_IPV4_ADDR || id_type == IKE_ID_IPV6_ADDR) &&
		    g->type == GEN_IPADD)
			s = g->d.iPAddress;
		if (s == NULL || (size_t)ASN1_STRING_length(s) != idlen)
			continue;
		if (id_type == IKE_ID_FQDN || id_type == IKE_ID_RFC822_ADDR)
			hit = strncasecmp((const char *)ASN1_STRING_get0_data(s),
			    (const char *)id, idlen) == 0;
		else
			hit = memcmp(ASN1_STRING_get0_data(s), id, idlen) == 0;
	}
	GENERAL_NAMES_free(gens);
	return hit;
}

int
ike_certs_verify_peer(const struct ike_certs *c, const uint8_t *const *ders, const size_t *lens,
    size_t n, uint8_t id_type, const uint8_t *id, size_t idlen, EVP_PKEY **pub, char *subject,
    size_t subjlen, char *why, size_t whylen)
{
	STACK_OF(X509) *untrusted = sk_X509_new_null();
	X509_STORE_CTX *ctx = NULL;
	X509 *leaf = NULL, *issuer;
	const uint8_t *p;
	int i, rc = -1, ok;
	size_t k;

	*pub = NULL;
	if (untrusted == NULL || n == 0) {
		snprintf(why, whylen, "no certificate");
		goto out;
	}
	for (k = 0; k < n; k++) {
		X509 *x;

		p = ders[k];
		if ((x = d2i_X509(NULL, &p, (long)lens[k])) == NULL || p != ders[k] + lens[k]) {
			X509_free(x);
			snprintf(why, whylen, "certificate %zu does not parse", k + 1);
			goto out;
		}
		if (k == 0)
			leaf = x;
		else
			sk_X509_push(untrusted, x);
	}
	if ((ctx = X509_STORE_CTX_new()) == NULL ||
	    X509_STORE_CTX_init(ctx, c->store, leaf, untrusted) != 1)
		goto out;
	if (X509_verify_cert(ctx) != 1) {
		snprintf(why, whylen, "certificate not trusted: %s",
		    X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		goto out;
	}
	/* Revocation: the leaf against its issuer's CRL, when we have one. */
	issuer = sk_X509_num(X509_STORE_CTX_get0_chain(ctx)) > 1 ?
	    sk_X509_value(X509_STORE_CTX_get0_chain(ctx), 1) : NULL;
	for (i = 0; issuer && i < sk_X509_CRL_num(c->crls); i++) {
		X509_CRL *crl = sk_X509_CRL_value(c->crls, i);
		X509_REVOKED *rev = NULL;
		EVP_PKEY *ik = X509_get0_pubkey(issuer);

		if (X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(issuer)) != 0)
			continue;
		if (ik == NULL || X509_CRL_verify(crl, ik) != 1)
			continue;
		if (X509_CRL_get0_by_cert(crl, &rev, leaf) == 1) {
			snprintf(why, whylen, "certificate is revoked");
			goto out;
		}
	}
	X509_NAME_oneline(X509_get_subject_name(leaf), subject, (int)subjlen);
	/* The identity must be the certificate's (RFC 7296 3.5, 4). */
	if (id_type == IKE_ID_DER_ASN1_DN) {
		uint8_t *dn = NULL;
		int dnlen = i2d_X509_NAME(X509_get_subject_name(leaf), &dn);

		ok = dnlen > 0 && (size_t)dnlen == idlen && memcmp(dn, id, idlen) == 0;
		OPENSSL_free(dn);
	} else
		ok = san_matches(leaf, id_type, id, idlen);
	if (!ok) {
		snprintf(why, whylen, "identity does not match the certificate %s", subject);
		goto out;
	}
	if ((*pub = X509_get_pubkey(leaf)) == NULL)
		goto out;
	rc = 0;
out:
	ERR_clear_error();
	X509_STORE_CTX_free(ctx);
	X509_free(leaf);
	sk_X509_pop_free(untrusted, X509_free);
	return rc;
}
