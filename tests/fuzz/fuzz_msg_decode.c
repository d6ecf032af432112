/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the body decoders of <mox/message.h>. The first input
 * octet selects the Content-Transfer-Encoding (modulo the number of
 * values) and the chunking; the rest is the encoded body. The body is
 * decoded in one call, streamed in chunks whose sizes come from the input,
 * and streamed one octet at a time: the three outputs and error bits must
 * be equal, every update() must fit in in_len + MOX_MSG_DECODE_SLACK (each
 * gets a heap buffer of exactly that size, so ASan sees an overflow), the
 * total must fit the documented bound, and only the encoding's own error
 * bits may be set. Any mismatch calls abort().
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
			fprintf(stderr, "%s:%d: check failed: %s\n",        \
			    __FILE__, __LINE__, #cond);                  \
			abort();                                             \
		}                                                            \
	} while (0)

struct out {
	uint8_t *p;
	size_t len;
};

static void
add(struct out *o, mox_msg_decoder *d, const uint8_t *in, size_t n)
{
	uint8_t *buf = malloc(n + MOX_MSG_DECODE_SLACK);
	size_t got = SIZE_MAX;

	CHECK(buf != NULL);
	CHECK(mox_msg_decoder_update(d, buf, &got, in, n) == MOX_OK);
	CHECK(got <= n + MOX_MSG_DECODE_SLACK);
	memcpy(o->p + o->len, buf, got);
	o->len += got;
	free(buf);
}

static void
finish(struct out *o, mox_msg_decoder *d)
{
	uint8_t *buf = malloc(MOX_MSG_DECODE_SLACK);
	size_t got = SIZE_MAX;

	CHECK(buf != NULL);
	CHECK(mox_msg_decoder_final(d, buf, &got) == MOX_OK);
	CHECK(got <= MOX_MSG_DECODE_SLACK);
	memcpy(o->p + o->len, buf, got);
	o->len += got;
	/* finished: more input is refused */
	CHECK(mox_msg_decoder_final(d, buf, &got) == MOX_EINVAL);
	free(buf);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mox_msg_decoder d;
	struct out st, bytes;
	uint8_t *one = NULL;
	size_t len, one_len, i, pos, bound;
	unsigned int err, allowed;
	unsigned int sel;
	int cte;

	if (size == 0)
		return 0;
	sel = data[0];
	cte = (int)(sel % 6);
	data++;
	len = size - 1;

	CHECK(mox_msg_decode(&one, &one_len, &err, cte, data, len) == MOX_OK);
	CHECK(one != NULL);
	CHECK(one[one_len] == '\0');
	bound = cte == MOX_MSG_CTE_BASE64 ? len / 4 * 3 + 2 : len;
	CHECK(one_len <= bound);
	switch (cte) {
	case MOX_MSG_CTE_BASE64:
		allowed = MOX_MSG_DECODE_BAD_CHAR | MOX_MSG_DECODE_BAD_PADDING;
		break;
	case MOX_MSG_CTE_QUOTED_PRINTABLE:
		allowed = MOX_MSG_DECODE_BAD_ESCAPE | MOX_MSG_DECODE_LONG_LINE;
		break;
	default:
		allowed = 0;
		CHECK(one_len == len);
		CHECK(len == 0 || memcmp(one, data, len) == 0);
		break;
	}
	CHECK((err & ~allowed) == 0);

	/* Chunks: sizes from the input itself, 0 (empty updates) included;
	 * the selector's high bits scale them. */
	st.p = malloc(len + MOX_MSG_DECODE_SLACK + 1);
	CHECK(st.p != NULL);
	st.len = 0;
	CHECK(mox_msg_decoder_init(&d, cte) == MOX_OK);
	for (pos = 0, i = 0; pos < len; i++) {
		size_t n = data[i % len] >> (sel >> 6);

		if (n > len - pos)
			n = len - pos;
		add(&st, &d, data + pos, n);
		pos += n;
		if (i > 4 * len + 16)
			break;  /* many empty chunks: finish in one */
	}
	add(&st, &d, data + pos, len - pos);
	finish(&st, &d);
	CHECK(mox_msg_decoder_errors(&d) == err);
	CHECK(st.len == one_len);
	CHECK(one_len == 0 || memcmp(st.p, one, one_len) == 0);

	bytes.p = malloc(len + MOX_MSG_DECODE_SLACK + 1);
	CHECK(bytes.p != NULL);
	bytes.len = 0;
	CHECK(mox_msg_decoder_init(&d, cte) == MOX_OK);
	for (pos = 0; pos < len; pos++)
		add(&bytes, &d, data + pos, 1);
	finish(&bytes, &d);
	CHECK(mox_msg_decoder_errors(&d) == err);
	CHECK(bytes.len == one_len);
	CHECK(one_len == 0 || memcmp(bytes.p, one, one_len) == 0);

	free(st.p);
	free(bytes.p);
	mox_msg_free(one);
	return 0;
}
