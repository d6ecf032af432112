/* SPDX-License-Identifier: MIT */
/*
 * helpers.h -- shared by the libmoxdkim unit tests: reading data files,
 * static resolvers from zone text, verifying a message with it, keys.
 * Static functions only; each test includes it once.
 */
#ifndef DKIM_TEST_HELPERS_H
#define DKIM_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <mox/dkim.h>
#include <mox/dns.h>

#ifndef DKIM_DATA_DIR
#define DKIM_DATA_DIR "tests/unit/dkim/data"
#endif

#define U(s) ((const uint8_t *)(s))

/* Read a file; NULL when it is not there. */
static inline uint8_t *
read_path(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	*len = 0;
	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = 0;
	*len = (size_t)n;
	return buf;
}

static inline uint8_t *
read_data(const char *name, size_t *len)
{
	char path[1024];
	uint8_t *p;

	snprintf(path, sizeof(path), "%s/%s", DKIM_DATA_DIR, name);
	p = read_path(path, len);
	if (p == NULL)
		fail_msg("cannot read %s", path);
	return p;
}

static inline mox_resolver *
zone_resolver(const char *text)
{
	mox_resolver *r = NULL;
	int rc;

	assert_int_equal(mox_resolver_new_static(&r), MOX_OK);
	rc = mox_resolver_static_load(r, text, strlen(text), NULL);
	if (rc != MOX_OK)
		fail_msg("zone: %s", mox_resolver_errmsg(r));
	return r;
}

static inline mox_resolver *
zone_file_resolver(const char *name)
{
	size_t len;
	uint8_t *z = read_data(name, &len);
	mox_resolver *r = zone_resolver((const char *)z);

	free(z);
	return r;
}

/* Verify msg; results in res (up to max), returns the count. */
static inline size_t
verify_msg(mox_resolver *r, const mox_dkim_verify_options *o,
    const uint8_t *msg, size_t len, mox_dkim_result *res, size_t max)
{
	mox_dkim_result *out = NULL;
	size_t n = 0, i;

	assert_int_equal(mox_dkim_verify(&out, &n, r, o, msg, len), MOX_OK);
	for (i = 0; i < n; i++) {
		if (i < max)
			res[i] = out[i];
		else
			mox_dkim_result_release(&out[i]);
	}
	mox_dkim_free(out);
	return n;
}

static inline void
release_all(mox_dkim_result *res, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		mox_dkim_result_release(&res[i]);
}

/* Verdict of the only signature of msg. */
static inline int
verify_one(mox_resolver *r, const mox_dkim_verify_options *o,
    const uint8_t *msg, size_t len, char *reason, size_t rcap)
{
	mox_dkim_result res[4];
	size_t n;
	int v;

	n = verify_msg(r, o, msg, len, res, 4);
	if (n != 1) {
		release_all(res, n < 4 ? n : 4);
		fail_msg("%zu signatures, want 1", n);
	}
	v = res[0].verdict;
	if (reason != NULL)
		snprintf(reason, rcap, "%s", res[0].reason ? res[0].reason : "");
	mox_dkim_result_release(&res[0]);
	return v;
}

static inline mox_dkim_key *
load_key(const char *name)
{
	size_t len;
	uint8_t *pem = read_data(name, &len);
	mox_dkim_key *k = NULL;
	int rc = mox_dkim_key_from_pem(&k, pem, len);

	free(pem);
	if (rc != MOX_OK)
		fail_msg("key %s: %d", name, rc);
	return k;
}

/* A whole message: signature field + msg. */
static inline uint8_t *
concat(const char *a, size_t alen, const uint8_t *b, size_t blen,
    size_t *len)
{
	uint8_t *p = malloc(alen + blen + 1);

	assert_non_null(p);
	memcpy(p, a, alen);
	memcpy(p + alen, b, blen);
	p[alen + blen] = 0;
	*len = alen + blen;
	return p;
}

#endif
