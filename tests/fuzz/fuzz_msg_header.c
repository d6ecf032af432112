/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the header scanner of <mox/message.h>: iterate every
 * field, check the slices lie inside the input and fit together, unfold
 * each value (measuring and writing must agree), decode RFC 2047, and
 * compare mox_msg_header_scan() with the iteration. Any mismatch calls
 * abort().
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

static bool
inside(mox_slice s, const uint8_t *p, size_t n)
{
	return s.len == 0 || (s.ptr >= p && s.len <= n &&
	    (size_t)(s.ptr - p) <= n - s.len);
}

static void
run(const uint8_t *data, size_t size, const mox_msg_options *o)
{
	mox_msg_iter it;
	mox_msg_field f = MOX_MSG_FIELD_INIT;
	mox_msg_header h = MOX_MSG_HEADER_INIT;
	size_t n = 0, nbad = 0, nnul = 0, prev_end = 0, need, got;
	int rc, hrc;
	char small[16];

	CHECK(mox_msg_iter_init(&it, data, size, o) == MOX_OK);
	for (;;) {
		rc = mox_msg_iter_next(&it, &f);
		if (rc == MOX_ENOTFOUND || rc == MOX_ELIMIT)
			break;
		CHECK(rc == MOX_OK || rc == MOX_ESYNTAX || rc == MOX_ENUL);
		n++;
		nbad += rc == MOX_ESYNTAX;
		nnul += (f.flags & MOX_MSG_FIELD_NUL) != 0;
		CHECK(inside(f.raw, data, size));
		CHECK(inside(f.value, data, size));
		CHECK(f.raw.ptr == data + f.offset);
		CHECK(f.offset == prev_end);
		prev_end = f.offset + f.raw.len;
		CHECK(f.raw.len > 0);
		CHECK(f.value.ptr >= f.raw.ptr &&
		    f.value.ptr + f.value.len <= f.raw.ptr + f.raw.len);
		CHECK(((f.flags & MOX_MSG_FIELD_NUL) != 0) ==
		    (memchr(f.raw.ptr, 0, f.raw.len) != NULL));
		if (rc == MOX_OK) {
			CHECK(f.name.len > 0 && f.name.ptr == f.raw.ptr);
			CHECK(mox_msg_field_is(&f, "x") == (f.name.len == 1 &&
			    (f.name.ptr[0] | 0x20) == 'x'));
		}
		if (!(f.flags & MOX_MSG_FIELD_NO_EOL))
			CHECK(f.raw.ptr[f.raw.len - 1] == '\n');
		need = mox_msg_unfold(NULL, 0, f.value.ptr, f.value.len);
		CHECK(need <= f.value.len);
		{
			char *buf = malloc(need + 1);

			CHECK(buf != NULL);
			got = mox_msg_unfold(buf, need + 1, f.value.ptr,
			    f.value.len);
			CHECK(got == need && buf[need] == '\0');
			CHECK(memchr(buf, '\n', need) == NULL);
			got = mox_msg_unfold(small, sizeof(small),
			    f.value.ptr, f.value.len);
			CHECK(got == need);
			CHECK(memcmp(small, buf, need < sizeof(small) ? need :
			    sizeof(small) - 1) == 0);
			if (need < 2048) {
				char *dec = NULL;
				size_t dlen = 0;

				CHECK(mox_msg_decode_2047(&dec, &dlen,
				    (const uint8_t *)buf, need) == MOX_OK);
				CHECK(dec != NULL && strlen(dec) <= dlen);
				mox_msg_free(dec);
			}
			free(buf);
		}
	}
	CHECK(mox_msg_iter_next(&it, &f) == rc);
	hrc = mox_msg_header_scan(&h, data, size, o);
	CHECK(hrc == (rc == MOX_ELIMIT ? MOX_ELIMIT : MOX_OK));
	CHECK(h.nfields == n && h.nmalformed == nbad && h.nnul == nnul);
	if (hrc == MOX_OK) {
		CHECK(h.body_offset == mox_msg_iter_offset(&it));
		CHECK(h.header_len == prev_end);
		CHECK(h.body_offset <= size && h.header_len <= h.body_offset);
		CHECK(h.has_separator == (h.body_offset != h.header_len));
		CHECK(h.eol == mox_msg_iter_eol(&it));
	} else {
		CHECK(h.err_offset <= size);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mox_msg_options o = MOX_MSG_OPTIONS_INIT;

	run(data, size, NULL);
	o.max_header_size = 200;
	o.max_fields = 5;
	o.max_line_length = 40;
	run(data, size, &o);
	return 0;
}
