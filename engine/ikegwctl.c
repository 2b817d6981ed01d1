/*
 * ikegwctl — the command line of ikegwd's control socket.
 *
 *   ikegwctl [-s SOCKET] [--json] list-sas | leases | stats | kernel-sas
 *   ikegwctl [-s SOCKET] terminate ID|IDENTITY
 *   ikegwctl [-s SOCKET] apply FILE
 *   ikegwctl [-s SOCKET] render nft | pf
 *   ikegwctl [-s SOCKET] rekey ID	(the CHILD SA of IKE SA ID, now)
 *   ikegwctl [-s SOCKET] rekey-ike ID	(IKE SA ID itself, now)
 *
 * SOCKET defaults to $IKEGW_CTL, else var/run/ikegwd.sock.  Output is a
 * table for people, or the engine's JSON with --json.  Exit status 0 on
 * success, 1 when the engine refused, 2 on usage or connection errors.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

static void
usage(void)
{
	fprintf(stderr, "usage: ikegwctl [-s SOCKET] [--json] list-sas | leases | stats |"
	    " kernel-sas\n       ikegwctl [-s SOCKET] terminate ID|IDENTITY\n"
	    "       ikegwctl [-s SOCKET] render nft|pf\n"
	    "       ikegwctl [-s SOCKET] rekey ID | rekey-ike ID\n"
	    "       ikegwctl [-s SOCKET] apply FILE\n");
	exit(2);
}

static json_t *
call(const char *path, json_t *req)
{
	struct sockaddr_un sun;
	char *line = json_dumps(req, JSON_COMPACT), buf[65536];
	size_t len = 0;
	ssize_t n;
	int fd;
	json_error_t jerr;
	json_t *resp;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "ikegwctl: socket path too long\n");
		exit(2);
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		fprintf(stderr, "ikegwctl: cannot reach ikegwd at %s: %s\n", path, strerror(errno));
		exit(2);
	}
	if (write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0) {
		fprintf(stderr, "ikegwctl: write: %s\n", strerror(errno));
		exit(2);
	}
	free(line);
	char *big = NULL;
	size_t cap = 0;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		if (len + (size_t)n + 1 > cap) {
			cap = (len + (size_t)n + 1) * 2;
			if ((big = realloc(big, cap)) == NULL)
				exit(2);
		}
		memcpy(big + len, buf, (size_t)n);
		len += (size_t)n;
		if (big[len - 1] == '\n')
			break;
	}
	close(fd);
	if (big == NULL || (resp = json_loadb(big, len, 0, &jerr)) == NULL) {
		fprintf(stderr, "ikegwctl: no answer from ikegwd\n");
		exit(2);
	}
	free(big);
	return resp;
}

static const char *
s(json_t *o, const char *k)
{
	const char *v = json_string_value(json_object_get(o, k));

	return v ? v : "";
}

static long long
num(json_t *o, const char *k)
{
	return (long long)json_integer_value(json_object_get(o, k));
}

static void
ago(long long t, char *out, size_t len)
{
	long long d = t ? (long long)time(NULL) - t : -1;

	if (d < 0)
		snprintf(out, len, "-");
	else if (d < 120)
		snprintf(out, len, "%llds ago", d);
	else if (d < 7200)
		snprintf(out, len, "%lldm ago", d / 60);
	else
		snprintf(out, len, "%lldh ago", d / 3600);
}

static void
print_sas(json_t *r)
{
	json_t *sas = json_object_get(r, "sas"), *sa, *c, *v;
	size_t i, j, k;
	char when[32];

	if (json_array_size(sas) == 0) {
		printf("no IKE SAs\n");
		return;
	}
	json_array_foreach(sas, i, sa) {
		ago(num(sa, "established"), when, sizeof(when));
		printf("#%lld %s %s  %s%s%s  %s%s\n", num(sa, "id"), s(sa, "connection"),
		    s(sa, "state"), s(sa, "remote_id"), *s(sa, "eap_id") ? " EAP:" : "",
		    s(sa, "eap_id"), s(sa, "remote"), json_is_true(json_object_get(sa, "nat_remote")) ?
		    " (NAT)" : "");
		printf("   %s/%s/%s/%s  established %s  SPIs %s_i %s_r\n", s(sa, "encryption"),
		    s(sa, "integrity"), s(sa, "prf"), s(sa, "dh"), when, s(sa, "spi_i"),
		    s(sa, "spi_r"));
		json_array_foreach(json_object_get(sa, "virtual_ips"), j, v)
			printf("   virtual IP %s\n", json_string_value(v));
		json_array_foreach(json_object_get(sa, "children"), j, c) {
			printf("   CHILD %s_i %s_o %s%s%s  %lld B in / %lld B out, %lld/%lld packets\n",
			    s(c, "spi_in"), s(c, "spi_out"), s(c, "encryption"),
			    strcmp(s(c, "integrity"), "NONE") ? "/" : "",
			    strcmp(s(c, "integrity"), "NONE") ? s(c, "integrity") : "",
			    num(c, "bytes_in"), num(c, "bytes_out"), num(c, "packets_in"),
			    num(c, "packets_out"));
			printf("     ");
			json_array_foreach(json_object_get(c, "ts_local"), k, v)
				printf("%s%s", k ? "," : "", json_string_value(v));
			printf(" === ");
			json_array_foreach(json_object_get(c, "ts_remote"), k, v)
				printf("%s%s", k ? "," : "", json_string_value(v));
			printf("\n");
		}
	}
}

static void
print_leases(json_t *r)
{
	json_t *pools = json_object_get(r, "pools"), *p, *l;
	size_t i, j;
	char when[32];

	json_array_foreach(pools, i, p) {
		printf("pool %s %s %s: size %lld, online %lld, bound %lld\n", s(p, "pool"),
		    s(p, "family"), s(p, "prefix"), num(p, "size"), num(p, "online"),
		    num(p, "bound"));
		json_array_foreach(json_object_get(p, "leases"), j, l) {
			ago(num(l, "since"), when, sizeof(when));
			printf("  %-39s %-30s %-7s since %s\n", s(l, "address"), s(l, "identity"),
			    json_is_true(json_object_get(l, "online")) ? "online" : "offline", when);
		}
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = getenv("IKEGW_CTL"), *cmd;
	char path[PATH_MAX], *end;
	int c, as_json = 0, rc;
	json_t *req, *r;
	char *out;

	if (sock == NULL)
		sock = "var/run/ikegwd.sock";
	while ((c = getopt_long(argc, argv, "s:j", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'j': as_json = 1; break;
		default: usage();
		}
	}
	if (optind >= argc)
		usage();
	cmd = argv[optind++];
	if (strcmp(cmd, "list-sas") == 0 || strcmp(cmd, "stats") == 0 ||
	    strcmp(cmd, "kernel-sas") == 0) {
		req = json_pack("{s:s}", "cmd", cmd);
	} else if (strcmp(cmd, "leases") == 0) {
		req = json_pack("{s:s}", "cmd", "list-leases");
	} else if (strcmp(cmd, "terminate") == 0 && optind + 1 == argc) {
		long long id = strtoll(argv[optind], &end, 10);

		req = *end == '\0' && id > 0 ? json_pack("{s:s, s:I}", "cmd", "terminate", "id",
		    (json_int_t)id) : json_pack("{s:s, s:s}", "cmd", "terminate", "identity",
		    argv[optind]);
		optind++;
	} else if ((strcmp(cmd, "rekey") == 0 || strcmp(cmd, "rekey-ike") == 0) &&
	    optind + 1 == argc) {
		req = json_pack("{s:s, s:I, s:b}", "cmd", "rekey", "id",
		    (json_int_t)strtoll(argv[optind], NULL, 10), "ike", cmd[5] == '-');
		optind++;
	} else if (strcmp(cmd, "render") == 0 && optind + 1 == argc) {
		req = json_pack("{s:s, s:s}", "cmd", "render", "format", argv[optind]);
		optind++;
	} else if (strcmp(cmd, "apply") == 0 && optind + 1 == argc) {
		if (realpath(argv[optind], path) == NULL) {
			fprintf(stderr, "ikegwctl: %s: %s\n", argv[optind], strerror(errno));
			return 2;
		}
		req = json_pack("{s:s, s:s}", "cmd", "apply", "path", path);
		optind++;
	} else
		usage();
	if (optind != argc)
		usage();
	r = call(sock, req);
	json_decref(req);
	rc = json_is_true(json_object_get(r, "ok")) ? 0 : 1;
	if (as_json) {
		out = json_dumps(r, JSON_INDENT(2));
		printf("%s\n", out);
		free(out);
	} else if (rc != 0) {
		json_t *e;
		size_t i;

		fprintf(stderr, "ikegwd: %s\n", s(r, "error"));
		json_array_foreach(json_object_get(r, "errors"), i, e)
			if (i > 0)
				fprintf(stderr, "  %s\n", json_string_value(e));
	} else if (strcmp(cmd, "list-sas") == 0)
		print_sas(r);
	else if (strcmp(cmd, "leases") == 0)
		print_leases(r);
	else if (strcmp(cmd, "terminate") == 0)
		printf("terminated %lld IKE SA(s)\n", num(r, "terminated"));
	else if (strcmp(cmd, "apply") == 0)
		printf("applied: %lld IKE SAs kept, %lld closed\n", num(r, "kept"), num(r, "closed"));
	else if (strcmp(cmd, "render") == 0)
		fputs(s(r, "text"), stdout);
	else if (strncmp(cmd, "rekey", 5) == 0)
		printf("rekeying\n");
	else {
		out = json_dumps(r, JSON_INDENT(2));
		printf("%s\n", out);
		free(out);
	}
	json_decref(r);
	return rc;
}
