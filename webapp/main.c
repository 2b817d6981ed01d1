/*
 * ikegw-web — the FastCGI application behind nginx.
 *
 *   ikegw-web --var DIR --init [--user NAME]
 *	creates DIR/secret.key (0600) and DIR/ikegw.db, and on first run an
 *	"admin" account with a random password, printed once (stored hashed).
 *   ikegw-web --var DIR --reset-password NAME [--user NAME]
 *	gives administrator NAME a new random password (printed once), enables
 *	the account and lifts any login lock.
 *   ikegw-web --var DIR [--templates DIR] [--workers N] [--user NAME]
 *	    [--daemon] [--log FILE]
 *	listens on DIR/run/ikegw-web.sock, forks N workers (pre-fork, each with
 *	its own SQLite connection and parsed templates) and restarts any that
 *	die.  SIGTERM stops the workers after their current request.
 *
 * The master binds the socket and writes the pid file, then drops to --user
 * before doing anything else.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "web.h"

#define MAX_WORKERS	64
#define REQS_PER_WORKER	10000	/* recycle workers now and then */

static volatile sig_atomic_t stopping;

static void
usage(void)
{
	fprintf(stderr, "usage: ikegw-web --var DIR [--init | --reset-password NAME]"
	    " [--templates DIR] [--workers N] [--user NAME] [--daemon] [--log FILE]\n");
	exit(2);
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ikegw-web: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
drop_privileges(const char *user)
{
	struct passwd *pw;

	if (user == NULL)
		return;
	if ((pw = getpwnam(user)) == NULL)
		die("unknown user %s", user);
	if (getuid() == pw->pw_uid)
		return;
	if (setgroups(0, NULL) == -1 || setgid(pw->pw_gid) == -1 || setuid(pw->pw_uid) == -1)
		die("cannot drop privileges to %s: %s", user, strerror(errno));
	if (setuid(0) != -1)
		die("privileges were not dropped");
}

/* ---------------------------------------------------------------- --init */

static int
do_init(const char *var)
{
	char path[4096], err[512], pw[17], hash[256];
	uint8_t key[PKI_SECRET_KEY_LEN];
	struct db *db;
	struct db_user u;
	long long admins = 0;
	int rc = 1;

	snprintf(path, sizeof(path), "%s/secret.key", var);
	if (pki_secret_key_load(path, 1, key, err, sizeof(err)) == -1)
		die("%s", err);
	explicit_bzero(key, sizeof(key));
	snprintf(path, sizeof(path), "%s/ikegw.db", var);
	if ((db = db_open(path, err, sizeof(err))) == NULL)
		die("%s", err);
	if (db_user_count_admins(db, 0, &admins) != 0)
		die("%s", db_errmsg(db));
	if (admins > 0) {
		printf("Admin account exists; log in with your password.\n");
		rc = 0;
		goto out;
	}
	pki_random_password(pw, 16);
	if (pki_password_hash(pw, hash, sizeof(hash)) == -1)
		die("password hashing failed");
	memset(&u, 0, sizeof(u));
	u.name = (char *)"admin";
	u.full_name = (char *)"Administrator";
	u.role = DB_ROLE_ADMIN;
	u.pw_hash = hash;
	switch (db_user_insert(db, &u)) {
	case 0:
		break;
	case DB_EXISTS:
		/* An "admin" user exists but is disabled or has no password: reset it. */
		if (db_user_find(db, "admin", &u) != 0 ||
		    db_user_set_password(db, u.id, hash, 0) != 0)
			die("%s", db_errmsg(db));
		u.role = DB_ROLE_ADMIN;
		u.disabled = 0;
		if (db_user_update(db, &u) != 0)
			die("%s", db_errmsg(db));
		db_user_free(&u);
		break;
	default:
		die("%s", db_errmsg(db));
	}
	(void)db_audit_add(db, time(NULL), "-", "", "admin.init", "admin",
	    "first-run administrator created");
	printf("Username: admin\nPassword: %s\n", pw);
	rc = 0;
out:
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(hash, sizeof(hash));
	db_close(db);
	return rc;
}

static int
do_reset(const char *var, const char *name)
{
	char path[4096], err[512], pw[17], hash[256], key[300];
	struct db *db;
	struct db_user u;

	snprintf(path, sizeof(path), "%s/ikegw.db", var);
	if ((db = db_open(path, err, sizeof(err))) == NULL)
		die("%s", err);
	if (db_user_find(db, name, &u) != 0)
		die("no user %s", name);
	if (u.role != DB_ROLE_ADMIN)
		die("%s is not an administrator", name);
	pki_random_password(pw, 16);
	if (pki_password_hash(pw, hash, sizeof(hash)) == -1)
		die("password hashing failed");
	u.disabled = 0;
	if (db_user_set_password(db, u.id, hash, 0) != 0 || db_user_update(db, &u) != 0 ||
	    db_session_delete_user(db, u.id, 0) != 0)
		die("%s", db_errmsg(db));
	snprintf(key, sizeof(key), "user:%s", name);
	(void)db_throttle_clear(db, key);
	(void)db_audit_add(db, time(NULL), "-", "", "password.reset", name, "from the command line");
	printf("Username: %s\nPassword: %s\n", u.name, pw);
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(hash, sizeof(hash));
	db_user_free(&u);
	db_close(db);
	return 0;
}

/* ---------------------------------------------------------------- one request */

static const char *
env(FCGX_Request *fr, const char *name)
{
	return FCGX_GetParam(name, fr->envp);
}

static int
starts_with_ci(const char *s, const char *prefix)
{
	return s && strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Reads and parses what the request sends.  WEB_OK, or the status to answer. */
static enum web_status
read_request(struct web_req *r, FCGX_Request *fr)
{
	const struct web_limits *lim = &r->app->limits;
	const char *cl = env(fr, "CONTENT_LENGTH"), *cookie = env(fr, "HTTP_COOKIE");
	unsigned char *body = NULL;
	long long len = 0;
	size_t cap, got;
	enum web_status st = WEB_OK;
	int n;

	if (strlen(r->query_string) > lim->max_header ||
	    (cookie && strlen(cookie) > lim->max_header))
		return WEB_TOO_LARGE;
	if ((st = web_parse_query(&r->query, r->query_string, strlen(r->query_string),
	    lim)) != WEB_OK)
		return st;
	if (cookie && (st = web_parse_cookies(&r->cookies, cookie, strlen(cookie), lim)) != WEB_OK)
		return st;
	if (cl && *cl && parse_int(cl, 0, (long long)1 << 40, &len) == -1)
		return WEB_MALFORMED;
	if (len == 0)
		return WEB_OK;
	cap = starts_with_ci(r->content_type, "multipart/form-data") ? lim->max_upload :
	    lim->max_body;
	if ((unsigned long long)len > cap)
		return WEB_TOO_LARGE;
	if ((body = malloc((size_t)len)) == NULL)
		return WEB_TOO_LARGE;
	for (got = 0; got < (size_t)len; got += (size_t)n) {
		n = FCGX_GetStr((char *)body + got, (int)((size_t)len - got), fr->in);
		if (n <= 0)
			break;
	}
	if (got != (size_t)len)
		st = WEB_MALFORMED;
	else if (starts_with_ci(r->content_type, "application/x-www-form-urlencoded"))
		st = web_parse_urlencoded(&r->form, (const char *)body, got, lim);
	else if (starts_with_ci(r->content_type, "multipart/form-data"))
		st = web_parse_multipart(&r->form, r->content_type, body, got, lim);
	else if (starts_with_ci(r->content_type, "application/json"))
		st = web_parse_json(&r->form, (const char *)body, got, lim);
	else
		st = WEB_MALFORMED;
	explicit_bzero(body, (size_t)len);
	free(body);
	return st;
}

static void
write_response(struct web_req *r, FCGX_Request *fr)
{
	struct buf h = { 0 };

	/* Formatted here: libfcgi's own printf does not know every conversion. */
	buf_printf(&h, "Status: %d %s\r\n", r->status, web_status_text(r->status));
	if (r->status != 303 || r->body.len)
		buf_printf(&h, "Content-Type: %s\r\n",
		    r->content_type_out ? r->content_type_out : "text/html; charset=utf-8");
	buf_adds(&h, "Content-Security-Policy: default-src 'none'; script-src 'self';"
	    " style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self';"
	    " frame-ancestors 'none'; base-uri 'none'\r\n"
	    "X-Frame-Options: DENY\r\n"
	    "X-Content-Type-Options: nosniff\r\n"
	    "Referrer-Policy: same-origin\r\n"
	    "Cache-Control: no-store\r\n");
	buf_add(&h, r->headers.data, r->headers.len);
	buf_printf(&h, "Content-Length: %zu\r\n\r\n", r->body.len);
	FCGX_PutStr(h.data, (int)h.len, fr->out);
	if (r->body.len && strcmp(r->method, "HEAD") != 0)
		FCGX_PutStr(r->body.data, (int)r->body.len, fr->out);
	buf_free(&h);
}

static void
handle(struct web_app *app, FCGX_Request *fr)
{
	struct web_req r;
	enum web_status st;
	const char *https;
	char msg[160];
	long long len;

	memset(&r, 0, sizeof(r));
	r.app = app;
	r.now = time(NULL);
	r.method = env(fr, "REQUEST_METHOD");
	r.path = env(fr, "DOCUMENT_URI");
	if (r.path == NULL)
		r.path = env(fr, "SCRIPT_NAME");
	r.query_string = env(fr, "QUERY_STRING");
	r.content_type = env(fr, "CONTENT_TYPE");
	r.remote_addr = env(fr, "REMOTE_ADDR");
	r.user_agent = env(fr, "HTTP_USER_AGENT");
	r.csrf_header = env(fr, "HTTP_X_CSRF_TOKEN");
	r.authorization = env(fr, "HTTP_AUTHORIZATION");
	r.origin = env(fr, "HTTP_ORIGIN");
	/* The Host header as sent (nginx's HTTP_HOST param may drop the port). */
	r.host = env(fr, "IKEGW_HOST");
	if (r.host == NULL)
		r.host = env(fr, "HTTP_HOST");
	https = env(fr, "HTTPS");
	r.https = https && *https && strcmp(https, "off") != 0;
	if (r.method == NULL)
		r.method = "GET";
	if (r.path == NULL || r.path[0] != '/')
		r.path = "/";
	if (r.query_string == NULL)
		r.query_string = "";
	if (r.remote_addr == NULL)
		r.remote_addr = "";
	r.is_api = strncmp(r.path, "/api/", 5) == 0;

	st = read_request(&r, fr);
	if (st == WEB_TOO_LARGE && starts_with_ci(r.content_type, "multipart/form-data") &&
	    env(fr, "CONTENT_LENGTH") && parse_int(env(fr, "CONTENT_LENGTH"), 0, (long long)1 << 40,
	    &len) == 0 && (unsigned long long)len > app->limits.max_upload) {
		/* Said plainly: a browser user chose a file that is too big. */
		snprintf(msg, sizeof(msg), "The file is too large: uploads may be at most %zu MiB"
		    " in all. Nothing was saved. Go back and choose a smaller file.",
		    app->limits.max_upload / (1024 * 1024));
		web_error(&r, 413, msg);
	} else if (st == WEB_TOO_LARGE)
		web_error(&r, 413, "The request is too large. Nothing was saved.");
	else if (st != WEB_OK)
		web_error(&r, 400, "The request could not be understood.");
	else
		web_dispatch(&r);
	write_response(&r, fr);
	web_req_free(&r);
}

/* ---------------------------------------------------------------- workers */

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
	FCGX_ShutdownPending();
}

static void
worker(int sock, struct web_app *app)
{
	FCGX_Request fr;
	struct sigaction sa;
	long served = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;	/* no SA_RESTART: accept() returns */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (FCGX_InitRequest(&fr, sock, FCGI_FAIL_ACCEPT_ON_INTR) != 0)
		die("FCGX_InitRequest failed");
	while (!stopping && served < REQS_PER_WORKER && FCGX_Accept_r(&fr) >= 0) {
		handle(app, &fr);
		FCGX_Finish_r(&fr);
		served++;
	}
	FCGX_Free(&fr, 1);
	web_app_free(app);
	_exit(0);
}

static pid_t
spawn(int sock, const char *var, const char *tmpl)
{
	struct web_app app;
	char err[512];
	pid_t pid;

	if ((pid = fork()) != 0)
		return pid;
	/* Each worker opens its own database connection and parses the
	   templates once; nothing SQLite-related crosses fork(). */
	if (web_app_init(&app, var, tmpl, err, sizeof(err)) == -1) {
		fprintf(stderr, "ikegw-web: %s\n", err);
		_exit(3);
	}
	worker(sock, &app);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "var", required_argument, NULL, 'v' },
		{ "templates", required_argument, NULL, 't' },
		{ "workers", required_argument, NULL, 'w' },
		{ "user", required_argument, NULL, 'u' },
		{ "daemon", no_argument, NULL, 'd' },
		{ "log", required_argument, NULL, 'l' },
		{ "init", no_argument, NULL, 'i' },
		{ "reset-password", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const char *var = NULL, *tmpl = "templates", *user = NULL, *logf = NULL, *reset = NULL;
	long long nworkers = 4;
	int init = 0, daemonize = 0, c, sock, status, i, fails = 0;
	pid_t pids[MAX_WORKERS], pid;
	char path[4096], err[512];
	struct sigaction sa;
	struct web_app probe;
	FILE *fp;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'v': var = optarg; break;
		case 't': tmpl = optarg; break;
		case 'u': user = optarg; break;
		case 'd': daemonize = 1; break;
		case 'l': logf = optarg; break;
		case 'i': init = 1; break;
		case 'r': reset = optarg; break;
		case 'w':
			if (parse_int(optarg, 1, MAX_WORKERS, &nworkers) == -1)
				die("--workers must be 1..%d", MAX_WORKERS);
			break;
		default: usage();
		}
	}
	if (var == NULL || optind != argc)
		usage();
	umask(077);
	if (init || reset) {
		drop_privileges(user);
		return init ? do_init(var) : do_reset(var, reset);
	}

	snprintf(path, sizeof(path), "%s/run/ikegw-web.sock", var);
	unlink(path);
	if ((sock = FCGX_OpenSocket(path, 128)) < 0)
		die("cannot listen on %s", path);
	/* nginx connects as its own user; the directory guards who can reach it. */
	chmod(path, 0666);

	if (logf) {
		int fd = open(logf, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);

		if (fd == -1)
			die("%s: %s", logf, strerror(errno));
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	if (daemonize) {
		if ((pid = fork()) == -1)
			die("fork: %s", strerror(errno));
		if (pid)
			_exit(0);
		setsid();
		if (freopen("/dev/null", "r", stdin) == NULL ||
		    freopen("/dev/null", "w", stdout) == NULL)
			die("cannot reopen stdio");
	}
	snprintf(path, sizeof(path), "%s/run/ikegw-web.pid", var);
	if ((fp = fopen(path, "w")) != NULL) {
		fprintf(fp, "%ld\n", (long)getpid());
		fclose(fp);
	}
	drop_privileges(user);

	/* Fail early and loudly on a broken setup instead of in every worker. */
	if (web_app_init(&probe, var, tmpl, err, sizeof(err)) == -1)
		die("%s", err);
	web_app_free(&probe);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	FCGX_Init();

	for (i = 0; i < nworkers; i++)
		pids[i] = spawn(sock, var, tmpl);
	fprintf(stderr, "ikegw-web: %lld workers on %s/run/ikegw-web.sock\n", nworkers, var);
	while (!stopping) {
		pid = waitpid(-1, &status, 0);
		if (pid == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (i = 0; i < nworkers; i++) {
			if (pids[i] != pid)
				continue;
			if (!stopping) {
				if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
					fprintf(stderr, "ikegw-web: worker %ld died (status %d)\n",
					    (long)pid, status);
					/* Back off when workers keep dying. */
					if (++fails > 5)
						sleep(1);
				} else
					fails = 0;
				pids[i] = spawn(sock, var, tmpl);
			}
		}
	}
	for (i = 0; i < nworkers; i++)
		kill(pids[i], SIGTERM);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	fprintf(stderr, "ikegw-web: stopped\n");
	return 0;
}
