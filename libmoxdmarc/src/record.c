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

/* A policy value (dmarc-request); -1 when invalid. */
static int
policy_value(const char *v, size_t n)
{
	if (mox__memcaseeq(v, n, "none"))
		return MOX_DMARC_P_NONE;
	if (mox__memcaseeq(v, n, "quarantine"))
		return MOX_DMARC_P_QUARANTINE;
	if (mox__memcaseeq(v, n, "reject"))
		return MOX_DMARC_P_REJECT;
	return -1;
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

/* Whether the value is 1*dmarc-value (%x20-3A / %x3C-7E). */
static bool
value_chars(const char *v, size_t n)
{
	size_t i;

	if (n == 0)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x20 || c > 0x7e)
			return false;
	}
	return true;
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

/* The known tag of a name (1*ALPHA, ASCII case ignored), or -1. */
static int
tag_of(const char *s, size_t n)
{
	char b[5];
	size_t i;

	if (n > 5)
		return -1;
	for (i = 0; i < n; i++)
		b[i] = (char)mox__lower((unsigned char)s[i]);
	switch (n) {
	case 1:
		return b[0] == 'v' ? T_V : b[0] == 'p' ? T_P :
		    b[0] == 't' ? T_T : -1;
	case 2:
		if (b[1] == 'p')
			return b[0] == 's' ? T_SP : b[0] == 'n' ? T_NP : -1;
		if (b[0] == 'f' && b[1] == 'o')
			return T_FO;
		if (b[0] == 'r')
			return b[1] == 'f' ? T_RF : b[1] == 'i' ? T_RI : -1;
		return -1;
	case 3:
		if (memcmp(b, "psd", 3) == 0)
			return T_PSD;
		if (memcmp(b, "rua", 3) == 0)
			return T_RUA;
		if (memcmp(b, "ruf", 3) == 0)
			return T_RUF;
		if (memcmp(b, "pct", 3) == 0)
			return T_PCT;
		return -1;
	case 4:
		return memcmp(b, "aspf", 4) == 0 ? T_ASPF : -1;
	case 5:
		return memcmp(b, "adkim", 5) == 0 ? T_ADKIM : -1;
	default:
		return -1;
	}
}

int
dmarc__record_parse(mox__arena *a, struct mox_dmarc_record **out,
    const uint8_t *p, size_t len)
{
	struct mox_dmarc_record *r;
	mox_dmarc_record_info *in;
	const char *s = (const char *)p;
	unsigned int seen = 0;
	size_t i, pos;
	char *text;

	*out = NULL;
	if (len > DMARC_RECORD_MAX)
		return MOX_ETOOLONG;
	if (!dmarc__is_record(p, len))
		return MOX_ENOTFOUND;
	r = mox__arena_alloc(a, sizeof(*r) + len + 1);
	if (r == NULL)
		return MOX_ENOMEM;
	text = (char *)(r + 1);
	memset(r, 0, sizeof(*r));
	memcpy(text, p, len);
	for (i = 0; i < len; i++) {
		if (p[i] < 0x20 || p[i] == 0x7f)
			text[i] = '?';
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

	/* The first part is v=DMARC1 (checked above). */
	pos = 0;
	while (pos < len && s[pos] != ';')
		pos++;
	seen |= 1u << T_V;
	while (pos < len) {
		size_t start = ++pos, end, eq, ns, ne, vs, ve;
		int tag = -1, pv;

		while (pos < len && s[pos] != ';')
			pos++;
		end = pos;
		while (start < end && is_wsp((unsigned char)s[start]))
			start++;
		while (end > start && is_wsp((unsigned char)s[end - 1]))
			end--;
		if (start == end)
			continue;
		for (eq = start; eq < end && s[eq] != '='; eq++)
			;
		if (eq == end)
			continue;        /* not a tag: ignored */
		ns = start;
		ne = eq;
		while (ne > ns && is_wsp((unsigned char)s[ne - 1]))
			ne--;
		vs = eq + 1;
		ve = end;
		while (vs < ve && is_wsp((unsigned char)s[vs]))
			vs++;
		for (i = ns; i < ne; i++) {
			if (!mox__isalpha((unsigned char)s[i]))
				break;
		}
		if (ne == ns || i != ne)
			continue;        /* not a tag name: ignored */
		tag = tag_of(s + ns, ne - ns);
		if (tag < 0)
			continue;        /* unknown tag: ignored */
		if ((seen & (1u << tag)) != 0) {
			r->duplicate = true;
			continue;
		}
		seen |= 1u << tag;
		if (!value_chars(s + vs, ve - vs)) {
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
			if (mox__memcaseeq(s + vs, ve - vs, "y"))
				in->psd = MOX_DMARC_PSD_Y;
			else if (mox__memcaseeq(s + vs, ve - vs, "n"))
				in->psd = MOX_DMARC_PSD_N;
			break;
		case T_T:
			if (mox__memcaseeq(s + vs, ve - vs, "y"))
				in->testing = true;
			break;
		case T_ADKIM:
			if (mox__memcaseeq(s + vs, ve - vs, "s"))
				in->adkim = MOX_DMARC_STRICT;
			break;
		case T_ASPF:
			if (mox__memcaseeq(s + vs, ve - vs, "s"))
				in->aspf = MOX_DMARC_STRICT;
			break;
		case T_FO:
			if (fo_valid(s + vs, ve - vs)) {
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
			if (uri_list(a, s + vs, ve - vs, &in->ruf, &in->nruf,
			    &(bool){ false }) != MOX_OK)
				return MOX_ENOMEM;
			break;
		case T_PCT:
			in->has_pct = uint_value(s + vs, ve - vs, 100,
			    &in->pct);
			if (!in->has_pct)
				in->pct = 100;
			break;
		case T_RF:
			if (ve > vs && rf_valid(s + vs, ve - vs)) {
				in->rf = mox__arena_strndup(a, s + vs, ve - vs);
				if (in->rf == NULL)
					return MOX_ENOMEM;
			}
			break;
		case T_RI:
			in->has_ri = uint_value(s + vs, ve - vs, 0xffffffffUL,
			    &in->ri);
			if (!in->has_ri)
				in->ri = 86400;
			break;
		default:
			break;
		}
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
