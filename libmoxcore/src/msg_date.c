/* SPDX-License-Identifier: MIT */
/*
 * msg_date.c -- RFC 5322 3.3 date-time with the obsolete forms of 4.3.
 */
#include <string.h>

#include <mox/message.h>

#include "base.h"
#include "msg-int.h"

struct dcur {
	const uint8_t *p;
	size_t len;
	size_t pos;
};

/* CFWS; an unterminated comment runs to the end (harmless here). */
static void
dskip(struct dcur *c)
{
	while (c->pos < c->len) {
		uint8_t ch = c->p[c->pos];

		if (msg_isfws(ch)) {
			c->pos++;
		} else if (ch == '(') {
			size_t depth = 0;

			do {
				ch = c->p[c->pos];
				if (ch == '\\')
					c->pos++;
				else if (ch == '(')
					depth++;
				else if (ch == ')')
					depth--;
				c->pos++;
			} while (c->pos < c->len && depth > 0);
			if (c->pos > c->len)
				c->pos = c->len;
		} else {
			break;
		}
	}
}

/* Up to max digits; returns the count (0: none). */
static size_t
ddigits(struct dcur *c, size_t max, int *v)
{
	size_t n = 0;

	*v = 0;
	while (c->pos < c->len && mox__isdigit(c->p[c->pos])) {
		if (n == max)
			return max + 1;
		*v = *v * 10 + (c->p[c->pos] - '0');
		c->pos++;
		n++;
	}
	return n;
}

static size_t
dalpha(struct dcur *c, const uint8_t **s)
{
	size_t st = c->pos;

	*s = c->p + st;
	while (c->pos < c->len && mox__isalpha(c->p[c->pos]))
		c->pos++;
	return c->pos - st;
}

static const char wdays[7][4] = { "sun", "mon", "tue", "wed", "thu", "fri",
	"sat" };
static const char months[12][4] = { "jan", "feb", "mar", "apr", "may",
	"jun", "jul", "aug", "sep", "oct", "nov", "dec" };

static int
lookup3(const uint8_t *s, size_t n, const char (*tab)[4], int count)
{
	int i;

	if (n < 3)
		return -1;
	for (i = 0; i < count; i++) {
		if (mox__lower(s[0]) == tab[i][0] &&
		    mox__lower(s[1]) == tab[i][1] &&
		    mox__lower(s[2]) == tab[i][2])
			return i;
	}
	return -1;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
dim(int y, int m)
{
	static const int n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return n[m - 1];
}

struct zname {
	const char *name;
	int minutes;
};

/* RFC 5322 4.3 obs-zone */
static const struct zname znames[] = {
	{ "ut", 0 }, { "gmt", 0 }, { "utc", 0 },
	{ "est", -300 }, { "edt", -240 }, { "cst", -360 }, { "cdt", -300 },
	{ "mst", -420 }, { "mdt", -360 }, { "pst", -480 }, { "pdt", -420 },
};

int
mox_msg_date_parse(mox_msg_date *out, const uint8_t *p, size_t len)
{
	struct dcur c;
	const uint8_t *s;
	size_t n;
	int wday = -1, day, mon, year, hour, min, sec = 0, zone = 0;
	bool zknown = true;
	unsigned int flags = 0, version;
	int64_t days;

	if (out == NULL || (p == NULL && len > 0))
		return MOX_EINVAL;
	version = out->version;
	if (version == 0 || version > MOX_MSG_DATE_VERSION)
		return MOX_EVERSION;
	c.p = p;
	c.len = len;
	c.pos = 0;

	dskip(&c);
	if (c.pos < c.len && mox__isalpha(c.p[c.pos])) {
		n = dalpha(&c, &s);
		wday = lookup3(s, n, wdays, 7);
		if (wday < 0)
			return MOX_ESYNTAX;
		dskip(&c);
		if (c.pos < c.len && c.p[c.pos] == ',')
			c.pos++;
		dskip(&c);
	}
	n = ddigits(&c, 2, &day);
	if (n == 0 || n > 2)
		return MOX_ESYNTAX;
	dskip(&c);
	n = dalpha(&c, &s);
	mon = lookup3(s, n, months, 12);
	if (mon < 0)
		return MOX_ESYNTAX;
	mon++;
	dskip(&c);
	n = ddigits(&c, 4, &year);
	if (n < 2 || n > 4)
		return MOX_ESYNTAX;
	if (n == 2) {
		/* RFC 5322 4.3 */
		year += year < 50 ? 2000 : 1900;
		flags |= MOX_MSG_DATE_OBSOLETE;
	} else if (n == 3) {
		year += 1900;
		flags |= MOX_MSG_DATE_OBSOLETE;
	}
	dskip(&c);
	n = ddigits(&c, 2, &hour);
	if (n == 0 || n > 2)
		return MOX_ESYNTAX;
	dskip(&c);
	if (c.pos >= c.len || c.p[c.pos] != ':')
		return MOX_ESYNTAX;
	c.pos++;
	dskip(&c);
	n = ddigits(&c, 2, &min);
	if (n != 2)
		return MOX_ESYNTAX;
	dskip(&c);
	if (c.pos < c.len && c.p[c.pos] == ':') {
		c.pos++;
		dskip(&c);
		n = ddigits(&c, 2, &sec);
		if (n != 2)
			return MOX_ESYNTAX;
		dskip(&c);
	} else {
		flags |= MOX_MSG_DATE_OBSOLETE;
	}
	if (c.pos >= c.len) {
		flags |= MOX_MSG_DATE_NO_ZONE | MOX_MSG_DATE_OBSOLETE;
		zknown = false;
	} else if (c.p[c.pos] == '+' || c.p[c.pos] == '-') {
		bool neg = c.p[c.pos] == '-';
		int v;

		c.pos++;
		if (ddigits(&c, 4, &v) != 4)
			return MOX_ESYNTAX;
		if (v % 100 > 59)
			return MOX_ERANGE;
		zone = (v / 100) * 60 + v % 100;
		if (neg)
			zone = -zone;
		/* RFC 5322 3.3: -0000 means no information. */
		if (v == 0 && neg)
			zknown = false;
	} else if (mox__isalpha(c.p[c.pos])) {
		size_t i;
		bool found = false;

		n = dalpha(&c, &s);
		flags |= MOX_MSG_DATE_OBSOLETE;
		for (i = 0; i < sizeof(znames) / sizeof(znames[0]); i++) {
			if (mox__memcaseeq(s, n, znames[i].name)) {
				zone = znames[i].minutes;
				found = true;
				break;
			}
		}
		if (!found) {
			/* Military letters (RFC 5322 4.3: their meaning was
			 * botched in RFC 822, so -0000) and unknown names
			 * (CET, JST, ...) give an unknown zone. */
			if (n > 5)
				return MOX_ESYNTAX;
			zone = 0;
			zknown = false;
		}
	} else {
		return MOX_ESYNTAX;
	}
	dskip(&c);
	if (c.pos != c.len)
		return MOX_ESYNTAX;

	if (day < 1 || day > dim(year, mon) || hour > 23 || min > 59 ||
	    sec > 60)
		return MOX_ERANGE;
	days = days_from_civil(year, mon, day);
	if (wday >= 0) {
		int64_t w = (days + 4) % 7;

		if (w < 0)
			w += 7;
		if (w != wday)
			flags |= MOX_MSG_DATE_BAD_WEEKDAY;
	}
	memset(out, 0, sizeof(*out));
	out->version = version;
	out->unix_seconds = days * 86400 + hour * 3600 + min * 60 + sec -
	    (int64_t)zone * 60;
	out->zone_minutes = zknown ? zone : 0;
	out->zone_known = zknown;
	out->flags = flags;
	return MOX_OK;
}
