/* SPDX-License-Identifier: MIT */
/*
 * fuzz_spf_macro.c -- SPF macro-strings (RFC 7208 7) against a fixed
 * request. The first octet picks the mode (domain-spec, unknown-modifier
 * value, explanation) and the client family; the rest is the string. A
 * string that compiles is expanded into a bounded buffer, as an
 * explanation (error past the end) and as a name (keeping a window of the
 * tail), and the target name made from it must be a valid DNS name of
 * at most 253 octets.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spf-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mox__arena a = MOX__ARENA_INIT;
	struct spf_macro_ctx c;
	struct spf_macro m;
	struct spf_out o;
	char buf[1024], name[MOX_DOMAIN_MAX + 1], esc[4 * MOX_DOMAIN_MAX + 1];
	const char *err = NULL;
	size_t off = 0, len, i, label;
	int mode, rc;

	if (size < 1)
		return 0;
	mode = data[0] % 3;
	memset(&c, 0, sizeof(c));
	c.s = "~strong-bad+x@email.example.com";
	c.slen = strlen(c.s);
	c.l = "~strong-bad+x";
	c.llen = strlen(c.l);
	c.o = c.d = "email.example.com";
	c.olen = c.dlen = strlen(c.d);
	c.h = "Helo Name\x01\xc3\xa9";
	c.hlen = strlen(c.h);
	c.p = "mx.example.org";
	c.plen = strlen(c.p);
	c.r = (data[0] & 8) != 0 ? "rcv.example" : NULL;
	c.rlen = c.r != NULL ? strlen(c.r) : 0;
	c.t = 1400000000;
	if ((data[0] & 4) != 0)
		mox_ip_parse(&c.ip, "2001:db8::cb01", 14);
	else
		mox_ip_parse(&c.ip, "192.0.2.3", 9);

	rc = spf__macro_compile(&a, &m, (const char *)data + 1, size - 1, mode,
	    &err, &off);
	if (rc != MOX_OK) {
		if (rc != MOX_ESYNTAX || err == NULL || off > size - 1)
			abort();
		mox__arena_free(&a);
		return 0;
	}
	memset(&o, 0, sizeof(o));
	o.p = buf;
	o.cap = sizeof(buf);
	rc = spf__macro_expand(&m, &c, &o);
	if ((rc != MOX_OK && rc != MOX_ETOOLONG) || o.len > o.cap ||
	    o.total > SPF_EXPAND_MAX)
		abort();

	memset(&o, 0, sizeof(o));
	o.p = buf;
	o.cap = sizeof(buf);
	o.window = true;
	rc = spf__macro_expand(&m, &c, &o);
	if (rc != MOX_OK && rc != MOX_ETOOLONG)
		abort();
	if (rc == MOX_OK && spf__target_name(&o, 253, name, &len)) {
		if (len == 0 || len > 253 || strlen(name) > len)
			abort();
		for (i = 0, label = 0; i <= len; i++) {
			if (i == len || name[i] == '.') {
				if (label == 0 || label > 63)
					abort();
				label = 0;
			} else {
				label++;
			}
		}
		if (spf__name_escape(esc, name, len) > 4 * len)
			abort();
	}
	mox__arena_free(&a);
	return 0;
}
