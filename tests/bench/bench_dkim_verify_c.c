/* SPDX-License-Identifier: MIT */
/*
 * bench_dkim_verify_c.c -- DKIM verification throughput through the C
 * API, the C half of run-bench-rust.sh: the same calls the Rust bindings'
 * dkim::verify() makes (mox_dkim_verify() over an in-memory resolver, then
 * per result mox_dkim_authres() and mox_dkim_result_release(), then
 * mox_dkim_free()), on the material the Rust example
 * (bindings/rust/examples/bench_dkim_verify.rs --prepare DIR) writes.
 *
 * Usage: bench_dkim_verify_c DIR LOOPS
 *
 * Reads DIR/zone.txt, DIR/now.txt and DIR/rsa2048.eml, DIR/ed25519.eml,
 * verifies each message LOOPS times (after a short warm-up) and prints
 *   c rsa2048: LOOPS verifications in SECONDS s: RATE/s
 * Every verification must pass (exit 1 otherwise).
 *
 * Build: cc -O2 bench_dkim_verify_c.c $(pkg-config --cflags --libs mox-dkim)
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime() */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mox/dkim.h>
#include <mox/dns.h>

static const char *const kinds[] = { "rsa2048", "ed25519" };

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("bench_dkim_verify_c: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint8_t *
read_file(const char *dir, const char *name, size_t *len)
{
	char path[4096];
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0, got;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	for (;;) {
		if (n == cap) {
			cap = cap ? cap * 2 : 8192;
			buf = realloc(buf, cap + 1);
			if (buf == NULL)
				die("out of memory");
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One verification, as dkim::verify() does it. */
static void
verify(mox_resolver *r, const mox_dkim_verify_options *o, const uint8_t *msg,
    size_t len, const char *kind)
{
	mox_dkim_result *res = NULL;
	size_t n = 0, i;
	char ar[256];
	int rc;

	rc = mox_dkim_verify(&res, &n, r, o, msg, len);
	if (rc != MOX_OK)
		die("verify: %s", mox_strerror(rc));
	if (n != 1 || res[0].verdict != MOX_DKIM_PASS)
		die("%s: not a pass", kind);
	for (i = 0; i < n; i++) {
		if (mox_dkim_authres(ar, sizeof(ar), &res[i]) >= sizeof(ar))
			die("authres too long");
		mox_dkim_result_release(&res[i]);
	}
	mox_dkim_free(res);
}

int
main(int argc, char **argv)
{
	mox_dkim_verify_options o = MOX_DKIM_VERIFY_OPTIONS_INIT;
	mox_resolver *r = NULL;
	uint8_t *zone, *nowtxt, *msg;
	size_t zlen, nlen, mlen, k;
	unsigned long long loops, i;
	double start, secs;
	char *end;
	int rc;

	if (argc != 3) {
		fputs("usage: bench_dkim_verify_c DIR LOOPS\n", stderr);
		return 2;
	}
	loops = strtoull(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' || loops == 0)
		die("LOOPS is a positive number");
	zone = read_file(argv[1], "zone.txt", &zlen);
	nowtxt = read_file(argv[1], "now.txt", &nlen);
	o.now = strtoll((const char *)nowtxt, NULL, 10);
	rc = mox_resolver_new_static(&r);
	if (rc == MOX_OK)
		rc = mox_resolver_static_load(r, (const char *)zone, zlen, NULL);
	if (rc != MOX_OK)
		die("zone: %s %s", mox_strerror(rc),
		    r != NULL ? mox_resolver_errmsg(r) : "");
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		char name[64];

		snprintf(name, sizeof(name), "%s.eml", kinds[k]);
		msg = read_file(argv[1], name, &mlen);
		for (i = 0; i < loops && i < 50; i++)
			verify(r, &o, msg, mlen, kinds[k]);
		start = now_s();
		for (i = 0; i < loops; i++)
			verify(r, &o, msg, mlen, kinds[k]);
		secs = now_s() - start;
		printf("c %s: %llu verifications in %.3f s: %.1f/s\n", kinds[k],
		    loops, secs, (double)loops / secs);
		free(msg);
	}
	mox_resolver_free(r);
	free(zone);
	free(nowtxt);
	return fflush(stdout) == 0 ? 0 : 1;
}
