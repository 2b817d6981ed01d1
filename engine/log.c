/* log — see log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "log.h"

static enum log_level log_level = LOG_INFO;

static const char *const level_names[] = { "error", "warn ", "info ", "debug" };

void
log_set_level(enum log_level l)
{
	log_level = l;
}

int
log_enabled(enum log_level l)
{
	return l <= log_level;
}

void
log_msg(enum log_level l, uint64_t sa_id, const char *fmt, ...)
{
	char ts[32], line[2048];
	struct timespec now;
	struct tm tm;
	va_list ap;
	int n;

	if (l > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (sa_id)
		n = snprintf(line, sizeof(line), "%s %s sa#%llu ", ts, level_names[l],
		    (unsigned long long)sa_id);
	else
		n = snprintf(line, sizeof(line), "%s %s ", ts, level_names[l]);
	if (n < 0 || (size_t)n >= sizeof(line))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* Peers choose some of these bytes (identities): one line per entry,
	   whatever they send.  Control characters become '?'. */
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	/* One write per line so concurrent writers do not interleave. */
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
}
