/* SPDX-License-Identifier: MIT */
/*
 * msg_tree.c -- the MIME part tree (RFC 2045, RFC 2046): one forward pass
 * over the message with a stack of open parts, and a compact serialized
 * form of the tree for caches.
 *
 * Bodies are never copied or decoded. Delimiter lines are found with
 * memchr for '-' (base64 bodies have none), and line counts and the 8-bit,
 * NUL and bare-LF flags come from cumulative counts that a vectorized loop
 * keeps over the whole message, so each octet is counted once however deep
 * it is nested.
 */
#include <string.h>

#if defined(__SSE2__) && !defined(MOX_MSG_TREE_NO_SIMD)
#include <emmintrin.h>
#define TREE_SSE2 1
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define TREE_SWAR 1
#endif

#include <mox/message.h>

#include "base.h"
#include "msg-int.h"

/* First octet of mox_msg_tree_save() output. */
#define TREE_FORMAT 1

/* Each saved part has six varints. */
#define TREE_MIN_PART 6

#define NONE SIZE_MAX

/* Flags the header section decides; mox_msg_tree_load() recomputes them. */
#define HDR_FLAGS                                                          \
	(MOX_MSG_PART_BAD_CTYPE | MOX_MSG_PART_BAD_HEADER |                 \
	    MOX_MSG_PART_NO_BOUNDARY)
#define ALL_FLAGS ((MOX_MSG_PART_BODY_BARE_LF << 1) - 1)

struct mox_msg_tree {
	const uint8_t *msg;
	size_t len;
	mox_msg_part *parts;
	size_t nparts;
	size_t cap;
	/* Children of part i are kids[kids[nparts + i] ...], so that
	 * mox_msg_tree_child() is O(1). */
	size_t *kids;
	mox__arena arena;
	mox_msg_tree_options opts;
};

/*
 * Counts over the message from its start up to a position. The flag
 * counts are of segments (the ranges between consecutive positions the
 * parser asked for), not of octets: every body starts and ends at such a
 * position, so a body has an 8-bit octet exactly when the count differs
 * between its two ends.
 */
struct counts {
	size_t lf;
	size_t hi;
	size_t nul;
	size_t bare;
};

/* An open part. */
struct frame {
	size_t part;
	size_t last_child;
	/* The boundary while its delimiters are recognized: a multipart
	 * before its close-delimiter. Trailing whitespace removed. */
	const uint8_t *bnd;
	size_t blen;
	struct counts cb; /* at the body offset */
};

struct tparse {
	mox_msg_tree *t;
	const uint8_t *m;
	size_t len;
	size_t max_parts;
	unsigned int max_depth;
	struct frame *fr;
	size_t nfr;
	size_t frcap;
	size_t nactive; /* frames with a boundary */
	size_t cpos;    /* c counts octets before cpos */
	struct counts c;
	struct frame fr0[16];
};

/* How a header section ended. */
enum {
	HDR_SEP = 0, /* the empty line */
	HDR_CUT = 1, /* a delimiter line of an enclosing multipart */
	HDR_EOF = 2  /* the end of the input */
};

struct hscan {
	size_t body;      /* body offset */
	size_t next;      /* where the search for delimiters goes on */
	unsigned int eol; /* mox_msg_eol bits of the section */
	int how;
};

/* What a header section says. */
struct hinfo {
	int want;           /* mox_msg_part_kind the media type asks for */
	unsigned int flags; /* HDR_FLAGS */
	const uint8_t *bnd; /* multipart boundary, trailing WSP removed */
	size_t blen;
};

int
mox_msg_tree_options_init(mox_msg_tree_options *opts, unsigned int version)
{
	mox_msg_tree_options def = MOX_MSG_TREE_OPTIONS_INIT;

	if (opts == NULL)
		return MOX_EINVAL;
	if (version == 0 || version > MOX_MSG_TREE_OPTIONS_VERSION)
		return MOX_EVERSION;
	*opts = def;
	opts->version = version;
	return MOX_OK;
}

/* --- counting --- */

#if defined(TREE_SWAR)
#define ONES UINT64_C(0x0101010101010101)
#define LOWS (ONES * 0x7f)

/* 0x80 in each zero byte of x, 0 elsewhere (exact, no carries). */
static inline uint64_t
zbytes(uint64_t x)
{
	return ~(((x & LOWS) + LOWS) | x | LOWS);
}
#endif

/*
 * Count LFs in m[from..to) and whether it has octets >= 0x80, NUL and bare
 * LFs. m[from - 1] is read for the CR before an LF.
 */
static void
count_seg(struct counts *c, const uint8_t *m, size_t from, size_t to)
{
	size_t i = from, lf = 0;
	unsigned int any = 0; /* 1: 8-bit, 2: NUL, 4: bare LF */

	if (i == 0 && i < to) {
		if (m[0] == '\n') {
			lf++;
			any |= 4;
		} else if (m[0] == 0) {
			any |= 2;
		} else if (m[0] >= 0x80) {
			any |= 1;
		}
		i = 1;
	}
#if defined(TREE_SSE2)
	if (i + 16 <= to) {
		const __m128i vlf = _mm_set1_epi8('\n');
		const __m128i vcr = _mm_set1_epi8('\r');
		const __m128i zero = _mm_setzero_si128();
		__m128i ahi = zero, anul = zero, abare = zero;

		while (i + 16 <= to) {
			size_t n = (to - i) / 16, k;
			__m128i acc = zero;

			/* Byte counters overflow after 255 rounds. */
			if (n > 255)
				n = 255;
			for (k = 0; k < n; k++, i += 16) {
				__m128i v = _mm_loadu_si128(
				    (const __m128i *)(const void *)(m + i));
				__m128i vp = _mm_loadu_si128(
				    (const __m128i *)(const void *)(m + i - 1));
				__m128i islf = _mm_cmpeq_epi8(v, vlf);

				acc = _mm_sub_epi8(acc, islf);
				ahi = _mm_or_si128(ahi, v);
				anul = _mm_or_si128(anul,
				    _mm_cmpeq_epi8(v, zero));
				abare = _mm_or_si128(abare, _mm_andnot_si128(
				    _mm_cmpeq_epi8(vp, vcr), islf));
			}
			acc = _mm_sad_epu8(acc, zero);
			lf += (size_t)_mm_cvtsi128_si32(acc) +
			    (size_t)_mm_extract_epi16(acc, 4);
		}
		if (_mm_movemask_epi8(ahi) != 0)
			any |= 1;
		if (_mm_movemask_epi8(anul) != 0)
			any |= 2;
		if (_mm_movemask_epi8(abare) != 0)
			any |= 4;
	}
#elif defined(TREE_SWAR)
	if (i + 8 <= to) {
		uint64_t ohi = 0, onul = 0, obare = 0, w, wp, islf;

		for (; i + 8 <= to; i += 8) {
			memcpy(&w, m + i, 8);
			memcpy(&wp, m + i - 1, 8);
			ohi |= w;
			onul |= zbytes(w);
			islf = zbytes(w ^ (ONES * '\n'));
			obare |= islf & ~zbytes(wp ^ (ONES * '\r'));
			lf += (size_t)((((islf >> 7) * ONES) >> 56) & 0xff);
		}
		if (ohi & (ONES * 0x80))
			any |= 1;
		if (onul != 0)
			any |= 2;
		if (obare != 0)
			any |= 4;
	}
#endif
	for (; i < to; i++) {
		uint8_t ch = m[i];

		if (ch == '\n') {
			lf++;
			if (m[i - 1] != '\r')
				any |= 4;
		} else if (ch == 0) {
			any |= 2;
		} else if (ch >= 0x80) {
			any |= 1;
		}
	}
	c->lf += lf;
	c->hi += any & 1;
	c->nul += (any >> 1) & 1;
	c->bare += (any >> 2) & 1;
}

/* Bring the counts up to position p (never backwards). */
static void
advance(struct tparse *ps, size_t p)
{
	if (p > ps->cpos) {
		count_seg(&ps->c, ps->m, ps->cpos, p);
		ps->cpos = p;
	}
}

/* --- delimiter lines --- */

/*
 * Start of the first line at or after pos (a line start) that begins with
 * "--", or NONE. A '-' that is not at a line start skips to the end of its
 * line, so text with many dashes costs two memchr calls per such line.
 */
static size_t
next_dash_line(const uint8_t *m, size_t len, size_t pos)
{
	const uint8_t *p;
	size_t i;

	if (pos >= len)
		return NONE;
	if (pos + 1 < len && m[pos] == '-' && m[pos + 1] == '-')
		return pos;
	i = pos + 1;
	while (i < len) {
		p = memchr(m + i, '-', len - i);
		if (p == NULL)
			return NONE;
		i = (size_t)(p - m);
		if (m[i - 1] == '\n' && i + 1 < len && m[i + 1] == '-')
			return i;
		p = memchr(m + i, '\n', len - i);
		if (p == NULL)
			return NONE;
		i = (size_t)(p - m) + 1;
		if (i + 1 < len && m[i] == '-' && m[i + 1] == '-')
			return i;
	}
	return NONE;
}

/*
 * Whether the line at q (which starts with "--") is a delimiter line of an
 * open multipart: "--" boundary, optional "--" for the close-delimiter,
 * then only SP and HTAB (transport padding) up to the line end or the end
 * of input (RFC 2046 5.1.1). Returns the frame, innermost first (nested
 * multiparts may reuse a boundary), or NONE. *next is the start of the
 * following line either way.
 */
static size_t
match_line(const struct tparse *ps, size_t q, bool *close, size_t *next)
{
	const uint8_t *m = ps->m, *nl;
	size_t c = q + 2, lend, n, k;

	nl = memchr(m + c, '\n', ps->len - c);
	if (nl == NULL) {
		lend = ps->len;
		*next = ps->len;
	} else {
		lend = (size_t)(nl - m);
		*next = lend + 1;
		if (lend > c && m[lend - 1] == '\r')
			lend--;
	}
	while (lend > c && msg_iswsp(m[lend - 1]))
		lend--;
	n = lend - c;
	for (k = ps->nfr; k-- > 0;) {
		const struct frame *f = &ps->fr[k];

		if (f->bnd == NULL || (n != f->blen && n != f->blen + 2))
			continue;
		if (memcmp(m + c, f->bnd, f->blen) != 0)
			continue;
		if (n == f->blen) {
			*close = false;
			return k;
		}
		if (m[c + n - 2] == '-' && m[c + n - 1] == '-') {
			*close = true;
			return k;
		}
	}
	return NONE;
}

/* The next delimiter line at or after pos (a line start), or NONE. */
static size_t
find_event(const struct tparse *ps, size_t pos, size_t *k, bool *close,
    size_t *next)
{
	size_t q;

	if (ps->nactive == 0)
		return NONE;
	while ((q = next_dash_line(ps->m, ps->len, pos)) != NONE) {
		*k = match_line(ps, q, close, next);
		if (*k != NONE)
			return q;
		pos = *next;
	}
	return NONE;
}

/*
 * Whether the line that ends just before h is a delimiter line (not a
 * close-delimiter) of boundary b, inside [lo, h): what mox_msg_tree_load()
 * checks before the header of each body part.
 */
static bool
delim_before(const uint8_t *m, size_t len, size_t lo, size_t h,
    const uint8_t *b, size_t blen)
{
	size_t i = h, s;

	if (h > lo && m[h - 1] == '\n') {
		i = h - 1;
		if (i > lo && m[i - 1] == '\r')
			i--;
	} else if (h != len) {
		return false;
	}
	while (i > lo && msg_iswsp(m[i - 1]))
		i--;
	if (i - lo < blen + 2)
		return false;
	s = i - blen - 2;
	if (m[s] != '-' || m[s + 1] != '-' ||
	    memcmp(m + s + 2, b, blen) != 0)
		return false;
	return s == 0 || m[s - 1] == '\n';
}

/*
 * Whether the line at q is a delimiter line of boundary b: "--" b,
 * optional "--", transport padding, line end or end of input.
 */
static bool
is_delim_of(const uint8_t *m, size_t len, size_t q, const uint8_t *b,
    size_t blen)
{
	size_t c = q + 2 + blen;

	if (b == NULL || blen > len - q || len - q - blen < 2 ||
	    m[q] != '-' || m[q + 1] != '-' || memcmp(m + q + 2, b, blen) != 0)
		return false;
	if (c + 1 < len && m[c] == '-' && m[c + 1] == '-')
		c += 2;
	while (c < len && msg_iswsp(m[c]))
		c++;
	return c == len || m[c] == '\n' ||
	    (m[c] == '\r' && c + 1 < len && m[c + 1] == '\n');
}

/* --- header sections --- */

/*
 * Find the end of the header section that starts at line start h: the
 * empty line (included in the section), a delimiter line of an open
 * multipart (the line end before it is not included), or limit. ps is
 * NULL when no delimiters are recognized (mox_msg_tree_load()).
 */
static void
header_end(const struct tparse *ps, const uint8_t *m, size_t h,
    size_t limit, struct hscan *hs)
{
	const uint8_t *nl;
	size_t pos = h, elen = 0, next;
	unsigned int eol = 0, preveol = 0;
	bool close;

	while (pos < limit) {
		if (m[pos] == '\n' || (m[pos] == '\r' && pos + 1 < limit &&
		    m[pos + 1] == '\n')) {
			size_t sep = m[pos] == '\n' ? 1 : 2;

			hs->eol = eol |
			    (sep == 1 ? MOX_MSG_EOL_LF : MOX_MSG_EOL_CRLF);
			hs->body = hs->next = pos + sep;
			hs->how = HDR_SEP;
			return;
		}
		if (ps != NULL && ps->nactive > 0 && m[pos] == '-' &&
		    pos + 1 < limit && m[pos + 1] == '-' &&
		    match_line(ps, pos, &close, &next) != NONE) {
			hs->eol = preveol;
			hs->body = pos > h ? pos - elen : h;
			hs->next = pos;
			hs->how = HDR_CUT;
			return;
		}
		nl = memchr(m + pos, '\n', limit - pos);
		if (nl == NULL)
			break;
		preveol = eol;
		next = (size_t)(nl - m);
		if (next > pos && m[next - 1] == '\r') {
			eol |= MOX_MSG_EOL_CRLF;
			elen = 2;
		} else {
			eol |= MOX_MSG_EOL_LF;
			elen = 1;
		}
		pos = next + 1;
	}
	hs->eol = eol;
	hs->body = hs->next = limit;
	hs->how = HDR_EOF;
}

enum {
	F_TYPE,
	F_CTE,
	F_DISP,
	F_ID,
	F_DESC,
	F_MD5,
	F_LANG,
	F_LOC
};

/* Which Content-* field a name (after "Content-") is, or -1. */
static int
field_id(const uint8_t *s, size_t n)
{
	static const char *const names[] = {
		"type", "transfer-encoding", "disposition", "id",
		"description", "md5", "language", "location"
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (mox__memcaseeq(s, n, names[i]))
			return (int)i;
	}
	return -1;
}

/* Unfolded, trimmed copy of a field value in the arena. */
static char *
unfold_dup(mox__arena *a, const uint8_t *p, size_t len)
{
	size_t n = mox_msg_unfold(NULL, 0, p, len);
	char *s = mox__arena_alloc(a, n + 1);

	if (s != NULL)
		mox_msg_unfold(s, n + 1, p, len);
	return s;
}

/* RFC 2045 token character. */
static bool
is_token(int c)
{
	return c > 32 && c < 127 && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/*
 * The name of an unknown Content-Transfer-Encoding, lowercase: its token
 * after comments and whitespace or, when it does not start with one, the
 * whole unfolded value.
 */
static const char *
cte_other(mox__arena *a, const uint8_t *p, size_t len)
{
	size_t i = 0, s, depth;
	char *r;

	for (;;) {
		while (i < len && msg_isfws(p[i]))
			i++;
		if (i >= len || p[i] != '(')
			break;
		for (depth = 0; i < len; i++) {
			if (p[i] == '\\' && i + 1 < len)
				i++;
			else if (p[i] == '(')
				depth++;
			else if (p[i] == ')' && --depth == 0)
				break;
		}
		if (i < len)
			i++;
	}
	s = i;
	while (i < len && is_token(p[i]))
		i++;
	if (i > s)
		r = mox__arena_strndup(a, (const char *)p + s, i - s);
	else
		r = unfold_dup(a, p, len);
	if (r != NULL) {
		for (i = 0; r[i] != '\0'; i++)
			r[i] = (char)mox__lower((unsigned char)r[i]);
	}
	return r;
}

static const char *
cte_name(int cte)
{
	switch (cte) {
	case MOX_MSG_CTE_8BIT:
		return "8bit";
	case MOX_MSG_CTE_BINARY:
		return "binary";
	case MOX_MSG_CTE_QUOTED_PRINTABLE:
		return "quoted-printable";
	case MOX_MSG_CTE_BASE64:
		return "base64";
	default:
		return "7bit";
	}
}

/* Parts hand out their parsed values as const; the tree owns them. */
static mox_msg_ctype *
ct_mut(const mox_msg_ctype *ct)
{
	return (mox_msg_ctype *)(uintptr_t)ct;
}

/*
 * Fill a part's media type, encoding, disposition and Content-* strings
 * from its header section [h, b), and say what kind of part the header
 * asks for. Only allocation failure is an error.
 */
static int
part_fields(mox_msg_tree *t, mox_msg_part *p, size_t h, size_t b,
    bool digest, struct hinfo *hi)
{
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	mox_msg_ctype *ct;
	const char **str;
	unsigned int seen = 0;
	int rc, id;

	hi->want = MOX_MSG_PART_LEAF;
	hi->flags = 0;
	hi->bnd = NULL;
	hi->blen = 0;
	p->cte = MOX_MSG_CTE_7BIT;
	p->cte_name = "7bit";
	rc = mox_msg_iter_init(&it, b > h ? t->msg + h : NULL, b - h,
	    &t->opts.header);
	if (rc != MOX_OK)
		return rc;
	for (;;) {
		rc = mox_msg_iter_next(&it, &f);
		if (rc == MOX_ENOTFOUND)
			break;
		if (rc != MOX_OK) {
			/* Malformed and NUL fields are skipped, as
			 * mox_msg_iter_find() does. */
			hi->flags |= MOX_MSG_PART_BAD_HEADER;
			if (rc == MOX_ELIMIT)
				break;
			continue;
		}
		if (f.name.len < 9 ||
		    !mox__memcaseeq(f.name.ptr, 8, "content-"))
			continue;
		id = field_id(f.name.ptr + 8, f.name.len - 8);
		if (id < 0 || (seen & (1u << id)))
			continue;
		seen |= 1u << id;
		str = NULL;
		switch (id) {
		case F_TYPE:
			rc = mox_msg_ctype_parse(&ct, f.value.ptr, f.value.len,
			    0);
			if (rc == MOX_ENOMEM)
				return rc;
			if (rc != MOX_OK)
				hi->flags |= MOX_MSG_PART_BAD_CTYPE;
			else
				p->ctype = ct;
			break;
		case F_CTE:
			p->cte = mox_msg_cte_parse(f.value.ptr, f.value.len);
			if (p->cte == MOX_MSG_CTE_OTHER) {
				p->cte_name = cte_other(&t->arena, f.value.ptr,
				    f.value.len);
				if (p->cte_name == NULL)
					return MOX_ENOMEM;
			} else {
				p->cte_name = cte_name(p->cte);
			}
			break;
		case F_DISP:
			rc = mox_msg_ctype_parse(&ct, f.value.ptr, f.value.len,
			    MOX_MSG_CTYPE_DISPOSITION);
			if (rc == MOX_ENOMEM)
				return rc;
			if (rc == MOX_OK)
				p->disposition = ct;
			break;
		case F_ID:
			str = &p->content_id;
			break;
		case F_DESC:
			str = &p->description;
			break;
		case F_MD5:
			str = &p->md5;
			break;
		case F_LANG:
			str = &p->language;
			break;
		default:
			str = &p->location;
			break;
		}
		if (str != NULL) {
			*str = unfold_dup(&t->arena, f.value.ptr, f.value.len);
			if (*str == NULL)
				return MOX_ENOMEM;
		}
	}
	if (p->ctype != NULL) {
		p->type = mox_msg_ctype_type(p->ctype);
		p->subtype = mox_msg_ctype_subtype(p->ctype);
	} else if (digest) {
		/* RFC 2046 5.1.5 */
		p->type = "message";
		p->subtype = "rfc822";
	} else {
		/* RFC 2045 5.2 */
		p->type = "text";
		p->subtype = "plain";
	}
	if (strcmp(p->type, "multipart") == 0) {
		const char *v = mox_msg_ctype_get(p->ctype, "boundary");
		size_t n = v != NULL ? strlen(v) : 0;

		while (n > 0 && msg_iswsp((unsigned char)v[n - 1]))
			n--;
		if (n == 0) {
			hi->flags |= MOX_MSG_PART_NO_BOUNDARY;
		} else {
			hi->want = MOX_MSG_PART_MULTIPART;
			hi->bnd = (const uint8_t *)v;
			hi->blen = n;
		}
	} else if (strcmp(p->type, "message") == 0 &&
	    (strcmp(p->subtype, "rfc822") == 0 ||
	    strcmp(p->subtype, "global") == 0) &&
	    (p->cte == MOX_MSG_CTE_7BIT || p->cte == MOX_MSG_CTE_8BIT ||
	    p->cte == MOX_MSG_CTE_BINARY)) {
		hi->want = MOX_MSG_PART_MESSAGE;
	}
	return MOX_OK;
}

/* --- tree storage --- */

static void
part_release(mox_msg_part *p)
{
	mox_msg_ctype_free(ct_mut(p->ctype));
	mox_msg_ctype_free(ct_mut(p->disposition));
	p->ctype = p->disposition = NULL;
}

void
mox_msg_tree_free(mox_msg_tree *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nparts; i++)
		part_release(&t->parts[i]);
	mox__free(t->parts);
	mox__free(t->kids);
	mox__arena_free(&t->arena);
	mox__free(t);
}

static int
opts_check(const mox_msg_tree_options *opts)
{
	if (opts->version == 0 ||
	    opts->version > MOX_MSG_TREE_OPTIONS_VERSION ||
	    opts->header.version == 0 ||
	    opts->header.version > MOX_MSG_OPTIONS_VERSION)
		return MOX_EVERSION;
	return MOX_OK;
}

static int
tree_new(mox_msg_tree **out, const uint8_t *msg, size_t len,
    const mox_msg_tree_options *opts, size_t cap)
{
	mox_msg_tree *t;

	t = mox__calloc(1, sizeof(*t));
	if (t == NULL)
		return MOX_ENOMEM;
	t->parts = mox__reallocarray(NULL, cap, sizeof(*t->parts));
	if (t->parts == NULL) {
		mox__free(t);
		return MOX_ENOMEM;
	}
	t->cap = cap;
	t->msg = msg;
	t->len = len;
	t->opts = *opts;
	*out = t;
	return MOX_OK;
}

/* A new part at the end of the array, zeroed and unlinked. */
static mox_msg_part *
part_new(mox_msg_tree *t)
{
	mox_msg_part *p;

	if (t->nparts == t->cap) {
		size_t ncap = t->cap * 2;

		p = mox__reallocarray(t->parts, ncap, sizeof(*p));
		if (p == NULL)
			return NULL;
		t->parts = p;
		t->cap = ncap;
	}
	p = &t->parts[t->nparts];
	memset(p, 0, sizeof(*p));
	p->index = t->nparts++;
	p->parent = p->first_child = p->next_sibling = NONE;
	return p;
}

/* Append part i as the last child of part pi; *last is pi's last child. */
static void
part_link(mox_msg_tree *t, size_t pi, size_t *last, size_t i)
{
	mox_msg_part *pp = &t->parts[pi];

	t->parts[i].parent = pi;
	t->parts[i].depth = pp->depth + 1;
	if (*last == NONE)
		pp->first_child = i;
	else
		t->parts[*last].next_sibling = i;
	*last = i;
	pp->nchildren++;
}

/* Build the child index of mox_msg_tree_child(). */
static int
tree_finish(mox_msg_tree *t)
{
	size_t i, c, pos = 0, n = t->nparts;

	t->kids = mox__reallocarray(NULL, n, 2 * sizeof(size_t));
	if (t->kids == NULL)
		return MOX_ENOMEM;
	for (i = 0; i < n; i++) {
		t->kids[n + i] = pos;
		for (c = t->parts[i].first_child; c != NONE;
		    c = t->parts[c].next_sibling)
			t->kids[pos++] = c;
	}
	return MOX_OK;
}

/* --- parsing --- */

/* Room for one more frame. */
static int
frame_reserve(struct tparse *ps)
{
	if (ps->nfr == ps->frcap) {
		size_t ncap = ps->frcap * 2;
		struct frame *nf;

		if (ps->fr == ps->fr0) {
			nf = mox__reallocarray(NULL, ncap, sizeof(*nf));
			if (nf != NULL)
				memcpy(nf, ps->fr0, sizeof(ps->fr0));
		} else {
			nf = mox__reallocarray(ps->fr, ncap, sizeof(*nf));
		}
		if (nf == NULL)
			return MOX_ENOMEM;
		ps->fr = nf;
		ps->frcap = ncap;
	}
	return MOX_OK;
}

/*
 * Start a part whose header section begins at h, as the last child of the
 * innermost open part. empty: the part is known to have no header and no
 * body (the encapsulated message of a message/rfc822 part with an empty
 * body). *cur becomes where the search for delimiters goes on.
 */
static int
open_part(struct tparse *ps, size_t h, bool empty, size_t *cur)
{
	mox_msg_tree *t = ps->t;
	struct frame *f;
	mox_msg_part *p, *pp = NULL;
	struct hscan hs;
	struct hinfo hi;
	bool digest = false, close;
	size_t next;
	int rc;

	if ((rc = frame_reserve(ps)) != MOX_OK)
		return rc;
	if ((p = part_new(t)) == NULL)
		return MOX_ENOMEM;
	if (ps->nfr > 0) {
		f = &ps->fr[ps->nfr - 1];
		part_link(t, f->part, &f->last_child, p->index);
		pp = &t->parts[f->part];
		digest = pp->kind == MOX_MSG_PART_MULTIPART &&
		    strcmp(pp->subtype, "digest") == 0;
	}
	p->header_offset = h;
	if (empty) {
		hs.body = h;
		hs.next = *cur;
		hs.eol = 0;
		hs.how = HDR_EOF;
	} else {
		header_end(ps, ps->m, h, ps->len, &hs);
	}
	p->body_offset = hs.body;
	p->header_eol = hs.eol;
	if (hs.how != HDR_SEP)
		p->flags |= MOX_MSG_PART_NO_BODY_SEP;
	rc = part_fields(t, p, h, hs.body, digest, &hi);
	if (rc != MOX_OK)
		return rc;
	p->flags |= hi.flags;
	p->kind = hi.want;
	/* A message part needs room for its child now; a multipart needs
	 * room when it finds a delimiter (tree_build()). */
	if (p->kind != MOX_MSG_PART_LEAF && (p->depth >= ps->max_depth ||
	    (p->kind == MOX_MSG_PART_MESSAGE && t->nparts >= ps->max_parts))) {
		p->kind = MOX_MSG_PART_LEAF;
		p->flags |= MOX_MSG_PART_TRUNCATED;
	}
	/* An empty line just before a delimiter line of an enclosing
	 * multipart is that delimiter's line end (RFC 2046 5.1.1): the part
	 * has a header and no body. Not so when the part is a multipart (not
	 * truncated to a leaf) whose own first delimiter line comes there: a
	 * nested multipart reusing its parent's boundary. */
	if (hs.how == HDR_SEP && ps->nactive > 0 && hs.body + 1 < ps->len &&
	    ps->m[hs.body] == '-' && ps->m[hs.body + 1] == '-' &&
	    match_line(ps, hs.body, &close, &next) != NONE &&
	    !(p->kind == MOX_MSG_PART_MULTIPART &&
	    is_delim_of(ps->m, ps->len, hs.body, hi.bnd, hi.blen))) {
		struct hscan cut;
		size_t sep = hs.body >= h + 2 && ps->m[hs.body - 2] == '\r' ?
		    2 : 1;

		p->body_offset = hs.body - sep;
		header_end(NULL, ps->m, h, p->body_offset, &cut);
		p->header_eol = cut.eol;
		p->flags |= MOX_MSG_PART_NO_BODY_SEP;
		hs.next = hs.body;
		hs.body = p->body_offset;
		hs.how = HDR_CUT;
	}
	advance(ps, hs.body);
	f = &ps->fr[ps->nfr++];
	f->part = p->index;
	f->last_child = NONE;
	f->bnd = NULL;
	f->blen = 0;
	f->cb = ps->c;
	/* A multipart without a body (its header ended at a delimiter or
	 * the end of input) has no delimiters of its own. */
	if (p->kind == MOX_MSG_PART_MULTIPART && hs.how == HDR_SEP) {
		f->bnd = hi.bnd;
		f->blen = hi.blen;
		ps->nactive++;
	}
	*cur = hs.next;
	return MOX_OK;
}

/* End the innermost open part at e. */
static void
end_frame(struct tparse *ps, size_t e)
{
	struct frame *f = &ps->fr[--ps->nfr];
	mox_msg_part *p = &ps->t->parts[f->part];

	advance(ps, e);
	p->end_offset = e;
	p->body_size = e - p->body_offset;
	/* Line ends, as IMAP servers count body-fld-lines (Dovecot): the
	 * last line of a body part has none, its line end belongs to the
	 * delimiter. */
	p->body_lines = ps->c.lf - f->cb.lf;
	if (ps->c.hi != f->cb.hi)
		p->flags |= MOX_MSG_PART_BODY_8BIT;
	if (ps->c.nul != f->cb.nul)
		p->flags |= MOX_MSG_PART_BODY_NUL;
	if (ps->c.bare != f->cb.bare)
		p->flags |= MOX_MSG_PART_BODY_BARE_LF;
	if (p->kind == MOX_MSG_PART_MULTIPART) {
		if (p->nchildren == 0)
			p->flags |= MOX_MSG_PART_NO_PARTS;
		else if (f->bnd != NULL)
			p->flags |= MOX_MSG_PART_MISSING_CLOSE;
	}
	if (f->bnd != NULL)
		ps->nactive--;
}

/*
 * The multipart of frame k needs a part beyond max_parts: it becomes a
 * leaf and its parts are dropped. Its delimiters are no longer
 * recognized; what was scanned stays scanned (the parse stays linear).
 */
static void
truncate_frame(struct tparse *ps, size_t k)
{
	mox_msg_tree *t = ps->t;
	struct frame *f = &ps->fr[k];
	mox_msg_part *p = &t->parts[f->part];
	size_t i;

	for (i = p->index + 1; i < t->nparts; i++)
		part_release(&t->parts[i]);
	t->nparts = p->index + 1;
	p->kind = MOX_MSG_PART_LEAF;
	p->flags |= MOX_MSG_PART_TRUNCATED;
	p->nchildren = 0;
	p->first_child = NONE;
	f->last_child = NONE;
	if (f->bnd != NULL) {
		f->bnd = NULL;
		ps->nactive--;
	}
}

static int
tree_build(struct tparse *ps)
{
	mox_msg_tree *t = ps->t;
	const uint8_t *m = ps->m;
	size_t cur = 0, q, k, next, e;
	bool close;
	int rc;

	if ((rc = open_part(ps, 0, false, &cur)) != MOX_OK)
		return rc;
	for (;;) {
		struct frame *top = &ps->fr[ps->nfr - 1];
		mox_msg_part *tp = &t->parts[top->part];

		if (tp->kind == MOX_MSG_PART_MESSAGE && tp->nchildren == 0) {
			/* RFC 2046 5.2.1: the body is a message. */
			rc = open_part(ps, tp->body_offset,
			    (tp->flags & MOX_MSG_PART_NO_BODY_SEP) != 0, &cur);
			if (rc != MOX_OK)
				return rc;
			continue;
		}
		q = find_event(ps, cur, &k, &close, &next);
		if (q == NONE)
			break;
		/* The line end before a delimiter belongs to it (RFC 2046
		 * 5.1.1), unless it is the empty line of the innermost
		 * part's header. */
		e = q;
		if (e > 0 && m[e - 1] == '\n') {
			e--;
			if (e > 0 && m[e - 1] == '\r')
				e--;
		}
		if (e < tp->body_offset)
			e = tp->body_offset;
		if (e < ps->cpos)
			e = ps->cpos;
		while (ps->nfr - 1 > k)
			end_frame(ps, e);
		top = &ps->fr[k];
		if (close) {
			top->bnd = NULL;
			ps->nactive--;
			cur = next;
			continue;
		}
		if (t->nparts >= ps->max_parts) {
			truncate_frame(ps, k);
			cur = q; /* may still delimit an enclosing multipart */
			continue;
		}
		if ((rc = open_part(ps, next, false, &cur)) != MOX_OK)
			return rc;
	}
	while (ps->nfr > 0)
		end_frame(ps, ps->len);
	return MOX_OK;
}

static void
tparse_init(struct tparse *ps, mox_msg_tree *t)
{
	memset(ps, 0, sizeof(*ps));
	ps->t = t;
	ps->m = t->msg;
	ps->len = t->len;
	ps->max_parts = t->opts.max_parts != 0 ? t->opts.max_parts : NONE;
	ps->max_depth = t->opts.max_depth;
	ps->fr = ps->fr0;
	ps->frcap = sizeof(ps->fr0) / sizeof(ps->fr0[0]);
}

int
mox_msg_tree_parse(mox_msg_tree **out, const uint8_t *msg, size_t len,
    const mox_msg_tree_options *opts)
{
	mox_msg_tree_options def = MOX_MSG_TREE_OPTIONS_INIT;
	struct tparse ps;
	mox_msg_tree *t;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (out == NULL || (msg == NULL && len > 0))
		return MOX_EINVAL;
	if (opts == NULL)
		opts = &def;
	if ((rc = opts_check(opts)) != MOX_OK)
		return rc;
	if ((rc = tree_new(&t, msg, len, opts, 8)) != MOX_OK)
		return rc;
	tparse_init(&ps, t);
	rc = tree_build(&ps);
	if (ps.fr != ps.fr0)
		mox__free(ps.fr);
	if (rc == MOX_OK)
		rc = tree_finish(t);
	if (rc != MOX_OK) {
		mox_msg_tree_free(t);
		return rc;
	}
	*out = t;
	return MOX_OK;
}

/* --- accessors --- */

size_t
mox_msg_tree_count(const mox_msg_tree *t)
{
	return t != NULL ? t->nparts : 0;
}

const mox_msg_part *
mox_msg_tree_part(const mox_msg_tree *t, size_t i)
{
	if (t == NULL || i >= t->nparts)
		return NULL;
	return &t->parts[i];
}

const mox_msg_part *
mox_msg_tree_child(const mox_msg_tree *t, const mox_msg_part *p, size_t i)
{
	if (t == NULL || p == NULL || p->index >= t->nparts ||
	    &t->parts[p->index] != p || i >= p->nchildren)
		return NULL;
	return &t->parts[t->kids[t->kids[t->nparts + p->index] + i]];
}

const uint8_t *
mox_msg_tree_message(const mox_msg_tree *t, size_t *len)
{
	if (len != NULL)
		*len = t != NULL ? t->len : 0;
	return t != NULL ? t->msg : NULL;
}

const mox_msg_tree_options *
msg_tree_options(const mox_msg_tree *t)
{
	return &t->opts;
}

/* --- save and load --- */

static size_t
vlen(size_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static uint8_t *
vput(uint8_t *p, size_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

/* LEB128, canonical (no trailing zero groups), fitting a size_t. */
static bool
vget(const uint8_t **pp, const uint8_t *end, size_t *out)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;
	unsigned int shift = 0;
	uint8_t b;

	do {
		if (p == end || shift > 63)
			return false;
		b = *p++;
		if (shift == 63 && b > 1)
			return false;
		v |= (uint64_t)(b & 0x7f) << shift;
		shift += 7;
	} while (b & 0x80);
	if ((b == 0 && shift > 7) || v > SIZE_MAX)
		return false;
	*out = (size_t)v;
	*pp = p;
	return true;
}

/*
 * Offsets are stored as deltas: the header offset from the parent's body
 * offset for a first child, else from the end of the part before it in
 * pre-order (the previous sibling or its last descendant).
 */
static size_t
save_base(const mox_msg_tree *t, size_t i)
{
	const mox_msg_part *prev;

	if (i == 0)
		return 0;
	prev = &t->parts[i - 1];
	return t->parts[i].parent == i - 1 ? prev->body_offset :
	    prev->end_offset;
}

int
mox_msg_tree_save(uint8_t **out, size_t *out_len, const mox_msg_tree *t)
{
	const mox_msg_part *p;
	size_t i, n;
	uint8_t *buf, *w;

	if (out != NULL)
		*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (out == NULL || out_len == NULL || t == NULL)
		return MOX_EINVAL;
	n = 1 + vlen(t->nparts);
	for (i = 0; i < t->nparts; i++) {
		p = &t->parts[i];
		n += vlen(p->nchildren) + vlen(p->flags) +
		    vlen(p->header_offset - save_base(t, i)) +
		    vlen(p->body_offset - p->header_offset) +
		    vlen(p->body_size) + vlen(p->body_lines);
	}
	if ((buf = mox__malloc(n)) == NULL)
		return MOX_ENOMEM;
	w = buf;
	*w++ = TREE_FORMAT;
	w = vput(w, t->nparts);
	for (i = 0; i < t->nparts; i++) {
		p = &t->parts[i];
		w = vput(w, p->nchildren);
		w = vput(w, p->flags);
		w = vput(w, p->header_offset - save_base(t, i));
		w = vput(w, p->body_offset - p->header_offset);
		w = vput(w, p->body_size);
		w = vput(w, p->body_lines);
	}
	*out = buf;
	*out_len = n;
	return MOX_OK;
}

/* An open part while loading. */
struct lframe {
	size_t part;
	size_t left; /* children still to come */
	size_t last_child;
	const uint8_t *bnd;
	size_t blen;
};

/*
 * Check a loaded part's kind and flags against what its header says, as
 * mox_msg_tree_parse() would have decided.
 */
static bool
load_kind(mox_msg_part *p, const struct hinfo *hi, unsigned int max_depth)
{
	unsigned int fl = p->flags;
	unsigned int cont = MOX_MSG_PART_MISSING_CLOSE | MOX_MSG_PART_NO_PARTS;

	if ((fl & HDR_FLAGS) != hi->flags)
		return false;
	if (hi->want == MOX_MSG_PART_LEAF || (fl & MOX_MSG_PART_TRUNCATED)) {
		if (hi->want == MOX_MSG_PART_LEAF &&
		    (fl & MOX_MSG_PART_TRUNCATED))
			return false;
		if ((fl & cont) || p->nchildren != 0)
			return false;
		p->kind = MOX_MSG_PART_LEAF;
		return true;
	}
	if (p->depth >= max_depth)
		return false;
	if (hi->want == MOX_MSG_PART_MESSAGE) {
		if ((fl & cont) || p->nchildren != 1)
			return false;
	} else {
		if ((p->nchildren == 0) != ((fl & MOX_MSG_PART_NO_PARTS) != 0))
			return false;
		if ((fl & MOX_MSG_PART_MISSING_CLOSE) && p->nchildren == 0)
			return false;
		if ((fl & MOX_MSG_PART_NO_BODY_SEP) && p->nchildren != 0)
			return false;
	}
	p->kind = hi->want;
	return true;
}

/*
 * Decode and check part i (just added by part_new()), a child of pf's part
 * (NULL for the root); the caller links it.
 */
static int
load_part(mox_msg_tree *t, const uint8_t **dp, const uint8_t *dend,
    const struct lframe *pf, struct hinfo *hi)
{
	mox_msg_part *p = &t->parts[t->nparts - 1], *pp = NULL;
	size_t v[6], base, lo, lim;
	struct hscan hs;
	bool digest = false;
	int k, rc;

	for (k = 0; k < 6; k++) {
		if (!vget(dp, dend, &v[k]))
			return MOX_ESYNTAX;
	}
	p->nchildren = v[0];
	if (v[1] > ALL_FLAGS)
		return MOX_ESYNTAX;
	p->flags = (unsigned int)v[1];
	if (pf != NULL) {
		pp = &t->parts[pf->part];
		p->depth = pp->depth + 1;
		/* As save_base(); the previous sibling's end may be later
		 * than its last descendant's. */
		if (pf->last_child == NONE) {
			base = lo = pp->body_offset;
		} else {
			base = t->parts[p->index - 1].end_offset;
			lo = t->parts[pf->last_child].end_offset;
		}
		lim = pp->end_offset;
		digest = pp->kind == MOX_MSG_PART_MULTIPART &&
		    strcmp(pp->subtype, "digest") == 0;
	} else {
		base = lo = 0;
		lim = t->len;
	}
	if (v[2] > lim - base)
		return MOX_ESYNTAX;
	p->header_offset = base + v[2];
	if (p->header_offset < lo || v[3] > lim - p->header_offset)
		return MOX_ESYNTAX;
	p->body_offset = p->header_offset + v[3];
	if (v[4] > lim - p->body_offset)
		return MOX_ESYNTAX;
	p->body_size = v[4];
	p->end_offset = p->body_offset + v[4];
	p->body_lines = v[5];
	if (p->body_lines > p->body_size)
		return MOX_ESYNTAX;
	if (pp == NULL) {
		if (p->header_offset != 0 || p->end_offset != t->len)
			return MOX_ESYNTAX;
	} else if (pp->kind == MOX_MSG_PART_MESSAGE) {
		if (p->header_offset != pp->body_offset ||
		    p->end_offset != pp->end_offset)
			return MOX_ESYNTAX;
	} else if (!delim_before(t->msg, t->len, lo, p->header_offset,
	    pf->bnd, pf->blen)) {
		return MOX_ESYNTAX;
	}
	/* The section must end where the saved body starts, as the parser
	 * would have found it. */
	header_end(NULL, t->msg, p->header_offset, p->body_offset, &hs);
	if (hs.how == HDR_SEP) {
		if (hs.body != p->body_offset ||
		    (p->flags & MOX_MSG_PART_NO_BODY_SEP))
			return MOX_ESYNTAX;
	} else if (!(p->flags & MOX_MSG_PART_NO_BODY_SEP) ||
	    p->body_size != 0) {
		return MOX_ESYNTAX;
	}
	p->header_eol = hs.eol;
	rc = part_fields(t, p, p->header_offset, p->body_offset, digest, hi);
	if (rc != MOX_OK)
		return rc;
	if (!load_kind(p, hi, t->opts.max_depth))
		return MOX_ESYNTAX;
	return MOX_OK;
}

static int
tree_load(mox_msg_tree *t, const uint8_t *d, const uint8_t *dend, size_t n)
{
	struct lframe st0[16], *st = st0, *ns;
	size_t nst = 0, cap = 16, i;
	struct hinfo hi;
	int rc = MOX_OK;

	for (i = 0; i < n; i++) {
		struct lframe *pf;
		mox_msg_part *p;

		while (nst > 0 && st[nst - 1].left == 0)
			nst--;
		if (i > 0 && nst == 0) {
			rc = MOX_ESYNTAX;
			break;
		}
		pf = nst > 0 ? &st[nst - 1] : NULL;
		p = part_new(t); /* never fails: the array has n parts */
		rc = load_part(t, &d, dend, pf, &hi);
		if (rc != MOX_OK)
			break;
		if (pf != NULL) {
			pf->left--;
			part_link(t, pf->part, &pf->last_child, i);
		}
		if (p->nchildren > n - i - 1) {
			rc = MOX_ESYNTAX;
			break;
		}
		if (p->nchildren == 0)
			continue;
		if (nst == cap) {
			ns = mox__reallocarray(st == st0 ? NULL : st, cap * 2,
			    sizeof(*st));
			if (ns == NULL) {
				rc = MOX_ENOMEM;
				break;
			}
			if (st == st0)
				memcpy(ns, st0, sizeof(st0));
			st = ns;
			cap *= 2;
		}
		st[nst].part = i;
		st[nst].left = p->nchildren;
		st[nst].last_child = NONE;
		st[nst].bnd = hi.bnd;
		st[nst].blen = hi.blen;
		nst++;
		/* part_link() counts the children again. */
		p->nchildren = 0;
	}
	if (rc == MOX_OK) {
		while (nst > 0 && st[nst - 1].left == 0)
			nst--;
		if (nst != 0 || d != dend)
			rc = MOX_ESYNTAX;
	}
	if (st != st0)
		mox__free(st);
	return rc;
}

int
mox_msg_tree_load(mox_msg_tree **out, const uint8_t *msg, size_t len,
    const uint8_t *data, size_t data_len, const mox_msg_tree_options *opts)
{
	mox_msg_tree_options def = MOX_MSG_TREE_OPTIONS_INIT;
	const uint8_t *d, *dend;
	mox_msg_tree *t;
	size_t n;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (out == NULL || (msg == NULL && len > 0) ||
	    (data == NULL && data_len > 0))
		return MOX_EINVAL;
	if (opts == NULL)
		opts = &def;
	if ((rc = opts_check(opts)) != MOX_OK)
		return rc;
	if (data_len == 0)
		return MOX_ESYNTAX;
	if (data[0] != TREE_FORMAT)
		return MOX_EVERSION;
	d = data + 1;
	dend = data + data_len;
	if (!vget(&d, dend, &n) || n == 0 ||
	    n > (size_t)(dend - d) / TREE_MIN_PART ||
	    (opts->max_parts != 0 && n > opts->max_parts))
		return MOX_ESYNTAX;
	if ((rc = tree_new(&t, msg, len, opts, n)) != MOX_OK)
		return rc;
	rc = tree_load(t, d, dend, n);
	if (rc == MOX_OK)
		rc = tree_finish(t);
	if (rc != MOX_OK) {
		mox_msg_tree_free(t);
		return rc;
	}
	*out = t;
	return MOX_OK;
}
