/* SPDX-License-Identifier: MIT */
/* sconf.c -- parser and describe printer of the sconf format (sconf.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sconf.h"

/* Longest key path kept for messages ("DKIM.Sign[3].PrivateKeyFile"). */
#define PATH_CAP 256
/* Longest message of a conversion. */
#define MSG_CAP 512

struct sline {
	char *s;              /* after the indentation, NUL-terminated */
	unsigned int indent;  /* tabs */
	unsigned int lineno;
};

struct parser {
	const char *name;
	const char *dir;
	struct sline *lines;
	size_t nlines, pos;
	char *err;
	size_t errcap;
};

static void
errf(char *err, size_t errcap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
errf(char *err, size_t errcap, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errcap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errcap, fmt, ap);
	va_end(ap);
}

/* "NAME:LINE: PATH: msg", or without PATH when it is empty. Returns -1. */
static int
perr(struct parser *p, unsigned int lineno, const char *path,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
perr(struct parser *p, unsigned int lineno, const char *path,
    const char *fmt, ...)
{
	char msg[MSG_CAP];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path != NULL && path[0] != '\0')
		errf(p->err, p->errcap, "%s:%u: %s: %s", p->name, lineno, path,
		    msg);
	else
		errf(p->err, p->errcap, "%s:%u: %s", p->name, lineno, msg);
	return -1;
}

/* ------------------------------------------------------------ lines */

/* RFC 3629 UTF-8: no overlong forms, no surrogates, at most U+10FFFF.
 * Returns the length of the sequence at s, or 0 when it is invalid. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Check one line (without line end): control characters and UTF-8.
 * Returns NULL or a message. */
static const char *
check_line(const unsigned char *s, size_t n)
{
	size_t i = 0, l;

	while (i < n) {
		if (s[i] == 0)
			return "NUL byte in line";
		if ((s[i] < 0x20 && s[i] != '\t') || s[i] == 0x7f)
			return "control character in line";
		l = utf8_seq(s + i, n - i);
		if (l == 0)
			return "invalid UTF-8 in line";
		i += l;
	}
	return NULL;
}

/* Split buf (len octets, writable, NUL at buf[len]) into p->lines,
 * dropping blank and comment lines. Returns 0 or -1 (p->err set). */
static int
split_lines(struct parser *p, char *buf, size_t len)
{
	size_t cap = 0, off = 0, n, i;
	unsigned int lineno = 0;
	const char *msg;
	char *line, *nl, *c;
	unsigned int tabs;

	while (off < len) {
		line = buf + off;
		nl = memchr(line, '\n', len - off);
		n = nl != NULL ? (size_t)(nl - line) : len - off;
		off += n + (nl != NULL ? 1 : 0);
		lineno++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		line[n] = '\0';
		if (n > SCONF_MAX_LINE)
			return perr(p, lineno, NULL,
			    "line longer than %d octets", SCONF_MAX_LINE);
		msg = check_line((const unsigned char *)line, n);
		if (msg != NULL)
			return perr(p, lineno, NULL, "%s", msg);
		/* Trailing blanks are not part of a value. */
		while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
			line[--n] = '\0';
		for (tabs = 0; line[tabs] == '\t'; tabs++)
			;
		for (c = line; *c == ' ' || *c == '\t'; c++)
			;
		if (*c == '\0' || *c == '#')
			continue;
		if (c != line + tabs)
			return perr(p, lineno, NULL,
			    "spaces used for indentation, indent with tabs");
		if (p->nlines == cap) {
			struct sline *nls;

			cap = cap == 0 ? 64 : cap * 2;
			nls = realloc(p->lines, cap * sizeof(*nls));
			if (nls == NULL)
				return perr(p, lineno, NULL, "out of memory");
			p->lines = nls;
		}
		i = p->nlines++;
		p->lines[i].s = line + tabs;
		p->lines[i].indent = tabs;
		p->lines[i].lineno = lineno;
	}
	return 0;
}

/* ------------------------------------------------------------ values */

static size_t
table_len(const struct sconf_key *t)
{
	size_t n = 0;

	while (t[n].name != NULL)
		n++;
	return n;
}

static void
store_uint(void *field, size_t size, uint64_t v)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	switch (size) {
	case 1:
		u8 = (uint8_t)v;
		memcpy(field, &u8, 1);
		break;
	case 2:
		u16 = (uint16_t)v;
		memcpy(field, &u16, 2);
		break;
	case 4:
		u32 = (uint32_t)v;
		memcpy(field, &u32, 4);
		break;
	default:
		memcpy(field, &v, 8);
		break;
	}
}

/* Two's complement truncation does the signed case as well. */
static void
store_int(void *field, size_t size, int64_t v)
{
	store_uint(field, size, (uint64_t)v);
}

/* The range of an INT or DURATION key. */
static void
key_range(const struct sconf_key *k, int64_t *min, int64_t *max)
{
	*min = k->min;
	*max = k->max;
	if (*min == 0 && *max == 0) {
		*max = k->size >= 8 ? INT64_MAX :
				       (int64_t)((UINT64_C(1) << (8 * k->size)) - 1);
	}
}

/* Decimal integer, optional '-'. Returns 0 or -1. */
static int
parse_int(const char *s, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0;

	if (*s == '-') {
		neg = true;
		s++;
	}
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_C(1) << 63) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (*s != '\0')
		return -1;
	if (neg) {
		if (v > (UINT64_C(1) << 63))
			return -1;
		*out = v == (UINT64_C(1) << 63) ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > (uint64_t)INT64_MAX)
			return -1;
		*out = (int64_t)v;
	}
	return 0;
}

/* Go-style duration: "0", or one or more NUMBER UNIT with units ms, s,
 * m, h (no fractions, no sign). Milliseconds in *out. Returns 0 or -1. */
static int
parse_duration(const char *s, int64_t *out)
{
	int64_t total = 0, v, mul;

	if (strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		if (*s < '0' || *s > '9')
			return -1;
		v = 0;
		for (; *s >= '0' && *s <= '9'; s++) {
			if (v > INT64_MAX / 10 - 10)
				return -1;
			v = v * 10 + (*s - '0');
		}
		if (s[0] == 'm' && s[1] == 's') {
			mul = 1;
			s += 2;
		} else if (*s == 's') {
			mul = 1000;
			s++;
		} else if (*s == 'm') {
			mul = 60 * 1000;
			s++;
		} else if (*s == 'h') {
			mul = 3600 * 1000;
			s++;
		} else {
			return -1;
		}
		if (v > (INT64_MAX - total) / mul)
			return -1;
		total += v * mul;
	}
	*out = total;
	return 0;
}

/* Write a duration in milliseconds the way parse_duration() reads it. */
static void
format_duration(char *buf, size_t cap, int64_t ms)
{
	size_t n = 0;

	if (ms == 0) {
		snprintf(buf, cap, "0");
		return;
	}
	buf[0] = '\0';
	if (ms >= 3600000) {
		n += (size_t)snprintf(buf + n, cap - n, "%" PRId64 "h",
		    ms / 3600000);
		ms %= 3600000;
	}
	if (ms >= 60000 && n < cap) {
		n += (size_t)snprintf(buf + n, cap - n, "%" PRId64 "m",
		    ms / 60000);
		ms %= 60000;
	}
	if (ms >= 1000 && ms % 1000 == 0 && n < cap) {
		n += (size_t)snprintf(buf + n, cap - n, "%" PRId64 "s",
		    ms / 1000);
		ms = 0;
	}
	if (ms > 0 && n < cap)
		snprintf(buf + n, cap - n, "%" PRId64 "ms", ms);
}

/* "a, b or c" */
static void
format_choices(char *buf, size_t cap, const char *const *choices)
{
	size_t n = 0, i, count = 0;

	buf[0] = '\0';
	while (choices[count] != NULL)
		count++;
	for (i = 0; i < count && n < cap; i++) {
		const char *sep = i == 0 ? "" : i + 1 == count ? " or " : ", ";

		n += (size_t)snprintf(buf + n, cap - n, "%s%s", sep, choices[i]);
	}
}

static char *
join_path(const char *dir, const char *value)
{
	size_t dl, vl;
	char *s;

	if (dir == NULL || dir[0] == '\0' || value[0] == '/')
		return strdup(value);
	dl = strlen(dir);
	vl = strlen(value);
	s = malloc(dl + 1 + vl + 1);
	if (s == NULL)
		return NULL;
	memcpy(s, dir, dl);
	s[dl] = '/';
	memcpy(s + dl + 1, value, vl + 1);
	return s;
}

/*
 * Convert value for a scalar key into field (base: the block's base).
 * dir: for SCONF_PATH, or NULL. Returns 0, or -1 with msg set.
 */
static int
convert(const struct sconf_key *k, void *field, void *base, const char *dir,
    const char *value, char *msg, size_t msgcap)
{
	int64_t v, min, max;
	char *s, a[64], b[64];
	size_t i;

	switch (k->type) {
	case SCONF_STRING:
		if (value[0] == '\0' && (k->flags & SCONF_NONEMPTY) != 0) {
			errf(msg, msgcap, "must not be empty");
			return -1;
		}
		s = (k->flags & SCONF_PATH) != 0 ? join_path(dir, value) :
						  strdup(value);
		if (s == NULL) {
			errf(msg, msgcap, "out of memory");
			return -1;
		}
		{
			char *old;

			memcpy(&old, field, sizeof(old));
			free(old);
		}
		memcpy(field, &s, sizeof(s));
		return 0;
	case SCONF_BOOL:
		if (strcmp(value, "true") == 0) {
			store_uint(field, k->size, 1);
			return 0;
		}
		if (strcmp(value, "false") == 0) {
			store_uint(field, k->size, 0);
			return 0;
		}
		errf(msg, msgcap, "want true or false, not \"%s\"", value);
		return -1;
	case SCONF_INT:
		key_range(k, &min, &max);
		if (parse_int(value, &v) != 0 || v < min || v > max) {
			errf(msg, msgcap,
			    "want an integer from %" PRId64 " to %" PRId64
			    ", not \"%s\"",
			    min, max, value);
			return -1;
		}
		store_int(field, k->size, v);
		return 0;
	case SCONF_DURATION: {
		int64_t unit = k->unit == 0 ? 1 : (int64_t)k->unit;

		if (parse_duration(value, &v) != 0) {
			errf(msg, msgcap,
			    "want a duration such as 30s, 5m or 1h30m, not "
			    "\"%s\"",
			    value);
			return -1;
		}
		if (v % unit != 0) {
			format_duration(a, sizeof(a), unit);
			errf(msg, msgcap,
			    "\"%s\" is not a whole number of %s", value,
			    unit == 1000 ? "seconds" : a);
			return -1;
		}
		key_range(k, &min, &max);
		if (v / unit < min || v / unit > max) {
			format_duration(a, sizeof(a), min * unit);
			format_duration(b, sizeof(b), max * unit);
			errf(msg, msgcap,
			    "want a duration from %s to %s, not \"%s\"", a, b,
			    value);
			return -1;
		}
		store_int(field, k->size, v / unit);
		return 0;
	}
	case SCONF_ENUM:
		for (i = 0; k->choices[i] != NULL; i++) {
			if (strcmp(value, k->choices[i]) == 0) {
				store_uint(field, k->size, i);
				return 0;
			}
		}
		{
			char want[256];

			format_choices(want, sizeof(want), k->choices);
			errf(msg, msgcap, "unknown value \"%s\", want %s", value,
			    want);
		}
		return -1;
	case SCONF_CUSTOM:
		msg[0] = '\0';
		if (k->parse(field, base, value, msg, msgcap) != 0) {
			if (msg[0] == '\0')
				errf(msg, msgcap, "invalid value \"%s\"", value);
			return -1;
		}
		return 0;
	default:
		errf(msg, msgcap, "not a value key");
		return -1;
	}
}

/* ------------------------------------------------------------ free */

static void free_key(const struct sconf_key *k, void *base);

/* Free one value of key k held at field. */
static void
free_value(const struct sconf_key *k, void *field)
{
	char *s;

	switch (k->type) {
	case SCONF_STRING:
		memcpy(&s, field, sizeof(s));
		free(s);
		s = NULL;
		memcpy(field, &s, sizeof(s));
		break;
	case SCONF_CUSTOM:
		if (k->release != NULL)
			k->release(field);
		break;
	case SCONF_BLOCK:
		sconf_free(k->sub, field);
		if (k->release != NULL)
			k->release(field);
		break;
	default:
		break;
	}
}

static void
free_key(const struct sconf_key *k, void *base)
{
	char *field = (char *)base + k->offset;

	if (k->type == SCONF_LIST) {
		char *arr;
		size_t n, i;

		memcpy(&arr, field, sizeof(arr));
		memcpy(&n, (char *)base + k->count_offset, sizeof(n));
		for (i = 0; arr != NULL && i < n; i++)
			free_value(k->item, arr + i * k->item->size);
		free(arr);
		arr = NULL;
		n = 0;
		memcpy(field, &arr, sizeof(arr));
		memcpy((char *)base + k->count_offset, &n, sizeof(n));
		return;
	}
	free_value(k, field);
}

void
sconf_free(const struct sconf_key *table, void *base)
{
	const struct sconf_key *k;

	if (table == NULL || base == NULL)
		return;
	for (k = table; k->name != NULL; k++)
		free_key(k, base);
}

/* Append a zeroed element to list key k of base. Returns it, or NULL. */
static void *
list_append(const struct sconf_key *k, void *base, size_t *cap)
{
	char *field = (char *)base + k->offset, *arr, *na;
	size_t n, esz = k->item->size;

	memcpy(&arr, field, sizeof(arr));
	memcpy(&n, (char *)base + k->count_offset, sizeof(n));
	if (n == *cap) {
		size_t ncap = *cap == 0 ? 4 : *cap * 2;

		if (ncap > SIZE_MAX / esz)
			return NULL;
		na = realloc(arr, ncap * esz);
		if (na == NULL)
			return NULL;
		arr = na;
		*cap = ncap;
		memcpy(field, &arr, sizeof(arr));
	}
	memset(arr + n * esz, 0, esz);
	n++;
	memcpy((char *)base + k->count_offset, &n, sizeof(n));
	return arr + (n - 1) * esz;
}

/* ------------------------------------------------------------ defaults */

static int defaults(const struct sconf_key *table, void *base,
    const char *path, char *err, size_t errcap);

static void
subpath(char *out, const char *path, const char *name)
{
	if (path == NULL || path[0] == '\0')
		snprintf(out, PATH_CAP, "%s", name);
	else
		snprintf(out, PATH_CAP, "%s.%s", path, name);
}

static int
defaults(const struct sconf_key *table, void *base, const char *path,
    char *err, size_t errcap)
{
	const struct sconf_key *k;
	char kp[PATH_CAP], msg[MSG_CAP];

	for (k = table; k->name != NULL; k++) {
		void *field = (char *)base + k->offset;

		subpath(kp, path, k->name);
		if (k->type == SCONF_BLOCK) {
			if (defaults(k->sub, field, kp, err, errcap) != 0)
				return -1;
			continue;
		}
		if (k->def == NULL)
			continue;
		if (k->type == SCONF_LIST) {
			const char *s = k->def, *e;
			size_t cap = 0;
			char item[SCONF_MAX_LINE + 1];

			free_key(k, base);
			if (k->item->type == SCONF_BLOCK || k->item->type ==
			    SCONF_LIST) {
				errf(err, errcap,
				    "default of %s: lists of blocks have none",
				    kp);
				return -1;
			}
			while (*s != '\0') {
				void *elem;

				e = strchr(s, '\n');
				if (e == NULL)
					e = s + strlen(s);
				if ((size_t)(e - s) > SCONF_MAX_LINE) {
					errf(err, errcap,
					    "default of %s: too long", kp);
					return -1;
				}
				memcpy(item, s, (size_t)(e - s));
				item[e - s] = '\0';
				elem = list_append(k, base, &cap);
				if (elem == NULL) {
					errf(err, errcap, "out of memory");
					return -1;
				}
				if (convert(k->item, elem, elem, NULL, item, msg,
					sizeof(msg)) != 0) {
					errf(err, errcap, "default of %s: %s",
					    kp, msg);
					return -1;
				}
				s = *e == '\n' ? e + 1 : e;
			}
			continue;
		}
		if (convert(k, field, base, NULL, k->def, msg, sizeof(msg)) !=
		    0) {
			errf(err, errcap, "default of %s: %s", kp, msg);
			return -1;
		}
	}
	return 0;
}

int
sconf_defaults(const struct sconf_key *table, void *base, char *err,
    size_t errcap)
{
	return defaults(table, base, "", err, errcap);
}

/* ------------------------------------------------------------ parser */

static int parse_block(struct parser *p, const struct sconf_key *table,
    void *base, unsigned int depth, const char *path, bool required,
    unsigned int startline);

/* A key that differs only in case, for "did you mean". */
static const struct sconf_key *
find_fold(const struct sconf_key *t, const char *name)
{
	for (; t->name != NULL; t++)
		if (strcasecmp(t->name, name) == 0)
			return t;
	return NULL;
}

static const char *
type_word(const struct sconf_key *k)
{
	switch (k->type) {
	case SCONF_BLOCK:
		return "block";
	case SCONF_LIST:
		return "list";
	default:
		return "key";
	}
}

/* The line after the current one is indented deeper than depth: the
 * value key before it takes no block. */
static int
check_no_block(struct parser *p, unsigned int depth, const char *kp)
{
	if (p->pos < p->nlines && p->lines[p->pos].indent > depth)
		return perr(p, p->lines[p->pos].lineno, kp,
		    "unexpected indentation: the line above has a value, "
		    "not a block");
	return 0;
}

static int
parse_list(struct parser *p, const struct sconf_key *k, void *base,
    unsigned int depth, const char *kp)
{
	const struct sconf_key *it = k->item;
	size_t cap = 0, idx = 0;
	char ip[PATH_CAP + 32], msg[MSG_CAP];

	free_key(k, base);
	while (p->pos < p->nlines) {
		struct sline *l = &p->lines[p->pos];
		const char *value = NULL;
		void *elem;

		if (l->indent <= depth)
			break;
		snprintf(ip, sizeof(ip), "%s[%zu]", kp, idx);
		if (l->indent > depth + 1)
			return perr(p, l->lineno, ip,
			    "unexpected indentation (want %u tabs)", depth + 1);
		if (l->s[0] != '-')
			return perr(p, l->lineno, kp,
			    it->type == SCONF_BLOCK ?
				"want a list item \"-\" with the item's keys "
				"below it, not a key" :
				"want a list item \"- value\", not a key");
		if (l->s[1] == ' ')
			value = l->s + 2;
		else if (l->s[1] != '\0')
			return perr(p, l->lineno, kp,
			    "want a list item \"- value\" (a space after the "
			    "dash)");
		while (value != NULL && *value == ' ')
			value++;
		if (value != NULL && *value == '\0')
			value = NULL;
		p->pos++;
		elem = list_append(k, base, &cap);
		if (elem == NULL)
			return perr(p, l->lineno, ip, "out of memory");
		idx++;
		if (it->type == SCONF_BLOCK) {
			if (value != NULL)
				return perr(p, l->lineno, ip,
				    "items of %s are blocks: write \"-\" alone "
				    "and the item's keys on the lines below, "
				    "one tab deeper",
				    k->name);
			if (depth + 2 > SCONF_MAX_DEPTH)
				return perr(p, l->lineno, ip,
				    "blocks nested too deep");
			if (defaults(it->sub, elem, ip, p->err, p->errcap) !=
			    0)
				return -1;
			if (parse_block(p, it->sub, elem, depth + 2, ip, true,
				l->lineno) != 0)
				return -1;
			if (it->finish != NULL &&
			    it->finish(elem, msg, sizeof(msg)) != 0)
				return perr(p, l->lineno, ip, "%s", msg);
			continue;
		}
		if (value == NULL)
			return perr(p, l->lineno, ip, "missing value");
		if (convert(it, elem, elem, p->dir, value, msg, sizeof(msg)) !=
		    0)
			return perr(p, l->lineno, ip, "%s", msg);
		if (check_no_block(p, depth + 1, ip) != 0)
			return -1;
	}
	return 0;
}

static int
parse_block(struct parser *p, const struct sconf_key *table, void *base,
    unsigned int depth, const char *path, bool required,
    unsigned int startline)
{
	size_t n = table_len(table), i;
	unsigned int *seen;
	char kp[PATH_CAP], msg[MSG_CAP], name[128];
	int rc = -1;

	seen = calloc(n + 1, sizeof(*seen));
	if (seen == NULL)
		return perr(p, startline, path, "out of memory");
	while (p->pos < p->nlines) {
		struct sline *l = &p->lines[p->pos];
		const struct sconf_key *k = NULL, *fold;
		const char *value, *s = l->s;
		size_t nl = 0;
		void *field;

		if (l->indent < depth)
			break;
		if (l->indent > depth) {
			perr(p, l->lineno, path,
			    "unexpected indentation (want %u tabs)", depth);
			goto out;
		}
		if (s[0] == '-') {
			perr(p, l->lineno, path,
			    "list item where a key is expected");
			goto out;
		}
		while ((s[nl] >= 'A' && s[nl] <= 'Z') ||
		    (s[nl] >= 'a' && s[nl] <= 'z') ||
		    (s[nl] >= '0' && s[nl] <= '9') || s[nl] == '_' ||
		    s[nl] == '-')
			nl++;
		if (nl == 0 || s[nl] != ':' || nl >= sizeof(name)) {
			perr(p, l->lineno, path,
			    "want \"Key: value\" or \"Key:\", not \"%.60s\"", s);
			goto out;
		}
		memcpy(name, s, nl);
		name[nl] = '\0';
		if (s[nl + 1] != '\0' && s[nl + 1] != ' ') {
			perr(p, l->lineno, path,
			    "want a space after \"%s:\"", name);
			goto out;
		}
		value = s + nl + 1;
		while (*value == ' ')
			value++;
		for (i = 0; i < n; i++) {
			if (strcmp(table[i].name, name) == 0) {
				k = &table[i];
				break;
			}
		}
		subpath(kp, path, name);
		if (k == NULL) {
			fold = find_fold(table, name);
			if (fold != NULL)
				perr(p, l->lineno, path,
				    "unknown key \"%s\" (did you mean %s?)", name,
				    fold->name);
			else
				perr(p, l->lineno, path, "unknown key \"%s\"",
				    name);
			goto out;
		}
		if (seen[i] != 0) {
			perr(p, l->lineno, kp,
			    "key given twice (first on line %u)", seen[i]);
			goto out;
		}
		seen[i] = l->lineno;
		p->pos++;
		field = (char *)base + k->offset;
		if (k->type == SCONF_BLOCK || k->type == SCONF_LIST) {
			if (*value != '\0') {
				perr(p, l->lineno, kp,
				    k->type == SCONF_BLOCK ?
					"is a block: put its keys on the lines "
					"below, one tab deeper" :
					"is a list: put each item on its own "
					"line below, one tab deeper, as \"- "
					"value\"");
				goto out;
			}
			if (depth + 1 > SCONF_MAX_DEPTH) {
				perr(p, l->lineno, kp, "blocks nested too deep");
				goto out;
			}
			if (k->type == SCONF_LIST) {
				if (parse_list(p, k, base, depth, kp) != 0)
					goto out;
				continue;
			}
			if (parse_block(p, k->sub, field, depth + 1, kp, false,
				l->lineno) != 0)
				goto out;
			if (k->finish != NULL &&
			    k->finish(field, msg, sizeof(msg)) != 0) {
				perr(p, l->lineno, kp, "%s", msg);
				goto out;
			}
			continue;
		}
		if (*value == '\0') {
			perr(p, l->lineno, kp, "missing value");
			goto out;
		}
		if (convert(k, field, base, p->dir, value, msg, sizeof(msg)) !=
		    0) {
			perr(p, l->lineno, kp, "%s", msg);
			goto out;
		}
		if (check_no_block(p, depth, kp) != 0)
			goto out;
	}
	if (required) {
		for (i = 0; i < n; i++) {
			if ((table[i].flags & SCONF_REQUIRED) != 0 &&
			    seen[i] == 0) {
				perr(p, startline, path,
				    "missing required %s %s",
				    type_word(&table[i]), table[i].name);
				goto out;
			}
		}
	}
	rc = 0;
out:
	free(seen);
	return rc;
}

int
sconf_parse(const struct sconf_key *table, void *base, const char *name,
    const char *dir, const char *text, size_t len, char *err, size_t errcap)
{
	struct parser p;
	char *buf;
	int rc;

	memset(&p, 0, sizeof(p));
	p.name = name != NULL ? name : "config";
	p.dir = dir;
	p.err = err;
	p.errcap = errcap;
	if (err != NULL && errcap > 0)
		err[0] = '\0';
	if (len > SCONF_MAX_SIZE) {
		errf(err, errcap, "%s: larger than %zu octets", p.name,
		    SCONF_MAX_SIZE);
		return -1;
	}
	buf = malloc(len + 1);
	if (buf == NULL) {
		errf(err, errcap, "%s: out of memory", p.name);
		return -1;
	}
	memcpy(buf, text, len);
	buf[len] = '\0';
	rc = split_lines(&p, buf, len);
	if (rc == 0)
		rc = parse_block(&p, table, base, 0, "", false, 1);
	if (rc == 0 && p.pos < p.nlines)
		rc = perr(&p, p.lines[p.pos].lineno, NULL,
		    "unexpected indentation (want 0 tabs)");
	free(p.lines);
	free(buf);
	return rc;
}

int
sconf_parse_file(const struct sconf_key *table, void *base, const char *path,
    char *err, size_t errcap)
{
	char *buf = NULL, *dir = NULL, *slash;
	size_t len = 0, cap = 0;
	ssize_t got;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errf(err, errcap, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			char *nb;

			if (cap > SCONF_MAX_SIZE) {
				errf(err, errcap, "%s: larger than %zu octets",
				    path, SCONF_MAX_SIZE);
				goto fail;
			}
			cap = cap == 0 ? 8192 : cap * 2;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				errf(err, errcap, "%s: out of memory", path);
				goto fail;
			}
			buf = nb;
		}
		got = read(fd, buf + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			errf(err, errcap, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	fd = -1;
	slash = strrchr(path, '/');
	if (slash != NULL) {
		size_t dl = slash == path ? 1 : (size_t)(slash - path);

		dir = strndup(path, dl);
		if (dir == NULL) {
			errf(err, errcap, "%s: out of memory", path);
			goto fail;
		}
	}
	rc = sconf_parse(table, base, path, dir, buf != NULL ? buf : "", len,
	    err, errcap);
	free(dir);
	free(buf);
	return rc;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return -1;
}

/* ------------------------------------------------------------ describe */

/* Print one line at depth; within a commented-out part (cdepth >= 0) the
 * '#' goes after cdepth tabs, so deleting it gives the live line. */
static void
put_line(FILE *f, unsigned int depth, int cdepth, const char *text)
{
	unsigned int i;

	if (cdepth >= 0) {
		for (i = 0; i < (unsigned int)cdepth; i++)
			fputc('\t', f);
		fputc('#', f);
		for (; i < depth; i++)
			fputc('\t', f);
	} else {
		for (i = 0; i < depth; i++)
			fputc('\t', f);
	}
	fputs(text, f);
	fputc('\n', f);
}

/* The description as "# " comment lines of about 72 columns. */
static void
put_doc(FILE *f, unsigned int depth, int cdepth, const char *doc)
{
	int width = 72 - 8 * (int)depth;
	char line[256];
	size_t n = 0, wl;
	const char *w = doc;

	if (width < 40)
		width = 40;
	while (*w != '\0') {
		while (*w == ' ')
			w++;
		if (*w == '\0')
			break;
		wl = strcspn(w, " ");
		if (wl > 200)
			wl = 200;
		if (n > 2 && n + 1 + wl > (size_t)width) {
			line[n] = '\0';
			put_line(f, depth, cdepth, line);
			n = 0;
		}
		if (n == 0) {
			memcpy(line, "#", 1);
			n = 1;
		}
		line[n++] = ' ';
		memcpy(line + n, w, wl);
		n += wl;
		w += wl;
	}
	if (n > 0) {
		line[n] = '\0';
		put_line(f, depth, cdepth, line);
	}
}

static void describe_block(FILE *f, const struct sconf_key *t,
    unsigned int depth, int cdepth);

/* Full description: the doc plus what the type says. */
static void
key_doc(FILE *f, const struct sconf_key *k, unsigned int depth, int cdepth)
{
	char doc[2048], extra[512];
	const struct sconf_key *vk = k->type == SCONF_LIST ? k->item : k;

	extra[0] = '\0';
	if (vk->type == SCONF_ENUM) {
		char want[256];

		format_choices(want, sizeof(want), vk->choices);
		snprintf(extra, sizeof(extra), " One of: %s.", want);
	} else if (vk->type == SCONF_BOOL) {
		snprintf(extra, sizeof(extra), " true or false.");
	} else if (vk->type == SCONF_DURATION) {
		snprintf(extra, sizeof(extra), " A duration (30s, 5m, 1h).");
	}
	snprintf(doc, sizeof(doc), "%s%s%s", k->doc != NULL ? k->doc : "",
	    extra, (k->flags & SCONF_REQUIRED) != 0 ? " Required." : "");
	put_doc(f, depth, cdepth, doc);
}

static void
describe_key(FILE *f, const struct sconf_key *k, unsigned int depth,
    int cdepth)
{
	char line[SCONF_MAX_LINE + 128];
	int cd;

	key_doc(f, k, depth, cdepth);
	switch (k->type) {
	case SCONF_BLOCK:
		snprintf(line, sizeof(line), "%s:", k->name);
		put_line(f, depth, cdepth, line);
		describe_block(f, k->sub, depth + 1, cdepth);
		break;
	case SCONF_LIST: {
		const char *items = k->def != NULL ? k->def : k->example;

		cd = k->def != NULL ? cdepth : cdepth >= 0 ? cdepth : (int)depth;
		snprintf(line, sizeof(line), "%s:", k->name);
		put_line(f, depth, cd, line);
		if (k->item->type == SCONF_BLOCK) {
			put_line(f, depth + 1, cd, "-");
			describe_block(f, k->item->sub, depth + 2, cd);
			break;
		}
		while (items != NULL && *items != '\0') {
			size_t il = strcspn(items, "\n");

			snprintf(line, sizeof(line), "- %.*s", (int)il, items);
			put_line(f, depth + 1, cd, line);
			items += il;
			if (*items == '\n')
				items++;
		}
		break;
	}
	default:
		if (k->def != NULL) {
			snprintf(line, sizeof(line), "%s: %s", k->name, k->def);
			put_line(f, depth, cdepth, line);
		} else {
			cd = cdepth >= 0 ? cdepth : (int)depth;
			if (k->example != NULL)
				snprintf(line, sizeof(line), "%s: %s", k->name,
				    k->example);
			else
				snprintf(line, sizeof(line), "%s:", k->name);
			put_line(f, depth, cd, line);
		}
		break;
	}
}

static void
describe_block(FILE *f, const struct sconf_key *t, unsigned int depth,
    int cdepth)
{
	const struct sconf_key *k;

	for (k = t; k->name != NULL; k++) {
		/* A blank line between the keys of the outer two levels. */
		if (depth <= 1 && cdepth < 0 && k != t)
			fputc('\n', f);
		describe_key(f, k, depth, cdepth);
	}
}

void
sconf_describe(FILE *f, const struct sconf_key *table)
{
	describe_block(f, table, 0, -1);
}
