/* SPDX-License-Identifier: MIT */
/*
 * record.c -- DMARC policy records: parsing (RFC 9989 4.7 and 4.8, with
 * the RFC 7489 6.3 tags pct, rf, ri and the obsolete "!size" suffix of
 * report URIs), the policy rules for missing and invalid tags, and the
 * canonical text form. See <mox/dmarc.h>.
 *
 * A record is a tag-value list (RFC 6376 3.2) that must start with
 * v=DMARC1. Unknown tags and malformed parts are ignored (RFC 9989 4.7,
 * 4.8: "Syntax errors in the remainder of the record MUST be discarded in
 * favor of default values"); invalid values of known tags fall back to
 * their defaults, except p, sp and np, whose invalid values make the
 * record act as p=none when it has a valid rua, and unusable otherwise
 * (RFC 9989 4.10.1). A known tag given twice makes the record unusable
 * (RFC 6376 3.2, which DMARC's syntax is taken from).
 */
#include <string.h>

#include "dmarc-int.h"

static bool
is_wsp(int c)
{
	return c == ' ' || c == '\t';
}

bool
dmarc__is_record(const uint8_t *p, size_t len)
{
	size_t i = 0;

	if (p == NULL || len < 8)
		return false;
	/* "v": ABNF string literals ignore case; the value does not. */
	if (p[0] != 'v' && p[0] != 'V')
		return false;
	i = 1;
	while (i < len && is_wsp(p[i]))
		i++;
	if (i >= len || p[i] != '=')
		return false;
	i++;
	while (i < len && is_wsp(p[i]))
		i++;
	if (len - i < 6 || memcmp(p + i, "DMARC1", 6) != 0)
		return false;
	i += 6;
	while (i < len && is_wsp(p[i]))
		i++;
	return i == len || p[i] == ';';
}

/*
 * Whether v[0..n) is the lowercase word w, ASCII case ignored. For a
 * letter L, (c | 0x20) == L holds exactly for L and its uppercase form,
 * so OR-ing 0x20 into every octet compares a word of letters without
 * ignoring anything else.
 */
static bool
word_eq(const char *v, const char *w, size_t n)
{
	uint32_t x, y;
	size_t i = 0;

	for (; i + 4 <= n; i += 4) {
		memcpy(&x, v + i, 4);
		memcpy(&y, w + i, 4);
		if ((x | 0x20202020u) != y)
			return false;
	}
	for (; i < n; i++) {
		if (((unsigned char)v[i] | 0x20) != (unsigned char)w[i])
			return false;
	}
	return true;
}

/* A policy value (dmarc-request); -1 when invalid. */
static int
policy_value(const char *v, size_t n)
{
	switch (n) {
	case 4:
		return word_eq(v, "none", 4) ? MOX_DMARC_P_NONE : -1;
	case 6:
		return word_eq(v, "reject", 6) ? MOX_DMARC_P_REJECT : -1;
	case 10:
		return word_eq(v, "quarantine", 10) ?
		    MOX_DMARC_P_QUARANTINE : -1;
	default:
		return -1;
	}
}

/* Whether a one-octet value is c (a lowercase letter), case ignored. */
static bool
is_letter(const char *v, size_t n, char c)
{
	return n == 1 && mox__lower((unsigned char)v[0]) == c;
}

/* Whether any of n octets is a control character (< 0x20 or 0x7f), eight
 * at a time: records almost never have one. */
static bool
has_ctl(const uint8_t *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101u, high = ones * 0x80;
	uint64_t w, acc = 0;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		/* An octet below 0x20 (for octets below 0x80: the others are
		 * excluded by ~w), or one equal to 0x7f. */
		acc |= ((w - ones * 0x20) & ~w) | (((w ^ (ones * 0x7f)) -
		    ones) & ~(w ^ (ones * 0x7f)));
	}
	if ((acc & high) != 0)
		return true;
	for (; i < n; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			return true;
	}
	return false;
}

/* RFC 3986 characters allowed in a dmarc-uri (',' and '!' must be
 * percent-encoded there; ';' cannot occur in a tag value), by octet. */
static const uint8_t uri_tab[256] = {
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['-'] = 1, ['.'] = 1, ['_'] = 1, ['~'] = 1, [':'] = 1, ['/'] = 1,
	['?'] = 1, ['#'] = 1, ['['] = 1, [']'] = 1, ['@'] = 1, ['$'] = 1,
	['&'] = 1, ['\''] = 1, ['('] = 1, [')'] = 1, ['*'] = 1, ['+'] = 1,
	['='] = 1,
};

static bool
uri_char(int c)
{
	return uri_tab[(uint8_t)c] != 0;
}

/*
 * Whether s[0..n) is a dmarc-uri, optionally followed by the obsolete
 * "!" 1*DIGIT [k/m/g/t] size (RFC 9989 4.8 obs-dmarc-uri).
 */
static bool
uri_valid(const char *s, size_t n)
{
	size_t i, end = n;
	const char *bang = memchr(s, '!', n);

	if (bang != NULL) {
		size_t j = (size_t)(bang - s) + 1, digits = 0;

		end = (size_t)(bang - s);
		while (j < n && mox__isdigit((unsigned char)s[j])) {
			j++;
			digits++;
		}
		if (digits == 0)
			return false;
		if (j < n && strchr("kmgtKMGT", s[j]) != NULL)
			j++;
		if (j != n)
			return false;
	}
	/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
	if (end == 0 || !mox__isalpha((unsigned char)s[0]))
		return false;
	for (i = 1; i < end && s[i] != ':'; i++) {
		int c = (unsigned char)s[i];

		if (!mox__isalpha(c) && !mox__isdigit(c) && c != '+' &&
		    c != '-' && c != '.')
			return false;
	}
	if (i >= end || i + 1 >= end)
		return false;
	for (i++; i < end; i++) {
		int c = (unsigned char)s[i];

		if (c == '%') {
			if (i + 2 >= end)
				return false;
			if (mox__hex_value((unsigned char)s[i + 1]) < 0 ||
			    mox__hex_value((unsigned char)s[i + 2]) < 0)
				return false;
			i += 2;
			continue;
		}
		if (!uri_char(c))
			return false;
	}
	return true;
}

/*
 * dmarc-fo (RFC 9989 4.8): "0", "1", "d", "s" separated by ':', each at
 * most once, not both "0" and "1".
 */
static bool
fo_valid(const char *v, size_t n)
{
	unsigned int seen = 0;
	size_t i = 0;

	if (n == 0)
		return false;
	for (;;) {
		unsigned int bit;

		if (i >= n)
			return false;
		switch (v[i]) {
		case '0': bit = 1; break;
		case '1': bit = 2; break;
		case 'd': case 'D': bit = 4; break;
		case 's': case 'S': bit = 8; break;
		default: return false;
		}
		if ((seen & bit) != 0)
			return false;
		seen |= bit;
		i++;
		if (i == n)
			break;
		if (v[i] != ':')
			return false;
		i++;
	}
	return (seen & 3) != 3;
}

/* RFC 7489 6.4 dmarc-rfmt: keyword *(*WSP ":" *WSP keyword), keyword an
 * RFC 5321 Ldh-str. */
static bool
rf_valid(const char *v, size_t n)
{
	size_t i = 0;

	for (;;) {
		size_t start = i;

		while (i < n && (mox__isalpha((unsigned char)v[i]) ||
		    mox__isdigit((unsigned char)v[i]) || v[i] == '-'))
			i++;
		if (i == start || v[i - 1] == '-')
			return false;
		while (i < n && is_wsp((unsigned char)v[i]))
			i++;
		if (i == n)
			return true;
		if (v[i] != ':')
			return false;
		i++;
		while (i < n && is_wsp((unsigned char)v[i]))
			i++;
	}
}

/* 1*DIGIT up to max; false when invalid. */
static bool
uint_value(const char *v, size_t n, unsigned long max, unsigned int *out)
{
	unsigned long x = 0;
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		if (!mox__isdigit((unsigned char)v[i]))
			return false;
		x = x * 10 + (unsigned long)(v[i] - '0');
		if (x > max)
			return false;
	}
	*out = (unsigned int)x;
	return true;
}

/* Octets of a tag value: dmarc-value other than SP (0), SP, HTAB, the
 * ';' that ends it, and the others. */
enum { V_OK = 0, V_SP, V_TAB, V_SEMI, V_BAD };

static const uint8_t vclass[256] = {
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_TAB, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_SP, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK,
	V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK,
	V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK,
	V_OK, V_OK, V_OK, V_SEMI, V_OK, V_OK, V_OK, V_OK,
	V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK,
	V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK,
	V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK,
	V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK,
	V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK,
	V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK,
	V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK,
	V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_OK, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
	V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD, V_BAD,
};

/*
 * The value of a tag from vs (after the WSP following "="): *pos moves to
 * its end (the ';' or len), *ve after its last octet other than WSP.
 * Returns whether it is 1*dmarc-value (%x20-3A / %x3C-7E).
 */
static bool
value_scan(const char *s, size_t len, size_t *pos, size_t vs, size_t *ve)
{
	size_t p = *pos, e = vs, tab = SIZE_MAX;
	bool bad = false;

	for (;;) {
		size_t from = p;
		int k;

		while (p < len && vclass[(unsigned char)s[p]] == V_OK)
			p++;
		if (p > from)
			e = p;
		if (p >= len)
			break;
		k = vclass[(unsigned char)s[p]];
		if (k == V_SEMI)
			break;
		if (k == V_TAB && tab == SIZE_MAX)
			tab = p;
		if (k == V_BAD) {
			bad = true;
			e = p + 1;
		}
		p++;
	}
	*pos = p;
	*ve = e;
	/* A tab before the last other octet is inside the value. */
	return !bad && tab >= e && e > vs;
}

/* Parse a comma-separated URI list into an arena array. */
static int
uri_list(mox__arena *a, const char *v, size_t n, const char *const **out,
    size_t *nout, bool *any_valid)
{
	const char **list;
	size_t count = 1, i, k = 0, start = 0;

	for (i = 0; i < n; i++) {
		if (v[i] == ',')
			count++;
	}
	list = mox__arena_alloc(a, count * sizeof(*list));
	if (list == NULL)
		return MOX_ENOMEM;
	for (i = 0; i <= n; i++) {
		size_t s, e;

		if (i < n && v[i] != ',')
			continue;
		s = start;
		e = i;
		start = i + 1;
		while (s < e && is_wsp((unsigned char)v[s]))
			s++;
		while (e > s && is_wsp((unsigned char)v[e - 1]))
			e--;
		if (!uri_valid(v + s, e - s))
			continue;
		list[k] = mox__arena_strndup(a, v + s, e - s);
		if (list[k] == NULL)
			return MOX_ENOMEM;
		k++;
	}
	*out = list;
	*nout = k;
	if (k > 0)
		*any_valid = true;
	return MOX_OK;
}

enum {
	T_V = 0, T_P, T_SP, T_NP, T_PSD, T_T, T_ADKIM, T_ASPF, T_FO, T_RUA,
	T_RUF, T_PCT, T_RF, T_RI, T_COUNT
};

/* A tag name as a number: its octets, the first lowest. */
#define TAGKEY1(a) ((uint64_t)(a))
#define TAGKEY2(a, b) (TAGKEY1(a) | (uint64_t)(b) << 8)
#define TAGKEY3(a, b, c) (TAGKEY2(a, b) | (uint64_t)(c) << 16)
#define TAGKEY4(a, b, c, d) (TAGKEY3(a, b, c) | (uint64_t)(d) << 24)
#define TAGKEY5(a, b, c, d, e) (TAGKEY4(a, b, c, d) | (uint64_t)(e) << 32)

/*
 * The known tag of a name (1*ALPHA, ASCII case ignored), or -1. The name
 * becomes one number (OR-ing 0x20 lowercases letters), compared as a
 * whole: no byte buffer read back as a word.
 */
static int
tag_of(const char *s, size_t n)
{
	uint64_t k = 0;
	size_t i;

	if (n > 5)
		return -1;
	for (i = 0; i < n; i++)
		k |= (uint64_t)((unsigned char)s[i] | 0x20) << (8 * i);
	switch (k) {
	case TAGKEY1('v'): return T_V;
	case TAGKEY1('p'): return T_P;
	case TAGKEY1('t'): return T_T;
	case TAGKEY2('s', 'p'): return T_SP;
	case TAGKEY2('n', 'p'): return T_NP;
	case TAGKEY2('f', 'o'): return T_FO;
	case TAGKEY2('r', 'f'): return T_RF;
	case TAGKEY2('r', 'i'): return T_RI;
	case TAGKEY3('p', 's', 'd'): return T_PSD;
	case TAGKEY3('r', 'u', 'a'): return T_RUA;
	case TAGKEY3('r', 'u', 'f'): return T_RUF;
	case TAGKEY3('p', 'c', 't'): return T_PCT;
	case TAGKEY4('a', 's', 'p', 'f'): return T_ASPF;
	case TAGKEY5('a', 'd', 'k', 'i', 'm'): return T_ADKIM;
	default: return -1;
	}
}

/* Whether a comma-separated URI list holds a valid URI (uri_list()
 * without building the list). */
static bool
uri_list_any(const char *v, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i <= n; i++) {
		size_t s, e;

		if (i < n && v[i] != ',')
			continue;
		s = start;
		e = i;
		start = i + 1;
		while (s < e && is_wsp((unsigned char)v[s]))
			s++;
		while (e > s && is_wsp((unsigned char)v[e - 1]))
			e--;
		if (uri_valid(v + s, e - s))
			return true;
	}
	return false;
}

/*
 * The parser; full false leaves out what an evaluation does not read:
 * the rua and ruf lists (only whether rua has a valid URI), fo, rf and
 * ri stay at their defaults.
 */
static int
record_parse(mox__arena *a, struct mox_dmarc_record **out,
    const uint8_t *p, size_t len, bool full)
{
	struct mox_dmarc_record *r;
	mox_dmarc_record_info *in;
	const char *s = (const char *)p;
	unsigned int seen = 0;
	size_t i, pos, rua_s = 0, rua_e = 0;
	char *text;

	*out = NULL;
	if (len > DMARC_RECORD_MAX)
		return MOX_ETOOLONG;
	/* An evaluation parses only what dmarc__is_record() found. */
	if (full && !dmarc__is_record(p, len))
		return MOX_ENOTFOUND;
	r = mox__arena_alloc(a, sizeof(*r) + len + 1);
	if (r == NULL)
		return MOX_ENOMEM;
	text = (char *)(r + 1);
	mox__memzero(r, sizeof(*r));
	mox__memcpy(text, p, len);
	if (has_ctl(p, len)) {
		for (i = 0; i < len; i++) {
			if (p[i] < 0x20 || p[i] == 0x7f)
				text[i] = '?';
		}
	}
	text[len] = '\0';
	r->text = text;
	r->text_len = len;
	in = &r->info;
	in->fo = "0";
	in->rf = "afrf";
	in->pct = 100;
	in->ri = 86400;
	in->rua = NULL;
	in->ruf = NULL;
	r->p_absent = true;

	/* The first part is v=DMARC1 (checked above). Then each part is
	 * *WSP name *WSP "=" *WSP value *WSP, name 1*ALPHA; other parts are
	 * ignored. One pass: the value's trailing WSP and whether it is
	 * 1*dmarc-value (%x20-3A / %x3C-7E) come with the search for its
	 * end. */
	pos = 0;
	while (pos < len && s[pos] != ';')
		pos++;
	seen |= 1u << T_V;
	while (pos < len) {
		size_t ns, ne, vs, ve;
		const char *q;
		int tag, pv;

		pos++;
		while (pos < len && is_wsp((unsigned char)s[pos]))
			pos++;
		ns = pos;
		while (pos < len && mox__isalpha((unsigned char)s[pos]))
			pos++;
		ne = pos;
		while (pos < len && is_wsp((unsigned char)s[pos]))
			pos++;
		if (ne == ns || pos >= len || s[pos] != '=') {
			/* Empty, or not a tag: ignored. */
			while (pos < len && s[pos] != ';')
				pos++;
			continue;
		}
		pos++;
		while (pos < len && is_wsp((unsigned char)s[pos]))
			pos++;
		vs = pos;
		tag = tag_of(s + ns, ne - ns);
		if (tag < 0 || (seen & (1u << tag)) != 0 ||
		    (!full && (tag == T_RUA || tag == T_RUF || tag == T_FO ||
		    tag == T_RF || tag == T_RI))) {
			/* An unknown tag, a duplicate, or a value an
			 * evaluation does not read (rua only when it
			 * matters, below): to the end of the part. */
			bool first = tag >= 0 && (seen & (1u << tag)) == 0;

			if (tag >= 0 && !first)
				r->duplicate = true;
			else if (tag >= 0)
				seen |= 1u << tag;
			q = memchr(s + pos, ';', len - pos);
			pos = q != NULL ? (size_t)(q - s) : len;
			if (tag == T_RUA && first) {
				rua_s = vs;
				rua_e = pos;
			}
			continue;
		}
		seen |= 1u << tag;
		if (!value_scan(s, len, &pos, vs, &ve)) {
			/* Empty value or control/8-bit octets: invalid. */
			vs = ve = 0;
		}
		switch (tag) {
		case T_V:
			break;
		case T_P:
			r->p_absent = false;
			pv = policy_value(s + vs, ve - vs);
			if (pv < 0)
				r->p_invalid = true;
			else
				in->p = pv;
			break;
		case T_SP:
			pv = policy_value(s + vs, ve - vs);
			if (pv < 0)
				r->sp_invalid = true;
			else
				in->sp = pv;
			break;
		case T_NP:
			pv = policy_value(s + vs, ve - vs);
			if (pv < 0)
				r->np_invalid = true;
			else
				in->np = pv;
			break;
		case T_PSD:
			if (is_letter(s + vs, ve - vs, 'y'))
				in->psd = MOX_DMARC_PSD_Y;
			else if (is_letter(s + vs, ve - vs, 'n'))
				in->psd = MOX_DMARC_PSD_N;
			break;
		case T_T:
			if (is_letter(s + vs, ve - vs, 'y'))
				in->testing = true;
			break;
		case T_ADKIM:
			if (is_letter(s + vs, ve - vs, 's'))
				in->adkim = MOX_DMARC_STRICT;
			break;
		case T_ASPF:
			if (is_letter(s + vs, ve - vs, 's'))
				in->aspf = MOX_DMARC_STRICT;
			break;
		case T_FO:
			if (full && fo_valid(s + vs, ve - vs)) {
				in->fo = mox__arena_strndup(a, s + vs, ve - vs);
				if (in->fo == NULL)
					return MOX_ENOMEM;
			}
			break;
		case T_RUA:
			if (uri_list(a, s + vs, ve - vs, &in->rua, &in->nrua,
			    &r->rua_valid) != MOX_OK)
				return MOX_ENOMEM;
			break;
		case T_RUF:
			if (full && uri_list(a, s + vs, ve - vs, &in->ruf,
			    &in->nruf, &(bool){ false }) != MOX_OK)
				return MOX_ENOMEM;
			break;
		case T_PCT:
			in->has_pct = uint_value(s + vs, ve - vs, 100,
			    &in->pct);
			if (!in->has_pct)
				in->pct = 100;
			break;
		case T_RF:
			if (full && ve > vs && rf_valid(s + vs, ve - vs)) {
				in->rf = mox__arena_strndup(a, s + vs, ve - vs);
				if (in->rf == NULL)
					return MOX_ENOMEM;
			}
			break;
		case T_RI:
			if (!full)
				break;
			in->has_ri = uint_value(s + vs, ve - vs, 0xffffffffUL,
			    &in->ri);
			if (!in->has_ri)
				in->ri = 86400;
			break;
		default:
			break;
		}
	}
	/* Whether rua= has a valid URI only matters with an invalid or
	 * missing policy (dmarc__record_policy()). */
	if (rua_e > rua_s && (r->p_invalid || r->p_absent || r->sp_invalid ||
	    r->np_invalid)) {
		pos = rua_s;
		if (value_scan(s, rua_e, &pos, rua_s, &rua_e))
			r->rua_valid = uri_list_any(s + rua_s, rua_e - rua_s);
	}
	{
		struct dmarc_policy pol;

		dmarc__record_policy(r, false, &pol);
		in->policy_effective = pol.usable ? pol.p : MOX_DMARC_P_UNSET;
		in->policy_fallback = pol.fallback;
		if (r->duplicate)
			r->err = "a tag occurs twice";
		else if (!pol.usable)
			r->err = r->p_invalid ? "invalid p= and no valid rua=" :
			    r->sp_invalid ? "invalid sp= and no valid rua=" :
			    "invalid np= and no valid rua=";
	}
	*out = r;
	return MOX_OK;
}

int
dmarc__record_parse(mox__arena *a, struct mox_dmarc_record **out,
    const uint8_t *p, size_t len)
{
	return record_parse(a, out, p, len, true);
}

int
dmarc__record_parse_eval(mox__arena *a, struct mox_dmarc_record **out,
    const uint8_t *p, size_t len)
{
	return record_parse(a, out, p, len, false);
}

void
dmarc__record_policy(const struct mox_dmarc_record *r, bool rfc7489,
    struct dmarc_policy *out)
{
	const mox_dmarc_record_info *in = &r->info;
	bool bad;

	memset(out, 0, sizeof(*out));
	if (r->duplicate)
		return;
	if (rfc7489) {
		/* RFC 7489 6.3: p is required; 6.6.3 step 6: an invalid or
		 * missing p, or an invalid sp, with a valid rua acts as
		 * p=none, without one no DMARC processing. np is not an RFC
		 * 7489 tag. */
		bad = r->p_invalid || r->p_absent || r->sp_invalid;
	} else {
		/* RFC 9989 4.7: a missing p is p=none; 4.10.1: an invalid
		 * p, sp or np with a valid rua acts as p=none, without one
		 * no DMARC processing. */
		bad = r->p_invalid || r->sp_invalid || r->np_invalid;
	}
	if (bad) {
		if (!r->rua_valid)
			return;
		out->usable = true;
		out->fallback = true;
		out->p = MOX_DMARC_P_NONE;
		return;
	}
	out->usable = true;
	out->p = r->p_absent ? MOX_DMARC_P_NONE : in->p;
	out->sp = in->sp;
	out->np = rfc7489 ? MOX_DMARC_P_UNSET : in->np;
}

/* --- public --- */

int
mox_dmarc_record_parse(mox_dmarc_record **out, const uint8_t *p,
    size_t len, const char **err)
{
	mox__arena a = MOX__ARENA_INIT;
	struct mox_dmarc_record *r;
	int rc;

	if (err != NULL)
		*err = NULL;
	if (out != NULL)
		*out = NULL;
	if (out == NULL || (p == NULL && len > 0)) {
		if (err != NULL)
			*err = "invalid argument";
		return MOX_EINVAL;
	}
	rc = dmarc__record_parse(&a, &r, p, len);
	if (rc != MOX_OK) {
		mox__arena_free(&a);
		if (err != NULL)
			*err = rc == MOX_ENOTFOUND ?
			    "not a DMARC record (no v=DMARC1 first)" :
			    rc == MOX_ETOOLONG ? "record too long" :
			    "out of memory";
		return rc == MOX_ETOOLONG ? MOX_ESYNTAX : rc;
	}
	if (r->err != NULL) {
		if (err != NULL)
			*err = r->err;
		mox__arena_free(&a);
		return MOX_ESYNTAX;
	}
	r->arena = a;
	*out = r;
	return MOX_OK;
}

void
mox_dmarc_record_free(mox_dmarc_record *r)
{
	mox__arena a;

	if (r == NULL)
		return;
	a = r->arena;     /* r lives in its own arena */
	mox__arena_free(&a);
}

const mox_dmarc_record_info *
mox_dmarc_record_view(const mox_dmarc_record *r)
{
	return r != NULL ? &r->info : NULL;
}

static void
add_list(mox__sbuf *sb, const char *tag, const char *const *l, size_t n)
{
	size_t i;

	if (n == 0)
		return;
	mox__sbuf_addf(sb, "; %s=", tag);
	for (i = 0; i < n; i++) {
		if (i > 0)
			mox__sbuf_addc(sb, ',');
		mox__sbuf_adds(sb, l[i]);
	}
}

size_t
mox_dmarc_record_format(char *buf, size_t cap, const mox_dmarc_record *r)
{
	mox__sbuf sb;
	const mox_dmarc_record_info *in;

	mox__sbuf_init(&sb, buf, cap);
	if (r == NULL)
		return 0;
	in = &r->info;
	mox__sbuf_adds(&sb, "v=DMARC1; p=");
	mox__sbuf_adds(&sb, mox_dmarc_policy_name(in->policy_effective));
	if (!in->policy_fallback) {
		if (in->sp != MOX_DMARC_P_UNSET)
			mox__sbuf_addf(&sb, "; sp=%s",
			    mox_dmarc_policy_name(in->sp));
		if (in->np != MOX_DMARC_P_UNSET)
			mox__sbuf_addf(&sb, "; np=%s",
			    mox_dmarc_policy_name(in->np));
	}
	if (in->psd != MOX_DMARC_PSD_UNSET)
		mox__sbuf_adds(&sb, in->psd == MOX_DMARC_PSD_Y ? "; psd=y" :
		    "; psd=n");
	if (in->testing)
		mox__sbuf_adds(&sb, "; t=y");
	if (in->adkim == MOX_DMARC_STRICT)
		mox__sbuf_adds(&sb, "; adkim=s");
	if (in->aspf == MOX_DMARC_STRICT)
		mox__sbuf_adds(&sb, "; aspf=s");
	if (strcmp(in->fo, "0") != 0)
		mox__sbuf_addf(&sb, "; fo=%s", in->fo);
	add_list(&sb, "rua", in->rua, in->nrua);
	add_list(&sb, "ruf", in->ruf, in->nruf);
	if (in->has_pct)
		mox__sbuf_addf(&sb, "; pct=%u", in->pct);
	if (strcmp(in->rf, "afrf") != 0)
		mox__sbuf_addf(&sb, "; rf=%s", in->rf);
	if (in->has_ri)
		mox__sbuf_addf(&sb, "; ri=%u", in->ri);
	return sb.len;
}
