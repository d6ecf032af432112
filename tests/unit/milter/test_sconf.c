/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the sconf config parser (servers/common/sconf.c): every
 * value type, nested blocks, lists of values and of blocks, defaults and
 * replacement of default lists, relative paths, every error with its exact
 * line and key path, the input limits, and describe output that parses
 * back to the defaults.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sconf.h"

struct item {
	char *name;
	int weight;
	char **tags;
	size_t ntags;
	bool finished;
};

struct cfg {
	char *host;
	bool verbose;
	int level;               /* enum */
	int32_t offset;          /* signed int */
	uint16_t port;
	uint64_t big;
	unsigned int timeout_ms; /* duration, ms */
	unsigned int ttl;        /* duration, seconds */
	char *file;              /* path */
	struct {
		char *name;
		bool on;
		struct {
			char *leaf;
		} deeper;
	} sub;
	char **names;
	size_t nnames;
	int *codes;              /* custom items */
	size_t ncodes;
	struct item *items;
	size_t nitems;
	int color;               /* custom: "red" 1, "green" 2 */
};

static int released;

static int
parse_color(void *field, void *base, const char *value, char *err,
    size_t errcap)
{
	int v;

	(void)base;
	if (strcmp(value, "red") == 0)
		v = 1;
	else if (strcmp(value, "green") == 0)
		v = 2;
	else {
		snprintf(err, errcap, "no such color \"%s\"", value);
		return -1;
	}
	memcpy(field, &v, sizeof(v));
	return 0;
}

static int
parse_code(void *field, void *base, const char *value, char *err,
    size_t errcap)
{
	int v;

	(void)base;
	(void)err;
	(void)errcap;
	if (strlen(value) != 3 || value[0] < '1' || value[0] > '5')
		return -1; /* no message: the parser writes one */
	v = atoi(value);
	memcpy(field, &v, sizeof(v));
	return 0;
}

static int
item_finish(void *base, char *err, size_t errcap)
{
	struct item *it = base;

	if (it->weight == 13) {
		snprintf(err, errcap, "weight 13 is unlucky");
		return -1;
	}
	it->finished = true;
	return 0;
}

static void
item_release(void *base)
{
	(void)base;
	released++;
}

static const char *const levels[] = { "low", "mid", "high", NULL };

#define F(t, m) offsetof(t, m), sizeof(((t *)0)->m)

static const struct sconf_key str_item = { .name = "item",
	.type = SCONF_STRING, .size = sizeof(char *) };
static const struct sconf_key code_item = { .name = "item",
	.type = SCONF_CUSTOM, .size = sizeof(int), .parse = parse_code };

static const struct sconf_key item_keys[] = {
	{ .name = "Name", .type = SCONF_STRING, F(struct item, name),
	    .flags = SCONF_REQUIRED, .example = "first",
	    .doc = "Name of the item." },
	{ .name = "Weight", .type = SCONF_INT, F(struct item, weight),
	    .min = 0, .max = 100, .def = "1", .doc = "Weight." },
	{ .name = "Tags", .type = SCONF_LIST, F(struct item, tags),
	    .count_offset = offsetof(struct item, ntags), .item = &str_item,
	    .def = "default-tag", .doc = "Tags." },
	{ .name = NULL }
};

static const struct sconf_key item_item = { .name = "item",
	.type = SCONF_BLOCK, .size = sizeof(struct item), .sub = item_keys,
	.finish = item_finish, .release = item_release };

static const struct sconf_key deeper_keys[] = {
	{ .name = "Leaf", .type = SCONF_STRING,
	    F(struct cfg, sub.deeper.leaf), .def = "green leaf",
	    .doc = "A leaf." },
	{ .name = NULL }
};

static const struct sconf_key sub_keys[] = {
	{ .name = "Name", .type = SCONF_STRING, F(struct cfg, sub.name),
	    .example = "sub name", .doc = "Name in a block." },
	{ .name = "On", .type = SCONF_BOOL, F(struct cfg, sub.on),
	    .def = "true", .doc = "Switch." },
	{ .name = "Deeper", .type = SCONF_BLOCK, .sub = deeper_keys,
	    .doc = "A block in a block." },
	{ .name = NULL }
};

static const struct sconf_key keys[] = {
	{ .name = "Host", .type = SCONF_STRING, F(struct cfg, host),
	    .flags = SCONF_REQUIRED | SCONF_NONEMPTY, .example = "h.example",
	    .doc = "Host name. A long description that has to be wrapped "
		   "over more than one line of the describe output, so that "
		   "wrapping is tested as well." },
	{ .name = "Verbose", .type = SCONF_BOOL, F(struct cfg, verbose),
	    .def = "false", .doc = "Talk more." },
	{ .name = "Level", .type = SCONF_ENUM, F(struct cfg, level),
	    .choices = levels, .def = "mid", .doc = "Level." },
	{ .name = "Offset", .type = SCONF_INT, F(struct cfg, offset),
	    .min = -1000, .max = 1000, .def = "-5", .doc = "Offset." },
	{ .name = "Port", .type = SCONF_INT, F(struct cfg, port), .min = 1,
	    .max = 65535, .def = "25", .doc = "Port." },
	{ .name = "Big", .type = SCONF_INT, F(struct cfg, big),
	    .def = "9000000000", .doc = "Big number." },
	{ .name = "Timeout", .type = SCONF_DURATION,
	    F(struct cfg, timeout_ms), .unit = 1, .min = 1, .max = 3600000,
	    .def = "1m30s", .doc = "Timeout." },
	{ .name = "TTL", .type = SCONF_DURATION, F(struct cfg, ttl),
	    .unit = 1000, .min = 0, .max = 86400, .def = "1h",
	    .doc = "Time to live." },
	{ .name = "File", .type = SCONF_STRING, F(struct cfg, file),
	    .flags = SCONF_PATH, .example = "data/file.txt",
	    .doc = "A file." },
	{ .name = "Sub", .type = SCONF_BLOCK, .sub = sub_keys,
	    .doc = "A block." },
	{ .name = "Names", .type = SCONF_LIST, F(struct cfg, names),
	    .count_offset = offsetof(struct cfg, nnames), .item = &str_item,
	    .def = "alpha\nbeta", .doc = "Names." },
	{ .name = "Codes", .type = SCONF_LIST, F(struct cfg, codes),
	    .count_offset = offsetof(struct cfg, ncodes), .item = &code_item,
	    .example = "250\n550", .doc = "Codes." },
	{ .name = "Items", .type = SCONF_LIST, F(struct cfg, items),
	    .count_offset = offsetof(struct cfg, nitems), .item = &item_item,
	    .doc = "Items." },
	{ .name = "Color", .type = SCONF_CUSTOM, F(struct cfg, color),
	    .parse = parse_color, .def = "red", .doc = "Color." },
	{ .name = NULL }
};

/* Blocks in blocks, 18 deep, for the depth limit. Every level's V is the
 * same field. */
struct deep {
	char *v;
};
static const struct sconf_key deep_last[] = {
	{ .name = "V", .type = SCONF_STRING, F(struct deep, v) },
	{ .name = NULL }
};
#define LEVEL(n, next)                                                      \
	static const struct sconf_key n[] = {                                \
		{ .name = "D", .type = SCONF_BLOCK, .sub = next },           \
		{ .name = "V", .type = SCONF_STRING, F(struct deep, v) },    \
		{ .name = NULL }                                             \
	};
LEVEL(d17, deep_last)
LEVEL(d16, d17)
LEVEL(d15, d16)
LEVEL(d14, d15)
LEVEL(d13, d14)
LEVEL(d12, d13)
LEVEL(d11, d12)
LEVEL(d10, d11)
LEVEL(d9, d10)
LEVEL(d8, d9)
LEVEL(d7, d8)
LEVEL(d6, d7)
LEVEL(d5, d6)
LEVEL(d4, d5)
LEVEL(d3, d4)
LEVEL(d2, d3)
LEVEL(d1, d2)
LEVEL(deep_keys, d1)

static void
defaults(struct cfg *c)
{
	char err[256];

	memset(c, 0, sizeof(*c));
	assert_int_equal(sconf_defaults(keys, c, err, sizeof(err)), 0);
}

static int
parse(struct cfg *c, const char *text, char *err, size_t errcap)
{
	return sconf_parse(keys, c, "test.conf", "/etc/dir", text,
	    strlen(text), err, errcap);
}

static void
expect_error(const char *text, const char *want)
{
	struct cfg c;
	char err[512];

	defaults(&c);
	err[0] = '\0';
	if (parse(&c, text, err, sizeof(err)) == 0)
		fail_msg("parsed, want error %s", want);
	if (strcmp(err, want) != 0)
		fail_msg("error\n  got  %s\n  want %s", err, want);
	sconf_free(keys, &c);
}

static void
test_defaults(void **state)
{
	struct cfg c;

	(void)state;
	defaults(&c);
	assert_null(c.host);
	assert_false(c.verbose);
	assert_int_equal(c.level, 1);
	assert_int_equal(c.offset, -5);
	assert_int_equal(c.port, 25);
	assert_true(c.big == UINT64_C(9000000000));
	assert_int_equal(c.timeout_ms, 90000);
	assert_int_equal(c.ttl, 3600);
	assert_true(c.sub.on);
	assert_string_equal(c.sub.deeper.leaf, "green leaf");
	assert_int_equal(c.nnames, 2);
	assert_string_equal(c.names[0], "alpha");
	assert_string_equal(c.names[1], "beta");
	assert_int_equal(c.ncodes, 0);
	assert_int_equal(c.nitems, 0);
	assert_int_equal(c.color, 1);
	sconf_free(keys, &c);
	assert_null(c.names);
	assert_int_equal(c.nnames, 0);
	assert_null(c.sub.deeper.leaf);
}

static void
test_parse_all(void **state)
{
	static const char text[] =
	    "# comment at the top\n"
	    "Host: mail.example.org\n"
	    "\n"
	    "Verbose: true\n"
	    "Level: high\n"
	    "Offset: -1000\n"
	    "Port: 587\n"
	    "Big: 18446744073\n"
	    "Timeout: 250ms\n"
	    "TTL: 1h30m15s\n"
	    "File: rel/file.txt\n"
	    "Sub:\n"
	    "\t# indented comment\n"
	    "  # comment indented with spaces is fine\n"
	    "\tName: the sub  \n"
	    "\tOn: false\n"
	    "\tDeeper:\n"
	    "\t\tLeaf: red leaf\n"
	    "Names:\n"
	    "\t- one\n"
	    "\t-   two with spaces\n"
	    "Codes:\n"
	    "\t- 250\n"
	    "\t- 421\n"
	    "Items:\n"
	    "\t-\n"
	    "\t\tName: first\n"
	    "\t-\n"
	    "\t\tName: second\n"
	    "\t\tWeight: 7\n"
	    "\t\tTags:\n"
	    "\t\t\t- x\n"
	    "\t\t\t- y\n"
	    "\t\t\t- z\n"
	    "\t-\n"
	    "\t\tName: third\n"
	    "\t\tTags:\n"
	    "Color: green\n";
	struct cfg c;
	char err[512];

	(void)state;
	defaults(&c);
	if (parse(&c, text, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(c.host, "mail.example.org");
	assert_true(c.verbose);
	assert_int_equal(c.level, 2);
	assert_int_equal(c.offset, -1000);
	assert_int_equal(c.port, 587);
	assert_true(c.big == UINT64_C(18446744073));
	assert_int_equal(c.timeout_ms, 250);
	assert_int_equal(c.ttl, 5415);
	assert_string_equal(c.file, "/etc/dir/rel/file.txt");
	assert_string_equal(c.sub.name, "the sub");
	assert_false(c.sub.on);
	assert_string_equal(c.sub.deeper.leaf, "red leaf");
	/* A list in the file replaces the default list. */
	assert_int_equal(c.nnames, 2);
	assert_string_equal(c.names[0], "one");
	assert_string_equal(c.names[1], "two with spaces");
	assert_int_equal(c.ncodes, 2);
	assert_int_equal(c.codes[0], 250);
	assert_int_equal(c.codes[1], 421);
	assert_int_equal(c.nitems, 3);
	assert_string_equal(c.items[0].name, "first");
	assert_int_equal(c.items[0].weight, 1); /* item default */
	assert_int_equal(c.items[0].ntags, 1);  /* default list */
	assert_string_equal(c.items[0].tags[0], "default-tag");
	assert_true(c.items[0].finished);
	assert_string_equal(c.items[1].name, "second");
	assert_int_equal(c.items[1].weight, 7);
	assert_int_equal(c.items[1].ntags, 3);
	assert_string_equal(c.items[1].tags[2], "z");
	assert_string_equal(c.items[2].name, "third");
	assert_int_equal(c.items[2].ntags, 0); /* empty list */
	assert_int_equal(c.color, 2);
	released = 0;
	sconf_free(keys, &c);
	assert_int_equal(released, 3);
	assert_null(c.items);
	assert_int_equal(c.nitems, 0);
}

static void
test_crlf_and_absolute_path(void **state)
{
	static const char text[] = "Host: h\r\nFile: /abs/file\r\nSub:\r\n"
				   "\tName: n\r\n";
	struct cfg c;
	char err[512];

	(void)state;
	defaults(&c);
	if (parse(&c, text, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_string_equal(c.host, "h");
	assert_string_equal(c.file, "/abs/file");
	assert_string_equal(c.sub.name, "n");
	sconf_free(keys, &c);
}

static void
test_empty_and_comments_only(void **state)
{
	struct cfg c;
	char err[512];

	(void)state;
	defaults(&c);
	assert_int_equal(parse(&c, "", err, sizeof(err)), 0);
	assert_int_equal(parse(&c, "# x\n\n\t# y\n   \n", err, sizeof(err)), 0);
	/* An empty block is allowed; an empty list clears the default. */
	assert_int_equal(parse(&c, "Sub:\nNames:\n", err, sizeof(err)), 0);
	assert_int_equal(c.nnames, 0);
	assert_null(c.names);
	assert_true(c.sub.on);
	sconf_free(keys, &c);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("Host: h\nLevel: x\n",
	    "test.conf:2: Level: unknown value \"x\", want low, mid or high");
	expect_error("Host: h\nVerbose: yes\n",
	    "test.conf:2: Verbose: want true or false, not \"yes\"");
	expect_error("Port: 0\n",
	    "test.conf:1: Port: want an integer from 1 to 65535, not \"0\"");
	expect_error("Port: 65536\n",
	    "test.conf:1: Port: want an integer from 1 to 65535, not "
	    "\"65536\"");
	expect_error("Port: 25x\n",
	    "test.conf:1: Port: want an integer from 1 to 65535, not "
	    "\"25x\"");
	expect_error("Offset: -1001\n",
	    "test.conf:1: Offset: want an integer from -1000 to 1000, not "
	    "\"-1001\"");
	expect_error("Big: 99999999999999999999999\n",
	    "test.conf:1: Big: want an integer from 0 to "
	    "9223372036854775807, not \"99999999999999999999999\"");
	expect_error("Timeout: 10\n",
	    "test.conf:1: Timeout: want a duration such as 30s, 5m or "
	    "1h30m, not \"10\"");
	expect_error("Timeout: 2h\n",
	    "test.conf:1: Timeout: want a duration from 1ms to 1h, not "
	    "\"2h\"");
	expect_error("TTL: 1500ms\n",
	    "test.conf:1: TTL: \"1500ms\" is not a whole number of seconds");
	expect_error("Host:\n",
	    "test.conf:1: Host: missing value");
	expect_error("Color: blue\n",
	    "test.conf:1: Color: no such color \"blue\"");
	expect_error("Codes:\n\t- 250\n\t- 999\n",
	    "test.conf:3: Codes[1]: invalid value \"999\"");
	expect_error("Host: a\nHosts: b\n",
	    "test.conf:2: unknown key \"Hosts\"");
	expect_error("host: a\n",
	    "test.conf:1: unknown key \"host\" (did you mean Host?)");
	expect_error("Sub:\n\tname: a\n",
	    "test.conf:2: Sub: unknown key \"name\" (did you mean Name?)");
	expect_error("Host: a\n\nHost: b\n",
	    "test.conf:3: Host: key given twice (first on line 1)");
	expect_error("Sub:\n\tOn: true\nVerbose: true\nSub:\n",
	    "test.conf:4: Sub: key given twice (first on line 1)");
	expect_error("Sub:\n\tOn: true\n\tOn: false\n",
	    "test.conf:3: Sub.On: key given twice (first on line 2)");
	expect_error("Host: a\n  Port: 25\n",
	    "test.conf:2: spaces used for indentation, indent with tabs");
	expect_error("Sub:\n\t On: true\n",
	    "test.conf:2: spaces used for indentation, indent with tabs");
	expect_error("Sub:\n \tOn: true\n",
	    "test.conf:2: spaces used for indentation, indent with tabs");
	expect_error("Host: a\n\tPort: 25\n",
	    "test.conf:2: Host: unexpected indentation: the line above has "
	    "a value, not a block");
	expect_error("Sub:\n\t\tOn: true\n",
	    "test.conf:2: Sub: unexpected indentation (want 1 tabs)");
	expect_error("Sub: x\n",
	    "test.conf:1: Sub: is a block: put its keys on the lines below, "
	    "one tab deeper");
	expect_error("Names: a, b\n",
	    "test.conf:1: Names: is a list: put each item on its own line "
	    "below, one tab deeper, as \"- value\"");
	expect_error("Names:\n\tName: a\n",
	    "test.conf:2: Names: want a list item \"- value\", not a key");
	expect_error("Names:\n\t-a\n",
	    "test.conf:2: Names: want a list item \"- value\" (a space after "
	    "the dash)");
	expect_error("Names:\n\t- a\n\t-\n",
	    "test.conf:3: Names[1]: missing value");
	expect_error("Names:\n\t- a\n\t\t- b\n",
	    "test.conf:3: Names[0]: unexpected indentation: the line above "
	    "has a value, not a block");
	expect_error("- a\n",
	    "test.conf:1: list item where a key is expected");
	expect_error("Sub:\n\t- a\n",
	    "test.conf:2: Sub: list item where a key is expected");
	expect_error("Host a\n",
	    "test.conf:1: want \"Key: value\" or \"Key:\", not \"Host a\"");
	expect_error("Host:a\n",
	    "test.conf:1: want a space after \"Host:\"");
	expect_error(": a\n",
	    "test.conf:1: want \"Key: value\" or \"Key:\", not \": a\"");
	expect_error("Items:\n\t- x\n",
	    "test.conf:2: Items[0]: items of Items are blocks: write \"-\" "
	    "alone and the item's keys on the lines below, one tab deeper");
	expect_error("Items:\n\t-\n\t\tName: a\n\t-\n\t\tWeight: 2\n",
	    "test.conf:4: Items[1]: missing required key Name");
	expect_error("Items:\n\t-\n\t\tName: a\n\t\tWeight: 13\n",
	    "test.conf:2: Items[0]: weight 13 is unlucky");
	expect_error("Items:\n\t-\n\t\tName: a\n\t\tWeight: 101\n",
	    "test.conf:4: Items[0].Weight: want an integer from 0 to 100, "
	    "not \"101\"");
	expect_error("Items:\n\t-\n\t\tName: a\n\t\tTags:\n\t\t\t- t\n"
		     "\t\t\t\t- u\n",
	    "test.conf:6: Items[0].Tags[0]: unexpected indentation: the line "
	    "above has a value, not a block");
	expect_error("Items:\n\t-\n\t\tName: a\n\t\tName: b\n",
	    "test.conf:4: Items[0].Name: key given twice (first on line 3)");
	expect_error("\tHost: a\n",
	    "test.conf:1: unexpected indentation (want 0 tabs)");
	expect_error("Host: \"\"\nVerbose: true\nVerbose: false\n",
	    "test.conf:3: Verbose: key given twice (first on line 2)");
}

static void
test_bad_bytes(void **state)
{
	static const char nul[] = "Host: a\nVerbose: tr\0ue\n";
	struct cfg c;
	char err[512];

	(void)state;
	defaults(&c);
	assert_int_equal(sconf_parse(keys, &c, "test.conf", NULL, nul,
			     sizeof(nul) - 1, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "test.conf:2: NUL byte in line");
	sconf_free(keys, &c);
	expect_error("Host: a\nSub:\n\tName: \xc3\x28\n",
	    "test.conf:3: invalid UTF-8 in line");
	expect_error("Host: \xed\xa0\x80\n",
	    "test.conf:1: invalid UTF-8 in line");
	expect_error("Host: a\x01\n",
	    "test.conf:1: control character in line");
	/* UTF-8 values are fine. */
	defaults(&c);
	assert_int_equal(parse(&c, "Host: b\xc3\xbcro.example\n", err,
			     sizeof(err)),
	    0);
	assert_string_equal(c.host, "b\xc3\xbcro.example");
	sconf_free(keys, &c);
}

static void
test_limits(void **state)
{
	struct cfg c;
	struct deep d;
	char err[512], *big, *text;
	size_t i, n;

	(void)state;
	/* A line of exactly SCONF_MAX_LINE octets is fine, one more is not. */
	big = malloc(SCONF_MAX_LINE + 16);
	assert_non_null(big);
	memcpy(big, "Host: ", 6);
	memset(big + 6, 'a', SCONF_MAX_LINE - 6);
	big[SCONF_MAX_LINE] = '\n';
	defaults(&c);
	assert_int_equal(sconf_parse(keys, &c, "test.conf", NULL, big,
			     SCONF_MAX_LINE + 1, err, sizeof(err)),
	    0);
	assert_int_equal(strlen(c.host), SCONF_MAX_LINE - 6);
	big[SCONF_MAX_LINE] = 'a';
	big[SCONF_MAX_LINE + 1] = '\n';
	assert_int_equal(sconf_parse(keys, &c, "test.conf", NULL, big,
			     SCONF_MAX_LINE + 2, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "test.conf:1: line longer than 4096 octets");
	sconf_free(keys, &c);
	free(big);

	/* Too large as a whole (the length is checked first). */
	assert_int_equal(sconf_parse(keys, &c, "test.conf", NULL, "",
			     SCONF_MAX_SIZE + 1, err, sizeof(err)),
	    -1);
	assert_string_equal(err, "test.conf: larger than 16777216 octets");

	/* Nesting: SCONF_MAX_DEPTH levels of D are fine, one more is not. */
	n = SCONF_MAX_DEPTH + 1;
	text = malloc(n * (n + 4) + 64);
	assert_non_null(text);
	for (int round = 0; round < 2; round++) {
		size_t levels_n = round == 0 ? SCONF_MAX_DEPTH :
					       SCONF_MAX_DEPTH + 1;
		size_t off = 0;

		for (i = 0; i < levels_n; i++) {
			memset(text + off, '\t', i);
			off += i;
			memcpy(text + off, "D:\n", 3);
			off += 3;
		}
		memset(text + off, '\t', levels_n);
		off += levels_n;
		memcpy(text + off, "V: x\n", 5);
		off += 5;
		memset(&d, 0, sizeof(d));
		if (round == 0) {
			if (sconf_parse(deep_keys, &d, "deep.conf", NULL, text,
				off, err, sizeof(err)) != 0)
				fail_msg("%s", err);
			assert_string_equal(d.v, "x");
		} else {
			assert_int_equal(sconf_parse(deep_keys, &d, "deep.conf",
					     NULL, text, off, err, sizeof(err)),
			    -1);
			assert_string_equal(err,
			    "deep.conf:17: D.D.D.D.D.D.D.D.D.D.D.D.D.D.D.D.D: "
			    "blocks nested too deep");
		}
		sconf_free(deep_keys, &d);
	}
	free(text);
}

static void
test_parse_file(void **state)
{
	char dir[] = "/tmp/sconf-test-XXXXXX", path[256], err[512];
	struct cfg c;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("Host: h\nFile: f.txt\nLevel: nope\n", f);
	fclose(f);
	defaults(&c);
	assert_int_equal(sconf_parse_file(keys, &c, path, err, sizeof(err)),
	    -1);
	{
		char want[512];

		snprintf(want, sizeof(want),
		    "%s:3: Level: unknown value \"nope\", want low, mid or "
		    "high",
		    path);
		assert_string_equal(err, want);
		/* Relative paths are from the file's directory. */
		snprintf(want, sizeof(want), "%s/f.txt", dir);
		assert_string_equal(c.file, want);
	}
	sconf_free(keys, &c);
	unlink(path);
	defaults(&c);
	assert_int_equal(sconf_parse_file(keys, &c, path, err, sizeof(err)),
	    -1);
	assert_non_null(strstr(err, "No such file or directory"));
	sconf_free(keys, &c);
	rmdir(dir);
}

static char *
describe_text(const struct sconf_key *t, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	assert_non_null(f);
	sconf_describe(f, t);
	fclose(f);
	*len = n;
	return buf;
}

static void
test_describe_reparses(void **state)
{
	struct cfg def, got;
	char err[512], *text;
	size_t len, i;

	(void)state;
	text = describe_text(keys, &len);
	defaults(&def);
	memset(&got, 0, sizeof(got));
	if (sconf_parse(keys, &got, "describe", NULL, text, len, err,
		sizeof(err)) != 0)
		fail_msg("%s\n%s", err, text);
	assert_null(got.host);
	assert_int_equal(got.verbose, def.verbose);
	assert_int_equal(got.level, def.level);
	assert_int_equal(got.offset, def.offset);
	assert_int_equal(got.port, def.port);
	assert_true(got.big == def.big);
	assert_int_equal(got.timeout_ms, def.timeout_ms);
	assert_int_equal(got.ttl, def.ttl);
	assert_null(got.file);
	assert_int_equal(got.sub.on, def.sub.on);
	assert_string_equal(got.sub.deeper.leaf, def.sub.deeper.leaf);
	assert_int_equal(got.nnames, def.nnames);
	for (i = 0; i < def.nnames; i++)
		assert_string_equal(got.names[i], def.names[i]);
	assert_int_equal(got.ncodes, 0);
	assert_int_equal(got.nitems, 0);
	assert_int_equal(got.color, def.color);
	/* What describe prints. */
	assert_non_null(strstr(text, "# Host name. A long description that "
				     "has to be wrapped over more than\n"
				     "# one line of the describe output"));
	assert_non_null(strstr(text, "#Host: h.example\n"));
	assert_non_null(strstr(text, "Level: mid\n"));
	assert_non_null(strstr(text, "One of: low, mid or high."));
	assert_non_null(strstr(text, "Timeout: 1m30s\n"));
	assert_non_null(strstr(text, "Names:\n\t- alpha\n\t- beta\n"));
	assert_non_null(strstr(text, "#Codes:\n#\t- 250\n#\t- 550\n"));
	assert_non_null(strstr(text, "#Items:\n#\t-\n"));
	assert_non_null(strstr(text, "#\t\tName: first\n"));
	assert_non_null(strstr(text, "\tDeeper:\n\t\t# A leaf.\n"
				     "\t\tLeaf: green leaf\n"));
	sconf_free(keys, &def);
	sconf_free(keys, &got);
	free(text);
}

/* Removing the '#' of every commented-out key line of describe gives a
 * config with every key set, which parses. */
static void
test_describe_uncommented(void **state)
{
	struct cfg got;
	char err[512], *text, *out, *line;
	size_t len, o = 0;

	(void)state;
	text = describe_text(keys, &len);
	out = malloc(len + 1);
	assert_non_null(out);
	for (line = text; *line != '\0';) {
		size_t ll = strcspn(line, "\n"), t = strspn(line, "\t");

		if (line[t] == '#' && line[t + 1] != ' ' && line[t + 1] != '\n') {
			memcpy(out + o, line, t);
			o += t;
			memcpy(out + o, line + t + 1, ll - t - 1);
			o += ll - t - 1;
		} else {
			memcpy(out + o, line, ll);
			o += ll;
		}
		out[o++] = '\n';
		line += ll + (line[ll] == '\n');
	}
	memset(&got, 0, sizeof(got));
	if (sconf_parse(keys, &got, "uncommented", "/d", out, o, err,
		sizeof(err)) != 0)
		fail_msg("%s\n%.*s", err, (int)o, out);
	assert_string_equal(got.host, "h.example");
	assert_string_equal(got.file, "/d/data/file.txt");
	assert_string_equal(got.sub.name, "sub name");
	assert_int_equal(got.ncodes, 2);
	assert_int_equal(got.codes[1], 550);
	assert_int_equal(got.nitems, 1);
	assert_string_equal(got.items[0].name, "first");
	sconf_free(keys, &got);
	free(out);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_parse_all),
		cmocka_unit_test(test_crlf_and_absolute_path),
		cmocka_unit_test(test_empty_and_comments_only),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_parse_file),
		cmocka_unit_test(test_describe_reparses),
		cmocka_unit_test(test_describe_uncommented),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
