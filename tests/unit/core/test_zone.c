/* SPDX-License-Identifier: MIT */
/*
 * test_zone.c -- the zone text parser (zone.c) and the presentation format
 * (rrfmt.c): every syntax feature, every type, every error with its message
 * and line, the format/parse round trip, and allocation failures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dns-int.h"

/* --- a sink that keeps everything --- */

struct rec {
	uint8_t owner[CORE_NAME_WIRE_MAX];
	size_t ownerlen;
	uint16_t type;
	uint32_t ttl;
	uint8_t *rdata;
	size_t rdlen;
	bool authentic;
	int forced; /* for force entries: the result; else -1 */
};

struct coll {
	struct rec *recs;
	size_t n;
	size_t cap;
	int fail_with; /* returned by the sink when non-zero */
};

static int
coll_push(struct coll *c, const uint8_t *owner, size_t ownerlen,
    uint16_t type, uint32_t ttl, const uint8_t *rdata, size_t rdlen,
    bool authentic, int forced)
{
	struct rec *r;

	if (c->fail_with != 0)
		return c->fail_with;
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->recs = realloc(c->recs, c->cap * sizeof(*c->recs));
		assert_non_null(c->recs);
	}
	r = &c->recs[c->n++];
	memset(r, 0, sizeof(*r));
	memcpy(r->owner, owner, ownerlen);
	r->ownerlen = ownerlen;
	r->type = type;
	r->ttl = ttl;
	r->rdata = malloc(rdlen ? rdlen : 1);
	assert_non_null(r->rdata);
	if (rdlen)
		memcpy(r->rdata, rdata, rdlen);
	r->rdlen = rdlen;
	r->authentic = authentic;
	r->forced = forced;
	return MOX_OK;
}

static int
sink_rr(void *arg, const uint8_t *owner, size_t ownerlen, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, size_t rdlen, bool authentic)
{
	return coll_push(arg, owner, ownerlen, type, ttl, rdata, rdlen,
	    authentic, -1);
}

static int
sink_force(void *arg, const uint8_t *name, size_t namelen, int result)
{
	return coll_push(arg, name, namelen, 0, 0, NULL, 0, false, result);
}

static void
coll_free(struct coll *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->recs[i].rdata);
	free(c->recs);
	memset(c, 0, sizeof(*c));
}

static char errbuf[1024];

static int
parse(struct coll *c, const char *text, const char *origin)
{
	struct core_zone_sink sink = { sink_rr, sink_force, c };

	return core_zone_parse(text, strlen(text), origin, &sink, errbuf,
	    sizeof(errbuf));
}

/* Parse text that must load; returns the records (caller frees). */
static struct coll
ok(const char *text)
{
	struct coll c = { 0 };
	int rc = parse(&c, text, NULL);

	if (rc != MOX_OK)
		fail_msg("unexpected error %d: %s\nzone:\n%s", rc, errbuf,
		    text);
	return c;
}

/* Parse text that must fail with MOX_ESYNTAX and exactly this message. */
static void
bad(const char *text, const char *msg)
{
	struct coll c = { 0 };
	int rc = parse(&c, text, NULL);

	if (rc != MOX_ESYNTAX)
		fail_msg("zone %s: rc %d, want MOX_ESYNTAX", text, rc);
	if (strcmp(errbuf, msg) != 0)
		fail_msg("zone %s:\n got: %s\nwant: %s", text, errbuf, msg);
	coll_free(&c);
}

/* Owner name in presentation form, for comparisons. */
static const char *
owner_text(const struct rec *r)
{
	static char buf[1024];
	mox__sbuf sb;

	mox__sbuf_init(&sb, buf, sizeof(buf));
	core_name_wire_to_text(&sb, r->owner, r->ownerlen);
	return buf;
}

static void
check_rdata(const struct rec *r, const void *want, size_t len)
{
	if (r->rdlen != len || memcmp(r->rdata, want, len) != 0) {
		char got[512] = "", *p = got;

		for (size_t i = 0; i < r->rdlen && i < 100; i++)
			p += snprintf(p, 8, "%02x", r->rdata[i]);
		fail_msg("rdata of %s type %u: got %s (%zu octets), want %zu "
		    "octets", owner_text(r), r->type, got, r->rdlen, len);
	}
}

/* One record line (with $ORIGIN example.) that must give this rdata. */
static void
one(const char *line, uint16_t type, const void *rdata, size_t len)
{
	char text[70000];
	struct coll c;

	snprintf(text, sizeof(text), "$ORIGIN example.\n%s\n", line);
	c = ok(text);
	if (c.n != 1)
		fail_msg("%s: %zu records", line, c.n);
	assert_int_equal(c.recs[0].type, type);
	check_rdata(&c.recs[0], rdata, len);
	coll_free(&c);
}

#define ONE(line, type, lit) one(line, type, lit, sizeof(lit) - 1)

/* --- syntax --- */

static void
basic_record(void **state)
{
	struct coll c;

	(void)state;
	c = ok("a.example. 300 IN A 192.0.2.1\n");
	assert_int_equal(c.n, 1);
	assert_string_equal(owner_text(&c.recs[0]), "a.example");
	assert_int_equal(c.recs[0].type, MOX_DNS_A);
	assert_int_equal(c.recs[0].ttl, 300);
	assert_false(c.recs[0].authentic);
	check_rdata(&c.recs[0], "\xc0\x00\x02\x01", 4);
	coll_free(&c);

	/* No newline at the end, CRLF line ends, empty input. */
	c = ok("a. A 1.2.3.4");
	assert_int_equal(c.n, 1);
	coll_free(&c);
	c = ok("a. A 1.2.3.4\r\nb. A 1.2.3.5\r\n\r\n");
	assert_int_equal(c.n, 2);
	assert_string_equal(owner_text(&c.recs[1]), "b");
	coll_free(&c);
	c = ok("");
	assert_int_equal(c.n, 0);
	coll_free(&c);
	c = ok("\n\n  \n\t; only a comment\n;\n");
	assert_int_equal(c.n, 0);
	coll_free(&c);
}

static void
ttl_and_class_order(void **state)
{
	const char *lines[] = {
		"a. 300 IN A 1.2.3.4", "a. IN 300 A 1.2.3.4",
		"a. 300 A 1.2.3.4", "a. in 5m a 1.2.3.4",
		"a. CLASS1 300 A 1.2.3.4", "a. 300 class1 A 1.2.3.4",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(*lines); i++) {
		struct coll c = ok(lines[i]);

		assert_int_equal(c.n, 1);
		assert_int_equal(c.recs[0].ttl, 300);
		assert_int_equal(c.recs[0].type, MOX_DNS_A);
		coll_free(&c);
	}
	bad("a. 300 IN 300 A 1.2.3.4", "line 1: second TTL \"300\"");
	bad("a. IN IN A 1.2.3.4", "line 1: second class \"IN\"");
	bad("a. CH TXT x", "line 1: class \"CH\" not supported (only IN)");
	bad("a. HS TXT x", "line 1: class \"HS\" not supported (only IN)");
	bad("a. 1 CLASS3 TXT x",
	    "line 1: class \"CLASS3\" not supported (only IN)");
	bad("a. ANY A 1.2.3.4",
	    "line 1: class \"ANY\" not supported (only IN)");
}

static void
ttl_defaults(void **state)
{
	struct coll c;

	(void)state;
	/* Without $TTL: 3600, then the previous record's TTL. */
	c = ok("a. A 1.2.3.4\nb. 60 A 1.2.3.4\nc. A 1.2.3.4\n"
	       "d. IN A 1.2.3.4\n");
	assert_int_equal(c.n, 4);
	assert_int_equal(c.recs[0].ttl, 3600);
	assert_int_equal(c.recs[1].ttl, 60);
	assert_int_equal(c.recs[2].ttl, 60);
	assert_int_equal(c.recs[3].ttl, 60);
	coll_free(&c);

	/* RFC 2308: $TTL is the default from then on. */
	c = ok("a. 7 A 1.2.3.4\nb. A 1.2.3.4\n$TTL 1h\nc. A 1.2.3.4\n"
	       "d. 5 A 1.2.3.4\ne. A 1.2.3.4\n$ttl 120\nf. A 1.2.3.4\n");
	assert_int_equal(c.n, 6);
	assert_int_equal(c.recs[0].ttl, 7);
	assert_int_equal(c.recs[1].ttl, 7);
	assert_int_equal(c.recs[2].ttl, 3600);
	assert_int_equal(c.recs[3].ttl, 5);
	assert_int_equal(c.recs[4].ttl, 3600);
	assert_int_equal(c.recs[5].ttl, 120);
	coll_free(&c);
}

static void
ttl_units(void **state)
{
	static const struct {
		const char *ttl;
		uint32_t want;
	} good[] = {
		{ "0", 0 }, { "1h30m", 5400 }, { "1H30M", 5400 },
		{ "1w2d3h4m5s", 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5 },
		{ "2W", 1209600 }, { "1h30", 3630 }, { "90s", 90 },
		{ "4294967295", 4294967295u }, { "1d", 86400 },
		{ "0010", 10 },
	};
	static const char *const wrong[] = {
		"1x", "4294967296", "7102w", "1h4294967295", "1.5h", "1-1",
	};
	char line[128], msg[128];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		struct coll c;

		snprintf(line, sizeof(line), "a. %s A 1.2.3.4", good[i].ttl);
		c = ok(line);
		assert_int_equal(c.recs[0].ttl, good[i].want);
		coll_free(&c);
		snprintf(line, sizeof(line), "$TTL %s\na. A 1.2.3.4",
		    good[i].ttl);
		c = ok(line);
		assert_int_equal(c.recs[0].ttl, good[i].want);
		coll_free(&c);
	}
	for (size_t i = 0; i < sizeof(wrong) / sizeof(*wrong); i++) {
		snprintf(line, sizeof(line), "a. %s A 1.2.3.4", wrong[i]);
		snprintf(msg, sizeof(msg), "line 1: bad TTL \"%s\"", wrong[i]);
		bad(line, msg);
		snprintf(line, sizeof(line), "\n$TTL %s", wrong[i]);
		snprintf(msg, sizeof(msg), "line 2: bad TTL \"%s\"", wrong[i]);
		bad(line, msg);
	}
	/* Not starting with a digit: taken as a type. */
	bad("a. h1 A 1.2.3.4", "line 1: unknown type \"h1\"");
	bad("$TTL", "line 1: missing TTL after $TTL");
	bad("$TTL 1 2", "line 1: trailing garbage \"2\"");
}

static void
names_and_origin(void **state)
{
	struct coll c;
	struct core_zone_sink sink;

	(void)state;
	c = ok("$ORIGIN example.com.\n"
	       "www A 1.2.3.4\n"
	       "@ A 1.2.3.4\n"
	       "abs.other. A 1.2.3.4\n"
	       "$ORIGIN sub\n" /* relative: sub.example.com. */
	       "x A 1.2.3.4\n"
	       "@ MX 10 mail\n"
	       "$ORIGIN .\n"
	       "top A 1.2.3.4\n"
	       "@ A 1.2.3.4\n"
	       "$origin Example.NET.\n"
	       "MiXed A 1.2.3.4\n"
	       "a\\.b A 1.2.3.4\n"
	       "a\\046c A 1.2.3.4\n"
	       "sp\\ ace A 1.2.3.4\n");
	assert_int_equal(c.n, 11);
	assert_string_equal(owner_text(&c.recs[0]), "www.example.com");
	assert_string_equal(owner_text(&c.recs[1]), "example.com");
	assert_string_equal(owner_text(&c.recs[2]), "abs.other");
	assert_string_equal(owner_text(&c.recs[3]), "x.sub.example.com");
	assert_string_equal(owner_text(&c.recs[4]), "sub.example.com");
	check_rdata(&c.recs[4], "\x00\x0a\x04mail\x03sub\x07""example\x03""com",
	    24);
	assert_string_equal(owner_text(&c.recs[5]), "top");
	assert_string_equal(owner_text(&c.recs[6]), "");
	assert_string_equal(owner_text(&c.recs[7]), "MiXed.Example.NET");
	assert_string_equal(owner_text(&c.recs[8]), "a\\.b.Example.NET");
	assert_int_equal(c.recs[8].owner[0], 3);
	assert_string_equal(owner_text(&c.recs[9]), "a\\.c.Example.NET");
	assert_string_equal(owner_text(&c.recs[10]), "sp\\032ace.Example.NET");
	coll_free(&c);

	/* The origin argument, with or without trailing dot. */
	memset(&c, 0, sizeof(c));
	sink.rr = sink_rr;
	sink.force = sink_force;
	sink.arg = &c;
	assert_int_equal(core_zone_parse("www A 1.2.3.4\n@ A 1.2.3.4", 25,
	    "example.org", &sink, errbuf, sizeof(errbuf)), MOX_OK);
	assert_int_equal(c.n, 2);
	assert_string_equal(owner_text(&c.recs[0]), "www.example.org");
	assert_string_equal(owner_text(&c.recs[1]), "example.org");
	coll_free(&c);
	sink.arg = &c;
	assert_int_equal(core_zone_parse("www A 1.2.3.4", 13, "example.org.",
	    &sink, errbuf, sizeof(errbuf)), MOX_OK);
	assert_string_equal(owner_text(&c.recs[0]), "www.example.org");
	coll_free(&c);
	sink.arg = &c;
	assert_int_equal(core_zone_parse("www A 1.2.3.4", 13, "a..b", &sink,
	    errbuf, sizeof(errbuf)), MOX_EINVAL);
	assert_string_equal(errbuf, "bad origin \"a..b\": empty label");
	assert_int_equal(c.n, 0);

	bad("a..b A 1.2.3.4", "line 1: bad owner name \"a..b\": empty label");
	bad("\"a\" A 1.2.3.4", "line 1: bad owner name \"a\": quoted");
	bad("a\\999 A 1.2.3.4",
	    "line 1: bad owner name \"a\\999\": bad escape");
	{
		/* A label of 64: the message shows 64 octets of the token. */
		char line[128], msg[160], a64[65];

		memset(a64, 'a', 64);
		a64[64] = '\0';
		snprintf(line, sizeof(line), "%s. A 1.2.3.4", a64);
		snprintf(msg, sizeof(msg), "line 1: bad owner name \"%s...\": "
		    "name or label too long", a64);
		bad(line, msg);
		snprintf(line, sizeof(line), "x. A%s 1.2.3.4", a64);
		snprintf(msg, sizeof(msg), "line 1: unknown type \"A%.63s...\"",
		    a64);
		bad(line, msg);
		/* Non-printable octets are shown as \DDD. */
		bad("x. \001\177 1", "line 1: unknown type \"\\001\\127\"");
	}
	bad("$ORIGIN", "line 1: missing name after $ORIGIN");
	bad("$ORIGIN a..", "line 1: bad $ORIGIN name \"a..\": empty label");
	bad("$ORIGIN a. b.", "line 1: trailing garbage \"b.\"");
	bad("a CNAME b..", "line 1: bad target name \"b..\": empty label");
}

static void
long_names(void **state)
{
	char line[1024], label[64];
	struct coll c;

	(void)state;
	/* 4 labels of 63: 4 * 64 + 1 = 257 octets, too long; 3 labels of 63
	 * and one of 61: 255. */
	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(line, sizeof(line), "%s.%s.%s.%.61s. A 1.2.3.4", label,
	    label, label, label);
	c = ok(line);
	assert_int_equal(c.recs[0].ownerlen, 255);
	coll_free(&c);
	snprintf(line, sizeof(line), "%s.%s.%s.%.62s. A 1.2.3.4", label,
	    label, label, label);
	{
		struct coll c2 = { 0 };

		assert_int_equal(parse(&c2, line, NULL), MOX_ESYNTAX);
		assert_non_null(strstr(errbuf, "name or label too long"));
		coll_free(&c2);
	}
	/* Relative name that overflows only with the origin. */
	snprintf(line, sizeof(line), "$ORIGIN %s.%s.\n%s.%.62s A 1.2.3.4",
	    label, label, label, label);
	{
		struct coll c2 = { 0 };

		assert_int_equal(parse(&c2, line, NULL), MOX_ESYNTAX);
		assert_non_null(strstr(errbuf, "line 2: bad owner name"));
		coll_free(&c2);
	}
}

static void
owner_carried_over(void **state)
{
	struct coll c;

	(void)state;
	c = ok("$ORIGIN example.\n"
	       "a A 1.2.3.4\n"
	       "  A 1.2.3.5\n"
	       "\tTXT \"x\"\n"
	       "; comment\n"
	       "\n"
	       " 60 IN MX 1 mx\n"
	       "$TTL 5\n" /* directives do not reset the owner */
	       "  AAAA ::1\n"
	       "b A 1.1.1.1\n"
	       "\tA 2.2.2.2\n");
	assert_int_equal(c.n, 7);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(owner_text(&c.recs[i]), "a.example");
	assert_int_equal(c.recs[3].ttl, 60);
	assert_int_equal(c.recs[4].ttl, 5);
	assert_string_equal(owner_text(&c.recs[6]), "b.example");
	coll_free(&c);

	bad(" A 1.2.3.4", "line 1: no owner name (the line starts with white "
	    "space and no record came before)");
	bad("\n\n\tA 1.2.3.4", "line 3: no owner name (the line starts with "
	    "white space and no record came before)");
}

static void
parentheses_and_comments(void **state)
{
	struct coll c;

	(void)state;
	c = ok("$ORIGIN example.\n"
	       "@ 3600 IN SOA ns1 hostmaster ( ; comment\n"
	       "      2024010101 ; serial\n"
	       "      1h         ; refresh\n"
	       "      15m\n"
	       "\n"
	       "      1w 5m )    ; the end\n"
	       "txt TXT \"semi;colon (paren)\" ; real comment \"quoted\"\n"
	       "p ( A\n 1.2.3.4 )\n"
	       "q (\n) A 1.2.3.5\n"
	       "r A 1.2.3.6 ( )\n");
	assert_int_equal(c.n, 5);
	assert_int_equal(c.recs[0].type, MOX_DNS_SOA);
	check_rdata(&c.recs[0],
	    "\x03ns1\x07""example\x00\x0ahostmaster\x07""example\x00"
	    "\x78\xa3\xf1\x75\x00\x00\x0e\x10\x00\x00\x03\x84"
	    "\x00\x09\x3a\x80\x00\x00\x01\x2c", 53);
	check_rdata(&c.recs[1], "\x12semi;colon (paren)", 19);
	assert_string_equal(owner_text(&c.recs[2]), "p.example");
	check_rdata(&c.recs[3], "\x01\x02\x03\x05", 4);
	check_rdata(&c.recs[4], "\x01\x02\x03\x06", 4);
	coll_free(&c);

	/* Line numbers after multi-line records. */
	bad("a. SOA ns. h. (\n1\n2\n3\n4\n5 )\nb. A 1.2.3\n",
	    "line 7: bad IPv4 address \"1.2.3\"");
	/* Errors inside a multi-line record name its first line. */
	bad("\n\na. SOA ns. h. (\n1\n2\nx\n4\n5 )\n",
	    "line 3: bad SOA retry \"x\"");
	bad("a. A 1.2.3.4 )", "line 1: ')' without '('");
	bad(")", "line 1: ')' without '('");
	bad("a. SOA ns. h. ( 1 2 3 4 5\n\n", "line 1: missing ')'");
	bad("\na. ( TXT ( x ) )", "line 2: nested '('");
}

static void
quoted_strings_and_escapes(void **state)
{
	(void)state;
	ONE("t TXT \"a\\\"b\\\\c\\059\\255\\000\"", MOX_DNS_TXT,
	    "\x08""a\"b\\c;\xff\x00");
	ONE("t TXT a\\ b\\\"c", MOX_DNS_TXT, "\x05""a b\"c");
	ONE("t TXT \"\"", MOX_DNS_TXT, "\x00");
	ONE("t TXT \"x\" y \"\" \"z z\"", MOX_DNS_TXT,
	    "\x01x\x01y\x00\x03z z");
	ONE("t TXT \"tab\there\"", MOX_DNS_TXT, "\x08tab\there");
	ONE("t TXT \"\\X\\.\"", MOX_DNS_TXT, "\x02X.");
	ONE("t TXT x\"y\"", MOX_DNS_TXT, "\x01x\x01y");
	ONE("t TXT \"(not) a ; comment\"", MOX_DNS_TXT,
	    "\x11(not) a ; comment");

	bad("t. TXT \"abc", "line 1: unterminated quoted string");
	bad("t. TXT \"abc\ndef\"", "line 1: unterminated quoted string (end "
	    "of line inside quotes)");
	bad("t. TXT \"abc\\\ndef\"", "line 1: unterminated quoted string (end "
	    "of line inside quotes)");
	bad("t. TXT \"a\\256\"",
	    "line 1: bad escape in \"a\\256\": \\DDD above 255");
	bad("t. TXT \"a\\25\"",
	    "line 1: bad escape in \"a\\25\": \\DDD needs three digits");
	bad("t. TXT a\\2x5",
	    "line 1: bad escape in \"a\\2x5\": \\DDD needs three digits");
	bad("t. TXT a\\", "line 1: backslash at end of input");
	bad("t. TXT a\\\nb", "line 1: backslash at end of line");
	bad("t. TXT \"a\\", "line 1: unterminated quoted string");
}

static void
nul_bytes(void **state)
{
	struct core_zone_sink sink;
	struct coll c = { 0 };
	static const char *const texts[] = {
		"a. TXT x\0y", "a. TXT \"x\0y\"", "a. TXT x\\\0", "\0",
		"a. TXT \"\\\0\"", "a. TXT x\n\0",
	};
	static const size_t lens[] = { 10, 12, 10, 1, 11, 10 };

	(void)state;
	sink.rr = sink_rr;
	sink.force = sink_force;
	sink.arg = &c;
	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		assert_int_equal(core_zone_parse(texts[i], lens[i], NULL,
		    &sink, errbuf, sizeof(errbuf)), MOX_ESYNTAX);
		assert_non_null(strstr(errbuf, "NUL byte in zone text"));
	}
	coll_free(&c);
	/* A NUL in a comment is only a comment. */
	sink.arg = &c;
	assert_int_equal(core_zone_parse("a. A 1.2.3.4 ;\0x\n", 17, NULL,
	    &sink, errbuf, sizeof(errbuf)), MOX_OK);
	assert_int_equal(c.n, 1);
	coll_free(&c);
	/* Exact lengths: nothing after len is read. */
	sink.arg = &c;
	assert_int_equal(core_zone_parse("a. A 1.2.3.4garbage", 12, NULL,
	    &sink, errbuf, sizeof(errbuf)), MOX_OK);
	assert_int_equal(c.n, 1);
	coll_free(&c);
}

static void
txt_limits(void **state)
{
	char *text;
	struct coll c;
	size_t o;

	(void)state;
	text = malloc(200000);
	assert_non_null(text);
	/* 255 octets is fine, 256 is not. */
	o = (size_t)snprintf(text, 200000, "t. TXT \"");
	memset(text + o, 'x', 255);
	o += 255;
	memcpy(text + o, "\"", 2);
	c = ok(text);
	assert_int_equal(c.recs[0].rdlen, 256);
	coll_free(&c);
	o = (size_t)snprintf(text, 200000, "t. SPF ");
	memset(text + o, 'x', 256);
	text[o + 256] = '\0';
	bad(text, "line 1: SPF string longer than 255 octets");
	o = (size_t)snprintf(text, 200000, "t. TXT \"");
	for (int i = 0; i < 256; i++)
		o += (size_t)snprintf(text + o, 200000 - o, "\\%03d", i);
	memcpy(text + o, "\"", 2);
	bad(text, "line 1: TXT string longer than 255 octets");

	/* 257 strings of 254 octets: 65535 is fine... */
	o = (size_t)snprintf(text, 200000, "t. TXT");
	for (int i = 0; i < 257; i++) {
		text[o++] = ' ';
		memset(text + o, 'y', 254);
		o += 254;
	}
	text[o] = '\0';
	c = ok(text);
	assert_int_equal(c.recs[0].rdlen, 65535);
	coll_free(&c);
	/* ...one octet more is not. */
	memcpy(text + o, " z", 3);
	bad(text, "line 1: rdata longer than 65535 octets");
	free(text);
}

/* --- types --- */

static void
type_a_aaaa(void **state)
{
	(void)state;
	ONE("h A 10.0.0.1", MOX_DNS_A, "\x0a\x00\x00\x01");
	ONE("h AAAA 2001:db8::1", MOX_DNS_AAAA,
	    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01");
	ONE("h AAAA ::ffff:1.2.3.4", MOX_DNS_AAAA,
	    "\0\0\0\0\0\0\0\0\0\0\xff\xff\x01\x02\x03\x04");
	bad("h. A 1.2.3", "line 1: bad IPv4 address \"1.2.3\"");
	bad("h. A ::1", "line 1: bad IPv4 address \"::1\"");
	bad("h. A \"1.2.3.4\"", "line 1: bad IPv4 address \"1.2.3.4\"");
	bad("h. AAAA 1.2.3.4", "line 1: bad IPv6 address \"1.2.3.4\"");
	bad("h. AAAA 1::2::3", "line 1: bad IPv6 address \"1::2::3\"");
	bad("h. A", "line 1: missing IPv4 address");
	bad("h. AAAA", "line 1: missing IPv6 address");
	bad("h. A 1.2.3.4 5.6.7.8", "line 1: trailing garbage \"5.6.7.8\"");
}

static void
type_names(void **state)
{
	(void)state;
	ONE("h NS ns1", MOX_DNS_NS, "\x03ns1\x07""example\x00");
	ONE("h CNAME x.y.", MOX_DNS_CNAME, "\x01x\x01y\x00");
	ONE("h PTR @", MOX_DNS_PTR, "\x07""example\x00");
	ONE("h CNAME .", MOX_DNS_CNAME, "\x00");
	ONE("h MX 10 mail", MOX_DNS_MX,
	    "\x00\x0a\x04mail\x07""example\x00");
	ONE("h MX 65535 .", MOX_DNS_MX, "\xff\xff\x00");
	ONE("_s._tcp SRV 0 5 5060 sip.x.", MOX_DNS_SRV,
	    "\x00\x00\x00\x05\x13\xc4\x03sip\x01x\x00");
	bad("h. NS", "line 1: missing target name");
	bad("h. MX mail.", "line 1: bad MX preference \"mail.\"");
	bad("h. MX 65536 mail.", "line 1: bad MX preference \"65536\"");
	bad("h. MX -1 mail.", "line 1: bad MX preference \"-1\"");
	bad("h. MX 10", "line 1: missing MX exchange");
	bad("h. MX 10 \"mail\"", "line 1: bad MX exchange \"mail\": quoted");
	bad("h. SRV 1 2 x y.", "line 1: bad SRV port \"x\"");
	bad("h. SRV 1 2", "line 1: missing SRV port");
	bad("h. SRV 1 2 3", "line 1: missing SRV target");
	bad("h. SRV 1 a", "line 1: bad SRV weight \"a\"");
	bad("h. SRV x", "line 1: bad SRV priority \"x\"");
	bad("h. CNAME a. b.", "line 1: trailing garbage \"b.\"");
}

static void
type_soa(void **state)
{
	(void)state;
	ONE("@ SOA ns. host.master. 4294967295 1 2 3 4", MOX_DNS_SOA,
	    "\x02ns\x00\x04host\x06master\x00\xff\xff\xff\xff"
	    "\0\0\0\x01\0\0\0\x02\0\0\0\x03\0\0\0\x04");
	ONE("@ SOA ns host 1 1d 2h 3w 4m", MOX_DNS_SOA,
	    "\x02ns\x07""example\x00\x04host\x07""example\x00\0\0\0\x01"
	    "\x00\x01\x51\x80\x00\x00\x1c\x20\x00\x1b\xaf\x80"
	    "\x00\x00\x00\xf0");
	bad("@ SOA ns. host. 1h 1 2 3 4", "line 1: bad SOA serial \"1h\"");
	bad("@ SOA ns. host. 4294967296 1 2 3 4",
	    "line 1: bad SOA serial \"4294967296\"");
	bad("@ SOA ns. host. 1 x 2 3 4", "line 1: bad SOA refresh \"x\"");
	bad("@ SOA ns. host. 1 1 2 3 x", "line 1: bad SOA minimum \"x\"");
	bad("@ SOA ns. host. 1 1 2 3", "line 1: missing SOA minimum");
	bad("@ SOA ns.", "line 1: missing SOA rname");
	bad("@ SOA ns. host. 1 1 2 3 4 5", "line 1: trailing garbage \"5\"");
	bad("@ SOA ns. host. 1 1 2 x 4", "line 1: bad SOA expire \"x\"");
}

static void
type_txt_spf(void **state)
{
	(void)state;
	ONE("t TXT v=spf1 -all", MOX_DNS_TXT, "\x06v=spf1\x04-all");
	ONE("t SPF \"v=spf1 -all\"", MOX_DNS_SPF, "\x0bv=spf1 -all");
	ONE("t TXT ( \"a\"\n \"b\" )", MOX_DNS_TXT, "\x01""a\x01""b");
	bad("t. TXT", "line 1: missing TXT string");
	bad("t. SPF ; nothing", "line 1: missing SPF string");
}

static void
type_tlsa_ds_sshfp(void **state)
{
	(void)state;
	ONE("_25._tcp TLSA 3 1 1 ( 0123 4567\n 89ab CDEF )", MOX_DNS_TLSA,
	    "\x03\x01\x01\x01\x23\x45\x67\x89\xab\xcd\xef");
	/* Digits split at odd places. */
	ONE("_25._tcp TLSA 3 1 1 0 12 345", MOX_DNS_TLSA,
	    "\x03\x01\x01\x01\x23\x45");
	ONE("d DS 60485 5 1 2BB183AF5F22588179A53B0A98631FAD1A292118",
	    MOX_DNS_DS, "\xec\x45\x05\x01\x2b\xb1\x83\xaf\x5f\x22\x58\x81"
	    "\x79\xa5\x3b\x0a\x98\x63\x1f\xad\x1a\x29\x21\x18");
	ONE("d DS 1 ECDSAP256SHA256 2 ab cd", MOX_DNS_DS,
	    "\x00\x01\x0d\x02\xab\xcd");
	ONE("d DS 1 rsasha256 2 ab", MOX_DNS_DS, "\x00\x01\x08\x02\xab");
	ONE("s SSHFP 4 2 ( 0a0b )", MOX_DNS_SSHFP, "\x04\x02\x0a\x0b");

	bad("t. TLSA 3 1 1", "line 1: missing TLSA data");
	bad("t. TLSA 3 1 1 abc", "line 1: odd number of hex digits in TLSA "
	    "data");
	bad("t. TLSA 3 1 1 ab cx", "line 1: bad hex in TLSA data \"cx\"");
	bad("t. TLSA 3 1 1 \"ab\"", "line 1: quoted string \"ab\" where hex "
	    "is expected");
	bad("t. TLSA 256 1 1 ab", "line 1: bad TLSA usage \"256\"");
	bad("t. TLSA 3 x 1 ab", "line 1: bad TLSA selector \"x\"");
	bad("t. TLSA 3 1 y ab", "line 1: bad TLSA matching type \"y\"");
	bad("d. DS 1 NOPE 2 ab", "line 1: bad algorithm \"NOPE\"");
	bad("d. DS 1 256 2 ab", "line 1: bad algorithm \"256\"");
	bad("d. DS 1 8 2", "line 1: missing DS digest");
	bad("d. DS 65536 8 2 ab", "line 1: bad DS key tag \"65536\"");
	bad("d. DS 1 8 x ab", "line 1: bad DS digest type \"x\"");
	bad("d. DS 1", "line 1: missing algorithm");
	bad("d. DS 1 \"8\" 2 ab", "line 1: quoted string \"8\" where a value "
	    "without quotes is expected");
	bad("s. SSHFP 1 1", "line 1: missing SSHFP fingerprint");
	bad("s. SSHFP 1 x ab", "line 1: bad SSHFP fingerprint type \"x\"");
	bad("s. SSHFP x", "line 1: bad SSHFP algorithm \"x\"");
}

static void
type_dnskey(void **state)
{
	(void)state;
	ONE("k DNSKEY 257 3 13 aGVsbG8gd29ybGQ=", MOX_DNS_DNSKEY,
	    "\x01\x01\x03\x0dhello world");
	ONE("k DNSKEY 256 3 ED25519 ( aGVs\n bG8g d29y bGQ= )",
	    MOX_DNS_DNSKEY, "\x01\x00\x03\x0fhello world");
	ONE("k DNSKEY 256 3 8 aGVsbG8", MOX_DNS_DNSKEY,
	    "\x01\x00\x03\x08hello");
	ONE("k DNSKEY 256 3 8 aGVsbA==", MOX_DNS_DNSKEY,
	    "\x01\x00\x03\x08hell");
	ONE("k DNSKEY 256 3 8 aGVsbA= =", MOX_DNS_DNSKEY,
	    "\x01\x00\x03\x08hell");
	ONE("k DNSKEY 256 3 8 aGVsbA", MOX_DNS_DNSKEY, "\x01\x00\x03\x08hell");
	ONE("k DNSKEY 256 3 8 aGVsbGxv", MOX_DNS_DNSKEY,
	    "\x01\x00\x03\x08helllo");
	bad("k. DNSKEY 256 3 8", "line 1: missing DNSKEY public key");
	bad("k. DNSKEY 256 3 8 a!==",
	    "line 1: bad base64 in DNSKEY public key \"a!==\"");
	bad("k. DNSKEY 256 3 8 a===",
	    "line 1: bad base64 in DNSKEY public key \"a===\"");
	bad("k. DNSKEY 256 3 8 aGVsbA==aGVs", "line 1: bad base64 in DNSKEY "
	    "public key \"aGVsbA==aGVs\": data after padding");
	bad("k. DNSKEY 256 3 8 aG=s",
	    "line 1: bad base64 in DNSKEY public key \"aG=s\"");
	bad("k. DNSKEY 256 3 8 aGVsb",
	    "line 1: truncated base64 in DNSKEY public key");
	bad("k. DNSKEY 65536 3 8 aGVs", "line 1: bad DNSKEY flags \"65536\"");
	bad("k. DNSKEY 1 x 8 aGVs", "line 1: bad DNSKEY protocol \"x\"");
	bad("k. DNSKEY 1 3 8 \"aGVs\"", "line 1: quoted string \"aGVs\" "
	    "where base64 is expected");
}

static void
type_caa(void **state)
{
	(void)state;
	ONE("c CAA 0 issue \"letsencrypt.org\"", MOX_DNS_CAA,
	    "\x00\x05issueletsencrypt.org");
	ONE("c CAA 128 tbs unquoted", MOX_DNS_CAA, "\x80\x03tbsunquoted");
	ONE("c CAA 0 iodef \"mailto:a@b \\\"x\\\"\"", MOX_DNS_CAA,
	    "\x00\x05iodefmailto:a@b \"x\"");
	ONE("c CAA 0 issue \"\"", MOX_DNS_CAA, "\x00\x05issue");
	bad("c. CAA 0 is-sue \"x\"", "line 1: bad CAA tag \"is-sue\": letters "
	    "and digits expected");
	bad("c. CAA 0 \"issue\" \"x\"", "line 1: bad CAA tag \"issue\": "
	    "letters and digits expected");
	bad("c. CAA 0 issue", "line 1: missing CAA value");
	bad("c. CAA 256 issue x", "line 1: bad CAA flags \"256\"");
	bad("c. CAA 0 issue a b", "line 1: trailing garbage \"b\"");
}

static void
type_generic(void **state)
{
	(void)state;
	ONE("x TYPE999 \\# 3 010203", 999, "\x01\x02\x03");
	ONE("x TYPE999 \\# 3 01 0203", 999, "\x01\x02\x03");
	ONE("x TYPE999 \\# 0", 999, "");
	ONE("x TYPE65535 \\# ( 2\n abCD )", 65535, "\xab\xcd");
	ONE("x A \\# 4 01020304", MOX_DNS_A, "\x01\x02\x03\x04");
	ONE("x TYPE1 1.2.3.4", MOX_DNS_A, "\x01\x02\x03\x04");
	ONE("x type16 \\# 2 0161", MOX_DNS_TXT, "\x01""a");
	ONE("x MX \\# 3 000a00", MOX_DNS_MX, "\x00\x0a\x00");
	ONE("x NSEC \\# 3 000001", MOX_DNS_NSEC, "\x00\x00\x01");
	ONE("x HINFO \\# 2 0000", 13, "\x00\x00");
	ONE("x CLASS1 TYPE500 \\# 1 ff", 500, "\xff");

	bad("x. TYPE999 \\# 3 0102", "line 1: \\# length 3 but 2 octets of "
	    "data");
	bad("x. TYPE999 \\# 1 0102",
	    "line 1: \\# data longer than the given length 1");
	bad("x. TYPE999 \\# x 01", "line 1: bad \\# length \"x\"");
	bad("x. TYPE999 \\# 65536", "line 1: bad \\# length \"65536\"");
	bad("x. TYPE999 \\#", "line 1: missing \\# length");
	bad("x. TYPE999 \\# 1 0", "line 1: odd number of hex digits in \\# "
	    "data");
	bad("x. TYPE999 \\# 1 zz", "line 1: bad hex in \\# data \"zz\"");
	bad("x. A \\# 3 010203", "line 1: rdata does not decode as A");
	bad("x. TXT \\# 0", "line 1: rdata does not decode as TXT");
	bad("x. CNAME \\# 2 c00c", "line 1: rdata does not decode as CNAME");
	bad("x. TYPE999 1 2", "line 1: type TYPE999 needs the RFC 3597 form "
	    "\"\\# length hex\"");
	bad("x. NSEC a. A", "line 1: type NSEC needs the RFC 3597 form "
	    "\"\\# length hex\"");
	bad("x. FOO 1", "line 1: unknown type \"FOO\"");
	bad("x. TYPE0 \\# 0", "line 1: unknown type \"TYPE0\"");
	bad("x. TYPE65536 \\# 0", "line 1: unknown type \"TYPE65536\"");
	bad("x. TYPE255 \\# 0", "line 1: type ANY not allowed in a zone");
	bad("x. TYPE41 \\# 0", "line 1: type TYPE41 not allowed in a zone");
	bad("x. TYPE250 \\# 0", "line 1: type TYPE250 not allowed in a zone");
	bad("x. \"A\" 1.2.3.4", "line 1: quoted string \"A\" where a type is "
	    "expected");
	bad("x.", "line 1: missing type");
	bad("x. 300 IN", "line 1: missing type");
}

static void
directives(void **state)
{
	struct coll c;

	(void)state;
	c = ok("$ORIGIN example.\n"
	       "a A 1.2.3.4\n"
	       "$AUTHENTIC yes\n"
	       "b A 1.2.3.4\n"
	       "$NXDOMAIN gone\n"
	       "$SERVFAIL broken.other.\n"
	       "$TIMEOUT slow ; comment\n"
	       "$authentic NO\n"
	       "c A 1.2.3.4\n");
	assert_int_equal(c.n, 6);
	assert_false(c.recs[0].authentic);
	assert_true(c.recs[1].authentic);
	assert_int_equal(c.recs[2].forced, MOX_DNS_NXDOMAIN);
	assert_string_equal(owner_text(&c.recs[2]), "gone.example");
	assert_int_equal(c.recs[3].forced, MOX_DNS_SERVFAIL);
	assert_string_equal(owner_text(&c.recs[3]), "broken.other");
	assert_int_equal(c.recs[4].forced, MOX_DNS_TIMEOUT);
	assert_string_equal(owner_text(&c.recs[4]), "slow.example");
	assert_false(c.recs[5].authentic);
	coll_free(&c);

	bad("$INCLUDE other.zone", "line 1: $INCLUDE not supported");
	bad("\n$include x", "line 2: $INCLUDE not supported");
	bad("$GENERATE 1-2 a A 1.2.3.$", "line 1: unknown directive "
	    "\"$GENERATE\"");
	bad("$AUTHENTIC", "line 1: missing yes or no after $AUTHENTIC");
	bad("$AUTHENTIC maybe",
	    "line 1: $AUTHENTIC needs yes or no, not \"maybe\"");
	bad("$AUTHENTIC yes no", "line 1: trailing garbage \"no\"");
	bad("$NXDOMAIN", "line 1: missing name after the directive");
	bad("$TIMEOUT a b", "line 1: trailing garbage \"b\"");
	bad("$SERVFAIL a..b", "line 1: bad name \"a..b\": empty label");
	/* Directives start at the beginning of a line. */
	bad("a. A 1.2.3.4\n $TTL 5", "line 2: unknown type \"$TTL\"");
	/* An escaped $ is an owner name. */
	c = ok("\\$x. A 1.2.3.4");
	assert_string_equal(owner_text(&c.recs[0]), "\\$x");
	coll_free(&c);
}

static int
fail_sink(void *arg, const uint8_t *owner, size_t ownerlen, uint16_t type,
    uint32_t ttl, const uint8_t *rdata, size_t rdlen, bool authentic)
{
	(void)arg, (void)owner, (void)ownerlen, (void)type, (void)ttl;
	(void)rdata, (void)rdlen, (void)authentic;
	return MOX_EEXIST;
}

static void
sink_errors(void **state)
{
	struct core_zone_sink sink = { fail_sink, NULL, NULL };
	struct coll c = { 0 };

	(void)state;
	assert_int_equal(core_zone_parse("\na. A 1.2.3.4", 13, NULL, &sink,
	    errbuf, sizeof(errbuf)), MOX_EEXIST);
	assert_string_equal(errbuf, "line 2: A record not added: already "
	    "exists");
	/* No force callback: directives are accepted and ignored. */
	assert_int_equal(core_zone_parse("$NXDOMAIN a.", 12, NULL, &sink,
	    errbuf, sizeof(errbuf)), MOX_OK);
	assert_string_equal(errbuf, "");
	c.fail_with = MOX_ENOMEM;
	sink.rr = sink_rr;
	sink.force = sink_force;
	sink.arg = &c;
	assert_int_equal(core_zone_parse("$NXDOMAIN a.", 12, NULL, &sink,
	    errbuf, sizeof(errbuf)), MOX_ENOMEM);
	assert_string_equal(errbuf, "line 1: out of memory");
	c.fail_with = MOX_EINVAL;
	assert_int_equal(core_zone_parse("$NXDOMAIN a.", 12, NULL, &sink,
	    errbuf, sizeof(errbuf)), MOX_EINVAL);
	assert_string_equal(errbuf, "line 1: directive failed: invalid "
	    "argument");
	/* Bad arguments; err may be NULL. */
	assert_int_equal(core_zone_parse(NULL, 1, NULL, &sink, NULL, 0),
	    MOX_EINVAL);
	assert_int_equal(core_zone_parse("", 0, NULL, NULL, NULL, 0),
	    MOX_EINVAL);
	assert_int_equal(core_zone_parse(NULL, 0, NULL, &sink, NULL, 0),
	    MOX_OK);
	c.fail_with = 0;
	assert_int_equal(core_zone_parse("a. A 1", 6, NULL, &sink, NULL, 0),
	    MOX_ESYNTAX);
	/* A short buffer gets a truncated message. */
	assert_int_equal(core_zone_parse("a. A 1", 6, NULL, &sink, errbuf,
	    12), MOX_ESYNTAX);
	assert_string_equal(errbuf, "line 1: bad");
	coll_free(&c);
}

static void
error_line_numbers(void **state)
{
	(void)state;
	bad("; comment\n\n$ORIGIN x.\na A 1.2.3.4\n\n  A 1.2.3\n",
	    "line 6: bad IPv4 address \"1.2.3\"");
	bad("a. TXT \"x\" (\n\n\"y\"\n) junk\n\"", "line 5: unterminated "
	    "quoted string");
	bad("a. A 1.2.3.4\nb. MX 10 (\nmail. ) x\n",
	    "line 2: trailing garbage \"x\"");
}

static void
huge_input_is_linear(void **state)
{
	size_t n = 200000, o = 0, cap = n * 40;
	char *text = malloc(cap);
	struct coll c;

	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < n; i++)
		o += (size_t)snprintf(text + o, cap - o,
		    "h%zu.x. A 10.%zu.%zu.1\n", i, (i >> 8) & 255, i & 255);
	c = ok(text);
	assert_int_equal(c.n, n);
	coll_free(&c);

	/* One entry of a million tokens stops at the rdata limit. */
	o = (size_t)snprintf(text, cap, "t. TXT (");
	while (o + 4 < cap / 2) {
		memcpy(text + o, " x\n", 3);
		o += 3;
	}
	text[o] = '\0';
	bad(text, "line 1: rdata longer than 65535 octets");
	/* A million parentheses. */
	o = (size_t)snprintf(text, cap, "t. A 1.2.3.4 ");
	while (o + 4 < cap / 2) {
		memcpy(text + o, "()", 2);
		o += 2;
	}
	text[o] = '\0';
	c = ok(text);
	coll_free(&c);
	free(text);
}

static void
alloc_failures(void **state)
{
	const char *text = "$ORIGIN example.\n@ SOA ns h 1 2 3 4 5\n"
	    "a A \\# 4 01020304\nt TXT \\# 2 0161\n$NXDOMAIN x\n";
	unsigned long n;
	int rc;

	(void)state;
	for (n = 1;; n++) {
		struct coll c = { 0 };

		mox__fail_at = n;
		rc = parse(&c, text, NULL);
		mox__fail_at = 0;
		coll_free(&c);
		if (rc == MOX_OK)
			break;
		assert_int_equal(rc, MOX_ENOMEM);
		assert_non_null(strstr(errbuf, "out of memory"));
	}
	assert_true(n > 2);
}

/* --- presentation format --- */

static const char *
fmt_rdata(uint16_t type, const void *rdata, size_t len)
{
	static char buf[300000];
	mox_dns_rr rr;
	size_t n;

	memset(&rr, 0, sizeof(rr));
	rr.type = type;
	rr.rdata = rdata;
	rr.rdlen = len;
	n = mox_dns_rdata_format(buf, sizeof(buf), &rr);
	assert_int_equal(n, strlen(buf));
	return buf;
}

#define FMT(type, lit) fmt_rdata(type, lit, sizeof(lit) - 1)

static void
format_rdata(void **state)
{
	(void)state;
	assert_string_equal(FMT(MOX_DNS_A, "\x0a\x00\x00\x01"), "10.0.0.1");
	assert_string_equal(FMT(MOX_DNS_AAAA,
	    "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01"), "2001:db8::1");
	assert_string_equal(FMT(MOX_DNS_NS, "\x03ns1\x01x\x00"), "ns1.x.");
	assert_string_equal(FMT(MOX_DNS_CNAME, "\x00"), ".");
	assert_string_equal(FMT(MOX_DNS_PTR, "\x03""a.b\x03""c\"d\x00"),
	    "a\\.b.c\\\"d.");
	assert_string_equal(FMT(MOX_DNS_MX, "\x00\x0a\x04mail\x00"),
	    "10 mail.");
	assert_string_equal(FMT(MOX_DNS_SRV,
	    "\x00\x01\x00\x02\x13\xc4\x03sip\x00"), "1 2 5060 sip.");
	assert_string_equal(FMT(MOX_DNS_SOA,
	    "\x02ns\x00\x01h\x00\xff\xff\xff\xff\0\0\0\x01\0\0\0\x02"
	    "\0\0\0\x03\0\0\0\x04"), "ns. h. 4294967295 1 2 3 4");
	assert_string_equal(FMT(MOX_DNS_TXT, "\x03""a\"b\x02\\\x01\x00"),
	    "\"a\\\"b\" \"\\\\\\001\" \"\"");
	assert_string_equal(FMT(MOX_DNS_SPF, "\x04\x7f\xff ;"),
	    "\"\\127\\255 ;\"");
	assert_string_equal(FMT(MOX_DNS_TLSA, "\x03\x01\x01\xab\xcd"),
	    "3 1 1 ABCD");
	assert_string_equal(FMT(MOX_DNS_SSHFP, "\x01\x02\x0a"), "1 2 0A");
	assert_string_equal(FMT(MOX_DNS_DS, "\xec\x45\x05\x01\x2b"),
	    "60485 5 1 2B");
	assert_string_equal(FMT(MOX_DNS_DNSKEY, "\x01\x01\x03\x0dhello world"),
	    "257 3 13 aGVsbG8gd29ybGQ=");
	assert_string_equal(FMT(MOX_DNS_DNSKEY, "\x01\x01\x03\x0dhell"),
	    "257 3 13 aGVsbA==");
	assert_string_equal(FMT(MOX_DNS_DNSKEY, "\x01\x01\x03\x0dhel"),
	    "257 3 13 aGVs");
	assert_string_equal(FMT(MOX_DNS_CAA, "\x80\x05issuea;b\"c"),
	    "128 issue \"a;b\\\"c\"");
	assert_string_equal(FMT(999, "\x01\x02"), "\\# 2 0102");
	assert_string_equal(FMT(999, ""), "\\# 0");
	assert_string_equal(FMT(MOX_DNS_NSEC, "\x00\x00"), "\\# 2 0000");

	/* Rdata that does not decode: the generic form. */
	assert_string_equal(FMT(MOX_DNS_A, "\x01\x02\x03"), "\\# 3 010203");
	assert_string_equal(FMT(MOX_DNS_AAAA, "\x01"), "\\# 1 01");
	assert_string_equal(FMT(MOX_DNS_TXT, ""), "\\# 0");
	assert_string_equal(FMT(MOX_DNS_TXT, "\x05""ab"), "\\# 3 056162");
	assert_string_equal(FMT(MOX_DNS_CNAME, "\x01""a"), "\\# 2 0161");
	assert_string_equal(FMT(MOX_DNS_CNAME, "\x00\x00"), "\\# 2 0000");
	assert_string_equal(FMT(MOX_DNS_MX, "\x00\x0a"), "\\# 2 000A");
	assert_string_equal(FMT(MOX_DNS_SRV, "\x00\x00\x00\x00\x00\x00\xc0"),
	    "\\# 7 000000000000C0");
	assert_string_equal(FMT(MOX_DNS_SOA, "\x00\x00\x00"), "\\# 3 000000");
	assert_string_equal(FMT(MOX_DNS_TLSA, "\x03\x01\x01"), "\\# 3 030101");
	assert_string_equal(FMT(MOX_DNS_DS, "\x00\x01\x08\x02"),
	    "\\# 4 00010802");
	assert_string_equal(FMT(MOX_DNS_DNSKEY, "\x00\x01\x08\x02"),
	    "\\# 4 00010802");
	assert_string_equal(FMT(MOX_DNS_SSHFP, "\x01\x01"), "\\# 2 0101");
	assert_string_equal(FMT(MOX_DNS_CAA, "\x00\x00x"), "\\# 3 000078");
	assert_string_equal(FMT(MOX_DNS_CAA, "\x00\x02i-x"),
	    "\\# 5 0002692D78");
	assert_string_equal(FMT(MOX_DNS_CAA, "\x00\x05is"), "\\# 4 00056973");
	assert_int_equal(mox_dns_rdata_format(NULL, 0, NULL), 0);
}

static void
format_rr(void **state)
{
	char buf[256];
	mox_dns_rr rr;
	size_t n;

	(void)state;
	memset(&rr, 0, sizeof(rr));
	rr.name = "www.example.com";
	rr.type = MOX_DNS_A;
	rr.rclass = 1;
	rr.ttl = 300;
	rr.rdata = (const uint8_t *)"\x01\x02\x03\x04";
	rr.rdlen = 4;
	n = mox_dns_rr_format(buf, sizeof(buf), &rr);
	assert_string_equal(buf, "www.example.com.\t300\tIN\tA\t1.2.3.4");
	assert_int_equal(n, strlen(buf));

	/* snprintf contract. */
	assert_int_equal(mox_dns_rr_format(NULL, 0, &rr), n);
	assert_int_equal(mox_dns_rr_format(buf, 5, &rr), n);
	assert_string_equal(buf, "www.");
	assert_int_equal(mox_dns_rr_format(buf, 1, &rr), n);
	assert_string_equal(buf, "");

	rr.name = "";
	rr.type = 4000;
	rr.rclass = 3;
	rr.ttl = 4294967295u;
	rr.rdlen = 0;
	mox_dns_rr_format(buf, sizeof(buf), &rr);
	assert_string_equal(buf, ".\t4294967295\tCLASS3\tTYPE4000\t\\# 0");
	rr.name = ".";
	rr.rclass = 0;
	rr.type = MOX_DNS_NSEC;
	mox_dns_rr_format(buf, sizeof(buf), &rr);
	assert_string_equal(buf, ".\t4294967295\tIN\tNSEC\t\\# 0");
	rr.name = NULL;
	mox_dns_rr_format(buf, sizeof(buf), &rr);
	assert_string_equal(buf, ".\t4294967295\tIN\tNSEC\t\\# 0");
	assert_int_equal(mox_dns_rr_format(buf, sizeof(buf), NULL), 0);
	assert_string_equal(buf, "");
}

/* Format rdata as a record line, parse it back, compare. */
static void
round_trip(uint16_t type, const uint8_t *rdata, size_t len)
{
	static char line[300000];
	struct core_zone_sink sink;
	struct coll c = { 0 };
	mox_dns_rr rr;
	size_t n;
	int rc;

	memset(&rr, 0, sizeof(rr));
	rr.name = "rt.example";
	rr.type = type;
	rr.rclass = 1;
	rr.ttl = 42;
	rr.rdata = rdata;
	rr.rdlen = len;
	n = mox_dns_rr_format(line, sizeof(line), &rr);
	assert_true(n < sizeof(line));
	sink.rr = sink_rr;
	sink.force = sink_force;
	sink.arg = &c;
	rc = core_zone_parse(line, n, "elsewhere.", &sink, errbuf,
	    sizeof(errbuf));
	if (rc != MOX_OK) {
		/* Rdata a known type refuses even in the \# form. */
		mox__arena ar = MOX__ARENA_INIT;
		int drc = core_rr_decode(&ar, &rr);

		mox__arena_free(&ar);
		if (drc == MOX_EINVAL) {
			coll_free(&c);
			return;
		}
		fail_msg("type %u: %s does not parse: %s", type, line, errbuf);
	}
	assert_int_equal(c.n, 1);
	assert_int_equal(c.recs[0].type, type);
	assert_int_equal(c.recs[0].ttl, 42);
	assert_string_equal(owner_text(&c.recs[0]), "rt.example");
	if (c.recs[0].rdlen != len || memcmp(c.recs[0].rdata, rdata, len))
		fail_msg("type %u: %s gives other rdata", type, line);
	coll_free(&c);
}

static void
format_round_trip(void **state)
{
	static const char *const zone =
	    "$ORIGIN example.\n"
	    "a A 192.0.2.1\n"
	    "a AAAA 2001:db8::53\n"
	    "a AAAA ::ffff:10.0.0.1\n"
	    "a AAAA ::\n"
	    "a NS ns\\.dot.\n"
	    "a CNAME \\@\\$\\(\\)\\;\\\"\\\\\\ \\009x.\n"
	    "a PTR .\n"
	    "a MX 0 mx\n"
	    "a TXT \"\\000\\001 \\\"\\\\ ; () \\127\\255\" \"\" x\n"
	    "a SPF \"v=spf1 -all\"\n"
	    "a SRV 65535 65535 65535 .\n"
	    "a TLSA 0 0 0 00\n"
	    "a SOA . . 0 0 0 0 0\n"
	    "a SOA ns host 4294967295 4294967295 1 2 3\n"
	    "a CAA 0 issue \"\"\n"
	    "a CAA 255 X1 \"\\000\\\"\\255\"\n"
	    "a DS 0 0 0 00\n"
	    "a SSHFP 255 255 FFFF\n"
	    "a DNSKEY 0 0 0 AA==\n"
	    "a DNSKEY 65535 255 255 AAAA\n"
	    "a DNSKEY 1 2 3 AAA=\n"
	    "a TYPE999 \\# 0\n"
	    "a NSEC \\# 1 00\n"
	    "a TLSA \\# 3 000000\n"
	    "a DS \\# 0\n"
	    "a CAA \\# 1 00\n";
	struct coll c = { 0 };
	uint8_t buf[600];
	uint16_t types[] = { MOX_DNS_A, MOX_DNS_AAAA, MOX_DNS_NS,
		MOX_DNS_CNAME, MOX_DNS_PTR, MOX_DNS_MX, MOX_DNS_TXT,
		MOX_DNS_SPF, MOX_DNS_SRV, MOX_DNS_TLSA, MOX_DNS_SOA,
		MOX_DNS_CAA, MOX_DNS_DS, MOX_DNS_SSHFP, MOX_DNS_DNSKEY,
		MOX_DNS_NSEC, 999 };
	unsigned int seed = 12345;

	(void)state;
	c = ok(zone);
	assert_int_equal(c.n, 26);
	for (size_t i = 0; i < c.n; i++)
		round_trip(c.recs[i].type, c.recs[i].rdata, c.recs[i].rdlen);
	coll_free(&c);

	/* Random rdata of every type: presentation or generic form, it must
	 * read back the same. Bytes are drawn from a small alphabet so that
	 * names and strings decode often. */
	for (int iter = 0; iter < 20000; iter++) {
		uint16_t type = types[(unsigned int)iter %
		    (sizeof(types) / sizeof(*types))];
		size_t len;

		seed = seed * 1103515245u + 12345u;
		len = (seed >> 16) % 40;
		for (size_t k = 0; k < len; k++) {
			static const uint8_t alpha[] = { 0, 1, 2, 3, 4, 'a',
				'"', '\\', '.', ' ', 0xff, 0x7f, ';', '@', 'Z',
				'=', '(', 5, 6, 7 };

			seed = seed * 1103515245u + 12345u;
			buf[k] = alpha[(seed >> 16) % sizeof(alpha)];
		}
		round_trip(type, buf, len);
	}
	/* Long rdata. */
	memset(buf, 'q', sizeof(buf));
	buf[0] = 255;
	round_trip(MOX_DNS_TXT, buf, 256);
	round_trip(MOX_DNS_DNSKEY, buf, sizeof(buf));
	round_trip(MOX_DNS_TLSA, buf, sizeof(buf));
	round_trip(4242, buf, sizeof(buf));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(basic_record),
		cmocka_unit_test(ttl_and_class_order),
		cmocka_unit_test(ttl_defaults),
		cmocka_unit_test(ttl_units),
		cmocka_unit_test(names_and_origin),
		cmocka_unit_test(long_names),
		cmocka_unit_test(owner_carried_over),
		cmocka_unit_test(parentheses_and_comments),
		cmocka_unit_test(quoted_strings_and_escapes),
		cmocka_unit_test(nul_bytes),
		cmocka_unit_test(txt_limits),
		cmocka_unit_test(type_a_aaaa),
		cmocka_unit_test(type_names),
		cmocka_unit_test(type_soa),
		cmocka_unit_test(type_txt_spf),
		cmocka_unit_test(type_tlsa_ds_sshfp),
		cmocka_unit_test(type_dnskey),
		cmocka_unit_test(type_caa),
		cmocka_unit_test(type_generic),
		cmocka_unit_test(directives),
		cmocka_unit_test(sink_errors),
		cmocka_unit_test(error_line_numbers),
		cmocka_unit_test(huge_input_is_linear),
		cmocka_unit_test(alloc_failures),
		cmocka_unit_test(format_rdata),
		cmocka_unit_test(format_rr),
		cmocka_unit_test(format_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
