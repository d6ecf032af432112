/* SPDX-License-Identifier: MIT */
/*
 * msg_addr.c -- RFC 5322 3.4 address lists, with the obsolete syntax of
 * 4.4 and RFC 6532 UTF-8; and RFC 5322 3.6.4 msg-id lists.
 */
#include <string.h>

#include <mox/message.h>

#include "base.h"
#include "msg-int.h"

struct mox_msg_addrlist {
	mox__arena arena;
	mox_msg_mailbox *v;
	size_t n;
	size_t cap;
	size_t skipped;
};

struct cur {
	const uint8_t *p;
	size_t len;
	size_t pos;
	bool lenient;
	size_t erroff;
	/* Inner bytes of the last top-level comment skip_cfws() passed. */
	size_t cm0, cm1;
	bool have_comment;
};

static int
cerr(struct cur *c)
{
	if (c->erroff == SIZE_MAX)
		c->erroff = c->pos;
	return MOX_ESYNTAX;
}

static int
peek(const struct cur *c)
{
	return c->pos < c->len ? c->p[c->pos] : -1;
}

/*
 * Skip CFWS (RFC 5322 3.2.2): whitespace, folding, nested comments with
 * quoted-pairs. Sets *ws when anything was skipped. An unterminated
 * comment is an error, or ends at the end of input when lenient.
 */
static int
skip_cfws(struct cur *c, bool *ws)
{
	for (;;) {
		while (c->pos < c->len && msg_isfws(c->p[c->pos])) {
			c->pos++;
			if (ws != NULL)
				*ws = true;
		}
		if (c->pos < c->len && c->p[c->pos] == '(') {
			size_t depth = 1, start = c->pos;

			c->pos++;
			c->cm0 = c->pos;
			while (c->pos < c->len && depth > 0) {
				uint8_t ch = c->p[c->pos];

				if (ch == '\\' && c->pos + 1 < c->len)
					c->pos++;
				else if (ch == '(')
					depth++;
				else if (ch == ')')
					depth--;
				c->pos++;
			}
			if (depth > 0) {
				if (!c->lenient) {
					c->pos = start;
					return cerr(c);
				}
				c->cm1 = c->len;
			} else {
				c->cm1 = c->pos - 1;
			}
			c->have_comment = true;
			if (ws != NULL)
				*ws = true;
			continue;
		}
		return MOX_OK;
	}
}

/* Append an atom (1*atext) at the cursor to b. */
static void
take_atom(struct cur *c, mox__buf *b)
{
	size_t s = c->pos;

	while (c->pos < c->len && msg_isatext(c->p[c->pos]))
		c->pos++;
	mox__buf_add(b, c->p + s, c->pos - s);
}

/* Append the content of a quoted-string at the cursor ('"') to b:
 * quoted-pairs resolved, folding line ends removed (RFC 5322 3.2.4). */
static int
take_qstring(struct cur *c, mox__buf *b)
{
	size_t s = c->pos;

	c->pos++;
	while (c->pos < c->len) {
		uint8_t ch = c->p[c->pos];

		if (ch == '"') {
			c->pos++;
			return MOX_OK;
		}
		if (ch == '\\' && c->pos + 1 < c->len) {
			mox__buf_addc(b, (char)c->p[c->pos + 1]);
			c->pos += 2;
			continue;
		}
		if (ch != '\r' && ch != '\n')
			mox__buf_addc(b, (char)ch);
		c->pos++;
	}
	if (c->lenient)
		return MOX_OK;
	c->pos = s;
	return cerr(c);
}

/*
 * A phrase or local-part: words (atoms, quoted strings) and dots with
 * CFWS between. disp gets the display form (words joined by one space
 * where CFWS separated them); lp gets the local-part form (no spaces).
 * lp_ok tells whether the sequence is a (possibly obsolete) local-part:
 * word *("." word); the lenient mode also takes empty dot parts.
 * last_disp/last_lp are where the last word starts in each buffer.
 */
struct phrase {
	size_t nwords;
	size_t nitems;
	bool lp_ok;
	bool spaced; /* two words with only CFWS between */
	size_t last_disp, last_lp, last_pos;
};

static int
parse_phrase(struct cur *c, mox__buf *disp, mox__buf *lp, struct phrase *ph)
{
	bool ws = false, prev_word = false;
	int rc, ch;

	memset(ph, 0, sizeof(*ph));
	ph->lp_ok = true;
	for (;;) {
		ws = false;
		if ((rc = skip_cfws(c, &ws)) != MOX_OK)
			return rc;
		ch = peek(c);
		if (ch < 0)
			break;
		if (ch == '"' || msg_isatext(ch)) {
			if (ws && disp->len > 0)
				mox__buf_addc(disp, ' ');
			if (prev_word) {
				ph->lp_ok = false;
				ph->spaced = true;
			}
			ph->last_disp = disp->len;
			ph->last_lp = lp->len;
			ph->last_pos = c->pos;
			if (ch == '"') {
				size_t d0 = disp->len;

				if ((rc = take_qstring(c, disp)) != MOX_OK)
					return rc;
				mox__buf_add(lp, disp->p != NULL ?
				    disp->p + d0 : "", disp->len - d0);
			} else {
				size_t s = c->pos;

				take_atom(c, disp);
				mox__buf_add(lp, c->p + s, c->pos - s);
			}
			ph->nwords++;
			ph->nitems++;
			prev_word = true;
			continue;
		}
		if (ch == '.') {
			/* obs-phrase (RFC 5322 4.1), obs-local-part (4.4) */
			if (ws && disp->len > 0)
				mox__buf_addc(disp, ' ');
			if (!prev_word && !c->lenient)
				ph->lp_ok = false;
			mox__buf_addc(disp, '.');
			mox__buf_addc(lp, '.');
			c->pos++;
			ph->nitems++;
			prev_word = false;
			continue;
		}
		break;
	}
	if (ph->nwords == 0 || (!prev_word && !c->lenient))
		ph->lp_ok = false;
	return MOX_OK;
}

/* Domain (RFC 5322 3.4.1, obs-domain 4.4) into b, CFWS removed. */
static int
parse_domain(struct cur *c, mox__buf *b)
{
	bool dot = true;
	int rc, ch;
	size_t natoms = 0;

	if ((rc = skip_cfws(c, NULL)) != MOX_OK)
		return rc;
	if (peek(c) == '[') {
		size_t s = c->pos;

		while (c->pos < c->len && c->p[c->pos] != ']') {
			uint8_t x = c->p[c->pos];

			if (x == '[' && c->pos != s)
				return cerr(c);
			if (x == '\\' && c->pos + 1 < c->len) {
				mox__buf_addc(b, (char)c->p[c->pos + 1]);
				c->pos += 2;
				continue;
			}
			if (!msg_isfws(x))
				mox__buf_addc(b, (char)x);
			c->pos++;
		}
		if (c->pos >= c->len) {
			if (!c->lenient)
				return cerr(c);
		} else {
			c->pos++;
		}
		mox__buf_addc(b, ']');
		return skip_cfws(c, NULL);
	}
	for (;;) {
		ch = peek(c);
		if (ch >= 0 && msg_isatext(ch) && dot) {
			take_atom(c, b);
			natoms++;
			dot = false;
		} else if (ch == '.' && (!dot || (c->lenient && natoms > 0))) {
			mox__buf_addc(b, '.');
			c->pos++;
			dot = true;
		} else {
			break;
		}
		if ((rc = skip_cfws(c, NULL)) != MOX_OK)
			return rc;
	}
	if (natoms == 0 || (dot && !c->lenient))
		return cerr(c);
	return MOX_OK;
}

/* Decode a display or group name from raw bytes into the arena. */
static const char *
name_finish(mox_msg_addrlist *l, mox__buf *tmp, const char *raw,
    size_t rawlen, unsigned int flags, size_t *outlen)
{
	const char *s;

	tmp->len = 0;
	if (flags & MOX_MSG_ADDR_NO_2047)
		msg_utf8_sanitize(tmp, (const uint8_t *)raw, rawlen);
	else
		msg_2047_decode(tmp, (const uint8_t *)raw, rawlen);
	if (tmp->err != MOX_OK)
		return NULL;
	*outlen = tmp->len;
	s = mox__arena_strndup(&l->arena, tmp->p != NULL ? tmp->p : "",
	    tmp->len);
	return s;
}

struct group {
	const char *name;
	size_t len;
	unsigned int index;
	bool any;
};

struct bufs {
	mox__buf disp, lp, dom, tmp;
};

static int
push(mox_msg_addrlist *l, struct bufs *bf, const struct group *g,
    size_t offset, int kind, unsigned int flags)
{
	mox_msg_mailbox *m;
	mox_domain d;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 4;
		mox_msg_mailbox *nv;

		nv = mox__reallocarray(l->v, ncap, sizeof(*nv));
		if (nv == NULL)
			return MOX_ENOMEM;
		l->v = nv;
		l->cap = ncap;
	}
	m = &l->v[l->n];
	memset(m, 0, sizeof(*m));
	m->kind = kind;
	m->offset = offset;
	if (g != NULL) {
		m->group = g->name;
		m->group_len = g->len;
		m->group_index = g->index;
	}
	if (kind == MOX_MSG_ADDR_EMPTY_GROUP) {
		m->display_name = m->localpart = m->domain = "";
		l->n++;
		return MOX_OK;
	}
	m->display_name = name_finish(l, &bf->tmp,
	    bf->disp.p != NULL ? bf->disp.p : "", bf->disp.len, flags,
	    &m->display_name_len);
	if (m->display_name == NULL)
		return MOX_ENOMEM;
	m->localpart = mox__arena_strndup(&l->arena,
	    bf->lp.p != NULL ? bf->lp.p : "", bf->lp.len);
	m->localpart_len = bf->lp.len;
	m->domain = mox__arena_strndup(&l->arena,
	    bf->dom.p != NULL ? bf->dom.p : "", bf->dom.len);
	m->domain_len = bf->dom.len;
	if (m->localpart == NULL || m->domain == NULL)
		return MOX_ENOMEM;
	if (bf->dom.len > 0 && bf->dom.p[0] != '[' &&
	    mox_domain_parse(&d, bf->dom.p, bf->dom.len,
	    MOX_DOMAIN_ALLOW_UNDERSCORE | MOX_DOMAIN_ALLOW_TRAILING_DOT) ==
	    MOX_OK) {
		m->domain_ascii = mox__arena_strndup(&l->arena, d.ascii,
		    strlen(d.ascii));
		m->domain_unicode = mox__arena_strndup(&l->arena, d.unicode,
		    strlen(d.unicode));
		if (m->domain_ascii == NULL || m->domain_unicode == NULL)
			return MOX_ENOMEM;
	}
	l->n++;
	return MOX_OK;
}

/* angle-addr at '<' (RFC 5322 3.4, obs-angle-addr 4.4); fills bf->lp and
 * bf->dom. */
static int
parse_angle(struct cur *c, struct bufs *bf)
{
	struct phrase ph;
	mox__buf scratch = MOX__BUF_INIT;
	int rc;

	c->pos++;
	if ((rc = skip_cfws(c, NULL)) != MOX_OK)
		return rc;
	/* obs-route: "@a,@b:" */
	if (peek(c) == '@' || peek(c) == ',') {
		while (peek(c) == '@' || peek(c) == ',') {
			c->pos++;
			if (c->p[c->pos - 1] == '@') {
				scratch.len = 0;
				rc = parse_domain(c, &scratch);
				if (rc != MOX_OK) {
					mox__buf_free(&scratch);
					return rc;
				}
			}
			if ((rc = skip_cfws(c, NULL)) != MOX_OK) {
				mox__buf_free(&scratch);
				return rc;
			}
		}
		mox__buf_free(&scratch);
		if (peek(c) != ':')
			return cerr(c);
		c->pos++;
	}
	bf->lp.len = 0;
	bf->tmp.len = 0;
	if ((rc = parse_phrase(c, &bf->tmp, &bf->lp, &ph)) != MOX_OK)
		return rc;
	if (!ph.lp_ok || peek(c) != '@')
		return cerr(c);
	c->pos++;
	bf->dom.len = 0;
	if ((rc = parse_domain(c, &bf->dom)) != MOX_OK)
		return rc;
	if (peek(c) != '>') {
		if (!(c->lenient && c->pos >= c->len))
			return cerr(c);
	} else {
		c->pos++;
	}
	if (bf->lp.err || bf->dom.err || bf->tmp.err)
		return MOX_ENOMEM;
	return MOX_OK;
}

/*
 * One mailbox (RFC 5322 3.4: name-addr / addr-spec). When allow_group
 * and a group starts here, *is_group is set and the cursor is just past
 * its ':' with bf->disp holding the group name.
 */
static int
parse_mailbox(struct cur *c, struct bufs *bf, bool allow_group,
    bool *is_group)
{
	struct phrase ph;
	int rc, ch;

	*is_group = false;
	bf->disp.len = bf->lp.len = bf->dom.len = 0;
	c->have_comment = false;
	if ((rc = parse_phrase(c, &bf->disp, &bf->lp, &ph)) != MOX_OK)
		return rc;
	ch = peek(c);
	if (ch == '<') {
		if ((rc = parse_angle(c, bf)) != MOX_OK)
			return rc;
		return skip_cfws(c, NULL);
	}
	if (ch == ':' && allow_group && ph.nwords > 0) {
		c->pos++;
		*is_group = true;
		return MOX_OK;
	}
	if (ch == '@' && ph.nwords > 0) {
		if (!ph.lp_ok) {
			/* "John Doe john@example.com": in lenient mode the
			 * last word is the local-part, the rest the name. */
			if (!c->lenient || !ph.spaced)
				return cerr(c);
			if (bf->lp.err || bf->disp.err)
				return MOX_ENOMEM;
			memmove(bf->lp.p, bf->lp.p + ph.last_lp,
			    bf->lp.len - ph.last_lp);
			bf->lp.len -= ph.last_lp;
			bf->lp.p[bf->lp.len] = '\0';
			bf->disp.len = ph.last_disp;
			while (bf->disp.len > 0 &&
			    bf->disp.p[bf->disp.len - 1] == ' ')
				bf->disp.len--;
		} else {
			bf->disp.len = 0;
		}
		c->pos++;
		c->have_comment = false;
		if ((rc = parse_domain(c, &bf->dom)) != MOX_OK)
			return rc;
		/* "a@b (Name)": the comment is the name, as MUAs show. */
		if (bf->disp.len == 0 && c->have_comment) {
			struct cur cc = *c;

			for (cc.pos = c->cm0; cc.pos < c->cm1; cc.pos++) {
				uint8_t x = c->p[cc.pos];

				if (x == '\\' && cc.pos + 1 < c->cm1)
					x = c->p[++cc.pos];
				if (x != '\r' && x != '\n')
					mox__buf_addc(&bf->disp, (char)x);
			}
		}
		return MOX_OK;
	}
	return cerr(c);
}

/* Skip to the next ',' (or ';' when in a group) outside quotes and
 * comments. Angle brackets are not tracked: an unclosed '<' must not
 * swallow the rest of the list. */
static void
skip_entry(struct cur *c, bool ingroup)
{
	size_t depth = 0;
	bool q = false;

	while (c->pos < c->len) {
		uint8_t ch = c->p[c->pos];

		if (ch == '\\') {
			c->pos += c->pos + 1 < c->len ? 2 : 1;
			continue;
		}
		if (q) {
			if (ch == '"')
				q = false;
		} else if (depth > 0) {
			if (ch == '(')
				depth++;
			else if (ch == ')')
				depth--;
		} else if (ch == '"') {
			q = true;
		} else if (ch == '(') {
			depth++;
		} else if (ch == ',' || (ingroup && ch == ';')) {
			return;
		}
		c->pos++;
	}
}

/*
 * Lenient fallback for an entry that does not parse: if it has an
 * angle-addr, take that and use the text before it as the name.
 */
static bool
salvage(struct cur *c, struct bufs *bf, size_t start, size_t end)
{
	struct cur sc;
	size_t i;
	bool q = false;

	for (i = start; i < end; i++) {
		uint8_t ch = c->p[i];

		if (ch == '\\') {
			i++;
			continue;
		}
		if (ch == '"')
			q = !q;
		else if (ch == '<' && !q)
			break;
	}
	if (i >= end)
		return false;
	sc = *c;
	sc.len = end;
	sc.pos = i;
	sc.erroff = SIZE_MAX;
	if (parse_angle(&sc, bf) != MOX_OK)
		return false;
	bf->disp.len = 0;
	for (; start < i && msg_isfws(c->p[start]); start++)
		;
	for (; i > start && msg_isfws(c->p[i - 1]); i--)
		;
	for (; start < i; start++) {
		if (c->p[start] != '"' && c->p[start] != '\r' &&
		    c->p[start] != '\n')
			mox__buf_addc(&bf->disp, (char)c->p[start]);
	}
	return bf->disp.err == MOX_OK;
}

static void
bufs_free(struct bufs *bf)
{
	mox__buf_free(&bf->disp);
	mox__buf_free(&bf->lp);
	mox__buf_free(&bf->dom);
	mox__buf_free(&bf->tmp);
}

static int
bufs_err(const struct bufs *bf)
{
	return bf->disp.err || bf->lp.err || bf->dom.err || bf->tmp.err;
}

int
mox_msg_addrlist_parse(mox_msg_addrlist **out, const uint8_t *p, size_t len,
    unsigned int flags, size_t *err_offset)
{
	mox_msg_addrlist *l;
	struct cur c;
	struct bufs bf;
	struct group g;
	bool ingroup = false, is_group;
	unsigned int ngroups = 0;
	int rc = MOX_OK;

	if (err_offset != NULL)
		*err_offset = SIZE_MAX;
	if (out != NULL)
		*out = NULL;
	if (out == NULL || (p == NULL && len > 0))
		return MOX_EINVAL;
	if (len > 0 && memchr(p, '\0', len) != NULL) {
		if (err_offset != NULL)
			*err_offset = (size_t)((const uint8_t *)memchr(p, '\0',
			    len) - p);
		return MOX_ENUL;
	}
	l = mox__calloc(1, sizeof(*l));
	if (l == NULL)
		return MOX_ENOMEM;
	memset(&bf, 0, sizeof(bf));
	memset(&g, 0, sizeof(g));
	memset(&c, 0, sizeof(c));
	c.p = p;
	c.len = len;
	c.lenient = (flags & MOX_MSG_ADDR_LENIENT) != 0;
	c.erroff = SIZE_MAX;

	for (;;) {
		size_t start;
		int ch;

		if ((rc = skip_cfws(&c, NULL)) != MOX_OK)
			goto bad;
		ch = peek(&c);
		if (ch < 0) {
			if (ingroup) {
				if (!c.lenient) {
					rc = cerr(&c);
					goto bad;
				}
				if (!g.any && (rc = push(l, &bf, &g, c.pos,
				    MOX_MSG_ADDR_EMPTY_GROUP, flags)) != MOX_OK)
					goto fail;
			}
			break;
		}
		if (ch == ',') {
			/* obs-addr-list, obs-group-list: empty elements */
			c.pos++;
			continue;
		}
		if (ch == ';' && ingroup) {
			c.pos++;
			if (!g.any && (rc = push(l, &bf, &g, c.pos,
			    MOX_MSG_ADDR_EMPTY_GROUP, flags)) != MOX_OK)
				goto fail;
			ingroup = false;
			if ((rc = skip_cfws(&c, NULL)) != MOX_OK)
				goto bad;
			ch = peek(&c);
			if (ch >= 0 && ch != ',' && !c.lenient) {
				rc = cerr(&c);
				goto bad;
			}
			continue;
		}
		start = c.pos;
		rc = parse_mailbox(&c, &bf, !ingroup, &is_group);
		if (bufs_err(&bf)) {
			rc = MOX_ENOMEM;
			goto fail;
		}
		if (rc == MOX_OK && is_group) {
			ngroups++;
			g.index = ngroups;
			g.any = false;
			g.name = name_finish(l, &bf.tmp,
			    bf.disp.p != NULL ? bf.disp.p : "", bf.disp.len,
			    flags, &g.len);
			if (g.name == NULL) {
				rc = MOX_ENOMEM;
				goto fail;
			}
			ingroup = true;
			continue;
		}
		if (rc == MOX_OK) {
			ch = peek(&c);
			if (ch >= 0 && ch != ',' && !(ingroup && ch == ';'))
				rc = cerr(&c);
		}
		if (rc != MOX_OK) {
			size_t end;

			if (!c.lenient)
				goto bad;
			c.pos = start;
			skip_entry(&c, ingroup);
			end = c.pos;
			c.erroff = SIZE_MAX;
			if (!salvage(&c, &bf, start, end)) {
				if (bufs_err(&bf)) {
					rc = MOX_ENOMEM;
					goto fail;
				}
				l->skipped++;
				continue;
			}
		}
		if ((rc = push(l, &bf, ingroup ? &g : NULL, start,
		    MOX_MSG_ADDR_MAILBOX, flags)) != MOX_OK)
			goto fail;
		if (ingroup)
			g.any = true;
	}
	bufs_free(&bf);
	*out = l;
	return MOX_OK;
bad:
	if (err_offset != NULL)
		*err_offset = c.erroff != SIZE_MAX ? c.erroff : c.pos;
fail:
	bufs_free(&bf);
	mox_msg_addrlist_free(l);
	return rc;
}

void
mox_msg_addrlist_free(mox_msg_addrlist *l)
{
	if (l == NULL)
		return;
	mox__arena_free(&l->arena);
	mox__free(l->v);
	mox__free(l);
}

size_t
mox_msg_addrlist_count(const mox_msg_addrlist *l)
{
	return l == NULL ? 0 : l->n;
}

const mox_msg_mailbox *
mox_msg_addrlist_get(const mox_msg_addrlist *l, size_t i)
{
	if (l == NULL || i >= l->n)
		return NULL;
	return &l->v[i];
}

size_t
mox_msg_addrlist_skipped(const mox_msg_addrlist *l)
{
	return l == NULL ? 0 : l->skipped;
}

/* --- msg-id lists --- */

struct mox_msg_idlist {
	mox__arena arena;
	const char **v;
	size_t *lens;
	size_t n;
	size_t cap;
};

static int
id_push(mox_msg_idlist *l, const mox__buf *b)
{
	const char *s;

	if (b->len == 0)
		return MOX_OK;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 4;
		const char **nv;
		size_t *nl;

		nv = mox__reallocarray(l->v, ncap, sizeof(*nv));
		if (nv == NULL)
			return MOX_ENOMEM;
		l->v = nv;
		nl = mox__reallocarray(l->lens, ncap, sizeof(*nl));
		if (nl == NULL)
			return MOX_ENOMEM;
		l->lens = nl;
		l->cap = ncap;
	}
	s = mox__arena_strndup(&l->arena, b->p, b->len);
	if (s == NULL)
		return MOX_ENOMEM;
	l->v[l->n] = s;
	l->lens[l->n] = b->len;
	l->n++;
	return MOX_OK;
}

int
mox_msg_idlist_parse(mox_msg_idlist **out, const uint8_t *p, size_t len)
{
	mox_msg_idlist *l;
	mox__buf b = MOX__BUF_INIT;
	struct cur c;
	int rc = MOX_OK, ch;

	if (out != NULL)
		*out = NULL;
	if (out == NULL || (p == NULL && len > 0))
		return MOX_EINVAL;
	if (len > 0 && memchr(p, '\0', len) != NULL)
		return MOX_ENUL;
	l = mox__calloc(1, sizeof(*l));
	if (l == NULL)
		return MOX_ENOMEM;
	memset(&c, 0, sizeof(c));
	c.p = p;
	c.len = len;
	c.erroff = SIZE_MAX;
	for (;;) {
		if ((rc = skip_cfws(&c, NULL)) != MOX_OK)
			goto fail;
		ch = peek(&c);
		if (ch < 0)
			break;
		b.len = 0;
		if (ch == '<') {
			/* msg-id (3.6.4), obs-id-left/right with CFWS (4.5.4) */
			c.pos++;
			for (;;) {
				if ((rc = skip_cfws(&c, NULL)) != MOX_OK)
					goto fail;
				ch = peek(&c);
				if (ch < 0) {
					rc = MOX_ESYNTAX;
					goto fail;
				}
				if (ch == '>') {
					c.pos++;
					break;
				}
				if (ch == '"') {
					mox__buf_addc(&b, '"');
					if ((rc = take_qstring(&c, &b)) !=
					    MOX_OK)
						goto fail;
					mox__buf_addc(&b, '"');
					continue;
				}
				if (ch == '<') {
					rc = MOX_ESYNTAX;
					goto fail;
				}
				mox__buf_addc(&b, (char)ch);
				c.pos++;
			}
			if (b.err != MOX_OK) {
				rc = MOX_ENOMEM;
				goto fail;
			}
			if ((rc = id_push(l, &b)) != MOX_OK)
				goto fail;
			continue;
		}
		if (ch == '"') {
			/* obs-phrase word: skipped */
			if ((rc = take_qstring(&c, &b)) != MOX_OK)
				goto fail;
			continue;
		}
		/* A bare word: an id when it has '@' (broken mailers),
		 * else an obsolete phrase word. */
		{
			size_t s = c.pos;
			bool at = false;

			while (c.pos < c.len && !msg_isfws(c.p[c.pos]) &&
			    c.p[c.pos] != '<' && c.p[c.pos] != '(' &&
			    c.p[c.pos] != '"' && c.p[c.pos] != ',') {
				if (c.p[c.pos] == '@')
					at = true;
				c.pos++;
			}
			if (c.pos == s)
				c.pos++; /* a lone ',' */
			else if (at) {
				mox__buf_add(&b, c.p + s, c.pos - s);
				if (b.err != MOX_OK) {
					rc = MOX_ENOMEM;
					goto fail;
				}
				if ((rc = id_push(l, &b)) != MOX_OK)
					goto fail;
			}
		}
	}
	mox__buf_free(&b);
	*out = l;
	return MOX_OK;
fail:
	mox__buf_free(&b);
	mox_msg_idlist_free(l);
	return rc;
}

void
mox_msg_idlist_free(mox_msg_idlist *l)
{
	if (l == NULL)
		return;
	mox__arena_free(&l->arena);
	mox__free(l->v);
	mox__free(l->lens);
	mox__free(l);
}

size_t
mox_msg_idlist_count(const mox_msg_idlist *l)
{
	return l == NULL ? 0 : l->n;
}

const char *
mox_msg_idlist_get(const mox_msg_idlist *l, size_t i, size_t *len)
{
	if (l == NULL || i >= l->n) {
		if (len != NULL)
			*len = 0;
		return NULL;
	}
	if (len != NULL)
		*len = l->lens[i];
	return l->v[i];
}
