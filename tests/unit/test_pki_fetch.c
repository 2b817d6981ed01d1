/*
 * pki CRL download against a tiny HTTP server on 127.0.0.1 in a thread:
 * PEM and DER bodies, HTTP errors, the size cap while streaming,
 * redirects (count and schemes), timeouts, and URLs refused up front.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include "test_pki_fixture.h"
#include "pki/pki_internal.h"

static char		*ca_cert, *ca_key, *crl_pem;
static unsigned char	*crl_der;
static long		 crl_derlen;
static int		 lfd = -1;
static int		 port;
static pthread_t	 server;

static void
send_all(int fd, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0 && (n = send(fd, p, len, MSG_NOSIGNAL)) > 0) {
		p += n;
		len -= (size_t)n;
	}
}

static void
respond(int fd, const char *status, const char *extra, const void *body,
    size_t len)
{
	char	head[512];

	snprintf(head, sizeof(head), "HTTP/1.1 %s\r\nConnection: close\r\n"
	    "Content-Length: %zu\r\n%s\r\n", status, len, extra);
	send_all(fd, head, strlen(head));
	if (len > 0)
		send_all(fd, body, len);
}

static void
redirect(int fd, const char *to)
{
	char	extra[256];

	snprintf(extra, sizeof(extra), "Location: %s\r\n", to);
	respond(fd, "302 Found", extra, NULL, 0);
}

static void
serve(int fd)
{
	char	req[2048], path[256];
	size_t	got = 0;
	ssize_t	n;

	while (got < sizeof(req) - 1 &&
	    (n = recv(fd, req + got, sizeof(req) - 1 - got, 0)) > 0) {
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
	}
	req[got] = '\0';
	if (sscanf(req, "GET %255s ", path) != 1) {
		respond(fd, "400 Bad Request", "", NULL, 0);
		return;
	}
	if (strcmp(path, "/crl.pem") == 0)
		respond(fd, "200 OK", "", crl_pem, strlen(crl_pem));
	else if (strcmp(path, "/crl.der") == 0)
		respond(fd, "200 OK", "", crl_der, (size_t)crl_derlen);
	else if (strcmp(path, "/cert.pem") == 0)
		respond(fd, "200 OK", "", ca_cert, strlen(ca_cert));
	else if (strcmp(path, "/empty") == 0)
		respond(fd, "200 OK", "", NULL, 0);
	else if (strcmp(path, "/r1") == 0)
		redirect(fd, "/r2");
	else if (strcmp(path, "/r2") == 0)
		redirect(fd, "/r3");
	else if (strcmp(path, "/r3") == 0)
		redirect(fd, "/r4");
	else if (strcmp(path, "/r4") == 0)
		redirect(fd, "/crl.der");
	else if (strcmp(path, "/to-ftp") == 0)
		redirect(fd, "ftp://127.0.0.1/crl");
	else if (strcmp(path, "/to-file") == 0)
		redirect(fd, "file:///etc/passwd");
	else if (strcmp(path, "/slow") == 0) {
		sleep(3);
		respond(fd, "200 OK", "", crl_pem, strlen(crl_pem));
	} else if (strcmp(path, "/big") == 0 || strcmp(path, "/big-liar") == 0) {
		/* 11 MiB: /big without a length, /big-liar chunked */
		static char	chunk[65536];
		const char	*h = strcmp(path, "/big") == 0 ?
		    "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" :
		    "HTTP/1.1 200 OK\r\nConnection: close\r\n"
		    "Transfer-Encoding: chunked\r\n\r\n";
		int		 i;

		memset(chunk, 'A', sizeof(chunk));
		send_all(fd, h, strlen(h));
		for (i = 0; i < 176; i++) {
			if (strcmp(path, "/big-liar") == 0)
				send_all(fd, "10000\r\n", 7);
			send_all(fd, chunk, sizeof(chunk));
			if (strcmp(path, "/big-liar") == 0)
				send_all(fd, "\r\n", 2);
		}
	} else
		respond(fd, "404 Not Found", "", "no", 2);
}

static void *
server_main(void *arg)
{
	int	fd;

	while ((fd = accept(lfd, NULL, NULL)) >= 0) {
		serve(fd);
		shutdown(fd, SHUT_WR);
		close(fd);
	}
	return NULL;
}

static int
setup(void **state)
{
	struct sockaddr_in	sin;
	socklen_t		sl = sizeof(sin);
	char			err[ERRLEN];
	struct pki_revoked	r = { "0bad", 0, PKI_CRL_KEY_COMPROMISE };

	/* the test talks to 127.0.0.1 directly, never through a proxy */
	unsetenv("http_proxy");
	unsetenv("HTTP_PROXY");
	unsetenv("https_proxy");
	unsetenv("HTTPS_PROXY");
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	setenv("no_proxy", "*", 1);

	make_ca(PKI_KEY_EC256, "Fetch Test CA", &ca_cert, &ca_key);
	OK(pki_crl_create(ca_cert, ca_key, &r, 1, 9, 10, &crl_pem, err,
	    sizeof(err)));
	crl_der = pem_to_der(crl_pem, &crl_derlen);

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(listen(lfd, 8), 0);
	assert_int_equal(getsockname(lfd, (struct sockaddr *)&sin, &sl), 0);
	port = ntohs(sin.sin_port);
	assert_int_equal(pthread_create(&server, NULL, server_main, NULL), 0);
	return 0;
}

static int
teardown(void **state)
{
	shutdown(lfd, SHUT_RDWR);
	close(lfd);
	pthread_join(server, NULL);
	pki_pem_free(ca_cert);
	pki_pem_free(ca_key);
	pki_pem_free(crl_pem);
	free(crl_der);
	return 0;
}

static const char *
url(const char *path)
{
	static char	buf[128];

	snprintf(buf, sizeof(buf), "http://127.0.0.1:%d%s", port, path);
	return buf;
}

static void
test_fetch_ok(void **state)
{
	char	err[ERRLEN], *pem;
	json_t	*info;

	OK(pki_crl_fetch(url("/crl.pem"), &pem, err, sizeof(err)));
	assert_string_equal(pem, crl_pem);
	OK(pki_crl_verify(pem, slen(pem), ca_cert, NULL, &info, err,
	    sizeof(err)));
	assert_int_equal(json_array_size(json_object_get(info, "entries")), 1);
	json_decref(info);
	pki_pem_free(pem);
	/* DER body, reached through three redirects (the most allowed) */
	OK(pki_crl_fetch(url("/r2"), &pem, err, sizeof(err)));
	assert_string_equal(pem, crl_pem);
	pki_pem_free(pem);
	/* scheme in capitals */
	{
		char u[128];

		snprintf(u, sizeof(u), "HTTP://127.0.0.1:%d/crl.der", port);
		OK(pki_crl_fetch(u, &pem, err, sizeof(err)));
		pki_pem_free(pem);
	}
}

static void
test_fetch_errors(void **state)
{
	char	 err[ERRLEN], *pem = NULL, want[160];
	uint8_t	*buf = NULL;
	size_t	 len = 0;

	snprintf(want, sizeof(want), "HTTP 404 from %s", url("/nothing"));
	FAILS(pki_crl_fetch(url("/nothing"), &pem, err, sizeof(err)), want);
	FAILS(pki_crl_fetch(url("/r1"), &pem, err, sizeof(err)),
	    "more than 3 redirects");
	FAILS(pki_crl_fetch(url("/to-ftp"), &pem, err, sizeof(err)),
	    "not http or https");
	FAILS(pki_crl_fetch(url("/to-file"), &pem, err, sizeof(err)),
	    "not http or https");
	FAILS(pki_crl_fetch(url("/big"), &pem, err, sizeof(err)),
	    "larger than 10485760 bytes");
	FAILS(pki_crl_fetch(url("/big-liar"), &pem, err, sizeof(err)),
	    "larger than");
	FAILS(pki_crl_fetch(url("/empty"), &pem, err, sizeof(err)),
	    "empty response");
	FAILS(pki_crl_fetch(url("/cert.pem"), &pem, err, sizeof(err)),
	    "did not return a CRL");
	FAILS(pkix_fetch(url("/slow"), 1000, 2, 1, &buf, &len, err,
	    sizeof(err)), "timed out");
	FAILS(pkix_fetch(url("/crl.pem"), 100, 2, 5, &buf, &len, err,
	    sizeof(err)), "larger than 100 bytes");
	/* nothing listens on port 1 */
	FAILS(pki_crl_fetch("http://127.0.0.1:1/crl", &pem, err, sizeof(err)),
	    "cannot fetch");
	assert_null(pem);
	assert_null(buf);
}

static void
test_url_refused(void **state)
{
	static const char *const bad[] = {
		"ftp://example.com/ca.crl",
		"file:///etc/passwd",
		"ldap://ldap.example.com/cn=CA?certificateRevocationList",
		"gopher://example.com/",
		"http://",
		"https://",
		"http://exa mple.com/x",
		"http://example.com/\n",
		"example.com/ca.crl",
		"",
	};
	char	err[ERRLEN], *pem = NULL;
	size_t	i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		FAILS(pki_crl_fetch(bad[i], &pem, err, sizeof(err)),
		    "only http:// and https://");
	FAILS(pki_crl_fetch(NULL, &pem, err, sizeof(err)),
	    "only http:// and https://");
	assert_null(pem);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fetch_ok),
		cmocka_unit_test(test_fetch_errors),
		cmocka_unit_test(test_url_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
