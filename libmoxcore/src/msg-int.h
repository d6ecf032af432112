/* SPDX-License-Identifier: MIT */
/*
 * msg-int.h -- internals shared by the msg_*.c files (RFC 5322 message
 * parsing). Hidden symbols.
 */
#ifndef MOX_MSG_INT_H
#define MOX_MSG_INT_H

#include <stddef.h>
#include <stdint.h>

#include <mox/message.h>

#include "base.h"

/*
 * Append the UTF-8 decoding of RFC 2047 text p[0..len) to b (see
 * mox_msg_decode_2047()). Errors are left in b->err (MOX_ENOMEM).
 */
void msg_2047_decode(mox__buf *b, const uint8_t *p, size_t len);

/*
 * Append octets p[0..len) in charset cs[0..cslen) (a label as in MIME, any
 * case; aliases as for RFC 2047) to b as valid UTF-8 without NUL. Returns
 * false, appending nothing, when the charset is unknown. Errors are left
 * in b->err (MOX_ENOMEM).
 */
bool msg_charset_to_utf8(mox__buf *b, const uint8_t *cs, size_t cslen,
    const uint8_t *p, size_t len);

/*
 * Append p[0..len) to b, replacing every invalid UTF-8 sequence with
 * U+FFFD.
 */
void msg_utf8_sanitize(mox__buf *b, const uint8_t *p, size_t len);

/*
 * The options a tree was parsed or loaded with (defaults filled in), so
 * that other views of the message (IMAP ENVELOPE, header fetches) scan
 * header sections with the same limits. Valid while the tree is.
 */
const mox_msg_tree_options *msg_tree_options(const mox_msg_tree *t);

/* RFC 5322 3.2.3 atext, plus octets >= 0x80 (RFC 6532). */
static inline int
msg_isatext(int c)
{
	if (c >= 0x80)
		return 1;
	if (mox__isalpha(c) || mox__isdigit(c))
		return 1;
	switch (c) {
	case '!': case '#': case '$': case '%': case '&': case '\'':
	case '*': case '+': case '-': case '/': case '=': case '?':
	case '^': case '_': case '`': case '{': case '|': case '}':
	case '~':
		return 1;
	default:
		return 0;
	}
}

static inline int
msg_iswsp(int c)
{
	return c == ' ' || c == '\t';
}

/* Whitespace for CFWS: WSP and the line-end octets of folding. */
static inline int
msg_isfws(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

#endif
