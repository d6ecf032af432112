/* SPDX-License-Identifier: MIT */
/*
 * libspf2_driver.c -- evaluate the generated SPF queries with libspf2,
 * answering DNS from each scenario's zone text through libspf2's in-memory
 * zone layer (SPF_dns_zone).
 *
 * Usage: libspf2_driver CASEDIR        (written by gen_cases.py)
 *
 * Prints one line per query: id TAB result TAB explanation TAB detail, as
 * pyspf_driver.py does. The explanation is printed for fail results only,
 * and only when it came from exp= (the server's default explanation is set
 * to a marker that is left out). detail is libspf2's error code and
 * messages.
 *
 * Each query runs in a child process under alarm(): libspf2 may abort or
 * crash on odd input, and then the line says "crash" with the signal.
 *
 * The zone text goes into libspf2's zone layer through spf2zone.c, which
 * gives it the answers a real resolver would (CNAMEs followed, NODATA).
 *
 * Build: cc -std=c11 -D_GNU_SOURCE libspf2_driver.c spf2zone.c -lspf2
 */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spf2/spf.h>
#include <spf2/spf_dns_zone.h>

#include "spf2zone.h"

#define NOW 1700000000
#define RECEIVER "receiver.example"
#define DEFAULT_EXP "MOX-DRIVER-DEFAULT-EXPLANATION"

/* %{t} must be the same in every implementation: libspf2 reads time(),
 * which this definition takes over for the whole process. */
time_t
time(time_t *t)
{
	if (t != NULL)
		*t = NOW;
	return NOW;
}

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("libspf2_driver: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}


static void
quiet(const char *file, int line, const char *msg)
{
	(void)file;
	(void)line;
	(void)msg;
}

static void
put_escaped(FILE *f, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
}

static const char *
result_word(SPF_result_t r)
{
	switch (r) {
	case SPF_RESULT_NEUTRAL: return "neutral";
	case SPF_RESULT_PASS: return "pass";
	case SPF_RESULT_FAIL: return "fail";
	case SPF_RESULT_SOFTFAIL: return "softfail";
	case SPF_RESULT_NONE: return "none";
	case SPF_RESULT_TEMPERROR: return "temperror";
	case SPF_RESULT_PERMERROR: return "permerror";
	default: return "invalid";
	}
}

static void
evaluate(const struct spf2zone *z, const char *id, const char *ip,
    const char *sender, const char *helo)
{
	SPF_dns_server_t *dns = spf2zone_dns(z, true);
	SPF_server_t *srv = SPF_server_new_dns(dns, 0);
	SPF_request_t *req;
	SPF_response_t *resp = NULL, *r2 = NULL;
	SPF_errcode_t e;
	const char *exp;
	int i;

	if (srv == NULL)
		die("SPF_server_new_dns failed");
	SPF_server_set_rec_dom(srv, RECEIVER);
	SPF_server_set_explanation(srv, DEFAULT_EXP, &r2);
	SPF_response_free(r2);
	req = SPF_request_new(srv);
	if (strchr(ip, ':') != NULL)
		e = SPF_request_set_ipv6_str(req, ip);
	else
		e = SPF_request_set_ipv4_str(req, ip);
	if (e != SPF_E_SUCCESS) {
		printf("%s\terror\t\tbad ip: %s\n", id, SPF_strerror(e));
		return;
	}
	SPF_request_set_helo_dom(req, helo);
	SPF_request_set_env_from(req, sender);
	e = SPF_request_query_mailfrom(req, &resp);
	printf("%s\t%s\t", id, result_word(SPF_response_result(resp)));
	exp = SPF_response_get_explanation(resp);
	if (SPF_response_result(resp) == SPF_RESULT_FAIL && exp != NULL &&
	    strcmp(exp, DEFAULT_EXP) != 0)
		put_escaped(stdout, exp);
	printf("\t");
	if (e != SPF_E_SUCCESS) {
		printf("error %d ", (int)e);
		put_escaped(stdout, SPF_strerror(e));
	}
	for (i = 0; i < SPF_response_messages(resp); i++) {
		SPF_error_t *m = SPF_response_message(resp, i);

		printf("; ");
		put_escaped(stdout, SPF_error_message(m));
	}
	printf("\n");
	/* The child ends here: a crash while freeing must not be taken for
	 * a crash of the evaluation. */
	fflush(stdout);
	_exit(0);
}

int
main(int argc, char **argv)
{
	char path[4096], buf[8192], scen_loaded[512] = "";
	struct spf2zone *z = NULL;
	FILE *qf;
	bool have_zone = false;

	if (argc != 2) {
		fputs("usage: libspf2_driver CASEDIR\n", stderr);
		return 2;
	}
	SPF_warning_handler = quiet;
	SPF_info_handler = quiet;
	SPF_debug_handler = quiet;
	snprintf(path, sizeof(path), "%s/queries.txt", argv[1]);
	qf = fopen(path, "r");
	if (qf == NULL)
		die("%s: %s", path, strerror(errno));
	while (fgets(buf, sizeof(buf), qf) != NULL) {
		char *f[5], *p = buf;
		size_t n = strlen(buf);
		int i, status;
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
			if (have_zone)
				spf2zone_free(z);
			snprintf(path, sizeof(path), "%s/zones/%s.zone", argv[1],
			    f[1]);
			z = spf2zone_load(path);
			have_zone = true;
			snprintf(scen_loaded, sizeof(scen_loaded), "%s", f[1]);
		}
		fflush(stdout);
		pid = fork();
		if (pid < 0)
			die("fork: %s", strerror(errno));
		if (pid == 0) {
			alarm(10);
			evaluate(z, f[0], f[2], f[3], f[4]);
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
	if (have_zone)
		spf2zone_free(z);
	return 0;
}
