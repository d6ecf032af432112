/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the MIME header field parsers of <mox/message.h>: the
 * input goes to mox_msg_ctype_parse() in every flag combination and to
 * mox_msg_cte_parse(). Every type, subtype, parameter name and value must
 * be NUL-terminated valid UTF-8 without NUL inside, and lookups by name
 * must find a value. Any mismatch calls abort().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mox/message.h>

#include "base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                         \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			    __LINE__, #cond);                                    \
			abort();                                             \
		}                                                            \
	} while (0)

static void
check_str(const char *s)
{
	CHECK(s != NULL);
	CHECK(mox__utf8_valid((const uint8_t *)s, strlen(s)));
}

static void
walk(const uint8_t *data, size_t size, unsigned int flags)
{
	mox_msg_ctype *ct = NULL;
	size_t i, n;
	int rc;

	rc = mox_msg_ctype_parse(&ct, data, size, flags);
	if (rc != MOX_OK) {
		CHECK(ct == NULL);
		CHECK(rc == MOX_ESYNTAX || rc == MOX_ENUL ||
		    rc == MOX_ELIMIT || rc == MOX_ENOMEM);
		return;
	}
	CHECK(ct != NULL);
	check_str(mox_msg_ctype_type(ct));
	CHECK(mox_msg_ctype_type(ct)[0] != '\0');
	check_str(mox_msg_ctype_subtype(ct));
	CHECK((flags & MOX_MSG_CTYPE_DISPOSITION) ?
	    mox_msg_ctype_subtype(ct)[0] == '\0' :
	    mox_msg_ctype_subtype(ct)[0] != '\0');
	n = mox_msg_ctype_param_count(ct);
	CHECK(n <= MOX_MSG_CTYPE_MAX_PARAMS);
	for (i = 0; i < n; i++) {
		const char *name, *value;

		CHECK(mox_msg_ctype_param(ct, i, &name, &value) == MOX_OK);
		check_str(name);
		check_str(value);
		CHECK(name[0] != '\0');
		/* first wins: lookup gives this value for a first name */
		CHECK(mox_msg_ctype_get(ct, name) == value);
	}
	CHECK(mox_msg_ctype_param(ct, n, NULL, NULL) == MOX_ENOTFOUND);
	mox_msg_ctype_free(ct);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int cte;

	walk(data, size, 0);
	walk(data, size, MOX_MSG_CTYPE_STRICT);
	walk(data, size, MOX_MSG_CTYPE_DISPOSITION);
	walk(data, size, MOX_MSG_CTYPE_DISPOSITION | MOX_MSG_CTYPE_STRICT);
	cte = mox_msg_cte_parse(data, size);
	CHECK(cte >= MOX_MSG_CTE_7BIT && cte <= MOX_MSG_CTE_OTHER);
	return 0;
}
