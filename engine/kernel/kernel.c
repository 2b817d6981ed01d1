/* kernel — backend selection; see kernel.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "engine/engine.h"

/* Every backend of this build, by name ("auto" is resolved below). */
static const struct kernel_backend *const backends[] = {
	&kernel_null,
	&kernel_tun,
	&kernel_xfrm,
	NULL,
};

static const struct kernel_backend *
backend_find(const char *name)
{
	size_t i;

	for (i = 0; backends[i]; i++)
		if (strcmp(backends[i]->name, name) == 0)
			return backends[i];
	return NULL;
}

/* A kernel on ops, opened; NULL with a message. */
static struct kernel *
backend_open(struct ikegwd *gw, const struct kernel_backend *ops, char *err, size_t errlen)
{
	struct kernel *k;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	k->ops = ops;
	k->gw = gw;
	if (ops->init && ops->init(k, err, errlen) == -1) {
		free(k);
		return NULL;
	}
	return k;
}

struct kernel *
kernel_open(struct ikegwd *gw, char *err, size_t errlen)
{
	const struct ike_config *cfg = gw->cfg;
	const char *want = cfg->kernel_backend ? cfg->kernel_backend : "auto";
	const struct kernel_backend *ops;
	struct kernel *k;
	char why[400];

	if (strcmp(want, "auto") == 0) {
		/* Kernel ESP when the kernel has it, userspace ESP otherwise. */
		if ((k = backend_open(gw, &kernel_xfrm, why, sizeof(why))) != NULL)
			return k;
		log_info("kernel backend auto: xfrm is not usable (%s); trying \"tun\"", why);
		if ((ops = backend_find("tun")) == NULL) {
			snprintf(err, errlen, "kernel backend auto: xfrm is not usable (%s), and the"
			    " \"tun\" backend is not in this build", why);
			return NULL;
		}
	} else if ((ops = backend_find(want)) == NULL) {
		snprintf(err, errlen, "kernel backend \"%s\" is not available in this build", want);
		return NULL;
	}
	if ((k = backend_open(gw, ops, why, sizeof(why))) == NULL) {
		snprintf(err, errlen, "kernel backend \"%s\": %s", ops->name, why);
		return NULL;
	}
	return k;
}

void
kernel_close(struct kernel *k)
{
	if (k == NULL)
		return;
	if (k->ops->fini)
		k->ops->fini(k);
	free(k);
}
