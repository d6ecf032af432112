/* SPDX-License-Identifier: MIT */
/*
 * imapviews -- print mox's IMAP views of a message file, for comparison
 * with a real IMAP server (run-dovecot-test.py).
 *
 *   imapviews FILE
 *       two lines: "BODYSTRUCTURE (...)" and "ENVELOPE (...)", with
 *       MOX_MSG_IMAP_EXTENDED and MOX_MSG_IMAP_UTF8 (strings that need a
 *       literal contain "{n}" CRLF inside the line)
 *   imapviews -fetch SECTION [-binary] FILE
 *       the raw octets of BODY[SECTION] (or BINARY[SECTION]) on stdout
 *
 * Exit status: 0 ok, 1 error, 2 usage or invalid section syntax, 3 no
 * such part (MOX_ENOTFOUND), 4 unknown encoding (MOX_EUNSUPPORTED).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mox/message.h>

static int
read_file(const char *path, uint8_t **out, size_t *out_len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL, *nb;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	for (;;) {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		perror(path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	*out = buf;
	*out_len = len;
	return 0;
}

static int
usage(void)
{
	fprintf(stderr, "usage: imapviews FILE\n"
	    "       imapviews -fetch SECTION [-binary] FILE\n");
	return 2;
}

static int
views(const mox_msg_tree *t)
{
	unsigned int flags = MOX_MSG_IMAP_EXTENDED | MOX_MSG_IMAP_UTF8;
	char *bs = NULL, *env = NULL;
	size_t bslen = 0, envlen = 0;
	int rc;

	rc = mox_msg_imap_bodystructure(&bs, &bslen, t, NULL, flags);
	if (rc != MOX_OK) {
		fprintf(stderr, "bodystructure: %s\n", mox_strerror(rc));
		return 1;
	}
	rc = mox_msg_imap_envelope(&env, &envlen, t, NULL, flags);
	if (rc != MOX_OK) {
		fprintf(stderr, "envelope: %s\n", mox_strerror(rc));
		mox_msg_free(bs);
		return 1;
	}
	fputs("BODYSTRUCTURE ", stdout);
	fwrite(bs, 1, bslen, stdout);
	fputs("\nENVELOPE ", stdout);
	fwrite(env, 1, envlen, stdout);
	fputc('\n', stdout);
	mox_msg_free(bs);
	mox_msg_free(env);
	return 0;
}

static int
fetch(const mox_msg_tree *t, const char *section, bool binary)
{
	mox_msg_imap_data d = MOX_MSG_IMAP_DATA_INIT;
	int rc;

	rc = mox_msg_imap_fetch(&d, t, section, strlen(section),
	    binary ? MOX_MSG_IMAP_BINARY : 0);
	switch (rc) {
	case MOX_OK:
		break;
	case MOX_ESYNTAX:
		fprintf(stderr, "section syntax: %s\n", section);
		return 2;
	case MOX_ENOTFOUND:
		return 3;
	case MOX_EUNSUPPORTED:
		return 4;
	default:
		fprintf(stderr, "fetch: %s\n", mox_strerror(rc));
		return 1;
	}
	if (d.data.len > 0)
		fwrite(d.data.ptr, 1, d.data.len, stdout);
	mox_msg_imap_data_release(&d);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *section = NULL, *path = NULL;
	bool binary = false;
	mox_msg_tree *t = NULL;
	uint8_t *msg = NULL;
	size_t len = 0;
	int i, rc;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-fetch") == 0 && i + 1 < argc)
			section = argv[++i];
		else if (strcmp(argv[i], "-binary") == 0)
			binary = true;
		else if (path == NULL && argv[i][0] != '-')
			path = argv[i];
		else
			return usage();
	}
	if (path == NULL || (binary && section == NULL))
		return usage();
	if (read_file(path, &msg, &len) != 0)
		return 1;
	rc = mox_msg_tree_parse(&t, msg, len, NULL);
	if (rc != MOX_OK) {
		fprintf(stderr, "%s: %s\n", path, mox_strerror(rc));
		free(msg);
		return 1;
	}
	if (section != NULL)
		rc = fetch(t, section, binary);
	else
		rc = views(t);
	mox_msg_tree_free(t);
	free(msg);
	if (fflush(stdout) != 0)
		return 1;
	return rc;
}
