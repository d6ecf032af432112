/* SPDX-License-Identifier: MIT */
/*
 * dkim-sign.c -- generate a DKIM key, print its DNS record, sign a message
 * with libmox-dkim.
 *
 *   dkim-sign -genkey ed25519|rsa > key.pem     new key, PKCS#8 PEM
 *   dkim-sign -txt key.pem                      TXT record value for it
 *   dkim-sign key.pem domain selector < msg     the signed message
 *
 * Build: cc dkim-sign.c $(pkg-config --cflags --libs mox-dkim)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mox/dkim.h>

/* All of f in a malloc'd buffer. */
static unsigned char *
slurp(FILE *f, size_t *len)
{
	unsigned char *buf = NULL, *nb;
	size_t cap = 0, n = 0, got;

	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	*len = n;
	return buf;
}

static mox_dkim_key *
load_key(const char *path)
{
	FILE *f = fopen(path, "rb");
	mox_dkim_key *key = NULL;
	unsigned char *pem;
	size_t len;
	int rc;

	if (f == NULL) {
		perror(path);
		return NULL;
	}
	pem = slurp(f, &len);
	fclose(f);
	if (pem == NULL)
		return NULL;
	rc = mox_dkim_key_from_pem(&key, pem, len);
	free(pem);
	if (rc != MOX_OK)
		fprintf(stderr, "dkim-sign: %s: %s\n", path, mox_strerror(rc));
	return key;
}

int
main(int argc, char **argv)
{
	mox_dkim_sign_options opts = MOX_DKIM_SIGN_OPTIONS_INIT;
	mox_dkim_key *key;
	unsigned char *msg;
	char *out = NULL;
	size_t len, outlen;
	int rc;

	if (argc == 3 && strcmp(argv[1], "-genkey") == 0) {
		int type = strcmp(argv[2], "rsa") == 0 ? MOX_DKIM_KEY_RSA :
		    MOX_DKIM_KEY_ED25519;

		/* 0 bits: the default, 2048 for RSA. */
		rc = mox_dkim_key_generate(&key, type, 0);
		if (rc == MOX_OK) {
			rc = mox_dkim_key_to_pem(&out, &outlen, key);
			mox_dkim_key_free(key);
		}
		if (rc != MOX_OK) {
			fprintf(stderr, "dkim-sign: %s\n", mox_strerror(rc));
			return 1;
		}
		fwrite(out, 1, outlen, stdout);
		mox_dkim_free(out);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "-txt") == 0) {
		key = load_key(argv[2]);
		if (key == NULL)
			return 1;
		/* Split into quoted strings of at most 255 octets, ready for
		 * a zone file. */
		rc = mox_dkim_key_txt(&out, &outlen, key, true);
		mox_dkim_key_free(key);
		if (rc != MOX_OK) {
			fprintf(stderr, "dkim-sign: %s\n", mox_strerror(rc));
			return 1;
		}
		printf("%s\n", out);
		mox_dkim_free(out);
		return 0;
	}
	if (argc != 4) {
		fputs("usage: dkim-sign -genkey ed25519|rsa\n"
		      "       dkim-sign -txt KEYFILE\n"
		      "       dkim-sign KEYFILE DOMAIN SELECTOR < message\n",
		    stderr);
		return 2;
	}
	key = load_key(argv[1]);
	if (key == NULL)
		return 1;
	msg = slurp(stdin, &len);
	if (msg == NULL) {
		mox_dkim_key_free(key);
		return 1;
	}
	opts.domain = argv[2];
	opts.selector = argv[3];
	opts.key = key;  /* its type picks rsa-sha256 or ed25519-sha256 */
	/* Defaults: relaxed/relaxed, the usual header fields, t= now. */
	rc = mox_dkim_sign(&out, &outlen, &opts, msg, len);
	if (rc != MOX_OK) {
		fprintf(stderr, "dkim-sign: %s\n", mox_strerror(rc));
		free(msg);
		mox_dkim_key_free(key);
		return 1;
	}
	/* The DKIM-Signature field goes in front of the message. */
	fwrite(out, 1, outlen, stdout);
	fwrite(msg, 1, len, stdout);
	mox_dkim_free(out);
	free(msg);
	mox_dkim_key_free(key);
	return 0;
}
