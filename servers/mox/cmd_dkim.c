/* SPDX-License-Identifier: MIT */
/*
 * cmd_dkim.c -- mox dkim gened25519|genrsa|txt|sign|lookup|verify: DKIM
 * (RFC 6376, RFC 8463) keys, signing, key records and verification over
 * the mox resolver (in-memory from -zone FILE, or libunbound).
 *
 * Output contract (scripts parse it):
 *   gened25519, genrsa  a PKCS#8 PEM private key ("-----BEGIN PRIVATE
 *           KEY-----").
 *   txt     the DNS TXT record value publishing the key's public part, one
 *           line ("v=DKIM1; k=ed25519; p=..."); with -split as zone file
 *           character-strings of at most 255 octets, quoted.
 *   sign    the message with its DKIM-Signature field prepended, the rest
 *           of the message unchanged.
 *   lookup  "key: value" lines: name, result, authentic, records, then
 *           per TXT record a "record: " line followed by its parsed tags
 *           (or an "error: " line when it does not parse).
 *   verify  one line per DKIM-Signature in header order:
 *             <result> d=<domain> s=<selector> a=<algorithm> reason=<text>
 *           result an RFC 8601 word (pass fail neutral policy temperror
 *           permerror); reason= is empty for pass. The single line "none"
 *           for a message without signatures. Nothing else on stdout.
 * Exit status 0 when the command ran (whatever a verification says), 1
 * when it could not (unreadable key, resolver failure, signing error), 2
 * on a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mox/addr.h>
#include <mox/dkim.h>
#include <mox/dns.h>

#include "mox.h"

#define MAX_HEADERS 64

/* --- helpers --- */

static uint8_t *
read_path(const char *path, size_t *len)
{
	FILE *f;
	uint8_t *buf;
	int e;

	if (strcmp(path, "-") == 0)
		return read_all(stdin, len);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	buf = read_all(f, len);
	e = errno;
	fclose(f);
	errno = e;
	return buf;
}

/* A private key from a PEM file; NULL after reporting why not. */
static mox_dkim_key *
load_key(const char *path)
{
	mox_dkim_key *k = NULL;
	uint8_t *pem;
	size_t len = 0;
	int rc;

	pem = read_path(path, &len);
	if (pem == NULL) {
		mox_errorf("key %s: %s", strcmp(path, "-") == 0 ?
		    "(standard input)" : path, strerror(errno));
		return NULL;
	}
	rc = mox_dkim_key_from_pem(&k, pem, len);
	/* The PEM held a private key: do not leave it in freed memory. */
	memset(pem, 0, len);
	free(pem);
	if (rc != MOX_OK) {
		mox_errorf("key %s: %s", strcmp(path, "-") == 0 ?
		    "(standard input)" : path, mox_strerror(rc));
		return NULL;
	}
	return k;
}

/* Text as \DDD where it is not printable ASCII (and backslash). */
static void
put_text(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c >= 0x7f || c == '\\')
			printf("\\%03u", c);
		else
			putchar(c);
	}
}

static void
put_str(const char *s)
{
	if (s != NULL)
		put_text(s, strlen(s));
}

/* Whether the message's first line ends in a bare LF: then the signature
 * field is written with LF line ends too, so the output stays in one
 * convention (the library reads bare LF as CRLF). */
static bool
uses_bare_lf(const uint8_t *msg, size_t len)
{
	const uint8_t *nl = memchr(msg, '\n', len);

	return nl != NULL && (nl == msg || nl[-1] != '\r');
}

/* Split a colon-separated list in place. Empty names are errors. */
static int
split_list(char *s, const char **out, size_t max, size_t *n,
    const char *flag)
{
	char *p = s;

	*n = 0;
	if (*s == '\0')
		return 0;
	for (;;) {
		char *c = strchr(p, ':');

		if (c != NULL)
			*c = '\0';
		if (*p == '\0') {
			mox_errorf("%s: empty header name in list", flag);
			return -1;
		}
		if (*n == max) {
			mox_errorf("%s: more than %zu names", flag, max);
			return -1;
		}
		out[(*n)++] = p;
		if (c == NULL)
			return 0;
		p = c + 1;
	}
}

static int
parse_canon_word(const char *s, size_t n, int *out)
{
	if (n == 6 && strncmp(s, "simple", 6) == 0)
		*out = MOX_DKIM_SIMPLE;
	else if (n == 7 && strncmp(s, "relaxed", 7) == 0)
		*out = MOX_DKIM_RELAXED;
	else
		return -1;
	return 0;
}

/* "header/body", or one word for the header with simple body (the c= tag
 * default, RFC 6376 3.5). */
static int
parse_canon(const char *s, int *hc, int *bc)
{
	const char *slash = strchr(s, '/');

	if (slash == NULL) {
		*bc = MOX_DKIM_SIMPLE;
		return parse_canon_word(s, strlen(s), hc);
	}
	if (parse_canon_word(s, (size_t)(slash - s), hc) != 0)
		return -1;
	return parse_canon_word(slash + 1, strlen(slash + 1), bc);
}

static int
parse_int64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (s[0] == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* --- gened25519, genrsa --- */

static void
gen_usage(FILE *f)
{
	fputs("usage: mox dkim gened25519\n"
	      "       mox dkim genrsa [-bits N]\n"
	      "\n"
	      "Generates a DKIM private key and prints it as PKCS#8 PEM\n"
	      "(\"-----BEGIN PRIVATE KEY-----\"); \"mox dkim txt\" prints the\n"
	      "DNS record for it. RSA keys have 2048 bits unless -bits says\n"
	      "otherwise (1024 to 4096, a multiple of 8; RFC 8301 wants at\n"
	      "least 1024, 2048 is recommended). Exit status 0 on success, 1\n"
	      "on failure, 2 on a usage error.\n",
	    f);
}

static int
dkim_gen(int argc, char **argv, int type)
{
	mox_dkim_key *k = NULL;
	char *pem = NULL;
	size_t len = 0;
	int64_t bits = 0;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (is_help(argv[i])) {
			gen_usage(stdout);
			return 0;
		}
		if (type == MOX_DKIM_KEY_RSA && strcmp(argv[i], "-bits") == 0) {
			if (i + 1 >= argc) {
				mox_errorf("flag -bits needs a value");
				return EXIT_USAGE;
			}
			i++;
			if (parse_int64(argv[i], 1024, 4096, &bits) != 0 ||
			    bits % 8 != 0) {
				mox_errorf("-bits wants 1024 to 4096, a multiple "
				    "of 8, not \"%s\"", argv[i]);
				return EXIT_USAGE;
			}
			continue;
		}
		if (argv[i][0] == '-')
			mox_errorf("unknown flag %s", argv[i]);
		gen_usage(stderr);
		return EXIT_USAGE;
	}
	rc = mox_dkim_key_generate(&k, type, (unsigned int)bits);
	if (rc == MOX_OK)
		rc = mox_dkim_key_to_pem(&pem, &len, k);
	if (rc != MOX_OK) {
		mox_errorf("generate: %s", mox_strerror(rc));
		mox_dkim_key_free(k);
		return 1;
	}
	fwrite(pem, 1, len, stdout);
	if (len == 0 || pem[len - 1] != '\n')
		putchar('\n');
	memset(pem, 0, len);
	mox_dkim_free(pem);
	mox_dkim_key_free(k);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* --- txt --- */

static void
txt_usage(FILE *f)
{
	fputs("usage: mox dkim txt [-split] [KEYFILE] < key\n"
	      "\n"
	      "Reads a private key (PKCS#8 PEM, RSA or Ed25519, or PKCS#1 \"RSA\n"
	      "PRIVATE KEY\") from KEYFILE or standard input and prints the\n"
	      "value of the TXT record that publishes it at\n"
	      "<selector>._domainkey.<domain>: \"v=DKIM1; k=ed25519; p=...\" or,\n"
	      "for RSA, \"v=DKIM1; h=sha256; p=...\".\n"
	      "\n"
	      "  -split   print the value as zone file character-strings of at\n"
	      "           most 255 octets, each quoted, separated by spaces (an\n"
	      "           RSA 2048 key needs two)\n",
	    f);
}

static int
dkim_txt(int argc, char **argv)
{
	const char *path = "-";
	mox_dkim_key *k;
	char *txt = NULL;
	size_t len = 0;
	bool split = false;
	int i, rc;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		if (is_help(argv[i])) {
			txt_usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "-split") == 0) {
			split = true;
			continue;
		}
		mox_errorf("unknown flag %s", argv[i]);
		txt_usage(stderr);
		return EXIT_USAGE;
	}
	if (argc - i > 1) {
		txt_usage(stderr);
		return EXIT_USAGE;
	}
	if (argc - i == 1)
		path = argv[i];
	k = load_key(path);
	if (k == NULL)
		return 1;
	rc = mox_dkim_key_txt(&txt, &len, k, split);
	mox_dkim_key_free(k);
	if (rc != MOX_OK) {
		mox_errorf("txt: %s", mox_strerror(rc));
		return 1;
	}
	fwrite(txt, 1, len, stdout);
	putchar('\n');
	mox_dkim_free(txt);
	return fflush(stdout) == 0 ? 0 : 1;
}

/* --- sign --- */

static void
sign_usage(FILE *f)
{
	fputs("usage: mox dkim sign -domain D -selector S -key FILE\n"
	      "           [-headers h1:h2:...] [-oversign h1:h2:...]\n"
	      "           [-canon relaxed/relaxed] [-identity I] [-time T]\n"
	      "           [-no-time] [-expire SECONDS] [-length] < message\n"
	      "\n"
	      "Signs the message on standard input (RFC 6376; rsa-sha256 or\n"
	      "ed25519-sha256 by the key's type) and prints it with the\n"
	      "DKIM-Signature field prepended; the message itself is copied\n"
	      "unchanged. The field is folded with CRLF, or with LF when the\n"
	      "message's first line ends in a bare LF (the library reads bare\n"
	      "LF as CRLF, as the message would be on the wire). Exit status 0\n"
	      "on success, 1 when the key cannot be read or signing fails (a\n"
	      "message without From), 2 on a usage error.\n"
	      "\n"
	      "  -domain D          d=, the signing domain (UTF-8 allowed)\n"
	      "  -selector S        s=, the selector\n"
	      "  -key FILE          private key, PEM (from gened25519/genrsa)\n"
	      "  -headers LIST      header fields to sign, colon-separated\n"
	      "                     (default: From, To, Cc, Reply-To, Subject,\n"
	      "                     Date, Message-ID, In-Reply-To, References,\n"
	      "                     MIME-Version, Content-Type,\n"
	      "                     Content-Transfer-Encoding, List-*; each as\n"
	      "                     often as it occurs)\n"
	      "  -oversign LIST     sign these once more than they occur, so\n"
	      "                     that adding one breaks the signature\n"
	      "                     (default From:Reply-To:Subject:Date:To:Cc;\n"
	      "                     \"\" for none)\n"
	      "  -canon H/B         c=: simple or relaxed for header and body\n"
	      "                     (default relaxed/relaxed; one word means\n"
	      "                     that for the header and simple for the body)\n"
	      "  -identity I        i=, an address in D or a subdomain\n"
	      "  -time T            t=, seconds since the epoch (default now)\n"
	      "  -no-time           leave out t= (and then -expire)\n"
	      "  -expire SECONDS    x= at t= plus SECONDS\n"
	      "  -length            add l= with the body length (not advised)\n",
	    f);
}

static int
dkim_sign_cmd(int argc, char **argv)
{
	mox_dkim_sign_options o = MOX_DKIM_SIGN_OPTIONS_INIT;
	const char *keypath = NULL;
	const char *hdrs[MAX_HEADERS], *over[MAX_HEADERS];
	size_t nh = 0, nover = 0, mlen = 0, slen = 0, k;
	mox_dkim_key *key = NULL;
	uint8_t *msg = NULL;
	char *sig = NULL;
	bool have_headers = false, have_over = false, no_time = false;
	int64_t t = 0, x = 0;
	int i, rc, status = 1;

	for (i = 1; i < argc; i++) {
		const char *f = argv[i];

		if (is_help(f)) {
			sign_usage(stdout);
			return 0;
		}
		if (strcmp(f, "-length") == 0) {
			o.body_length = true;
			continue;
		}
		if (strcmp(f, "-no-time") == 0) {
			no_time = true;
			continue;
		}
		if (strcmp(f, "-domain") != 0 && strcmp(f, "-selector") != 0 &&
		    strcmp(f, "-key") != 0 && strcmp(f, "-headers") != 0 &&
		    strcmp(f, "-oversign") != 0 && strcmp(f, "-canon") != 0 &&
		    strcmp(f, "-identity") != 0 && strcmp(f, "-time") != 0 &&
		    strcmp(f, "-expire") != 0) {
			if (f[0] == '-')
				mox_errorf("unknown flag %s", f);
			else
				mox_errorf("unexpected argument \"%s\" (the "
				    "message is read from standard input)", f);
			sign_usage(stderr);
			return EXIT_USAGE;
		}
		if (i + 1 >= argc) {
			mox_errorf("flag %s needs a value", f);
			return EXIT_USAGE;
		}
		i++;
		if (strcmp(f, "-domain") == 0) {
			o.domain = argv[i];
		} else if (strcmp(f, "-selector") == 0) {
			o.selector = argv[i];
		} else if (strcmp(f, "-key") == 0) {
			keypath = argv[i];
		} else if (strcmp(f, "-identity") == 0) {
			o.identity = argv[i];
		} else if (strcmp(f, "-headers") == 0) {
			if (split_list(argv[i], hdrs, MAX_HEADERS, &nh, f) != 0)
				return EXIT_USAGE;
			if (nh == 0) {
				mox_errorf("-headers wants at least From");
				return EXIT_USAGE;
			}
			have_headers = true;
		} else if (strcmp(f, "-oversign") == 0) {
			if (split_list(argv[i], over, MAX_HEADERS, &nover,
			    f) != 0)
				return EXIT_USAGE;
			have_over = true;
		} else if (strcmp(f, "-canon") == 0) {
			if (parse_canon(argv[i], &o.header_canon,
			    &o.body_canon) != 0) {
				mox_errorf("-canon wants simple or relaxed, "
				    "header/body, not \"%s\"", argv[i]);
				return EXIT_USAGE;
			}
		} else if (strcmp(f, "-time") == 0) {
			if (parse_int64(argv[i], 1, INT64_MAX / 2, &t) != 0) {
				mox_errorf("-time wants seconds since the epoch");
				return EXIT_USAGE;
			}
		} else {
			if (parse_int64(argv[i], 1, INT64_MAX / 2, &x) != 0) {
				mox_errorf("-expire wants seconds (> 0)");
				return EXIT_USAGE;
			}
		}
	}
	if (o.domain == NULL || o.selector == NULL || keypath == NULL) {
		mox_errorf("-domain, -selector and -key are required");
		sign_usage(stderr);
		return EXIT_USAGE;
	}
	if (o.domain[0] == '\0' || o.selector[0] == '\0') {
		mox_errorf("-domain and -selector must not be empty");
		return EXIT_USAGE;
	}
	if (no_time && x != 0) {
		mox_errorf("-expire needs t= (leave out -no-time)");
		return EXIT_USAGE;
	}
	if (have_headers) {
		bool from = false;

		for (k = 0; k < nh; k++)
			from = from || strcasecmp(hdrs[k], "From") == 0;
		if (!from) {
			mox_errorf("-headers must include From (RFC 6376 5.4)");
			return EXIT_USAGE;
		}
		o.headers = hdrs;
		o.nheaders = nh;
	}
	if (have_over) {
		o.oversign = over;
		o.noversign = nover;
	}
	o.timestamp = no_time ? -1 : t;
	o.expiration = x;

	key = load_key(keypath);
	if (key == NULL)
		goto out;
	o.key = key;
	msg = read_all(stdin, &mlen);
	if (msg == NULL) {
		mox_errorf("reading the message: %s", strerror(errno));
		goto out;
	}
	rc = mox_dkim_sign(&sig, &slen, &o, msg, mlen);
	if (rc != MOX_OK) {
		if (rc == MOX_ESYNTAX)
			mox_errorf("sign: %s (the message needs a From "
			    "header field)", mox_strerror(rc));
		else
			mox_errorf("sign: %s", mox_strerror(rc));
		goto out;
	}
	if (uses_bare_lf(msg, mlen)) {
		for (k = 0; k < slen; k++) {
			if (sig[k] == '\r' && k + 1 < slen && sig[k + 1] == '\n')
				continue;
			putchar(sig[k]);
		}
	} else {
		fwrite(sig, 1, slen, stdout);
	}
	fwrite(msg, 1, mlen, stdout);
	if (fflush(stdout) != 0) {
		mox_errorf("writing: %s", strerror(errno));
		goto out;
	}
	status = 0;
out:
	mox_dkim_free(sig);
	free(msg);
	mox_dkim_key_free(key);
	return status;
}

/* --- lookup --- */

static void
lookup_usage(FILE *f)
{
	fputs("usage: mox dkim lookup [-zone FILE] [resolver flags] <selector> "
	      "<domain>\n"
	      "\n"
	      "Looks up the DKIM key record at <selector>._domainkey.<domain>\n"
	      "(TXT; <domain> may be UTF-8) and prints \"key: value\" lines:\n"
	      "name, result (ok, nodata, nxdomain, servfail, timeout, bogus,\n"
	      "error), authentic (DNSSEC), records (the number of TXT records;\n"
	      "a verifier wants exactly one), then for each record \"record: \"\n"
	      "with its text (octets outside printable ASCII as \\DDD) and\n"
	      "either \"error: \" (it does not parse, RFC 6376 3.6.1) or the\n"
	      "parsed tags: key-type (rsa, ed25519), hashes (sha256, sha1),\n"
	      "service (email or other), flags (testing, strict, or none),\n"
	      "revoked (yes, no), rsa-bits (RSA), pubkey-length (octets), notes\n"
	      "(when n= is present). Exit status 0 when an answer came\n"
	      "(whatever it says), 1 when the resolver failed, 2 on a usage\n"
	      "error.\n"
	      "\n",
	    f);
	fputs(rflags_help, f);
}

static void
print_keyrec(const mox_dkim_keyrec *kr)
{
	printf("key-type: %s\n", kr->key_type == MOX_DKIM_KEY_RSA ? "rsa" :
	    kr->key_type == MOX_DKIM_KEY_ED25519 ? "ed25519" : "unknown");
	printf("hashes:");
	if (kr->hashes & ((1u << MOX_DKIM_RSA_SHA256) |
	    (1u << MOX_DKIM_ED25519_SHA256)))
		printf(" sha256");
	if (kr->hashes & (1u << MOX_DKIM_RSA_SHA1))
		printf(" sha1");
	if ((kr->hashes & ((1u << MOX_DKIM_RSA_SHA256) |
	    (1u << MOX_DKIM_ED25519_SHA256) | (1u << MOX_DKIM_RSA_SHA1))) == 0)
		printf(" none");
	printf("\n");
	printf("service: %s\n", kr->email_service ? "email" : "other");
	if (kr->flags == 0) {
		printf("flags: none\n");
	} else {
		printf("flags:");
		if (kr->flags & MOX_DKIM_KEY_TESTING)
			printf(" testing");
		if (kr->flags & MOX_DKIM_KEY_STRICT)
			printf(" strict");
		printf("\n");
	}
	printf("revoked: %s\n", kr->revoked ? "yes" : "no");
	if (kr->key_type == MOX_DKIM_KEY_RSA && !kr->revoked)
		printf("rsa-bits: %u\n", kr->rsa_bits);
	printf("pubkey-length: %zu\n", kr->pubkey_len);
	if (kr->notes != NULL) {
		printf("notes: ");
		put_str(kr->notes);
		printf("\n");
	}
}

static int
dkim_lookup(int argc, char **argv)
{
	struct rflags rf;
	mox_resolver *r = NULL;
	mox_dns_answer *ans = NULL;
	mox_domain d, sel;
	char name[MOX_DOMAIN_UNICODE_SIZE * 2 + 16];
	size_t k;
	int i, rc, status = 1;

	rflags_init(&rf);
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (is_help(argv[i])) {
			lookup_usage(stdout);
			return 0;
		}
		rc = rflags_take(&rf, argc, argv, &i);
		if (rc < 0)
			return EXIT_USAGE;
		if (rc == 0) {
			mox_errorf("unknown flag %s", argv[i]);
			lookup_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - i != 2) {
		lookup_usage(stderr);
		return EXIT_USAGE;
	}
	rc = mox_domain_parse(&sel, argv[i], strlen(argv[i]),
	    MOX_DOMAIN_ALLOW_UNDERSCORE);
	if (rc != MOX_OK) {
		mox_errorf("bad selector \"%s\": %s", argv[i],
		    mox_strerror(rc));
		return EXIT_USAGE;
	}
	rc = mox_domain_parse(&d, argv[i + 1], strlen(argv[i + 1]),
	    MOX_DOMAIN_ALLOW_UNDERSCORE | MOX_DOMAIN_ALLOW_TRAILING_DOT);
	if (rc != MOX_OK) {
		mox_errorf("bad domain \"%s\": %s", argv[i + 1],
		    mox_strerror(rc));
		return EXIT_USAGE;
	}
	snprintf(name, sizeof(name), "%s._domainkey.%s", sel.ascii, d.ascii);
	if (strlen(name) > MOX_DOMAIN_MAX) {
		mox_errorf("name %s is too long", name);
		return EXIT_USAGE;
	}
	r = rflags_open(&rf);
	if (r == NULL)
		goto out;
	rc = mox_dns_lookup(r, name, MOX_DNS_TXT, &ans);
	if (rc != MOX_OK) {
		mox_errorf("lookup %s: %s", name, mox_strerror(rc));
		goto out;
	}
	printf("name: %s.\n", name);
	printf("result: %s\n", mox_dns_result_name(mox_dns_answer_result(ans)));
	printf("authentic: %s\n", mox_dns_answer_secure(ans) ? "yes" : "no");
	printf("records: %zu\n", mox_dns_answer_count(ans));
	for (k = 0; k < mox_dns_answer_count(ans); k++) {
		const mox_dns_rr *rr = mox_dns_answer_rr(ans, k);
		mox_dkim_keyrec *kr = NULL;
		const char *err = NULL;

		printf("record: ");
		put_text(rr->text, rr->text_len);
		printf("\n");
		rc = mox_dkim_keyrec_parse(&kr, (const uint8_t *)rr->text,
		    rr->text_len, &err);
		if (rc != MOX_OK) {
			printf("error: %s%s%s\n", mox_strerror(rc),
			    err != NULL ? ": " : "", err != NULL ? err : "");
			continue;
		}
		print_keyrec(kr);
		mox_dkim_keyrec_free(kr);
	}
	status = fflush(stdout) == 0 ? 0 : 1;
out:
	mox_dns_answer_free(ans);
	mox_resolver_free(r);
	return status;
}

/* --- verify --- */

static void
verify_usage(FILE *f)
{
	fputs("usage: mox dkim verify [-zone FILE] [resolver flags] [-now T]\n"
	      "           [-allow-sha1] [-allow-length] [-ignore-expiry]\n"
	      "           [-min-rsa-bits N] < message\n"
	      "\n"
	      "Verifies every DKIM-Signature of the message on standard input\n"
	      "(RFC 6376, RFC 8301, RFC 8463) and prints one line per\n"
	      "signature, in header order:\n"
	      "\n"
	      "  <result> d=<domain> s=<selector> a=<algorithm> reason=<text>\n"
	      "\n"
	      "<result> is an RFC 8601 word: pass, fail, neutral, policy,\n"
	      "temperror or permerror. reason= is followed by nothing for pass,\n"
	      "else by why (\"body hash mismatch\", \"signature mismatch\", \"no\n"
	      "key record\", \"signature expired\", ...) up to the end of the\n"
	      "line. d=, s= and a= are empty when the signature did not parse\n"
	      "that far. Octets outside printable ASCII are written \\DDD. A\n"
	      "message without signatures gives the single line \"none\". Exit\n"
	      "status 0 when the verification ran (whatever the results), 1\n"
	      "when it could not (the resolver did not start), 2 on a usage\n"
	      "error.\n"
	      "\n"
	      "  -now T                the clock for t= and x=, seconds since the\n"
	      "                        epoch (default: now)\n"
	      "  -allow-sha1           accept rsa-sha1 (RFC 8301: off)\n"
	      "  -allow-length         accept l= (default: policy)\n"
	      "  -ignore-expiry        do not reject signatures past x=\n"
	      "  -min-rsa-bits N       smallest RSA key accepted (default 1024)\n",
	    f);
	fputs(rflags_help, f);
}

static int
dkim_verify_cmd(int argc, char **argv)
{
	mox_dkim_verify_options o = MOX_DKIM_VERIFY_OPTIONS_INIT;
	struct rflags rf;
	mox_resolver *r = NULL;
	mox_dkim_result *res = NULL;
	size_t nres = 0, mlen = 0, k;
	uint8_t *msg = NULL;
	int i, rc, status = 1;

	rflags_init(&rf);
	for (i = 1; i < argc; i++) {
		const char *f = argv[i];
		int64_t v;

		if (is_help(f)) {
			verify_usage(stdout);
			return 0;
		}
		rc = rflags_take(&rf, argc, argv, &i);
		if (rc < 0)
			return EXIT_USAGE;
		if (rc > 0)
			continue;
		if (strcmp(f, "-allow-sha1") == 0) {
			o.flags |= MOX_DKIM_VERIFY_ALLOW_SHA1;
			continue;
		}
		if (strcmp(f, "-allow-length") == 0) {
			o.flags |= MOX_DKIM_VERIFY_ALLOW_LENGTH;
			continue;
		}
		if (strcmp(f, "-ignore-expiry") == 0) {
			o.flags |= MOX_DKIM_VERIFY_IGNORE_EXPIRY;
			continue;
		}
		if (strcmp(f, "-now") != 0 && strcmp(f, "-min-rsa-bits") != 0) {
			if (f[0] == '-')
				mox_errorf("unknown flag %s", f);
			else
				mox_errorf("unexpected argument \"%s\" (the "
				    "message is read from standard input)", f);
			verify_usage(stderr);
			return EXIT_USAGE;
		}
		if (i + 1 >= argc) {
			mox_errorf("flag %s needs a value", f);
			return EXIT_USAGE;
		}
		i++;
		if (strcmp(f, "-now") == 0) {
			if (parse_int64(argv[i], 1, INT64_MAX / 2, &v) != 0) {
				mox_errorf("-now wants seconds since the epoch");
				return EXIT_USAGE;
			}
			o.now = v;
		} else {
			if (parse_int64(argv[i], 512, 16384, &v) != 0) {
				mox_errorf("-min-rsa-bits wants 512 to 16384");
				return EXIT_USAGE;
			}
			o.min_rsa_bits = (unsigned int)v;
		}
	}
	r = rflags_open(&rf);
	if (r == NULL)
		goto out;
	msg = read_all(stdin, &mlen);
	if (msg == NULL) {
		mox_errorf("reading the message: %s", strerror(errno));
		goto out;
	}
	rc = mox_dkim_verify(&res, &nres, r, &o, msg, mlen);
	if (rc != MOX_OK) {
		mox_errorf("verify: %s", mox_strerror(rc));
		goto out;
	}
	if (nres == 0)
		printf("none\n");
	for (k = 0; k < nres; k++) {
		const mox_dkim_result *x = &res[k];

		printf("%s d=", mox_dkim_verdict_name(x->verdict));
		put_str(x->domain);
		printf(" s=");
		put_str(x->selector);
		printf(" a=");
		put_str(x->algorithm);
		printf(" reason=");
		if (x->verdict != MOX_DKIM_PASS)
			put_str(x->reason);
		printf("\n");
	}
	status = fflush(stdout) == 0 ? 0 : 1;
out:
	for (k = 0; k < nres; k++)
		mox_dkim_result_release(&res[k]);
	mox_dkim_free(res);
	free(msg);
	mox_resolver_free(r);
	return status;
}

/* --- dispatch --- */

static void
dkim_usage(FILE *f)
{
	fputs("usage: mox dkim gened25519\n"
	      "       mox dkim genrsa [-bits N]\n"
	      "       mox dkim txt [-split] [KEYFILE] < key\n"
	      "       mox dkim sign -domain D -selector S -key FILE [flags] < message\n"
	      "       mox dkim lookup [-zone FILE] [resolver flags] <selector> <domain>\n"
	      "       mox dkim verify [-zone FILE] [flags] < message\n"
	      "\n"
	      "DKIM (RFC 6376): generate keys, print their DNS record, sign,\n"
	      "look up key records, verify. \"mox dkim <subcommand> -help\" for\n"
	      "details.\n",
	    f);
}

int
cmd_dkim(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "gened25519") == 0)
		return dkim_gen(argc - 1, argv + 1, MOX_DKIM_KEY_ED25519);
	if (argc >= 2 && strcmp(argv[1], "genrsa") == 0)
		return dkim_gen(argc - 1, argv + 1, MOX_DKIM_KEY_RSA);
	if (argc >= 2 && strcmp(argv[1], "txt") == 0)
		return dkim_txt(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "sign") == 0)
		return dkim_sign_cmd(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "lookup") == 0)
		return dkim_lookup(argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return dkim_verify_cmd(argc - 1, argv + 1);
	if (argc == 2 && is_help(argv[1])) {
		dkim_usage(stdout);
		return 0;
	}
	if (argc >= 2)
		mox_errorf("unknown subcommand \"%s\"", argv[1]);
	dkim_usage(stderr);
	return EXIT_USAGE;
}
