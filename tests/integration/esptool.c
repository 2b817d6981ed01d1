/*
 * esptool — captures and re-sends ESP-in-UDP packets for the data plane
 * integration test (no tcpdump or python needed):
 *
 *   esptool capture IFACE PORT FILE [SECONDS]
 *	waits (default 10 s) for one IPv4 UDP datagram to PORT on IFACE whose
 *	payload is ESP (first word non-zero, at least 16 bytes) and writes
 *	that payload to FILE.  Needs CAP_NET_RAW (AF_PACKET).
 *   esptool send ADDR PORT FILE [FLIP_OFFSET]
 *	sends FILE's bytes as one UDP datagram to ADDR:PORT, with bit 7 of
 *	the byte at FLIP_OFFSET inverted when given.
 *
 * Exit status 0 on success, 1 on failure (message on stderr).
 */
#include <sys/socket.h>
#include <sys/time.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int
capture(const char *ifname, int port, const char *path, int seconds)
{
	struct sockaddr_ll sll;
	struct timeval tv = { 1, 0 };
	uint8_t buf[65536];
	time_t end = time(NULL) + seconds;
	ssize_t n;
	size_t ihl, ulen;
	FILE *fp;
	int fd;

	if ((fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP))) == -1) {
		perror("esptool: AF_PACKET");
		return 1;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_IP);
	if ((sll.sll_ifindex = (int)if_nametoindex(ifname)) == 0 ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) == -1) {
		fprintf(stderr, "esptool: %s: %s\n", ifname, strerror(errno));
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (time(NULL) < end) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) < 0)
			continue;
		if (n < 28 || (buf[0] >> 4) != 4 || buf[9] != IPPROTO_UDP)
			continue;
		ihl = (size_t)(buf[0] & 15) * 4;
		if ((size_t)n < ihl + 8 || ((buf[ihl + 2] << 8) | buf[ihl + 3]) != port)
			continue;
		ulen = (size_t)((buf[ihl + 4] << 8) | buf[ihl + 5]);
		if (ulen < 8 + 16 || ihl + ulen > (size_t)n)
			continue;
		if (memcmp(buf + ihl + 8, "\0\0\0\0", 4) == 0)
			continue;	/* IKE with the non-ESP marker */
		if ((fp = fopen(path, "wb")) == NULL ||
		    fwrite(buf + ihl + 8, 1, ulen - 8, fp) != ulen - 8 || fclose(fp) != 0) {
			fprintf(stderr, "esptool: %s: %s\n", path, strerror(errno));
			return 1;
		}
		close(fd);
		return 0;
	}
	fprintf(stderr, "esptool: no ESP packet to port %d on %s in %d s\n", port, ifname,
	    seconds);
	return 1;
}

static int
send_file(const char *addr, int port, const char *path, long flip)
{
	struct sockaddr_in sin;
	uint8_t buf[65536];
	size_t n;
	FILE *fp;
	int fd;

	if ((fp = fopen(path, "rb")) == NULL) {
		fprintf(stderr, "esptool: %s: %s\n", path, strerror(errno));
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	if (flip >= 0) {
		if ((size_t)flip >= n) {
			fprintf(stderr, "esptool: offset %ld beyond %zu bytes\n", flip, n);
			return 1;
		}
		buf[flip] ^= 0x80;
	}
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "esptool: bad address %s\n", addr);
		return 1;
	}
	if ((fd = socket(AF_INET, SOCK_DGRAM, 0)) == -1 ||
	    sendto(fd, buf, n, 0, (struct sockaddr *)&sin, sizeof(sin)) != (ssize_t)n) {
		perror("esptool: send");
		return 1;
	}
	close(fd);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 5 && strcmp(argv[1], "capture") == 0)
		return capture(argv[2], atoi(argv[3]), argv[4], argc > 5 ? atoi(argv[5]) : 10);
	if (argc >= 5 && strcmp(argv[1], "send") == 0)
		return send_file(argv[2], atoi(argv[3]), argv[4], argc > 5 ? atol(argv[5]) : -1);
	fprintf(stderr, "usage: esptool capture IFACE PORT FILE [SECONDS]\n"
	    "       esptool send ADDR PORT FILE [FLIP_OFFSET]\n");
	return 2;
}
