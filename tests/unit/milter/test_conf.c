/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the mox-milter config (servers/mox-milter/conf.c): the
 * defaults, a config with every key, load errors with file, line and key,
 * the Hostname default, -sign specs, consistency checks, networks
 * (IPv4, IPv6, IPv4-mapped) and describe output that parses back to the
 * defaults. Keys are generated at setup; mlog() is captured here.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "milter.h"

/* ------------------------------------------------------------ mlog */

static char last_log[1024];
static int nlogs;

void
mlog(int level, const char *msg, ...)
{
	va_list ap;
	const char *k, *v;
	size_t n;

	nlogs++;
	n = (size_t)snprintf(last_log, sizeof(last_log), "level=%d msg=%s",
	    level, msg);
	va_start(ap, msg);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (n < sizeof(last_log))
			n += (size_t)snprintf(last_log + n, sizeof(last_log) - n,
			    " %s=%s", k, v != NULL ? v : "");
	}
	va_end(ap);
}

bool
mlog_enabled(int level)
{
	(void)level;
	return true;
}

/* ------------------------------------------------------------ fixture */

struct fx {
	char dir[64];
	char ed[128];   /* Ed25519 PKCS#8, 0600 */
	char rsa[128];  /* RSA PKCS#8, 0600 */
	char conf[128];
};

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void
write_key(const char *path, int type)
{
	mox_dkim_key *k = NULL;
	char *pem = NULL;
	size_t len = 0;

	assert_int_equal(mox_dkim_key_generate(&k, type, 1024), MOX_OK);
	assert_int_equal(mox_dkim_key_to_pem(&pem, &len, k), MOX_OK);
	write_file(path, pem, 0600);
	mox_dkim_free(pem);
	mox_dkim_key_free(k);
}

static int
setup(void **state)
{
	static struct fx *shared;
	struct fx *f;

	/* Keys are made once; RSA generation is slow. */
	if (shared == NULL) {
		shared = calloc(1, sizeof(*shared));
		if (shared == NULL)
			return -1;
		snprintf(shared->dir, sizeof(shared->dir),
		    "/tmp/mconf-test-XXXXXX");
		if (mkdtemp(shared->dir) == NULL)
			return -1;
		snprintf(shared->ed, sizeof(shared->ed), "%s/ed.pem",
		    shared->dir);
		snprintf(shared->rsa, sizeof(shared->rsa), "%s/rsa.pem",
		    shared->dir);
		snprintf(shared->conf, sizeof(shared->conf),
		    "%s/mox-milter.conf", shared->dir);
		write_key(shared->ed, MOX_DKIM_KEY_ED25519);
		write_key(shared->rsa, MOX_DKIM_KEY_RSA);
	}
	f = shared;
	nlogs = 0;
	last_log[0] = '\0';
	*state = f;
	return 0;
}

static int
cleanup_all(void **state)
{
	struct fx *f;
	DIR *d;
	struct dirent *de;
	char p[512];

	setup(state);
	f = *state;
	d = opendir(f->dir);
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", f->dir, de->d_name);
		unlink(p);
	}
	if (d != NULL)
		closedir(d);
	rmdir(f->dir);
	return 0;
}

static struct mconf *
load_text(struct fx *f, const char *text, char *err, size_t errcap, int *rc)
{
	struct mconf *c = mconf_new();

	assert_non_null(c);
	write_file(f->conf, text, 0644);
	*rc = mconf_load(c, f->conf, err, errcap);
	return c;
}

static void
expect_load_error(struct fx *f, const char *text, const char *want)
{
	char err[1024], full[1200];
	struct mconf *c;
	int rc;

	err[0] = '\0';
	c = load_text(f, text, err, sizeof(err), &rc);
	snprintf(full, sizeof(full), "%s:%s", f->conf, want);
	if (rc == 0)
		fail_msg("loaded, want error %s", full);
	if (strcmp(err, full) != 0)
		fail_msg("error\n  got  %s\n  want %s", err, full);
	mconf_free(c);
}

/* ------------------------------------------------------------ tests */

static void
check_defaults(const struct mconf *c)
{
	uint8_t lo[4] = { 127, 0, 0, 1 }, ten[4] = { 10, 0, 0, 1 };
	uint8_t six[16] = { 0 };

	six[15] = 1;
	assert_string_equal(c->listen, "inet:8891@127.0.0.1");
	assert_null(c->authserv_id);
	assert_null(c->hostname);
	assert_null(c->zone_file);
	assert_int_equal(c->ndns_servers, 0);
	assert_null(c->resolvconf);
	assert_null(c->trust_anchor);
	assert_int_equal(c->dns_timeout_ms, 10000);
	assert_int_equal(c->ninternal, 2);
	assert_true(mnet_match(&c->internal[0], AF_INET, lo));
	assert_false(mnet_match(&c->internal[0], AF_INET, ten));
	assert_true(mnet_match(&c->internal[1], AF_INET6, six));
	assert_true(c->sign_authenticated);
	assert_int_equal(c->nsign, 0);
	assert_true(c->spf_helo);
	assert_false(c->rfc7489);
	assert_null(c->psl_file);
	assert_true(c->dmarc_reject);
	assert_int_equal(c->ndomains, 0);
	assert_int_equal(c->nallow_ips, 0);
	assert_int_equal(c->nallow_domains, 0);
	assert_int_equal(c->quarantine, MCONF_QUARANTINE_HEADER);
	assert_string_equal(c->quarantine_header, "X-Mox-Quarantine");
	assert_int_equal(c->temperror, MCONF_TEMPERROR_ACCEPT);
	assert_int_equal(c->max_header_bytes, 1024 * 1024);
	assert_true(c->max_verify_bytes == 0);
	assert_null(c->report_store);
	assert_null(c->report_org);
	assert_null(c->report_from);
	assert_string_equal(c->report_sendmail, "/usr/sbin/sendmail");
	assert_int_equal(c->report_max_rows, 10000);
	assert_int_equal(c->log_level, MLOG_INFO);
	assert_false(c->syslog);
	assert_null(c->stats_file);
	assert_int_equal(c->stats_interval, 10);
}

static void
test_defaults(void **state)
{
	struct mconf *c = mconf_new();

	(void)state;
	assert_non_null(c);
	check_defaults(c);
	mconf_free(c);
	mconf_free(NULL);
}

static void
test_full_config(void **state)
{
	struct fx *f = *state;
	char text[4096], err[1024], want[256];
	uint8_t ip4[4] = { 192, 0, 2, 77 }, ip6[16] = { 0x20, 0x01, 0x0d,
		0xb8 };
	struct mconf *c;
	int rc;

	snprintf(text, sizeof(text),
	    "# every key\n"
	    "Listen: unix:/run/mox-milter/milter.sock\n"
	    "AuthservID: mx.example.org\n"
	    "Hostname: MX.Example.ORG\n"
	    "DNS:\n"
	    "\tZoneFile: zone.txt\n"
	    "\tServers:\n"
	    "\t\t- 127.0.0.53\n"
	    "\t\t- 192.0.2.1@5353\n"
	    "\tResolvConf: /etc/resolv.other\n"
	    "\tTrustAnchor: /usr/share/dns/root.key\n"
	    "\tTimeout: 2500ms\n"
	    "InternalNetworks:\n"
	    "\t- 10.0.0.0/8\n"
	    "\t- fd00::/8\n"
	    "\t- 192.0.2.5\n"
	    "SignAuthenticated: false\n"
	    "DKIM:\n"
	    "\tSign:\n"
	    "\t\t-\n"
	    "\t\t\tDomain: Example.ORG\n"
	    "\t\t\tSelector: 2026a\n"
	    "\t\t\tPrivateKeyFile: ed.pem\n"
	    "\t\t-\n"
	    "\t\t\tDomain: b\xc3\xbc" "cher.example\n"
	    "\t\t\tSelector: rsa_2026\n"
	    "\t\t\tPrivateKeyFile: %s\n"
	    "\t\t\tHeaders:\n"
	    "\t\t\t\t- From\n"
	    "\t\t\t\t- Subject\n"
	    "\t\t\tCanonicalization: simple/relaxed\n"
	    "\t\t\tExpiration: 72h\n"
	    "SPF:\n"
	    "\tCheckHELO: false\n"
	    "DMARC:\n"
	    "\tMode: rfc7489\n"
	    "\tPSLFile: psl.dat\n"
	    "\tReject: false\n"
	    "\tDomains:\n"
	    "\t\t-\n"
	    "\t\t\tDomain: Lists.Example.NET\n"
	    "\t\t\tReject: false\n"
	    "\t\t-\n"
	    "\t\t\tDomain: strict.example\n"
	    "\t\t\tReject: true\n"
	    "\tAllowIPs:\n"
	    "\t\t- 192.0.2.0/24\n"
	    "\t\t- 2001:db8::/32\n"
	    "\tAllowDomains:\n"
	    "\t\t- forwarder.example\n"
	    "\t\t- \xc3\xa9x.example\n"
	    "\tQuarantine: hold\n"
	    "\tQuarantineHeader: X-Spam-Quarantine\n"
	    "\tTempError: tempfail\n"
	    "Limits:\n"
	    "\tMaxHeaderBytes: 65536\n"
	    "\tMaxVerifyBytes: 10000000\n"
	    "Reports:\n"
	    "\tStore: dmarc.lmdb\n"
	    "\tOrgName: Example Org\n"
	    "\tFrom: dmarc-reports@example.org\n"
	    "\tSendmail: /usr/lib/sendmail\n"
	    "\tMaxRows: 500\n"
	    "Log:\n"
	    "\tLevel: debug\n"
	    "\tSyslog: true\n"
	    "Stats:\n"
	    "\tFile: /var/lib/mox-milter/stats.prom\n"
	    "\tInterval: 1m\n",
	    f->rsa);
	c = load_text(f, text, err, sizeof(err), &rc);
	if (rc != 0)
		fail_msg("%s", err);
	assert_string_equal(c->listen, "unix:/run/mox-milter/milter.sock");
	assert_string_equal(c->authserv_id, "mx.example.org");
	assert_string_equal(c->hostname, "mx.example.org");
	snprintf(want, sizeof(want), "%s/zone.txt", f->dir);
	assert_string_equal(c->zone_file, want);
	assert_int_equal(c->ndns_servers, 2);
	assert_string_equal(c->dns_servers[1], "192.0.2.1@5353");
	assert_string_equal(c->resolvconf, "/etc/resolv.other");
	assert_string_equal(c->trust_anchor, "/usr/share/dns/root.key");
	assert_int_equal(c->dns_timeout_ms, 2500);
	assert_int_equal(c->ninternal, 3);
	assert_int_equal(c->internal[0].family, AF_INET);
	assert_int_equal(c->internal[0].bits, 8);
	assert_int_equal(c->internal[1].family, AF_INET6);
	assert_int_equal(c->internal[2].bits, 32);
	assert_false(c->sign_authenticated);
	assert_int_equal(c->nsign, 2);
	assert_string_equal(c->sign[0].domain, "example.org");
	assert_string_equal(c->sign[0].selector, "2026a");
	assert_string_equal(c->sign[0].keyfile, f->ed);
	assert_non_null(c->sign[0].key);
	assert_null(c->sign[0].headers);
	assert_int_equal(c->sign[0].nheaders, 0);
	assert_true(c->sign[0].relaxed_header);
	assert_true(c->sign[0].relaxed_body);
	assert_int_equal(c->sign[0].expire, 0);
	assert_string_equal(c->sign[1].domain, "xn--bcher-kva.example");
	assert_string_equal(c->sign[1].selector, "rsa_2026");
	assert_non_null(c->sign[1].key);
	assert_int_equal(c->sign[1].nheaders, 2);
	assert_string_equal(c->sign[1].headers[1], "Subject");
	assert_false(c->sign[1].relaxed_header);
	assert_true(c->sign[1].relaxed_body);
	assert_int_equal(c->sign[1].expire, 72 * 3600);
	assert_false(c->spf_helo);
	assert_true(c->rfc7489);
	snprintf(want, sizeof(want), "%s/psl.dat", f->dir);
	assert_string_equal(c->psl_file, want);
	assert_false(c->dmarc_reject);
	assert_int_equal(c->ndomains, 2);
	assert_string_equal(c->domains[0].domain, "lists.example.net");
	assert_false(c->domains[0].reject);
	assert_true(c->domains[1].reject);
	assert_int_equal(c->nallow_ips, 2);
	assert_true(mnet_match(&c->allow_ips[0], AF_INET, ip4));
	assert_true(mnet_match(&c->allow_ips[1], AF_INET6, ip6));
	assert_int_equal(c->nallow_domains, 2);
	assert_string_equal(c->allow_domains[1], "xn--x-9fa.example");
	assert_int_equal(c->quarantine, MCONF_QUARANTINE_HOLD);
	assert_string_equal(c->quarantine_header, "X-Spam-Quarantine");
	assert_int_equal(c->temperror, MCONF_TEMPERROR_TEMPFAIL);
	assert_int_equal(c->max_header_bytes, 65536);
	assert_true(c->max_verify_bytes == 10000000);
	snprintf(want, sizeof(want), "%s/dmarc.lmdb", f->dir);
	assert_string_equal(c->report_store, want);
	assert_string_equal(c->report_org, "Example Org");
	assert_string_equal(c->report_from, "dmarc-reports@example.org");
	assert_string_equal(c->report_sendmail, "/usr/lib/sendmail");
	assert_int_equal(c->report_max_rows, 500);
	assert_int_equal(c->log_level, MLOG_DEBUG);
	assert_true(c->syslog);
	assert_string_equal(c->stats_file, "/var/lib/mox-milter/stats.prom");
	assert_int_equal(c->stats_interval, 60);
	/* ZoneFile and Servers together are inconsistent. */
	assert_int_equal(mconf_check(c, err, sizeof(err)), -1);
	assert_string_equal(err, "DNS: ZoneFile and Servers exclude each "
				 "other");
	free(c->zone_file);
	c->zone_file = NULL;
	if (mconf_check(c, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(nlogs, 0);
	mconf_free(c);
}

static void
test_load_errors(void **state)
{
	struct fx *f = *state;
	char text[1024];

	expect_load_error(f, "AuthservID: mx\nDMARC:\n\tQuarantine: x\n",
	    "3: DMARC.Quarantine: unknown value \"x\", want header, hold or "
	    "none");
	expect_load_error(f, "DMARC:\n\tMode: 7489\n",
	    "2: DMARC.Mode: unknown value \"7489\", want rfc9989 or rfc7489");
	expect_load_error(f, "Listen: x\nAuthServID: mx\n",
	    "2: unknown key \"AuthServID\" (did you mean AuthservID?)");
	expect_load_error(f, "InternalNetworks:\n\t- 10.0.0.0/8\n\t- 10.0.0.0/"
			     "33\n",
	    "3: InternalNetworks[1]: want an IP address or network such as "
	    "10.0.0.0/8 or fd00::/8, not \"10.0.0.0/33\"");
	expect_load_error(f, "Hostname: -bad-.example\n",
	    "1: Hostname: invalid domain \"-bad-.example\": syntax error");
	expect_load_error(f, "DNS:\n\tTimeout: 0\n",
	    "2: DNS.Timeout: want a duration from 1ms to 10m, not \"0\"");
	expect_load_error(f, "Limits:\n\tMaxHeaderBytes: 100\n",
	    "2: Limits.MaxHeaderBytes: want an integer from 4096 to "
	    "67108864, not \"100\"");
	expect_load_error(f, "DKIM:\n\tSign:\n\t\t-\n\t\t\tDomain: "
			     "example.org\n\t\t\tPrivateKeyFile: ed.pem\n",
	    "3: DKIM.Sign[0]: missing required key Selector");
	snprintf(text, sizeof(text),
	    "DKIM:\n\tSign:\n\t\t-\n\t\t\tDomain: example.org\n"
	    "\t\t\tSelector: s\n\t\t\tPrivateKeyFile: ed.pem\n"
	    "\t\t\tHeaders:\n\t\t\t\t- To\n\t\t\t\t- Subject\n");
	expect_load_error(f, text,
	    "3: DKIM.Sign[0]: Headers must include From (RFC 6376 5.4)");
	expect_load_error(f, "DKIM:\n\tSign:\n\t\t-\n\t\t\tDomain: "
			     "example.org\n\t\t\tCanonicalization: loose\n",
	    "5: DKIM.Sign[0].Canonicalization: unknown canonicalization "
	    "\"loose\", want relaxed/relaxed, relaxed/simple, simple/relaxed "
	    "or simple/simple");
	expect_load_error(f, "DKIM:\n\tSign:\n\t\t-\n\t\t\tDomain: "
			     "example.org\n\t\t\tHeaders:\n\t\t\t\t- Fr om\n",
	    "6: DKIM.Sign[0].Headers[0]: invalid header field name \"Fr om\"");
	expect_load_error(f, "DMARC:\n\tDomains:\n\t\t-\n\t\t\tDomain: "
			     "a.example\n",
	    "3: DMARC.Domains[0]: missing required key Reject");
	expect_load_error(f, "Reports:\n    Store: x\n",
	    "2: spaces used for indentation, indent with tabs");
}

/* The missing key file error names the file and the system's reason. */
static void
test_missing_key_file(void **state)
{
	struct fx *f = *state;
	char err[1024];
	struct mconf *c;
	int rc;

	c = load_text(f, "DKIM:\n\tSign:\n\t\t-\n\t\t\tDomain: example.org\n"
			 "\t\t\tSelector: s\n\t\t\tPrivateKeyFile: nothere.pem\n",
	    err, sizeof(err), &rc);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "/nothere.pem: No such file or "
				    "directory"));
	mconf_free(c);
}

static void
test_hostname_default(void **state)
{
	struct fx *f = *state;
	char err[1024];
	struct mconf *c;
	int rc;

	c = load_text(f, "AuthservID: Mail.Example.ORG\n", err, sizeof(err),
	    &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(c->hostname, "mail.example.org");
	assert_string_equal(mconf_hostname(c), "mail.example.org");
	mconf_free(c);
	/* An authserv-id that is no domain name leaves it unset. */
	c = load_text(f, "AuthservID: mx_1\n", err, sizeof(err), &rc);
	assert_int_equal(rc, 0);
	assert_null(c->hostname);
	assert_string_equal(mconf_hostname(c), "mx_1");
	mconf_free(c);
	c = load_text(f, "AuthservID: mx_1\nHostname: h.example\n", err,
	    sizeof(err), &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(mconf_hostname(c), "h.example");
	mconf_free(c);
}

static void
test_add_sign(void **state)
{
	struct fx *f = *state;
	struct mconf *c = mconf_new();
	char spec[512], err[1024], other[160];
	int i;

	assert_non_null(c);
	snprintf(spec, sizeof(spec), "Example.ORG:Sel1:%s", f->ed);
	if (mconf_add_sign(c, spec, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	snprintf(spec, sizeof(spec), "b\xc3\xbc" "cher.example:s2:%s", f->rsa);
	if (mconf_add_sign(c, spec, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	assert_int_equal(c->nsign, 2);
	assert_string_equal(c->sign[0].domain, "example.org");
	assert_string_equal(c->sign[0].selector, "sel1");
	assert_string_equal(c->sign[0].keyfile, f->ed);
	assert_non_null(c->sign[0].key);
	assert_true(c->sign[0].relaxed_header && c->sign[0].relaxed_body);
	assert_int_equal(c->sign[0].expire, 0);
	assert_string_equal(c->sign[1].domain, "xn--bcher-kva.example");
	assert_non_null(c->sign[1].key);

	/* Malformed specs. */
	static const char *const bad[] = { "example.org:sel", "example.org",
		":sel:/k", "example.org::/k", "example.org:sel:", "", NULL };
	for (i = 0; bad[i] != NULL; i++) {
		assert_int_equal(mconf_add_sign(c, bad[i], err, sizeof(err)),
		    -1);
		snprintf(spec, sizeof(spec), "-sign: want "
		    "DOMAIN:SELECTOR:KEYFILE, not \"%s\"", bad[i]);
		assert_string_equal(err, spec);
	}
	assert_int_equal(mconf_add_sign(c, NULL, err, sizeof(err)), -1);
	snprintf(spec, sizeof(spec), "bad..example:s:%s", f->ed);
	assert_int_equal(mconf_add_sign(c, spec, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid domain \"bad..example\""));
	snprintf(spec, sizeof(spec), "example.org:s s:%s", f->ed);
	assert_int_equal(mconf_add_sign(c, spec, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid domain \"s s\""));
	assert_int_equal(mconf_add_sign(c, "example.org:s:/nonexistent.pem",
			     err, sizeof(err)),
	    -1);
	assert_string_equal(err, "-sign example.org:s:/nonexistent.pem: "
				 "private key file /nonexistent.pem: No such "
				 "file or directory");
	/* Not a key. */
	snprintf(other, sizeof(other), "%s/notakey.pem", f->dir);
	write_file(other, "hello\n", 0600);
	snprintf(spec, sizeof(spec), "example.org:s:%s", other);
	assert_int_equal(mconf_add_sign(c, spec, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no PEM private key"));
	/* A key file readable by others: a warning, still loaded. */
	snprintf(other, sizeof(other), "%s/open.pem", f->dir);
	write_key(other, MOX_DKIM_KEY_ED25519);
	assert_int_equal(chmod(other, 0644), 0);
	snprintf(spec, sizeof(spec), "example.org:open:%s", other);
	assert_int_equal(nlogs, 0);
	assert_int_equal(mconf_add_sign(c, spec, err, sizeof(err)), 0);
	assert_int_equal(nlogs, 1);
	assert_non_null(strstr(last_log, "accessible to others"));
	assert_non_null(strstr(last_log, other));
	assert_int_equal(c->nsign, 3);
	/* The same selector twice is refused by the check. */
	c->authserv_id = strdup("mx.example.org");
	assert_int_equal(mconf_check(c, err, sizeof(err)), 0);
	snprintf(spec, sizeof(spec), "EXAMPLE.org:Sel1:%s", f->ed);
	assert_int_equal(mconf_add_sign(c, spec, err, sizeof(err)), 0);
	assert_int_equal(mconf_check(c, err, sizeof(err)), -1);
	assert_string_equal(err, "DKIM.Sign: selector sel1 of example.org "
				 "given twice");
	mconf_free(c);
}

static void
check_err(struct mconf *c, const char *want)
{
	char err[1024];

	err[0] = '\0';
	assert_int_equal(mconf_check(c, err, sizeof(err)), want ? -1 : 0);
	if (want != NULL)
		assert_string_equal(err, want);
}

static void
set(char **field, const char *v)
{
	free(*field);
	*field = v != NULL ? strdup(v) : NULL;
}

static void
test_check(void **state)
{
	struct mconf *c = mconf_new();
	static const char *const good_listen[] = { "inet:8891@127.0.0.1",
		"inet:8891", "inet6:8891@[::1]", "unix:/run/x.sock",
		"local:/run/x.sock", NULL };
	static const char *const bad_listen[] = { "inet:0@127.0.0.1",
		"inet:65536", "inet:x@h", "inet:25@", "unix:", "tcp:25",
		"8891", "", NULL };
	int i;

	(void)state;
	check_err(c, "AuthservID is required");
	set(&c->authserv_id, "mx example");
	check_err(c, "AuthservID \"mx example\": want a token such as a host "
		     "name (RFC 8601 2.2)");
	set(&c->authserv_id, "mx.example.org");
	check_err(c, NULL);
	for (i = 0; good_listen[i] != NULL; i++) {
		set(&c->listen, good_listen[i]);
		check_err(c, NULL);
	}
	for (i = 0; bad_listen[i] != NULL; i++) {
		char want[256];

		set(&c->listen, bad_listen[i]);
		snprintf(want, sizeof(want), "Listen \"%s\": want inet:PORT@ADDR, "
		    "inet6:PORT@ADDR or unix:PATH", bad_listen[i]);
		check_err(c, want);
	}
	set(&c->listen, "inet:8891@127.0.0.1");
	set(&c->quarantine_header, "X Bad");
	check_err(c, "DMARC.QuarantineHeader: want a header field name");
	c->quarantine = MCONF_QUARANTINE_NONE;
	check_err(c, NULL);
	set(&c->report_store, "/var/lib/x.lmdb");
	check_err(c, "Reports.From is required with Reports.Store");
	set(&c->report_from, "not an address");
	check_err(c, "Reports.From \"not an address\": not an email address");
	set(&c->report_from, "dmarc@example.org");
	/* The hostname defaults to the authserv-id, a domain here. */
	check_err(c, NULL);
	set(&c->authserv_id, "mx_1");
	check_err(c, "Hostname is required with Reports.Store (AuthservID is "
		     "not a domain name)");
	set(&c->hostname, "mx.example.org");
	check_err(c, NULL);
	mconf_free(c);
}

static void
test_mnet(void **state)
{
	struct mnet n;
	uint8_t a4[4] = { 10, 1, 2, 3 }, b4[4] = { 11, 1, 2, 3 };
	uint8_t mapped[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10,
		200, 0, 1 };
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 1 };
	uint8_t v6b[16] = { 0x20, 0x01, 0x0d, 0xb9 };
	static const char *const bad[] = { "", "x", "10.0.0.0/33", "10.0.0.0/",
		"10.0.0", "::1/129", "fe80::1%eth0", "10.0.0.0/-1",
		"10.0.0.0/8/8", " 10.0.0.1", NULL };
	int i;

	(void)state;
	assert_int_equal(mnet_parse(&n, "10.0.0.0/8"), 0);
	assert_int_equal(n.family, AF_INET);
	assert_int_equal(n.bits, 8);
	assert_true(mnet_match(&n, AF_INET, a4));
	assert_false(mnet_match(&n, AF_INET, b4));
	/* An IPv4-mapped IPv6 address matches IPv4 networks. */
	assert_true(mnet_match(&n, AF_INET6, mapped));
	assert_false(mnet_match(&n, AF_INET6, v6));

	/* Host bits are masked. */
	assert_int_equal(mnet_parse(&n, "10.1.2.3/16"), 0);
	assert_true(mnet_match(&n, AF_INET, a4));
	assert_int_equal(n.addr[2], 0);

	assert_int_equal(mnet_parse(&n, "10.1.2.3"), 0);
	assert_int_equal(n.bits, 32);
	assert_true(mnet_match(&n, AF_INET, a4));
	a4[3] = 4;
	assert_false(mnet_match(&n, AF_INET, a4));

	/* Bits that end inside an octet. */
	assert_int_equal(mnet_parse(&n, "10.192.0.0/10"), 0);
	assert_true(mnet_match(&n, AF_INET6, mapped)); /* 10.200.0.1 */
	assert_int_equal(mnet_parse(&n, "10.128.0.0/10"), 0);
	assert_false(mnet_match(&n, AF_INET6, mapped));

	assert_int_equal(mnet_parse(&n, "2001:db8::/32"), 0);
	assert_int_equal(n.family, AF_INET6);
	assert_true(mnet_match(&n, AF_INET6, v6));
	assert_false(mnet_match(&n, AF_INET6, v6b));
	assert_false(mnet_match(&n, AF_INET, a4));

	assert_int_equal(mnet_parse(&n, "::1"), 0);
	assert_int_equal(n.bits, 128);
	assert_false(mnet_match(&n, AF_INET6, v6));

	/* A mapped network is an IPv4 network. */
	assert_int_equal(mnet_parse(&n, "::ffff:10.0.0.0/104"), 0);
	assert_int_equal(n.family, AF_INET);
	assert_int_equal(n.bits, 8);
	assert_true(mnet_match(&n, AF_INET6, mapped));
	assert_true(mnet_match(&n, AF_INET, (const uint8_t[]){ 10, 9, 9, 9 }));

	/* /0 matches every address of its family. */
	assert_int_equal(mnet_parse(&n, "0.0.0.0/0"), 0);
	assert_true(mnet_match(&n, AF_INET, b4));
	assert_true(mnet_match(&n, AF_INET6, mapped));
	assert_false(mnet_match(&n, AF_INET6, v6));
	assert_int_equal(mnet_parse(&n, "::/0"), 0);
	assert_true(mnet_match(&n, AF_INET6, v6));
	assert_false(mnet_match(&n, AF_INET, b4));

	for (i = 0; bad[i] != NULL; i++)
		if (mnet_parse(&n, bad[i]) != -1)
			fail_msg("parsed \"%s\"", bad[i]);
	assert_int_equal(mnet_parse(&n, NULL), -1);
	assert_false(mnet_match(NULL, AF_INET, b4));
}

static char *
describe(size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	assert_non_null(f);
	mconf_describe(f);
	fclose(f);
	return buf;
}

static void
test_describe(void **state)
{
	struct fx *f = *state;
	struct mconf *c, *def;
	char err[1024], *text, *out, *line, *at;
	size_t len, o = 0;
	FILE *fp;
	int rc;

	text = describe(&len);
	assert_non_null(strstr(text, "Listen: inet:8891@127.0.0.1\n"));
	assert_non_null(strstr(text, "\tQuarantine: header\n"));
	assert_non_null(strstr(text, "#AuthservID: mail.example.org\n"));

	/* Parsed into an empty struct, it gives the defaults. */
	c = calloc(1, sizeof(*c));
	assert_non_null(c);
	write_file(f->conf, text, 0644);
	if (mconf_load(c, f->conf, err, sizeof(err)) != 0)
		fail_msg("%s", err);
	check_defaults(c);
	def = mconf_new();
	assert_non_null(def);
	assert_int_equal(memcmp(c->internal, def->internal,
			     def->ninternal * sizeof(*def->internal)),
	    0);
	mconf_free(def);
	mconf_free(c);

	/* With every commented-out key line enabled (and a real key file),
	 * every example value parses. */
	out = malloc(len + 4096);
	assert_non_null(out);
	for (line = text; *line != '\0';) {
		size_t ll = strcspn(line, "\n"), t = strspn(line, "\t");

		if (line[t] == '#' && line[t + 1] != ' ' && line[t + 1] != '\n' &&
		    line[t + 1] != '\0') {
			memcpy(out + o, line, t);
			o += t;
			memcpy(out + o, line + t + 1, ll - t - 1);
			o += ll - t - 1;
		} else {
			memcpy(out + o, line, ll);
			o += ll;
		}
		out[o++] = '\n';
		line += ll + (line[ll] == '\n');
	}
	out[o] = '\0';
	at = strstr(out, "/etc/mox-milter/dkim/2026a.example.org.pem");
	assert_non_null(at);
	fp = fopen(f->conf, "w");
	assert_non_null(fp);
	fwrite(out, 1, (size_t)(at - out), fp);
	fputs(f->ed, fp);
	fputs(at + strlen("/etc/mox-milter/dkim/2026a.example.org.pem"), fp);
	fclose(fp);
	c = mconf_new();
	rc = mconf_load(c, f->conf, err, sizeof(err));
	if (rc != 0)
		fail_msg("%s", err);
	assert_string_equal(c->authserv_id, "mail.example.org");
	assert_int_equal(c->nsign, 1);
	assert_non_null(c->sign[0].key);
	assert_int_equal(c->sign[0].nheaders, 4);
	assert_int_equal(c->ndomains, 1);
	assert_int_equal(c->nallow_ips, 2);
	assert_string_equal(c->report_from, "dmarc-reports@example.org");
	mconf_free(c);
	free(out);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_full_config, setup),
		cmocka_unit_test_setup(test_load_errors, setup),
		cmocka_unit_test_setup(test_missing_key_file, setup),
		cmocka_unit_test_setup(test_hostname_default, setup),
		cmocka_unit_test_setup(test_add_sign, setup),
		cmocka_unit_test_setup(test_check, setup),
		cmocka_unit_test_setup(test_mnet, setup),
		cmocka_unit_test_setup(test_describe, setup),
	};

	return cmocka_run_group_tests(tests, NULL, cleanup_all);
}
