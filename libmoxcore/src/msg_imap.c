/* SPDX-License-Identifier: MIT */
/*
 * msg_imap.c -- IMAP's views of a message: BODYSTRUCTURE and BODY (RFC
 * 3501 7.4.2, RFC 9051 7.5.2), ENVELOPE, and the octets of BODY[section]
 * (RFC 3501 6.4.5) and BINARY[section] (RFC 3516, RFC 9051 6.4.5), all
 * from a parsed mox_msg_tree. Output is formatted with mox__buf, whose
 * sticky error lets a long run of appends be checked once.
 *
 * Where the RFCs leave room, Dovecot's behaviour is followed, and
 * tests/interop/dovecot compares the two:
 *  - body-fld-lines counts line ends: the last line of a body part has
 *    none (its CRLF belongs to the boundary delimiter, RFC 2046 5.1.1) and
 *    is not counted.
 *  - A multipart without body parts (no delimiter, or no boundary, or
 *    truncated by the tree limits) gets one empty text/plain part, since
 *    body-type-mpart needs at least one.
 *  - A message/rfc822 part that is not parsed as a message (an encoding
 *    other than 7bit/8bit/binary, or truncated) still gets the envelope,
 *    body and lines that body-type-msg requires: an envelope of NILs and
 *    an empty text/plain body.
 *  - HEADER.FIELDS ends with the empty line unless the header section
 *    has none (RFC 3501 6.4.5).
 * The differences from Dovecot that are kept on purpose are listed, with
 * their reasons, in tests/interop/dovecot/run-dovecot-test.py.
 */
#include <string.h>

#include <mox/message.h>

#include "base.h"
#include "msg-int.h"

/* --- strings --- */

/*
 * Append p[0..len) as an IMAP string: quoted, or a literal when it holds
 * CR or LF, or (without MOX_MSG_IMAP_UTF8) octets >= 0x80. With UTF8,
 * invalid UTF-8 becomes U+FFFD. A NUL (allowed in neither form) becomes
 * U+FFFD too; the parsers never hand us one, this is defence in depth.
 */
static void
put_string(mox__buf *b, const uint8_t *p, size_t len, unsigned int flags)
{
	mox__buf tmp = MOX__BUF_INIT;
	bool crlf = false, hi = false, nul = false;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] == '\r' || p[i] == '\n')
			crlf = true;
		else if (p[i] == 0)
			nul = true;
		else if (p[i] >= 0x80)
			hi = true;
	}
	if (nul || (hi && (flags & MOX_MSG_IMAP_UTF8) &&
	    !mox__utf8_valid(p, len))) {
		msg_utf8_sanitize(&tmp, p, len);
		if (tmp.err != MOX_OK) {
			b->err = tmp.err;
			mox__buf_free(&tmp);
			return;
		}
		p = (const uint8_t *)(tmp.p != NULL ? tmp.p : "");
		len = tmp.len;
		hi = true;
	}
	if (crlf || (hi && !(flags & MOX_MSG_IMAP_UTF8))) {
		mox__buf_addf(b, "{%zu}\r\n", len);
		mox__buf_add(b, p, len);
	} else {
		size_t run = 0;

		mox__buf_addc(b, '"');
		for (i = 0; i < len; i++) {
			if (p[i] != '"' && p[i] != '\\')
				continue;
			mox__buf_add(b, p + run, i - run);
			mox__buf_addc(b, '\\');
			run = i;
		}
		mox__buf_add(b, p + run, len - run);
		mox__buf_addc(b, '"');
	}
	mox__buf_free(&tmp);
}

/* A NUL-terminated string, or NIL for NULL. */
static void
put_nstring(mox__buf *b, const char *s, unsigned int flags)
{
	if (s == NULL)
		mox__buf_adds(b, "NIL");
	else
		put_string(b, (const uint8_t *)s, strlen(s), flags);
}

/* A string in ASCII uppercase (types, subtypes, parameter names,
 * encodings), as the RFC 3501 examples write them. */
static void
put_upper(mox__buf *b, const char *s, unsigned int flags)
{
	mox__buf tmp = MOX__BUF_INIT;
	size_t i, n = strlen(s);

	/* the usual case, a plain token: no copy */
	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
			break;
	}
	if (i == n) {
		if (mox__buf_grow(b, n + 2) != MOX_OK)
			return;
		b->p[b->len++] = '"';
		for (i = 0; i < n; i++) {
			b->p[b->len++] = (char)((s[i] >= 'a' && s[i] <= 'z') ?
			    s[i] - ('a' - 'A') : s[i]);
		}
		b->p[b->len++] = '"';
		b->p[b->len] = '\0';
		return;
	}
	if (mox__buf_add(&tmp, s, n) != MOX_OK) {
		b->err = tmp.err;
		mox__buf_free(&tmp);
		return;
	}
	for (i = 0; i < n; i++) {
		if (tmp.p[i] >= 'a' && tmp.p[i] <= 'z')
			tmp.p[i] = (char)(tmp.p[i] - ('a' - 'A'));
	}
	put_string(b, (const uint8_t *)tmp.p, n, flags);
	mox__buf_free(&tmp);
}

/* --- ENVELOPE --- */

enum {
	ENV_DATE,
	ENV_SUBJECT,
	ENV_FROM,
	ENV_SENDER,
	ENV_REPLY_TO,
	ENV_TO,
	ENV_CC,
	ENV_BCC,
	ENV_IN_REPLY_TO,
	ENV_MESSAGE_ID,
	ENV_N
};

static const char *const env_names[ENV_N] = {
	"Date", "Subject", "From", "Sender", "Reply-To", "To", "Cc", "Bcc",
	"In-Reply-To", "Message-ID"
};

/* An unstructured field: unfolded and trimmed, not RFC 2047 decoded
 * (RFC 3501 7.4.2). */
static void
put_unfolded(mox__buf *b, const mox_slice *v, unsigned int flags)
{
	mox__buf tmp = MOX__BUF_INIT;
	size_t n;

	if (v->ptr == NULL) {
		mox__buf_adds(b, "NIL");
		return;
	}
	if (mox__buf_grow(&tmp, v->len) != MOX_OK) {
		b->err = tmp.err;
		return;
	}
	n = mox_msg_unfold(tmp.p, tmp.cap, v->ptr, v->len);
	put_string(b, (const uint8_t *)tmp.p, n, flags);
	mox__buf_free(&tmp);
}

/*
 * An address list: NIL when empty, else a list of (name adl mailbox host)
 * with RFC 3501 group markers: (NIL NIL "group" NIL) before the members
 * and (NIL NIL NIL NIL) after them.
 */
static void
put_addrs(mox__buf *b, const mox_msg_addrlist *l, unsigned int flags)
{
	size_t i, n = mox_msg_addrlist_count(l);
	unsigned int group = 0;

	if (n == 0) {
		mox__buf_adds(b, "NIL");
		return;
	}
	mox__buf_addc(b, '(');
	for (i = 0; i < n; i++) {
		const mox_msg_mailbox *m = mox_msg_addrlist_get(l, i);

		if (m->group_index != group) {
			const char *g = m->group != NULL ? m->group : "";

			if (group != 0)
				mox__buf_adds(b, "(NIL NIL NIL NIL)");
			if (m->group_index != 0) {
				mox__buf_adds(b, "(NIL NIL ");
				put_string(b, (const uint8_t *)g, m->group_len,
				    flags);
				mox__buf_adds(b, " NIL)");
			}
			group = m->group_index;
		}
		if (m->kind != MOX_MSG_ADDR_MAILBOX)
			continue;
		mox__buf_addc(b, '(');
		if (m->display_name_len > 0)
			put_string(b, (const uint8_t *)m->display_name,
			    m->display_name_len, flags);
		else
			mox__buf_adds(b, "NIL");
		mox__buf_adds(b, " NIL ");
		put_string(b, (const uint8_t *)m->localpart, m->localpart_len,
		    flags);
		mox__buf_addc(b, ' ');
		/* never NIL: that would read as a group marker */
		put_string(b, (const uint8_t *)m->domain, m->domain_len, flags);
		mox__buf_addc(b, ')');
	}
	if (group != 0)
		mox__buf_adds(b, "(NIL NIL NIL NIL)");
	mox__buf_addc(b, ')');
}

/* Parse an address field; an absent field is an empty list. */
static int
parse_addrs(mox_msg_addrlist **out, const mox_slice *v)
{
	int rc;

	*out = NULL;
	if (v->ptr == NULL)
		return MOX_OK;
	rc = mox_msg_addrlist_parse(out, v->ptr, v->len,
	    MOX_MSG_ADDR_LENIENT | MOX_MSG_ADDR_NO_2047, NULL);
	/* NUL fields never get here (the iterator skips them); be safe. */
	if (rc == MOX_ENUL || rc == MOX_ESYNTAX) {
		*out = NULL;
		return MOX_OK;
	}
	return rc;
}

/* The envelope fields of the header section hdr[0..len), without the
 * surrounding parentheses. */
static void
put_envelope(mox__buf *b, const uint8_t *hdr, size_t len, unsigned int flags)
{
	mox_slice v[ENV_N];
	mox_msg_addrlist *al[ENV_N];
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	int i, rc = MOX_OK;

	memset(v, 0, sizeof(v));
	memset(al, 0, sizeof(al));
	if (mox_msg_iter_init(&it, hdr, len, NULL) != MOX_OK) {
		b->err = MOX_EINVAL;
		return;
	}
	for (;;) {
		rc = mox_msg_iter_next(&it, &f);
		if (rc == MOX_ESYNTAX || rc == MOX_ENUL)
			continue;
		if (rc != MOX_OK)
			break;
		/* RFC 5322 3.6 allows each once; the first wins, as for the
		 * Content-* fields of a part. */
		for (i = 0; i < ENV_N; i++) {
			if (v[i].ptr == NULL && mox_msg_field_is(&f,
			    env_names[i])) {
				v[i] = f.value;
				/* an empty value is there, not absent */
				if (v[i].ptr == NULL)
					v[i].ptr = f.raw.ptr;
				break;
			}
		}
	}
	for (i = ENV_FROM; i <= ENV_BCC; i++) {
		rc = parse_addrs(&al[i], &v[i]);
		if (rc != MOX_OK) {
			b->err = rc;
			goto out;
		}
	}
	put_unfolded(b, &v[ENV_DATE], flags);
	mox__buf_addc(b, ' ');
	put_unfolded(b, &v[ENV_SUBJECT], flags);
	for (i = ENV_FROM; i <= ENV_BCC; i++) {
		const mox_msg_addrlist *l = al[i];

		/* RFC 3501 7.4.2: an absent or empty Sender or Reply-To is
		 * the From. */
		if ((i == ENV_SENDER || i == ENV_REPLY_TO) &&
		    mox_msg_addrlist_count(l) == 0)
			l = al[ENV_FROM];
		mox__buf_addc(b, ' ');
		put_addrs(b, l, flags);
	}
	mox__buf_addc(b, ' ');
	put_unfolded(b, &v[ENV_IN_REPLY_TO], flags);
	mox__buf_addc(b, ' ');
	put_unfolded(b, &v[ENV_MESSAGE_ID], flags);
out:
	for (i = 0; i < ENV_N; i++)
		mox_msg_addrlist_free(al[i]);
}

/* --- BODYSTRUCTURE --- */

static bool
is_type(const mox_msg_part *p, const char *type)
{
	return p->type != NULL && strcmp(p->type, type) == 0;
}

static bool
is_message_type(const mox_msg_part *p)
{
	return is_type(p, "message") && p->subtype != NULL &&
	    (strcmp(p->subtype, "rfc822") == 0 ||
	    strcmp(p->subtype, "global") == 0);
}

/* The encapsulated message of a message/rfc822 or message/global part
 * that was parsed as one, else NULL. */
static const mox_msg_part *
encapsulated(const mox_msg_tree *t, const mox_msg_part *p)
{
	if (p->kind != MOX_MSG_PART_MESSAGE || p->nchildren != 1)
		return NULL;
	return mox_msg_tree_child(t, p, 0);
}

/* Number of body parts of a multipart-typed part (0 when it was not
 * parsed as a container). */
static size_t
nparts(const mox_msg_part *p)
{
	return p->kind == MOX_MSG_PART_MULTIPART ? p->nchildren : 0;
}

static void
put_params(mox__buf *b, const mox_msg_ctype *ct, unsigned int flags)
{
	size_t i, n = mox_msg_ctype_param_count(ct);
	const char *name, *value;

	if (n == 0) {
		mox__buf_adds(b, "NIL");
		return;
	}
	mox__buf_addc(b, '(');
	for (i = 0; i < n; i++) {
		if (mox_msg_ctype_param(ct, i, &name, &value) != MOX_OK)
			break;
		if (i > 0)
			mox__buf_addc(b, ' ');
		put_upper(b, name, flags);
		mox__buf_addc(b, ' ');
		put_nstring(b, value, flags);
	}
	mox__buf_addc(b, ')');
}

/* Next language tag of a Content-Language value (RFC 3282: 1#Language-Tag
 * with CFWS): skips commas, whitespace and comments. */
static bool
lang_next(const char *s, size_t *pos, size_t *start, size_t *end)
{
	size_t i = *pos, depth;

	for (;;) {
		while (s[i] == ',' || s[i] == ' ' || s[i] == '\t' ||
		    s[i] == '\r' || s[i] == '\n')
			i++;
		if (s[i] != '(')
			break;
		for (depth = 0; s[i] != '\0'; i++) {
			if (s[i] == '\\' && s[i + 1] != '\0')
				i++;
			else if (s[i] == '(')
				depth++;
			else if (s[i] == ')' && --depth == 0) {
				i++;
				break;
			}
		}
	}
	if (s[i] == '\0') {
		*pos = i;
		return false;
	}
	*start = i;
	while (s[i] != '\0' && s[i] != ',' && s[i] != ' ' && s[i] != '\t' &&
	    s[i] != '\r' && s[i] != '\n' && s[i] != '(')
		i++;
	*end = i;
	*pos = i;
	return true;
}

/* body-fld-lang: NIL, one string, or a list of strings. */
static void
put_language(mox__buf *b, const char *s, unsigned int flags)
{
	size_t pos = 0, st, en, n = 0;

	if (s != NULL) {
		while (lang_next(s, &pos, &st, &en))
			n++;
	}
	if (n == 0) {
		mox__buf_adds(b, "NIL");
		return;
	}
	if (n > 1)
		mox__buf_addc(b, '(');
	pos = 0;
	n = 0;
	while (lang_next(s, &pos, &st, &en)) {
		if (n++ > 0)
			mox__buf_addc(b, ' ');
		put_string(b, (const uint8_t *)s + st, en - st, flags);
	}
	if (n > 1)
		mox__buf_addc(b, ')');
}

/* body-fld-dsp SP body-fld-lang SP body-fld-loc */
static void
put_ext_common(mox__buf *b, const mox_msg_part *p, unsigned int flags)
{
	mox__buf_addc(b, ' ');
	if (p->disposition == NULL) {
		mox__buf_adds(b, "NIL");
	} else {
		mox__buf_addc(b, '(');
		put_upper(b, mox_msg_ctype_type(p->disposition), flags);
		mox__buf_addc(b, ' ');
		put_params(b, p->disposition, flags);
		mox__buf_addc(b, ')');
	}
	mox__buf_addc(b, ' ');
	put_language(b, p->language, flags);
	mox__buf_addc(b, ' ');
	put_nstring(b, p->location, flags);
}

/* The empty text/plain part that stands in for missing ones. */
static void
put_empty_body(mox__buf *b, unsigned int flags)
{
	mox__buf_adds(b, "(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL "
	    "NIL \"7BIT\" 0 0");
	if (flags & MOX_MSG_IMAP_EXTENDED)
		mox__buf_adds(b, " NIL NIL NIL NIL");
	mox__buf_addc(b, ')');
}

static void put_body(mox__buf *b, const mox_msg_tree *t,
    const uint8_t *msg, const mox_msg_part *p, unsigned int flags);

static void
put_multipart(mox__buf *b, const mox_msg_tree *t, const uint8_t *msg,
    const mox_msg_part *p, unsigned int flags)
{
	size_t i, n = nparts(p);

	mox__buf_addc(b, '(');
	for (i = 0; i < n && b->err == MOX_OK; i++) {
		const mox_msg_part *c = mox_msg_tree_child(t, p, i);

		if (c != NULL)
			put_body(b, t, msg, c, flags);
	}
	if (n == 0)
		put_empty_body(b, flags);
	mox__buf_addc(b, ' ');
	put_upper(b, p->subtype != NULL ? p->subtype : "mixed", flags);
	if (flags & MOX_MSG_IMAP_EXTENDED) {
		mox__buf_addc(b, ' ');
		put_params(b, p->ctype, flags);
		put_ext_common(b, p, flags);
	}
	mox__buf_addc(b, ')');
}

static void
put_body(mox__buf *b, const mox_msg_tree *t, const uint8_t *msg,
    const mox_msg_part *p, unsigned int flags)
{
	const mox_msg_part *e;

	if (is_type(p, "multipart")) {
		put_multipart(b, t, msg, p, flags);
		return;
	}
	mox__buf_addc(b, '(');
	put_upper(b, p->type != NULL ? p->type : "text", flags);
	mox__buf_addc(b, ' ');
	put_upper(b, p->subtype != NULL ? p->subtype : "plain", flags);
	mox__buf_addc(b, ' ');
	put_params(b, p->ctype, flags);
	mox__buf_addc(b, ' ');
	put_nstring(b, p->content_id, flags);
	mox__buf_addc(b, ' ');
	put_nstring(b, p->description, flags);
	mox__buf_addc(b, ' ');
	put_upper(b, p->cte_name != NULL ? p->cte_name : "7bit", flags);
	mox__buf_addf(b, " %zu", p->body_size);
	/* RFC 9051 defines MESSAGE/GLOBAL as body-type-msg, RFC 3501 does
	 * not: an IMAP4rev1 client would read the envelope as body-fld-md5. */
	if (is_type(p, "text")) {
		mox__buf_addf(b, " %zu", p->body_lines);
	} else if (is_message_type(p) && (strcmp(p->subtype, "rfc822") == 0 ||
	    (flags & MOX_MSG_IMAP_UTF8))) {
		e = encapsulated(t, p);
		if (e != NULL) {
			mox__buf_adds(b, " (");
			put_envelope(b, msg + e->header_offset,
			    e->body_offset - e->header_offset, flags);
			mox__buf_adds(b, ") ");
			put_body(b, t, msg, e, flags);
		} else {
			mox__buf_adds(b, " (NIL NIL NIL NIL NIL NIL NIL NIL "
			    "NIL NIL) ");
			put_empty_body(b, flags);
		}
		mox__buf_addf(b, " %zu", p->body_lines);
	}
	if (flags & MOX_MSG_IMAP_EXTENDED) {
		mox__buf_addc(b, ' ');
		put_nstring(b, p->md5, flags);
		put_ext_common(b, p, flags);
	}
	mox__buf_addc(b, ')');
}

/* part: NULL for the root, else the root or the encapsulated message of
 * a message part of t. */
static int
message_part(const mox_msg_tree *t, const mox_msg_part **part)
{
	const mox_msg_part *p = *part, *parent;

	if (p == NULL) {
		*part = mox_msg_tree_part(t, 0);
		return *part != NULL ? MOX_OK : MOX_EINVAL;
	}
	if (mox_msg_tree_part(t, p->index) != p)
		return MOX_EINVAL;
	if (p->parent == SIZE_MAX)
		return MOX_OK;
	parent = mox_msg_tree_part(t, p->parent);
	if (parent == NULL || parent->kind != MOX_MSG_PART_MESSAGE)
		return MOX_EINVAL;
	return MOX_OK;
}

static int
finish(mox__buf *b, char **out, size_t *out_len)
{
	int rc = b->err;

	if (rc != MOX_OK) {
		mox__buf_free(b);
		return rc;
	}
	*out = mox__buf_detach(b, out_len);
	return *out != NULL ? MOX_OK : MOX_ENOMEM;
}

int
mox_msg_imap_bodystructure(char **out, size_t *out_len,
    const mox_msg_tree *t, const mox_msg_part *part, unsigned int flags)
{
	mox__buf b = MOX__BUF_INIT;
	const uint8_t *msg;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (out == NULL || t == NULL)
		return MOX_EINVAL;
	if ((rc = message_part(t, &part)) != MOX_OK)
		return rc;
	msg = mox_msg_tree_message(t, NULL);
	put_body(&b, t, msg, part, flags);
	return finish(&b, out, out_len);
}

int
mox_msg_imap_envelope(char **out, size_t *out_len, const mox_msg_tree *t,
    const mox_msg_part *part, unsigned int flags)
{
	mox__buf b = MOX__BUF_INIT;
	const uint8_t *msg;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (out_len != NULL)
		*out_len = 0;
	if (out == NULL || t == NULL)
		return MOX_EINVAL;
	if ((rc = message_part(t, &part)) != MOX_OK)
		return rc;
	msg = mox_msg_tree_message(t, NULL);
	mox__buf_addc(&b, '(');
	put_envelope(&b, msg + part->header_offset,
	    part->body_offset - part->header_offset, flags);
	mox__buf_addc(&b, ')');
	return finish(&b, out, out_len);
}

/* --- BODY[section] --- */

/* RFC 3501 9: ASTRING-CHAR, ']' included. */
static bool
astring_char(int c)
{
	if (c <= 0x20 || c >= 0x7f)
		return false;
	return c != '(' && c != ')' && c != '{' && c != '%' && c != '*' &&
	    c != '"' && c != '\\';
}

/*
 * One header-fld-name (RFC 3501 9: astring) of a header-list at s[*pos]:
 * an atom of ASTRING-CHARs, a quoted string or a literal ("{n}" or
 * "{n+}", CRLF, n octets). Sets the span of its content and whether it
 * is quoted (escapes inside).
 */
static bool
astring_next(const char *s, size_t len, size_t *pos, size_t *start,
    size_t *end, bool *quoted)
{
	size_t i = *pos;

	*quoted = false;
	if (i >= len)
		return false;
	if (s[i] == '"') {
		*quoted = true;
		*start = ++i;
		for (; i < len; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c == '"')
				break;
			if (c == '\r' || c == '\n' || c == 0)
				return false;
			if (c == '\\') {
				if (i + 1 >= len || (s[i + 1] != '"' &&
				    s[i + 1] != '\\'))
					return false;
				i++;
			}
		}
		if (i >= len)
			return false;
		*end = i;
		*pos = i + 1;
		return true;
	}
	if (s[i] == '{') {
		size_t n = 0, digits = 0;

		for (i++; i < len && mox__isdigit(s[i]); i++, digits++) {
			if (n > (SIZE_MAX - 9) / 10)
				return false;
			n = n * 10 + (size_t)(s[i] - '0');
		}
		if (digits == 0)
			return false;
		if (i < len && s[i] == '+')
			i++;
		if (i + 3 > len || s[i] != '}' || s[i + 1] != '\r' ||
		    s[i + 2] != '\n')
			return false;
		i += 3;
		if (n > len - i)
			return false;
		*start = i;
		*end = i + n;
		*pos = i + n;
		return true;
	}
	*start = i;
	while (i < len && astring_char((unsigned char)s[i]))
		i++;
	if (i == *start)
		return false;
	*end = i;
	*pos = i;
	return true;
}

/* Validate "(" astring *(SP astring) ")" at s[*pos]. */
static bool
header_list_ok(const char *s, size_t len, size_t *pos)
{
	size_t i = *pos, st, en;
	bool q;

	if (i >= len || s[i] != '(')
		return false;
	i++;
	for (;;) {
		if (!astring_next(s, len, &i, &st, &en, &q))
			return false;
		if (i < len && s[i] == ')')
			break;
		if (i >= len || s[i] != ' ')
			return false;
		i++;
	}
	*pos = i + 1;
	return true;
}

/* Whether a field name is in the (validated) header-list at s[pos]. */
static bool
header_list_has(const char *s, size_t len, size_t pos, const uint8_t *name,
    size_t nlen)
{
	size_t st, en, i, k;
	bool q;

	pos++;
	while (astring_next(s, len, &pos, &st, &en, &q)) {
		if (!q) {
			if (en - st == nlen) {
				for (i = 0; i < nlen; i++) {
					if (mox__lower((unsigned char)s[st +
					    i]) != mox__lower(name[i]))
						break;
				}
				if (i == nlen)
					return true;
			}
		} else {
			for (i = st, k = 0; i < en && k < nlen; i++, k++) {
				if (s[i] == '\\')
					i++;
				if (mox__lower((unsigned char)s[i]) !=
				    mox__lower(name[k]))
					break;
			}
			if (i == en && k == nlen)
				return true;
		}
		if (pos >= len || s[pos] == ')')
			break;
		pos++;
	}
	return false;
}

/* The line end a header section uses for its empty line. */
static const char *
header_eol(const uint8_t *msg, const mox_msg_part *m)
{
	if (!(m->flags & MOX_MSG_PART_NO_BODY_SEP) &&
	    m->body_offset > m->header_offset) {
		if (m->body_offset - m->header_offset >= 2 &&
		    msg[m->body_offset - 2] == '\r' &&
		    msg[m->body_offset - 1] == '\n')
			return "\r\n";
		if (msg[m->body_offset - 1] == '\n')
			return "\n";
	}
	if (m->header_eol & MOX_MSG_EOL_CRLF)
		return "\r\n";
	if (m->header_eol & MOX_MSG_EOL_LF)
		return "\n";
	return "\r\n";
}

/*
 * HEADER.FIELDS[.NOT]: the matching fields of message m, then the empty
 * line: "the blank line is included in all header fetches, except in the
 * case of a message which has no body and no blank line" (RFC 3501
 * 6.4.5). A last field without line end (end of input) gets one.
 */
static int
header_fields(mox__buf *b, const uint8_t *msg, const mox_msg_part *m,
    const char *s, size_t len, size_t list, bool not)
{
	const char *eol = header_eol(msg, m);
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	int rc;

	rc = mox_msg_iter_init(&it, msg + m->header_offset,
	    m->body_offset - m->header_offset, NULL);
	if (rc != MOX_OK)
		return rc;
	for (;;) {
		rc = mox_msg_iter_next(&it, &f);
		if (rc == MOX_ESYNTAX)
			continue;
		if (rc != MOX_OK && rc != MOX_ENUL)
			break;
		if (header_list_has(s, len, list, f.name.ptr, f.name.len) ==
		    not)
			continue;
		mox__buf_add(b, f.raw.ptr, f.raw.len);
		if (f.flags & MOX_MSG_FIELD_NO_EOL)
			mox__buf_adds(b, eol);
	}
	if (!(m->flags & MOX_MSG_PART_NO_BODY_SEP) &&
	    m->body_offset > m->header_offset)
		mox__buf_adds(b, eol);
	return b->err;
}

/* Part n (1-based) of the body of message m: its body parts when it is a
 * multipart, else part 1 is m itself (RFC 3501 6.4.5). */
static const mox_msg_part *
message_body_part(const mox_msg_tree *t, const mox_msg_part *m, size_t n)
{
	if (is_type(m, "multipart"))
		return n <= nparts(m) ? mox_msg_tree_child(t, m, n - 1) : NULL;
	return n == 1 ? m : NULL;
}

/* Sub-part n of body part p: a multipart's parts, or those of a message
 * part's encapsulated message. */
static const mox_msg_part *
sub_part(const mox_msg_tree *t, const mox_msg_part *p, size_t n)
{
	const mox_msg_part *e;

	if (is_type(p, "multipart"))
		return n <= nparts(p) ? mox_msg_tree_child(t, p, n - 1) : NULL;
	e = encapsulated(t, p);
	if (e != NULL)
		return message_body_part(t, e, n);
	return NULL;
}

enum sect_text {
	SECT_NONE,
	SECT_HEADER,
	SECT_FIELDS,
	SECT_FIELDS_NOT,
	SECT_TEXT,
	SECT_MIME
};

static bool
keyword(const char *s, size_t len, size_t pos, const char *kw)
{
	size_t n = strlen(kw);

	return len - pos >= n && mox__strncasecmp(s + pos, kw, n) == 0;
}

static void
set_slice(mox_msg_imap_data *out, const uint8_t *msg, size_t from,
    size_t to)
{
	out->data.ptr = msg + from;
	out->data.len = to - from;
}

static int
fetch_binary(mox_msg_imap_data *out, const mox_msg_tree *t,
    const uint8_t *msg, size_t msglen, const mox_msg_part *p)
{
	uint8_t *dec = NULL;
	size_t declen = 0;
	int rc;

	if (p == NULL) {
		/* BINARY[]: the message as it is */
		set_slice(out, msg, 0, msglen);
	} else if (p->cte == MOX_MSG_CTE_7BIT || p->cte == MOX_MSG_CTE_8BIT ||
	    p->cte == MOX_MSG_CTE_BINARY) {
		set_slice(out, msg, p->body_offset, p->end_offset);
	} else if (p->cte == MOX_MSG_CTE_QUOTED_PRINTABLE ||
	    p->cte == MOX_MSG_CTE_BASE64) {
		rc = mox_msg_part_decode(&dec, &declen, NULL, t, p);
		if (rc != MOX_OK)
			return rc;
		out->owned_ = dec;
		out->data.ptr = dec;
		out->data.len = declen;
	} else {
		/* RFC 3516 4.3: [UNKNOWN-CTE] */
		return MOX_EUNSUPPORTED;
	}
	out->has_nul = out->data.len > 0 &&
	    memchr(out->data.ptr, 0, out->data.len) != NULL;
	return MOX_OK;
}

int
mox_msg_imap_fetch(mox_msg_imap_data *out, const mox_msg_tree *t,
    const char *section, size_t section_len, unsigned int flags)
{
	const char *s = section;
	size_t len = section_len, pos = 0, list = 0, msglen = 0;
	const mox_msg_part *root, *p = NULL, *m;
	const uint8_t *msg;
	enum sect_text text = SECT_NONE;
	bool any = false, missing = false;
	mox__buf b = MOX__BUF_INIT;
	int rc;

	if (out == NULL)
		return MOX_EINVAL;
	if (out->version == 0 || out->version > MOX_MSG_IMAP_DATA_VERSION)
		return MOX_EVERSION;
	out->data.ptr = NULL;
	out->data.len = 0;
	out->has_nul = false;
	out->owned_ = NULL;
	if (t == NULL || (s == NULL && len > 0))
		return MOX_EINVAL;
	if (s == NULL)
		s = "";
	root = mox_msg_tree_part(t, 0);
	msg = mox_msg_tree_message(t, &msglen);
	if (root == NULL)
		return MOX_EINVAL;

	/* section-part: nz-number *("." nz-number) */
	while (pos < len && mox__isdigit(s[pos])) {
		size_t n = 0;
		bool big = false;

		if (s[pos] == '0')
			return MOX_ESYNTAX;
		for (; pos < len && mox__isdigit(s[pos]); pos++) {
			if (n > (SIZE_MAX - 9) / 10)
				big = true;
			else
				n = n * 10 + (size_t)(s[pos] - '0');
		}
		if (!missing) {
			p = big ? NULL : any ? sub_part(t, p, n) :
			    message_body_part(t, root, n);
			missing = p == NULL;
		}
		any = true;
		if (pos == len)
			break;
		if (s[pos] != '.' || pos + 1 == len)
			return MOX_ESYNTAX;
		pos++;
		if (!mox__isdigit(s[pos]))
			break;
	}

	/* section-text / section-msgtext */
	if (pos == len) {
		text = SECT_NONE;
	} else if (keyword(s, len, pos, "HEADER.FIELDS.NOT ")) {
		text = SECT_FIELDS_NOT;
		pos += strlen("HEADER.FIELDS.NOT ");
	} else if (keyword(s, len, pos, "HEADER.FIELDS ")) {
		text = SECT_FIELDS;
		pos += strlen("HEADER.FIELDS ");
	} else if (len - pos == 6 && keyword(s, len, pos, "HEADER")) {
		text = SECT_HEADER;
	} else if (len - pos == 4 && keyword(s, len, pos, "TEXT")) {
		text = SECT_TEXT;
	} else if (len - pos == 4 && any && keyword(s, len, pos, "MIME")) {
		text = SECT_MIME;
	} else {
		return MOX_ESYNTAX;
	}
	if (text == SECT_FIELDS || text == SECT_FIELDS_NOT) {
		list = pos;
		if (!header_list_ok(s, len, &pos) || pos != len)
			return MOX_ESYNTAX;
	}
	if ((flags & MOX_MSG_IMAP_BINARY) && text != SECT_NONE)
		return MOX_ESYNTAX;
	if (missing)
		return MOX_ENOTFOUND;

	if (flags & MOX_MSG_IMAP_BINARY)
		return fetch_binary(out, t, msg, msglen, p);

	switch (text) {
	case SECT_NONE:
		if (!any)
			set_slice(out, msg, 0, msglen);
		else
			set_slice(out, msg, p->body_offset, p->end_offset);
		return MOX_OK;
	case SECT_MIME:
		set_slice(out, msg, p->header_offset, p->body_offset);
		return MOX_OK;
	default:
		break;
	}
	/* HEADER, TEXT, HEADER.FIELDS: of the message, or of the message
	 * encapsulated in a message/rfc822 part. */
	m = any ? encapsulated(t, p) : root;
	if (m == NULL)
		return MOX_ENOTFOUND;
	if (text == SECT_HEADER) {
		set_slice(out, msg, m->header_offset, m->body_offset);
		return MOX_OK;
	}
	if (text == SECT_TEXT) {
		set_slice(out, msg, m->body_offset, m->end_offset);
		return MOX_OK;
	}
	rc = header_fields(&b, msg, m, s, len, list, text == SECT_FIELDS_NOT);
	if (rc != MOX_OK) {
		mox__buf_free(&b);
		return rc;
	}
	out->owned_ = mox__buf_detach(&b, &out->data.len);
	if (out->owned_ == NULL) {
		out->data.len = 0;
		return MOX_ENOMEM;
	}
	out->data.ptr = out->owned_;
	return MOX_OK;
}

void
mox_msg_imap_data_release(mox_msg_imap_data *d)
{
	if (d == NULL)
		return;
	mox__free(d->owned_);
	d->owned_ = NULL;
	d->data.ptr = NULL;
	d->data.len = 0;
	d->has_nul = false;
}
