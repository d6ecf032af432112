/* SPDX-License-Identifier: MIT */
/*
 * fuzz_milter_conf.c -- the sconf parser with mox-milter's key table
 * (servers/common/sconf.c, servers/mox-milter/conf.c): any bytes as a
 * config file must give either a config or an error message naming a
 * line, never a crash, a leak or a hang; a config that loads must pass
 * or fail mconf_check() cleanly, and loading it twice into fresh defaults
 * gives the same answer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "milter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* conf.c logs warnings (key file permissions); nothing to see here. */
void
mlog(int level, const char *msg, ...)
{
	(void)level;
	(void)msg;
}

bool
mlog_enabled(int level)
{
	(void)level;
	return false;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mconf *c1, *c2;
	char e1[512], e2[512];
	int r1, r2;

	if (size > 1 << 16)
		return 0;
	c1 = mconf_new();
	c2 = mconf_new();
	if (c1 == NULL || c2 == NULL)
		abort();
	e1[0] = e2[0] = '\0';
	r1 = mconf_load_text(c1, "fuzz.conf", (const char *)data, size, e1,
	    sizeof(e1));
	r2 = mconf_load_text(c2, "fuzz.conf", (const char *)data, size, e2,
	    sizeof(e2));
	if (r1 != r2 || strcmp(e1, e2) != 0)
		abort();
	if (r1 != 0 && (e1[0] == '\0' || strncmp(e1, "fuzz.conf", 9) != 0))
		abort();
	if (r1 == 0)
		(void)mconf_check(c1, e1, sizeof(e1));
	mconf_free(c1);
	mconf_free(c2);
	return 0;
}
