/*
 * test_tmpl — the template engine (webapp/tmpl.h): syntax, escaping, lookup,
 * sections, @ names, standalone lines, partials, and every parse and render
 * error with its exact message.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "webapp/tmpl.h"

/*
 * JSON written with ' for " so the tests stay readable; a real ' inside a
 * value is written \u0027.
 */
static json_t *
ctx_load(const char *json)
{
	json_error_t jerr;
	json_t *ctx;
	char *s, *p;

	if (json == NULL)
		return NULL;
	s = strdup(json);
	assert_non_null(s);
	for (p = s; *p != '\0'; p++)
		if (*p == '\'')
			*p = '"';
	ctx = json_loads(s, JSON_DECODE_ANY, &jerr);
	if (ctx == NULL)
		fail_msg("bad test JSON %s: %s", json, jerr.text);
	free(s);
	return ctx;
}

/* Renders set's template name with json; the output (caller frees) or the error. */
static char *
render_set(const struct tmpl_set *set, const char *name, const char *json, int want_ok)
{
	struct buf out = { 0 };
	json_t *ctx = ctx_load(json);
	char err[256];
	int rc;

	rc = tmpl_render(set, name, ctx, &out, err, sizeof(err));
	json_decref(ctx);
	if (want_ok && rc != 0)
		fail_msg("render failed: %s", err);
	if (!want_ok && rc == 0)
		fail_msg("render should fail, gave \"%s\"", buf_str(&out));
	if (!want_ok) {
		buf_free(&out);
		return strdup(err);
	}
	return buf_release(&out);
}

/* Parses src as template "page" and renders it; output or error string. */
static char *
render_src(const char *src, const char *json, int want_ok)
{
	struct tmpl_set *set;
	char err[256], *res;

	set = tmpl_load_string("page", src, strlen(src), err, sizeof(err));
	if (set == NULL)
		fail_msg("parse failed: %s", err);
	res = render_set(set, "page", json, want_ok);
	tmpl_set_free(set);
	return res;
}

#define RENDERS(src, json, want) do {				\
	char *got_ = render_src((src), (json), 1);		\
	assert_string_equal(got_, (want));			\
	free(got_);						\
} while (0)

#define RENDER_FAILS(src, json, want) do {			\
	char *got_ = render_src((src), (json), 0);		\
	assert_string_equal(got_, (want));			\
	free(got_);						\
} while (0)

#define PARSE_FAILS(src, want) do {				\
	char err_[256];						\
	struct tmpl_set *set_ = tmpl_load_string("page", (src),	\
	    strlen(src), err_, sizeof(err_));			\
	assert_null(set_);					\
	assert_string_equal(err_, (want));			\
} while (0)

/* A set built from name/text pairs, ending with NULL. */
static struct tmpl_set *
set_of(const char *name, const char *text, ...)
{
	struct tmpl_set *set;
	va_list ap;
	char err[256];

	set = tmpl_load_string(name, text, strlen(text), err, sizeof(err));
	if (set == NULL)
		fail_msg("parse %s: %s", name, err);
	va_start(ap, text);
	while ((name = va_arg(ap, const char *)) != NULL) {
		text = va_arg(ap, const char *);
		if (tmpl_add_string(set, name, text, strlen(text), err, sizeof(err)) != 0)
			fail_msg("parse %s: %s", name, err);
	}
	va_end(ap);
	return set;
}

/* ------------------------------------------------------------ values */

static void
test_text_only(void **state)
{
	RENDERS("", "{}", "");
	RENDERS("plain <b>html</b> & { } }} stays", "{}", "plain <b>html</b> & { } }} stays");
	RENDERS("no context", NULL, "no context");
}

static void
test_scalars(void **state)
{
	const char *ctx = "{'s':'hi','i':42,'n':-7,'big':9223372036854775807,"
	    "'t':true,'f':false,'z':null,'e':''}";

	RENDERS("{{s}}|{{i}}|{{n}}|{{big}}", ctx, "hi|42|-7|9223372036854775807");
	RENDERS("{{t}}|{{f}}|{{z}}|{{e}}|", ctx, "true|false|||");
	RENDERS("{{ s }}{{\ts\n}}", ctx, "hihi");
}

static void
test_reals(void **state)
{
	RENDERS("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}} {{g}}",
	    "{'a':1.5,'b':0.1,'c':2.0,'d':1e20,'e':-0.25,'f':0.3333333333333333,'g':1e-7}",
	    "1.5 0.1 2 1e+20 -0.25 0.3333333333333333 1e-07");
}

static void
test_escape_text(void **state)
{
	RENDERS("<p>{{x}}</p>", "{'x':'<script>alert(1)</script>'}",
	    "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
	RENDERS("<p>{{x}}</p>", "{'x':'Tom & Jerry\\u0027s \\\"show\\\"'}",
	    "<p>Tom &amp; Jerry&#39;s &quot;show&quot;</p>");
	RENDERS("{{x}}", "{'x':'&<>\\\"\\u0027'}", "&amp;&lt;&gt;&quot;&#39;");
	RENDERS("{{x}}", "{'x':'Grüße 日本'}", "Grüße 日本");
}

static void
test_escape_attr(void **state)
{
	RENDERS("<input value=\"{{x}}\">", "{'x':'\\\" onmouseover=alert(1) x=\\\"'}",
	    "<input value=\"&quot; onmouseover=alert(1) x=&quot;\">");
	RENDERS("<a title='{{x}}'>", "{'x':'\\u0027 onclick=\\u0027alert(1)'}",
	    "<a title='&#39; onclick=&#39;alert(1)'>");
	RENDERS("<a href=\"/u?n={{x}}\">", "{'x':'a&b=<c>'}",
	    "<a href=\"/u?n=a&amp;b=&lt;c&gt;\">");
	/* a value's own braces are data, never template syntax */
	RENDERS("<i title=\"{{x}}\">", "{'x':'{{y}}'}", "<i title=\"{{y}}\">");
}

static void
test_raw(void **state)
{
	RENDERS("{{&x}}|{{x}}", "{'x':'<b>&amp;</b>'}", "<b>&amp;</b>|&lt;b&gt;&amp;amp;&lt;/b&gt;");
	RENDERS("{{& x }}", "{'x':'<script>alert(1)</script>'}", "<script>alert(1)</script>");
	RENDERS("{{&n}}", "{'n':3}", "3");
}

/* ------------------------------------------------------------ names */

static void
test_dotted(void **state)
{
	const char *ctx = "{'a':{'b':{'c':'deep'},'n':1},'x':'top'}";

	RENDERS("{{a.b.c}} {{a.n}} {{x}}", ctx, "deep 1 top");
	RENDER_FAILS("{{a.q}}", ctx, "page.html:1: undefined variable 'a.q'");
	RENDER_FAILS("{{a.n.q}}", ctx, "page.html:1: undefined variable 'a.n.q'");
	RENDERS("{{#a.b}}{{c}}{{/a.b}}", ctx, "deep");
}

static void
test_outward_lookup(void **state)
{
	const char *ctx = "{'title':'T','name':'outer','groups':["
	    "{'name':'g1','items':[{'n':1},{'n':2,'name':'own'}]},"
	    "{'name':'g2','items':[]}]}";

	RENDERS("{{#groups}}{{name}}:{{#items}}{{title}}/{{name}}/{{n}};{{/items}}"
	    "{{^items}}none{{/items}}|{{/groups}}{{name}}", ctx,
	    "g1:T/g1/1;T/own/2;|g2:none|outer");
	/* only the first segment searches outwards (mustache) */
	RENDER_FAILS("{{#a}}{{b.c}}{{/a}}", "{'a':{'b':{}},'b':{'c':'outer'}}",
	    "page.html:1: undefined variable 'b.c'");
	RENDERS("{{#a}}{{b.c}}{{/a}}", "{'a':{'x':1},'b':{'c':'outer'}}", "outer");
	/* scalar contexts are skipped when searching for a name */
	RENDERS("{{#l}}{{.}}{{name}}{{/l}}", "{'l':[1,2],'name':'n'}", "1n2n");
}

static void
test_dot(void **state)
{
	RENDERS("{{#l}}[{{.}}]{{/l}}", "{'l':['a','<b>',3]}", "[a][&lt;b&gt;][3]");
	RENDERS("{{#s}}yes {{.}}{{/s}}", "{'s':'x'}", "yes x");
	RENDERS("{{#s}}{{.}}{{/s}}", "{'s':5}", "5");
	RENDERS("{{.}}", "\"top\"", "top");
	RENDER_FAILS("{{.}}", "{}", "page.html:1: variable '.' is an object, not a printable value");
	RENDER_FAILS("{{.}}", NULL, "page.html:1: undefined variable '.'");
	RENDERS("{{#.}}{{k}}{{/.}}", "{'k':'v'}", "v");
}

/* ------------------------------------------------------------ sections */

static void
test_section_array(void **state)
{
	RENDERS("<ul>{{#users}}<li>{{name}}</li>{{/users}}</ul>",
	    "{'users':[{'name':'alice'},{'name':'bob'}]}",
	    "<ul><li>alice</li><li>bob</li></ul>");
	RENDERS("{{#o}}{{k}}-{{j}}{{/o}}", "{'o':{'k':'v','j':2}}", "v-2");
	RENDERS("{{#o}}X{{/o}}", "{'o':{}}", "X");
	RENDERS("{{#t}}X{{.}}{{/t}}", "{'t':true}", "Xtrue");
	RENDERS("{{#n}}X{{/n}}{{#r}}Y{{/r}}", "{'n':-1,'r':0.5}", "XY");
}

static void
test_section_falsy(void **state)
{
	static const char *const falsy[] = {
		"{'v':false}", "{'v':null}", "{'v':''}", "{'v':0}", "{'v':0.0}",
		"{'v':[]}", "{}",
	};
	size_t i;

	for (i = 0; i < sizeof(falsy) / sizeof(falsy[0]); i++) {
		RENDERS("a{{#v}}X{{/v}}b", falsy[i], "ab");
		RENDERS("a{{^v}}X{{/v}}b", falsy[i], "aXb");
	}
	/* a missing name is not an error in a section (it is in {{x}}) */
	RENDERS("{{#missing}}{{also_missing}}{{/missing}}", "{}", "");
}

static void
test_inverted(void **state)
{
	static const char *const truthy[] = {
		"{'v':true}", "{'v':'x'}", "{'v':1}", "{'v':[0]}", "{'v':{}}",
	};
	size_t i;

	for (i = 0; i < sizeof(truthy) / sizeof(truthy[0]); i++)
		RENDERS("a{{^v}}X{{/v}}b", truthy[i], "ab");
	RENDERS("{{#l}}{{.}}{{/l}}{{^l}}No entries.{{/l}}", "{'l':[]}", "No entries.");
	/* an inverted section pushes nothing: names resolve as outside */
	RENDERS("{{^l}}{{x}}{{/l}}", "{'l':[],'x':'y'}", "y");
}

static void
test_nested_same_name(void **state)
{
	/* the close tag pairs with the innermost open section */
	RENDERS("{{#a}}{{#b}}{{#a}}x{{/a}}{{/b}}{{/a}}", "{'a':1,'b':1}", "x");
}

/* ------------------------------------------------------------ @ names */

static void
test_at_names(void **state)
{
	const char *tpl = "{{#l}}{{@index}}:{{.}}{{#@first}}(first){{/@first}}"
	    "{{#@last}}(last){{/@last}}{{^@last}},{{/@last}}{{/l}}";

	RENDERS(tpl, "{'l':['a','b','c']}", "0:a(first),1:b,2:c(last)");
	RENDERS(tpl, "{'l':['a']}", "0:a(first)(last)");
	RENDERS(tpl, "{'l':[]}", "");
	RENDERS("{{#l}}{{@first}}/{{@last}} {{/l}}", "{'l':[1,2]}", "true/false false/true ");
	RENDERS("{{#l}}{{&@index}}{{/l}}", "{'l':[1,2]}", "01");
}

static void
test_at_names_nested(void **state)
{
	/* the innermost array section wins */
	RENDERS("{{#rows}}{{@index}}[{{#cells}}{{@index}}{{/cells}}]{{/rows}}",
	    "{'rows':[{'cells':['x','y']},{'cells':['z']}]}", "0[01]1[0]");
	/* an object section inside an array section keeps the array's index */
	RENDERS("{{#rows}}{{#o}}{{@index}}{{k}}{{/o}}{{/rows}}",
	    "{'rows':[{'o':{'k':'a'}},{'o':{'k':'b'}}]}", "0a1b");
}

static void
test_at_names_outside(void **state)
{
	RENDER_FAILS("{{@index}}", "{}", "page.html:1: undefined variable '@index'");
	RENDER_FAILS("{{@first}}", "{}", "page.html:1: undefined variable '@first'");
	RENDERS("{{#@first}}x{{/@first}}{{^@last}}y{{/@last}}", "{}", "y");
	/* a data key called "@index" is not reachable: @ names are reserved */
	RENDER_FAILS("{{@index}}", "{'@index':5}", "page.html:1: undefined variable '@index'");
}

static void
test_table(void **state)
{
	const char *tpl =
	    "<table>\n"
	    "  {{#users}}\n"
	    "  <tr class=\"{{#@first}}first{{/@first}}\"><td>{{@index}}</td>"
	    "<td><a href=\"/user?id={{id}}\">{{name}}</a></td></tr>\n"
	    "  {{/users}}\n"
	    "  {{^users}}\n"
	    "  <tr><td colspan=\"2\">No users.</td></tr>\n"
	    "  {{/users}}\n"
	    "</table>\n";

	RENDERS(tpl, "{'users':[{'id':7,'name':'a<b'},{'id':9,'name':'c'}]}",
	    "<table>\n"
	    "  <tr class=\"first\"><td>0</td><td><a href=\"/user?id=7\">a&lt;b</a></td></tr>\n"
	    "  <tr class=\"\"><td>1</td><td><a href=\"/user?id=9\">c</a></td></tr>\n"
	    "</table>\n");
	RENDERS(tpl, "{'users':[]}",
	    "<table>\n"
	    "  <tr><td colspan=\"2\">No users.</td></tr>\n"
	    "</table>\n");
}

static void
test_many_rows(void **state)
{
	struct tmpl_set *set;
	struct buf out = { 0 };
	json_t *ctx, *rows;
	char err[256];
	int i;

	rows = json_array();
	for (i = 0; i < 1000; i++)
		json_array_append_new(rows, json_pack("{s:i, s:s}", "id", i, "name", "x&y"));
	ctx = json_pack("{s:o}", "rows", rows);
	set = set_of("page", "{{#rows}}<tr><td>{{id}}</td><td>{{name}}</td></tr>\n{{/rows}}", NULL);
	assert_int_equal(tmpl_render(set, "page", ctx, &out, err, sizeof(err)), 0);
	assert_non_null(strstr(buf_str(&out), "<tr><td>999</td><td>x&amp;y</td></tr>\n"));
	assert_int_equal(strncmp(buf_str(&out), "<tr><td>0</td>", 14), 0);
	buf_free(&out);
	json_decref(ctx);
	tmpl_set_free(set);
}

/* ------------------------------------------------------------ white space */

static void
test_standalone(void **state)
{
	const char *ctx = "{'l':['a','b'],'t':true,'f':false,'v':'V'}";

	RENDERS("<ul>\n  {{#l}}\n  <li>{{.}}</li>\n  {{/l}}\n</ul>\n", ctx,
	    "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n");
	RENDERS("a\n  {{! note }}  \nb\n", ctx, "a\nb\n");
	RENDERS("a\n{{! two\nlines }}\nb", ctx, "a\nb");
	RENDERS("a\n\t{{^f}}\t\nb\n{{/f}}\nc\n", ctx, "a\nb\nc\n");
	/* CRLF line ends */
	RENDERS("a\r\n{{#t}}\r\nb\r\n{{/t}}\r\nc", ctx, "a\r\nb\r\nc");
	/* at the very start and at the end without a newline */
	RENDERS("{{#t}}\nx\n{{/t}}", ctx, "x\n");
	/* two standalone lines in a row */
	RENDERS("{{#t}}\n{{^f}}\nx\n{{/f}}\n{{/t}}\n", ctx, "x\n");
}

static void
test_not_standalone(void **state)
{
	const char *ctx = "{'t':true,'v':'V'}";

	RENDERS("a {{#t}}b{{/t}} c\n", ctx, "a b c\n");
	RENDERS("{{#t}}x{{/t}}\n", ctx, "x\n");
	RENDERS("  {{#t}}  {{v}}\n{{/t}}", ctx, "    V\n");
	/* variables never make a line standalone */
	RENDERS("  {{v}}\n", ctx, "  V\n");
	RENDERS("{{v}}{{#t}}\nx\n{{/t}}", ctx, "V\nx\n");
}

static void
test_comments(void **state)
{
	RENDERS("a{{! hi }}b{{!}}c{{!x}}", "{}", "abc");
	RENDERS("a{{! {{not a tag }}b", "{}", "ab");
	/* a comment ends at the first "}}" */
	RENDERS("a{{! <script>{{#x}} }}b", "{}", "a }}b");
}

/* ------------------------------------------------------------ partials */

static void
test_partials(void **state)
{
	struct tmpl_set *set;
	char *out;

	set = set_of("page",
	    "<ul>\n"
	    "  {{>row}}\n"
	    "{{#users}}\n"
	    "  {{>row}}\n"
	    "{{/users}}\n"
	    "</ul>\n",
	    "row", "<li>{{name}}</li>\n",
	    NULL);
	out = render_set(set, "page", "{'name':'top','users':[{'name':'a'},{'name':'b&c'}]}", 1);
	assert_string_equal(out,
	    "<ul>\n<li>top</li>\n<li>a</li>\n<li>b&amp;c</li>\n</ul>\n");
	free(out);
	/* a partial sees the whole context stack, @ names included */
	tmpl_set_free(set);
	set = set_of("page", "{{#l}}{{>item}}{{/l}}", "item", "{{@index}}{{x}}{{.}};", NULL);
	out = render_set(set, "page", "{'x':'!','l':['a','b']}", 1);
	assert_string_equal(out, "0!a;1!b;");
	free(out);
	tmpl_set_free(set);
}

static void
test_partial_errors(void **state)
{
	struct tmpl_set *set;
	char *out;

	RENDER_FAILS("a\n{{>nope}}", "{}", "page.html:2: unknown partial 'nope'");
	/* errors inside a partial name the partial's file and line */
	set = set_of("page", "{{>row}}", "row", "<td>\n{{y}}</td>", NULL);
	out = render_set(set, "page", "{}", 0);
	assert_string_equal(out, "row.html:2: undefined variable 'y'");
	free(out);
	tmpl_set_free(set);
}

static void
test_partial_recursion(void **state)
{
	struct tmpl_set *set;
	char *out;

	RENDER_FAILS("x{{>page}}", "{}", "page.html:1: partials nested deeper than 16 "
	    "at 'page' (does a template include itself?)");
	set = set_of("a", "{{>b}}", "b", "\n{{#t}}{{>a}}{{/t}}", NULL);
	out = render_set(set, "a", "{'t':1}", 0);
	/* the 17th call is a's, on its line 1 */
	assert_string_equal(out, "a.html:1: partials nested deeper than 16 "
	    "at 'b' (does a template include itself?)");
	free(out);
	/* without the condition the recursion ends, and renders */
	free(render_set(set, "a", "{'t':0}", 1));
	tmpl_set_free(set);
}

static void
test_partial_depth(void **state)
{
	struct tmpl_set *set;
	char name[16], text[32], err[256], *out;
	int i, n;

	/* p0 includes p1 … includes pN; 16 partials inside one another are fine */
	for (n = 16; n <= 17; n++) {
		set = tmpl_load_string("leaf", "end", 3, err, sizeof(err));
		assert_non_null(set);
		for (i = 0; i < n; i++) {
			snprintf(name, sizeof(name), "p%d", i);
			if (i + 1 < n)
				snprintf(text, sizeof(text), "%d{{>p%d}}", i, i + 1);
			else
				snprintf(text, sizeof(text), "%d{{>leaf}}", i);
			assert_int_equal(tmpl_add_string(set, name, text, strlen(text),
			    err, sizeof(err)), 0);
		}
		out = render_set(set, "p0", "{}", n == 16);
		if (n == 16)
			assert_string_equal(out, "0123456789101112131415end");
		else
			assert_string_equal(out, "p16.html:1: partials nested deeper "
			    "than 16 at 'leaf' (does a template include itself?)");
		free(out);
		tmpl_set_free(set);
	}
}

/* ------------------------------------------------------------ parse errors */

static void
test_parse_sections(void **state)
{
	PARSE_FAILS("{{#a}}x", "page.html:1: unclosed section 'a'");
	PARSE_FAILS("\n\n{{^users}}\n{{#b}}{{/b}}", "page.html:3: unclosed section 'users'");
	PARSE_FAILS("\n{{#a}}\n{{#b}}\n{{/a}}\n",
	    "page.html:4: mismatched close tag '{{/a}}': the open section is '{{#b}}' from line 3");
	PARSE_FAILS("{{^a}}{{/b}}",
	    "page.html:1: mismatched close tag '{{/b}}': the open section is '{{^a}}' from line 1");
	PARSE_FAILS("x\n{{/a}}", "page.html:2: close tag '{{/a}}' without an open section");
	PARSE_FAILS("{{#a}}{{/a}}{{/a}}", "page.html:1: close tag '{{/a}}' without an open section");
}

static void
test_parse_sigils(void **state)
{
	PARSE_FAILS("{{%x}}", "page.html:1: unknown tag sigil '%'");
	PARSE_FAILS("{{$x}}", "page.html:1: unknown tag sigil '$'");
	PARSE_FAILS("{{<x}}", "page.html:1: unknown tag sigil '<'");
	PARSE_FAILS("{{\x01x}}", "page.html:1: unknown tag sigil 0x01");
	PARSE_FAILS("{{'x}}", "page.html:1: unknown tag sigil 0x27");
	PARSE_FAILS("a\n{{{x}}}",
	    "page.html:2: unknown tag sigil '{' (no triple mustache: {{&name}} is raw output)");
	PARSE_FAILS("{{=<% %>=}}",
	    "page.html:1: unknown tag sigil '=' (delimiters cannot be changed)");
}

static void
test_parse_names(void **state)
{
	PARSE_FAILS("{{}}", "page.html:1: empty tag '{{}}'");
	PARSE_FAILS("{{ \n }}", "page.html:1: empty tag '{{}}'");
	PARSE_FAILS("{{#}}", "page.html:1: empty name after '#'");
	PARSE_FAILS("{{^ }}", "page.html:1: empty name after '^'");
	PARSE_FAILS("{{/}}", "page.html:1: empty name after '/'");
	PARSE_FAILS("{{&}}", "page.html:1: empty name after '&'");
	PARSE_FAILS("{{>}}", "page.html:1: empty name after '>'");
	PARSE_FAILS("{{a b}}", "page.html:1: bad name 'a b'");
	PARSE_FAILS("{{a..b}}", "page.html:1: bad name 'a..b'");
	PARSE_FAILS("{{.a}}", "page.html:1: bad name '.a'");
	PARSE_FAILS("{{a.}}", "page.html:1: bad name 'a.'");
	PARSE_FAILS("{{@foo}}", "page.html:1: bad name '@foo'");
	PARSE_FAILS("{{a.@index}}", "page.html:1: bad name 'a.@index'");
	PARSE_FAILS("{{#a/b}}{{/a/b}}", "page.html:1: bad name 'a/b'");
	PARSE_FAILS("{{x\ny}}", "page.html:1: bad name 'x?y'");
}

/* Names quoted in messages are cut at 44 bytes. */
static void
test_parse_long_name(void **state)
{
	char src[80], want[100], a44[45];

	memset(a44, 'a', 44);
	a44[44] = '\0';
	snprintf(src, sizeof(src), "{{%s%s!}}", a44, "bbbbbbbb");
	snprintf(want, sizeof(want), "page.html:1: bad name '%s...'", a44);
	PARSE_FAILS(src, want);
}

static void
test_parse_partial_names(void **state)
{
	PARSE_FAILS("{{>../etc/passwd}}",
	    "page.html:1: bad partial name '../etc/passwd' (only [a-z0-9_])");
	PARSE_FAILS("{{>Header}}", "page.html:1: bad partial name 'Header' (only [a-z0-9_])");
	PARSE_FAILS("{{>a.b}}", "page.html:1: bad partial name 'a.b' (only [a-z0-9_])");
	PARSE_FAILS("{{>a-b}}", "page.html:1: bad partial name 'a-b' (only [a-z0-9_])");
	PARSE_FAILS("{{> a b}}", "page.html:1: bad partial name 'a b' (only [a-z0-9_])");
}

static void
test_parse_unterminated(void **state)
{
	PARSE_FAILS("{{", "page.html:1: unterminated tag (no '}}')");
	PARSE_FAILS("a\nb{{x", "page.html:2: unterminated tag (no '}}')");
	PARSE_FAILS("{{x}", "page.html:1: unterminated tag (no '}}')");
	PARSE_FAILS("{{x}}\n{{! comment", "page.html:2: unterminated tag (no '}}')");
}

static void
test_parse_lines(void **state)
{
	/* lines count through text, multi-line tags and eaten standalone lines */
	PARSE_FAILS("line1\n{{! two\nlines }}\n{{#a}}\n", "page.html:4: unclosed section 'a'");
	PARSE_FAILS("{{#a}}\n{{/a}}\r\n\n  {{!x}}  \n{{/b}}", "page.html:5: close tag '{{/b}}' "
	    "without an open section");
	RENDER_FAILS("a\nb\n\n{{x}}", "{}", "page.html:4: undefined variable 'x'");
	RENDER_FAILS("{{#users}}\n  {{nmae}}\n{{/users}}", "{'users':[{'name':'a'}]}",
	    "page.html:2: undefined variable 'nmae'");
}

static void
test_parse_nesting(void **state)
{
	char src[40 * 12 + 1];
	char err[256];
	struct tmpl_set *set;
	int i, depth;

	for (depth = 32; depth <= 33; depth++) {
		src[0] = '\0';
		for (i = 0; i < depth; i++)
			strcat(src, "{{#a}}");
		for (i = 0; i < depth; i++)
			strcat(src, "{{/a}}");
		set = tmpl_load_string("page", src, strlen(src), err, sizeof(err));
		if (depth == 32) {
			assert_non_null(set);
			tmpl_set_free(set);
		} else {
			assert_null(set);
			assert_string_equal(err, "page.html:1: sections nested deeper than 32");
		}
	}
}

/* ------------------------------------------------------------ render errors */

static void
test_render_errors(void **state)
{
	struct tmpl_set *set;
	struct buf out = { 0 };
	char err[256];

	RENDER_FAILS("ok {{missing}}", "{}", "page.html:1: undefined variable 'missing'");
	RENDER_FAILS("{{x}}", NULL, "page.html:1: undefined variable 'x'");
	RENDER_FAILS("{{o}}", "{'o':{'a':1}}",
	    "page.html:1: variable 'o' is an object, not a printable value");
	RENDER_FAILS("{{&l}}", "{'l':[1]}",
	    "page.html:1: variable 'l' is an array, not a printable value (use a section)");
	set = set_of("page", "x", NULL);
	assert_int_equal(tmpl_render(set, "nope", NULL, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown template 'nope'");
	assert_int_equal(tmpl_render(NULL, "page", NULL, &out, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown template 'page'");
	buf_free(&out);
	tmpl_set_free(set);
}

static void
test_err_buffer(void **state)
{
	struct tmpl_set *set;
	char err[8];

	memset(err, 'z', sizeof(err));
	assert_null(tmpl_load_string("page", "{{#a}}", 6, err, sizeof(err)));
	assert_string_equal(err, "page.ht");
	assert_null(tmpl_load_string("page", "{{#a}}", 6, NULL, 0));
	set = tmpl_load_string("page", "{{x}}", 5, NULL, 0);
	assert_non_null(set);
	{
		struct buf out = { 0 };

		assert_int_equal(tmpl_render(set, "page", NULL, &out, NULL, 0), -1);
		buf_free(&out);
	}
	tmpl_set_free(set);
}

/* ------------------------------------------------------------ sets */

static void
test_append_and_set(void **state)
{
	struct tmpl_set *set;
	struct buf out = { 0 };
	json_t *ctx = json_pack("{s:s}", "x", "1");
	char err[256];

	/* output is appended to what the buffer holds */
	set = set_of("page", "[{{x}}]", "other", "o", NULL);
	buf_adds(&out, "before");
	assert_int_equal(tmpl_render(set, "page", ctx, &out, err, sizeof(err)), 0);
	assert_string_equal(buf_str(&out), "before[1]");
	buf_free(&out);
	json_decref(ctx);
	assert_int_equal(tmpl_exists(set, "page"), 1);
	assert_int_equal(tmpl_exists(set, "other"), 1);
	assert_int_equal(tmpl_exists(set, "pag"), 0);
	assert_int_equal(tmpl_exists(set, "pagex"), 0);
	assert_int_equal(tmpl_exists(NULL, "page"), 0);
	assert_int_equal(tmpl_add_string(set, "page", "x", 1, err, sizeof(err)), -1);
	assert_string_equal(err, "duplicate template 'page'");
	assert_int_equal(tmpl_add_string(set, "a/b", "x", 1, err, sizeof(err)), -1);
	assert_string_equal(err, "bad template name 'a/b'");
	assert_int_equal(tmpl_add_string(set, "", "x", 1, err, sizeof(err)), -1);
	assert_string_equal(err, "bad template name ''");
	assert_int_equal(tmpl_add_string(set, "bad", "{{#a}}", 6, err, sizeof(err)), -1);
	assert_string_equal(err, "bad.html:1: unclosed section 'a'");
	assert_int_equal(tmpl_exists(set, "bad"), 0);
	tmpl_set_free(set);
	tmpl_set_free(NULL);
}

static void
test_length_not_nul(void **state)
{
	struct tmpl_set *set;
	char *out;

	/* only len bytes are the template */
	set = tmpl_load_string("page", "ab{{x}}", 2, NULL, 0);
	assert_non_null(set);
	out = render_set(set, "page", "{}", 1);
	assert_string_equal(out, "ab");
	free(out);
	tmpl_set_free(set);
	/* JSON strings may hold NUL bytes; they are output, not truncated at */
	set = tmpl_load_string("page", "{{x}}", 5, NULL, 0);
	assert_non_null(set);
	{
		struct buf b = { 0 };
		json_t *ctx = json_pack("{s:s%}", "x", "a\0<", (size_t)3);

		assert_int_equal(tmpl_render(set, "page", ctx, &b, NULL, 0), 0);
		assert_int_equal(b.len, 6);
		assert_memory_equal(b.data, "a\0&lt;", 6);
		buf_free(&b);
		json_decref(ctx);
	}
	tmpl_set_free(set);
}

static void
test_too_large(void **state)
{
	size_t n = 1024 * 1024 + 1;
	char *big = malloc(n), err[256];

	assert_non_null(big);
	memset(big, 'x', n);
	assert_null(tmpl_load_string("big", big, n, err, sizeof(err)));
	assert_string_equal(err, "big.html: larger than 1048576 bytes");
	free(big);
}

/* ------------------------------------------------------------ directories */

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
remove_file(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(remove(path), 0);
}

static void
test_load_dir(void **state)
{
	char dir[] = "/tmp/test_tmpl.XXXXXX", sub[600], err[256], *out;
	struct tmpl_set *set;

	assert_non_null(mkdtemp(dir));
	write_file(dir, "page.html",
	    "<h1>{{title}}</h1>\n"
	    "<table>\n"
	    "{{#rows}}\n"
	    "  {{>row}}\n"
	    "{{/rows}}\n"
	    "</table>\n");
	write_file(dir, "row.html", "<tr><td>{{@index}}</td><td>{{name}}</td></tr>\n");
	write_file(dir, "notes.txt", "{{ not a template");
	write_file(dir, ".hidden.html", "{{ not a template");
	write_file(dir, ".html", "{{ not a template");
	snprintf(sub, sizeof(sub), "%s/sub.html", dir);
	assert_int_equal(mkdir(sub, 0700), 0);

	set = tmpl_load_dir(dir, err, sizeof(err));
	if (set == NULL)
		fail_msg("tmpl_load_dir: %s", err);
	assert_int_equal(tmpl_exists(set, "page"), 1);
	assert_int_equal(tmpl_exists(set, "row"), 1);
	assert_int_equal(tmpl_exists(set, "notes"), 0);
	assert_int_equal(tmpl_exists(set, ".hidden"), 0);
	assert_int_equal(tmpl_exists(set, "sub"), 0);
	out = render_set(set, "page",
	    "{'title':'Users & <Groups>','rows':[{'name':'a'},{'name':'\\\"b\\\"'}]}", 1);
	assert_string_equal(out,
	    "<h1>Users &amp; &lt;Groups&gt;</h1>\n"
	    "<table>\n"
	    "<tr><td>0</td><td>a</td></tr>\n"
	    "<tr><td>1</td><td>&quot;b&quot;</td></tr>\n"
	    "</table>\n");
	free(out);
	tmpl_set_free(set);

	/* a parse error names the file and line; files load in name order */
	write_file(dir, "bad.html", "ok\n{{#x}}\n");
	write_file(dir, "worse.html", "{{/y}}");
	assert_null(tmpl_load_dir(dir, err, sizeof(err)));
	assert_string_equal(err, "bad.html:2: unclosed section 'x'");

	remove_file(dir, "bad.html");
	remove_file(dir, "worse.html");
	remove_file(dir, "page.html");
	remove_file(dir, "row.html");
	remove_file(dir, "notes.txt");
	remove_file(dir, ".hidden.html");
	remove_file(dir, ".html");
	assert_int_equal(rmdir(sub), 0);

	/* an empty directory is an empty set */
	set = tmpl_load_dir(dir, err, sizeof(err));
	assert_non_null(set);
	assert_int_equal(tmpl_exists(set, "page"), 0);
	tmpl_set_free(set);
	assert_int_equal(rmdir(dir), 0);

	assert_null(tmpl_load_dir(dir, err, sizeof(err)));
	assert_non_null(strstr(err, ": No such file or directory"));
	assert_int_equal(strncmp(err, dir, strlen(dir)), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_only),
		cmocka_unit_test(test_scalars),
		cmocka_unit_test(test_reals),
		cmocka_unit_test(test_escape_text),
		cmocka_unit_test(test_escape_attr),
		cmocka_unit_test(test_raw),
		cmocka_unit_test(test_dotted),
		cmocka_unit_test(test_outward_lookup),
		cmocka_unit_test(test_dot),
		cmocka_unit_test(test_section_array),
		cmocka_unit_test(test_section_falsy),
		cmocka_unit_test(test_inverted),
		cmocka_unit_test(test_nested_same_name),
		cmocka_unit_test(test_at_names),
		cmocka_unit_test(test_at_names_nested),
		cmocka_unit_test(test_at_names_outside),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_many_rows),
		cmocka_unit_test(test_standalone),
		cmocka_unit_test(test_not_standalone),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_partials),
		cmocka_unit_test(test_partial_errors),
		cmocka_unit_test(test_partial_recursion),
		cmocka_unit_test(test_partial_depth),
		cmocka_unit_test(test_parse_sections),
		cmocka_unit_test(test_parse_sigils),
		cmocka_unit_test(test_parse_names),
		cmocka_unit_test(test_parse_long_name),
		cmocka_unit_test(test_parse_partial_names),
		cmocka_unit_test(test_parse_unterminated),
		cmocka_unit_test(test_parse_lines),
		cmocka_unit_test(test_parse_nesting),
		cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_err_buffer),
		cmocka_unit_test(test_append_and_set),
		cmocka_unit_test(test_length_not_nul),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_load_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
