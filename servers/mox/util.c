/* SPDX-License-Identifier: MIT */
/* util.c -- small helpers the mox subcommands share. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mox.h"

bool
is_help(const char *s)
{
	return strcmp(s, "-help") == 0 || strcmp(s, "-h") == 0;
}

/* Read all of f; NULL with errno set on failure. The buffer has a NUL
 * after the data (not counted). */
uint8_t *
read_all(FILE *f, size_t *len)
{
	uint8_t *buf = NULL, *nb;
	size_t cap = 0, n = 0, got;

	for (;;) {
		if (cap - n < 65536) {
			cap = cap < 65536 ? 131072 : cap * 2;
			nb = realloc(buf, cap + 1);
			if (nb == NULL) {
				free(buf);
				errno = ENOMEM;
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}
