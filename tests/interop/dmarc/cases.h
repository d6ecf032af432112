/* SPDX-License-Identifier: MIT */
/*
 * cases.h -- reader of the case file gen_cases.py writes, shared by the
 * drivers of the DMARC differential and the benchmark. Header-only: each
 * program includes it once.
 */
#ifndef DMARC_CASES_H
#define DMARC_CASES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CASE_MAX_DKIM 8
#define CASE_MAX_TXT 8

struct dcase {
	char id[32];
	char cat[16];
	char from[256];
	char spf_res[16];          /* "" when absent */
	char spf_dom[256];
	int ndkim;
	char dkim_res[CASE_MAX_DKIM][16];
	char dkim_dom[CASE_MAX_DKIM][256];
	int ntxt;
	char txt_name[CASE_MAX_TXT][300];
	char txt[CASE_MAX_TXT][1024];
};

static void
case_chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* Read all cases; returns the count (cases in *out, free() it). */
static int
cases_read(const char *path, struct dcase **out)
{
	FILE *f = fopen(path, "r");
	struct dcase *v = NULL, *c = NULL;
	int n = 0, cap = 0;
	char line[2048];

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		char *arg;

		case_chomp(line);
		arg = strchr(line, ' ');
		if (arg != NULL)
			*arg++ = '\0';
		if (strcmp(line, "case") == 0) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				v = realloc(v, (size_t)cap * sizeof(*v));
				if (v == NULL)
					exit(2);
			}
			c = &v[n++];
			memset(c, 0, sizeof(*c));
			if (arg == NULL || sscanf(arg, "%31s %15s", c->id,
			    c->cat) != 2)
				exit(2);
		} else if (c == NULL || arg == NULL) {
			continue;
		} else if (strcmp(line, "from") == 0) {
			snprintf(c->from, sizeof(c->from), "%s", arg);
		} else if (strcmp(line, "spf") == 0) {
			if (sscanf(arg, "%15s %255s", c->spf_res,
			    c->spf_dom) != 2)
				exit(2);
		} else if (strcmp(line, "dkim") == 0 &&
		    c->ndkim < CASE_MAX_DKIM) {
			if (sscanf(arg, "%15s %255s", c->dkim_res[c->ndkim],
			    c->dkim_dom[c->ndkim]) != 2)
				exit(2);
			c->ndkim++;
		} else if (strcmp(line, "txt") == 0 &&
		    c->ntxt < CASE_MAX_TXT) {
			char *sp = strchr(arg, ' ');

			if (sp == NULL)
				exit(2);
			*sp++ = '\0';
			snprintf(c->txt_name[c->ntxt],
			    sizeof(c->txt_name[0]), "%s", arg);
			snprintf(c->txt[c->ntxt], sizeof(c->txt[0]), "%s", sp);
			c->ntxt++;
		}
	}
	fclose(f);
	*out = v;
	return n;
}

#endif
