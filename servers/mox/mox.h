/* SPDX-License-Identifier: MIT */
/* mox.h -- shared declarations of the mox program's subcommands. */
#ifndef MOX_SERVER_H
#define MOX_SERVER_H

#include <stdio.h>

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

/* Print "mox: " msg to stderr. */
void mox_errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
