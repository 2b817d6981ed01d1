/*
 * tmpl — see tmpl.h.
 *
 * A template is parsed once into a flat array of nodes in document order.  A
 * section node records the index just past its last child, so the tree is
 * implicit: rendering walks the array and recurses only into sections and
 * partials.  Text and names are slices of the template's own copy of its
 * source, and the context stack is a chain of frames on the C stack, so a
 * render allocates nothing but the output.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "tmpl.h"

#define TMPL_MAX_SIZE		(1024 * 1024)	/* bytes of one template */
#define TMPL_MAX_NEST		32	/* sections open at once in one template */
#define TMPL_MAX_PARTIALS	16	/* partials rendering inside one another */
/*
 * Work limits of one render: a runaway template (sections over the same
 * array nested deeply) stops with an error instead of spinning.  The fuzz
 * build uses small limits so that such inputs stay fast.
 */
#ifdef IKEGW_FUZZ
#define TMPL_MAX_STEPS		(1UL << 16)
#define TMPL_MAX_OUTPUT		((size_t)1 << 20)
#else
#define TMPL_MAX_STEPS		(1UL << 26)
#define TMPL_MAX_OUTPUT		((size_t)1 << 28)
#endif

enum tmpl_node_type {
	TMPL_TEXT,
	TMPL_VAR,		/* {{name}} */
	TMPL_RAW,		/* {{&name}} */
	TMPL_SECTION,		/* {{#name}} */
	TMPL_INVERTED,		/* {{^name}} */
	TMPL_PARTIAL,		/* {{>name}} */
};

/* What a name means, decided once at parse time. */
enum tmpl_name_kind {
	TMPL_NAME_PATH,		/* a or a.b.c */
	TMPL_NAME_DOT,		/* . */
	TMPL_NAME_INDEX,	/* @index */
	TMPL_NAME_FIRST,	/* @first */
	TMPL_NAME_LAST,		/* @last */
};

struct tmpl_node {
	enum tmpl_node_type	 type;
	enum tmpl_name_kind	 kind;
	unsigned		 line;	/* of the node's first byte, from 1 */
	size_t			 off;	/* text, or name: a slice of tmpl.src */
	size_t			 len;
	size_t			 end;	/* sections: index just past the children */
};

struct tmpl {
	char			*name;	/* without ".html" */
	char			*src;	/* NUL-terminated copy of the source */
	size_t			 srclen;
	struct tmpl_node	*nodes;
	size_t			 nnodes;
	size_t			 cap;
};

struct tmpl_set {
	struct tmpl		*tmpls;
	size_t			 n;
	size_t			 cap;
};

/*
 * A context frame.  Frames live on the C stack of the section that pushed
 * them and point outwards; count is non-zero for an array element.
 */
struct tmpl_frame {
	const struct tmpl_frame	*up;
	json_t			*val;	/* borrowed; NULL for "no context" */
	size_t			 index;
	size_t			 count;
};

/* A resolved name: a JSON value, or one of the @ names (no allocation). */
struct tmpl_val {
	enum { TMPL_VAL_NONE, TMPL_VAL_JSON, TMPL_VAL_INT, TMPL_VAL_BOOL } kind;
	json_t			*json;
	long long		 num;
};

struct tmpl_render {
	const struct tmpl_set	*set;
	struct buf		*out;
	size_t			 out_start;
	unsigned long		 steps;
	unsigned		 partials;	/* partials being rendered now */
	char			*err;
	size_t			 errlen;
};

/* As buf.h explains, running out of memory is fatal in the web app. */
static void *
tmpl_realloc(void *p, size_t nmemb, size_t size)
{
	p = reallocarray(p, nmemb ? nmemb : 1, size ? size : 1);
	if (p == NULL)
		abort();
	return p;
}

static char *
tmpl_strdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		abort();
	return p;
}

/* err = "<file>.html:<line>: message" (file NULL: just the message). */
static void __attribute__((format(printf, 5, 0)))
tmpl_verr(char *err, size_t errlen, const char *file, unsigned line,
    const char *fmt, va_list ap)
{
	int n = 0;

	if (err == NULL || errlen == 0)
		return;
	err[0] = '\0';
	if (file != NULL)
		n = snprintf(err, errlen, "%s.html:%u: ", file, line);
	if (n < 0 || (size_t)n >= errlen)
		return;
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
}

static void __attribute__((format(printf, 5, 6)))
tmpl_err(char *err, size_t errlen, const char *file, unsigned line,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tmpl_verr(err, errlen, file, line, fmt, ap);
	va_end(ap);
}

/*
 * Copies untrusted template bytes into a short, printable string for an
 * error message: at most 40 bytes, control bytes and quotes as '?'.
 */
static const char *
tmpl_quote(char *dst, size_t dstlen, const char *s, size_t n)
{
	size_t i, max = dstlen - 4;	/* room for "..." and the NUL */

	for (i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)s[i];

		dst[i] = (c < 0x20 || c == 0x7f || c == '\'') ? '?' : (char)c;
	}
	dst[i] = '\0';
	if (i < n)
		memcpy(dst + i, "...", 4);
	return dst;
}

static size_t
tmpl_count_lines(const char *s, size_t n)
{
	size_t lines = 0;
	const char *nl;

	while (n > 0 && (nl = memchr(s, '\n', n)) != NULL) {
		lines++;
		n -= (size_t)(nl - s) + 1;
		s = nl + 1;
	}
	return lines;
}

static int
tmpl_is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
tmpl_is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Partial names are file names: [a-z0-9_]+, so never a path. */
static int
tmpl_partial_name_ok(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '_'))
			return 0;
	return 1;
}

/* Classifies a name (see tmpl.h "Names are ..."); -1 if it is not one. */
static int
tmpl_name_kind(const char *s, size_t n, enum tmpl_name_kind *kind)
{
	size_t i;

	if (n == 1 && s[0] == '.') {
		*kind = TMPL_NAME_DOT;
		return 0;
	}
	if (n > 0 && s[0] == '@') {
		if (n == 6 && memcmp(s, "@index", 6) == 0)
			*kind = TMPL_NAME_INDEX;
		else if (n == 6 && memcmp(s, "@first", 6) == 0)
			*kind = TMPL_NAME_FIRST;
		else if (n == 5 && memcmp(s, "@last", 5) == 0)
			*kind = TMPL_NAME_LAST;
		else
			return -1;
		return 0;
	}
	/* segments of name characters joined by single dots */
	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (s[i - 1] == '.')
				return -1;
		} else if (!tmpl_is_name_char(s[i]))
			return -1;
	}
	*kind = TMPL_NAME_PATH;
	return 0;
}

static struct tmpl_node *
tmpl_add_node(struct tmpl *t, enum tmpl_node_type type, unsigned line,
    size_t off, size_t len)
{
	struct tmpl_node *n;

	if (t->nnodes == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->nodes = tmpl_realloc(t->nodes, t->cap, sizeof(*t->nodes));
	}
	n = &t->nodes[t->nnodes++];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->line = line;
	n->off = off;
	n->len = len;
	return n;
}

/*
 * Mustache "standalone" rule: a block tag alone on its line (white space
 * around it allowed) takes the whole line with it.  tag..tagend is the tag,
 * pos the first byte not yet consumed (the line cannot start before it, or
 * the bytes in between would hold the previous tag's "}}").  On success
 * *linestart is where the text before the tag now ends and *next the first
 * byte after the line's newline.
 */
static int
tmpl_standalone(const char *s, size_t len, size_t pos, size_t tag, size_t tagend,
    size_t *linestart, size_t *next)
{
	size_t ls = tag, re = tagend;

	while (ls > pos && (s[ls - 1] == ' ' || s[ls - 1] == '\t'))
		ls--;
	if (ls > 0 && s[ls - 1] != '\n')
		return 0;
	while (re < len && (s[re] == ' ' || s[re] == '\t'))
		re++;
	if (re == len)
		*next = re;
	else if (s[re] == '\n')
		*next = re + 1;
	else if (s[re] == '\r' && re + 1 < len && s[re + 1] == '\n')
		*next = re + 2;
	else
		return 0;
	*linestart = ls;
	return 1;
}

/*
 * Parses t->src into t->nodes.  Each tag is found and bounded ("{{" … "}}")
 * before anything inside it is read; its sigil and name are checked before a
 * node is made.  Returns 0, or -1 with "<name>.html:LINE: message".
 */
static int
tmpl_parse(struct tmpl *t, char *err, size_t errlen)
{
	const char *s = t->src, *p, *name;
	size_t len = t->srclen, pos = 0, tag, close, tagend, textend, next;
	size_t open[TMPL_MAX_NEST], nopen = 0, nlen, clen;
	enum tmpl_node_type type;
	enum tmpl_name_kind kind = TMPL_NAME_PATH;
	struct tmpl_node *n, *o;
	unsigned line = 1, textline;
	char sigil, q[48], q2[48];
	int block, rc = -1;

	while (pos < len) {
		p = memmem(s + pos, len - pos, "{{", 2);
		if (p == NULL) {
			tmpl_add_node(t, TMPL_TEXT, line, pos, len - pos);
			break;
		}
		tag = (size_t)(p - s);
		textline = line;
		line += (unsigned)tmpl_count_lines(s + pos, tag - pos);
		p = memmem(s + tag + 2, len - tag - 2, "}}", 2);
		if (p == NULL) {
			tmpl_err(err, errlen, t->name, line, "unterminated tag (no '}}')");
			goto done;
		}
		close = (size_t)(p - s);
		tagend = close + 2;

		/* the tag's content, without the braces and outer white space */
		name = s + tag + 2;
		clen = close - tag - 2;
		while (clen > 0 && tmpl_is_blank(name[0])) {
			name++;
			clen--;
		}
		while (clen > 0 && tmpl_is_blank(name[clen - 1]))
			clen--;
		if (clen == 0) {
			tmpl_err(err, errlen, t->name, line, "empty tag '{{}}'");
			goto done;
		}
		sigil = name[0];
		kind = TMPL_NAME_PATH;
		switch (sigil) {
		case '#':
			type = TMPL_SECTION;
			break;
		case '^':
			type = TMPL_INVERTED;
			break;
		case '&':
			type = TMPL_RAW;
			break;
		case '>':
			type = TMPL_PARTIAL;
			break;
		case '/':
		case '!':
			type = TMPL_TEXT;	/* makes no node of its own */
			break;
		default:
			if (tmpl_is_name_char(sigil) || sigil == '.' || sigil == '@') {
				type = TMPL_VAR;
				sigil = '\0';
				break;
			}
			if (sigil == '{')
				tmpl_err(err, errlen, t->name, line, "unknown tag sigil '{' "
				    "(no triple mustache: {{&name}} is raw output)");
			else if (sigil == '=')
				tmpl_err(err, errlen, t->name, line, "unknown tag sigil '=' "
				    "(delimiters cannot be changed)");
			else if ((unsigned char)sigil > 0x20 && (unsigned char)sigil < 0x7f &&
			    sigil != '\'')
				tmpl_err(err, errlen, t->name, line, "unknown tag sigil '%c'", sigil);
			else
				tmpl_err(err, errlen, t->name, line, "unknown tag sigil 0x%02x",
				    (unsigned char)sigil);
			goto done;
		}
		if (sigil != '\0') {
			name++;
			clen--;
			while (clen > 0 && tmpl_is_blank(name[0])) {
				name++;
				clen--;
			}
		}
		nlen = clen;

		if (sigil != '!') {
			if (nlen == 0) {
				tmpl_err(err, errlen, t->name, line, "empty name after '%c'", sigil);
				goto done;
			}
			if (type == TMPL_PARTIAL) {
				if (!tmpl_partial_name_ok(name, nlen)) {
					tmpl_err(err, errlen, t->name, line, "bad partial name '%s' "
					    "(only [a-z0-9_])", tmpl_quote(q, sizeof(q), name, nlen));
					goto done;
				}
			} else if (tmpl_name_kind(name, nlen, &kind) == -1) {
				tmpl_err(err, errlen, t->name, line, "bad name '%s'",
				    tmpl_quote(q, sizeof(q), name, nlen));
				goto done;
			}
		}

		/* text before the tag; a standalone block tag also eats its line */
		block = sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!' ||
		    sigil == '>';
		textend = tag;
		next = tagend;
		if (block)
			tmpl_standalone(s, len, pos, tag, tagend, &textend, &next);
		if (textend > pos)
			tmpl_add_node(t, TMPL_TEXT, textline, pos, textend - pos);

		switch (sigil) {
		case '!':
			break;
		case '/':
			if (nopen == 0) {
				tmpl_err(err, errlen, t->name, line, "close tag '{{/%s}}' "
				    "without an open section", tmpl_quote(q, sizeof(q), name, nlen));
				goto done;
			}
			o = &t->nodes[open[nopen - 1]];
			if (o->len != nlen || memcmp(s + o->off, name, nlen) != 0) {
				tmpl_err(err, errlen, t->name, line, "mismatched close tag "
				    "'{{/%s}}': the open section is '{{%c%s}}' from line %u",
				    tmpl_quote(q, sizeof(q), name, nlen),
				    o->type == TMPL_INVERTED ? '^' : '#',
				    tmpl_quote(q2, sizeof(q2), s + o->off, o->len), o->line);
				goto done;
			}
			o->end = t->nnodes;
			nopen--;
			break;
		default:
			if ((type == TMPL_SECTION || type == TMPL_INVERTED) &&
			    nopen == TMPL_MAX_NEST) {
				tmpl_err(err, errlen, t->name, line, "sections nested deeper "
				    "than %d", TMPL_MAX_NEST);
				goto done;
			}
			n = tmpl_add_node(t, type, line, (size_t)(name - s), nlen);
			n->kind = kind;
			if (type == TMPL_SECTION || type == TMPL_INVERTED)
				open[nopen++] = t->nnodes - 1;
			break;
		}
		line += (unsigned)tmpl_count_lines(s + tag, next - tag);
		pos = next;
	}
	if (nopen > 0) {
		o = &t->nodes[open[nopen - 1]];
		tmpl_err(err, errlen, t->name, o->line, "unclosed section '%s'",
		    tmpl_quote(q, sizeof(q), s + o->off, o->len));
		goto done;
	}
	rc = 0;
done:
	return rc;
}

static const struct tmpl *
tmpl_find(const struct tmpl_set *set, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strncmp(set->tmpls[i].name, name, len) == 0 &&
		    set->tmpls[i].name[len] == '\0')
			return &set->tmpls[i];
	return NULL;
}

static void
tmpl_clear(struct tmpl *t)
{
	free(t->name);
	free(t->src);
	free(t->nodes);
	memset(t, 0, sizeof(*t));
}

/* Parses src (takes ownership; len bytes plus a NUL) as template name into set. */
static int
tmpl_set_add(struct tmpl_set *set, const char *name, char *src, size_t len,
    char *err, size_t errlen)
{
	struct tmpl t;
	int rc = -1;

	memset(&t, 0, sizeof(t));
	t.src = src;
	t.srclen = len;
	if (name[0] == '\0' || strchr(name, '/') != NULL) {
		tmpl_err(err, errlen, NULL, 0, "bad template name '%s'", name);
		goto done;
	}
	t.name = tmpl_strdup(name);
	if (tmpl_find(set, name, strlen(name)) != NULL) {
		tmpl_err(err, errlen, NULL, 0, "duplicate template '%s'", name);
		goto done;
	}
	if (len > TMPL_MAX_SIZE) {
		tmpl_err(err, errlen, NULL, 0, "%s.html: larger than %d bytes", name,
		    TMPL_MAX_SIZE);
		goto done;
	}
	if (tmpl_parse(&t, err, errlen) == -1)
		goto done;
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		set->tmpls = tmpl_realloc(set->tmpls, set->cap, sizeof(*set->tmpls));
	}
	set->tmpls[set->n++] = t;
	memset(&t, 0, sizeof(t));
	rc = 0;
done:
	tmpl_clear(&t);
	return rc;
}

int
tmpl_add_string(struct tmpl_set *set, const char *name, const char *text,
    size_t len, char *err, size_t errlen)
{
	char *copy;

	if (len > TMPL_MAX_SIZE)
		len = TMPL_MAX_SIZE + 1;	/* tmpl_set_add rejects it; copy no more */
	copy = tmpl_realloc(NULL, len + 1, 1);
	if (len > 0)
		memcpy(copy, text, len);
	copy[len] = '\0';
	return tmpl_set_add(set, name, copy, len, err, errlen);
}

struct tmpl_set *
tmpl_load_string(const char *name, const char *text, size_t len, char *err,
    size_t errlen)
{
	struct tmpl_set *set;

	set = tmpl_realloc(NULL, 1, sizeof(*set));
	memset(set, 0, sizeof(*set));
	if (tmpl_add_string(set, name, text, len, err, errlen) == -1) {
		tmpl_set_free(set);
		set = NULL;
	}
	return set;
}

/*
 * Reads file (relative to the directory dfd) into *text (caller frees).
 * Returns 0, 1 for "not a regular file, skip it", or -1 with err.
 */
static int
tmpl_read_file(int dfd, const char *file, char **text, size_t *len, char *err,
    size_t errlen)
{
	struct stat st;
	char *p = NULL;
	size_t have = 0, cap;
	ssize_t r;
	int fd, rc = -1;

	fd = openat(dfd, file, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || fstat(fd, &st) == -1) {
		tmpl_err(err, errlen, NULL, 0, "%s: %s", file, strerror(errno));
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = 1;
		goto done;
	}
	/*
	 * Read to EOF even if the size changed meanwhile (room for one byte
	 * more than stat said, so EOF needs no growth); one byte over the cap
	 * is enough to fail.
	 */
	cap = st.st_size >= 0 && st.st_size <= TMPL_MAX_SIZE ? (size_t)st.st_size + 1 : 4096;
	p = tmpl_realloc(NULL, cap + 1, 1);
	for (;;) {
		if (have == cap) {
			if (cap > TMPL_MAX_SIZE) {
				tmpl_err(err, errlen, NULL, 0, "%s: larger than %d bytes",
				    file, TMPL_MAX_SIZE);
				goto done;
			}
			cap = cap * 2 > TMPL_MAX_SIZE ? TMPL_MAX_SIZE + 1 : cap * 2;
			p = tmpl_realloc(p, cap + 1, 1);
		}
		r = read(fd, p + have, cap - have);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			tmpl_err(err, errlen, NULL, 0, "%s: %s", file, strerror(errno));
			goto done;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	p[have] = '\0';
	*text = p;
	*len = have;
	p = NULL;
	rc = 0;
done:
	free(p);
	if (fd != -1)
		close(fd);
	return rc;
}

static int
tmpl_cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct tmpl_set *
tmpl_load_dir(const char *dir, char *err, size_t errlen)
{
	struct tmpl_set *set = NULL;
	struct dirent *de;
	DIR *d = NULL;
	char **files = NULL, *text = NULL;
	size_t nfiles = 0, cap = 0, i, flen, tlen;
	int r, ok = 0;

	d = opendir(dir);
	if (d == NULL) {
		tmpl_err(err, errlen, NULL, 0, "%s: %s", dir, strerror(errno));
		goto done;
	}
	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		flen = strlen(de->d_name);
		/* hidden files (editor backups, ".html") are not templates */
		if (de->d_name[0] == '.' || flen <= 5 ||
		    strcmp(de->d_name + flen - 5, ".html") != 0)
			continue;
		if (nfiles == cap) {
			cap = cap ? cap * 2 : 32;
			files = tmpl_realloc(files, cap, sizeof(*files));
		}
		files[nfiles++] = tmpl_strdup(de->d_name);
	}
	if (errno != 0) {
		tmpl_err(err, errlen, NULL, 0, "%s: %s", dir, strerror(errno));
		goto done;
	}
	/* sorted, so that the first error reported does not depend on readdir */
	if (nfiles > 0)
		qsort(files, nfiles, sizeof(*files), tmpl_cmp_names);

	set = tmpl_realloc(NULL, 1, sizeof(*set));
	memset(set, 0, sizeof(*set));
	for (i = 0; i < nfiles; i++) {
		r = tmpl_read_file(dirfd(d), files[i], &text, &tlen, err, errlen);
		if (r == -1)
			goto done;
		if (r == 1)
			continue;
		files[i][strlen(files[i]) - 5] = '\0';	/* the name: no ".html" */
		r = tmpl_set_add(set, files[i], text, tlen, err, errlen);
		text = NULL;
		if (r == -1)
			goto done;
	}
	ok = 1;
done:
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	if (d != NULL)
		closedir(d);
	if (!ok) {
		tmpl_set_free(set);
		set = NULL;
	}
	return set;
}

int
tmpl_exists(const struct tmpl_set *set, const char *name)
{
	return set != NULL && tmpl_find(set, name, strlen(name)) != NULL;
}

void
tmpl_set_free(struct tmpl_set *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		tmpl_clear(&set->tmpls[i]);
	free(set->tmpls);
	free(set);
}

/* ------------------------------------------------------------------ render */

/*
 * Mustache name resolution: the first segment from the innermost context
 * outwards (skipping contexts that are not objects), the rest only inside
 * the value found.  The @ names belong to the innermost array section.
 */
static struct tmpl_val
tmpl_lookup(const struct tmpl_frame *f, const struct tmpl_node *n, const char *src)
{
	struct tmpl_val v = { TMPL_VAL_NONE, NULL, 0 };
	const char *name = src + n->off, *dot;
	size_t left = n->len, seg;
	json_t *j = NULL;

	switch (n->kind) {
	case TMPL_NAME_DOT:
		if (f->val != NULL) {
			v.kind = TMPL_VAL_JSON;
			v.json = f->val;
		}
		return v;
	case TMPL_NAME_INDEX:
	case TMPL_NAME_FIRST:
	case TMPL_NAME_LAST:
		for (; f != NULL && f->count == 0; f = f->up)
			;
		if (f == NULL)
			return v;
		if (n->kind == TMPL_NAME_INDEX) {
			v.kind = TMPL_VAL_INT;
			v.num = (long long)f->index;
		} else {
			v.kind = TMPL_VAL_BOOL;
			v.num = n->kind == TMPL_NAME_FIRST ? f->index == 0 :
			    f->index + 1 == f->count;
		}
		return v;
	case TMPL_NAME_PATH:
		break;
	}

	dot = memchr(name, '.', left);
	seg = dot != NULL ? (size_t)(dot - name) : left;
	for (; f != NULL; f = f->up)
		if (json_is_object(f->val) &&
		    (j = json_object_getn(f->val, name, seg)) != NULL)
			break;
	while (j != NULL && dot != NULL) {
		name += seg + 1;
		left -= seg + 1;
		dot = memchr(name, '.', left);
		seg = dot != NULL ? (size_t)(dot - name) : left;
		j = json_is_object(j) ? json_object_getn(j, name, seg) : NULL;
	}
	if (j != NULL) {
		v.kind = TMPL_VAL_JSON;
		v.json = j;
	}
	return v;
}

static int
tmpl_truthy(struct tmpl_val v)
{
	switch (v.kind) {
	case TMPL_VAL_NONE:
		return 0;
	case TMPL_VAL_INT:
	case TMPL_VAL_BOOL:
		return v.num != 0;
	case TMPL_VAL_JSON:
		break;
	}
	switch (json_typeof(v.json)) {
	case JSON_OBJECT:
	case JSON_TRUE:
		return 1;
	case JSON_ARRAY:
		return json_array_size(v.json) > 0;
	case JSON_STRING:
		return json_string_length(v.json) > 0;
	case JSON_INTEGER:
		return json_integer_value(v.json) != 0;
	case JSON_REAL:
		return json_real_value(v.json) != 0.0;
	case JSON_FALSE:
	case JSON_NULL:
		break;
	}
	return 0;
}

static int __attribute__((format(printf, 4, 5)))
tmpl_render_err(struct tmpl_render *r, const struct tmpl *t,
    const struct tmpl_node *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tmpl_verr(r->err, r->errlen, t->name, n->line, fmt, ap);
	va_end(ap);
	return -1;
}

/* {{name}} and {{&name}}: one printable value, escaped unless raw. */
static int
tmpl_emit(struct tmpl_render *r, const struct tmpl *t, const struct tmpl_node *n,
    const struct tmpl_frame *ctx)
{
	struct tmpl_val v = tmpl_lookup(ctx, n, t->src);
	const char *s = NULL;
	char num[40];
	double d;
	int len = 0, prec;

	switch (v.kind) {
	case TMPL_VAL_NONE:
		return tmpl_render_err(r, t, n, "undefined variable '%.*s'",
		    (int)n->len, t->src + n->off);
	case TMPL_VAL_INT:
		len = snprintf(num, sizeof(num), "%lld", v.num);
		s = num;
		break;
	case TMPL_VAL_BOOL:
		s = v.num ? "true" : "false";
		len = (int)strlen(s);
		break;
	case TMPL_VAL_JSON:
		switch (json_typeof(v.json)) {
		case JSON_STRING:
			/* a JSON string may hold NUL bytes; its length is the truth */
			if (n->type == TMPL_RAW)
				buf_add(r->out, json_string_value(v.json),
				    json_string_length(v.json));
			else
				esc_html(r->out, json_string_value(v.json),
				    json_string_length(v.json));
			return 0;
		case JSON_INTEGER:
			len = snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			    json_integer_value(v.json));
			s = num;
			break;
		case JSON_REAL:
			/*
			 * The shortest %g form that reads back as the same
			 * double (17 digits always do, IEEE 754 binary64):
			 * 0.1 prints "0.1", not "0.10000000000000001".
			 */
			d = json_real_value(v.json);
			for (prec = 15; prec <= 17; prec++) {
				len = snprintf(num, sizeof(num), "%.*g", prec, d);
				if (len < 0 || strtod(num, NULL) == d)
					break;
			}
			s = num;
			break;
		case JSON_TRUE:
			s = "true";
			len = 4;
			break;
		case JSON_FALSE:
			s = "false";
			len = 5;
			break;
		case JSON_NULL:
			return 0;
		case JSON_OBJECT:
			return tmpl_render_err(r, t, n, "variable '%.*s' is an object, "
			    "not a printable value", (int)n->len, t->src + n->off);
		case JSON_ARRAY:
			return tmpl_render_err(r, t, n, "variable '%.*s' is an array, "
			    "not a printable value (use a section)", (int)n->len,
			    t->src + n->off);
		}
		break;
	}
	if (s == NULL || len < 0)
		return tmpl_render_err(r, t, n, "cannot print '%.*s'", (int)n->len,
		    t->src + n->off);
	buf_add(r->out, s, (size_t)len);	/* digits, '.', 'e', '+', '-', letters: nothing to escape */
	return 0;
}

static int tmpl_render_nodes(struct tmpl_render *, const struct tmpl *, size_t,
    size_t, const struct tmpl_frame *);

static int
tmpl_step(struct tmpl_render *r, const struct tmpl *t, const struct tmpl_node *n)
{
	if (++r->steps > TMPL_MAX_STEPS)
		return tmpl_render_err(r, t, n, "render stopped after %lu steps "
		    "(runaway template?)", TMPL_MAX_STEPS);
	return 0;
}

/* {{#name}} and {{^name}}: the node at index i and its children. */
static int
tmpl_section(struct tmpl_render *r, const struct tmpl *t, size_t i,
    const struct tmpl_frame *ctx)
{
	const struct tmpl_node *n = &t->nodes[i];
	struct tmpl_val v = tmpl_lookup(ctx, n, t->src);
	struct tmpl_frame f;
	size_t k, count;

	if (n->type == TMPL_INVERTED)
		return tmpl_truthy(v) ? 0 : tmpl_render_nodes(r, t, i + 1, n->end, ctx);
	if (!tmpl_truthy(v))
		return 0;
	if (v.kind != TMPL_VAL_JSON)	/* @first, @last, @index: nothing to push */
		return tmpl_render_nodes(r, t, i + 1, n->end, ctx);
	f.up = ctx;
	f.index = 0;
	f.count = 0;
	if (!json_is_array(v.json)) {
		f.val = v.json;
		return tmpl_render_nodes(r, t, i + 1, n->end, &f);
	}
	count = json_array_size(v.json);
	for (k = 0; k < count; k++) {
		f.val = json_array_get(v.json, k);
		f.index = k;
		f.count = count;
		if (tmpl_step(r, t, n) == -1 ||
		    tmpl_render_nodes(r, t, i + 1, n->end, &f) == -1)
			return -1;
	}
	return 0;
}

/* {{>name}}: another template of the set, with the same context stack. */
static int
tmpl_partial(struct tmpl_render *r, const struct tmpl *t, const struct tmpl_node *n,
    const struct tmpl_frame *ctx)
{
	const struct tmpl *p;
	int rc;

	p = tmpl_find(r->set, t->src + n->off, n->len);
	if (p == NULL)
		return tmpl_render_err(r, t, n, "unknown partial '%.*s'", (int)n->len,
		    t->src + n->off);
	if (r->partials >= TMPL_MAX_PARTIALS)
		return tmpl_render_err(r, t, n, "partials nested deeper than %d at "
		    "'%.*s' (does a template include itself?)", TMPL_MAX_PARTIALS,
		    (int)n->len, t->src + n->off);
	r->partials++;
	rc = tmpl_render_nodes(r, p, 0, p->nnodes, ctx);
	r->partials--;
	return rc;
}

/* Renders nodes [i, end) of t. */
static int
tmpl_render_nodes(struct tmpl_render *r, const struct tmpl *t, size_t i, size_t end,
    const struct tmpl_frame *ctx)
{
	const struct tmpl_node *n;

	while (i < end) {
		n = &t->nodes[i];
		if (tmpl_step(r, t, n) == -1)
			return -1;
		switch (n->type) {
		case TMPL_TEXT:
			buf_add(r->out, t->src + n->off, n->len);
			i++;
			break;
		case TMPL_VAR:
		case TMPL_RAW:
			if (tmpl_emit(r, t, n, ctx) == -1)
				return -1;
			i++;
			break;
		case TMPL_SECTION:
		case TMPL_INVERTED:
			if (tmpl_section(r, t, i, ctx) == -1)
				return -1;
			i = n->end;
			break;
		case TMPL_PARTIAL:
			if (tmpl_partial(r, t, n, ctx) == -1)
				return -1;
			i++;
			break;
		}
		if (r->out->len - r->out_start > TMPL_MAX_OUTPUT)
			return tmpl_render_err(r, t, n, "output larger than %zu bytes",
			    TMPL_MAX_OUTPUT);
	}
	return 0;
}

int
tmpl_render(const struct tmpl_set *set, const char *name, json_t *ctx,
    struct buf *out, char *err, size_t errlen)
{
	struct tmpl_render r;
	struct tmpl_frame root;
	const struct tmpl *t;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	t = set != NULL ? tmpl_find(set, name, strlen(name)) : NULL;
	if (t == NULL) {
		tmpl_err(err, errlen, NULL, 0, "unknown template '%s'", name);
		return -1;
	}
	memset(&r, 0, sizeof(r));
	r.set = set;
	r.out = out;
	r.out_start = out->len;
	r.err = err;
	r.errlen = errlen;
	root.up = NULL;
	root.val = ctx;
	root.index = 0;
	root.count = 0;
	return tmpl_render_nodes(&r, t, 0, t->nnodes, &root);
}
