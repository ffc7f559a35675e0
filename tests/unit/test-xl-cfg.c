/*
 * Unit tests of the xl.cfg parser (xl/cfg_parse.c, xl/cfg.c): the grammar,
 * the getters, and each diagnostic in Xen's exact words, line numbers and
 * recovery behaviour.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "libxlutil.h"

struct parsed {
	XLU_Config *cfg;
	char *report;
	size_t report_len;
	FILE *f;
	int rc;
};

static void parse(struct parsed *p, const char *text)
{
	p->f = open_memstream(&p->report, &p->report_len);
	assert_non_null(p->f);
	p->cfg = xlu_cfg_init(p->f, "t.cfg");
	assert_non_null(p->cfg);
	p->rc = xlu_cfg_readdata(p->cfg, text, (int)strlen(text));
	fflush(p->f);
}

static void done(struct parsed *p)
{
	xlu_cfg_destroy(p->cfg);
	fclose(p->f);
	free(p->report);
}

/* Parses text and checks the return code and the whole report. */
static void expect(const char *text, int rc, const char *report)
{
	struct parsed p;

	parse(&p, text);
	assert_int_equal(p.rc, rc);
	assert_string_equal(p.report, report);
	done(&p);
}

static void test_values(void **state)
{
	struct parsed p;
	const char *s;
	XLU_ConfigList *l;
	long n;
	int count;

	(void)state;
	parse(&p, "# comment\n"
		  "name = \"a\\tb\\\"c\" ; kernel='/k' # trailing\n"
		  "memory = 512\n"
		  "hex = 0x20\n"
		  "disk = [ 'one',\n"
		  "         \"two\", ]\n"
		  "empty = []\n"
		  "nested = [ [ 'a' ], 'b' ]\n"
		  "name = 'second'\n"
		  "dotted.key = 1\n"
		  "last = 'no newline'");
	assert_int_equal(p.rc, 0);
	assert_string_equal(p.report, "");
	assert_int_equal(xlu_cfg_get_string(p.cfg, "name", &s, 0), 0);
	assert_string_equal(s, "second"); /* the last value wins */
	assert_int_equal(xlu_cfg_get_string(p.cfg, "kernel", &s, 0), 0);
	assert_string_equal(s, "/k");
	assert_int_equal(xlu_cfg_get_long(p.cfg, "memory", &n, 0), 0);
	assert_int_equal(n, 512);
	assert_int_equal(xlu_cfg_get_long(p.cfg, "hex", &n, 0), 0);
	assert_int_equal(n, 32);
	assert_int_equal(xlu_cfg_get_list(p.cfg, "disk", &l, &count, 0), 0);
	assert_int_equal(count, 2);
	assert_string_equal(xlu_cfg_get_listitem(l, 0), "one");
	assert_string_equal(xlu_cfg_get_listitem(l, 1), "two");
	assert_null(xlu_cfg_get_listitem(l, 2));
	assert_int_equal(xlu_cfg_get_list(p.cfg, "empty", &l, &count, 0), 0);
	assert_int_equal(count, 0);
	assert_int_equal(xlu_cfg_get_list(p.cfg, "nested", &l, &count, 0), 0);
	assert_int_equal(count, 2);
	assert_null(xlu_cfg_get_listitem(l, 0)); /* a list, not a string */
	assert_int_equal(xlu_cfg_value_type(xlu_cfg_get_listitem2(l, 0)), XLU_LIST);
	assert_string_equal(xlu_cfg_get_listitem(l, 1), "b");
	assert_int_equal(xlu_cfg_get_long(p.cfg, "dotted.key", &n, 0), 0);
	assert_int_equal(xlu_cfg_get_string(p.cfg, "last", &s, 0), 0);
	assert_string_equal(s, "no newline");
	assert_int_equal(xlu_cfg_get_string(p.cfg, "missing", &s, 0), ESRCH);
	done(&p);

	parse(&p, "name = \"a\\tb\\\"c\"\n");
	assert_int_equal(xlu_cfg_get_string(p.cfg, "name", &s, 0), 0);
	assert_string_equal(s, "a\tb\"c");
	done(&p);
}

static void test_plus_equals(void **state)
{
	struct parsed p;
	XLU_ConfigList *l;
	const char *s;
	long n;
	int count;

	(void)state;
	parse(&p, "extra = 'console=hvc0'\nextra += ' quiet'\n"
		  "disk = [ 'a' ]\ndisk += [ 'b', 'c' ]\n"
		  "memory = 5\nmemory += 6\nfresh += 'x'\n");
	assert_int_equal(p.rc, 0);
	assert_int_equal(xlu_cfg_get_string(p.cfg, "extra", &s, 0), 0);
	assert_string_equal(s, "console=hvc0 quiet");
	assert_int_equal(xlu_cfg_get_list(p.cfg, "disk", &l, &count, 0), 0);
	assert_int_equal(count, 3);
	assert_string_equal(xlu_cfg_get_listitem(l, 0), "a");
	assert_string_equal(xlu_cfg_get_listitem(l, 2), "c");
	assert_int_equal(xlu_cfg_get_string(p.cfg, "fresh", &s, 0), 0);
	assert_string_equal(s, "x");
	/* "+=" on a number: Xen warns and ignores the key */
	assert_int_equal(xlu_cfg_get_long(p.cfg, "memory", &n, 0), EINVAL);
	fflush(p.f);
	assert_string_equal(p.report, "t.cfg:6: warning: can't use += with "
				      "numbers for parameter `memory'\n");
	done(&p);

	expect("a = 'x'\na += [ 'y' ]\n", EINVAL,
	       "t.cfg:2: config parsing error near `]': can't add [list] to "
	       "\"string\" or vice versa\n");
}

static void test_getter_warnings(void **state)
{
	struct parsed p;
	const char *s;
	long n;

	(void)state;
	parse(&p, "memory = [ 1 ]\nvcpus = 'abc'\nbig = 99999999999999999999\n"
		  "disk = 'x'\n");
	assert_int_equal(p.rc, 0);
	assert_int_equal(xlu_cfg_get_long(p.cfg, "memory", &n, 0), EINVAL);
	assert_int_equal(xlu_cfg_get_long(p.cfg, "vcpus", &n, 0), EINVAL);
	assert_int_equal(xlu_cfg_get_long(p.cfg, "big", &n, 0), ERANGE);
	assert_int_equal(xlu_cfg_get_list(p.cfg, "disk", NULL, NULL, 0), EINVAL);
	assert_int_equal(xlu_cfg_get_bounded_long(p.cfg, "vcpus", 0, 1, &n, 1), EINVAL);
	assert_int_equal(xlu_cfg_get_string(p.cfg, "memory", &s, 1), EINVAL);
	fflush(p.f);
	assert_string_equal(p.report,
			    "t.cfg:1: warning: parameter `memory' is a list but should be "
			    "a single value\n"
			    "t.cfg:2: warning: parameter `vcpus' is not a valid number\n"
			    "t.cfg:3: warning: parameter `big' could not be parsed as a "
			    "number: Numerical result out of range\n"
			    "t.cfg:4: warning: parameter `disk' is a single value but "
			    "should be a list\n");
	done(&p);

	parse(&p, "n = 7\n");
	assert_int_equal(xlu_cfg_get_bounded_long(p.cfg, "n", 0, 5, &n, 0), EINVAL);
	assert_int_equal(xlu_cfg_get_bounded_long(p.cfg, "n", 8, 9, &n, 0), EINVAL);
	fflush(p.f);
	assert_string_equal(p.report, "t.cfg:1: warning: value `7' is greater than "
				      "maximum bound '5'\n"
				      "t.cfg:1: warning: value `7' is smaller than "
				      "minimum bound '8'\n");
	done(&p);
}

static void test_syntax_errors(void **state)
{
	(void)state;
	/* the oracle: a NEWLINE reports the line before the one it ends */
	expect("name = \"bad\"\nmemory = \n", EINVAL,
	       "t.cfg:1: config parsing error near <newline>: syntax error, "
	       "unexpected NEWLINE, expecting STRING or NUMBER or '['\n");
	expect("memory 5\n", EINVAL,
	       "t.cfg:1: config parsing error near `5': syntax error, "
	       "unexpected NUMBER, expecting += or '='\n");
	expect("\n= 5\n", EINVAL,
	       "t.cfg:2: config parsing error near `=': syntax error, "
	       "unexpected '=', expecting $end or IDENT or NEWLINE or ';'\n");
	expect("disk = [ 'a' 'b' ]\n", EINVAL,
	       "t.cfg:1: config parsing error near `'b'': syntax error, "
	       "unexpected STRING, expecting ']'\n");
	expect("disk = [ 'a', = ]\n", EINVAL,
	       "t.cfg:1: config parsing error near `=': syntax error, "
	       "unexpected '=', expecting ']'\n");
	/* after a whole assignment bison only accepts the end: no recovery */
	expect("a = 1 b = 2\nc = [\n", EINVAL,
	       "t.cfg:1: config parsing error near `b': syntax error, "
	       "unexpected IDENT, expecting $end\n");
	expect("a = ", EINVAL,
	       "t.cfg:1: config parsing error near `': syntax error, "
	       "unexpected $end, expecting STRING or NUMBER or '['\n");
	/* ...and a comment's NEWLINE is one line earlier still: line 0 */
	expect("x += # c\n", EINVAL,
	       "t.cfg:0: config parsing error near `# c': syntax error, "
	       "unexpected NEWLINE, expecting STRING or NUMBER or '['\n");
	/* one report per error; silent until three tokens are accepted */
	expect("a = ]\n= 5\nb = ]\n", EINVAL,
	       "t.cfg:1: config parsing error near `]': syntax error, "
	       "unexpected ']', expecting STRING or NUMBER or '['\n"
	       "t.cfg:3: config parsing error near `]': syntax error, "
	       "unexpected ']', expecting STRING or NUMBER or '['\n");
}

static void test_errors_after_errors(void **state)
{
	(void)state;
	/* once in error, strings are no longer unquoted nor checked */
	expect("a ,= \"\\12\"\n", EINVAL,
	       "t.cfg:1: config parsing error near `,': syntax error, "
	       "unexpected ',', expecting += or '='\n");
	/* but the lexer still reports what it cannot read */
	expect("a = ]\nb = 'x' ?\n", EINVAL,
	       "t.cfg:1: config parsing error near `]': syntax error, "
	       "unexpected ']', expecting STRING or NUMBER or '['\n"
	       "t.cfg:2: config parsing error near `?': lexical error\n");
}

static void test_lexical_errors(void **state)
{
	(void)state;
	/* seen on xen-devel: llc-colors on line 26 */
	expect("\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
	       "llc-colors = \"9-13\"\n",
	       EINVAL,
	       "t.cfg:26: config parsing error near `-colors': lexical error\n"
	       "warning: Config file looks like it contains Python code.\n"
	       "warning:  Arbitrary Python is no longer supported.\n"
	       "warning:  See https://wiki.xen.org/wiki/PythonInXlConfig\n");
	expect("memory = 5.5\n", EINVAL,
	       "t.cfg:1: config parsing error near `.5': lexical error\n"
	       "warning: Config file looks like it contains Python code.\n"
	       "warning:  Arbitrary Python is no longer supported.\n"
	       "warning:  See https://wiki.xen.org/wiki/PythonInXlConfig\n");
	expect("name = 'unterminated\n", EINVAL,
	       "t.cfg:1: config parsing error near `'unterminated': lexical "
	       "error\n");
	expect("Name = 'x'\n", EINVAL,
	       "t.cfg:1: config parsing error near `Name': lexical error\n");
	expect("a = 'x' !\n", EINVAL, "t.cfg:1: config parsing error near `!': lexical error\n");
	expect("a = \"\\q\"\n", EINVAL,
	       "t.cfg:1: config parsing error near `\"\\q\"': invalid character "
	       "after backlash in quoted string\n");
	expect("a = \"\\x41\"\n", EINVAL,
	       "t.cfg:1: config parsing error near `\"\\x41\"': invalid digit "
	       "after backslash hexnumerical character escape in quoted "
	       "string\n");
	expect("a = \"\\12\"\n", EINVAL,
	       "t.cfg:1: config parsing error near `\"\\12\"': invalid digit "
	       "after backslash octalnumerical character escape in quoted "
	       "string\n");
	/* a comment needs its newline, as with Xen's lexer */
	expect("a = 1\n#end", EINVAL, "t.cfg:2: config parsing error near `#end': lexical error\n");
}

static void test_deep_nesting(void **state)
{
	size_t n = 6000, i;
	char *text = malloc(n + 8), *report;
	struct parsed p;

	(void)state;
	memcpy(text, "a = ", 4);
	for (i = 0; i < n; i++)
		text[4 + i] = '[';
	text[4 + n] = '\0';
	parse(&p, text);
	assert_int_equal(p.rc, EINVAL);
	report = strstr(p.report, "memory exhausted");
	assert_non_null(report);
	done(&p);
	free(text);
}

static void test_garbage_is_safe(void **state)
{
	static const char *const inputs[] = {
		"",	"\n\n",	     ";;;",    "[",	   "]",		"a",
		"a=",	"a=[",	     "a=[[[[", "a=[1,,2]", "a='\\",	"a='\\\n'",
		"\"\"", "a=\"\\1\"", "#",      "a = '\0'", "a += [] b",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct parsed p;

		parse(&p, inputs[i]);
		done(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),		cmocka_unit_test(test_plus_equals),
		cmocka_unit_test(test_getter_warnings), cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_lexical_errors),	cmocka_unit_test(test_errors_after_errors),
		cmocka_unit_test(test_deep_nesting),	cmocka_unit_test(test_garbage_is_safe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
