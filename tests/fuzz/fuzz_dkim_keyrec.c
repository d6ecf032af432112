/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dkim_keyrec.c -- the key record parser (RFC 6376 3.6.1, RFC 8463
 * 4.2), including the RSA public key parsing behind p=. Checks the
 * invariants of a parsed record; any violation calls abort().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dkim-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                         \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			    __LINE__, #cond);                                    \
			abort();                                             \
		}                                                            \
	} while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dkim_keyrec *r = NULL;
	const char *err = NULL;
	int rc;

	rc = dkim_keyrec_parse(data, size, &r, &err);
	if (rc != MOX_OK) {
		CHECK(r == NULL);
		CHECK(rc == MOX_ENOMEM || err != NULL);
		return 0;
	}
	CHECK(r->pub.revoked == (r->pub.pubkey_len == 0));
	CHECK(r->pub.key_type == MOX_DKIM_KEY_RSA ||
	    r->pub.key_type == MOX_DKIM_KEY_ED25519);
	CHECK((r->pub.hashes & ~((1u << MOX_DKIM_RSA_SHA256) |
	    (1u << MOX_DKIM_ED25519_SHA256) | (1u << MOX_DKIM_RSA_SHA1))) == 0);
	if (r->pub.key_type == MOX_DKIM_KEY_ED25519) {
		CHECK(r->pub.rsa_bits == 0);
		CHECK(r->key_ok == (r->pub.pubkey_len == 32));
	} else {
		CHECK(r->key_ok == (r->pub.rsa_bits > 0));
		CHECK(r->pub.rsa_bits % 8 == 0 && r->pub.rsa_bits <= 8192);
	}
	if (r->key_ok) {
		/* Verifying anything with it must simply say no. */
		uint8_t digest[32] = { 0 }, sig[64] = { 0 };

		CHECK(!dkim_keyrec_verify(r, r->pub.key_type ==
		    MOX_DKIM_KEY_ED25519 ? MOX_DKIM_ED25519_SHA256 :
		    MOX_DKIM_RSA_SHA256, digest, 32, sig, sizeof(sig)));
	}
	dkim_keyrec_free(r);
	return 0;
}
