/*
 * Downloads for the certificate manager (CRLs) through libcurl.
 *
 * Only http and https, for the first URL and for every redirect (at most
 * three); the size cap is enforced while the body arrives, so a server
 * that lies about Content-Length or sends forever is cut off; connect and
 * total timeouts; no signals (the caller is a long-lived worker).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "pki_internal.h"

#define FETCH_MAX_REDIRS	3L
#define FETCH_URL_MAX		2048

static CRYPTO_ONCE	curl_once = CRYPTO_ONCE_STATIC_INIT;
static int		curl_ready;

static void
curl_setup(void)
{
	curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

struct sink {
	uint8_t	*buf;
	size_t	 len;
	size_t	 cap;
	size_t	 max;
	int	 too_large;
};

static size_t
sink_write(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink	*s = arg;
	size_t		 n, cap;
	uint8_t		*nb;

	if (size != 0 && nmemb > SIZE_MAX / size)
		return 0;
	n = size * nmemb;
	if (n > s->max - s->len) {
		s->too_large = 1;
		return 0;	/* makes curl stop with CURLE_WRITE_ERROR */
	}
	if (s->len + n > s->cap) {
		cap = s->cap != 0 ? s->cap : 65536;
		while (cap < s->len + n)
			cap *= 2;
		if (cap > s->max)
			cap = s->max;
		if ((nb = realloc(s->buf, cap)) == NULL)
			return 0;
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, data, n);
	s->len += n;
	return n;
}

static int
url_ok(const char *url)
{
	const char	*p;

	if (url == NULL || strlen(url) > FETCH_URL_MAX)
		return 0;
	for (p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return 0;
	return (strncasecmp(url, "http://", 7) == 0 && url[7] != '\0') ||
	    (strncasecmp(url, "https://", 8) == 0 && url[8] != '\0');
}

int
pkix_fetch(const char *url, size_t max, long connect_s, long total_s,
    uint8_t **out, size_t *outlen, char *err, size_t errlen)
{
	CURL		*c = NULL;
	CURLcode	 cc;
	struct sink	 s = { NULL, 0, 0, max, 0 };
	char		 ebuf[CURL_ERROR_SIZE];
	long		 code = 0;
	int		 rc = -1;

	*out = NULL;
	*outlen = 0;
	if (!url_ok(url))
		return pkix_err(err, errlen, "only http:// and https:// URLs can "
		    "be fetched (printable ASCII, at most %d characters)",
		    FETCH_URL_MAX);
	(void)CRYPTO_THREAD_run_once(&curl_once, curl_setup);
	if (!curl_ready || (c = curl_easy_init()) == NULL)
		return pkix_err(err, errlen, "cannot start libcurl");
	ebuf[0] = '\0';
	if (curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_MAXREDIRS, FETCH_MAX_REDIRS) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, connect_s) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT, total_s) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max) !=
	    CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_USERAGENT, "ikegw") != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s) != CURLE_OK) {
		pkix_err(err, errlen, "cannot set up libcurl");
		goto done;
	}
	cc = curl_easy_perform(c);
	if (s.too_large || cc == CURLE_FILESIZE_EXCEEDED) {
		pkix_err(err, errlen, "%.200s: the response is larger than %zu "
		    "bytes", url, max);
		goto done;
	}
	switch (cc) {
	case CURLE_OK:
		break;
	case CURLE_UNSUPPORTED_PROTOCOL:
		pkix_err(err, errlen, "%.200s: redirected to a URL that is not "
		    "http or https", url);
		goto done;
	case CURLE_TOO_MANY_REDIRECTS:
		pkix_err(err, errlen, "%.200s: more than %ld redirects", url,
		    FETCH_MAX_REDIRS);
		goto done;
	case CURLE_OPERATION_TIMEDOUT:
		pkix_err(err, errlen, "%.200s: timed out", url);
		goto done;
	default:
		pkix_err(err, errlen, "cannot fetch %.200s: %s", url,
		    ebuf[0] != '\0' ? ebuf : curl_easy_strerror(cc));
		goto done;
	}
	if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK)
		code = 0;
	if (code < 200 || code > 299) {
		pkix_err(err, errlen, "HTTP %ld from %.200s", code, url);
		goto done;
	}
	if (s.len == 0) {
		pkix_err(err, errlen, "empty response from %.200s", url);
		goto done;
	}
	*out = s.buf;
	*outlen = s.len;
	s.buf = NULL;
	rc = 0;
done:
	free(s.buf);
	curl_easy_cleanup(c);
	return rc;
}
