/* SPDX-License-Identifier: MIT */
/*
 * bench_dmarc_report.c -- DMARC aggregate report parsing speed of
 * libmoxdmarc next to expat's raw speed on the same documents.
 *
 * The documents (deterministic: a fixed-seed xorshift PRNG) are written
 * by mox_dmarc_report_xml() in both formats, plus a compact form without
 * indentation as Yahoo sends: a small report (10 records), a large one
 * (20000 records) and a huge one (200000 records, about 150 MB in RFC
 * 9990 form). Records mix IPv4 and IPv6 sources, one to three DKIM
 * results, SPF in both scopes, override reasons and free text.
 *
 * Measurements, best of N runs each (CLOCK_MONOTONIC), MB/s of XML:
 *  - expat: XML_ParserCreate() and XML_Parse() of the whole document with
 *    no handlers at all: the floor any expat-based parser starts from;
 *  - expat-ns: the same with namespace processing (XML_ParserCreateNS),
 *    as the report parser uses it;
 *  - mox: mox_dmarc_report_parse() + mox_dmarc_report_free(), which
 *    builds every record;
 *  - write: mox_dmarc_report_xml() of the parsed rows.
 *
 * Usage: bench_dmarc_report [runs]   (default 5). Build with -O2
 * -DNDEBUG, no sanitizers, from the top of the tree:
 *   CORE="libmoxcore/src/base.c libmoxcore/src/common.c ..." (as for
 *   the unit tests)
 *   gcc -std=c11 -O2 -DNDEBUG -D_GNU_SOURCE -Ilibmoxcore/include \
 *     -Ilibmoxcore/src -Ilibmoxdmarc/include -Ilibmoxdmarc/src \
 *     -o bench_dmarc_report tests/bench/bench_dmarc_report.c \
 *     libmoxdmarc/src/report*.c $CORE -lexpat -lz -lunbound -lidn2 \
 *     -lpthread
 */
#include <expat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mox/dmarc.h>

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_dmarc_report: %s\n", what);
	exit(1);
}

/* Storage for generated rows: everything lives until exit. */
struct gen {
	mox_dmarc_report_row *rows;
	const mox_dmarc_report_row **ptrs;
	mox_dmarc_report_dkim *dkim;
	mox_dmarc_report_spf *spf;
	mox_dmarc_report_reason *reasons;
	char *strings;
	size_t n;
};

static const char *const domains[] = {
	"example.com", "news.example.com", "mail.example.com",
	"esp.example.net", "bulk-mailer.example.org", "lists.example.org",
	"marketing.example.co.uk", "a.very.long.subdomain.example.com"
};
#define NDOMAINS (sizeof(domains) / sizeof(domains[0]))

static void
generate(struct gen *g, size_t n)
{
	const mox_dmarc_report_row init = MOX_DMARC_REPORT_ROW_INIT;
	size_t i, j, nd = 0, ns = 0, nr = 0;
	char *s;

	g->n = n;
	g->rows = calloc(n, sizeof(*g->rows));
	g->ptrs = calloc(n, sizeof(*g->ptrs));
	g->dkim = calloc(n * 3, sizeof(*g->dkim));
	g->spf = calloc(n * 2, sizeof(*g->spf));
	g->reasons = calloc(n, sizeof(*g->reasons));
	g->strings = s = calloc(n, 64);
	if (g->rows == NULL || g->ptrs == NULL || g->dkim == NULL ||
	    g->spf == NULL || g->reasons == NULL || s == NULL)
		die("out of memory");
	for (i = 0; i < n; i++) {
		mox_dmarc_report_row *r = &g->rows[i];
		bool pass = rnd() % 4 != 0;
		size_t k;

		*r = init;
		if (rnd() % 3 == 0)
			snprintf(s, 64, "2001:db8:%x:%x::%x", rnd() % 65536,
			    rnd() % 65536, rnd() % 65536);
		else
			snprintf(s, 64, "%u.%u.%u.%u", 1 + rnd() % 223,
			    rnd() % 256, rnd() % 256, 1 + rnd() % 254);
		r->source_ip = s;
		s += 64;
		r->count = 1 + rnd() % (rnd() % 10 == 0 ? 100000 : 20);
		r->disposition = pass ? MOX_DMARC_DISPOSITION_NONE :
		    1 + (int)(rnd() % 3);
		r->dkim = pass ? MOX_DMARC_PASS : MOX_DMARC_FAIL;
		r->spf = rnd() % 2 ? MOX_DMARC_PASS : MOX_DMARC_FAIL;
		r->header_from = domains[rnd() % 3];
		r->envelope_from = domains[rnd() % NDOMAINS];
		if (rnd() % 2)
			r->envelope_to = "receiver.example";
		if (!pass && rnd() % 3 == 0) {
			g->reasons[nr].type = MOX_DMARC_OVERRIDE_LOCAL_POLICY;
			g->reasons[nr].comment = "known forwarder";
			r->reasons = &g->reasons[nr++];
			r->nreasons = 1;
		}
		k = rnd() % 4;
		r->dkim_results = &g->dkim[nd];
		for (j = 0; j < k; j++) {
			mox_dmarc_report_dkim *d = &g->dkim[nd++];

			d->domain = domains[rnd() % NDOMAINS];
			d->selector = j == 0 ? "selector1" : "s2024";
			d->result = pass && j == 0 ? MOX_DMARC_DKIM_PASS :
			    (int)(rnd() % 7);
			d->human_result = rnd() % 5 == 0 ? "body hash did not "
			    "verify" : NULL;
		}
		r->ndkim = k;
		if (k == 0)
			r->dkim_results = NULL;
		r->spf_results = &g->spf[ns];
		g->spf[ns].domain = r->envelope_from;
		g->spf[ns].scope = MOX_DMARC_SPF_SCOPE_MFROM;
		g->spf[ns].result = r->spf == MOX_DMARC_PASS ?
		    MOX_DMARC_SPF_PASS : (int)(rnd() % 7);
		ns++;
		r->nspf = 1;
		g->ptrs[i] = r;
	}
}

static char *
document(const struct gen *g, int fmt, bool compact, size_t *len)
{
	mox_dmarc_report_meta m = MOX_DMARC_REPORT_META_INIT;
	char *xml, *c;
	size_t i, o = 0;

	m.format = fmt;
	m.org_name = "Mail Receiver Example";
	m.email = "dmarc-reports@receiver.example";
	m.report_id = "1700092800-example.com@receiver.example";
	m.begin = 1700006400;
	m.end = 1700092799;
	m.domain = "example.com";
	m.p = MOX_DMARC_P_REJECT;
	m.adkim = MOX_DMARC_RELAXED;
	if (mox_dmarc_report_xml(&xml, len, &m, g->ptrs, g->n) != MOX_OK)
		die("mox_dmarc_report_xml failed");
	if (!compact)
		return xml;
	/* Drop the indentation and line ends between elements. */
	c = malloc(*len + 1);
	if (c == NULL)
		die("out of memory");
	for (i = 0; i < *len; i++) {
		if (xml[i] == '\n') {
			while (i + 1 < *len && xml[i + 1] == ' ')
				i++;
			continue;
		}
		c[o++] = xml[i];
	}
	c[o] = '\0';
	mox_dmarc_report_data_free(xml);
	*len = o;
	return c;
}

static double
bench_expat(const char *xml, size_t len, bool ns)
{
	double t = now();
	XML_Parser p = ns ? XML_ParserCreateNS(NULL, '\x01') :
	    XML_ParserCreate(NULL);
	size_t off = 0;

	if (p == NULL)
		die("XML_ParserCreate failed");
	while (off < len) {
		size_t n = len - off > (1u << 30) ? (1u << 30) : len - off;

		if (XML_Parse(p, xml + off, (int)n, off + n == len) !=
		    XML_STATUS_OK)
			die("expat failed");
		off += n;
	}
	XML_ParserFree(p);
	return now() - t;
}

static double
bench_mox(const char *xml, size_t len, size_t want)
{
	mox_dmarc_report_options o = MOX_DMARC_REPORT_OPTIONS_INIT;
	mox_dmarc_report *r;
	char err[256];
	double t = now();

	o.max_size = (size_t)1 << 30;
	if (mox_dmarc_report_parse_opts(&r, (const uint8_t *)xml, len, &o,
		err, sizeof(err)) != MOX_OK) {
		fprintf(stderr, "%s\n", err);
		die("mox_dmarc_report_parse failed");
	}
	if (mox_dmarc_report_row_count(r) != want)
		die("record count differs");
	mox_dmarc_report_free(r);
	return now() - t;
}

static double
bench_write(const struct gen *g, int fmt)
{
	size_t len;
	double t = now();
	char *xml = document(g, fmt, false, &len);

	t = now() - t;
	mox_dmarc_report_data_free(xml);
	return t;
}

static double
best(double cur, double t)
{
	return cur == 0 || t < cur ? t : cur;
}

int
main(int argc, char **argv)
{
	static const size_t sizes[] = { 10, 20000, 200000 };
	static const struct {
		const char *name;
		int fmt;
		bool compact;
	} forms[] = {
		{ "rfc9990", MOX_DMARC_REPORT_RFC9990, false },
		{ "rfc7489", MOX_DMARC_REPORT_RFC7489, false },
		{ "compact", MOX_DMARC_REPORT_RFC7489, true },
	};
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	size_t s, f;

	if (runs < 1)
		runs = 1;
	printf("%-8s %8s %10s %10s %10s %10s %10s %6s\n", "form", "records",
	    "MB", "expat", "expat-ns", "mox", "write", "mox/ns");
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		struct gen g;

		generate(&g, sizes[s]);
		for (f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
			size_t len;
			char *xml = document(&g, forms[f].fmt, forms[f].compact,
			    &len);
			double te = 0, tn = 0, tm = 0, tw = 0, mb;
			int i, reps;

			/* Small documents: repeat to get measurable times. */
			reps = len < (1u << 20) ? (int)((8u << 20) / len) : 1;
			for (i = 0; i < runs; i++) {
				double a = 0, b = 0, c = 0, d = 0;
				int k;

				for (k = 0; k < reps; k++) {
					a += bench_expat(xml, len, false);
					b += bench_expat(xml, len, true);
					c += bench_mox(xml, len, sizes[s]);
				}
				if (!forms[f].compact) {
					for (k = 0; k < reps; k++)
						d += bench_write(&g,
						    forms[f].fmt);
				}
				te = best(te, a / reps);
				tn = best(tn, b / reps);
				tm = best(tm, c / reps);
				tw = best(tw, d / reps);
			}
			mb = (double)len / 1e6;
			printf("%-8s %8zu %10.2f %10.0f %10.0f %10.0f ",
			    forms[f].name, sizes[s], mb, mb / te, mb / tn,
			    mb / tm);
			if (forms[f].compact)
				printf("%10s", "-");
			else
				printf("%10.0f", mb / tw);
			printf(" %5.0f%%\n", 100.0 * tn / tm);
			if (forms[f].compact)
				free(xml);
			else
				mox_dmarc_report_data_free(xml);
		}
		free(g.rows);
		free(g.ptrs);
		free(g.dkim);
		free(g.spf);
		free(g.reasons);
		free(g.strings);
	}
	printf("MB/s of XML, best of %d runs; mox/ns: expat-ns time as a "
	    "share of mox time\n", runs);
	return 0;
}
