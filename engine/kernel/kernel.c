/* kernel — backend selection; see kernel.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel.h"
#include "engine/engine.h"

struct kernel *
kernel_open(struct ikegwd *gw, char *err, size_t errlen)
{
	const struct ike_config *cfg = gw->cfg;
	const char *want = cfg->kernel_backend ? cfg->kernel_backend : "auto";
	const struct kernel_backend *ops = NULL;
	struct kernel *k;

	if (strcmp(want, "null") == 0)
		ops = &kernel_null;
	else if (strcmp(want, "tun") == 0 || strcmp(want, "auto") == 0)
		ops = &kernel_tun;
	else {
		snprintf(err, errlen, "kernel backend \"%s\" is not available in this build;"
		    " use \"null\"", want);
		return NULL;
	}
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

void
kernel_close(struct kernel *k)
{
	if (k == NULL)
		return;
	if (k->ops->fini)
		k->ops->fini(k);
	free(k);
}
