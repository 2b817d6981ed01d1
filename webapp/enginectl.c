/* enginectl — see enginectl.h. */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "enginectl.h"

#define CTL_MAX_ANSWER	(256u * 1024 * 1024)

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits for fd to become ready for ev before the deadline: 1, 0 timeout, -1. */
static int
wait_fd(int fd, short ev, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = ev };
	long long left;
	int rc;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0)
			return 0;
		rc = poll(&p, 1, left > 60000 ? 60000 : (int)left);
		if (rc > 0)
			return 1;
		if (rc == -1 && errno != EINTR)
			return -1;
	}
}

enum web_ctl_status
web_ctl_call(const char *path, json_t *req, int timeout_ms, json_t **resp, char *err,
    size_t errlen)
{
	struct sockaddr_un sun;
	struct buf in = { 0 };
	enum web_ctl_status rc = WEB_CTL_FAILED;
	json_error_t jerr;
	long long deadline = now_ms() + timeout_ms;
	char *line = NULL, chunk[65536], *nl;
	size_t off, len;
	ssize_t n;
	int fd = -1, w;

	*resp = NULL;
	err[0] = '\0';
	if (strlen(path) >= sizeof(sun.sun_path)) {
		snprintf(err, errlen, "The engine's control socket path is too long.");
		return WEB_CTL_FAILED;
	}
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		goto out;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		if (errno == ENOENT || errno == ECONNREFUSED) {
			snprintf(err, errlen, "The VPN engine (ikegwd) is not running: %s: %s.",
			    path, strerror(errno));
			rc = WEB_CTL_DOWN;
			goto out;
		}
		if (errno != EINPROGRESS && errno != EAGAIN) {
			snprintf(err, errlen, "Cannot reach the VPN engine at %s: %s.", path,
			    strerror(errno));
			goto out;
		}
	}
	if ((line = json_dumps(req, JSON_COMPACT)) == NULL) {
		snprintf(err, errlen, "Out of memory.");
		goto out;
	}
	len = strlen(line);
	line[len++] = '\n';	/* the NUL becomes the line end */
	for (off = 0; off < len;) {
		if ((w = wait_fd(fd, POLLOUT, deadline)) <= 0)
			goto timeout;
		n = send(fd, line + off, len - off, MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n == -1) {
			snprintf(err, errlen, "Writing to the VPN engine failed: %s.", strerror(errno));
			goto out;
		}
		off += (size_t)n;
	}
	for (;;) {
		if ((nl = memchr(in.data ? in.data : "", '\n', in.len)) != NULL)
			break;
		if ((w = wait_fd(fd, POLLIN, deadline)) <= 0)
			goto timeout;
		n = recv(fd, chunk, sizeof(chunk), 0);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "The VPN engine closed the connection without an"
			    " answer.");
			goto out;
		}
		buf_add(&in, chunk, (size_t)n);
		if (in.len > CTL_MAX_ANSWER) {
			snprintf(err, errlen, "The VPN engine's answer is too large.");
			goto out;
		}
	}
	*resp = json_loadb(in.data, (size_t)(nl - in.data), 0, &jerr);
	if (*resp == NULL || !json_is_object(*resp)) {
		json_decref(*resp);
		*resp = NULL;
		snprintf(err, errlen, "The VPN engine's answer is not valid JSON.");
		goto out;
	}
	if (json_is_true(json_object_get(*resp, "ok")))
		rc = WEB_CTL_OK;
	else {
		const char *e = json_string_value(json_object_get(*resp, "error"));

		snprintf(err, errlen, "%s", e ? e : "the engine refused without a reason");
		rc = WEB_CTL_REFUSED;
	}
	goto out;
timeout:
	snprintf(err, errlen, "The VPN engine did not answer within %d ms.", timeout_ms);
out:
	if (fd != -1)
		close(fd);
	free(line);
	buf_free(&in);
	return rc;
}
