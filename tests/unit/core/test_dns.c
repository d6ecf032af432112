/* SPDX-License-Identifier: MIT */
/*
 * test_dns.c -- the resolver core: names, answers, DNS wire format, and the
 * query/process/cancel contract, driven through a custom backend.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <poll.h>
#include <pthread.h>

#include "dns-int.h"

/* --- names --- */

static void
qname_check(void **state)
{
	char out[MOX_DOMAIN_MAX + 1];
	char longlabel[65], longname[300];

	(void)state;
	assert_int_equal(core_qname_check(out, sizeof(out), "Example.COM."),
	    MOX_OK);
	assert_string_equal(out, "Example.COM");
	assert_int_equal(core_qname_check(out, sizeof(out), "."), MOX_OK);
	assert_string_equal(out, "");
	assert_int_equal(core_qname_check(out, sizeof(out), ""), MOX_EEMPTY);
	assert_int_equal(core_qname_check(out, sizeof(out), "a..b"),
	    MOX_EEMPTY);
	assert_int_equal(core_qname_check(out, sizeof(out), ".a"), MOX_EEMPTY);
	assert_int_equal(core_qname_check(out, sizeof(out), "a\tb"), MOX_EINVAL);
	/* a space is a valid octet of a label (RFC 2181 11) */
	assert_int_equal(core_qname_check(out, sizeof(out), "a b"), MOX_OK);
	assert_int_equal(core_qname_check(out, sizeof(out), "a\\.b"),
	    MOX_EINVAL);
	assert_int_equal(core_qname_check(out, sizeof(out), "\xc3\xa9.com"),
	    MOX_EINVAL);
	assert_int_equal(core_qname_check(out, sizeof(out), NULL), MOX_EINVAL);
	memset(longlabel, 'a', 64);
	longlabel[64] = '\0';
	assert_int_equal(core_qname_check(out, sizeof(out), longlabel),
	    MOX_ETOOLONG);
	longlabel[63] = '\0';
	assert_int_equal(core_qname_check(out, sizeof(out), longlabel), MOX_OK);
	/* 4 * 63 + 3 dots = 255 > 253 */
	snprintf(longname, sizeof(longname), "%s.%s.%s.%s", longlabel,
	    longlabel, longlabel, longlabel);
	assert_int_equal(core_qname_check(out, sizeof(out), longname),
	    MOX_ETOOLONG);
	longname[253] = '\0';
	if (longname[252] == '.')
		longname[252] = 'a';
	assert_int_equal(core_qname_check(out, sizeof(out), longname), MOX_OK);
	assert_int_equal(core_qname_check(out, 4, "abcd"), MOX_EBUFS);
}

static void
name_wire_roundtrip(void **state)
{
	uint8_t w[CORE_NAME_WIRE_MAX], origin[CORE_NAME_WIRE_MAX];
	size_t wl, ol;
	char text[1100];
	mox__sbuf sb;

	(void)state;
	assert_int_equal(core_name_to_wire(origin, &ol, "example.org.", 12,
	    NULL, 0), MOX_OK);
	assert_int_equal(ol, 13);
	assert_memory_equal(origin, "\007example\003org\000", 13);

	/* relative name gets the origin */
	assert_int_equal(core_name_to_wire(w, &wl, "www", 3, origin, ol),
	    MOX_OK);
	assert_int_equal(wl, 17);
	assert_memory_equal(w, "\003www\007example\003org\000", 17);
	/* @ is the origin */
	assert_int_equal(core_name_to_wire(w, &wl, "@", 1, origin, ol), MOX_OK);
	assert_memory_equal(w, origin, ol);
	/* escapes: \. inside a label, \065 is 'A', \032 is space */
	assert_int_equal(core_name_to_wire(w, &wl, "a\\.b\\065\\032.c.", 15,
	    NULL, 0), MOX_OK);
	assert_int_equal(wl, 9);
	assert_memory_equal(w, "\005a.bA \001c\000", 9);
	mox__sbuf_init(&sb, text, sizeof(text));
	core_name_wire_to_text(&sb, w, wl);
	assert_string_equal(text, "a\\.bA\\032.c");
	/* the root */
	assert_int_equal(core_name_to_wire(w, &wl, ".", 1, NULL, 0), MOX_OK);
	assert_int_equal(wl, 1);
	mox__sbuf_init(&sb, text, sizeof(text));
	core_name_wire_to_text(&sb, w, wl);
	assert_string_equal(text, "");

	assert_int_equal(core_name_to_wire(w, &wl, "a..b", 4, NULL, 0),
	    MOX_EEMPTY);
	assert_int_equal(core_name_to_wire(w, &wl, "", 0, NULL, 0), MOX_EEMPTY);
	assert_int_equal(core_name_to_wire(w, &wl, "a\\", 2, NULL, 0),
	    MOX_ESYNTAX);
	assert_int_equal(core_name_to_wire(w, &wl, "a\\25", 4, NULL, 0),
	    MOX_ESYNTAX);
	assert_int_equal(core_name_to_wire(w, &wl, "a\\256", 5, NULL, 0),
	    MOX_ESYNTAX);
	{
		char lab[70];

		memset(lab, 'x', 64);
		assert_int_equal(core_name_to_wire(w, &wl, lab, 64, NULL, 0),
		    MOX_ETOOLONG);
		assert_int_equal(core_name_to_wire(w, &wl, lab, 63, NULL, 0),
		    MOX_OK);
	}
	{
		/* 128 labels "a." = 256 bytes of text: too long on the wire */
		char many[300];

		for (int i = 0; i < 128; i++) {
			many[2 * i] = 'a';
			many[2 * i + 1] = '.';
		}
		assert_int_equal(core_name_to_wire(w, &wl, many, 256, NULL, 0),
		    MOX_ETOOLONG);
		/* 127 labels: 254 wire bytes + root = 255: fits */
		assert_int_equal(core_name_to_wire(w, &wl, many, 254, NULL, 0),
		    MOX_OK);
		assert_int_equal(wl, 255);
	}
	assert_int_equal(core_name_wire_len((const uint8_t *)"\001a\000", 3),
	    3);
	assert_int_equal(core_name_wire_len((const uint8_t *)"\002a\000", 3),
	    0);
	assert_int_equal(core_name_wire_len((const uint8_t *)"\100", 1), 0);
}

/* --- a tiny DNS message builder for the tests --- */

struct msg {
	uint8_t b[4096];
	size_t n;
};

static void
put(struct msg *m, const void *p, size_t n)
{
	assert_true(m->n + n <= sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void
put16(struct msg *m, unsigned int v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	put(m, b, 2);
}

static void
put32(struct msg *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

static void
putname(struct msg *m, const char *name)
{
	uint8_t w[CORE_NAME_WIRE_MAX];
	size_t wl;

	assert_int_equal(core_name_to_wire(w, &wl, name, strlen(name), NULL,
	    0), MOX_OK);
	put(m, w, wl);
}

static void
header(struct msg *m, int rcode, int an, int ns)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, 0x8180 | (unsigned int)rcode);
	put16(m, 1);
	put16(m, (unsigned int)an);
	put16(m, (unsigned int)ns);
	put16(m, 0);
}

static void
question(struct msg *m, const char *name, unsigned int type)
{
	putname(m, name);
	put16(m, type);
	put16(m, 1);
}

/* RR header with a raw owner (already-encoded bytes) */
static void
rrhead_raw(struct msg *m, const void *owner, size_t ol, unsigned int type,
    uint32_t ttl, size_t rdlen)
{
	put(m, owner, ol);
	put16(m, type);
	put16(m, 1);
	put32(m, ttl);
	put16(m, (unsigned int)rdlen);
}

static void
wire_cname_chain_compressed(void **state)
{
	struct msg m;
	mox_dns_answer *a;
	const mox_dns_rr *rr;
	/* question name at offset 12: "www.example.org" */
	const uint8_t ptr_q[2] = { 0xc0, 12 };

	(void)state;
	header(&m, 0, 3, 0);
	question(&m, "www.example.org", MOX_DNS_A);
	/* www CNAME web.example.org, compressed: "web" + ptr to example.org
	 * (offset 12 + 4) */
	rrhead_raw(&m, ptr_q, 2, MOX_DNS_CNAME, 300, 6);
	put(&m, "\003web\xc0\x10", 6);
	/* owner of next is the CNAME's target at offset of "\003web" */
	{
		uint8_t ptr_web[2] = { 0xc0,
			(uint8_t)(m.n - 6) };

		rrhead_raw(&m, ptr_web, 2, MOX_DNS_CNAME, 200, 7);
		put(&m, "\004host\xc0\x10", 7);
	}
	{
		uint8_t ptr_host[2] = { 0xc0, (uint8_t)(m.n - 7) };

		rrhead_raw(&m, ptr_host, 2, MOX_DNS_A, 100, 4);
		put(&m, "\xc0\x00\x02\x01", 4);
	}
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, true), MOX_OK);
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_OK);
	assert_int_equal(mox_dns_answer_rcode(a), 0);
	assert_true(mox_dns_answer_secure(a));
	assert_string_equal(mox_dns_answer_qname(a), "www.example.org");
	assert_int_equal(mox_dns_answer_cname_count(a), 2);
	assert_string_equal(mox_dns_answer_cname(a, 0), "web.example.org");
	assert_string_equal(mox_dns_answer_cname(a, 1), "host.example.org");
	assert_null(mox_dns_answer_cname(a, 2));
	assert_string_equal(mox_dns_answer_canonname(a), "host.example.org");
	assert_int_equal(mox_dns_answer_count(a), 1);
	rr = mox_dns_answer_rr(a, 0);
	assert_non_null(rr);
	assert_string_equal(rr->name, "host.example.org");
	assert_int_equal(rr->ip.family, 4);
	assert_memory_equal(rr->ip.addr, "\xc0\x00\x02\x01", 4);
	assert_int_equal(mox_dns_answer_ttl(a), 100);
	assert_null(mox_dns_answer_rr(a, 1));
	mox_dns_answer_free(a);
}

static void
wire_txt_mx_srv_tlsa(void **state)
{
	struct msg m;
	mox_dns_answer *a;
	const mox_dns_rr *rr;
	const uint8_t ptr_q[2] = { 0xc0, 12 };

	(void)state;
	/* TXT with three strings, one empty */
	header(&m, 0, 1, 0);
	question(&m, "example.org", MOX_DNS_TXT);
	rrhead_raw(&m, ptr_q, 2, MOX_DNS_TXT, 60, 13);
	put(&m, "\007v=spf1 \000\003-al", 13);
	/* fix: the last string's length says 3 but we put "-al"; fine */
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, false), MOX_OK);
	rr = mox_dns_answer_rr(a, 0);
	assert_non_null(rr);
	assert_int_equal(rr->nstrings, 3);
	assert_int_equal(rr->strings[0].len, 7);
	assert_memory_equal(rr->strings[0].ptr, "v=spf1 ", 7);
	assert_int_equal(rr->strings[1].len, 0);
	assert_int_equal(rr->text_len, 10);
	assert_string_equal(rr->text, "v=spf1 -al");
	assert_false(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);

	/* TXT whose string runs past the rdata */
	header(&m, 0, 1, 0);
	question(&m, "example.org", MOX_DNS_TXT);
	rrhead_raw(&m, ptr_q, 2, MOX_DNS_TXT, 60, 3);
	put(&m, "\005ab", 3);
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, false),
	    MOX_ESYNTAX);
	assert_null(a);

	/* MX with a compressed exchange */
	header(&m, 0, 1, 0);
	question(&m, "example.org", MOX_DNS_MX);
	rrhead_raw(&m, ptr_q, 2, MOX_DNS_MX, 60, 9);
	put(&m, "\000\012\004mail\xc0\x0c", 9);
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, false), MOX_OK);
	rr = mox_dns_answer_rr(a, 0);
	assert_int_equal(rr->preference, 10);
	assert_string_equal(rr->target, "mail.example.org");
	/* rdata is stored uncompressed */
	assert_int_equal(rr->rdlen, 2 + 18);
	mox_dns_answer_free(a);

	/* SRV */
	header(&m, 0, 1, 0);
	question(&m, "_imaps._tcp.example.org", MOX_DNS_SRV);
	{
		uint8_t p[2] = { 0xc0, 12 };

		rrhead_raw(&m, p, 2, MOX_DNS_SRV, 60, 12);
		put(&m, "\000\001\000\002\003\341\004imap\000", 12);
	}
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, false), MOX_OK);
	rr = mox_dns_answer_rr(a, 0);
	assert_int_equal(rr->preference, 1);
	assert_int_equal(rr->weight, 2);
	assert_int_equal(rr->port, 993);
	assert_string_equal(rr->target, "imap");
	mox_dns_answer_free(a);

	/* TLSA 3 1 1 <32 bytes> */
	header(&m, 0, 1, 0);
	question(&m, "_25._tcp.mail.example.org", MOX_DNS_TLSA);
	rrhead_raw(&m, ptr_q, 2, MOX_DNS_TLSA, 60, 35);
	put(&m, "\003\001\001", 3);
	put(&m, "0123456789abcdef0123456789abcdef", 32);
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, true), MOX_OK);
	rr = mox_dns_answer_rr(a, 0);
	assert_int_equal(rr->tlsa_usage, 3);
	assert_int_equal(rr->tlsa_selector, 1);
	assert_int_equal(rr->tlsa_mtype, 1);
	assert_int_equal(rr->tlsa_len, 32);
	assert_memory_equal(rr->tlsa_data, "0123456789abcdef", 16);
	mox_dns_answer_free(a);

	/* AAAA of the wrong length is malformed */
	header(&m, 0, 1, 0);
	question(&m, "example.org", MOX_DNS_AAAA);
	rrhead_raw(&m, ptr_q, 2, MOX_DNS_AAAA, 60, 4);
	put(&m, "\001\002\003\004", 4);
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, false),
	    MOX_ESYNTAX);
}

static void
wire_negative_answers(void **state)
{
	struct msg m;
	mox_dns_answer *a;
	const uint8_t ptr_q[2] = { 0xc0, 12 };

	(void)state;
	/* NXDOMAIN with SOA in authority: TTL = min(SOA ttl, minimum) */
	header(&m, 3, 0, 1);
	question(&m, "nope.example.org", MOX_DNS_A);
	{
		uint8_t p[2] = { 0xc0, 12 + 5 };

		rrhead_raw(&m, p, 2, MOX_DNS_SOA, 3600, 2 + 2 + 20);
		put(&m, "\xc0\x11\xc0\x11", 4);
		put32(&m, 1);
		put32(&m, 7200);
		put32(&m, 900);
		put32(&m, 86400);
		put32(&m, 300);
	}
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, true), MOX_OK);
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_NXDOMAIN);
	assert_int_equal(mox_dns_answer_rcode(a), 3);
	assert_int_equal(mox_dns_answer_ttl(a), 300);
	assert_int_equal(mox_dns_answer_count(a), 0);
	assert_true(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);

	/* NOERROR without records of the type: NODATA (a CNAME to elsewhere
	 * that has no A) */
	header(&m, 0, 1, 0);
	question(&m, "alias.example.org", MOX_DNS_A);
	rrhead_raw(&m, ptr_q, 2, MOX_DNS_CNAME, 60, 7);
	put(&m, "\004text\xc0\x12", 7);
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, false), MOX_OK);
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_NODATA);
	assert_int_equal(mox_dns_answer_cname_count(a), 1);
	assert_string_equal(mox_dns_answer_canonname(a), "text.example.org");
	mox_dns_answer_free(a);

	/* SERVFAIL and REFUSED */
	header(&m, 2, 0, 0);
	question(&m, "example.org", MOX_DNS_A);
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, false), MOX_OK);
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_SERVFAIL);
	mox_dns_answer_free(a);
	header(&m, 5, 0, 0);
	question(&m, "example.org", MOX_DNS_A);
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, false), MOX_OK);
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_ERROR);
	assert_int_equal(mox_dns_answer_rcode(a), 5);
	assert_string_equal(mox_dns_rcode_name(5), "REFUSED");
	mox_dns_answer_free(a);

	/* records for another name are not the answer */
	header(&m, 0, 1, 0);
	question(&m, "example.org", MOX_DNS_A);
	rrhead_raw(&m, "\005other\000", 7, MOX_DNS_A, 60, 4);
	put(&m, "\001\002\003\004", 4);
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, false), MOX_OK);
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_NODATA);
	mox_dns_answer_free(a);
}

static void
wire_malformed(void **state)
{
	struct msg m;
	mox_dns_answer *a = (mox_dns_answer *)1;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, 5, false),
	    MOX_ESYNTAX);
	assert_null(a);
	/* a query, not a response */
	header(&m, 0, 0, 0);
	question(&m, "example.org", MOX_DNS_A);
	m.b[2] &= 0x7f;
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, false),
	    MOX_ESYNTAX);
	/* compression loop in the question */
	header(&m, 0, 0, 0);
	put(&m, "\xc0\x0c", 2);
	put16(&m, 1);
	put16(&m, 1);
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, false),
	    MOX_ESYNTAX);
	/* pointer past the end */
	header(&m, 0, 0, 0);
	put(&m, "\xc3\xff", 2);
	put16(&m, 1);
	put16(&m, 1);
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, false),
	    MOX_ESYNTAX);
	/* answer count larger than the message */
	header(&m, 0, 5, 0);
	question(&m, "example.org", MOX_DNS_A);
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, false),
	    MOX_ESYNTAX);
	/* truncated rdata */
	header(&m, 0, 1, 0);
	question(&m, "example.org", MOX_DNS_A);
	rrhead_raw(&m, "\xc0\x0c", 2, MOX_DNS_A, 60, 4);
	put(&m, "\001\002", 2);
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, false),
	    MOX_ESYNTAX);
	/* a CNAME loop in the answer: followed at most CORE_CNAME_MAX times */
	header(&m, 0, 2, 0);
	question(&m, "a.example", MOX_DNS_A);
	rrhead_raw(&m, "\001a\007example\000", 11, MOX_DNS_CNAME, 60, 11);
	put(&m, "\001b\007example\000", 11);
	rrhead_raw(&m, "\001b\007example\000", 11, MOX_DNS_CNAME, 60, 11);
	put(&m, "\001a\007example\000", 11);
	assert_int_equal(mox_dns_answer_from_wire(&a, m.b, m.n, false), MOX_OK);
	/* each CNAME record is used once, so the loop ends after both */
	assert_int_equal(mox_dns_answer_cname_count(a), 2);
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_NODATA);
	mox_dns_answer_free(a);
}

static void
wire_oom(void **state)
{
	struct msg m;
	mox_dns_answer *a;
	const uint8_t ptr_q[2] = { 0xc0, 12 };
	unsigned long n;
	int rc;

	(void)state;
	header(&m, 0, 2, 0);
	question(&m, "example.org", MOX_DNS_TXT);
	rrhead_raw(&m, ptr_q, 2, MOX_DNS_TXT, 60, 4);
	put(&m, "\003abc", 4);
	rrhead_raw(&m, ptr_q, 2, MOX_DNS_TXT, 60, 4);
	put(&m, "\003def", 4);
	for (n = 1;; n++) {
		mox__fail_at = n;
		rc = mox_dns_answer_from_wire(&a, m.b, m.n, false);
		mox__fail_at = 0;
		if (rc == MOX_OK)
			break;
		assert_int_equal(rc, MOX_ENOMEM);
		assert_null(a);
	}
	assert_true(n > 2);
	assert_int_equal(mox_dns_answer_count(a), 2);
	mox_dns_answer_free(a);
}

/* --- answer builder --- */

static void
builder(void **state)
{
	mox_dns_answer *a;

	(void)state;
	assert_int_equal(mox_dns_answer_new(&a, "bad\tname", MOX_DNS_A,
	    MOX_DNS_OK, 0), MOX_EINVAL);
	assert_null(a);
	assert_int_equal(mox_dns_answer_new(&a, "x.example", MOX_DNS_A, 99, 0),
	    MOX_EINVAL);
	assert_int_equal(mox_dns_answer_new(&a, "x.example.", MOX_DNS_A,
	    MOX_DNS_OK, 0), MOX_OK);
	assert_string_equal(mox_dns_answer_qname(a), "x.example");
	/* no records yet: NODATA */
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_NODATA);
	/* chain step, then data at the new name */
	assert_int_equal(mox_dns_answer_add(a, "x.example", MOX_DNS_CNAME, 50,
	    (const uint8_t *)"\001y\007example\000", 11), MOX_OK);
	/* owner must be the current canonical name */
	assert_int_equal(mox_dns_answer_add(a, "x.example", MOX_DNS_A, 50,
	    (const uint8_t *)"\001\002\003\004", 4), MOX_EINVAL);
	/* type must be the question's */
	assert_int_equal(mox_dns_answer_add(a, "y.example", MOX_DNS_MX, 50,
	    (const uint8_t *)"\000\001\000", 3), MOX_EINVAL);
	/* rdata must decode */
	assert_int_equal(mox_dns_answer_add(a, "y.example", MOX_DNS_A, 50,
	    (const uint8_t *)"\001\002\003", 3), MOX_EINVAL);
	assert_int_equal(mox_dns_answer_add(a, "Y.example", MOX_DNS_A, 40,
	    (const uint8_t *)"\001\002\003\004", 4), MOX_OK);
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_OK);
	assert_int_equal(mox_dns_answer_ttl(a), 40);
	assert_string_equal(mox_dns_answer_canonname(a), "y.example");
	mox_dns_answer_set_secure(a, true);
	assert_true(mox_dns_answer_secure(a));
	assert_null(mox_dns_answer_why_bogus(a));
	mox_dns_answer_free(a);
	mox_dns_answer_free(NULL);
}

static void
names_tables(void **state)
{
	uint16_t t;

	(void)state;
	assert_string_equal(mox_dns_type_name(MOX_DNS_TLSA), "TLSA");
	assert_null(mox_dns_type_name(4242));
	assert_int_equal(mox_dns_type_parse(&t, "txt"), MOX_OK);
	assert_int_equal(t, MOX_DNS_TXT);
	assert_int_equal(mox_dns_type_parse(&t, "TYPE65534"), MOX_OK);
	assert_int_equal(t, 65534);
	assert_int_equal(mox_dns_type_parse(&t, "TYPE65536"), MOX_ESYNTAX);
	assert_int_equal(mox_dns_type_parse(&t, "TYPE0"), MOX_ESYNTAX);
	assert_int_equal(mox_dns_type_parse(&t, "TYPE"), MOX_ESYNTAX);
	assert_int_equal(mox_dns_type_parse(&t, "TYPE012"), MOX_ESYNTAX);
	assert_int_equal(mox_dns_type_parse(&t, "TYPE99999999999"),
	    MOX_ESYNTAX);
	assert_int_equal(mox_dns_type_parse(&t, "bogus"), MOX_ESYNTAX);
	assert_int_equal(mox_dns_type_parse(NULL, "A"), MOX_EINVAL);
	assert_string_equal(mox_dns_result_name(MOX_DNS_TIMEOUT), "timeout");
	assert_null(mox_dns_result_name(7));
	assert_null(mox_dns_result_name(-1));
	assert_string_equal(mox_dns_rcode_name(3), "NXDOMAIN");
	assert_null(mox_dns_rcode_name(42));
}

/* --- the resolver core, through a custom backend --- */

struct fake {
	int queries;
	int cancels;
	int destroyed;
	bool answer_now;   /* complete inside query */
	bool fail_query;   /* query returns an error */
	uint64_t held[16]; /* qids to complete later */
	size_t nheld;
	mox_resolver *r;
};

static mox_dns_answer *
fake_answer(const char *qname, uint16_t qtype)
{
	mox_dns_answer *a;

	assert_int_equal(mox_dns_answer_new(&a, qname, qtype, MOX_DNS_OK, 0),
	    MOX_OK);
	if (qtype == MOX_DNS_A)
		assert_int_equal(mox_dns_answer_add(a, qname, MOX_DNS_A, 30,
		    (const uint8_t *)"\x0a\x00\x00\x01", 4), MOX_OK);
	return a;
}

static int
fake_query(void *impl, mox_resolver *r, uint64_t qid, const char *qname,
    uint16_t qtype)
{
	struct fake *f = impl;

	f->queries++;
	f->r = r;
	if (f->fail_query)
		return MOX_EDNS;
	if (f->answer_now)
		return mox_resolver_complete(r, qid, fake_answer(qname, qtype));
	assert_true(f->nheld < 16);
	f->held[f->nheld++] = qid;
	return MOX_OK;
}

static void
fake_cancel(void *impl, uint64_t qid)
{
	struct fake *f = impl;

	(void)qid;
	f->cancels++;
}

static void
fake_destroy(void *impl)
{
	struct fake *f = impl;

	f->destroyed++;
}

static const mox_resolver_ops fake_ops = {
	MOX_RESOLVER_OPS_VERSION, fake_query, fake_cancel, NULL, NULL,
	fake_destroy,
};

struct got {
	int calls;
	int status;
	int result;
	size_t count;
	char qname[256];
	mox_resolver *r;
	bool requery; /* ask again from inside the callback */
};

static void
got_cb(void *arg, int status, const mox_dns_answer *ans)
{
	struct got *g = arg;

	g->calls++;
	g->status = status;
	if (ans != NULL) {
		g->result = mox_dns_answer_result(ans);
		g->count = mox_dns_answer_count(ans);
		snprintf(g->qname, sizeof(g->qname), "%s",
		    mox_dns_answer_qname(ans));
	}
	if (g->requery) {
		g->requery = false;
		assert_int_equal(mox_dns_query(g->r, "again.example",
		    MOX_DNS_A, got_cb, g, NULL), MOX_OK);
	}
}

static void
custom_async_contract(void **state)
{
	struct fake f = { 0 };
	struct got g = { 0 }, g2 = { 0 };
	mox_resolver *r;
	uint64_t qid;

	(void)state;
	f.answer_now = true;
	assert_int_equal(mox_resolver_new_custom(&r, &fake_ops, &f), MOX_OK);
	assert_true(mox_resolver_fd(r) >= 0);
	assert_int_equal(mox_resolver_timeout(r), -1);

	/* answered inside query, delivered only by process */
	assert_int_equal(mox_dns_query(r, "a.example", MOX_DNS_A, got_cb, &g,
	    &qid), MOX_OK);
	assert_int_equal(g.calls, 0);
	assert_int_equal(mox_resolver_pending(r), 1);
	assert_int_equal(mox_resolver_timeout(r), 0);
	{
		struct pollfd p = { mox_resolver_fd(r), POLLIN, 0 };

		assert_int_equal(poll(&p, 1, 0), 1);
	}
	assert_int_equal(mox_resolver_process(r), 1);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.status, MOX_OK);
	assert_int_equal(g.result, MOX_DNS_OK);
	assert_int_equal(g.count, 1);
	assert_string_equal(g.qname, "a.example");
	assert_int_equal(mox_resolver_pending(r), 0);
	/* delivered: cancel is too late */
	assert_int_equal(mox_dns_cancel(r, qid), MOX_ENOTFOUND);
	assert_int_equal(mox_resolver_process(r), 0);

	/* a callback that asks again: the new question is not delivered in
	 * the same process call */
	g.requery = true;
	g.r = r;
	g.calls = 0;
	assert_int_equal(mox_dns_query(r, "b.example", MOX_DNS_A, got_cb, &g,
	    NULL), MOX_OK);
	assert_int_equal(mox_resolver_process(r), 1);
	assert_int_equal(g.calls, 1);
	assert_int_equal(mox_resolver_pending(r), 1);
	assert_int_equal(mox_resolver_wait(r, 1000), 1);
	assert_int_equal(g.calls, 2);
	assert_string_equal(g.qname, "again.example");

	/* query errors: callback never runs */
	f.fail_query = true;
	assert_int_equal(mox_dns_query(r, "c.example", MOX_DNS_A, got_cb, &g2,
	    NULL), MOX_EDNS);
	f.fail_query = false;
	assert_int_equal(mox_dns_query(r, "bad\tname", MOX_DNS_A, got_cb, &g2,
	    NULL), MOX_EINVAL);
	assert_int_equal(mox_dns_query(r, "c.example", MOX_DNS_A, NULL, &g2,
	    NULL), MOX_EINVAL);
	assert_int_equal(mox_resolver_process(r), 0);
	assert_int_equal(g2.calls, 0);

	/* completion of an unknown qid */
	assert_int_equal(mox_resolver_complete(r, 9999, fake_answer("x.example",
	    MOX_DNS_A)), MOX_ENOTFOUND);

	mox_resolver_free(r);
	assert_int_equal(f.destroyed, 1);
}

static void
custom_cancel_timeout_free(void **state)
{
	struct fake f = { 0 };
	struct got g1 = { 0 }, g2 = { 0 }, g3 = { 0 }, g4 = { 0 };
	mox_resolver *r;
	uint64_t q1, q2;

	(void)state;
	assert_int_equal(mox_resolver_new_custom(&r, &fake_ops, &f), MOX_OK);
	mox_resolver_set_timeout(r, 50);
	assert_int_equal(mox_dns_query(r, "one.example", MOX_DNS_A, got_cb,
	    &g1, &q1), MOX_OK);
	assert_int_equal(mox_dns_query(r, "two.example", MOX_DNS_A, got_cb,
	    &g2, &q2), MOX_OK);
	assert_true(q1 != q2);
	assert_true(mox_resolver_timeout(r) > 0);

	/* cancel runs the callback now, with MOX_ECANCELED */
	assert_int_equal(mox_dns_cancel(r, q1), MOX_OK);
	assert_int_equal(g1.calls, 1);
	assert_int_equal(g1.status, MOX_ECANCELED);
	assert_int_equal(f.cancels, 1);
	assert_int_equal(mox_dns_cancel(r, q1), MOX_ENOTFOUND);
	/* the backend answering a canceled question is ignored */
	assert_int_equal(mox_resolver_complete(r, q1, NULL), MOX_ENOTFOUND);

	/* two times out: a TIMEOUT answer, backend told to cancel */
	for (int i = 0; i < 100 && g2.calls == 0; i++)
		assert_true(mox_resolver_wait(r, -1) >= 0);
	assert_int_equal(g2.calls, 1);
	assert_int_equal(g2.status, MOX_OK);
	assert_int_equal(g2.result, MOX_DNS_TIMEOUT);
	assert_int_equal(f.cancels, 2);

	/* completion with NULL: a SERVFAIL answer */
	mox_resolver_set_timeout(r, 0);
	f.nheld = 0;
	assert_int_equal(mox_dns_query(r, "three.example", MOX_DNS_A, got_cb,
	    &g3, NULL), MOX_OK);
	assert_int_equal(mox_resolver_complete(r, f.held[0], NULL), MOX_OK);
	assert_int_equal(mox_resolver_process(r), 1);
	assert_int_equal(g3.result, MOX_DNS_SERVFAIL);

	/* free with one pending: its callback runs with MOX_ECANCELED */
	assert_int_equal(mox_dns_query(r, "four.example", MOX_DNS_A, got_cb,
	    &g4, NULL), MOX_OK);
	mox_resolver_free(r);
	assert_int_equal(g4.calls, 1);
	assert_int_equal(g4.status, MOX_ECANCELED);
	assert_int_equal(f.destroyed, 1);
}

/* A backend that answers from another thread. */
struct threaded {
	pthread_t th;
	mox_resolver *r;
	uint64_t qid;
	char qname[256];
	uint16_t qtype;
	bool started;
};

static void *
answer_thread(void *arg)
{
	struct threaded *t = arg;
	struct timespec ts = { 0, 20 * 1000000 };

	nanosleep(&ts, NULL);
	mox_resolver_complete(t->r, t->qid, fake_answer(t->qname, t->qtype));
	return NULL;
}

static int
threaded_query(void *impl, mox_resolver *r, uint64_t qid, const char *qname,
    uint16_t qtype)
{
	struct threaded *t = impl;

	t->r = r;
	t->qid = qid;
	t->qtype = qtype;
	snprintf(t->qname, sizeof(t->qname), "%s", qname);
	if (pthread_create(&t->th, NULL, answer_thread, t) != 0)
		return MOX_EDNS;
	t->started = true;
	return MOX_OK;
}

static const mox_resolver_ops threaded_ops = {
	MOX_RESOLVER_OPS_VERSION, threaded_query, NULL, NULL, NULL, NULL,
};

static void
custom_complete_from_thread(void **state)
{
	struct threaded t = { 0 };
	struct got g = { 0 };
	mox_resolver *r;
	mox_dns_answer *a;

	(void)state;
	assert_int_equal(mox_resolver_new_custom(&r, &threaded_ops, &t),
	    MOX_OK);
	assert_int_equal(mox_dns_query(r, "t.example", MOX_DNS_A, got_cb, &g,
	    NULL), MOX_OK);
	for (int i = 0; i < 100 && g.calls == 0; i++)
		assert_true(mox_resolver_wait(r, 100) >= 0);
	assert_int_equal(g.calls, 1);
	assert_int_equal(g.result, MOX_DNS_OK);
	pthread_join(t.th, NULL);

	/* the blocking form over the same backend */
	assert_int_equal(mox_dns_lookup(r, "u.example", MOX_DNS_A, &a), MOX_OK);
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_OK);
	assert_string_equal(mox_dns_answer_qname(a), "u.example");
	mox_dns_answer_free(a);
	pthread_join(t.th, NULL);
	mox_resolver_free(r);
}

static void
custom_lookup_timeout(void **state)
{
	struct fake f = { 0 };
	mox_resolver *r;
	mox_dns_answer *a;

	(void)state;
	assert_int_equal(mox_resolver_new_custom(&r, &fake_ops, &f), MOX_OK);
	mox_resolver_set_timeout(r, 30);
	assert_int_equal(mox_dns_lookup(r, "slow.example", MOX_DNS_TXT, &a),
	    MOX_OK);
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_TIMEOUT);
	assert_int_equal(mox_dns_answer_rcode(a), 2);
	assert_int_equal(f.cancels, 1);
	mox_dns_answer_free(a);
	assert_int_equal(mox_dns_lookup(r, "bad..name", MOX_DNS_TXT, &a),
	    MOX_EINVAL);
	assert_null(a);
	/* sync lookups are not visible to the async interface */
	assert_int_equal(mox_resolver_pending(r), 0);
	mox_resolver_free(r);
}

static void
custom_new_errors(void **state)
{
	mox_resolver *r = (mox_resolver *)1;
	mox_resolver_ops ops = fake_ops;

	(void)state;
	assert_int_equal(mox_resolver_new_custom(&r, NULL, NULL), MOX_EINVAL);
	assert_null(r);
	ops.version = 2;
	assert_int_equal(mox_resolver_new_custom(&r, &ops, NULL), MOX_EVERSION);
	ops.version = 1;
	ops.query = NULL;
	assert_int_equal(mox_resolver_new_custom(&r, &ops, NULL), MOX_EINVAL);
	mox_resolver_free(NULL);
	assert_string_equal(mox_resolver_errmsg(NULL), "");
}

static void
custom_oom(void **state)
{
	struct fake f = { 0 };
	struct got g = { 0 };
	mox_resolver *r = NULL;
	unsigned long n;
	int rc;

	(void)state;
	for (n = 1;; n++) {
		mox__fail_at = n;
		rc = mox_resolver_new_custom(&r, &fake_ops, &f);
		mox__fail_at = 0;
		if (rc == MOX_OK)
			break;
		assert_int_equal(rc, MOX_ENOMEM);
		assert_null(r);
	}
	for (n = 1;; n++) {
		mox__fail_at = n;
		rc = mox_dns_query(r, "a.example", MOX_DNS_A, got_cb, &g, NULL);
		mox__fail_at = 0;
		if (rc == MOX_OK)
			break;
		assert_int_equal(rc, MOX_ENOMEM);
		assert_int_equal(mox_resolver_pending(r), 0);
	}
	assert_int_equal(f.nheld, 1);
	assert_int_equal(mox_resolver_complete(r, f.held[0],
	    fake_answer("a.example", MOX_DNS_A)), MOX_OK);
	assert_int_equal(mox_resolver_process(r), 1);
	assert_int_equal(g.calls, 1);
	mox_resolver_free(r);
}

struct logged {
	int n;
	int level;
	char msg[256];
};

static void
log_cb(void *arg, int level, const char *msg)
{
	struct logged *l = arg;

	l->n++;
	l->level = level;
	snprintf(l->msg, sizeof(l->msg), "%s", msg);
}

static void
logging_filter(void **state)
{
	struct fake f = { 0 };
	struct got g = { 0 };
	struct logged l = { 0 };
	mox_resolver *r;

	(void)state;
	f.answer_now = true;
	assert_int_equal(mox_resolver_new_custom(&r, &fake_ops, &f), MOX_OK);
	mox_resolver_set_log(r, log_cb, &l, MOX_LOG_DEBUG);
	assert_int_equal(mox_dns_query(r, "a.example", MOX_DNS_A, got_cb, &g,
	    NULL), MOX_OK);
	assert_int_equal(l.n, 0); /* trace is above debug: filtered */
	mox_resolver_set_log(r, log_cb, &l, MOX_LOG_TRACE);
	assert_int_equal(mox_dns_query(r, "b.example", MOX_DNS_MX, got_cb, &g,
	    NULL), MOX_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.level, MOX_LOG_TRACE);
	assert_non_null(strstr(l.msg, "b.example MX"));
	mox_resolver_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(qname_check),
		cmocka_unit_test(name_wire_roundtrip),
		cmocka_unit_test(wire_cname_chain_compressed),
		cmocka_unit_test(wire_txt_mx_srv_tlsa),
		cmocka_unit_test(wire_negative_answers),
		cmocka_unit_test(wire_malformed),
		cmocka_unit_test(wire_oom),
		cmocka_unit_test(builder),
		cmocka_unit_test(names_tables),
		cmocka_unit_test(custom_async_contract),
		cmocka_unit_test(custom_cancel_timeout_free),
		cmocka_unit_test(custom_complete_from_thread),
		cmocka_unit_test(custom_lookup_timeout),
		cmocka_unit_test(custom_new_errors),
		cmocka_unit_test(custom_oom),
		cmocka_unit_test(logging_filter),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
