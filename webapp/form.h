/*
 * form — declared fields and validators for every form and API handler.
 *
 * A handler declares its fields once (a static array of struct form_field)
 * and calls form_validate() on the request's parameters.  Parameters that are
 * not declared are ignored.  Each value is trimmed of surrounding white
 * space (except FORM_PASSWORD values and files: a password is what was typed),
 * checked by its type and limits, and stored normalised in form->values;
 * every problem is stored as a message in form->errors under the field name.
 * An empty value in a field that is not FORM_REQUIRED is stored as "" (BOOL:
 * "0", MULTI: []) without further checks.  Without FORM_MULTI only the first
 * parameter of a name is used.  Handlers add cross-field problems with form_error().
 * Nothing is stored by a handler unless form_ok().
 *
 * For re-rendering, form_context() gives {"values": {...}, "errors": {...}}
 * with the values as entered (except FORM_NOECHO fields, which are blank),
 * so templates show the user's input next to the message.
 */
#ifndef IKEGW_WEB_FORM_H
#define IKEGW_WEB_FORM_H

#include <stdarg.h>
#include <stddef.h>

#include <jansson.h>

#include "request.h"

enum form_type {
	FORM_TEXT,	/* printable UTF-8, no control characters (C0, DEL, C1); length
			   in min..max code points; FORM_MULTILINE allows line breaks */
	FORM_INT,	/* decimal integer (optional leading -), value in min..max;
			   min == max == 0 means any long long */
	FORM_IPV4,	/* dotted quad */
	FORM_IPV6,	/* RFC 4291 text form; stored in RFC 5952 form */
	FORM_IP,	/* either */
	FORM_CIDR4,	/* a.b.c.d/n; host bits must be zero */
	FORM_CIDR6,	/* x::/n; host bits must be zero */
	FORM_CIDR,	/* either */
	FORM_HOSTNAME,	/* one or more DNS labels (RFC 1123), the last not all digits;
			   a trailing dot is accepted and dropped */
	FORM_FQDN,	/* at least two labels; FORM_WILDCARD allows a leading "*." */
	FORM_EMAIL,	/* local@domain, domain an FQDN */
	FORM_ENUM,	/* exactly one of choices[] */
	FORM_BOOL,	/* checkbox: absent or ""/"0"/"off"/"false"/"no" → "0", "1"/"on"/"true"/"yes" → "1"
			   (any case); with FORM_REQUIRED it must be "1" (checked) */
	FORM_DATE,	/* YYYY-MM-DD, a real calendar date */
	FORM_PASSWORD,	/* like FORM_TEXT but never echoed; implies FORM_NOECHO */
	FORM_FILE,	/* an uploaded file (multipart); value is its bytes, max = size cap;
			   a plain (non-file) parameter is accepted as the bytes too, so
			   API clients can send a PEM as a JSON string; values[name] is the
			   filename; FORM_REQUIRED means a non-empty file */
};

#define FORM_REQUIRED	0x01	/* empty or absent → "Required." */
#define FORM_MULTI	0x02	/* repeated parameters allowed; values become an array */
#define FORM_LINES	0x04	/* with FORM_MULTI: one value may hold several, split on
				   newlines and commas (textareas) */
#define FORM_NOECHO	0x08	/* never returned to the browser */
#define FORM_WILDCARD	0x10	/* FORM_FQDN may start with "*." */
#define FORM_MULTILINE	0x20	/* FORM_TEXT/PASSWORD: allow line breaks (textareas); CRLF
				   and CR are stored as LF */

struct form_field {
	const char	*name;
	const char	*label;		/* for messages: "Lifetime must be …" */
	enum form_type	 type;
	unsigned	 flags;
	long long	 min;		/* FORM_INT: lowest value; FORM_TEXT/PASSWORD: min length */
	long long	 max;		/* FORM_INT: highest; TEXT/PASSWORD: max length (0 = 1024);
					   FORM_MULTI: max number of values (0 = 64);
					   FORM_FILE: max bytes (0 = 4 MiB) */
	const char *const *choices;	/* FORM_ENUM: NULL-terminated */
	const char	*pattern;	/* optional POSIX ERE the whole (normalised) value must
					   match, checked after the type; compiled once and
					   cached by pointer, so keep it a string constant */
	const char	*pattern_msg;	/* message when it does not */
};

struct form {
	const struct form_field *fields;
	size_t		 nfields;
	json_t		*values;	/* name → normalised string, or array for FORM_MULTI */
	json_t		*entered;	/* name → as entered (trimmed), for re-rendering */
	json_t		*errors;	/* name → message */
	json_t		*files;		/* FORM_FILE name → {"filename","content_type","size"} */
	const struct web_params *in;	/* borrowed: FORM_FILE bytes are read from here */
};

/* Prepares an empty form (for showing a new or existing object). */
void	 form_init(struct form *, const struct form_field *, size_t nfields);
/*
 * Initialises the form and validates in (borrowed; must outlive the form for
 * FORM_FILE access).  Returns 0 when every field is valid, -1 otherwise.
 */
int	 form_validate(struct form *, const struct form_field *, size_t nfields,
    const struct web_params *in);
/* Records a message for a field (first message per field wins). */
void	 form_error(struct form *, const char *name, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
int	 form_ok(const struct form *);
/*
 * Sets a value as if entered (for editing existing objects); not validated.
 * For FORM_MULTI fields each call appends (FORM_LINES: value is split like
 * input); otherwise it replaces.  NOECHO fields are set in values only.
 */
void	 form_set(struct form *, const char *name, const char *value);

/* Typed access to validated values.  Borrowed; "" / 0 when absent. */
const char *form_str(const struct form *, const char *name);
long long  form_int(const struct form *, const char *name);
int	   form_bool(const struct form *, const char *name);
/* FORM_MULTI values: count and the i-th value ("" when out of range). */
size_t	   form_count(const struct form *, const char *name);
const char *form_item(const struct form *, const char *name, size_t i);
/*
 * FORM_FILE: bytes and length, or NULL (*len 0) when no file, an empty file or
 * one that failed validation was sent.  Borrowed.
 */
const unsigned char *form_file(const struct form *, const char *name, size_t *len);

/*
 * {"values": entered (NOECHO blanked), "errors": errors, "has_errors": bool};
 * new reference.  values holds a string per field ("" when absent); FORM_MULTI
 * fields with FORM_LINES hold the text as entered, other MULTI fields an array.
 */
json_t	*form_context(const struct form *);
/* {"error": "validation", "fields": errors}; new reference (API responses). */
json_t	*form_errors_json(const struct form *);
/*
 * <option>s for templates: [{"value","label","selected"}] for each of
 * values (NULL-terminated) with labels[i] (labels NULL: the values
 * themselves), the one equal to selected (may be NULL) ticked.  New reference.
 */
json_t	*form_options(const char *const *values, const char *const *labels,
    const char *selected);
void	 form_free(struct form *);

/*
 * The validators themselves, for code that checks values outside a form.
 * Predicates: 1 when valid, 0 when not.  valid_cidr writes a message for the
 * user into msg (may be NULL) when it returns 0.
 */
int	 valid_ipv4(const char *);
int	 valid_ipv6(const char *);
int	 valid_cidr(const char *, int family /* AF_INET, AF_INET6 or 0 */, char *msg, size_t);
int	 valid_hostname(const char *);
int	 valid_fqdn(const char *, int allow_wildcard);
int	 valid_email(const char *);
int	 valid_date(const char *);
/* strtonum-style checked conversion: 0 and *out on success, -1 otherwise. */
int	 parse_int(const char *, long long min, long long max, long long *out);

#endif
