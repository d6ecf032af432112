/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of canonicalization (RFC 6376 3.4): the examples of 3.4.5,
 * empty bodies, l= limits, bare LF, streaming in every chunk size, the
 * end of a header section found in chunks, field selection (RFC 6376
 * 5.4.2). Internal test (dkim-int.h).
 */
#include "helpers.h"

#include "dkim-int.h"

/* Canonical body of p as one chunk. */
static char *
body(int canon, const char *p, size_t len, bool has_limit, uint64_t limit,
    uint64_t *total)
{
	struct dkim_body *b = malloc(sizeof(*b));
	mox__buf cap = MOX__BUF_INIT;
	uint8_t h[32];

	dkim_body_init(b, canon, DKIM_SHA256, has_limit, limit);
	b->capture = &cap;
	dkim_body_update(b, U(p), len);
	dkim_body_final(b, h, total);
	free(b);
	mox__buf_add(&cap, "", 0);
	return mox__buf_detach(&cap, NULL);
}

static char *
body_chunked(int canon, const char *p, size_t len, size_t chunk)
{
	struct dkim_body *b = malloc(sizeof(*b));
	mox__buf cap = MOX__BUF_INIT;
	uint8_t h[32];
	size_t i;

	dkim_body_init(b, canon, DKIM_SHA256, false, 0);
	b->capture = &cap;
	for (i = 0; i < len; i += chunk)
		dkim_body_update(b, U(p + i), len - i < chunk ? len - i : chunk);
	dkim_body_final(b, h, NULL);
	free(b);
	mox__buf_add(&cap, "", 0);
	return mox__buf_detach(&cap, NULL);
}

/* Canonical form of every field of a header section. */
static char *
headers(int canon, const char *hdr)
{
	struct dkim_field *f = NULL;
	struct dkim_sink s;
	mox__buf cap = MOX__BUF_INIT;
	size_t n, i;

	assert_int_equal(dkim_fields_index(U(hdr), strlen(hdr), 0, &f, &n),
	    MOX_OK);
	dkim_sink_init(&s, NULL, &cap);
	for (i = 0; i < n; i++)
		dkim_canon_header(&s, canon, U(hdr) + f[i].off, f[i].namelen,
		    f[i].valoff, f[i].valend, 0, 0, true);
	dkim_sink_flush(&s);
	free(f);
	mox__buf_add(&cap, "", 0);
	return mox__buf_detach(&cap, NULL);
}

#define BODY_IS(canon, in, want)                                            \
	do {                                                                \
		char *got_ = body((canon), (in), sizeof(in) - 1, false, 0,  \
		    NULL);                                                  \
		assert_string_equal(got_, (want));                          \
		mox__free(got_);                                            \
	} while (0)

/* RFC 6376 3.4.5. */
static void
test_rfc6376_examples(void **state)
{
	static const char hdr[] =
	    "A: X\r\n"
	    "B : Y\t\r\n"
	    "\tZ  \r\n";
	static const char bdy[] =
	    " C \r\n"
	    "D \t E\r\n"
	    "\r\n"
	    "\r\n";
	char *s;

	(void)state;
	s = headers(MOX_DKIM_RELAXED, hdr);
	assert_string_equal(s, "a:X\r\nb:Y Z\r\n");
	mox__free(s);
	s = headers(MOX_DKIM_SIMPLE, hdr);
	assert_string_equal(s, "A: X\r\nB : Y\t\r\n\tZ  \r\n");
	mox__free(s);
	BODY_IS(MOX_DKIM_RELAXED, bdy, " C\r\nD E\r\n");
	BODY_IS(MOX_DKIM_SIMPLE, bdy, " C \r\nD \t E\r\n");
}

static void
test_empty_bodies(void **state)
{
	static const char *const b64[2] = {
		"frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=", /* CRLF */
		"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", /* empty */
	};
	static const char *const empties[] = { "", "\r\n", "\r\n\r\n", "\n\n",
		"\r\n\n\r\n" };
	size_t i;
	int c;

	(void)state;
	for (c = 0; c < 2; c++) {
		for (i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
			struct dkim_body *b = malloc(sizeof(*b));
			uint8_t h[32];
			char out[64];
			uint64_t total;

			dkim_body_init(b, c, DKIM_SHA256, false, 0);
			dkim_body_update(b, U(empties[i]), strlen(empties[i]));
			dkim_b64_encode(out, h, dkim_body_final(b, h, &total));
			assert_string_equal(out, b64[c]);
			assert_int_equal(total, c == MOX_DKIM_SIMPLE ? 2 : 0);
			free(b);
		}
	}
	/* Relaxed: whitespace-only lines are empty lines. */
	BODY_IS(MOX_DKIM_RELAXED, " \t\r\n  \r\n", "");
	BODY_IS(MOX_DKIM_SIMPLE, " \t\r\n  \r\n", " \t\r\n  \r\n");
}

static void
test_bodies(void **state)
{
	(void)state;
	/* A CRLF is added to a last line without one. */
	BODY_IS(MOX_DKIM_SIMPLE, "abc", "abc\r\n");
	BODY_IS(MOX_DKIM_RELAXED, "abc  ", "abc\r\n");
	BODY_IS(MOX_DKIM_RELAXED, "abc\r\n  ", "abc\r\n");
	/* Empty lines in the middle stay, at the end go. */
	BODY_IS(MOX_DKIM_SIMPLE, "a\r\n\r\n\r\nb\r\n\r\n", "a\r\n\r\n\r\nb\r\n");
	BODY_IS(MOX_DKIM_RELAXED, "a\r\n \r\n\t\r\nb\r\n \r\n",
	    "a\r\n\r\n\r\nb\r\n");
	/* Bare LF is a line end; a bare CR is an ordinary octet. */
	BODY_IS(MOX_DKIM_SIMPLE, "a\nb\n\n", "a\r\nb\r\n");
	BODY_IS(MOX_DKIM_SIMPLE, "a\rb\r\r\n\r", "a\rb\r\r\n\r\r\n");
	BODY_IS(MOX_DKIM_RELAXED, "a \r b\r\n", "a \r b\r\n");
	BODY_IS(MOX_DKIM_RELAXED, "\r", "\r\r\n");
	/* Leading whitespace is reduced, not removed. */
	BODY_IS(MOX_DKIM_RELAXED, "\t\t x\r\n", " x\r\n");
	/* 8-bit is data. */
	BODY_IS(MOX_DKIM_RELAXED, "\xc3\xa9  \xff\r\n", "\xc3\xa9 \xff\r\n");
	/* NUL is data too. */
	{
		uint64_t total;
		char *s = body(MOX_DKIM_SIMPLE, "a\0b", 3, false, 0, &total);

		assert_int_equal(total, 5);
		assert_memory_equal(s, "a\0b\r\n", 5);
		mox__free(s);
	}
}

static void
test_length_limit(void **state)
{
	static const char in[] = "line one\r\n\r\n\r\nline  two\r\n\r\n";
	uint64_t total;
	char *s;

	(void)state;
	s = body(MOX_DKIM_RELAXED, in, sizeof(in) - 1, true, 5, &total);
	assert_string_equal(s, "line ");
	assert_int_equal(total, 24);
	mox__free(s);
	s = body(MOX_DKIM_RELAXED, in, sizeof(in) - 1, true, 11, &total);
	assert_string_equal(s, "line one\r\n\r");
	mox__free(s);
	s = body(MOX_DKIM_RELAXED, in, sizeof(in) - 1, true, 0, &total);
	assert_string_equal(s, "");
	assert_int_equal(total, 24);
	mox__free(s);
	s = body(MOX_DKIM_SIMPLE, in, sizeof(in) - 1, true, 1000, &total);
	assert_string_equal(s, "line one\r\n\r\n\r\nline  two\r\n");
	assert_int_equal(total, 25);
	mox__free(s);
	/* The limit applies to the added CRLF of an empty body. */
	s = body(MOX_DKIM_SIMPLE, "", 0, true, 1, &total);
	assert_string_equal(s, "\r");
	assert_int_equal(total, 2);
	mox__free(s);
}

/* Every chunk size gives the same canonical body. */
static void
test_chunks(void **state)
{
	static const char in[] =
	    "  a \t b\t\r\n\r\n \r\nc\rd\r\r\n\ne \n\r\n\r\n\t\r\n\r";
	size_t c, n = sizeof(in) - 1;
	int canon;

	(void)state;
	for (canon = 0; canon < 2; canon++) {
		char *want = body(canon, in, n, false, 0, NULL);

		for (c = 1; c <= n; c++) {
			char *got = body_chunked(canon, in, n, c);

			if (strcmp(got, want) != 0)
				fail_msg("canon %d chunk %zu: [%s] [%s]", canon,
				    c, got, want);
			mox__free(got);
		}
		mox__free(want);
	}
	/* Many empty lines held back as a count, then content. */
	{
		size_t big = 100000, i;
		char *p = malloc(big + 2), *s;
		uint64_t total;

		for (i = 0; i < big; i += 2)
			memcpy(p + i, "\r\n", 2);
		p[big] = 'x';
		p[big + 1] = 0;
		s = body(MOX_DKIM_RELAXED, p, big + 1, false, 0, &total);
		assert_int_equal(total, big + 3);
		assert_int_equal(strlen(s), big + 3);
		mox__free(s);
		free(p);
	}
}

/* A plain reading of RFC 6376 3.4.3 and 3.4.4, line by line, to check
 * the streaming canonicalizer against. */
static char *
reference(int canon, const char *p, size_t len)
{
	char *out = malloc(2 * len + 3), *line = malloc(len + 1);
	size_t o = 0, keep = 0, i = 0;

	while (i < len) {
		size_t l = 0, k;
		bool eol = false;

		while (i < len) {
			if (p[i] == '\n') {
				i++;
				eol = true;
				break;
			}
			if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n') {
				i += 2;
				eol = true;
				break;
			}
			line[l++] = p[i++];
		}
		if (canon == MOX_DKIM_RELAXED) {
			size_t w = 0;
			bool ws = false;

			for (k = 0; k < l; k++) {
				if (line[k] == ' ' || line[k] == '\t') {
					ws = true;
					continue;
				}
				if (ws)
					line[w++] = ' ';
				ws = false;
				line[w++] = line[k];
			}
			l = w;
		}
		(void)eol;
		memcpy(out + o, line, l);
		o += l;
		memcpy(out + o, "\r\n", 2);
		o += 2;
		if (l > 0)
			keep = o;
	}
	/* Empty lines at the end go. */
	o = keep;
	if (canon == MOX_DKIM_SIMPLE && o == 0) {
		memcpy(out, "\r\n", 2);
		o = 2;
	}
	out[o] = 0;
	free(line);
	return out;
}

static void
test_reference(void **state)
{
	static const char *const alpha[] = { "a", "b", " ", "\t", "\r", "\n",
		"\r\n", "\r\n", "\r\n\r\n", "xyz", "  ", "\xff" };
	char *in = malloc(4000);
	unsigned int seed = 5;
	int round, canon;

	(void)state;
	for (round = 0; round < 400; round++) {
		size_t len = 0, max;

		seed = seed * 1103515245u + 12345u;
		max = (seed >> 8) % 3000;
		while (len < max) {
			const char *piece;

			seed = seed * 1103515245u + 12345u;
			piece = alpha[(seed >> 16) % 12];
			memcpy(in + len, piece, strlen(piece));
			len += strlen(piece);
		}
		in[len] = 0;
		for (canon = 0; canon < 2; canon++) {
			char *want = reference(canon, in, len);
			char *got = body(canon, in, len, false, 0, NULL);
			size_t c = 1 + (seed >> 4) % 300;

			if (strcmp(got, want) != 0)
				fail_msg("round %d canon %d", round, canon);
			mox__free(got);
			got = body_chunked(canon, in, len, c);
			if (strcmp(got, want) != 0)
				fail_msg("round %d canon %d chunk %zu", round,
				    canon, c);
			mox__free(got);
			/* And with l= cutting it anywhere. */
			{
				uint64_t lim = (seed >> 3) % (strlen(want) + 2);
				uint64_t total;

				got = body(canon, in, len, true, lim, &total);
				assert_int_equal(total, strlen(want));
				assert_int_equal(strlen(got), lim < total ?
				    lim : total);
				assert_memory_equal(got, want, strlen(got));
				mox__free(got);
			}
			free(want);
		}
	}
	free(in);
}

static void
test_headers(void **state)
{
	static const char hdr[] =
	    "Subject:  Hello \t world  \r\n"
	    "X-Folded: a\r\n"
	    "  b\n"
	    "\tc \r\n"
	    "Empty:\r\n"
	    "SpaceOnly:   \r\n"
	    "Obs-WSP  : v\r\n"
	    "Last: no line end";
	char *s;

	(void)state;
	s = headers(MOX_DKIM_RELAXED, hdr);
	assert_string_equal(s,
	    "subject:Hello world\r\n"
	    "x-folded:a b c\r\n"
	    "empty:\r\n"
	    "spaceonly:\r\n"
	    "obs-wsp:v\r\n"
	    "last:no line end\r\n");
	mox__free(s);
	s = headers(MOX_DKIM_SIMPLE, hdr);
	assert_string_equal(s,
	    "Subject:  Hello \t world  \r\n"
	    "X-Folded: a\r\n"
	    "  b\r\n"
	    "\tc \r\n"
	    "Empty:\r\n"
	    "SpaceOnly:   \r\n"
	    "Obs-WSP  : v\r\n"
	    "Last: no line end\r\n");
	mox__free(s);
}

/* The b= value left out, and no final CRLF (RFC 6376 3.7). */
static void
test_skip(void **state)
{
	static const char f[] = "DKIM-Signature: a=1; b=AB\r\n CD ; c=2";
	const char *b = strstr(f, "b=") + 2, *semi = strstr(b, ";");
	mox__buf cap = MOX__BUF_INIT;
	struct dkim_sink s;

	(void)state;
	dkim_sink_init(&s, NULL, &cap);
	dkim_canon_header(&s, MOX_DKIM_SIMPLE, U(f), 14, 15, strlen(f),
	    (size_t)(b - f), (size_t)(semi - f), false);
	dkim_sink_flush(&s);
	assert_int_equal(cap.len, strlen("DKIM-Signature: a=1; b=; c=2"));
	assert_memory_equal(cap.p, "DKIM-Signature: a=1; b=; c=2", cap.len);
	cap.len = 0;
	dkim_canon_header(&s, MOX_DKIM_RELAXED, U(f), 14, 15, strlen(f),
	    (size_t)(b - f), (size_t)(semi - f), false);
	dkim_sink_flush(&s);
	assert_int_equal(cap.len, strlen("dkim-signature:a=1; b=; c=2"));
	assert_memory_equal(cap.p, "dkim-signature:a=1; b=; c=2", cap.len);
	mox__buf_free(&cap);
}

static void
test_hdrend(void **state)
{
	static const struct {
		const char *in;
		size_t hdr;
	} cases[] = {
		{ "A: b\r\n\r\nbody", 8 },
		{ "A: b\n\nbody", 6 },
		{ "A: b\r\n\nbody", 7 },
		{ "A: b\n\r\nbody", 7 },
		{ "\r\nbody", 2 },
		{ "\nbody", 1 },
		{ "A: b\r\n\rx\r\n\r\nbody", 12 },
		{ "A: b\r\n", 6 },
		{ "A: b", 4 },
	};
	size_t i, c;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *in = cases[i].in;
		size_t len = strlen(in);

		for (c = 1; c <= len; c++) {
			struct dkim_hdrend h = { 0 };
			size_t pos = 0, got = 0;
			bool done = false;

			while (pos < len && !done) {
				size_t n = len - pos < c ? len - pos : c;

				got += dkim_hdrend_scan(&h, U(in + pos), n,
				    &done);
				pos += n;
			}
			if (got != cases[i].hdr)
				fail_msg("case %zu chunk %zu: %zu", i, c, got);
		}
	}
}

static void
test_select(void **state)
{
	static const char hdr[] =
	    "Received: 1\r\nFrom: a\r\nReceived: 2\r\nTO: x\r\n"
	    "Received: 3\r\nX: y\r\n";
	const char *names[] = { "received", "from", "Received", "to",
		"received", "received", "x-none", "from" };
	size_t sel[8], n;
	struct dkim_field *f = NULL;

	(void)state;
	assert_int_equal(dkim_fields_index(U(hdr), strlen(hdr), 0, &f, &n),
	    MOX_OK);
	assert_int_equal(n, 6);
	dkim_fields_select(U(hdr), f, n, names, 8, sel);
	assert_int_equal(sel[0], 4); /* bottom-up */
	assert_int_equal(sel[1], 1);
	assert_int_equal(sel[2], 2);
	assert_int_equal(sel[3], 3);
	assert_int_equal(sel[4], 0);
	assert_int_equal(sel[5], SIZE_MAX); /* none left */
	assert_int_equal(sel[6], SIZE_MAX);
	assert_int_equal(sel[7], SIZE_MAX);
	free(f);
}

/* dkim_hash (the SHA extensions where the CPU has them) against mbedTLS,
 * for every length around the block boundaries and in odd pieces. */
static void
test_sha256(void **state)
{
	uint8_t *data = malloc(5000), a[32], b[32];
	size_t len, i;
	unsigned int seed = 9;

	(void)state;
	for (i = 0; i < 5000; i++) {
		seed = seed * 1103515245u + 12345u;
		data[i] = (uint8_t)(seed >> 16);
	}
	for (len = 0; len < 5000; len += len < 300 ? 1 : 97) {
		struct dkim_hash h;
		size_t pos = 0, step = 1 + len % 70;

		dkim_hash_init(&h, DKIM_SHA256);
		while (pos < len) {
			size_t n = len - pos < step ? len - pos : step;

			dkim_hash_update(&h, data + pos, n);
			pos += n;
			step = step * 3 % 131 + 1;
		}
		assert_int_equal(dkim_hash_final(&h, a), 32);
		assert_int_equal(mbedtls_sha256_ret(data, len, b, 0), 0);
		if (memcmp(a, b, 32) != 0)
			fail_msg("length %zu", len);
	}
	/* FIPS 180-2 appendix B.1. */
	{
		struct dkim_hash h;
		char hex[65];

		dkim_hash_init(&h, DKIM_SHA256);
		dkim_hash_update(&h, "abc", 3);
		dkim_hash_final(&h, a);
		for (i = 0; i < 32; i++)
			snprintf(hex + 2 * i, 3, "%02x", a[i]);
		assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
		    "b00361a396177a9cb410ff61f20015ad");
	}
	print_message("# SHA extensions: %s\n",
	    dkim_sha256_ni_available() ? "used" : "not available");
	free(data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6376_examples),
		cmocka_unit_test(test_empty_bodies),
		cmocka_unit_test(test_bodies),
		cmocka_unit_test(test_length_limit),
		cmocka_unit_test(test_chunks),
		cmocka_unit_test(test_reference),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_hdrend),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_sha256),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
