/* SPDX-License-Identifier: MIT */
/*
 * main.c -- the mox program: a small composition of the mox libraries.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <mox/common.h>

#include "mox.h"

static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);

static const struct mox_cmd cmds[] = {
	{ "version", "", "print the version of mox and its libraries",
	    cmd_version },
	{ "help", "[command]", "print this help", cmd_help },
	{ "dns", "lookup [-zone FILE] [resolver flags] <type> <name>",
	    "look up DNS records through the mox resolver", cmd_dns },
	{ "message", "parse [-imap] FILE|-",
	    "print the MIME structure of a message as JSON, or as IMAP "
	    "BODYSTRUCTURE and ENVELOPE", cmd_message },
	{ "spf", "check|lookup|parse ...",
	    "evaluate SPF (RFC 7208) for a client, look up or parse SPF "
	    "records", cmd_spf },
	{ "dkim", "gened25519|genrsa|txt|sign|lookup|verify ...",
	    "DKIM keys, key records, signing and verification", cmd_dkim },
	{ "dmarc", "lookup|parsereportmsg|checkreportaddrs|verify ...",
	    "DMARC policy lookup, report parsing, and SPF+DKIM+DMARC "
	    "verification", cmd_dmarc },
};

void
mox_errorf(const char *fmt, ...)
{
	va_list ap;

	fputs("mox: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
usage(FILE *f)
{
	fputs("usage: mox <command> [args]\n\ncommands:\n", f);
	for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++)
		fprintf(f, "  mox %s %s\n\t%s\n", cmds[i].name, cmds[i].args,
		    cmds[i].help);
}

static int
cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fputs("usage: mox version\n", stderr);
		return EXIT_USAGE;
	}
	printf("mox %s\n", mox_version());
	printf("libmox-core %s\n", mox_version());
	return 0;
}

static int
cmd_help(int argc, char **argv)
{
	if (argc > 2) {
		fputs("usage: mox help [command]\n", stderr);
		return EXIT_USAGE;
	}
	if (argc == 2) {
		for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++) {
			if (strcmp(argv[1], cmds[i].name) == 0) {
				printf("usage: mox %s %s\n\t%s\n", cmds[i].name,
				    cmds[i].args, cmds[i].help);
				if (cmds[i].run == cmd_dns ||
				    cmds[i].run == cmd_message ||
				    cmds[i].run == cmd_spf ||
				    cmds[i].run == cmd_dkim ||
				    cmds[i].run == cmd_dmarc) {
					char name[32], help[] = "-help";
					char *dargv[] = { name, help, NULL };

					snprintf(name, sizeof(name), "%s",
					    cmds[i].name);
					return cmds[i].run(2, dargv);
				}
				return 0;
			}
		}
		mox_errorf("unknown command \"%s\"", argv[1]);
		return EXIT_USAGE;
	}
	usage(stdout);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(*cmds); i++) {
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].run(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-help") == 0) {
		usage(stdout);
		return 0;
	}
	mox_errorf("unknown command \"%s\"", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
