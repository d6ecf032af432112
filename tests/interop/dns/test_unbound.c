/* SPDX-License-Identifier: MIT */
/*
 * test_unbound.c -- interop test of the libunbound backend against nsd
 * serving DNSSEC-signed zones. Run through run-nsd-test.sh, which signs
 * good.example and bad.example (bad.example has one record altered after
 * signing), starts nsd on 127.0.0.1 and sets:
 *   MOX_TEST_NSD_PORT  nsd's port
 *   MOX_TEST_TA_FILE   DS trust anchor file of good.example
 *   MOX_TEST_TA_KEY    file holding the DNSKEY of bad.example (one line)
 *   MOX_TEST_TMPDIR    scratch directory
 * Without MOX_TEST_NSD_PORT only the option/creation tests run.
 *
 * The resolver: stub zones good.example and bad.example at nsd; the stub
 * zone timeout.test at a UDP socket this program binds and never reads (a
 * server that never answers); forward mode to another such socket for
 * everything else, so no question ever leaves the loopback interface.
 * Two libunbound behaviours around loopback test setups, shown by tests
 * below:
 *  - libunbound (1.17, unlike the unbound server) does send to 127.0.0.0/8
 *    by default; "do-not-query-localhost: yes" stops it. The tests pass
 *    "do-not-query-localhost: no" anyway, as a server config would.
 *  - it answers names under test. (and other RFC 6761 names) itself unless
 *    told otherwise: "local-zone: test. nodefault" (which the backend
 *    applies itself, as libunbound's ub_ctx_set_option() mishandles
 *    nodefault).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pthread.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <mox/dns.h>

/* --- environment --- */

static int nsd_port;
static const char *ta_file;
static char ta_key[2048];      /* DNSKEY of bad.example */
static const char *tmpdir;
static int silent_fd = -1;     /* stub server timeout.test: never reads */
static int silent_port;
static int silent_fwd_fd = -1; /* forwarder for all other names */
static int silent_fwd_port;

static char stub_good[64], stub_bad[64], stub_silent[64], fwd_silent[64];

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
bind_silent(int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(sin.sin_port);
	return fd;
}

/* Read the first line of path, up to a ';' comment, into buf. */
static bool
read_anchor(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	char *semi;
	size_t n;

	if (f == NULL)
		return false;
	if (fgets(buf, (int)cap, f) == NULL) {
		fclose(f);
		return false;
	}
	fclose(f);
	semi = strchr(buf, ';');
	if (semi != NULL)
		*semi = '\0';
	n = strlen(buf);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ' ||
	    buf[n - 1] == '\t'))
		buf[--n] = '\0';
	return n > 0;
}

static int
group_setup(void **state)
{
	const char *p = getenv("MOX_TEST_NSD_PORT");

	(void)state;
	silent_fd = bind_silent(&silent_port);
	silent_fwd_fd = bind_silent(&silent_fwd_port);
	if (silent_fd < 0 || silent_fwd_fd < 0) {
		fprintf(stderr, "cannot bind UDP sockets on 127.0.0.1\n");
		return -1;
	}
	snprintf(stub_silent, sizeof(stub_silent), "127.0.0.1@%d",
	    silent_port);
	snprintf(fwd_silent, sizeof(fwd_silent), "127.0.0.1@%d",
	    silent_fwd_port);
	tmpdir = getenv("MOX_TEST_TMPDIR");
	if (tmpdir == NULL)
		tmpdir = "/tmp";
	if (p == NULL)
		return 0;
	nsd_port = atoi(p);
	ta_file = getenv("MOX_TEST_TA_FILE");
	if (nsd_port <= 0 || ta_file == NULL ||
	    getenv("MOX_TEST_TA_KEY") == NULL ||
	    !read_anchor(getenv("MOX_TEST_TA_KEY"), ta_key, sizeof(ta_key))) {
		fprintf(stderr, "bad MOX_TEST_* environment\n");
		return -1;
	}
	snprintf(stub_good, sizeof(stub_good), "127.0.0.1@%d", nsd_port);
	snprintf(stub_bad, sizeof(stub_bad), "127.0.0.1@%d", nsd_port);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	if (silent_fd >= 0)
		close(silent_fd);
	if (silent_fwd_fd >= 0)
		close(silent_fwd_fd);
	return 0;
}

#define SKIP_WITHOUT_NSD()                                               \
	do {                                                             \
		if (nsd_port == 0) {                                     \
			skip();                                          \
		}                                                        \
	} while (0)

/* --- resolver setup --- */

enum {
	WITH_LOCALHOST = 1u << 0,  /* do-not-query-localhost: no */
	WITH_TEST_ZONE = 1u << 1,  /* local-zone: test. nodefault */
	WITH_ANCHORS = 1u << 2,
	NO_LOCALHOST = 1u << 3     /* do-not-query-localhost: yes */
};
#define WITH_ALL (WITH_LOCALHOST | WITH_TEST_ZONE | WITH_ANCHORS)

static mox_resolver *
new_resolver(unsigned int with, unsigned int timeout_ms)
{
	const char *stubs[6], *fwd[1], *uopts[3], *tas[1];
	mox_unbound_options o;
	mox_resolver *r = NULL;
	char err[512];
	size_t nopts = 0;
	int rc;

	assert_int_equal(mox_unbound_options_init(&o,
	    MOX_UNBOUND_OPTIONS_VERSION), MOX_OK);
	stubs[0] = "good.example";
	stubs[1] = stub_good;
	stubs[2] = "bad.example.";
	stubs[3] = stub_bad;
	stubs[4] = "timeout.test";
	stubs[5] = stub_silent;
	fwd[0] = fwd_silent;
	o.mode = MOX_UNBOUND_FORWARD;
	o.forwarders = fwd;
	o.nforwarders = 1;
	o.stubs = stubs;
	o.nstubs = 3;
	if (with & WITH_ANCHORS) {
		tas[0] = ta_key;
		o.trust_anchor_file = ta_file;
		o.trust_anchors = tas;
		o.ntrust_anchors = 1;
	}
	if (with & WITH_LOCALHOST)
		uopts[nopts++] = "do-not-query-localhost: no";
	if (with & NO_LOCALHOST)
		uopts[nopts++] = "do-not-query-localhost: yes";
	if (with & WITH_TEST_ZONE)
		uopts[nopts++] = "local-zone:  test. nodefault ";
	o.unbound_options = uopts;
	o.nunbound_options = nopts;
	o.timeout_ms = timeout_ms;
	rc = mox_resolver_new_unbound_err(&r, &o, err, sizeof(err));
	if (rc != MOX_OK)
		fprintf(stderr, "mox_resolver_new_unbound: %s: %s\n",
		    mox_strerror(rc), err);
	assert_int_equal(rc, MOX_OK);
	assert_non_null(r);
	assert_string_equal(err, "");
	return r;
}

/* --- expected answers --- */

struct expect {
	const char *name;
	uint16_t type;
	int result;
	bool secure;
	const char *data; /* A/AAAA address, MX "pref target", TXT text */
	size_t ncnames;
};

static const struct expect cases[] = {
	{ "good.example", MOX_DNS_A, MOX_DNS_OK, true, "192.0.2.1", 0 },
	{ "good.example.", MOX_DNS_AAAA, MOX_DNS_OK, true, "2001:db8::1", 0 },
	{ "good.example", MOX_DNS_MX, MOX_DNS_OK, true,
	    "10 mail.good.example", 0 },
	{ "txt.good.example", MOX_DNS_TXT, MOX_DNS_OK, true,
	    "v=spf1 ip4:192.0.2.0/24 -all", 0 },
	{ "mail.good.example", MOX_DNS_AAAA, MOX_DNS_OK, true,
	    "2001:db8::25", 0 },
	{ "alias1.good.example", MOX_DNS_A, MOX_DNS_OK, true, "192.0.2.7", 2 },
	{ "onlytxt.good.example", MOX_DNS_A, MOX_DNS_NODATA, true, NULL, 0 },
	{ "with space.good.example", MOX_DNS_A, MOX_DNS_OK, true, "192.0.2.32",
	    0 },
	{ "nonexistent.good.example", MOX_DNS_A, MOX_DNS_NXDOMAIN, true, NULL,
	    0 },
	{ "www.broken.good.example", MOX_DNS_A, MOX_DNS_SERVFAIL, false, NULL,
	    0 },
	{ "bad.example", MOX_DNS_A, MOX_DNS_OK, true, "192.0.2.1", 0 },
	{ "txt.bad.example", MOX_DNS_TXT, MOX_DNS_OK, true,
	    "v=spf1 ip4:192.0.2.0/24 -all", 0 },
	{ "nonexistent.bad.example", MOX_DNS_A, MOX_DNS_NXDOMAIN, true, NULL,
	    0 },
	{ "altered.bad.example", MOX_DNS_A, MOX_DNS_BOGUS, false, NULL, 0 },
};
#define NCASES (sizeof(cases) / sizeof(cases[0]))

static bool
mismatch(char *err, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool
mismatch(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return false;
}

static bool
check_ip(const mox_dns_rr *rr, const char *want, char *err, size_t cap)
{
	uint8_t bin[16];

	if (strchr(want, ':') != NULL) {
		if (inet_pton(AF_INET6, want, bin) != 1)
			return mismatch(err, cap, "bad test address %s", want);
		if (rr->ip.family != 6 || memcmp(rr->ip.addr, bin, 16) != 0)
			return mismatch(err, cap, "%s: address is not %s",
			    rr->name, want);
		return true;
	}
	if (inet_pton(AF_INET, want, bin) != 1)
		return mismatch(err, cap, "bad test address %s", want);
	if (rr->ip.family != 4 || memcmp(rr->ip.addr, bin, 4) != 0)
		return mismatch(err, cap, "%s: address is not %s", rr->name,
		    want);
	return true;
}

/* Check an answer against its case; false with err set when it differs.
 * Usable from any thread. */
static bool
verify(const struct expect *e, const mox_dns_answer *a, char *err,
    size_t cap)
{
	const mox_dns_rr *rr;
	char want[300];
	int res;

	if (a == NULL)
		return mismatch(err, cap, "%s: no answer", e->name);
	res = mox_dns_answer_result(a);
	if (res != e->result)
		return mismatch(err, cap,
		    "%s/%u: result %s, want %s (why_bogus %s)",
		    e->name, e->type, mox_dns_result_name(res),
		    mox_dns_result_name(e->result),
		    mox_dns_answer_why_bogus(a) ? mox_dns_answer_why_bogus(a) :
		    "-");
	if (mox_dns_answer_secure(a) != e->secure)
		return mismatch(err, cap, "%s/%u: secure %d, want %d", e->name,
		    e->type, mox_dns_answer_secure(a), e->secure);
	if (mox_dns_answer_qtype(a) != e->type)
		return mismatch(err, cap, "%s: qtype %u", e->name,
		    mox_dns_answer_qtype(a));
	snprintf(want, sizeof(want), "%s", e->name);
	if (want[0] != '\0' && want[strlen(want) - 1] == '.')
		want[strlen(want) - 1] = '\0';
	if (strcmp(mox_dns_answer_qname(a), want) != 0)
		return mismatch(err, cap, "%s: qname %s", e->name,
		    mox_dns_answer_qname(a));

	if (e->result == MOX_DNS_BOGUS) {
		if (mox_dns_answer_why_bogus(a) == NULL ||
		    mox_dns_answer_why_bogus(a)[0] == '\0')
			return mismatch(err, cap, "%s: bogus without why_bogus",
			    e->name);
		if (mox_dns_answer_count(a) != 0)
			return mismatch(err, cap, "%s: bogus answer with data",
			    e->name);
		return true;
	}
	if (mox_dns_answer_why_bogus(a) != NULL)
		return mismatch(err, cap, "%s: why_bogus on a %s answer",
		    e->name, mox_dns_result_name(res));
	if (e->result != MOX_DNS_OK) {
		if (mox_dns_answer_count(a) != 0)
			return mismatch(err, cap,
			    "%s: %zu records in a %s answer", e->name,
			    mox_dns_answer_count(a), mox_dns_result_name(res));
		return true;
	}

	if (mox_dns_answer_cname_count(a) != e->ncnames)
		return mismatch(err, cap, "%s: %zu cnames, want %zu", e->name,
		    mox_dns_answer_cname_count(a), e->ncnames);
	if (e->ncnames == 2) {
		const char *c0 = mox_dns_answer_cname(a, 0);
		const char *c1 = mox_dns_answer_cname(a, 1);

		if (c0 == NULL || c1 == NULL ||
		    strcmp(c0, "alias2.good.example") != 0 ||
		    strcmp(c1, "target.good.example") != 0 ||
		    mox_dns_answer_cname(a, 2) != NULL ||
		    strcmp(mox_dns_answer_canonname(a),
		    "target.good.example") != 0)
			return mismatch(err, cap, "%s: wrong CNAME chain %s %s",
			    e->name, c0 ? c0 : "-", c1 ? c1 : "-");
	}
	if (mox_dns_answer_count(a) != 1)
		return mismatch(err, cap, "%s: %zu records, want 1", e->name,
		    mox_dns_answer_count(a));
	rr = mox_dns_answer_rr(a, 0);
	if (rr == NULL || rr->type != e->type || rr->rclass != 1 ||
	    rr->ttl == 0 || rr->ttl > 300)
		return mismatch(err, cap, "%s: bad record header", e->name);
	if (strcmp(rr->name, mox_dns_answer_canonname(a)) != 0)
		return mismatch(err, cap, "%s: owner %s", e->name, rr->name);
	switch (e->type) {
	case MOX_DNS_A:
	case MOX_DNS_AAAA:
		return check_ip(rr, e->data, err, cap);
	case MOX_DNS_MX:
		snprintf(want, sizeof(want), "%u %s", rr->preference,
		    rr->target ? rr->target : "-");
		if (strcmp(want, e->data) != 0)
			return mismatch(err, cap, "%s: MX %s", e->name, want);
		return true;
	case MOX_DNS_TXT:
		if (rr->text == NULL || rr->text_len != strlen(e->data) ||
		    memcmp(rr->text, e->data, rr->text_len) != 0 ||
		    rr->text[rr->text_len] != '\0')
			return mismatch(err, cap, "%s: TXT text wrong",
			    e->name);
		/* the character-strings stay apart */
		if (rr->nstrings != 3 || rr->strings == NULL ||
		    rr->strings[0].len != 7 ||
		    memcmp(rr->strings[0].ptr, "v=spf1 ", 7) != 0 ||
		    rr->strings[1].len != 17 ||
		    memcmp(rr->strings[1].ptr, "ip4:192.0.2.0/24 ", 17) != 0 ||
		    rr->strings[2].len != 4 ||
		    memcmp(rr->strings[2].ptr, "-all", 4) != 0)
			return mismatch(err, cap, "%s: TXT strings wrong (%zu)",
			    e->name, rr->nstrings);
		return true;
	default:
		return mismatch(err, cap, "%s: no check for type", e->name);
	}
}

static void
lookup_case(mox_resolver *r, const struct expect *e)
{
	mox_dns_answer *a = NULL;
	char err[512];
	bool ok;

	assert_int_equal(mox_dns_lookup(r, e->name, e->type, &a), MOX_OK);
	ok = verify(e, a, err, sizeof(err));
	if (!ok)
		fprintf(stderr, "lookup: %s\n", err);
	mox_dns_answer_free(a);
	assert_true(ok);
}

/* --- creation and options --- */

static void
test_options_init(void **state)
{
	mox_unbound_options o;

	(void)state;
	assert_int_equal(mox_unbound_options_init(NULL, 1), MOX_EINVAL);
	assert_int_equal(mox_unbound_options_init(&o, 0), MOX_EVERSION);
	assert_int_equal(mox_unbound_options_init(&o,
	    MOX_UNBOUND_OPTIONS_VERSION + 1), MOX_EVERSION);
	memset(&o, 0xa5, sizeof(o));
	assert_int_equal(mox_unbound_options_init(&o, 1), MOX_OK);
	assert_int_equal(o.version, 1);
	assert_int_equal(o.mode, MOX_UNBOUND_RESOLVCONF);
	assert_null(o.resolvconf);
	assert_null(o.forwarders);
	assert_int_equal(o.nforwarders, 0);
	assert_null(o.stubs);
	assert_null(o.trust_anchor_file);
	assert_int_equal(o.ntrust_anchors, 0);
	assert_int_equal(o.timeout_ms, 0);
	assert_int_equal(o.nunbound_options, 0);
}

/* Expect creation to fail with rc and a message holding each of the
 * given substrings (NULL-terminated list). */
static void
expect_fail(const mox_unbound_options *o, int want, ...)
{
	mox_resolver *r = (mox_resolver *)&r; /* must be set to NULL */
	char err[512];
	const char *s;
	va_list ap;
	int rc;

	rc = mox_resolver_new_unbound_err(&r, o, err, sizeof(err));
	if (rc != want)
		fprintf(stderr, "got %s (%s), want %s\n", mox_strerror(rc),
		    err, mox_strerror(want));
	assert_int_equal(rc, want);
	assert_null(r);
	va_start(ap, want);
	while ((s = va_arg(ap, const char *)) != NULL) {
		if (strstr(err, s) == NULL)
			fprintf(stderr, "message \"%s\" lacks \"%s\"\n", err,
			    s);
		assert_non_null(strstr(err, s));
	}
	va_end(ap);
	/* the plain call agrees */
	r = (mox_resolver *)&r;
	assert_int_equal(mox_resolver_new_unbound(&r, o), want);
	assert_null(r);
}

static void
test_create_errors(void **state)
{
	const char *bad_fwd[] = { "192.0.2.300" };
	const char *bad_port[] = { "127.0.0.1@99999" };
	const char *good_fwd[] = { "127.0.0.1@53" };
	const char *bad_stub[] = { "example.org", "localhost" };
	const char *bad_stub_zone[] = { "exa mple.org", "127.0.0.1" };
	const char *bad_ta[] = { "good.example. IN DS 1 2 3 not-hex" };
	const char *bad_opt[] = { "no-such-option: yes" };
	const char *no_colon[] = { "do-not-query-localhost no" };
	const char *nulls[] = { NULL };
	mox_unbound_options o;
	char missing[512];
	char err[64];

	(void)state;
	snprintf(missing, sizeof(missing), "%s/no-such-anchor.ds", tmpdir);

	assert_int_equal(mox_resolver_new_unbound_err(NULL, NULL, err,
	    sizeof(err)), MOX_EINVAL);

	mox_unbound_options_init(&o, 1);
	o.version = 2;
	expect_fail(&o, MOX_EVERSION, "version", NULL);
	o.version = 0;
	expect_fail(&o, MOX_EVERSION, "version", NULL);

	mox_unbound_options_init(&o, 1);
	o.mode = 7;
	expect_fail(&o, MOX_EINVAL, "mode", NULL);

	o.mode = MOX_UNBOUND_FORWARD;
	expect_fail(&o, MOX_EINVAL, "forwarder", NULL);
	o.forwarders = bad_fwd;
	o.nforwarders = 1;
	expect_fail(&o, MOX_EINVAL, "forwarder \"192.0.2.300\"", NULL);
	o.forwarders = bad_port;
	expect_fail(&o, MOX_EINVAL, "forwarder \"127.0.0.1@99999\"", NULL);
	o.forwarders = nulls;
	expect_fail(&o, MOX_EINVAL, "forwarders", NULL);
	o.forwarders = NULL;
	expect_fail(&o, MOX_EINVAL, "forwarders", NULL);
	o.forwarders = good_fwd;

	o.stubs = bad_stub;
	o.nstubs = 1;
	expect_fail(&o, MOX_EINVAL, "stub zone \"example.org\"", "localhost",
	    NULL);
	o.stubs = bad_stub_zone;
	expect_fail(&o, MOX_EINVAL, "stub zone \"exa mple.org\"", NULL);
	o.stubs = NULL;
	o.nstubs = 0;

	o.trust_anchor_file = missing;
	expect_fail(&o, MOX_EIO, "trust anchor file", missing,
	    "No such file", NULL);
	o.trust_anchor_file = NULL;

	o.trust_anchors = bad_ta;
	o.ntrust_anchors = 1;
	expect_fail(&o, MOX_EINVAL, "trust anchor \"good.example. IN DS",
	    NULL);
	o.trust_anchors = NULL;
	o.ntrust_anchors = 0;

	o.unbound_options = bad_opt;
	o.nunbound_options = 1;
	expect_fail(&o, MOX_EINVAL, "unbound option \"no-such-option: yes\"",
	    NULL);
	o.unbound_options = no_colon;
	expect_fail(&o, MOX_EINVAL, "name: value", NULL);
	o.unbound_options = NULL;
	o.nunbound_options = 0;

	/* forwarders outside forward mode are a mistake */
	o.mode = MOX_UNBOUND_RECURSE;
	expect_fail(&o, MOX_EINVAL, "forward", NULL);
}

static void
test_create_modes(void **state)
{
	mox_unbound_options o;
	mox_resolver *r = NULL;
	char path[512], missing[512], err[512];
	FILE *f;
	int rc;

	(void)state;
	/* resolv.conf mode with a file of ours (port 53 is not used: only
	 * creation is tested) */
	snprintf(path, sizeof(path), "%s/resolv.conf", tmpdir);
	snprintf(missing, sizeof(missing), "%s/no-such-resolv.conf", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("nameserver 127.0.0.1\n", f);
	fclose(f);
	mox_unbound_options_init(&o, 1);
	o.resolvconf = path;
	rc = mox_resolver_new_unbound_err(&r, &o, err, sizeof(err));
	assert_int_equal(rc, MOX_OK);
	assert_non_null(r);
	assert_true(mox_resolver_fd(r) >= 0);
	assert_int_equal(mox_resolver_pending(r), 0);
	assert_int_equal(mox_resolver_timeout(r), -1);
	mox_resolver_free(r);
	unlink(path);

	o.resolvconf = missing;
	expect_fail(&o, MOX_EIO, "resolv.conf", missing, "No such file", NULL);

	/* defaults: /etc/resolv.conf, which a test machine may lack */
	r = NULL;
	rc = mox_resolver_new_unbound(&r, NULL);
	assert_true(rc == MOX_OK || rc == MOX_EIO);
	mox_resolver_free(r);

	/* recursion: nothing is asked, nothing leaves the machine */
	mox_unbound_options_init(&o, 1);
	o.mode = MOX_UNBOUND_RECURSE;
	r = NULL;
	assert_int_equal(mox_resolver_new_unbound(&r, &o), MOX_OK);
	mox_resolver_free(r);

	mox_resolver_free(NULL);
}

/* --- answers, synchronous --- */

static void
test_lookup_answers(void **state)
{
	mox_resolver *r;
	size_t i;

	(void)state;
	SKIP_WITHOUT_NSD();
	r = new_resolver(WITH_ALL, 5000);
	for (i = 0; i < NCASES; i++)
		lookup_case(r, &cases[i]);
	/* again, from libunbound's cache */
	for (i = 0; i < NCASES; i++)
		lookup_case(r, &cases[i]);
	mox_resolver_free(r);
}

/* Without trust anchors nothing is authentic, and the altered record is
 * just data. */
static void
test_lookup_without_anchors(void **state)
{
	mox_dns_answer *a = NULL;
	const mox_dns_rr *rr;
	mox_resolver *r;

	(void)state;
	SKIP_WITHOUT_NSD();
	r = new_resolver(WITH_LOCALHOST | WITH_TEST_ZONE, 5000);
	assert_int_equal(mox_dns_lookup(r, "good.example", MOX_DNS_A, &a),
	    MOX_OK);
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_OK);
	assert_false(mox_dns_answer_secure(a));
	mox_dns_answer_free(a);
	assert_int_equal(mox_dns_lookup(r, "altered.bad.example", MOX_DNS_A,
	    &a), MOX_OK);
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_OK);
	assert_false(mox_dns_answer_secure(a));
	rr = mox_dns_answer_rr(a, 0);
	assert_non_null(rr);
	assert_int_equal(rr->ip.family, 4);
	assert_int_equal(rr->ip.addr[3], 66);
	mox_dns_answer_free(a);
	mox_resolver_free(r);
}

static void
test_lookup_timeout(void **state)
{
	mox_dns_answer *a = NULL;
	mox_resolver *r;
	int64_t t0, dt;

	(void)state;
	SKIP_WITHOUT_NSD();
	r = new_resolver(WITH_ALL, 5000);
	mox_resolver_set_timeout(r, 300);
	t0 = now_ms();
	assert_int_equal(mox_dns_lookup(r, "www.timeout.test", MOX_DNS_A, &a),
	    MOX_OK);
	dt = now_ms() - t0;
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_TIMEOUT);
	assert_int_equal(mox_dns_answer_rcode(a), 2);
	assert_false(mox_dns_answer_secure(a));
	assert_int_equal(mox_dns_answer_count(a), 0);
	assert_string_equal(mox_dns_answer_qname(a), "www.timeout.test");
	mox_dns_answer_free(a);
	assert_in_range(dt, 250, 2000);
	/* the resolver still answers after a timeout */
	lookup_case(r, &cases[0]);
	mox_resolver_free(r);
}

/* libunbound (unlike the unbound server) sends to 127.0.0.0/8 by default;
 * "do-not-query-localhost: yes" makes the stub server unusable, and the
 * answer is a failure, not data. */
static void
test_localhost_option(void **state)
{
	mox_dns_answer *a = NULL;
	mox_resolver *r;
	int res;

	(void)state;
	SKIP_WITHOUT_NSD();
	r = new_resolver(WITH_TEST_ZONE | WITH_ANCHORS, 3000);
	lookup_case(r, &cases[0]);
	mox_resolver_free(r);

	r = new_resolver(NO_LOCALHOST | WITH_TEST_ZONE | WITH_ANCHORS, 3000);
	assert_int_equal(mox_dns_lookup(r, "good.example", MOX_DNS_A, &a),
	    MOX_OK);
	res = mox_dns_answer_result(a);
	if (res != MOX_DNS_SERVFAIL && res != MOX_DNS_TIMEOUT)
		fprintf(stderr, "localhost refused: %s\n",
		    mox_dns_result_name(res));
	assert_true(res == MOX_DNS_SERVFAIL || res == MOX_DNS_TIMEOUT);
	assert_int_equal(mox_dns_answer_count(a), 0);
	mox_dns_answer_free(a);
	mox_resolver_free(r);
}

/* libunbound answers names under test. itself (NXDOMAIN) unless
 * "local-zone: test. nodefault": the stub zone is never asked. */
static void
test_test_zone_needs_option(void **state)
{
	mox_dns_answer *a = NULL;
	mox_resolver *r;

	(void)state;
	SKIP_WITHOUT_NSD();
	r = new_resolver(WITH_LOCALHOST | WITH_ANCHORS, 3000);
	assert_int_equal(mox_dns_lookup(r, "www.timeout.test", MOX_DNS_A, &a),
	    MOX_OK);
	assert_int_equal(mox_dns_answer_result(a), MOX_DNS_NXDOMAIN);
	mox_dns_answer_free(a);
	mox_resolver_free(r);
}

/* --- asynchronous API --- */

struct aq {
	const struct expect *e; /* NULL: expect a timeout */
	int calls;
	int status;
	bool ok;
	char err[512];
};

static void
aq_cb(void *arg, int status, const mox_dns_answer *ans)
{
	struct aq *q = arg;

	q->calls++;
	q->status = status;
	if (status != MOX_OK) {
		q->ok = false;
		snprintf(q->err, sizeof(q->err), "status %s",
		    mox_strerror(status));
		return;
	}
	if (q->e == NULL) {
		q->ok = ans != NULL &&
		    mox_dns_answer_result(ans) == MOX_DNS_TIMEOUT;
		if (!q->ok)
			snprintf(q->err, sizeof(q->err), "not a timeout");
		return;
	}
	q->ok = verify(q->e, ans, q->err, sizeof(q->err));
}

/* Run the resolver until nothing is pending, at most limit_ms. */
static void
drain(mox_resolver *r, int64_t limit_ms)
{
	int64_t end = now_ms() + limit_ms;

	while (mox_resolver_pending(r) > 0 && now_ms() < end)
		assert_true(mox_resolver_wait(r, 100) >= 0);
	assert_int_equal(mox_resolver_pending(r), 0);
}

static void
test_async_answers(void **state)
{
	struct aq qs[NCASES + 1];
	mox_resolver *r;
	uint64_t qid;
	size_t i;
	int64_t t0;

	(void)state;
	SKIP_WITHOUT_NSD();
	r = new_resolver(WITH_ALL, 5000);
	memset(qs, 0, sizeof(qs));
	for (i = 0; i < NCASES; i++) {
		qs[i].e = &cases[i];
		qid = 0;
		assert_int_equal(mox_dns_query(r, cases[i].name, cases[i].type,
		    aq_cb, &qs[i], &qid), MOX_OK);
		assert_true(qid != 0);
	}
	/* never from inside mox_dns_query() */
	for (i = 0; i < NCASES; i++)
		assert_int_equal(qs[i].calls, 0);
	assert_int_equal(mox_resolver_pending(r), NCASES);
	t0 = now_ms();
	drain(r, 15000);
	for (i = 0; i < NCASES; i++) {
		if (!qs[i].ok)
			fprintf(stderr, "async: %s\n", qs[i].err);
		assert_int_equal(qs[i].calls, 1);
		assert_true(qs[i].ok);
	}
	assert_true(now_ms() - t0 < 15000);

	/* timeout through the core's deadline */
	mox_resolver_set_timeout(r, 300);
	qs[NCASES].e = NULL;
	assert_int_equal(mox_dns_query(r, "async.timeout.test", MOX_DNS_TXT,
	    aq_cb, &qs[NCASES], NULL), MOX_OK);
	t0 = now_ms();
	drain(r, 3000);
	assert_int_equal(qs[NCASES].calls, 1);
	assert_true(qs[NCASES].ok);
	assert_in_range(now_ms() - t0, 200, 2000);

	/* bad names are refused at once, and no callback runs */
	assert_int_equal(mox_dns_query(r, "bad\tname.example", MOX_DNS_A,
	    aq_cb, &qs[0], NULL), MOX_EINVAL);
	assert_int_equal(qs[0].calls, 1);
	mox_resolver_free(r);
}

static void
test_async_cancel(void **state)
{
	struct aq a1, a2, a3;
	mox_resolver *r;
	uint64_t q1, q2, q3;

	(void)state;
	SKIP_WITHOUT_NSD();
	r = new_resolver(WITH_ALL, 5000);
	memset(&a1, 0, sizeof(a1));
	memset(&a2, 0, sizeof(a2));
	memset(&a3, 0, sizeof(a3));
	a3.e = &cases[0];
	assert_int_equal(mox_dns_query(r, "one.timeout.test", MOX_DNS_A,
	    aq_cb, &a1, &q1), MOX_OK);
	assert_int_equal(mox_dns_query(r, "good.example", MOX_DNS_MX, aq_cb,
	    &a2, &q2), MOX_OK);
	assert_int_equal(mox_dns_query(r, "good.example", MOX_DNS_A, aq_cb,
	    &a3, &q3), MOX_OK);

	/* a question with no answer coming */
	assert_int_equal(mox_dns_cancel(r, q1), MOX_OK);
	assert_int_equal(a1.calls, 1);
	assert_int_equal(a1.status, MOX_ECANCELED);
	/* a question whose answer may already be on its way */
	assert_int_equal(mox_dns_cancel(r, q2), MOX_OK);
	assert_int_equal(a2.calls, 1);
	assert_int_equal(a2.status, MOX_ECANCELED);
	assert_int_equal(mox_dns_cancel(r, q1), MOX_ENOTFOUND);
	assert_int_equal(mox_resolver_pending(r), 1);

	drain(r, 10000);
	assert_int_equal(a1.calls, 1);
	assert_int_equal(a2.calls, 1);
	assert_int_equal(a3.calls, 1);
	assert_true(a3.ok);
	assert_int_equal(mox_dns_cancel(r, q3), MOX_ENOTFOUND);
	/* nothing more arrives for the canceled ones */
	assert_true(mox_resolver_wait(r, 200) >= 0);
	assert_int_equal(a1.calls, 1);
	assert_int_equal(a2.calls, 1);
	mox_resolver_free(r);
}

static void
test_free_pending(void **state)
{
	struct aq qs[8];
	mox_resolver *r;
	size_t i;

	(void)state;
	SKIP_WITHOUT_NSD();
	r = new_resolver(WITH_ALL, 5000);
	memset(qs, 0, sizeof(qs));
	for (i = 0; i < 8; i++) {
		char name[64];

		if (i % 2 == 0)
			snprintf(name, sizeof(name), "n%zu.timeout.test", i);
		else
			snprintf(name, sizeof(name), "good.example");
		assert_int_equal(mox_dns_query(r, name, MOX_DNS_A, aq_cb,
		    &qs[i], NULL), MOX_OK);
	}
	/* let some answers arrive in libunbound, undelivered */
	nanosleep(&(struct timespec){ 0, 100 * 1000 * 1000 }, NULL);
	mox_resolver_free(r);
	for (i = 0; i < 8; i++) {
		assert_int_equal(qs[i].calls, 1);
		assert_int_equal(qs[i].status, MOX_ECANCELED);
	}
}

/* --- threads --- */

#define NTHREADS 8
#define NPERTHREAD 50
#define NCANCEL 400

struct worker {
	pthread_t tid;
	mox_resolver *r;
	unsigned int seed;
	int failures;
	char err[512];
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	int i;

	for (i = 0; i < NPERTHREAD; i++) {
		const struct expect *e = &cases[(w->seed + (unsigned)i * 7) %
		    NCASES];
		mox_dns_answer *a = NULL;
		int rc;

		rc = mox_dns_lookup(w->r, e->name, e->type, &a);
		if (rc != MOX_OK) {
			w->failures++;
			snprintf(w->err, sizeof(w->err), "%s: %s", e->name,
			    mox_strerror(rc));
		} else if (!verify(e, a, w->err, sizeof(w->err))) {
			w->failures++;
		}
		mox_dns_answer_free(a);
	}
	return NULL;
}

static void
test_concurrent_lookups(void **state)
{
	struct worker ws[NTHREADS];
	struct aq qs[NCASES];
	static struct aq cq[NCANCEL];
	mox_resolver *r;
	size_t i;
	int64_t end;
	int failures = 0;

	(void)state;
	SKIP_WITHOUT_NSD();
	r = new_resolver(WITH_ALL, 10000);
	memset(ws, 0, sizeof(ws));
	for (i = 0; i < NTHREADS; i++) {
		ws[i].r = r;
		ws[i].seed = (unsigned int)i * 3;
		assert_int_equal(pthread_create(&ws[i].tid, NULL, worker_main,
		    &ws[i]), 0);
	}
	/* the asynchronous API at the same time, on the same context */
	memset(qs, 0, sizeof(qs));
	for (i = 0; i < NCASES; i++) {
		qs[i].e = &cases[i];
		assert_int_equal(mox_dns_query(r, cases[i].name, cases[i].type,
		    aq_cb, &qs[i], NULL), MOX_OK);
	}
	/* and cancels racing with answers that other threads' ub_process()
	 * delivers */
	memset(cq, 0, sizeof(cq));
	for (i = 0; i < NCANCEL; i++) {
		uint64_t qid;

		cq[i].e = &cases[i % NCASES];
		assert_int_equal(mox_dns_query(r, cq[i].e->name,
		    cq[i].e->type, aq_cb, &cq[i], &qid), MOX_OK);
		if (i % 2 == 0) {
			assert_int_equal(mox_dns_cancel(r, qid), MOX_OK);
			assert_int_equal(cq[i].calls, 1);
			assert_int_equal(cq[i].status, MOX_ECANCELED);
		} else if (i % 7 == 0) {
			nanosleep(&(struct timespec){ 0, 1000 * 1000 }, NULL);
			/* done or not: either way one callback */
			(void)mox_dns_cancel(r, qid);
		}
	}
	end = now_ms() + 20000;
	while (mox_resolver_pending(r) > 0 && now_ms() < end)
		assert_true(mox_resolver_wait(r, 100) >= 0);
	for (i = 0; i < NCANCEL; i++) {
		assert_int_equal(cq[i].calls, 1);
		if (cq[i].status == MOX_OK && !cq[i].ok)
			fprintf(stderr, "async: %s\n", cq[i].err);
		assert_true(cq[i].status == MOX_ECANCELED || cq[i].ok);
	}
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(ws[i].tid, NULL), 0);
		if (ws[i].failures > 0)
			fprintf(stderr, "thread %zu: %d failures, last: %s\n",
			    i, ws[i].failures, ws[i].err);
		failures += ws[i].failures;
	}
	assert_int_equal(failures, 0);
	for (i = 0; i < NCASES; i++) {
		if (!qs[i].ok)
			fprintf(stderr, "async: %s\n", qs[i].err);
		assert_int_equal(qs[i].calls, 1);
		assert_true(qs[i].ok);
	}
	mox_resolver_free(r);
}

/*
 * Cancels racing with deliveries: threads keep libunbound's pipe busy with
 * lookups (their ub_process() calls deliver the asynchronous answers too),
 * while this thread starts questions and cancels them after a short,
 * varying delay. Every callback runs exactly once, with MOX_ECANCELED or
 * the right answer. Also keeps hundreds of questions pending at once.
 */
static pthread_mutex_t stress_mu = PTHREAD_MUTEX_INITIALIZER;
static bool stress_stop;

static void *
stress_main(void *arg)
{
	struct worker *w = arg;
	unsigned int i = w->seed;

	for (;;) {
		const struct expect *e = &cases[i++ % NCASES];
		mox_dns_answer *a = NULL;
		bool stop;

		pthread_mutex_lock(&stress_mu);
		stop = stress_stop;
		pthread_mutex_unlock(&stress_mu);
		if (stop)
			break;
		if (mox_dns_lookup(w->r, e->name, e->type, &a) != MOX_OK ||
		    !verify(e, a, w->err, sizeof(w->err)))
			w->failures++;
		mox_dns_answer_free(a);
	}
	return NULL;
}

#define NSTRESS 3000
#define NBULK 300

static void
test_cancel_stress(void **state)
{
	static struct aq qs[NSTRESS + NBULK];
	struct worker ws[4];
	mox_resolver *r;
	size_t i;
	int64_t end;

	(void)state;
	SKIP_WITHOUT_NSD();
	r = new_resolver(WITH_ALL, 10000);
	memset(qs, 0, sizeof(qs));
	memset(ws, 0, sizeof(ws));
	/* warm the cache */
	for (i = 0; i < NCASES; i++)
		lookup_case(r, &cases[i]);
	/* many pending at once */
	for (i = 0; i < NBULK; i++) {
		qs[NSTRESS + i].e = &cases[i % NCASES];
		assert_int_equal(mox_dns_query(r, cases[i % NCASES].name,
		    cases[i % NCASES].type, aq_cb, &qs[NSTRESS + i], NULL),
		    MOX_OK);
	}
	stress_stop = false;
	for (i = 0; i < 4; i++) {
		ws[i].r = r;
		ws[i].seed = (unsigned int)i;
		assert_int_equal(pthread_create(&ws[i].tid, NULL, stress_main,
		    &ws[i]), 0);
	}
	for (i = 0; i < NSTRESS; i++) {
		const struct expect *e = &cases[i % NCASES];
		uint64_t qid;
		int64_t spin_until;
		struct timespec ts;

		qs[i].e = e;
		assert_int_equal(mox_dns_query(r, e->name, e->type, aq_cb,
		    &qs[i], &qid), MOX_OK);
		clock_gettime(CLOCK_MONOTONIC, &ts);
		spin_until = (int64_t)ts.tv_nsec + (int64_t)(i % 40) * 1000;
		do {
			clock_gettime(CLOCK_MONOTONIC, &ts);
		} while ((int64_t)ts.tv_nsec < spin_until &&
		    spin_until < 1000000000);
		if (i % 3 != 2) {
			assert_int_equal(mox_dns_cancel(r, qid), MOX_OK);
			assert_int_equal(qs[i].calls, 1);
			assert_int_equal(qs[i].status, MOX_ECANCELED);
		}
		if (i % 50 == 0)
			assert_true(mox_resolver_process(r) >= 0);
	}
	end = now_ms() + 20000;
	while (mox_resolver_pending(r) > 0 && now_ms() < end)
		assert_true(mox_resolver_wait(r, 100) >= 0);
	pthread_mutex_lock(&stress_mu);
	stress_stop = true;
	pthread_mutex_unlock(&stress_mu);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(ws[i].tid, NULL), 0);
		if (ws[i].failures > 0)
			fprintf(stderr, "thread %zu: %d failures, last: %s\n",
			    i, ws[i].failures, ws[i].err);
		assert_int_equal(ws[i].failures, 0);
	}
	for (i = 0; i < NSTRESS + NBULK; i++) {
		if (qs[i].calls != 1 ||
		    (qs[i].status == MOX_OK && !qs[i].ok))
			fprintf(stderr, "question %zu: %d calls, %s\n", i,
			    qs[i].calls, qs[i].err);
		assert_int_equal(qs[i].calls, 1);
		assert_true(qs[i].status == MOX_ECANCELED || qs[i].ok);
	}
	mox_resolver_free(r);
}

/* Lookups that time out while others are answered, from many threads. */
struct tworker {
	pthread_t tid;
	mox_resolver *r;
	int index;
	int failures;
	char err[256];
};

static void *
tworker_main(void *arg)
{
	struct tworker *w = arg;
	int i;

	for (i = 0; i < 4; i++) {
		mox_dns_answer *a = NULL;
		char name[64];
		bool slow = (w->index + i) % 2 == 0;
		int rc;

		if (slow)
			snprintf(name, sizeof(name), "t%d-%d.timeout.test",
			    w->index, i);
		else
			snprintf(name, sizeof(name), "good.example");
		rc = mox_dns_lookup(w->r, name, MOX_DNS_A, &a);
		if (rc != MOX_OK || mox_dns_answer_result(a) !=
		    (slow ? MOX_DNS_TIMEOUT : MOX_DNS_OK)) {
			w->failures++;
			snprintf(w->err, sizeof(w->err), "%s: %s %s", name,
			    mox_strerror(rc), a ? mox_dns_result_name(
			    mox_dns_answer_result(a)) : "-");
		}
		mox_dns_answer_free(a);
	}
	return NULL;
}

static void
test_concurrent_timeouts(void **state)
{
	struct tworker ws[NTHREADS];
	mox_resolver *r;
	int64_t t0;
	size_t i;
	int failures = 0;

	(void)state;
	SKIP_WITHOUT_NSD();
	r = new_resolver(WITH_ALL, 300);
	memset(ws, 0, sizeof(ws));
	t0 = now_ms();
	for (i = 0; i < NTHREADS; i++) {
		ws[i].r = r;
		ws[i].index = (int)i;
		assert_int_equal(pthread_create(&ws[i].tid, NULL, tworker_main,
		    &ws[i]), 0);
	}
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(ws[i].tid, NULL), 0);
		if (ws[i].failures > 0)
			fprintf(stderr, "thread %zu: %s\n", i, ws[i].err);
		failures += ws[i].failures;
	}
	assert_int_equal(failures, 0);
	/* two timeouts of 300 ms per thread, in parallel */
	assert_true(now_ms() - t0 < 5000);
	mox_resolver_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_init),
		cmocka_unit_test(test_create_errors),
		cmocka_unit_test(test_create_modes),
		cmocka_unit_test(test_lookup_answers),
		cmocka_unit_test(test_lookup_without_anchors),
		cmocka_unit_test(test_lookup_timeout),
		cmocka_unit_test(test_localhost_option),
		cmocka_unit_test(test_test_zone_needs_option),
		cmocka_unit_test(test_async_answers),
		cmocka_unit_test(test_async_cancel),
		cmocka_unit_test(test_free_pending),
		cmocka_unit_test(test_concurrent_lookups),
		cmocka_unit_test(test_concurrent_timeouts),
		cmocka_unit_test(test_cancel_stress),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
