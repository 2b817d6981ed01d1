/*
 * log — the engine's structured log lines on stderr:
 *
 *   2026-11-23T05:29:42Z info  sa#12 IKE_SA_INIT -> AUTH (peer 192.0.2.2:500)
 *
 * Messages about one IKE SA carry its id ("sa#12") so a grep follows one
 * connection.  Malformed peer input is logged at debug level only (it must
 * not be able to flood the log).
 */
#ifndef IKEGW_ENGINE_LOG_H
#define IKEGW_ENGINE_LOG_H

#include <stdint.h>

enum log_level { LOG_ERR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

void	log_set_level(enum log_level);
int	log_enabled(enum log_level);
/* sa_id 0: not about an SA. */
void	log_msg(enum log_level, uint64_t sa_id, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));

#define log_err(...)	log_msg(LOG_ERR, 0, __VA_ARGS__)
#define log_warn(...)	log_msg(LOG_WARN, 0, __VA_ARGS__)
#define log_info(...)	log_msg(LOG_INFO, 0, __VA_ARGS__)
#define log_debug(...)	do { if (log_enabled(LOG_DEBUG)) log_msg(LOG_DEBUG, 0, __VA_ARGS__); } while (0)

#endif
