/* SPDX-License-Identifier: MIT */
/*
 * conf.c -- the mox-milter config: key table (sconf), defaults, loading,
 * consistency checks, signing keys, networks, the resolver it asks for.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mox/addr.h>

#include "milter.h"
#include "sconf.h"

/* Largest PEM key file read. */
#define KEYFILE_MAX (64 * 1024)

static void
errf(char *err, size_t errcap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
errf(char *err, size_t errcap, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errcap == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errcap, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------ networks */

int
mnet_parse(struct mnet *out, const char *s)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };
	unsigned int bits;
	mox_ip ip;

	if (out == NULL || s == NULL ||
	    mox_cidr_parse(&ip, &bits, s, strlen(s)) != MOX_OK)
		return -1;
	memset(out, 0, sizeof(*out));
	if (ip.family == 4) {
		out->family = AF_INET;
		memcpy(out->addr, ip.addr, 4);
		out->bits = bits;
	} else if (bits >= 96 && memcmp(ip.addr, mapped, 12) == 0) {
		/* ::ffff:10.0.0.0/104 is 10.0.0.0/8 */
		out->family = AF_INET;
		memcpy(out->addr, ip.addr + 12, 4);
		out->bits = bits - 96;
	} else {
		out->family = AF_INET6;
		memcpy(out->addr, ip.addr, 16);
		out->bits = bits;
	}
	return 0;
}

bool
mnet_match(const struct mnet *n, int family, const uint8_t *ip)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff };
	unsigned int full, rest;

	if (n == NULL || ip == NULL)
		return false;
	if (family == AF_INET6 && memcmp(ip, mapped, 12) == 0) {
		family = AF_INET;
		ip += 12;
	}
	if (family != n->family)
		return false;
	full = n->bits / 8;
	rest = n->bits % 8;
	if (full > (family == AF_INET ? 4u : 16u))
		return false;
	if (memcmp(ip, n->addr, full) != 0)
		return false;
	if (rest != 0) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((ip[full] & mask) != (n->addr[full] & mask))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------ values */

static void
release_str(void *field)
{
	char *s;

	memcpy(&s, field, sizeof(s));
	free(s);
	s = NULL;
	memcpy(field, &s, sizeof(s));
}

static int
set_str(void *field, const char *value, char *err, size_t errcap)
{
	char *s = strdup(value), *old;

	if (s == NULL) {
		errf(err, errcap, "out of memory");
		return -1;
	}
	memcpy(&old, field, sizeof(old));
	free(old);
	memcpy(field, &s, sizeof(s));
	return 0;
}

/* A domain name, stored as lowercase A-labels. */
static int
norm_domain(char *out, size_t cap, const char *value, unsigned int flags,
    char *err, size_t errcap)
{
	mox_domain d;
	int rc;

	rc = mox_domain_parse(&d, value, strlen(value),
	    flags | MOX_DOMAIN_ALLOW_TRAILING_DOT);
	if (rc != MOX_OK) {
		errf(err, errcap, "invalid domain \"%s\": %s", value,
		    mox_strerror(rc));
		return -1;
	}
	snprintf(out, cap, "%s", d.ascii);
	return 0;
}

static int
parse_domain(void *field, void *base, const char *value, char *err,
    size_t errcap)
{
	char d[MOX_DOMAIN_MAX + 1];

	(void)base;
	if (norm_domain(d, sizeof(d), value, 0, err, errcap) != 0)
		return -1;
	return set_str(field, d, err, errcap);
}

static int
parse_selector(void *field, void *base, const char *value, char *err,
    size_t errcap)
{
	char d[MOX_DOMAIN_MAX + 1];

	(void)base;
	if (norm_domain(d, sizeof(d), value, MOX_DOMAIN_ALLOW_UNDERSCORE, err,
		errcap) != 0)
		return -1;
	return set_str(field, d, err, errcap);
}

static int
parse_net(void *field, void *base, const char *value, char *err,
    size_t errcap)
{
	(void)base;
	if (mnet_parse(field, value) != 0) {
		errf(err, errcap, "want an IP address or network such as "
		    "10.0.0.0/8 or fd00::/8, not \"%s\"", value);
		return -1;
	}
	return 0;
}

/* A header field name (RFC 5322 2.2: printable ASCII except colon). */
static int
parse_header(void *field, void *base, const char *value, char *err,
    size_t errcap)
{
	const char *c;

	(void)base;
	for (c = value; *c != '\0'; c++) {
		if (*c < 33 || *c > 126 || *c == ':') {
			errf(err, errcap, "invalid header field name \"%s\"",
			    value);
			return -1;
		}
	}
	return set_str(field, value, err, errcap);
}

/* RFC 6376 3.5 c=: "header/body", body simple when left out. */
static int
parse_canon(void *field, void *base, const char *value, char *err,
    size_t errcap)
{
	struct mconf_sign *s = base;
	const char *slash = strchr(value, '/');
	size_t hl = slash != NULL ? (size_t)(slash - value) : strlen(value);
	const char *body = slash != NULL ? slash + 1 : "simple";
	bool hr, br;

	(void)field;
	if (hl == 7 && strncmp(value, "relaxed", 7) == 0)
		hr = true;
	else if (hl == 6 && strncmp(value, "simple", 6) == 0)
		hr = false;
	else
		goto bad;
	if (strcmp(body, "relaxed") == 0)
		br = true;
	else if (strcmp(body, "simple") == 0)
		br = false;
	else
		goto bad;
	s->relaxed_header = hr;
	s->relaxed_body = br;
	return 0;
bad:
	errf(err, errcap,
	    "unknown canonicalization \"%s\", want relaxed/relaxed, "
	    "relaxed/simple, simple/relaxed or simple/simple",
	    value);
	return -1;
}

/* ------------------------------------------------------------ signing */

/* Read keyfile and parse the key into s->key. */
static int
load_key(struct mconf_sign *s, char *err, size_t errcap)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t len = 0;
	ssize_t got;
	int fd, rc;

	/* O_NONBLOCK: a FIFO must not block the open; fstat refuses it. */
	fd = open(s->keyfile, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		errf(err, errcap, "private key file %s: %s", s->keyfile,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > KEYFILE_MAX) {
		errf(err, errcap,
		    "private key file %s: not a regular file of at most %d "
		    "octets",
		    s->keyfile, KEYFILE_MAX);
		close(fd);
		return -1;
	}
	if ((st.st_mode & (S_IROTH | S_IWOTH)) != 0)
		mlog(MLOG_WARN, "private key file is accessible to others",
		    "file", s->keyfile, "domain", s->domain, "selector",
		    s->selector, NULL);
	buf = malloc((size_t)st.st_size + 1);
	if (buf == NULL) {
		close(fd);
		errf(err, errcap, "out of memory");
		return -1;
	}
	while (len < (size_t)st.st_size) {
		got = read(fd, buf + len, (size_t)st.st_size - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	mox_dkim_key_free(s->key);
	s->key = NULL;
	rc = mox_dkim_key_from_pem(&s->key, buf, len);
	memset(buf, 0, len);
	free(buf);
	if (rc != MOX_OK) {
		errf(err, errcap, "private key file %s: %s", s->keyfile,
		    rc == MOX_ESYNTAX ? "no PEM private key (PKCS#8 or PKCS#1)" :
					 mox_strerror(rc));
		return -1;
	}
	return 0;
}

static int
sign_finish(void *base, char *err, size_t errcap)
{
	struct mconf_sign *s = base;
	size_t i;

	if (s->nheaders > 0) {
		for (i = 0; i < s->nheaders; i++)
			if (strcasecmp(s->headers[i], "From") == 0)
				break;
		if (i == s->nheaders) {
			errf(err, errcap, "Headers must include From "
			    "(RFC 6376 5.4)");
			return -1;
		}
	}
	return load_key(s, err, errcap);
}

static void
sign_release(void *base)
{
	struct mconf_sign *s = base;

	mox_dkim_key_free(s->key);
	s->key = NULL;
}

/* ------------------------------------------------------------ the table */

#define F(type, m) offsetof(type, m), sizeof(((type *)0)->m)
#define C(m) F(struct mconf, m)

static const char *const level_choices[] = { "error", "warn", "info",
	"debug", "trace", NULL };
static const char *const quarantine_choices[] = { "header", "hold", "none",
	NULL };
static const char *const temperror_choices[] = { "accept", "tempfail",
	NULL };
static const char *const mode_choices[] = { "rfc9989", "rfc7489", NULL };

static const struct sconf_key string_item = { .name = "item",
	.type = SCONF_STRING, .size = sizeof(char *) };
static const struct sconf_key dname_item = { .name = "item",
	.type = SCONF_CUSTOM, .size = sizeof(char *), .parse = parse_domain,
	.release = release_str };
static const struct sconf_key header_item = { .name = "item",
	.type = SCONF_CUSTOM, .size = sizeof(char *), .parse = parse_header,
	.release = release_str };
static const struct sconf_key net_item = { .name = "item",
	.type = SCONF_CUSTOM, .size = sizeof(struct mnet), .parse = parse_net };

static const struct sconf_key dns_keys[] = {
	{ .name = "ZoneFile", .type = SCONF_STRING, C(zone_file),
	    .flags = SCONF_PATH | SCONF_NONEMPTY,
	    .example = "/etc/mox-milter/zone.txt",
	    .doc = "Answer every DNS question from this zone file (RFC 1035 "
		   "master file syntax) instead of asking DNS servers. For "
		   "tests and offline setups." },
	{ .name = "Servers", .type = SCONF_LIST, C(dns_servers),
	    .count_offset = offsetof(struct mconf, ndns_servers),
	    .item = &string_item, .example = "127.0.0.53\n192.0.2.1@5353",
	    .doc = "DNS servers to forward questions to, as IP or IP@PORT. "
		   "Without any, the nameservers of ResolvConf are used." },
	{ .name = "ResolvConf", .type = SCONF_STRING, C(resolvconf),
	    .flags = SCONF_PATH | SCONF_NONEMPTY, .example = "/etc/resolv.conf",
	    .doc = "File with the nameservers to forward to when Servers is "
		   "empty. Default /etc/resolv.conf." },
	{ .name = "TrustAnchor", .type = SCONF_STRING, C(trust_anchor),
	    .flags = SCONF_PATH | SCONF_NONEMPTY,
	    .example = "/usr/share/dns/root.key",
	    .doc = "DNSSEC trust anchor file (DS or DNSKEY records). Without "
		   "one, no answer counts as DNSSEC-authentic." },
	{ .name = "Timeout", .type = SCONF_DURATION, C(dns_timeout_ms),
	    .unit = 1, .min = 1, .max = 600000, .def = "10s",
	    .doc = "Time to wait for the answer to one DNS question." },
	{ .name = NULL }
};

static const struct sconf_key sign_keys[] = {
	{ .name = "Domain", .type = SCONF_CUSTOM,
	    F(struct mconf_sign, domain), .parse = parse_domain,
	    .release = release_str, .flags = SCONF_REQUIRED,
	    .example = "example.org",
	    .doc = "Messages whose From address has this domain are signed, "
		   "with d= this domain." },
	{ .name = "Selector", .type = SCONF_CUSTOM,
	    F(struct mconf_sign, selector), .parse = parse_selector,
	    .release = release_str, .flags = SCONF_REQUIRED,
	    .example = "2026a",
	    .doc = "DKIM selector (s=): the public key is published in DNS "
		   "at <selector>._domainkey.<domain>." },
	{ .name = "PrivateKeyFile", .type = SCONF_STRING,
	    F(struct mconf_sign, keyfile), .flags = SCONF_REQUIRED |
	    SCONF_PATH | SCONF_NONEMPTY,
	    .example = "/etc/mox-milter/dkim/2026a.example.org.pem",
	    .doc = "PEM file with the private key: PKCS#8 (RSA or Ed25519) "
		   "or PKCS#1 RSA. Relative to the config file's directory. "
		   "Should not be readable by others (a warning is logged)." },
	{ .name = "Headers", .type = SCONF_LIST,
	    F(struct mconf_sign, headers),
	    .count_offset = offsetof(struct mconf_sign, nheaders),
	    .item = &header_item, .example = "From\nTo\nSubject\nDate",
	    .doc = "Header fields to sign (h=); must include From. Default: "
		   "From, To, Cc, Reply-To, Subject, Date, Message-ID, "
		   "In-Reply-To, References, MIME-Version, Content-Type, "
		   "Content-Transfer-Encoding, List-Id, List-Unsubscribe, "
		   "List-Unsubscribe-Post, each as often as present." },
	{ .name = "Canonicalization", .type = SCONF_CUSTOM,
	    F(struct mconf_sign, relaxed_body), .parse = parse_canon,
	    .def = "relaxed/relaxed",
	    .doc = "Header and body canonicalization (c=), header/body: "
		   "relaxed or simple each." },
	{ .name = "Expiration", .type = SCONF_DURATION,
	    F(struct mconf_sign, expire), .unit = 1000, .min = 0,
	    .max = 100L * 365 * 86400, .def = "0",
	    .doc = "Signatures expire (x=) this long after signing; 0 for "
		   "no expiration." },
	{ .name = NULL }
};

static const struct sconf_key sign_item = { .name = "item",
	.type = SCONF_BLOCK, .size = sizeof(struct mconf_sign),
	.sub = sign_keys, .finish = sign_finish, .release = sign_release };

static const struct sconf_key dkim_keys[] = {
	{ .name = "Sign", .type = SCONF_LIST, C(sign),
	    .count_offset = offsetof(struct mconf, nsign), .item = &sign_item,
	    .doc = "Selectors to sign outgoing messages with (from internal "
		   "networks or authenticated senders). Each message is "
		   "signed with every selector of its From domain." },
	{ .name = NULL }
};

static const struct sconf_key spf_keys[] = {
	{ .name = "CheckHELO", .type = SCONF_BOOL, C(spf_helo),
	    .def = "true",
	    .doc = "Also check the HELO name with SPF (RFC 7208 2.3), "
		   "reported in Authentication-Results as smtp.helo." },
	{ .name = NULL }
};

static const struct sconf_key domain_keys[] = {
	{ .name = "Domain", .type = SCONF_CUSTOM,
	    F(struct mconf_domain, domain), .parse = parse_domain,
	    .release = release_str, .flags = SCONF_REQUIRED,
	    .example = "lists.example.net",
	    .doc = "From domain this applies to." },
	{ .name = "Reject", .type = SCONF_BOOL,
	    F(struct mconf_domain, reject), .flags = SCONF_REQUIRED,
	    .example = "false",
	    .doc = "Whether p=reject of this domain is enforced." },
	{ .name = NULL }
};

static const struct sconf_key domain_block_item = { .name = "item",
	.type = SCONF_BLOCK, .size = sizeof(struct mconf_domain),
	.sub = domain_keys };

static const struct sconf_key dmarc_keys[] = {
	{ .name = "Mode", .type = SCONF_ENUM, C(rfc7489),
	    .choices = mode_choices, .def = "rfc9989",
	    .doc = "Policy discovery: rfc9989 walks the DNS tree; rfc7489 "
		   "uses the Public Suffix List (PSLFile) and honours pct=. "
		   "Aggregate reports use the format of the same RFC "
		   "(RFC 9990 for rfc9989)." },
	{ .name = "PSLFile", .type = SCONF_STRING, C(psl_file),
	    .flags = SCONF_PATH | SCONF_NONEMPTY,
	    .example = "/usr/share/publicsuffix/public_suffix_list.dat",
	    .doc = "Public Suffix List for rfc7489 mode and for deciding "
		   "which report destinations are external. Default: the "
		   "list of Debian's publicsuffix package." },
	{ .name = "Reject", .type = SCONF_BOOL, C(dmarc_reject),
	    .def = "true",
	    .doc = "Reject (550 5.7.1) messages that fail DMARC of a domain "
		   "with p=reject. When false, they are quarantined." },
	{ .name = "Domains", .type = SCONF_LIST, C(domains),
	    .count_offset = offsetof(struct mconf, ndomains),
	    .item = &domain_block_item,
	    .doc = "Per From domain exceptions to Reject." },
	{ .name = "AllowIPs", .type = SCONF_LIST, C(allow_ips),
	    .count_offset = offsetof(struct mconf, nallow_ips),
	    .item = &net_item, .example = "192.0.2.0/24\n2001:db8::/32",
	    .doc = "Messages from these IPs or networks are never rejected "
		   "or quarantined for DMARC (forwarders, mailing lists); "
		   "the result is still recorded." },
	{ .name = "AllowDomains", .type = SCONF_LIST, C(allow_domains),
	    .count_offset = offsetof(struct mconf, nallow_domains),
	    .item = &dname_item,
	    .example = "lists.example.net",
	    .doc = "Messages with an SPF pass or valid DKIM signature of "
		   "these domains are never rejected or quarantined for "
		   "DMARC." },
	{ .name = "Quarantine", .type = SCONF_ENUM, C(quarantine),
	    .choices = quarantine_choices, .def = "header",
	    .doc = "What quarantine means: header adds QuarantineHeader; "
		   "hold puts the message in the MTA's hold queue; none "
		   "only records the result in Authentication-Results." },
	{ .name = "QuarantineHeader", .type = SCONF_STRING,
	    C(quarantine_header), .flags = SCONF_NONEMPTY,
	    .def = "X-Mox-Quarantine",
	    .doc = "Header field added to quarantined messages, with the "
		   "reason as value." },
	{ .name = "TempError", .type = SCONF_ENUM, C(temperror),
	    .choices = temperror_choices, .def = "accept",
	    .doc = "When the DMARC result is temperror (DNS failed): accept "
		   "the message, or tempfail it (451 4.7.1) so the sender "
		   "retries." },
	{ .name = NULL }
};

static const struct sconf_key limits_keys[] = {
	{ .name = "MaxHeaderBytes", .type = SCONF_INT, C(max_header_bytes),
	    .min = 4096, .max = 64 << 20, .def = "1048576",
	    .doc = "Largest header section accepted, in octets; a larger one "
		   "is refused with 552 5.3.4." },
	{ .name = "MaxVerifyBytes", .type = SCONF_INT, C(max_verify_bytes),
	    .min = 0, .max = INT64_MAX, .def = "0",
	    .doc = "Body octets hashed for DKIM verification; the rest is "
		   "not read, and signatures over more of the body (without "
		   "l=) are not verified: dkim=policy. 0 for no limit." },
	{ .name = "MilterTimeout", .type = SCONF_DURATION, C(milter_timeout),
	    .unit = 1000, .min = 1, .max = 86400, .def = "5m",
	    .doc = "How long the MTA may stay silent in the middle of a "
		   "milter conversation before the connection is closed "
		   "(Postfix's milter_content_timeout is 300s)." },
	{ .name = NULL }
};

static const struct sconf_key reports_keys[] = {
	{ .name = "Store", .type = SCONF_STRING, C(report_store),
	    .flags = SCONF_PATH | SCONF_NONEMPTY,
	    .example = "/var/lib/mox-milter/dmarc.lmdb",
	    .doc = "LMDB file (or existing directory) where DMARC evaluations "
		   "are kept for aggregate reports (RFC 9990), sent by "
		   "\"mox-milter dmarc-report -send\". Without it no "
		   "evaluations are kept." },
	{ .name = "OrgName", .type = SCONF_STRING, C(report_org),
	    .flags = SCONF_NONEMPTY, .example = "Example Org",
	    .doc = "Organization name in reports (org_name). Default: "
		   "Hostname." },
	{ .name = "From", .type = SCONF_STRING, C(report_from),
	    .flags = SCONF_NONEMPTY, .example = "dmarc-reports@example.org",
	    .doc = "Address reports are sent from (From, envelope sender, "
		   "report email). Its domain should pass DMARC: sign it. "
		   "Required with Store." },
	{ .name = "Sendmail", .type = SCONF_STRING, C(report_sendmail),
	    .flags = SCONF_NONEMPTY, .def = "/usr/sbin/sendmail",
	    .doc = "Program that submits report emails, run as \"sendmail -i "
		   "-f From -- addresses\" with the message on its input." },
	{ .name = "MaxRows", .type = SCONF_INT, C(report_max_rows),
	    .min = 1, .max = 1000000, .def = "10000",
	    .doc = "Most records in one report; more rows are split over "
		   "several reports." },
	{ .name = NULL }
};

static const struct sconf_key log_keys[] = {
	{ .name = "Level", .type = SCONF_ENUM, C(log_level),
	    .choices = level_choices, .def = "info",
	    .doc = "Most verbose level logged." },
	{ .name = "Syslog", .type = SCONF_BOOL, C(syslog), .def = "false",
	    .doc = "Log to syslog (facility mail) instead of standard "
		   "error." },
	{ .name = NULL }
};

static const struct sconf_key stats_keys[] = {
	{ .name = "File", .type = SCONF_STRING, C(stats_file),
	    .flags = SCONF_PATH | SCONF_NONEMPTY,
	    .example = "/var/lib/prometheus/node-exporter/mox-milter.prom",
	    .doc = "Counters of results in Prometheus text format, rewritten "
		   "every Interval (for node_exporter's textfile "
		   "collector)." },
	{ .name = "Interval", .type = SCONF_DURATION, C(stats_interval),
	    .unit = 1000, .min = 1, .max = 86400, .def = "10s",
	    .doc = "How often File is rewritten." },
	{ .name = NULL }
};

static const struct sconf_key mconf_keys[] = {
	{ .name = "Listen", .type = SCONF_STRING, C(listen),
	    .flags = SCONF_NONEMPTY, .def = "inet:8891@127.0.0.1",
	    .doc = "Milter socket: inet:PORT@ADDR, inet6:PORT@ADDR or "
		   "unix:PATH. Postfix: smtpd_milters = inet:127.0.0.1:8891." },
	{ .name = "AuthservID", .type = SCONF_STRING, C(authserv_id),
	    .flags = SCONF_REQUIRED | SCONF_NONEMPTY,
	    .example = "mail.example.org",
	    .doc = "authserv-id of the Authentication-Results fields added "
		   "(RFC 8601), normally the host name of the MTA. Fields "
		   "with this id that arrive with a message are removed." },
	{ .name = "Hostname", .type = SCONF_CUSTOM, C(hostname),
	    .parse = parse_domain, .release = release_str,
	    .example = "mail.example.org",
	    .doc = "Host name of this mail server, for Received-SPF and "
		   "reports. Default: AuthservID." },
	{ .name = "DNS", .type = SCONF_BLOCK, .sub = dns_keys,
	    .doc = "DNS resolver." },
	{ .name = "InternalNetworks", .type = SCONF_LIST, C(internal),
	    .count_offset = offsetof(struct mconf, ninternal),
	    .item = &net_item, .def = "127.0.0.0/8\n::1",
	    .doc = "Messages from these IPs or networks are outgoing: they "
		   "are signed, not verified." },
	{ .name = "SignAuthenticated", .type = SCONF_BOOL,
	    C(sign_authenticated), .def = "true",
	    .doc = "Messages of SMTP-authenticated senders (milter macro "
		   "{auth_authen}) are outgoing too." },
	{ .name = "DKIM", .type = SCONF_BLOCK, .sub = dkim_keys,
	    .doc = "DKIM signing of outgoing messages (RFC 6376)." },
	{ .name = "SPF", .type = SCONF_BLOCK, .sub = spf_keys,
	    .doc = "SPF checks of incoming messages (RFC 7208)." },
	{ .name = "DMARC", .type = SCONF_BLOCK, .sub = dmarc_keys,
	    .doc = "DMARC policy of incoming messages (RFC 9989)." },
	{ .name = "Limits", .type = SCONF_BLOCK, .sub = limits_keys,
	    .doc = "Bounds on what is read of a message." },
	{ .name = "Reports", .type = SCONF_BLOCK, .sub = reports_keys,
	    .doc = "DMARC aggregate reports about incoming messages." },
	{ .name = "Log", .type = SCONF_BLOCK, .sub = log_keys,
	    .doc = "Logging (logfmt lines)." },
	{ .name = "Stats", .type = SCONF_BLOCK, .sub = stats_keys,
	    .doc = "Result counters." },
	{ .name = NULL }
};

/* ------------------------------------------------------------ API */

struct mconf *
mconf_new(void)
{
	struct mconf *c = calloc(1, sizeof(*c));
	char err[256];

	if (c == NULL)
		return NULL;
	if (sconf_defaults(mconf_keys, c, err, sizeof(err)) != 0) {
		/* Only when out of memory: the defaults parse. */
		mconf_free(c);
		return NULL;
	}
	return c;
}

void
mconf_free(struct mconf *c)
{
	if (c == NULL)
		return;
	sconf_free(mconf_keys, c);
	free(c);
}

static int conf_loaded(struct mconf *c, char *err, size_t errcap);

int
mconf_load(struct mconf *c, const char *path, char *err, size_t errcap)
{
	if (c == NULL || path == NULL) {
		errf(err, errcap, "no config");
		return -1;
	}
	if (sconf_parse_file(mconf_keys, c, path, err, errcap) != 0)
		return -1;
	return conf_loaded(c, err, errcap);
}

int
mconf_load_text(struct mconf *c, const char *name, const char *text,
    size_t len, char *err, size_t errcap)
{
	if (c == NULL || name == NULL || (text == NULL && len > 0)) {
		errf(err, errcap, "no config");
		return -1;
	}
	if (sconf_parse(mconf_keys, c, name, NULL, text, len, err,
	    errcap) != 0)
		return -1;
	return conf_loaded(c, err, errcap);
}

/* What follows a parse: derived defaults. */
static int
conf_loaded(struct mconf *c, char *err, size_t errcap)
{
	if (c->hostname == NULL && c->authserv_id != NULL) {
		char d[MOX_DOMAIN_MAX + 1];

		/* Only when the authserv-id is a domain name. */
		if (norm_domain(d, sizeof(d), c->authserv_id, 0, NULL, 0) ==
		    0 && set_str(&c->hostname, d, err, errcap) != 0)
			return -1;
	}
	return 0;
}

const char *
mconf_hostname(const struct mconf *c)
{
	return c->hostname != NULL ? c->hostname : c->authserv_id;
}

int
mconf_add_sign(struct mconf *c, const char *spec, char *err, size_t errcap)
{
	struct mconf_sign s, *ns;
	const char *c1, *c2;
	char *dom = NULL, *sel = NULL, msg[512];

	memset(&s, 0, sizeof(s));
	c1 = spec != NULL ? strchr(spec, ':') : NULL;
	c2 = c1 != NULL ? strchr(c1 + 1, ':') : NULL;
	if (c == NULL || c2 == NULL || c1 == spec || c2 == c1 + 1 ||
	    c2[1] == '\0') {
		errf(err, errcap, "-sign: want DOMAIN:SELECTOR:KEYFILE, not "
		    "\"%s\"", spec != NULL ? spec : "");
		return -1;
	}
	dom = strndup(spec, (size_t)(c1 - spec));
	sel = strndup(c1 + 1, (size_t)(c2 - c1 - 1));
	if (dom == NULL || sel == NULL ||
	    sconf_defaults(sign_keys, &s, msg, sizeof(msg)) != 0) {
		errf(err, errcap, "out of memory");
		goto fail;
	}
	if (parse_domain(&s.domain, &s, dom, msg, sizeof(msg)) != 0 ||
	    parse_selector(&s.selector, &s, sel, msg, sizeof(msg)) != 0 ||
	    set_str(&s.keyfile, c2 + 1, msg, sizeof(msg)) != 0 ||
	    sign_finish(&s, msg, sizeof(msg)) != 0) {
		errf(err, errcap, "-sign %s: %s", spec, msg);
		goto fail;
	}
	ns = realloc(c->sign, (c->nsign + 1) * sizeof(*ns));
	if (ns == NULL) {
		errf(err, errcap, "out of memory");
		goto fail;
	}
	c->sign = ns;
	c->sign[c->nsign++] = s;
	free(dom);
	free(sel);
	return 0;
fail:
	free(dom);
	free(sel);
	sconf_free(sign_keys, &s);
	sign_release(&s);
	return -1;
}

/* RFC 8601 2.2: authserv-id is a "value": a token (RFC 2045 5.1). */
static bool
is_token(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s <= 32 || (unsigned char)*s >= 127 ||
		    strchr("()<>@,;:\\\"/[]?=", *s) != NULL)
			return false;
	}
	return true;
}

static bool
valid_listen(const char *s)
{
	const char *at, *port;
	char *end;
	unsigned long n;

	if (strncmp(s, "unix:", 5) == 0 || strncmp(s, "local:", 6) == 0)
		return strchr(s, ':')[1] != '\0';
	if (strncmp(s, "inet:", 5) == 0)
		port = s + 5;
	else if (strncmp(s, "inet6:", 6) == 0)
		port = s + 6;
	else
		return false;
	if (*port < '0' || *port > '9')
		return false;
	errno = 0;
	n = strtoul(port, &end, 10);
	if (errno != 0 || n == 0 || n > 65535)
		return false;
	if (*end == '\0')
		return true;
	at = end;
	return *at == '@' && at[1] != '\0';
}

int
mconf_check(const struct mconf *c, char *err, size_t errcap)
{
	mox_address a;
	size_t i, j;

	if (c->authserv_id == NULL) {
		errf(err, errcap, "AuthservID is required");
		return -1;
	}
	if (!is_token(c->authserv_id)) {
		errf(err, errcap, "AuthservID \"%s\": want a token such as a "
		    "host name (RFC 8601 2.2)", c->authserv_id);
		return -1;
	}
	if (c->listen == NULL || !valid_listen(c->listen)) {
		errf(err, errcap, "Listen \"%s\": want inet:PORT@ADDR, "
		    "inet6:PORT@ADDR or unix:PATH",
		    c->listen != NULL ? c->listen : "");
		return -1;
	}
	if (c->zone_file != NULL && c->ndns_servers > 0) {
		errf(err, errcap, "DNS: ZoneFile and Servers exclude each "
		    "other");
		return -1;
	}
	if (c->quarantine == MCONF_QUARANTINE_HEADER &&
	    (c->quarantine_header == NULL ||
		strpbrk(c->quarantine_header, ": \t") != NULL)) {
		errf(err, errcap, "DMARC.QuarantineHeader: want a header "
		    "field name");
		return -1;
	}
	for (i = 0; i < c->nsign; i++) {
		if (c->sign[i].key == NULL) {
			errf(err, errcap, "DKIM.Sign[%zu]: key not loaded", i);
			return -1;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(c->sign[i].domain, c->sign[j].domain) == 0 &&
			    strcmp(c->sign[i].selector, c->sign[j].selector) ==
				0) {
				errf(err, errcap, "DKIM.Sign: selector %s of %s "
				    "given twice", c->sign[i].selector,
				    c->sign[i].domain);
				return -1;
			}
		}
	}
	for (i = 0; i < c->ndomains; i++) {
		for (j = 0; j < i; j++) {
			if (strcmp(c->domains[i].domain, c->domains[j].domain) ==
			    0) {
				errf(err, errcap, "DMARC.Domains: %s given twice",
				    c->domains[i].domain);
				return -1;
			}
		}
	}
	if (c->report_store != NULL) {
		if (c->report_from == NULL) {
			errf(err, errcap, "Reports.From is required with "
			    "Reports.Store");
			return -1;
		}
		if (mox_address_parse(&a, c->report_from,
			strlen(c->report_from), 0) != MOX_OK) {
			errf(err, errcap, "Reports.From \"%s\": not an email "
			    "address", c->report_from);
			return -1;
		}
		if (mconf_hostname(c) == NULL || mox_domain_parse(&a.domain,
		    mconf_hostname(c), strlen(mconf_hostname(c)), 0) !=
		    MOX_OK) {
			errf(err, errcap, "Hostname is required with "
			    "Reports.Store (AuthservID is not a domain name)");
			return -1;
		}
		if (c->report_sendmail == NULL ||
		    c->report_sendmail[0] == '\0') {
			errf(err, errcap, "Reports.Sendmail is empty");
			return -1;
		}
	}
	if (c->stats_file != NULL && c->stats_interval == 0) {
		errf(err, errcap, "Stats.Interval must be positive");
		return -1;
	}
	return 0;
}

void
mconf_describe(FILE *f)
{
	fputs("# mox-milter configuration, in mox's sconf format: \"Key: "
	      "value\" lines,\n"
	      "# nested blocks and list items (\"- value\") indented with "
	      "tabs, \"#\" comment\n"
	      "# lines. Keys without a default are commented out; remove "
	      "the \"#\" to set\n"
	      "# them. Relative file names are taken from the config "
	      "file's directory.\n\n",
	    f);
	sconf_describe(f, mconf_keys);
}

int
mconf_resolver(const struct mconf *c, const mox_unbound_options *extra,
    mox_resolver **out, char *err, size_t errcap)
{
	mox_unbound_options uo = MOX_UNBOUND_OPTIONS_INIT;
	mox_resolver *r = NULL;
	char uerr[512];
	int rc;

	*out = NULL;
	if (c->zone_file != NULL) {
		rc = mox_resolver_new_static(&r);
		if (rc == MOX_OK)
			rc = mox_resolver_static_load_file(r, c->zone_file, NULL);
		if (rc != MOX_OK) {
			errf(err, errcap, "zone file %s: %s", c->zone_file,
			    r != NULL && mox_resolver_errmsg(r)[0] != '\0' ?
				mox_resolver_errmsg(r) :
				mox_strerror(rc));
			mox_resolver_free(r);
			return -1;
		}
	} else {
		if (extra != NULL) {
			uo.stubs = extra->stubs;
			uo.nstubs = extra->nstubs;
			uo.unbound_options = extra->unbound_options;
			uo.nunbound_options = extra->nunbound_options;
		}
		if (extra != NULL && extra->mode == MOX_UNBOUND_RECURSE) {
			uo.mode = MOX_UNBOUND_RECURSE;
		} else if (c->ndns_servers > 0) {
			uo.mode = MOX_UNBOUND_FORWARD;
			uo.forwarders = (const char *const *)c->dns_servers;
			uo.nforwarders = c->ndns_servers;
		} else {
			uo.mode = MOX_UNBOUND_RESOLVCONF;
			uo.resolvconf = c->resolvconf;
		}
		uo.trust_anchor_file = c->trust_anchor;
		uo.timeout_ms = c->dns_timeout_ms;
		uerr[0] = '\0';
		rc = mox_resolver_new_unbound_err(&r, &uo, uerr, sizeof(uerr));
		if (rc != MOX_OK) {
			errf(err, errcap, "resolver: %s",
			    uerr[0] != '\0' ? uerr : mox_strerror(rc));
			return -1;
		}
	}
	if (c->dns_timeout_ms > 0)
		mox_resolver_set_timeout(r, c->dns_timeout_ms);
	*out = r;
	return 0;
}
