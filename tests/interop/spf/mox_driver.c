/* SPDX-License-Identifier: MIT */
/*
 * mox_driver.c -- evaluate the generated SPF queries with libmox-spf:
 * mox_spf_check() over the in-memory resolver loaded from each scenario's
 * zone text.
 *
 * Usage: mox_driver [-nofork] CASEDIR        (written by gen_cases.py)
 *
 * Prints one line per query: id TAB result TAB explanation TAB detail, as
 * the pyspf and libspf2 drivers do. The explanation is printed for fail
 * results only; detail is the result's reason, then "mechanism=" and the
 * deciding term when there is one.
 *
 * Each query runs in a child process under alarm(), so that a crash or a
 * hang shows up as "crash" for that query and the others still run; with
 * -nofork all run in this process (for valgrind and leak checkers).
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mox/dns.h>
#include <mox/spf.h>

#define NOW 1700000000
#define RECEIVER "receiver.example"

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("mox_driver: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
put_escaped(const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static void
evaluate(mox_resolver *r, const char *id, const char *ip,
    const char *sender, const char *helo)
{
	mox_spf_request req = MOX_SPF_REQUEST_INIT;
	mox_spf_result res = MOX_SPF_RESULT_INIT;
	int rc;

	rc = mox_ip_parse(&req.ip, ip, strlen(ip));
	if (rc != MOX_OK) {
		printf("%s\terror\t\tbad ip: %s\n", id, mox_strerror(rc));
		return;
	}
	req.sender = sender[0] != '\0' ? sender : NULL;
	req.helo = helo;
	req.receiver = RECEIVER;
	req.now = NOW;
	rc = mox_spf_check(&res, r, &req);
	if (rc != MOX_OK) {
		printf("%s\terror\t\tmox_spf_check: %s\n", id, mox_strerror(rc));
		return;
	}
	printf("%s\t%s\t", id, mox_spf_verdict_name(res.verdict));
	if (res.verdict == MOX_SPF_FAIL && res.explanation != NULL)
		put_escaped(res.explanation);
	printf("\t");
	if (res.reason != NULL)
		put_escaped(res.reason);
	if (res.mechanism != NULL) {
		printf("%smechanism=", res.reason != NULL ? "; " : "");
		put_escaped(res.mechanism);
		printf(" in ");
		put_escaped(res.mechanism_domain);
	}
	printf("\n");
	mox_spf_result_release(&res);
}

int
main(int argc, char **argv)
{
	char path[4096], buf[8192], scen_loaded[512] = "";
	mox_resolver *r = NULL;
	bool nofork = false;
	FILE *qf;

	if (argc == 3 && strcmp(argv[1], "-nofork") == 0) {
		nofork = true;
		argv++;
		argc--;
	}
	if (argc != 2) {
		fputs("usage: mox_driver [-nofork] CASEDIR\n", stderr);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/queries.txt", argv[1]);
	qf = fopen(path, "r");
	if (qf == NULL)
		die("%s: %s", path, strerror(errno));
	while (fgets(buf, sizeof(buf), qf) != NULL) {
		char *f[5], *p = buf;
		size_t n = strlen(buf);
		int i, rc, status;
		pid_t pid;

		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
			buf[--n] = '\0';
		if (n == 0 || buf[0] == '#')
			continue;
		for (i = 0; i < 5; i++) {
			f[i] = p;
			p = strchr(p, '\t');
			if (p == NULL && i < 4)
				die("bad query line: %s", buf);
			if (p != NULL)
				*p++ = '\0';
		}
		if (strcmp(f[3], "<>") == 0)
			f[3] = (char *)"";
		if (strcmp(scen_loaded, f[1]) != 0) {
			mox_resolver_free(r);
			r = NULL;
			snprintf(path, sizeof(path), "%s/zones/%s.zone", argv[1],
			    f[1]);
			rc = mox_resolver_new_static(&r);
			if (rc == MOX_OK)
				rc = mox_resolver_static_load_file(r, path, NULL);
			if (rc != MOX_OK)
				die("%s: %s", path, r != NULL ?
				    mox_resolver_errmsg(r) : mox_strerror(rc));
			snprintf(scen_loaded, sizeof(scen_loaded), "%s", f[1]);
		}
		if (nofork) {
			evaluate(r, f[0], f[2], f[3], f[4]);
			continue;
		}
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			alarm(10);
			evaluate(r, f[0], f[2], f[3], f[4]);
			fflush(stdout);
			_exit(0);
		}
		if (waitpid(pid, &status, 0) < 0)
			die("waitpid: %s", strerror(errno));
		if (WIFSIGNALED(status))
			printf("%s\tcrash\t\tsignal %d\n", f[0], WTERMSIG(status));
		else if (WEXITSTATUS(status) != 0)
			printf("%s\tcrash\t\texit %d\n", f[0], WEXITSTATUS(status));
	}
	fclose(qf);
	mox_resolver_free(r);
	return 0;
}
