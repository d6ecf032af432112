/* SPDX-License-Identifier: MIT */
/*
 * canon.c -- hashes, canonicalization (RFC 6376 3.4), finding the end of
 * a header section fed in chunks, indexing its fields and selecting the
 * ones h= signs (RFC 6376 5.4.2).
 *
 * The body canonicalizer runs over large runs of input: it copies line
 * contents into a buffer of a few KB and hashes that, and holds back only
 * counts (empty lines at the end, whitespace at the end of a line, a CR
 * at the end of a chunk), never a copy of the message.
 */
#include <string.h>

#include "dkim-int.h"

/* --- hashes --- */

#if MBEDTLS_VERSION_NUMBER >= 0x03000000
#define SHA256_STARTS(c) mbedtls_sha256_starts((c), 0)
#define SHA256_UPDATE mbedtls_sha256_update
#define SHA256_FINISH mbedtls_sha256_finish
#define SHA1_STARTS mbedtls_sha1_starts
#define SHA1_UPDATE mbedtls_sha1_update
#define SHA1_FINISH mbedtls_sha1_finish
#else
#define SHA256_STARTS(c) mbedtls_sha256_starts_ret((c), 0)
#define SHA256_UPDATE mbedtls_sha256_update_ret
#define SHA256_FINISH mbedtls_sha256_finish_ret
#define SHA1_STARTS mbedtls_sha1_starts_ret
#define SHA1_UPDATE mbedtls_sha1_update_ret
#define SHA1_FINISH mbedtls_sha1_finish_ret
#endif

void
dkim_hash_init(struct dkim_hash *h, int alg)
{
	h->alg = alg;
	h->ni = false;
#if DKIM_HAVE_SHA_NI
	if (alg == DKIM_SHA256 && dkim_sha256_ni_available()) {
		h->ni = true;
		dkim_sha256_ni_init(&h->u.ni);
		return;
	}
#endif
	if (alg == DKIM_SHA1) {
		mbedtls_sha1_init(&h->u.s1);
		(void)SHA1_STARTS(&h->u.s1);
	} else {
		mbedtls_sha256_init(&h->u.s256);
		(void)SHA256_STARTS(&h->u.s256);
	}
}

void
dkim_hash_update(struct dkim_hash *h, const void *p, size_t n)
{
	if (n == 0)
		return;
#if DKIM_HAVE_SHA_NI
	if (h->ni) {
		dkim_sha256_ni_update(&h->u.ni, p, n);
		return;
	}
#endif
	if (h->alg == DKIM_SHA1)
		(void)SHA1_UPDATE(&h->u.s1, p, n);
	else
		(void)SHA256_UPDATE(&h->u.s256, p, n);
}

size_t
dkim_hash_final(struct dkim_hash *h, uint8_t *out)
{
#if DKIM_HAVE_SHA_NI
	if (h->ni) {
		dkim_sha256_ni_final(&h->u.ni, out);
		return 32;
	}
#endif
	if (h->alg == DKIM_SHA1) {
		(void)SHA1_FINISH(&h->u.s1, out);
		mbedtls_sha1_free(&h->u.s1);
		return 20;
	}
	(void)SHA256_FINISH(&h->u.s256, out);
	mbedtls_sha256_free(&h->u.s256);
	return 32;
}

void
dkim_hash_free(struct dkim_hash *h)
{
	if (h->ni)
		return;
	if (h->alg == DKIM_SHA1)
		mbedtls_sha1_free(&h->u.s1);
	else
		mbedtls_sha256_free(&h->u.s256);
}

/* --- sink --- */

void
dkim_sink_init(struct dkim_sink *s, struct dkim_hash *h, mox__buf *capture)
{
	s->h = h;
	s->capture = capture;
	s->n = 0;
}

void
dkim_sink_flush(struct dkim_sink *s)
{
	if (s->n == 0)
		return;
	if (s->h != NULL)
		dkim_hash_update(s->h, s->buf, s->n);
	if (s->capture != NULL)
		mox__buf_add(s->capture, s->buf, s->n);
	s->n = 0;
}

void
dkim_sink_put(struct dkim_sink *s, const void *p, size_t n)
{
	if (s->n + n > sizeof(s->buf)) {
		dkim_sink_flush(s);
		if (n >= sizeof(s->buf)) {
			if (s->h != NULL)
				dkim_hash_update(s->h, p, n);
			if (s->capture != NULL)
				mox__buf_add(s->capture, p, n);
			return;
		}
	}
	memcpy(s->buf + s->n, p, n);
	s->n += n;
}

/* --- header fields --- */

/* raw[a, b) as is, bare LF written as CRLF (RFC 5322 2.3). */
static void
put_simple(struct dkim_sink *s, const uint8_t *raw, size_t a, size_t b)
{
	while (a < b) {
		const uint8_t *q = memchr(raw + a, '\n', b - a);
		size_t j;

		if (q == NULL) {
			dkim_sink_put(s, raw + a, b - a);
			return;
		}
		j = (size_t)(q - raw);
		if (j > 0 && raw[j - 1] == '\r') {
			dkim_sink_put(s, raw + a, j + 1 - a);
		} else {
			dkim_sink_put(s, raw + a, j - a);
			dkim_sink_put(s, "\r\n", 2);
		}
		a = j + 1;
	}
}

struct relaxed_state {
	bool ws;
	bool started;
};

/* RFC 6376 3.4.2: unfold, reduce WSP runs to one SP, drop WSP at the
 * start and end of the value. */
static void
put_relaxed(struct dkim_sink *s, struct relaxed_state *st, const uint8_t *raw,
    size_t a, size_t b)
{
	size_t i = a;

	while (i < b) {
		uint8_t c = raw[i];
		size_t j;

		if (c == ' ' || c == '\t') {
			st->ws = true;
			i++;
			continue;
		}
		if (c == '\n' || (c == '\r' && i + 1 < b && raw[i + 1] == '\n')) {
			i++;
			continue;
		}
		for (j = i + 1; j < b; j++) {
			c = raw[j];
			if (c == ' ' || c == '\t' || c == '\n' ||
			    (c == '\r' && j + 1 < b && raw[j + 1] == '\n'))
				break;
		}
		if (st->ws && st->started)
			dkim_sink_put(s, " ", 1);
		st->ws = false;
		st->started = true;
		dkim_sink_put(s, raw + i, j - i);
		i = j;
	}
}

void
dkim_canon_header(struct dkim_sink *s, int canon, const uint8_t *raw,
    size_t namelen, size_t valoff, size_t valend, size_t skip_off,
    size_t skip_end, bool crlf)
{
	if (skip_off >= skip_end) {
		skip_off = valend;
		skip_end = valend;
	}
	if (canon == MOX_DKIM_SIMPLE) {
		put_simple(s, raw, 0, skip_off);
		put_simple(s, raw, skip_end, valend);
	} else {
		struct relaxed_state st = { false, false };
		char lower[64];
		size_t i, k = 0;

		for (i = 0; i < namelen; i++) {
			lower[k++] = (char)mox__lower(raw[i]);
			if (k == sizeof(lower)) {
				dkim_sink_put(s, lower, k);
				k = 0;
			}
		}
		lower[k++] = ':';
		dkim_sink_put(s, lower, k);
		put_relaxed(s, &st, raw, valoff, skip_off);
		put_relaxed(s, &st, raw, skip_end, valend);
	}
	if (crlf)
		dkim_sink_put(s, "\r\n", 2);
}

/* --- body --- */

void
dkim_body_init(struct dkim_body *b, int canon, int hash, bool has_limit,
    uint64_t limit)
{
	b->canon = canon;
	b->has_limit = has_limit;
	b->limit = limit;
	b->total = 0;
	b->hashed = 0;
	b->pending_crlf = 0;
	b->ws = false;
	b->content = false;
	b->cr = false;
	b->capture = NULL;
	b->n = 0;
	dkim_hash_init(&b->hash, hash);
}

static void
body_flush(struct dkim_body *b)
{
	if (b->n == 0)
		return;
	dkim_hash_update(&b->hash, b->buf, b->n);
	if (b->capture != NULL)
		mox__buf_add(b->capture, b->buf, b->n);
	b->n = 0;
}

static void
body_emit(struct dkim_body *b, const uint8_t *p, size_t n)
{
	b->total += n;
	if (b->has_limit) {
		uint64_t room = b->limit - b->hashed;

		if (room == 0)
			return;
		if (n > room)
			n = (size_t)room;
	}
	b->hashed += n;
	if (b->n + n > sizeof(b->buf)) {
		body_flush(b);
		if (n >= sizeof(b->buf)) {
			dkim_hash_update(&b->hash, p, n);
			if (b->capture != NULL)
				mox__buf_add(b->capture, p, n);
			return;
		}
	}
	memcpy(b->buf + b->n, p, n);
	b->n += n;
}

static void
body_flush_crlf(struct dkim_body *b)
{
	if (b->has_limit && b->hashed >= b->limit) {
		b->total += 2 * b->pending_crlf;
		b->pending_crlf = 0;
		return;
	}
	for (; b->pending_crlf > 0; b->pending_crlf--)
		body_emit(b, (const uint8_t *)"\r\n", 2);
}

/* Relaxed, without l=: copy the line reducing whitespace straight into
 * the buffer, which has room for n + 2 octets. */
static void
relaxed_fast(struct dkim_body *b, const uint8_t *p, size_t n)
{
	uint8_t *out = b->buf + b->n, *start = out;
	unsigned int ws = b->ws;
	size_t i, k;

	/* Without branches: whitespace in text is too frequent and too
	 * irregular for the branch predictor. */
	for (i = 0; i < n; i++) {
		uint8_t c = p[i];
		unsigned int w = (c == ' ') | (c == '\t');

		*out = ' ';
		out += ws & (w ^ 1);
		*out = c;
		out += w ^ 1;
		ws = w;
	}
	k = (size_t)(out - start);
	if (k > 0)
		b->content = true;
	b->ws = ws != 0;
	b->n += k;
	b->total += k;
	b->hashed += k;
}

/* Octets of a line (no line end in them). */
static void
body_content(struct dkim_body *b, const uint8_t *p, size_t n)
{
	size_t i, j;

	if (b->canon == MOX_DKIM_RELAXED && !b->has_limit) {
		if (b->pending_crlf > 0) {
			for (i = 0; i < n && (p[i] == ' ' || p[i] == '\t'); i++)
				;
			if (i < n)
				body_flush_crlf(b);
		}
		while (n > 0) {
			size_t k = n < sizeof(b->buf) / 2 ? n :
			    sizeof(b->buf) / 2;

			if (sizeof(b->buf) - b->n < k + 2)
				body_flush(b);
			relaxed_fast(b, p, k);
			p += k;
			n -= k;
		}
		return;
	}
	if (b->canon == MOX_DKIM_SIMPLE) {
		if (b->pending_crlf > 0)
			body_flush_crlf(b);
		b->content = true;
		body_emit(b, p, n);
		return;
	}
	/* RFC 6376 3.4.4: WSP runs become one SP, WSP at the end of a line
	 * goes. */
	i = 0;
	while (i < n) {
		if (p[i] == ' ' || p[i] == '\t') {
			b->ws = true;
			i++;
			continue;
		}
		for (j = i + 1; j < n && p[j] != ' ' && p[j] != '\t'; j++)
			;
		if (b->pending_crlf > 0)
			body_flush_crlf(b);
		if (b->ws) {
			body_emit(b, (const uint8_t *)" ", 1);
			b->ws = false;
		}
		b->content = true;
		body_emit(b, p + i, j - i);
		i = j;
	}
}

static void
body_eol(struct dkim_body *b)
{
	b->ws = false;
	if (b->content) {
		body_emit(b, (const uint8_t *)"\r\n", 2);
		b->content = false;
	} else {
		/* An empty line: kept only if something follows (RFC 6376
		 * 3.4.3, 3.4.4). */
		b->pending_crlf++;
	}
}

/* Simple: runs of lines that end in CRLF and are not empty are the
 * output as they are (RFC 6376 3.4.3), so they are hashed in one piece
 * from the input; only empty lines, bare LF and lines split between
 * chunks take the line by line path. */
static void
simple_update(struct dkim_body *b, const uint8_t *p, const uint8_t *end)
{
	const uint8_t *span = p;
	size_t n;

	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));

		if (nl == NULL)
			break;
		if (nl - p >= 2 && nl[-1] == '\r' && !b->content &&
		    b->pending_crlf == 0) {
			p = nl + 1;
			continue;
		}
		if (p > span)
			body_emit(b, span, (size_t)(p - span));
		n = (size_t)(nl - p);
		if (n > 0 && nl[-1] == '\r')
			n--;
		if (n > 0)
			body_content(b, p, n);
		body_eol(b);
		p = nl + 1;
		span = p;
	}
	if (p > span)
		body_emit(b, span, (size_t)(p - span));
	if (p < end) {
		/* A CR at the end may start a CRLF: hold it. */
		n = (size_t)(end - p);
		if (p[n - 1] == '\r') {
			n--;
			b->cr = true;
		}
		if (n > 0)
			body_content(b, p, n);
	}
}

void
dkim_body_update(struct dkim_body *b, const uint8_t *p, size_t len)
{
	const uint8_t *end = p + len;

	if (len == 0)
		return;
	if (b->cr) {
		b->cr = false;
		if (*p == '\n') {
			body_eol(b);
			p++;
		} else {
			body_content(b, (const uint8_t *)"\r", 1);
		}
	}
	if (b->canon == MOX_DKIM_SIMPLE) {
		simple_update(b, p, end);
		return;
	}
	while (p < end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n;

		if (nl == NULL) {
			/* A CR at the end may start a CRLF: hold it. */
			n = (size_t)(end - p);
			if (p[n - 1] == '\r') {
				n--;
				b->cr = true;
			}
			if (n > 0)
				body_content(b, p, n);
			break;
		}
		n = (size_t)(nl - p);
		if (n > 0 && nl[-1] == '\r')
			n--;
		if (n > 0)
			body_content(b, p, n);
		body_eol(b);
		p = nl + 1;
	}
}

size_t
dkim_body_final(struct dkim_body *b, uint8_t *out, uint64_t *total)
{
	if (b->cr) {
		b->cr = false;
		body_content(b, (const uint8_t *)"\r", 1);
	}
	/* A last line without line end gets one. */
	if (b->content) {
		body_emit(b, (const uint8_t *)"\r\n", 2);
		b->content = false;
	}
	/* RFC 6376 3.4.3: an empty body is a single CRLF in simple. */
	if (b->canon == MOX_DKIM_SIMPLE && b->total == 0)
		body_emit(b, (const uint8_t *)"\r\n", 2);
	b->pending_crlf = 0;
	body_flush(b);
	if (total != NULL)
		*total = b->total;
	return dkim_hash_final(&b->hash, out);
}

void
dkim_body_free(struct dkim_body *b)
{
	dkim_hash_free(&b->hash);
}

/* --- header sections --- */

enum { HE_LINESTART = 0, HE_LINE = 1, HE_CR = 2, HE_DONE = 3 };

size_t
dkim_hdrend_scan(struct dkim_hdrend *h, const uint8_t *p, size_t len,
    bool *done)
{
	size_t i = 0;

	*done = h->state == HE_DONE;
	if (*done)
		return 0;
	while (i < len) {
		const uint8_t *q;

		switch (h->state) {
		case HE_LINESTART:
			if (p[i] == '\n') {
				h->state = HE_DONE;
				*done = true;
				return i + 1;
			}
			if (p[i] == '\r') {
				h->state = HE_CR;
				i++;
				continue;
			}
			h->state = HE_LINE;
			break;
		case HE_CR:
			if (p[i] == '\n') {
				h->state = HE_DONE;
				*done = true;
				return i + 1;
			}
			h->state = HE_LINE;
			break;
		default:
			q = memchr(p + i, '\n', len - i);
			if (q == NULL)
				return len;
			i = (size_t)(q - p) + 1;
			h->state = HE_LINESTART;
			break;
		}
	}
	return len;
}

int
dkim_fields_index(const uint8_t *hdr, size_t len, size_t max,
    struct dkim_field **out, size_t *n)
{
	mox_msg_options o = MOX_MSG_OPTIONS_INIT;
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	struct dkim_field *arr = NULL;
	size_t cnt = 0, cap = 0;
	int rc;

	*out = NULL;
	*n = 0;
	o.max_header_size = max;
	o.max_fields = DKIM_MAX_FIELDS;
	o.max_line_length = 0;
	if (mox_msg_iter_init(&it, hdr, len, &o) != MOX_OK)
		return MOX_EINVAL;
	for (;;) {
		rc = mox_msg_iter_next(&it, &f);
		if (rc == MOX_ENOTFOUND)
			break;
		if (rc == MOX_ESYNTAX)
			continue;
		if (rc != MOX_OK && rc != MOX_ENUL) {
			mox__free(arr);
			return rc == MOX_ELIMIT ? MOX_ELIMIT : MOX_EINVAL;
		}
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			struct dkim_field *na;

			na = mox__reallocarray(arr, ncap, sizeof(*arr));
			if (na == NULL) {
				mox__free(arr);
				return MOX_ENOMEM;
			}
			arr = na;
			cap = ncap;
		}
		arr[cnt].off = f.offset;
		arr[cnt].len = f.raw.len;
		arr[cnt].namelen = f.name.len;
		arr[cnt].valoff = (size_t)(f.value.ptr - f.raw.ptr);
		arr[cnt].valend = arr[cnt].valoff + f.value.len;
		cnt++;
	}
	*out = arr;
	*n = cnt;
	return MOX_OK;
}

void
dkim_fields_select(const uint8_t *hdr, const struct dkim_field *f, size_t nf,
    const char *const *names, size_t nnames, size_t *sel)
{
	size_t i, j;

	for (i = 0; i < nnames; i++) {
		size_t cursor = nf, nl = strlen(names[i]);

		/* A repeated name continues above the field its previous
		 * occurrence selected. */
		for (j = i; j-- > 0;) {
			if (mox__strcasecmp(names[j], names[i]) == 0) {
				cursor = sel[j] == SIZE_MAX ? 0 : sel[j];
				break;
			}
		}
		sel[i] = SIZE_MAX;
		while (cursor-- > 0) {
			if (f[cursor].namelen == nl &&
			    mox__memcaseeq(hdr + f[cursor].off, nl, names[i])) {
				sel[i] = cursor;
				break;
			}
		}
	}
}
