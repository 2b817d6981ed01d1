/*
 * kernel — where CHILD SAs go once negotiated.  One interface, several
 * backends: "null" (records SAs, moves no packets; unit and IKE tests, runs
 * without root), "tun" (userspace ESP over a TUN device) and "xfrm" (Linux
 * kernel ESP via netlink).  The IKE code never knows which one is in use.
 */
#ifndef IKEGW_KERNEL_H
#define IKEGW_KERNEL_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "engine/config.h"

#define KERNEL_MAX_TS	16
#define KERNEL_KEY_MAX	64

/* One CHILD SA pair (inbound and outbound ESP SA) in tunnel mode. */
struct kernel_child {
	uint32_t		 spi_in;	/* ours: peer → us */
	uint32_t		 spi_out;	/* peer's: us → peer */
	uint32_t		 reqid;
	uint64_t		 ike_sa_id;	/* for logs */
	struct sockaddr_storage	 local;		/* outer addresses, with ports */
	struct sockaddr_storage	 remote;
	int			 encap;		/* ESP in UDP (NAT-T, RFC 3948) */
	uint16_t		 encr;		/* IKE_ENCR_* */
	uint16_t		 encr_bits;
	uint16_t		 integ;		/* IKE_INTEG_* (NONE with AEAD) */
	int			 esn;
	size_t			 enc_keylen;	/* cipher key + salt */
	size_t			 int_keylen;
	uint8_t			 enc_key_in[KERNEL_KEY_MAX];
	uint8_t			 int_key_in[KERNEL_KEY_MAX];
	uint8_t			 enc_key_out[KERNEL_KEY_MAX];
	uint8_t			 int_key_out[KERNEL_KEY_MAX];
	struct cfg_net		 ts_local[KERNEL_MAX_TS];	/* our side */
	size_t			 nts_local;
	struct cfg_net		 ts_remote[KERNEL_MAX_TS];	/* the client's */
	size_t			 nts_remote;
	uint64_t		 soft_bytes, hard_bytes;	/* 0: none */
	uint64_t		 soft_packets, hard_packets;
};

struct kernel_stats {
	uint64_t	 bytes_in, bytes_out;
	uint64_t	 packets_in, packets_out;
	time_t		 last_in, last_out;		/* 0: never */
	uint64_t	 drops;		/* packets of this SA dropped, every reason
					   (tun: per reason in dump) */
};

struct kernel;

struct kernel_backend {
	const char	*name;
	/* Installs both directions; 0, or -1 with a message. */
	int		(*add)(struct kernel *, const struct kernel_child *, char *err, size_t);
	/* Removes the pair whose inbound SPI is spi_in; 0 or -1. */
	int		(*del)(struct kernel *, uint32_t spi_in);
	/* New outer addresses (NAT mapping change, MOBIKE). */
	int		(*update)(struct kernel *, uint32_t spi_in, const struct sockaddr *local,
			    const struct sockaddr *remote, int encap);
	int		(*stats)(struct kernel *, uint32_t spi_in, struct kernel_stats *);
	/* Installed SAs for ikegwctl (never any key). New reference. */
	json_t		*(*dump)(struct kernel *);
	void		(*fini)(struct kernel *);
	/* Optional.  Called by kernel_open() once k->gw is set: open devices,
	   sockets, events.  0, or -1 with a message (kernel_open fails). */
	int		(*init)(struct kernel *, char *err, size_t);
	/* Optional.  Data plane counters that belong to no SA (drops per
	   reason: unknown SPI, no SA for a destination, ...) for ikegwctl
	   kernel-sas.  New reference. */
	json_t		*(*counters)(struct kernel *);
};

struct ikegwd;

struct kernel {
	const struct kernel_backend *ops;
	struct ikegwd	*gw;		/* event loop, sockets (engine.h) */
	void		*priv;
	/*
	 * Optional, set by the engine: a backend that counts traffic calls it
	 * from the event loop when the SA whose inbound SPI is spi_in crossed
	 * its soft (hard 0: rekey now) or hard (hard 1: the SA no longer
	 * passes traffic) byte or packet limit.  NULL: the backend logs the
	 * soft limit and deletes the CHILD SA at the hard one.
	 */
	void		(*expired)(struct kernel *, uint32_t spi_in, int hard);
};

/*
 * Opens the backend named in the configuration ("null", "tun", "xfrm",
 * "auto") for the daemon gw (its event base and NAT-T sockets are ready).
 * A backend that handles ESP in UDP sets gw->esp_input.  Returns NULL with
 * a message in err (e.g. the kernel lacks ESP).
 */
struct kernel	*kernel_open(struct ikegwd *gw, char *err, size_t errlen);
void		 kernel_close(struct kernel *);

extern const struct kernel_backend kernel_null;
extern const struct kernel_backend kernel_xfrm;
extern const struct kernel_backend kernel_tun;	/* tun.c: userspace ESP */

#endif
