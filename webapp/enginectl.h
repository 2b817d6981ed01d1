/*
 * enginectl — the web app's client for ikegwd's control socket
 * (docs/control-socket.md): one JSON object per line each way.  The web app
 * never includes engine headers; this socket is the whole interface.
 */
#ifndef IKEGW_WEB_ENGINECTL_H
#define IKEGW_WEB_ENGINECTL_H

#include <stddef.h>

#include <jansson.h>

/* What went wrong, so pages can say "not running" apart from "refused". */
enum web_ctl_status {
	WEB_CTL_OK = 0,		/* answer with "ok": true */
	WEB_CTL_REFUSED = 1,	/* answer with "ok": false; *resp holds it */
	WEB_CTL_DOWN = -1,	/* no engine listening (socket missing, refused) */
	WEB_CTL_FAILED = -2,	/* timeout, bad answer, I/O error */
};

/*
 * Sends req (borrowed) to the socket at path and waits up to timeout_ms for
 * one answer line (at most 256 MiB).  *resp gets the parsed answer (caller
 * decrefs) for WEB_CTL_OK and WEB_CTL_REFUSED, else NULL.  err gets a
 * sentence for people in every case but WEB_CTL_OK (for REFUSED: the
 * engine's "error").
 */
enum web_ctl_status web_ctl_call(const char *path, json_t *req, int timeout_ms,
    json_t **resp, char *err, size_t errlen);

#endif
