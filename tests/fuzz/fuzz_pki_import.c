/*
 * libFuzzer target for pki's one importer (pki_import): PEM/DER detection
 * and the certificate, key, CSR, CRL, PKCS#7 and PKCS#12 paths behind it,
 * then the JSON details of whatever parsed (pki_cert_info, pki_csr_info),
 * which turn certificate strings into JSON text.
 *
 * No passphrase is given: encrypted keys stop before their KDF, and
 * PKCS#12 MACs are tried with the empty password under a small iteration
 * bound (IKEGW_FUZZ), so time goes to parsing.  Seeds:
 * tests/fuzz/corpus/pki_import/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pki/pki.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pki_bundle	 b;
	json_t			*j;
	char			 err[256];

	if (pki_import(data, size, NULL, &b, err, sizeof(err)) == 0) {
		if (b.certs != NULL &&
		    pki_cert_info(b.certs, strlen(b.certs), &j, err,
		    sizeof(err)) == 0)
			json_decref(j);
		if (b.csr != NULL &&
		    pki_csr_info(b.csr, strlen(b.csr), &j, err, sizeof(err)) == 0)
			json_decref(j);
		pki_bundle_free(&b);
	}
	if (pki_cert_info(data, size, &j, err, sizeof(err)) == 0) {
		/* the text must be valid JSON, whatever the certificate held */
		char *s = json_dumps(j, 0);

		if (s == NULL)
			__builtin_trap();
		free(s);
		json_decref(j);
	}
	return 0;
}
