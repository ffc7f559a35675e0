/*
 * xl/cfg_parse.c: the xl.cfg lexer and parser.
 *
 * Grammar (xl.cfg(5)):
 *	file       := { stmt } [ assignment ]
 *	stmt       := assignment endstmt | endstmt
 *	assignment := IDENT ( "=" | "+=" ) value
 *	endstmt    := NEWLINE | ";"
 *	value      := STRING | NUMBER | "[" nl* [ value nl* { "," nl* value nl* }
 *	              [ "," nl* ] ] "]"
 * Tokens: IDENT [a-z][._0-9a-z]*, NUMBER [0-9][0-9a-fx]*, STRING in '' or
 * "" on one line with backslash escapes, "#..." to the end of the line
 * counts as a NEWLINE.  Anything else is a lexical error.
 *
 * Xen's parser is flex + bison, and users see its diagnostics, so this
 * hand-written one reproduces them: the same messages with the same
 * expected-token lists, the same line numbers (a NEWLINE token reports the
 * line before the one it ends, a quirk of Xen's lexer), one report per
 * line, and bison's recovery: after an error, tokens are skipped up to the
 * next newline and errors stay silent until three tokens have been
 * accepted.  Errors never stop the parse early except where bison's would.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cfg_internal.h"

enum cfg_token {
	TOK_EOF,
	TOK_IDENT,
	TOK_STRING,
	TOK_NUMBER,
	TOK_NEWLINE,
	TOK_ADD,
	TOK_EQUALS,
	TOK_SEMICOLON,
	TOK_LBRACKET,
	TOK_RBRACKET,
	TOK_COMMA,
};

/* How bison names tokens in "unexpected ..." */
static const char *const cfg_token_names[] = {
	"$end", "IDENT", "STRING", "NUMBER", "NEWLINE", "+=", "'='", "';'", "'['", "']'", "','",
};

/*
 * bison's stack holds 10000 states and a nested list takes two, so Xen
 * gives up ("memory exhausted") at about this depth.
 */
#define CFG_MAX_DEPTH 4998

enum cfg_step {
	STEP_OK,
	STEP_RECOVER, /* an error was seen: resynchronise at a newline */
	STEP_ABORT, /* bison could not recover: stop */
};

struct cfg_parser {
	XLU_Config *cfg;
	const char *data;
	size_t len, pos;
	int lineno; /* lines counted so far, from 1 */
	int err; /* first error (errno), 0 if none */
	int lexerrlineno; /* line of the last lexical error */
	int likely_python;
	int errstatus; /* tokens to accept before reporting again */
	int depth; /* of nested lists */

	/* the lookahead token */
	int have_tok;
	enum cfg_token tok;
	char *tok_value; /* IDENT/NUMBER text, STRING contents */
	int tok_line; /* its reported line (bison's yylloc) */

	/* text of the last token scanned (flex's yytext), for messages */
	char *text;
	size_t text_len;
};

static void cfg_set_text(struct cfg_parser *p, const char *s, size_t n)
{
	char *t = realloc(p->text, n + 1);

	if (!t) {
		p->err = p->err ? p->err : ENOMEM;
		p->text_len = 0;
		return;
	}
	memcpy(t, s, n);
	t[n] = '\0';
	p->text = t;
	p->text_len = n;
}

/* Xen's xlu__cfg_yyerror: one message per line, near the current text. */
static void cfg_error_at(struct cfg_parser *p, int line, const char *msg)
{
	const char *text = p->text ? p->text : "", *newline = "";
	int len = (int)p->text_len, lineno = line;

	if (lineno <= p->lexerrlineno)
		return;
	if (len > 0 && text[len - 1] == '\n') {
		len--;
		lineno--;
		if (!len)
			newline = "<newline>";
	}
	while (len > 0 && (text[len - 1] == '\t' || text[len - 1] == ' '))
		len--;
	fprintf(p->cfg->report, "%s:%d: config parsing error near %s%.*s%s%s: %s\n",
		p->cfg->config_source, lineno, len ? "`" : "", len, text, len ? "'" : "", newline,
		msg);
	if (!p->err)
		p->err = EINVAL;
}

static void cfg_lexical_error(struct cfg_parser *p, const char *msg)
{
	int line = p->lineno;

	cfg_error_at(p, line, msg);
	p->lexerrlineno = line;
}

/*
 * Undo the quoting of a STRING token, as Xen's xlu__cfgl_dequote does,
 * including its handling of numeric escapes: \x and \NNN are checked but
 * produce no character, and \x is always rejected.
 */
static char *cfg_dequote(struct cfg_parser *p, const char *src, size_t len)
{
	const char *s = src + 1, *end = src + len - 1;
	char *result = malloc(len), *q = result;

	if (!result) {
		p->err = p->err ? p->err : ENOMEM;
		return NULL;
	}
	while (s < end) {
		char c = *s++, nc;

		if (c != '\\') {
			*q++ = c;
			continue;
		}
		nc = *s++; /* the lexer guarantees a character here */
		if (nc == '"' || nc == '\'' || nc == '\\') {
			*q++ = nc;
		} else if (nc == 'a') {
			*q++ = '\a';
		} else if (nc == 'b') {
			*q++ = '\b';
		} else if (nc == 'f') {
			*q++ = '\f';
		} else if (nc == 'n') {
			*q++ = '\n';
		} else if (nc == 'r') {
			*q++ = '\r';
		} else if (nc == 't') {
			*q++ = '\t';
		} else if (nc == 'v') {
			*q++ = '\v';
		} else if (nc == 'x' || (nc >= '0' && nc <= '7')) {
			int hex = nc == 'x';
			size_t max = hex ? 2 : 3, minlen = hex ? 2 : 1, n;
			char numbuf[4], *ep;

			if (hex && s < src + len)
				s++;
			for (n = 0; n < max && s + n < src + len && s[n]; n++)
				numbuf[n] = s[n];
			numbuf[n] = '\0';
			strtoul(numbuf, &ep, hex ? 16 : 10);
			if (ep <= numbuf + minlen) {
				cfg_lexical_error(p, hex ? "invalid digit after backslash "
							   "hexnumerical character escape "
							   "in quoted string"
							 : "invalid digit after backslash "
							   "octalnumerical character "
							   "escape in quoted string");
				p->err = EINVAL;
				break;
			}
			s += ep - numbuf;
		} else {
			cfg_lexical_error(p, "invalid character after backlash "
					     "in quoted string");
			p->err = EINVAL;
			break;
		}
	}
	*q = '\0';
	return result;
}

static int cfg_is_ident_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
}

static int cfg_is_number_char(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == 'x';
}

/* Length of the quoted string at pos, or 0 if it does not close. */
static size_t cfg_string_len(const struct cfg_parser *p)
{
	char quote = p->data[p->pos];
	size_t i = p->pos + 1;

	while (i < p->len) {
		char c = p->data[i];

		if (c == quote)
			return i + 1 - p->pos;
		if (c == '\n')
			return 0;
		if (c == '\\') {
			if (i + 1 >= p->len || p->data[i + 1] == '\n')
				return 0;
			i += 2;
			continue;
		}
		i++;
	}
	return 0;
}

/*
 * Skips the rest of a lexical error that started at start (flex's lexerr
 * state): the run of non-blanks, or one blank, or the newline, which then
 * still ends the statement.  Returns 1 when a NEWLINE token results.
 */
static int cfg_lex_error(struct cfg_parser *p, size_t start)
{
	size_t end;

	if (p->pos >= p->len)
		return -1; /* end of input: flex reports nothing */
	if (p->data[p->pos] == '\n') {
		p->pos++;
		p->lineno++;
		cfg_set_text(p, p->data + start, p->pos - start);
		cfg_lexical_error(p, "lexical error");
		return 1;
	}
	end = p->pos;
	if (p->data[end] == ' ' || p->data[end] == '\t') {
		end++;
	} else {
		while (end < p->len && p->data[end] != ' ' && p->data[end] != '\t' &&
		       p->data[end] != '\n')
			end++;
	}
	p->pos = end;
	cfg_set_text(p, p->data + start, end - start);
	cfg_lexical_error(p, "lexical error");
	return 0;
}

static void cfg_got(struct cfg_parser *p, enum cfg_token t, size_t start)
{
	p->tok = t;
	p->tok_line = p->lineno;
	cfg_set_text(p, p->data + start, p->pos - start);
}

static void cfg_lex(struct cfg_parser *p)
{
	for (;;) {
		size_t start = p->pos, n;
		char c;
		int r;

		free(p->tok_value);
		p->tok_value = NULL;
		if (p->pos >= p->len) {
			/* flex leaves a one-byte NUL text at end of input */
			p->tok = TOK_EOF;
			cfg_set_text(p, "", 1);
			return;
		}
		c = p->data[p->pos];
		if (c >= 'a' && c <= 'z') {
			while (++p->pos < p->len && cfg_is_ident_char(p->data[p->pos]))
				;
			cfg_got(p, TOK_IDENT, start);
			p->tok_value = strndup(p->text, p->text_len);
			return;
		}
		if (c >= '0' && c <= '9') {
			while (++p->pos < p->len && cfg_is_number_char(p->data[p->pos]))
				;
			cfg_got(p, TOK_NUMBER, start);
			p->tok_value = strndup(p->text, p->text_len);
			return;
		}
		switch (c) {
		case ' ':
		case '\t':
			p->pos++;
			continue;
		case ',':
			p->pos++;
			cfg_got(p, TOK_COMMA, start);
			return;
		case '[':
			p->pos++;
			cfg_got(p, TOK_LBRACKET, start);
			return;
		case ']':
			p->pos++;
			cfg_got(p, TOK_RBRACKET, start);
			return;
		case '=':
			p->pos++;
			cfg_got(p, TOK_EQUALS, start);
			return;
		case ';':
			p->pos++;
			cfg_got(p, TOK_SEMICOLON, start);
			return;
		case '\n':
			p->pos++;
			p->lineno++;
			cfg_got(p, TOK_NEWLINE, start);
			p->tok_line = p->lineno - 1;
			return;
		case '#': {
			const char *nl = memchr(p->data + p->pos, '\n', p->len - p->pos);

			if (!nl)
				break; /* a comment must end with a newline */
			p->pos = (size_t)(nl - p->data) + 1;
			p->lineno++;
			cfg_got(p, TOK_NEWLINE, start);
			p->tok_line = p->lineno - 1;
			return;
		}
		case '\'':
		case '"':
			n = cfg_string_len(p);
			if (!n)
				break;
			p->pos += n;
			cfg_got(p, TOK_STRING, start);
			/* as Xen, once in error strings are no longer unquoted */
			p->tok_value = p->err ? NULL : cfg_dequote(p, p->data + start, n);
			return;
		case '+':
			if (p->pos + 1 < p->len && p->data[p->pos + 1] == '=') {
				p->pos += 2;
				cfg_got(p, TOK_ADD, start);
				return;
			}
			p->likely_python = 1;
			break;
		case '-':
		case '.':
		case '(':
		case ')':
		case ':':
			p->likely_python = 1;
			break;
		default:
			break;
		}
		/* Anything else starts a lexical error. */
		p->pos++;
		r = cfg_lex_error(p, start);
		if (r < 0) {
			/* end of input: flex's text is the pending character */
			p->tok = TOK_EOF;
			cfg_set_text(p, p->data + start, p->pos - start);
			return;
		}
		if (r > 0) {
			p->tok = TOK_NEWLINE;
			p->tok_line = p->lineno;
			return;
		}
	}
}

static enum cfg_token cfg_peek(struct cfg_parser *p)
{
	if (!p->have_tok) {
		cfg_lex(p);
		p->have_tok = 1;
	}
	return p->tok;
}

/* Accepts the lookahead; returns its value, which the caller now owns. */
static char *cfg_shift(struct cfg_parser *p)
{
	char *v = p->tok_value;

	p->tok_value = NULL;
	p->have_tok = 0;
	if (p->errstatus)
		p->errstatus--;
	return v;
}

static void cfg_discard(struct cfg_parser *p)
{
	free(p->tok_value);
	p->tok_value = NULL;
	p->have_tok = 0;
}

/* bison's "syntax error, unexpected X, expecting ..." */
static void cfg_syntax_error(struct cfg_parser *p, const char *expecting)
{
	char msg[160];

	if (p->errstatus)
		return;
	snprintf(msg, sizeof(msg), "syntax error, unexpected %s%s%s", cfg_token_names[p->tok],
		 expecting ? ", expecting " : "", expecting ? expecting : "");
	cfg_error_at(p, p->tok_line, msg);
	if (!p->err)
		p->err = EINVAL;
}

/* bison's error recovery through the rule "stmt: error NEWLINE". */
static enum cfg_step cfg_recover(struct cfg_parser *p)
{
	if (p->errstatus == 3) {
		if (cfg_peek(p) == TOK_EOF)
			return STEP_ABORT;
		cfg_discard(p);
	}
	p->errstatus = 3;
	for (;;) {
		enum cfg_token t = cfg_peek(p);

		if (t == TOK_NEWLINE) {
			cfg_shift(p);
			return STEP_OK;
		}
		if (t == TOK_EOF)
			return STEP_ABORT;
		cfg_discard(p);
	}
}

static XLU_ConfigValue *cfg_value_new(enum XLU_ConfigValueType type, int line)
{
	XLU_ConfigValue *v = calloc(1, sizeof(*v));

	if (v) {
		v->type = type;
		v->line = line;
	}
	return v;
}

void xlu__cfg_value_free(XLU_ConfigValue *value)
{
	int i;

	if (!value)
		return;
	if (value->type == XLU_STRING) {
		free(value->u.string);
	} else {
		for (i = 0; i < value->u.list.nvalues; i++)
			xlu__cfg_value_free(value->u.list.values[i]);
		free(value->u.list.values);
	}
	free(value);
}

static int cfg_list_append(XLU_ConfigList *l, XLU_ConfigValue *v)
{
	if (l->nvalues == l->avalues) {
		int n = l->avalues ? l->avalues * 4 : 1;
		XLU_ConfigValue **nv;

		if (l->avalues > 1 << 24)
			return ERANGE;
		nv = realloc(l->values, (size_t)n * sizeof(*nv));
		if (!nv)
			return ENOMEM;
		l->values = nv;
		l->avalues = n;
	}
	l->values[l->nvalues++] = v;
	return 0;
}

static int cfg_is_value_start(enum cfg_token t)
{
	return t == TOK_STRING || t == TOK_NUMBER || t == TOK_LBRACKET;
}

static void cfg_skip_newlines(struct cfg_parser *p)
{
	while (cfg_peek(p) == TOK_NEWLINE)
		cfg_shift(p);
}

static enum cfg_step cfg_parse_value(struct cfg_parser *p, XLU_ConfigValue **out);

/* After "[": the list up to and including "]". */
static enum cfg_step cfg_parse_list(struct cfg_parser *p, XLU_ConfigValue **out)
{
	XLU_ConfigValue *list, *v;
	enum cfg_step step;
	int rc;

	if (p->depth >= CFG_MAX_DEPTH) {
		cfg_error_at(p, p->tok_line, "memory exhausted");
		return STEP_ABORT;
	}
	list = cfg_value_new(XLU_LIST, p->tok_line);
	p->depth++;
	cfg_shift(p);
	cfg_skip_newlines(p);
	while (cfg_is_value_start(cfg_peek(p))) {
		step = cfg_parse_value(p, &v);
		if (step != STEP_OK)
			goto fail;
		rc = list ? cfg_list_append(&list->u.list, v) : ENOMEM;
		if (rc) {
			xlu__cfg_value_free(v);
			if (!p->err)
				p->err = rc;
		}
		cfg_skip_newlines(p);
		if (cfg_peek(p) != TOK_COMMA)
			break;
		cfg_shift(p);
		cfg_skip_newlines(p);
	}
	if (cfg_peek(p) == TOK_RBRACKET) {
		cfg_shift(p);
		p->depth--;
		*out = list;
		return STEP_OK;
	}
	cfg_syntax_error(p, "']'");
	step = STEP_RECOVER;
fail:
	p->depth--;
	xlu__cfg_value_free(list);
	return step;
}

static enum cfg_step cfg_parse_value(struct cfg_parser *p, XLU_ConfigValue **out)
{
	enum cfg_token t = cfg_peek(p);
	XLU_ConfigValue *v;

	if (t == TOK_LBRACKET)
		return cfg_parse_list(p, out);
	if (t != TOK_STRING && t != TOK_NUMBER) {
		cfg_syntax_error(p, "STRING or NUMBER or '['");
		return STEP_RECOVER;
	}
	v = cfg_value_new(XLU_STRING, p->tok_line);
	if (v)
		v->u.string = cfg_shift(p);
	else
		cfg_discard(p);
	if (!v || !v->u.string) {
		/* out of memory, or the string was rejected (p->err set) */
		if (!p->err)
			p->err = ENOMEM;
		xlu__cfg_value_free(v);
		v = cfg_value_new(XLU_STRING, 0);
		if (v)
			v->u.string = strdup("");
	}
	*out = v;
	return STEP_OK;
}

static XLU_ConfigSetting *cfg_find(const XLU_Config *cfg, const char *n)
{
	XLU_ConfigSetting *set;

	for (set = cfg->settings; set; set = set->next)
		if (!strcmp(set->name, n))
			return set;
	return NULL;
}

/* "+=": prev's value goes in front of add's. */
static int cfg_concat(struct cfg_parser *p, XLU_ConfigValue *prev, XLU_ConfigValue *add)
{
	XLU_ConfigList *pl = &prev->u.list, *al = &add->u.list;
	XLU_ConfigValue **nv;
	char *s;
	int n;

	if (prev->type != add->type) {
		cfg_lexical_error(p, "can't add [list] to \"string\" or vice "
				     "versa");
		return EINVAL;
	}
	if (add->type == XLU_STRING) {
		if (asprintf(&s, "%s%s", prev->u.string, add->u.string) < 0)
			return ENOMEM;
		free(add->u.string);
		add->u.string = s;
		return 0;
	}
	if (pl->nvalues > (1 << 24) - al->nvalues)
		return ERANGE;
	n = pl->nvalues + al->nvalues;
	nv = realloc(al->values, (size_t)(n ? n : 1) * sizeof(*nv));
	if (!nv)
		return ENOMEM;
	memmove(nv + pl->nvalues, nv, (size_t)al->nvalues * sizeof(*nv));
	memcpy(nv, pl->values, (size_t)pl->nvalues * sizeof(*nv));
	al->values = nv;
	al->avalues = n ? n : 1;
	al->nvalues = n;
	pl->nvalues = 0; /* the values moved: the old setting is now empty */
	return 0;
}

static void cfg_store(struct cfg_parser *p, char *name, enum XLU_Operation op, XLU_ConfigValue *val)
{
	XLU_ConfigSetting *set, *prev;
	int r;

	if (p->err || !val)
		goto out;
	if (op == XLU_OP_ADDITION) {
		prev = cfg_find(p->cfg, name);
		if (prev) {
			r = cfg_concat(p, prev->value, val);
			if (r) {
				p->err = r;
				goto out;
			}
		}
	}
	set = malloc(sizeof(*set));
	if (!set) {
		p->err = ENOMEM;
		goto out;
	}
	set->name = name;
	set->value = val;
	set->op = op;
	set->lineno = val->line;
	set->next = p->cfg->settings;
	p->cfg->settings = set;
	return;
out:
	free(name);
	xlu__cfg_value_free(val);
}

/* After IDENT: "=" or "+=" and a value. */
static enum cfg_step cfg_parse_assignment(struct cfg_parser *p, char *name)
{
	enum XLU_Operation op;
	XLU_ConfigValue *v = NULL;
	enum cfg_token t = cfg_peek(p);
	enum cfg_step step;

	if (t != TOK_EQUALS && t != TOK_ADD) {
		cfg_syntax_error(p, "+= or '='");
		free(name);
		return STEP_RECOVER;
	}
	op = t == TOK_ADD ? XLU_OP_ADDITION : XLU_OP_ASSIGNMENT;
	cfg_shift(p);
	step = cfg_parse_value(p, &v);
	if (step != STEP_OK) {
		free(name);
		return step;
	}
	/* stored before the next token is read, as bison reduces here */
	cfg_store(p, name, op, v);
	return STEP_OK;
}

static void cfg_parse_file(struct cfg_parser *p)
{
	enum cfg_step step;
	enum cfg_token t;

	for (;;) {
		t = cfg_peek(p);
		if (t == TOK_EOF)
			return;
		if (t == TOK_NEWLINE || t == TOK_SEMICOLON) {
			cfg_shift(p);
			continue;
		}
		if (t != TOK_IDENT) {
			cfg_syntax_error(p, "$end or IDENT or NEWLINE or ';'");
			step = STEP_RECOVER;
		} else {
			step = cfg_parse_assignment(p, cfg_shift(p));
		}
		if (step == STEP_OK) {
			t = cfg_peek(p);
			if (t == TOK_NEWLINE || t == TOK_SEMICOLON) {
				cfg_shift(p);
				continue;
			}
			if (t == TOK_EOF)
				return;
			/*
			 * bison has already reduced the whole file here, so it
			 * expects only the end and cannot recover.
			 */
			cfg_syntax_error(p, "$end");
			return;
		}
		if (step == STEP_RECOVER)
			step = cfg_recover(p);
		if (step == STEP_ABORT)
			return;
	}
}

int xlu__cfg_parse(XLU_Config *cfg, const char *data, size_t len)
{
	struct cfg_parser p = {
		.cfg = cfg,
		.data = data,
		.len = len,
		.lineno = 1,
		.lexerrlineno = -1,
	};

	cfg_parse_file(&p);
	if (p.err && p.likely_python)
		fputs("warning: Config file looks like it contains Python code.\n"
		      "warning:  Arbitrary Python is no longer supported.\n"
		      "warning:  See https://wiki.xen.org/wiki/PythonInXlConfig\n",
		      cfg->report);
	free(p.tok_value);
	free(p.text);
	return p.err;
}
