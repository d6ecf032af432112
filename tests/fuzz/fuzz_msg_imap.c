/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for the IMAP views of <mox/message.h>: the input is a
 * section specification (up to the first newline, as an IMAP client sends
 * it between brackets) followed by a message. The message's tree gives
 * BODYSTRUCTURE, BODY and ENVELOPE in both string modes, and the section
 * is fetched as BODY[] and BINARY[]. Every call must return a listed
 * status; output must be NUL-terminated at its length, and a fetched slice
 * of the message must lie inside it. Also List-Id and Received counting on
 * the message. Any mismatch calls abort().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mox/message.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                         \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
			    __LINE__, #cond);                                    \
			abort();                                             \
		}                                                            \
	} while (0)

static void
views(const mox_msg_tree *t, const mox_msg_part *p)
{
	static const unsigned int modes[] = { 0, MOX_MSG_IMAP_EXTENDED,
		MOX_MSG_IMAP_UTF8, MOX_MSG_IMAP_EXTENDED | MOX_MSG_IMAP_UTF8 };
	char *s;
	size_t len;
	int rc;

	for (size_t i = 0; i < sizeof(modes) / sizeof(*modes); i++) {
		s = NULL;
		rc = mox_msg_imap_bodystructure(&s, &len, t, p, modes[i]);
		CHECK(rc == MOX_OK || rc == MOX_ENOMEM);
		if (rc == MOX_OK) {
			CHECK(s != NULL && strlen(s) <= len && s[len] == '\0');
			CHECK(s[0] == '(' && s[len - 1] == ')');
		}
		mox_msg_free(s);
		s = NULL;
		rc = mox_msg_imap_envelope(&s, &len, t, p,
		    modes[i] & MOX_MSG_IMAP_UTF8);
		CHECK(rc == MOX_OK || rc == MOX_ENOMEM);
		if (rc == MOX_OK)
			CHECK(s != NULL && s[len] == '\0' && s[0] == '(');
		mox_msg_free(s);
	}
}

static void
fetch(const mox_msg_tree *t, const uint8_t *msg, size_t msglen,
    const char *sec, size_t seclen, unsigned int flags)
{
	mox_msg_imap_data d = MOX_MSG_IMAP_DATA_INIT;
	int rc;

	rc = mox_msg_imap_fetch(&d, t, sec, seclen, flags);
	CHECK(rc == MOX_OK || rc == MOX_ESYNTAX || rc == MOX_ENOTFOUND ||
	    rc == MOX_EUNSUPPORTED || rc == MOX_ENOMEM);
	if (rc == MOX_OK) {
		CHECK(d.data.ptr != NULL || d.data.len == 0);
		/* A slice of the message, or owned data. */
		if (d.owned_ == NULL && d.data.len > 0)
			CHECK(d.data.ptr >= msg &&
			    d.data.ptr + d.data.len <= msg + msglen);
	}
	mox_msg_imap_data_release(&d);
	CHECK(d.owned_ == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mox_msg_tree_options o = MOX_MSG_TREE_OPTIONS_INIT;
	const uint8_t *nl = memchr(data, '\n', size < 256 ? size : 256);
	size_t seclen = nl != NULL ? (size_t)(nl - data) : 0;
	const uint8_t *msg = nl != NULL ? nl + 1 : data;
	size_t msglen = size - (size_t)(msg - data);
	char sec[256];
	mox_msg_tree *t = NULL;
	mox_slice id, phrase;
	int rc;

	memcpy(sec, data, seclen);
	o.max_depth = 16;
	o.max_parts = 200;
	rc = mox_msg_tree_parse(&t, msg, msglen, &o);
	CHECK(rc == MOX_OK || rc == MOX_ENOMEM);
	if (rc != MOX_OK)
		return 0;
	views(t, NULL);
	for (size_t i = 1; i < mox_msg_tree_count(t); i++) {
		const mox_msg_part *p = mox_msg_tree_part(t, i);
		const mox_msg_part *pp = mox_msg_tree_part(t, p->parent);

		/* The encapsulated message of a message/rfc822 part. */
		if (pp->kind == MOX_MSG_PART_MESSAGE)
			views(t, p);
	}
	fetch(t, msg, msglen, sec, seclen, 0);
	fetch(t, msg, msglen, sec, seclen, MOX_MSG_IMAP_BINARY);
	mox_msg_tree_free(t);

	rc = mox_msg_listid_parse(&id, &phrase, msg, msglen < 512 ? msglen : 512);
	CHECK(rc == MOX_OK || rc == MOX_ESYNTAX || rc == MOX_ENUL);
	if (rc == MOX_OK)
		CHECK(id.len > 0 && id.ptr >= msg && id.ptr + id.len <= msg + msglen);
	rc = mox_msg_received_count(msg, msglen, NULL);
	CHECK(rc >= 0 || rc == MOX_ELIMIT);
	return 0;
}
