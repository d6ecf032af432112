/* SPDX-License-Identifier: MIT */
/* mox.h -- shared declarations of the mox program's subcommands. */
#ifndef MOX_SERVER_H
#define MOX_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <mox/dns.h>

/* Exit codes: 0 done, 1 failure, 2 usage error. */
#define EXIT_USAGE 2

/* A subcommand: argv[0] is its own name. */
struct mox_cmd {
	const char *name;
	const char *args;
	const char *help;
	int (*run)(int argc, char **argv);
};

int cmd_dns(int argc, char **argv);
int cmd_message(int argc, char **argv);
int cmd_spf(int argc, char **argv);
int cmd_dkim(int argc, char **argv);
int cmd_dmarc(int argc, char **argv);

/* Resolver flags shared by subcommands (rflags.c). */
#define RFLAGS_MAX_LIST 16

struct rflags {
	const char *zone;
	const char *tafile;
	const char *servers[RFLAGS_MAX_LIST];
	const char *stubs[2 * RFLAGS_MAX_LIST];
	const char *uopts[RFLAGS_MAX_LIST];
	size_t nservers, nstubs, nuopts;
	unsigned long timeout;
	mox_unbound_options uo;
};

/* Help text of the resolver flags, one line per flag. */
extern const char rflags_help[];
void rflags_init(struct rflags *rf);
/*
 * Take resolver flag argv[*i] (and its value). Returns 1 when it was one,
 * 0 when argv[*i] is not a resolver flag, -1 on a usage error (reported).
 */
int rflags_take(struct rflags *rf, int argc, char **argv, int *i);
/* The resolver the flags ask for; NULL after reporting why not. */
mox_resolver *rflags_open(struct rflags *rf);

/* Whether s asks for help (-help, -h). */
bool is_help(const char *s);
/* Read all of f; NULL with errno set on failure. The buffer (free())
 * has a NUL after the data, not counted in *len. */
uint8_t *read_all(FILE *f, size_t *len);

/* Print "mox: " msg to stderr. */
void mox_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
