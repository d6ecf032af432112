/* SPDX-License-Identifier: MIT */
/*
 * msg_header.c -- RFC 5322 header section scanning: one pass over the
 * caller's buffer, memchr for line ends, no allocation and no copy.
 */
#include <limits.h>
#include <string.h>

#include <mox/message.h>

#include "base.h"
#include "msg-int.h"

enum {
	ITER_RUN = 0,
	ITER_DONE = 1,
	ITER_LIMIT = 2
};

int
mox_msg_options_init(mox_msg_options *opts, unsigned int version)
{
	mox_msg_options def = MOX_MSG_OPTIONS_INIT;

	if (opts == NULL)
		return MOX_EINVAL;
	if (version == 0 || version > MOX_MSG_OPTIONS_VERSION)
		return MOX_EVERSION;
	*opts = def;
	opts->version = version;
	return MOX_OK;
}

void
mox_msg_free(void *p)
{
	mox__free(p);
}

int
mox_msg_iter_init(mox_msg_iter *it, const uint8_t *msg, size_t len,
    const mox_msg_options *opts)
{
	mox_msg_options def = MOX_MSG_OPTIONS_INIT;

	if (it == NULL || (msg == NULL && len > 0))
		return MOX_EINVAL;
	if (opts == NULL)
		opts = &def;
	else if (opts->version == 0 || opts->version > MOX_MSG_OPTIONS_VERSION)
		return MOX_EVERSION;
	memset(it, 0, sizeof(*it));
	it->version = MOX_MSG_ITER_VERSION;
	it->msg_ = msg;
	it->len_ = len;
	it->max_header_size_ = opts->max_header_size;
	it->max_fields_ = opts->max_fields;
	it->max_line_length_ = opts->max_line_length;
	it->err_offset_ = SIZE_MAX;
	it->state_ = ITER_RUN;
	return MOX_OK;
}

static int
iter_limit(mox_msg_iter *it, size_t off)
{
	it->state_ = ITER_LIMIT;
	it->err_offset_ = off;
	return MOX_ELIMIT;
}

/* RFC 5322 3.6.8 ftext: printable US-ASCII except ':'. */
static inline int
isftext(int c)
{
	return c >= 33 && c <= 126 && c != ':';
}

/* Whether any of n octets has the high bit set, 8 at a time. */
static bool
has_8bit(const uint8_t *p, size_t n)
{
	uint64_t acc = 0, w;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&w, p + i, 8);
		acc |= w;
	}
	for (; i < n; i++)
		acc |= p[i];
	return (acc & UINT64_C(0x8080808080808080)) != 0;
}

int
mox_msg_iter_next(mox_msg_iter *it, mox_msg_field *out)
{
	const uint8_t *m;
	size_t pos, start, lstart, lend, next, nl, limit, name_end, i;
	size_t searchlen;
	unsigned int flags = 0;
	int rc = MOX_OK;

	if (it == NULL || out == NULL)
		return MOX_EINVAL;
	if (it->version != MOX_MSG_ITER_VERSION || out->version == 0 ||
	    out->version > MOX_MSG_FIELD_VERSION)
		return MOX_EVERSION;
	if (it->state_ == ITER_DONE)
		return MOX_ENOTFOUND;
	if (it->state_ == ITER_LIMIT)
		return MOX_ELIMIT;
	m = it->msg_;
	pos = it->pos_;
	limit = it->max_header_size_ != 0 ? it->max_header_size_ : SIZE_MAX;

	if (pos >= it->len_) {
		it->header_end_ = pos;
		it->state_ = ITER_DONE;
		return MOX_ENOTFOUND;
	}
	/* The empty line ends the section (RFC 5322 2.1). */
	if (m[pos] == '\n' ||
	    (m[pos] == '\r' && pos + 1 < it->len_ && m[pos + 1] == '\n')) {
		size_t sep = m[pos] == '\n' ? 1 : 2;

		if (pos + sep > limit)
			return iter_limit(it, pos);
		it->eol_ |= sep == 1 ? MOX_MSG_EOL_LF : MOX_MSG_EOL_CRLF;
		it->header_end_ = pos;
		it->pos_ = pos + sep;
		it->state_ = ITER_DONE;
		return MOX_ENOTFOUND;
	}
	if (it->max_fields_ != 0 && it->nfields_ >= it->max_fields_)
		return iter_limit(it, pos);

	/* Find the physical lines of this field. */
	start = pos;
	lstart = pos;
	for (;;) {
		searchlen = it->len_ - lstart;
		/* Bound the search by the limits so a huge input without
		 * line ends costs only up to the limit. */
		if (limit != SIZE_MAX) {
			if (lstart >= limit)
				return iter_limit(it, lstart);
			if (searchlen > limit - lstart)
				searchlen = limit - lstart;
		}
		if (it->max_line_length_ != 0 &&
		    searchlen > it->max_line_length_ + 2)
			searchlen = it->max_line_length_ + 2;
		{
			const uint8_t *q = memchr(m + lstart, '\n', searchlen);

			if (q == NULL) {
				if (lstart + searchlen < it->len_)
					return iter_limit(it, lstart);
				nl = it->len_;
			} else {
				nl = (size_t)(q - m);
			}
		}
		if (nl == it->len_) {
			lend = nl;
			next = nl;
			flags |= MOX_MSG_FIELD_NO_EOL;
		} else if (nl > lstart && m[nl - 1] == '\r') {
			lend = nl - 1;
			next = nl + 1;
			it->eol_ |= MOX_MSG_EOL_CRLF;
		} else {
			lend = nl;
			next = nl + 1;
			it->eol_ |= MOX_MSG_EOL_LF;
		}
		if (it->max_line_length_ != 0 &&
		    lend - lstart > it->max_line_length_)
			return iter_limit(it, lstart);
		if (next > limit)
			return iter_limit(it, lstart);
		if (next < it->len_ && msg_iswsp(m[next])) {
			flags |= MOX_MSG_FIELD_FOLDED;
			lstart = next;
			continue;
		}
		break;
	}
	it->nfields_++;
	it->pos_ = next;

	out->raw.ptr = m + start;
	out->raw.len = next - start;
	out->offset = start;
	out->name.ptr = m + start;
	out->name.len = 0;

	/* Name, obsolete WSP, colon (RFC 5322 3.6.8, 4.5.3). */
	for (i = start; i < lend && isftext(m[i]); i++)
		;
	name_end = i;
	while (i < lend && msg_iswsp(m[i]))
		i++;
	if (name_end == start || i >= lend || m[i] != ':') {
		out->value.ptr = m + start;
		out->value.len = lend - start;
		rc = MOX_ESYNTAX;
	} else {
		if (i != name_end)
			flags |= MOX_MSG_FIELD_OBS_WSP;
		out->name.len = name_end - start;
		out->value.ptr = m + i + 1;
		out->value.len = lend - (i + 1);
	}
	if (memchr(out->raw.ptr, '\0', out->raw.len) != NULL) {
		flags |= MOX_MSG_FIELD_NUL;
		if (rc == MOX_OK)
			rc = MOX_ENUL;
	}
	if (has_8bit(out->raw.ptr, out->raw.len))
		flags |= MOX_MSG_FIELD_8BIT;
	out->flags = flags;
	return rc;
}

int
mox_msg_iter_find(mox_msg_iter *it, const char *name, mox_msg_field *out)
{
	int rc;

	if (name == NULL)
		return MOX_EINVAL;
	for (;;) {
		rc = mox_msg_iter_next(it, out);
		if (rc == MOX_ESYNTAX || rc == MOX_ENUL)
			continue;
		if (rc != MOX_OK)
			return rc;
		if (mox_msg_field_is(out, name))
			return MOX_OK;
	}
}

size_t
mox_msg_iter_offset(const mox_msg_iter *it)
{
	if (it == NULL)
		return 0;
	if (it->state_ == ITER_LIMIT)
		return it->err_offset_;
	return it->pos_;
}

unsigned int
mox_msg_iter_eol(const mox_msg_iter *it)
{
	return it == NULL ? 0 : it->eol_;
}

bool
mox_msg_field_is(const mox_msg_field *f, const char *name)
{
	if (f == NULL || name == NULL || f->name.len == 0)
		return false;
	return mox__memcaseeq(f->name.ptr, f->name.len, name);
}

int
mox_msg_header_scan(mox_msg_header *out, const uint8_t *msg, size_t len,
    const mox_msg_options *opts)
{
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	size_t nfields = 0, nmal = 0, nnul = 0, errpos = SIZE_MAX;
	unsigned int version;
	int rc;

	if (out == NULL)
		return MOX_EINVAL;
	version = out->version;
	if (version == 0 || version > MOX_MSG_HEADER_VERSION)
		return MOX_EVERSION;
	rc = mox_msg_iter_init(&it, msg, len, opts);
	if (rc != MOX_OK)
		return rc;
	for (;;) {
		size_t before = it.pos_;

		rc = mox_msg_iter_next(&it, &f);
		if (rc == MOX_ENOTFOUND || rc == MOX_ELIMIT)
			break;
		nfields++;
		if (rc == MOX_ESYNTAX)
			nmal++;
		if (f.flags & MOX_MSG_FIELD_NUL)
			nnul++;
		if (rc != MOX_OK && errpos == SIZE_MAX)
			errpos = before;
	}
	memset(out, 0, sizeof(*out));
	out->version = version;
	out->nfields = nfields;
	out->nmalformed = nmal;
	out->nnul = nnul;
	out->eol = it.eol_;
	if (rc == MOX_ELIMIT) {
		out->err_offset = it.err_offset_;
		out->header_len = it.pos_;
		out->body_offset = it.pos_;
		return MOX_ELIMIT;
	}
	out->err_offset = errpos;
	out->body_offset = it.pos_;
	out->header_len = it.header_end_;
	out->has_separator = it.header_end_ != it.pos_;
	return MOX_OK;
}

size_t
mox_msg_unfold(char *buf, size_t cap, const uint8_t *p, size_t len)
{
	size_t s = 0, e = len, i, n = 0;

	if (p == NULL)
		len = e = 0;
	while (s < e && msg_isfws(p[s]))
		s++;
	while (e > s && msg_isfws(p[e - 1]))
		e--;
	for (i = s; i < e; i++) {
		uint8_t c = p[i];

		if (c == '\n')
			continue;
		if (c == '\r' && i + 1 < e && p[i + 1] == '\n')
			continue;
		if (buf != NULL && n + 1 < cap)
			buf[n] = (char)c;
		n++;
	}
	if (buf != NULL && cap > 0)
		buf[n < cap ? n : cap - 1] = '\0';
	return n;
}

/*
 * Skip a comment starting at p[i] == '(' (nested, quoted-pairs); returns
 * the offset after it, or len when it is unterminated.
 */
static size_t
skip_comment(const uint8_t *p, size_t len, size_t i)
{
	unsigned int depth = 0;

	for (; i < len; i++) {
		if (p[i] == '\\') {
			i++;
		} else if (p[i] == '(') {
			depth++;
		} else if (p[i] == ')') {
			if (--depth == 0)
				return i + 1;
		}
	}
	return len;
}

static void
trim(const uint8_t *p, size_t *s, size_t *e)
{
	while (*s < *e && msg_isfws(p[*s]))
		(*s)++;
	while (*e > *s && msg_isfws(p[*e - 1]))
		(*e)--;
}

/* An RFC 2919 list-id: dot-atom-text with at least one dot. */
static bool
valid_listid(const uint8_t *p, size_t len)
{
	bool dot = false;

	if (len == 0 || p[0] == '.' || p[len - 1] == '.')
		return false;
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '.') {
			if (p[i - 1] == '.')
				return false;
			dot = true;
		} else if (!msg_isatext(p[i])) {
			return false;
		}
	}
	return dot;
}

int
mox_msg_listid_parse(mox_slice *id, mox_slice *phrase, const uint8_t *p,
    size_t len)
{
	size_t i, lt = SIZE_MAX, gt, s, e;
	bool quoted = false;

	if (id == NULL || (p == NULL && len > 0))
		return MOX_EINVAL;
	id->ptr = NULL;
	id->len = 0;
	if (phrase != NULL) {
		phrase->ptr = p;
		phrase->len = 0;
	}
	if (len > 0 && memchr(p, '\0', len) != NULL)
		return MOX_ENUL;
	for (i = 0; i < len && lt == SIZE_MAX; i++) {
		if (quoted) {
			if (p[i] == '\\')
				i++;
			else if (p[i] == '"')
				quoted = false;
		} else if (p[i] == '"') {
			quoted = true;
		} else if (p[i] == '(') {
			i = skip_comment(p, len, i) - 1;
		} else if (p[i] == '<') {
			lt = i;
		}
	}
	if (lt == SIZE_MAX) {
		/* No brackets: a lone dot-atom, comments around it allowed. */
		s = 0;
		e = len;
		trim(p, &s, &e);
		while (s < e && p[s] == '(') {
			s = skip_comment(p, e, s);
			trim(p, &s, &e);
		}
		for (i = s; i < e && p[i] != '(' && !msg_isfws(p[i]); i++)
			;
		gt = i;
		trim(p, &i, &e);
		while (i < e && p[i] == '(') {
			i = skip_comment(p, e, i);
			trim(p, &i, &e);
		}
		if (i != e || !valid_listid(p + s, gt - s))
			return MOX_ESYNTAX;
		id->ptr = p + s;
		id->len = gt - s;
		return MOX_OK;
	}
	for (gt = lt + 1; gt < len && p[gt] != '>'; gt++)
		;
	if (gt == len)
		return MOX_ESYNTAX;
	s = lt + 1;
	e = gt;
	trim(p, &s, &e);
	if (!valid_listid(p + s, e - s))
		return MOX_ESYNTAX;
	id->ptr = p + s;
	id->len = e - s;
	if (phrase != NULL) {
		s = 0;
		e = lt;
		trim(p, &s, &e);
		phrase->ptr = p + s;
		phrase->len = e - s;
	}
	return MOX_OK;
}

int
mox_msg_received_count(const uint8_t *msg, size_t len,
    const mox_msg_options *opts)
{
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	int rc, n = 0;

	rc = mox_msg_iter_init(&it, msg, len, opts);
	if (rc != MOX_OK)
		return rc;
	while ((rc = mox_msg_iter_find(&it, "Received", &f)) == MOX_OK) {
		if (n < INT_MAX)
			n++;
	}
	return rc == MOX_ENOTFOUND ? n : rc;
}
