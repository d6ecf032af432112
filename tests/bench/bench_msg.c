/* SPDX-License-Identifier: MIT */
/*
 * bench_msg.c -- MIME parsing and body decoding speed of libmoxcore
 * against GMime 3, on a generated set of realistic messages.
 *
 * The generator (deterministic: a fixed-seed xorshift PRNG) makes about
 * 95 MB of mail with CRLF line ends: plain text mails (7bit or
 * quoted-printable), multipart/alternative with text and HTML in
 * quoted-printable, multipart/mixed with a 1 MB base64 attachment,
 * forwards nested 2 or 3 levels deep (message/rfc822 in multipart/mixed),
 * and header sections of real size (Received chains, DKIM-Signature,
 * ARC-*, Authentication-Results, List-*).
 *
 * Measurements, best of N runs each (CLOCK_MONOTONIC):
 *  - parse: mox_msg_tree_parse() + free of every message, against
 *    g_mime_parser_construct_message() (default options, persistent
 *    stream: bodies are not copied) over a GMimeStreamMem that wraps the
 *    same bytes without copying + unref. Both parse the full structure;
 *    the part counts per message are checked to be equal first.
 *  - decode: every leaf body decoded to a newly allocated buffer, on
 *    trees parsed beforehand: mox_msg_part_decode() against
 *    g_mime_data_wrapper_write_to_stream() of g_mime_part_get_content()
 *    into a new GMimeStreamMem. MB/s count the encoded body octets; the
 *    decoded totals are checked to be equal.
 *
 * Usage: bench_msg [runs [scale]]   (defaults 5 and 1; scale multiplies
 * the number of messages). Build with -O2 -DNDEBUG, no sanitizers:
 *   gcc -std=c11 -O2 -DNDEBUG -D_GNU_SOURCE -Ilibmoxcore/include \
 *     -Ilibmoxcore/src -o bench_msg tests/bench/bench_msg.c \
 *     libmoxcore/src/{base,common,addr,msg_2047,msg_addr,msg_date,\
 *     msg_header,msg_mime,msg_tree,msg_decode}.c -lidn2 \
 *     $(pkg-config --cflags --libs gmime-3.0)
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gmime/gmime.h>

#include <mox/message.h>

/* --- PRNG and output buffer --- */

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint32_t
rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dULL) >> 32);
}

static uint32_t
rndn(uint32_t n)
{
	return rnd() % n;
}

struct out {
	uint8_t *p;
	size_t len, cap;
};

static void
grow(struct out *o, size_t n)
{
	if (o->len + n <= o->cap)
		return;
	while (o->len + n > o->cap)
		o->cap = o->cap ? o->cap * 2 : 65536;
	o->p = realloc(o->p, o->cap);
	if (o->p == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
}

static void
put(struct out *o, const void *p, size_t n)
{
	grow(o, n);
	memcpy(o->p + o->len, p, n);
	o->len += n;
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void putf(struct out *o, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
putf(struct out *o, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	put(o, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* --- content --- */

static const char *const words[] = {
	"the", "of", "and", "to", "in", "is", "you", "that", "it", "he",
	"was", "for", "on", "are", "as", "with", "his", "they", "at", "be",
	"this", "have", "from", "or", "one", "had", "by", "word", "but",
	"not", "what", "all", "were", "we", "when", "your", "can", "said",
	"there", "use", "an", "each", "which", "she", "do", "how", "their",
	"if", "will", "up", "other", "about", "out", "many", "then", "them",
	"meeting", "report", "quarter", "budget", "schedule", "project",
	"review", "attached", "please", "thanks", "regards", "tomorrow",
	"deadline", "customer", "invoice", "delivery", "server", "update",
	"caf\xc3\xa9", "na\xc3\xafve", "\xc3\xbc" "ber", "M\xc3\xbcller",
	"\xe2\x82\xac" "100", "\xe6\x97\xa5\xe6\x9c\xac",
	"r\xc3\xa9sum\xc3\xa9",
	"50%", "a=b", "x_y", "(see", "below)", "\"quoted\"", "e-mail",
};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static const char *const names[] = {
	"Alice Example", "Bob Smith", "Carol Jones", "Dave Miller",
	"Eve Brown", "Frank M\xc3\xbcller", "Grace Lee", "Heidi Wang",
};

/* Plain text of about n octets: paragraphs of lines up to 72. */
static void
gen_text(struct out *o, size_t n, bool ascii)
{
	size_t start = o->len, col = 0;

	while (o->len - start < n) {
		const char *w = words[rndn(NWORDS)];
		size_t wl = strlen(w);

		if (ascii && ((const uint8_t *)w)[0] >= 0x80)
			continue;
		if (ascii) {
			size_t k;

			for (k = 0; k < wl && ((const uint8_t *)w)[k] < 0x80;
			    k++)
				;
			if (k < wl)
				continue;
		}
		if (col + wl + 1 > 72) {
			puts_(o, "\r\n");
			col = 0;
			if (rndn(8) == 0)
				puts_(o, "\r\n");
		}
		if (col > 0) {
			puts_(o, " ");
			col++;
		}
		put(o, w, wl);
		col += wl;
	}
	puts_(o, "\r\n");
}

static void
gen_html(struct out *o, size_t n)
{
	size_t start = o->len;

	puts_(o, "<!DOCTYPE html>\r\n<html><head><meta http-equiv=\"Content-"
	    "Type\" content=\"text/html; charset=utf-8\"></head>\r\n<body style"
	    "=\"font-family: Arial, sans-serif; font-size: 14px;\">\r\n");
	while (o->len - start < n) {
		puts_(o, "<div class=\"para\" style=\"margin: 0 0 10px "
		    "0;\"><p>");
		gen_text(o, 200 + rndn(400), false);
		puts_(o, "</p></div>\r\n");
		if (rndn(4) == 0)
			puts_(o, "<table border=\"0\" cellpadding=\"4\"><tr>"
			    "<td align=\"left\">Item</td><td>Value</td></tr>"
			    "</table>\r\n");
	}
	puts_(o, "</body></html>\r\n");
}

/* RFC 2045 6.7 encoder: lines of at most 76, soft breaks, =XX. */
static void
qp_encode(struct out *o, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, col = 0;

	for (i = 0; i < n; i++) {
		uint8_t c = p[i];
		char esc[3];
		size_t el;

		if (c == '\r' && i + 1 < n && p[i + 1] == '\n') {
			puts_(o, "\r\n");
			i++;
			col = 0;
			continue;
		}
		if ((c >= 33 && c <= 126 && c != '=') ||
		    (c == ' ' && i + 1 < n && p[i + 1] != '\r')) {
			esc[0] = (char)c;
			el = 1;
		} else {
			esc[0] = '=';
			esc[1] = hex[c >> 4];
			esc[2] = hex[c & 15];
			el = 3;
		}
		if (col + el > 75) {
			puts_(o, "=\r\n");
			col = 0;
		}
		put(o, esc, el);
		col += el;
	}
}

static void
b64_encode(struct out *o, const uint8_t *p, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
	    "rstuvwxyz0123456789+/";
	size_t i, col = 0;

	grow(o, n / 3 * 4 + n / 57 * 2 + 8);
	for (i = 0; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 |
		    p[i + 2];
		uint8_t *d = o->p + o->len;

		d[0] = (uint8_t)a[v >> 18];
		d[1] = (uint8_t)a[(v >> 12) & 63];
		d[2] = (uint8_t)a[(v >> 6) & 63];
		d[3] = (uint8_t)a[v & 63];
		o->len += 4;
		if ((col += 4) == 76) {
			o->p[o->len++] = '\r';
			o->p[o->len++] = '\n';
			col = 0;
		}
	}
	if (i < n) {
		uint32_t v = (uint32_t)p[i] << 16;
		char t[4];

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		t[0] = a[v >> 18];
		t[1] = a[(v >> 12) & 63];
		t[2] = i + 1 < n ? a[(v >> 6) & 63] : '=';
		t[3] = '=';
		put(o, t, 4);
		col += 4;
	}
	if (col > 0)
		puts_(o, "\r\n");
}

static void
gen_b64_line(struct out *o, size_t n)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopq"
	    "rstuvwxyz0123456789+/";
	size_t i;

	for (i = 0; i < n; i++)
		put(o, &a[rndn(64)], 1);
}

/* --- headers --- */

static unsigned long msgno;

static void
gen_trace(struct out *o, int hops)
{
	int i;

	for (i = 0; i < hops; i++) {
		putf(o, "Received: from mx%u.relay%d.example.net (mx%u.relay%d."
		    "example.net [192.0.2.%u])\r\n\tby mail%d.example.org "
		    "(Postfix) with ESMTPS id %08X%04X\r\n\tfor <user%u@"
		    "example.org>; Tue, %u Jun 2024 %02u:%02u:%02u +0000 "
		    "(UTC)\r\n", rndn(9), i, rndn(9), i, rndn(250), i, rnd(),
		    rndn(65536), rndn(100), 1 + rndn(28), rndn(24), rndn(60),
		    rndn(60));
	}
}

static void
gen_dkim(struct out *o, const char *name)
{
	int i;

	putf(o, "%s: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.net;"
	    "\r\n\ts=sel%u; t=17%08u; x=17%08u;\r\n\th=from:to:subject:date:"
	    "message-id:mime-version:content-type;\r\n\tbh=", name, rndn(9),
	    rndn(100000000), rndn(100000000));
	gen_b64_line(o, 43);
	puts_(o, "=;\r\n\tb=");
	for (i = 0; i < 4; i++) {
		gen_b64_line(o, i < 3 ? 70 : 62);
		puts_(o, i < 3 ? "\r\n\t " : "==\r\n");
	}
}

static void
gen_long_header(struct out *o)
{
	gen_trace(o, 15 + (int)rndn(25));
	gen_dkim(o, "DKIM-Signature");
	gen_dkim(o, "DKIM-Signature");
	putf(o, "ARC-Seal: i=1; a=rsa-sha256; t=17%08u; cv=none; d=example.net;"
	    "\r\n\ts=arc; b=", rndn(100000000));
	gen_b64_line(o, 60);
	puts_(o, "\r\n\t ");
	gen_b64_line(o, 60);
	puts_(o, "==\r\n");
	gen_dkim(o, "ARC-Message-Signature");
	puts_(o, "ARC-Authentication-Results: i=1; mx.example.net; dkim=pass "
	    "header.d=example.net;\r\n\tspf=pass smtp.mailfrom=example.net; "
	    "dmarc=pass (p=REJECT) header.from=example.net\r\n"
	    "Authentication-Results: mail.example.org; dkim=pass (2048-bit "
	    "key) header.d=example.net;\r\n\tspf=pass (mail.example.org: "
	    "domain of list@example.net designates 192.0.2.1 as permitted "
	    "sender)\r\n\tsmtp.mailfrom=list@example.net\r\n"
	    "List-Id: Example discussion list <discuss.lists.example.net>\r\n"
	    "List-Unsubscribe: <mailto:discuss-leave@lists.example.net>,\r\n"
	    "\t<https://lists.example.net/unsubscribe/discuss>\r\n"
	    "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"
	    "List-Archive: <https://lists.example.net/archive/discuss>\r\n"
	    "Precedence: list\r\n"
	    "X-Spam-Status: No, score=-2.1 required=5.0 tests=BAYES_00,"
	    "DKIM_SIGNED,\r\n\tDKIM_VALID,SPF_PASS autolearn=ham\r\n");
}

static void
gen_common_header(struct out *o, bool long_hdr)
{
	const char *from = names[rndn(8)], *to = names[rndn(8)];

	msgno++;
	if (long_hdr)
		gen_long_header(o);
	else
		gen_trace(o, 2 + (int)rndn(3));
	putf(o, "From: %s <sender%u@example.net>\r\n", from, rndn(1000));
	putf(o, "To: %s <rcpt%u@example.org>, list <discuss@lists.example.net>"
	    "\r\n", to, rndn(1000));
	putf(o, "Subject: Re: %s %s %s (#%lu)\r\n", words[rndn(NWORDS)],
	    words[rndn(NWORDS)], words[rndn(NWORDS)], msgno);
	putf(o, "Date: Tue, %u Jun 2024 %02u:%02u:%02u +0200\r\n",
	    1 + rndn(28), rndn(24), rndn(60), rndn(60));
	putf(o, "Message-ID: <%08x.%lu@example.net>\r\n", rnd(), msgno);
	if (rndn(2))
		putf(o, "In-Reply-To: <%08x@example.org>\r\nReferences: "
		    "<%08x@example.org>\r\n\t<%08x@example.org>\r\n", rnd(),
		    rnd(), rnd());
	puts_(o, "MIME-Version: 1.0\r\n");
}

/* --- message kinds --- */

static void
qp_text_part(struct out *o, size_t n, bool html)
{
	struct out t = { NULL, 0, 0 };

	if (html)
		gen_html(&t, n);
	else
		gen_text(&t, n, false);
	putf(o, "Content-Type: text/%s; charset=\"utf-8\"\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	    html ? "html" : "plain");
	qp_encode(o, t.p, t.len);
	free(t.p);
}

static void
msg_plain(struct out *o, bool long_hdr)
{
	gen_common_header(o, long_hdr);
	if (rndn(2)) {
		puts_(o, "Content-Type: text/plain; charset=us-ascii; "
		    "format=flowed\r\nContent-Transfer-Encoding: 7bit\r\n\r\n");
		gen_text(o, 1000 + rndn(8000), true);
	} else {
		qp_text_part(o, 1000 + rndn(8000), false);
	}
}

static void
alternative(struct out *o, const char *b)
{
	size_t n = 2000 + rndn(15000);

	putf(o, "Content-Type: multipart/alternative;\r\n\tboundary=\"%s\""
	    "\r\n\r\n", b);
	putf(o, "--%s\r\n", b);
	qp_text_part(o, n, false);
	putf(o, "\r\n--%s\r\n", b);
	qp_text_part(o, n * 2, true);
	putf(o, "\r\n--%s--\r\n", b);
}

static void
msg_alternative(struct out *o, bool long_hdr)
{
	char b[64];

	gen_common_header(o, long_hdr);
	snprintf(b, sizeof(b), "----=_Part_%u_%u.%u", rndn(100000), rnd(),
	    rnd());
	alternative(o, b);
}

static void
msg_attachment(struct out *o, bool long_hdr, size_t size)
{
	char b[64];
	uint8_t *data = malloc(size);
	size_t i;

	gen_common_header(o, long_hdr);
	snprintf(b, sizeof(b), "=_mixed_%08x%08x", rnd(), rnd());
	/* PDF-like: some text, mostly compressed (random) streams */
	for (i = 0; i < size; i++)
		data[i] = (i % 4096) < 200 ? (uint8_t)(32 + rndn(95)) :
		    (uint8_t)rnd();
	putf(o, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n"
	    "This is a multi-part message in MIME format.\r\n\r\n--%s\r\n",
	    b, b);
	qp_text_part(o, 500 + rndn(3000), false);
	putf(o, "\r\n--%s\r\nContent-Type: application/pdf; name=\"report-"
	    "%u.pdf\"\r\nContent-Disposition: attachment;\r\n\tfilename=\""
	    "report-%u.pdf\"; size=%zu\r\nContent-Transfer-Encoding: base64"
	    "\r\n\r\n", b, rndn(1000), rndn(1000), size);
	b64_encode(o, data, size);
	putf(o, "\r\n--%s--\r\n", b);
	free(data);
}

/* A forward: text, then the forwarded message, which may itself be a
 * forward (depth levels). */
static void
forward_body(struct out *o, int depth)
{
	char b[64];

	snprintf(b, sizeof(b), "fwd-%d-%08x", depth, rnd());
	putf(o, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n--%s"
	    "\r\n", b, b);
	if (rndn(2))
		qp_text_part(o, 300 + rndn(2000), false);
	else {
		puts_(o, "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: 8bit\r\n\r\n");
		gen_text(o, 300 + rndn(2000), false);
	}
	putf(o, "\r\n--%s\r\nContent-Type: message/rfc822\r\nContent-"
	    "Disposition: inline\r\n\r\n", b);
	gen_common_header(o, false);
	if (depth > 1) {
		forward_body(o, depth - 1);
	} else {
		char ib[64];

		snprintf(ib, sizeof(ib), "alt-%08x", rnd());
		alternative(o, ib);
	}
	putf(o, "\r\n--%s--\r\n", b);
}

static void
msg_forward(struct out *o, bool long_hdr)
{
	gen_common_header(o, long_hdr);
	forward_body(o, 2 + (int)rndn(2));
}

/* --- the set --- */

struct msg {
	size_t off, len;
	GByteArray *ba;         /* wraps the bytes for GMime (not owned) */
	mox_msg_tree *tree;     /* for the decode run */
	GMimeMessage *gmsg;
	GMimeParser *gparser;
	GMimeStream *gstream;
};

static struct out set;
static struct msg *msgs;
static size_t nmsgs;

static void
generate(unsigned int scale)
{
	size_t cap = 0;
	unsigned int s, i;

	for (s = 0; s < scale; s++) {
		for (i = 0; i < 1500; i++) {
			size_t start = set.len;
			uint32_t k = rndn(100);
			bool long_hdr = rndn(4) == 0;

			if (i % 40 == 39)
				msg_attachment(&set, long_hdr,
				    (size_t)1 << 20);
			else if (k < 35)
				msg_plain(&set, long_hdr);
			else if (k < 75)
				msg_alternative(&set, long_hdr);
			else if (k < 90)
				msg_forward(&set, long_hdr);
			else
				msg_attachment(&set, long_hdr,
				    10000 + rndn(50000));
			if (nmsgs == cap) {
				cap = cap ? cap * 2 : 1024;
				msgs = realloc(msgs, cap * sizeof(*msgs));
			}
			memset(&msgs[nmsgs], 0, sizeof(msgs[nmsgs]));
			msgs[nmsgs].off = start;
			msgs[nmsgs].len = set.len - start;
			nmsgs++;
		}
	}
}

/* --- helpers --- */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t
gmime_count(GMimeObject *o)
{
	size_t n = 1;
	int i;

	if (GMIME_IS_MULTIPART(o)) {
		for (i = 0; i < g_mime_multipart_get_count(GMIME_MULTIPART(o));
		    i++)
			n += gmime_count(g_mime_multipart_get_part(
			    GMIME_MULTIPART(o), i));
	} else if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *m =
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));

		if (m != NULL && g_mime_message_get_mime_part(m) != NULL)
			n += gmime_count(g_mime_message_get_mime_part(m));
	}
	return n;
}

static GMimeMessage *
gmime_parse(struct msg *m, GMimeParser **pp, GMimeStream **sp)
{
	GMimeStream *st = g_mime_stream_mem_new_with_byte_array(m->ba);
	GMimeParser *p;
	GMimeMessage *gm;

	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(st), FALSE);
	p = g_mime_parser_new_with_stream(st);
	gm = g_mime_parser_construct_message(p, NULL);
	if (pp != NULL) {
		*pp = p;
		*sp = st;
	} else {
		g_object_unref(p);
		g_object_unref(st);
	}
	return gm;
}

/* --- decode runs --- */

struct dtotals {
	size_t leaves, in, out;
};

static void
mox_decode_all(struct dtotals *t)
{
	size_t i, j;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < nmsgs; i++) {
		mox_msg_tree *tr = msgs[i].tree;

		for (j = 0; j < mox_msg_tree_count(tr); j++) {
			const mox_msg_part *p = mox_msg_tree_part(tr, j);
			uint8_t *d;
			size_t n;

			if (p->kind != MOX_MSG_PART_LEAF)
				continue;
			if (mox_msg_part_decode(&d, &n, NULL, tr, p) !=
			    MOX_OK) {
				fprintf(stderr, "mox_msg_part_decode failed\n");
				exit(1);
			}
			t->leaves++;
			t->in += p->body_size;
			t->out += n;
			mox_msg_free(d);
		}
	}
}

static void
gmime_decode_obj(struct dtotals *t, GMimeObject *o)
{
	int i;

	if (GMIME_IS_MULTIPART(o)) {
		for (i = 0; i < g_mime_multipart_get_count(GMIME_MULTIPART(o));
		    i++)
			gmime_decode_obj(t, g_mime_multipart_get_part(
			    GMIME_MULTIPART(o), i));
	} else if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *m =
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));

		if (m != NULL && g_mime_message_get_mime_part(m) != NULL)
			gmime_decode_obj(t, g_mime_message_get_mime_part(m));
	} else if (GMIME_IS_PART(o)) {
		GMimeDataWrapper *w = g_mime_part_get_content(GMIME_PART(o));
		GMimeStream *out = g_mime_stream_mem_new();

		if (w != NULL) {
			GMimeStream *raw = g_mime_data_wrapper_get_stream(w);

			t->in += (size_t)(raw->bound_end - raw->bound_start);
			g_mime_data_wrapper_write_to_stream(w, out);
		}
		t->leaves++;
		t->out += g_mime_stream_mem_get_byte_array(
		    GMIME_STREAM_MEM(out))->len;
		g_object_unref(out);
	}
}

static void
gmime_decode_all(struct dtotals *t)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < nmsgs; i++)
		gmime_decode_obj(t, g_mime_message_get_mime_part(
		    msgs[i].gmsg));
}

int
main(int argc, char **argv)
{
	int runs = argc > 1 ? atoi(argv[1]) : 5;
	unsigned int scale = argc > 2 ? (unsigned int)atoi(argv[2]) : 1;
	double best_mox = 1e30, best_gm = 1e30, t;
	double dbest_mox = 1e30, dbest_gm = 1e30;
	size_t i, parts = 0, leaves = 0;
	struct dtotals dm, dg;
	int r;

	if (runs < 1 || scale < 1) {
		fprintf(stderr, "usage: %s [runs [scale]]\n", argv[0]);
		return 2;
	}
	g_mime_init();
	generate(scale);
	for (i = 0; i < nmsgs; i++)
		msgs[i].ba = g_byte_array_new_take(set.p + msgs[i].off,
		    msgs[i].len);

	/* Same structure on both sides, part for part. */
	for (i = 0; i < nmsgs; i++) {
		mox_msg_tree *tr;
		GMimeMessage *gm;
		size_t k;

		if (mox_msg_tree_parse(&tr, set.p + msgs[i].off, msgs[i].len,
		    NULL) != MOX_OK) {
			fprintf(stderr, "mox_msg_tree_parse failed\n");
			return 1;
		}
		gm = gmime_parse(&msgs[i], NULL, NULL);
		if (gm == NULL || gmime_count(g_mime_message_get_mime_part(gm))
		    != mox_msg_tree_count(tr)) {
			fprintf(stderr, "message %zu: %zu parts in mox, %zu in "
			    "GMime\n", i, mox_msg_tree_count(tr), gm != NULL ?
			    gmime_count(g_mime_message_get_mime_part(gm)) : 0);
			return 1;
		}
		parts += mox_msg_tree_count(tr);
		for (k = 0; k < mox_msg_tree_count(tr); k++)
			leaves += mox_msg_tree_part(tr, k)->kind ==
			    MOX_MSG_PART_LEAF;
		mox_msg_tree_free(tr);
		g_object_unref(gm);
	}
	printf("set: %zu messages, %.1f MB, %zu parts, %zu leaves, best of %d"
	    " runs\n", nmsgs, (double)set.len / 1e6, parts, leaves, runs);

	for (r = 0; r < runs; r++) {
		t = now();
		for (i = 0; i < nmsgs; i++) {
			mox_msg_tree *tr;

			mox_msg_tree_parse(&tr, set.p + msgs[i].off,
			    msgs[i].len, NULL);
			mox_msg_tree_free(tr);
		}
		t = now() - t;
		if (t < best_mox)
			best_mox = t;
		t = now();
		for (i = 0; i < nmsgs; i++)
			g_object_unref(gmime_parse(&msgs[i], NULL, NULL));
		t = now() - t;
		if (t < best_gm)
			best_gm = t;
	}
	printf("parse mox: %.1f MB/s %.0f msg/s\n",
	    (double)set.len / 1e6 / best_mox, (double)nmsgs / best_mox);
	printf("parse gmime: %.1f MB/s %.0f msg/s\n",
	    (double)set.len / 1e6 / best_gm, (double)nmsgs / best_gm);
	printf("parse ratio mox/gmime: %.2f\n", best_gm / best_mox);

	for (i = 0; i < nmsgs; i++) {
		mox_msg_tree_parse(&msgs[i].tree, set.p + msgs[i].off,
		    msgs[i].len, NULL);
		msgs[i].gmsg = gmime_parse(&msgs[i], &msgs[i].gparser,
		    &msgs[i].gstream);
	}
	for (r = 0; r < runs; r++) {
		t = now();
		mox_decode_all(&dm);
		t = now() - t;
		if (t < dbest_mox)
			dbest_mox = t;
		t = now();
		gmime_decode_all(&dg);
		t = now() - t;
		if (t < dbest_gm)
			dbest_gm = t;
	}
	if (dm.leaves != dg.leaves || dm.in != dg.in || dm.out != dg.out) {
		fprintf(stderr, "decode totals differ: mox %zu leaves %zu -> "
		    "%zu octets, GMime %zu leaves %zu -> %zu\n", dm.leaves,
		    dm.in, dm.out, dg.leaves, dg.in, dg.out);
		return 1;
	}
	printf("decode: %zu leaves, %.1f MB encoded, %.1f MB decoded\n",
	    dm.leaves, (double)dm.in / 1e6, (double)dm.out / 1e6);
	printf("decode mox: %.1f MB/s %.0f msg/s\n",
	    (double)dm.in / 1e6 / dbest_mox, (double)nmsgs / dbest_mox);
	printf("decode gmime: %.1f MB/s %.0f msg/s\n",
	    (double)dg.in / 1e6 / dbest_gm, (double)nmsgs / dbest_gm);
	printf("decode ratio mox/gmime: %.2f\n", dbest_gm / dbest_mox);

	for (i = 0; i < nmsgs; i++) {
		mox_msg_tree_free(msgs[i].tree);
		g_object_unref(msgs[i].gmsg);
		g_object_unref(msgs[i].gparser);
		g_object_unref(msgs[i].gstream);
		g_byte_array_free(msgs[i].ba, FALSE);
	}
	free(msgs);
	free(set.p);
	g_mime_shutdown();
	return 0;
}
