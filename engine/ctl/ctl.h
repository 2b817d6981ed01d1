/*
 * ctl — the control socket: a unix stream socket, one JSON object per line
 * in each direction.  Requests carry "cmd"; answers carry "ok" and either
 * the data or "error".  Commands: list-sas, list-leases, terminate (id or
 * identity), apply (path), stats, kernel-sas, render (nft | pf).
 */
#ifndef IKEGW_CTL_H
#define IKEGW_CTL_H

#include <stddef.h>

struct ikegwd;
struct ctl_server;

/* Listens on path (mode 0660; group from the file's directory).  NULL with err. */
struct ctl_server *ctl_open(struct ikegwd *, const char *path, char *err, size_t errlen);
void		 ctl_close(struct ctl_server *);

#endif
