/*
 * certmgr — what the System > Cert. Manager pages share: ui-ca.c (CAs),
 * ui-cert.c (certificates and CSRs), ui-crl.c (revocation and CRLs).
 *
 * The X.509 work is pki/'s; this file turns form input into pki requests
 * (subject DN, SAN lists, key and digest choices), turns pki messages into
 * field messages, seals and unseals private keys (AES-256-GCM under the
 * app secret, aad "ca:<id>:key" / "cert:<id>:key", so a blob copied to
 * another row does not open), picks serials that are free for a CA, keeps
 * each CA's CRL current, and sends downloads.
 */
#ifndef IKEGW_WEB_CERTMGR_H
#define IKEGW_WEB_CERTMGR_H

#include "web.h"

#define NFIELDS(a) (sizeof(a) / sizeof((a)[0]))

/* Form choices: pki_keytype_parse / pki_digest_parse names. */
extern const char *const cm_key_choices[];
extern const char *const cm_digest_choices[];
extern const char *const cm_reason_choices[];	/* pki_crl_reason_name()s */

/* <option> lists for templates: [{"value","label","selected"}]. New reference. */
json_t	*cm_key_options(const char *selected);
json_t	*cm_digest_options(const char *selected);
json_t	*cm_reason_options(const char *selected);
/* CAs that can sign (they have a key) as options, `selected` ticked. */
json_t	*cm_ca_options(struct web_req *, int64_t selected);

/* A pki message for people: first letter capitalised, ending in a period. */
void	 cm_sentence(const char *msg, char *out, size_t outlen);
/* form_error(f, field, cm_sentence(msg)). */
void	 cm_field_error(struct form *, const char *field, const char *msg);

/* The form fields of a subject DN, for a form_field array; cm_dn_from_form
   reads them. */
#define CM_DN_FIELDS \
	{ .name = "cn", .label = "Common Name", .type = FORM_TEXT, .max = 64 }, \
	{ .name = "c", .label = "Country", .type = FORM_TEXT, .max = 2 }, \
	{ .name = "st", .label = "State or province", .type = FORM_TEXT, .max = 128 }, \
	{ .name = "l", .label = "City", .type = FORM_TEXT, .max = 128 }, \
	{ .name = "o", .label = "Organization", .type = FORM_TEXT, .max = 64 }, \
	{ .name = "ou", .label = "Organizational unit", .type = FORM_TEXT, .max = 64 }

/*
 * Fills dn from the form fields cn, c, st, l, o, ou (borrowed from f) and
 * checks each one on its own, so a problem is reported next to its field.
 * The country is upper-cased first (stored in f).
 */
void	 cm_dn_from_form(struct form *, struct pki_dn *dn);
/*
 * The SAN list of field `field` (FORM_MULTI|FORM_LINES): each line is
 * "DNS:", "IP:", "email:" or "URI:" followed by the value, or just the value,
 * whose kind is then guessed (an IP address, something with "://" or "urn:"
 * a URI, with '@' an e-mail address, else a host name).  Checks each one;
 * problems go to the field.  *out is malloc'ed (values borrowed from f).
 */
void	 cm_sans_from_form(struct form *, const char *field, struct pki_san **out,
    size_t *n);

/*
 * For imports: which field a pki message about the uploaded files belongs
 * to ("passphrase", keyfield or "cert"); and a first look at a separate
 * key file (may be NULL), so a bad one is reported on its own field.
 * cm_key_file returns 0, or -1 after recording the error.
 */
const char *cm_import_field(const char *err, const char *keyfield);
int	 cm_key_file(struct form *, const char *field, const void *buf, size_t len,
    const char *pass);

/* Warnings as stored (one per line, as sentences); malloc'ed, "" for none. */
char	*cm_warnings_text(const struct pki_warn *);
/* Stored warnings as a JSON array of strings.  New reference. */
json_t	*cm_warnings_json(const char *text);

/* Seals key_pem for "ca:<id>:key" / "cert:<id>:key" and stores it. 0 or -1. */
int	 cm_store_ca_key(struct web_req *, int64_t id, const char *key_pem);
int	 cm_store_cert_key(struct web_req *, int64_t id, const char *key_pem);
/* The unsealed key as PEM (caller frees with pki_pem_free); -1 when there is
   none or it does not open (logged). */
int	 cm_ca_key(struct web_req *, const struct db_ca *, char **key_pem);
int	 cm_cert_key(struct web_req *, const struct db_cert *, char **key_pem);

/* The CA the path names ({id}): 0, or non-zero after answering 404 or 500. */
int	 cm_load_ca(struct web_req *, struct db_ca *);

/* A fresh random serial not yet used by ca_id. 0 or -1. */
int	 cm_serial(struct web_req *, int64_t ca_id, char out[PKI_SERIAL_HEXLEN]);
/* PEM of CA ca_id and the CAs above it (for PKCS#12 files), malloc'ed or
   NULL. */
char	*cm_ca_chain(struct web_req *, int64_t ca_id);
/* The CRL distribution point for what ca_id issues ("" none); malloc'ed. */
char	*cm_crl_uri(struct web_req *, int64_t ca_id);

/*
 * Makes a new CRL for ca (which must have a key) with the next number and
 * stores it.  Call inside a transaction to keep it with the change it
 * reflects.  0 or -1 with a message in err.
 */
int	 cm_crl_make(struct web_req *, const struct db_ca *, char *err, size_t errlen);

/* pki_cert_info of a stored PEM with the times formatted, or NULL. */
json_t	*cm_cert_info(const char *pem);
/* "2026-11-23 05:29 UTC" as a JSON string. */
json_t	*cm_time(int64_t t);

/*
 * Sends a certificate: fmt "pem" (application/x-pem-file, NAME.pem) or "der"
 * (NAME.crt: application/x-x509-ca-cert for a CA — what Windows, iOS and
 * Android open on a double-click or tap — else application/pkix-cert).
 * 0, or -1 after answering with an error.
 */
int	 cm_send_cert(struct web_req *, const char *pem, const char *name, const char *fmt,
    int is_ca);
/*
 * Validates an export request against fields: a POST's body (API clients
 * may put the format in the query string of a POST), a GET's query.
 */
void	 cm_export_form(struct web_req *, struct form *, const struct form_field *fields,
    size_t nfields, int post);
/* The part of a file name made from a descriptive name ("VPN CA" → "VPN_CA"). */
void	 cm_file_base(const char *name, char *out, size_t outlen);

#endif
