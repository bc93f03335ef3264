/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* envjson: config.env's JSON array of strings, parsed without json-c. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envjson.h"

struct p {
	const char *s, *end;
	char *err;
	size_t errlen;
};

static int
perr (struct p *p, const char *fmt, ...)
{
	va_list ap;

	va_start (ap, fmt);
	vsnprintf (p->err, p->errlen, fmt, ap);
	va_end (ap);
	return -1;
}

static void
skip_ws (struct p *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
		p->s++;
}

static int
hex4 (struct p *p, uint32_t *v)
{
	*v = 0;
	if (p->end - p->s < 4)
		return perr (p, "unexpected end of file");
	for (int i = 0; i < 4; i++) {
		char c = *p->s++;
		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (uint32_t) (c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (uint32_t) (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (uint32_t) (c - 'A' + 10);
		else
			return perr (p, "invalid \\u escape");
	}
	return 0;
}

static size_t
put_utf8 (char *o, uint32_t c)
{
	if (c < 0x80) {
		o[0] = (char) c;
		return 1;
	}
	if (c < 0x800) {
		o[0] = (char) (0xc0 | (c >> 6));
		o[1] = (char) (0x80 | (c & 0x3f));
		return 2;
	}
	if (c < 0x10000) {
		o[0] = (char) (0xe0 | (c >> 12));
		o[1] = (char) (0x80 | ((c >> 6) & 0x3f));
		o[2] = (char) (0x80 | (c & 0x3f));
		return 3;
	}
	o[0] = (char) (0xf0 | (c >> 18));
	o[1] = (char) (0x80 | ((c >> 12) & 0x3f));
	o[2] = (char) (0x80 | ((c >> 6) & 0x3f));
	o[3] = (char) (0x80 | (c & 0x3f));
	return 4;
}

/* How many bytes from S the string that starts there takes up to its
 * closing quote (or END): an escape is two bytes or more, and the byte
 * after a backslash is never the end. */
static size_t
encoded_length (const char *s, const char *end)
{
	const char *q = s;

	while (q < end && *q != '"')
		q += *q == '\\' && q + 1 < end ? 2 : 1;
	return (size_t) (q - s);
}

/* A string at p->s (just past its opening quote); decoded is never longer
 * than encoded, so a buffer of its encoded length is enough (not of all
 * that is left: 100k entries would allocate, and fault in, gigabytes). */
static int
string (struct p *p, size_t idx, char **out)
{
	char *buf = malloc (encoded_length (p->s, p->end) + 1), *o = buf;
	bool nul = false;

	if (buf == NULL)
		return perr (p, "out of memory");
	for (;;) {
		unsigned char c;

		if (p->s >= p->end) {
			free (buf);
			return perr (p, "unexpected end of file");
		}
		c = (unsigned char) *p->s++;
		if (c == '"')
			break;
		if (c < 0x20) {
			free (buf);
			return perr (p, "entry %zu has a control character", idx);
		}
		if (c != '\\') {
			*o++ = (char) c;
			continue;
		}
		if (p->s >= p->end) {
			free (buf);
			return perr (p, "unexpected end of file");
		}
		switch (*p->s++) {
		case '"': *o++ = '"'; break;
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case 'u': {
			uint32_t u, lo;

			if (hex4 (p, &u) < 0) {
				free (buf);
				return -1;
			}
			if (u >= 0xd800 && u < 0xdc00 && p->end - p->s >= 6 && p->s[0] == '\\' && p->s[1] == 'u') {
				const char *save = p->s;
				p->s += 2;
				if (hex4 (p, &lo) < 0) {
					free (buf);
					return -1;
				}
				if (lo >= 0xdc00 && lo < 0xe000)
					u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
				else
					p->s = save; /* the next escape is read on its own */
			}
			/* A surrogate left unpaired becomes U+FFFD, as json-c makes it. */
			if (u >= 0xd800 && u < 0xe000)
				u = 0xfffd;
			if (u == 0)
				nul = true;
			o += put_utf8 (o, u);
			break;
		}
		default:
			free (buf);
			return perr (p, "invalid escape in entry %zu", idx);
		}
	}
	*o = '\0';
	if (nul) {
		free (buf);
		return perr (p, "entry %zu contains a NUL byte", idx);
	}
	*out = buf;
	return 0;
}

void
envjson_free (char **v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; v[i]; i++)
		free (v[i]);
	free (v);
}

int
envjson_parse (const char *data, size_t len, char ***out, size_t *n, char *errbuf, size_t errlen)
{
	struct p p = { .s = data, .end = data + len, .err = errbuf, .errlen = errlen };
	char **v = NULL;
	size_t count = 0, cap = 0;

	skip_ws (&p);
	if (p.s >= p.end)
		return perr (&p, "unexpected end of file");
	if (*p.s != '[')
		return perr (&p, "not a JSON array");
	p.s++;
	skip_ws (&p);
	if (p.s < p.end && *p.s == ']') {
		p.s++;
		goto done;
	}
	for (;;) {
		char *str = NULL;

		skip_ws (&p);
		if (p.s >= p.end)
			goto eof;
		if (*p.s != '"') {
			perr (&p, "entry %zu is not a string", count);
			goto fail;
		}
		p.s++;
		if (string (&p, count, &str) < 0)
			goto fail;
		if (count + 2 > cap) {
			char **nv;
			cap = cap ? cap * 2 : 16;
			nv = realloc (v, cap * sizeof (char *));
			if (nv == NULL) {
				free (str);
				perr (&p, "out of memory");
				goto fail;
			}
			v = nv;
		}
		v[count++] = str;
		v[count] = NULL;
		skip_ws (&p);
		if (p.s >= p.end)
			goto eof;
		if (*p.s == ']') {
			p.s++;
			break;
		}
		if (*p.s != ',') {
			perr (&p, "expected ',' or ']' after entry %zu", count - 1);
			goto fail;
		}
		p.s++;
	}
done:
	skip_ws (&p);
	if (p.s < p.end) {
		perr (&p, "trailing data");
		goto fail;
	}
	if (v == NULL && (v = calloc (1, sizeof (char *))) == NULL)
		return perr (&p, "out of memory");
	*out = v;
	*n = count;
	return 0;
eof:
	perr (&p, "unexpected end of file");
fail:
	envjson_free (v);
	return -1;
}
