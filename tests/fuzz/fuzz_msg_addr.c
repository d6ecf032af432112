/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the structured-field parsers of <mox/message.h>: the
 * input goes to the address list parser (strict and lenient; whatever
 * strict accepts, lenient must accept the same way), the RFC 2047
 * decoder (output must be valid UTF-8), the date parser and the msg-id
 * list parser. Any mismatch calls abort().
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
utf8_ok(const uint8_t *p, size_t n)
{
	size_t i = 0, k;

	while (i < n) {
		uint8_t c = p[i];
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			k = 1, cp = c & 0x1F;
		else if (c >= 0xE0 && c <= 0xEF)
			k = 2, cp = c & 0x0F;
		else if (c >= 0xF0 && c <= 0xF4)
			k = 3, cp = c & 0x07;
		else
			return false;
		for (size_t j = 1; j <= k; j++) {
			if (i + j >= n || (p[i + j] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (p[i + j] & 0x3F);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += k + 1;
	}
	return true;
}

static void
check_list(const mox_msg_addrlist *l)
{
	size_t i, n = mox_msg_addrlist_count(l);

	for (i = 0; i < n; i++) {
		const mox_msg_mailbox *m = mox_msg_addrlist_get(l, i);

		CHECK(m != NULL);
		CHECK(strlen(m->display_name) == m->display_name_len);
		CHECK(utf8_ok((const uint8_t *)m->display_name,
		    m->display_name_len));
		CHECK(strlen(m->localpart) == m->localpart_len);
		CHECK(strlen(m->domain) == m->domain_len);
		CHECK((m->group == NULL) == (m->group_index == 0));
		if (m->group != NULL)
			CHECK(strlen(m->group) == m->group_len);
		if (m->kind == MOX_MSG_ADDR_MAILBOX)
			CHECK(m->domain_len > 0);
		else
			CHECK(m->group != NULL);
		CHECK((m->domain_ascii == NULL) == (m->domain_unicode == NULL));
	}
	CHECK(mox_msg_addrlist_get(l, n) == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mox_msg_addrlist *strict = NULL, *lenient = NULL;
	mox_msg_idlist *ids = NULL;
	mox_msg_date d = MOX_MSG_DATE_INIT;
	size_t off, i, dlen;
	char *dec = NULL;
	int rs, rl;

	rs = mox_msg_addrlist_parse(&strict, data, size, 0, &off);
	CHECK(rs == MOX_OK || rs == MOX_ESYNTAX || rs == MOX_ENUL);
	CHECK((rs == MOX_OK) == (strict != NULL));
	if (rs != MOX_OK)
		CHECK(off <= size);
	rl = mox_msg_addrlist_parse(&lenient, data, size,
	    MOX_MSG_ADDR_LENIENT, NULL);
	CHECK(rl == MOX_OK || rl == MOX_ENUL);
	if (rs == MOX_OK) {
		CHECK(rl == MOX_OK);
		check_list(strict);
		CHECK(mox_msg_addrlist_count(strict) ==
		    mox_msg_addrlist_count(lenient));
		CHECK(mox_msg_addrlist_skipped(lenient) == 0);
		for (i = 0; i < mox_msg_addrlist_count(strict); i++) {
			const mox_msg_mailbox *a, *b;

			a = mox_msg_addrlist_get(strict, i);
			b = mox_msg_addrlist_get(lenient, i);
			CHECK(strcmp(a->localpart, b->localpart) == 0);
			CHECK(strcmp(a->domain, b->domain) == 0);
			CHECK(strcmp(a->display_name, b->display_name) == 0);
		}
	}
	if (rl == MOX_OK)
		check_list(lenient);
	mox_msg_addrlist_free(strict);
	mox_msg_addrlist_free(lenient);

	CHECK(mox_msg_decode_2047(&dec, &dlen, data, size) == MOX_OK);
	CHECK(utf8_ok((const uint8_t *)dec, dlen));
	mox_msg_free(dec);

	rs = mox_msg_date_parse(&d, data, size);
	CHECK(rs == MOX_OK || rs == MOX_ESYNTAX || rs == MOX_ERANGE);
	if (rs == MOX_OK)
		CHECK(d.zone_minutes > -6000 && d.zone_minutes < 6000);

	rs = mox_msg_idlist_parse(&ids, data, size);
	CHECK(rs == MOX_OK || rs == MOX_ESYNTAX || rs == MOX_ENUL);
	for (i = 0; i < mox_msg_idlist_count(ids); i++) {
		const char *s = mox_msg_idlist_get(ids, i, &dlen);

		CHECK(s != NULL && dlen > 0 && strlen(s) == dlen);
	}
	mox_msg_idlist_free(ids);
	return 0;
}
