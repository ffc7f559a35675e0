/* Freestanding helpers of the test-guest runtime: strings and formatting. */
#include "xtest.h"

size_t xstrlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

int xstrcmp(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

int xstrncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b || !*a)
			return (unsigned char)*a - (unsigned char)*b;
	}
	return 0;
}

/* The compiler may emit calls to memset/memcpy: provide them. */
void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	while (n--)
		*p++ = (unsigned char)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

unsigned long xstrtoul(const char *s, const char **end)
{
	unsigned long v = 0;

	while (*s >= '0' && *s <= '9')
		v = v * 10 + (unsigned long)(*s++ - '0');
	if (end)
		*end = s;
	return v;
}

struct out {
	char *buf;
	size_t size, len;
};

static void out_ch(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void out_num(struct out *o, unsigned long long v, unsigned int base,
		    int neg, int width, char pad)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		tmp[n++] = '-';
	while (width-- > n)
		out_ch(o, pad);
	while (n)
		out_ch(o, tmp[--n]);
}

/* %s %c %d %i %u %x %p with l/ll, width and 0-padding. */
int xvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int longs = 0, width = 0;
		char pad = ' ';

		if (*fmt != '%') {
			out_ch(&o, *fmt);
			continue;
		}
		fmt++;
		if (*fmt == '0')
			pad = '0';
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			if (!s)
				s = "(null)";
			while (*s)
				out_ch(&o, *s++);
			break;
		}
		case 'c':
			out_ch(&o, (char)va_arg(ap, int));
			break;
		case 'd':
		case 'i': {
			long long v = longs ? va_arg(ap, long long) :
					      va_arg(ap, int);

			out_num(&o, v < 0 ? -(unsigned long long)v : (unsigned long long)v,
				10, v < 0, width, pad);
			break;
		}
		case 'u':
		case 'x': {
			unsigned long long v =
				longs ? va_arg(ap, unsigned long long) :
					va_arg(ap, unsigned int);

			out_num(&o, v, *fmt == 'x' ? 16 : 10, 0, width, pad);
			break;
		}
		case 'p':
			out_ch(&o, '0');
			out_ch(&o, 'x');
			out_num(&o, (unsigned long)va_arg(ap, void *), 16, 0, 0,
				' ');
			break;
		case '%':
			out_ch(&o, '%');
			break;
		default:
			out_ch(&o, '?');
			break;
		}
	}
	if (o.size)
		o.buf[o.len < o.size ? o.len : o.size - 1] = '\0';
	return (int)o.len;
}

int xsnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = xvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
