/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the MIME part tree of <mox/message.h>: the input is a
 * message, parsed with the default limits and with small ones derived
 * from the input. Every tree must be consistent (offsets nested and inside
 * the message, pre-order indices, parent, child and sibling links,
 * body_size, line counts and body flags recounted here), save then load
 * must give an identical tree, every truncation of the saved data must be
 * refused, and a mutated copy must be refused or give a consistent tree.
 * Any mismatch calls abort().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mox/message.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                         \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			    __LINE__, #cond);                                    \
			abort();                                             \
		}                                                            \
	} while (0)

#define NONE SIZE_MAX
#define BODY_FLAGS                                                         \
	(MOX_MSG_PART_BODY_8BIT | MOX_MSG_PART_BODY_NUL |                   \
	    MOX_MSG_PART_BODY_BARE_LF)

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool
ctype_eq(const mox_msg_ctype *a, const mox_msg_ctype *b)
{
	size_t i, n;

	if (a == NULL || b == NULL)
		return a == b;
	if (strcmp(mox_msg_ctype_type(a), mox_msg_ctype_type(b)) != 0 ||
	    strcmp(mox_msg_ctype_subtype(a), mox_msg_ctype_subtype(b)) != 0)
		return false;
	n = mox_msg_ctype_param_count(a);
	if (n != mox_msg_ctype_param_count(b))
		return false;
	for (i = 0; i < n; i++) {
		const char *an, *av, *bn, *bv;

		CHECK(mox_msg_ctype_param(a, i, &an, &av) == MOX_OK);
		CHECK(mox_msg_ctype_param(b, i, &bn, &bv) == MOX_OK);
		if (strcmp(an, bn) != 0 || strcmp(av, bv) != 0)
			return false;
	}
	return true;
}

static void
same_tree(const mox_msg_tree *a, const mox_msg_tree *b)
{
	size_t i, n = mox_msg_tree_count(a);

	CHECK(mox_msg_tree_count(b) == n);
	for (i = 0; i < n; i++) {
		const mox_msg_part *p = mox_msg_tree_part(a, i);
		const mox_msg_part *q = mox_msg_tree_part(b, i);

		CHECK(p->index == q->index && p->parent == q->parent);
		CHECK(p->first_child == q->first_child);
		CHECK(p->next_sibling == q->next_sibling);
		CHECK(p->nchildren == q->nchildren && p->depth == q->depth);
		CHECK(p->kind == q->kind && p->flags == q->flags);
		CHECK(p->header_offset == q->header_offset);
		CHECK(p->body_offset == q->body_offset);
		CHECK(p->end_offset == q->end_offset);
		CHECK(p->body_size == q->body_size);
		CHECK(p->body_lines == q->body_lines);
		CHECK(p->header_eol == q->header_eol);
		CHECK(strcmp(p->type, q->type) == 0);
		CHECK(strcmp(p->subtype, q->subtype) == 0);
		CHECK(ctype_eq(p->ctype, q->ctype));
		CHECK(p->cte == q->cte);
		CHECK(strcmp(p->cte_name, q->cte_name) == 0);
		CHECK(ctype_eq(p->disposition, q->disposition));
		CHECK(str_eq(p->content_id, q->content_id));
		CHECK(str_eq(p->description, q->description));
		CHECK(str_eq(p->md5, q->md5));
		CHECK(str_eq(p->language, q->language));
		CHECK(str_eq(p->location, q->location));
	}
}

/* bodies: recount lines and body flags (a loaded tree trusts them). */
static void
check_tree(const mox_msg_tree *t, bool bodies, unsigned int max_depth,
    size_t max_parts)
{
	const uint8_t *m;
	size_t len, n, i, j, *sub;

	m = mox_msg_tree_message(t, &len);
	n = mox_msg_tree_count(t);
	CHECK(n >= 1);
	CHECK(max_parts == 0 || n <= max_parts);
	CHECK(mox_msg_tree_part(t, n) == NULL);
	sub = malloc(n * sizeof(*sub));
	CHECK(sub != NULL);
	for (i = n; i-- > 0;) {
		const mox_msg_part *p = mox_msg_tree_part(t, i);
		size_t c, last = NONE, k = 0;

		for (c = p->first_child; c != NONE;
		    c = mox_msg_tree_part(t, c)->next_sibling) {
			CHECK(c > i && c < n && k++ < n);
			last = c;
		}
		sub[i] = last == NONE ? i + 1 : sub[last];
	}
	CHECK(sub[0] == n);
	for (i = 0; i < n; i++) {
		const mox_msg_part *p = mox_msg_tree_part(t, i), *cp;
		size_t lines = 0, c, k = 0, prev_end, expect_next = i + 1;
		unsigned int fl = 0;

		CHECK(p->index == i);
		CHECK(p->header_offset <= p->body_offset);
		CHECK(p->body_offset <= p->end_offset);
		CHECK(p->end_offset <= len);
		CHECK(p->body_size == p->end_offset - p->body_offset);
		CHECK(p->type != NULL && p->subtype != NULL);
		CHECK(p->cte_name != NULL);
		CHECK(p->cte >= MOX_MSG_CTE_7BIT &&
		    p->cte <= MOX_MSG_CTE_OTHER);
		/* body_lines counts LF octets only (IMAP body-fld-lines as
		 * Dovecot counts them): a body without LF has none */
		CHECK(p->body_lines <= p->body_size);
		if (i == 0) {
			CHECK(p->parent == NONE && p->depth == 0);
			CHECK(p->header_offset == 0 && p->end_offset == len);
			CHECK(p->next_sibling == NONE);
		} else {
			const mox_msg_part *pp;

			CHECK(p->parent < i);
			pp = mox_msg_tree_part(t, p->parent);
			CHECK(p->depth == pp->depth + 1);
			CHECK(p->header_offset >= pp->body_offset);
			CHECK(p->end_offset <= pp->end_offset);
		}
		if (p->kind != MOX_MSG_PART_LEAF)
			CHECK(p->depth < max_depth);
		if (bodies) {
			for (j = p->body_offset; j < p->end_offset; j++) {
				if (m[j] == '\n') {
					lines++;
					if (j == 0 || m[j - 1] != '\r')
						fl |= MOX_MSG_PART_BODY_BARE_LF;
				} else if (m[j] == 0) {
					fl |= MOX_MSG_PART_BODY_NUL;
				} else if (m[j] >= 0x80) {
					fl |= MOX_MSG_PART_BODY_8BIT;
				}
			}
			CHECK(p->body_lines == lines);
			CHECK((p->flags & BODY_FLAGS) == fl);
		}
		if (p->flags & MOX_MSG_PART_NO_BODY_SEP)
			CHECK(p->body_size == 0);
		prev_end = p->body_offset;
		for (c = p->first_child; c != NONE; c = cp->next_sibling) {
			cp = mox_msg_tree_part(t, c);
			CHECK(cp->parent == i);
			CHECK(c == expect_next);
			CHECK(mox_msg_tree_child(t, p, k) == cp);
			CHECK(cp->header_offset >= prev_end);
			prev_end = cp->end_offset;
			expect_next = sub[c];
			k++;
		}
		CHECK(k == p->nchildren);
		CHECK(mox_msg_tree_child(t, p, k) == NULL);
		switch (p->kind) {
		case MOX_MSG_PART_LEAF:
			CHECK(p->nchildren == 0);
			CHECK(!(p->flags & (MOX_MSG_PART_MISSING_CLOSE |
			    MOX_MSG_PART_NO_PARTS)));
			break;
		case MOX_MSG_PART_MESSAGE:
			cp = mox_msg_tree_child(t, p, 0);
			CHECK(p->nchildren == 1 && cp != NULL);
			CHECK(cp->header_offset == p->body_offset);
			CHECK(cp->end_offset == p->end_offset);
			CHECK(strcmp(p->type, "message") == 0);
			break;
		case MOX_MSG_PART_MULTIPART:
			CHECK((p->nchildren == 0) ==
			    ((p->flags & MOX_MSG_PART_NO_PARTS) != 0));
			CHECK(strcmp(p->type, "multipart") == 0);
			break;
		default:
			CHECK(0);
		}
	}
	free(sub);
}

static void
run(const uint8_t *data, size_t size, const mox_msg_tree_options *o)
{
	mox_msg_tree *t = NULL, *t2 = NULL;
	uint8_t *d = NULL, *d2 = NULL, *c;
	size_t dl = 0, dl2 = 0, i;
	int rc;

	rc = mox_msg_tree_parse(&t, data, size, o);
	CHECK(rc == MOX_OK && t != NULL);
	check_tree(t, true, o->max_depth, o->max_parts);
	CHECK(mox_msg_tree_save(&d, &dl, t) == MOX_OK);
	CHECK(dl >= 7 && d[0] == 1);
	/* about 10 octets per part for small messages */
	CHECK(dl <= 11 + 60 * mox_msg_tree_count(t));
	CHECK(mox_msg_tree_load(&t2, data, size, d, dl, o) == MOX_OK);
	same_tree(t, t2);
	CHECK(mox_msg_tree_save(&d2, &dl2, t2) == MOX_OK);
	CHECK(dl == dl2 && memcmp(d, d2, dl) == 0);
	mox_msg_tree_free(t2);
	mox_msg_free(d2);

	/* truncations: at most 16 of them, spread over the data */
	for (i = 0; i < dl; i += dl / 16 + 1) {
		t2 = (mox_msg_tree *)1;
		rc = mox_msg_tree_load(&t2, data, size, d, i, o);
		CHECK(rc == MOX_ESYNTAX && t2 == NULL);
	}
	/* a few mutations chosen by the input */
	c = malloc(dl);
	CHECK(c != NULL);
	for (i = 0; i < 4 && size > 0; i++) {
		size_t at = (data[(i * 7) % size] * 31u + i * 13u) % dl;
		uint8_t x = (uint8_t)(data[(i * 11 + 3) % size] | 1);

		memcpy(c, d, dl);
		c[at] ^= x;
		rc = mox_msg_tree_load(&t2, data, size, c, dl, o);
		if (rc == MOX_OK) {
			check_tree(t2, false, o->max_depth, o->max_parts);
			mox_msg_tree_free(t2);
		} else {
			CHECK(rc == MOX_ESYNTAX || rc == MOX_EVERSION);
			CHECK(t2 == NULL);
		}
	}
	free(c);
	mox_msg_free(d);
	mox_msg_tree_free(t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mox_msg_tree_options o = MOX_MSG_TREE_OPTIONS_INIT;
	size_t h = 0, i;

	run(data, size, &o);
	/* small limits, so that truncation happens */
	for (i = 0; i < size; i++)
		h = h * 31 + data[i];
	o.max_depth = (unsigned int)(h % 5);
	o.max_parts = (h >> 8) % 9 + 1;
	o.header.max_fields = (h >> 16) % 6 + 1;
	o.header.max_header_size = (h >> 20) % 200 + 20;
	run(data, size, &o);
	return 0;
}
