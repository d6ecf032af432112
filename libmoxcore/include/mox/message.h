/* SPDX-License-Identifier: MIT */
/**
 * mox/message.h -- Internet messages: scanning the header section without
 * copying it, RFC 2047 encoded-words, address lists, dates, message-id
 * lists, MIME header fields, the MIME part tree, transfer-encoding
 * decoders, and IMAP's views of a message (BODYSTRUCTURE, ENVELOPE,
 * BODY[section]).
 *
 * Threads: every function here is reentrant. A mox_msg_iter or
 * mox_msg_decoder is used by one thread at a time. A parsed
 * mox_msg_addrlist, mox_msg_idlist, mox_msg_ctype or mox_msg_tree is
 * immutable and may be read by any number of threads at once; freeing it
 * must not race with readers. There is no global state (iconv descriptors
 * are opened and closed within each call).
 *
 * Input is always (const uint8_t *, size_t): nothing here relies on a
 * terminating NUL, and a NUL byte inside a header is reported, never
 * silently shortens the input. The header scanner and iterator never
 * allocate and never copy the message: every mox_slice they return points
 * into the caller's buffer and is valid as long as that buffer is.
 *
 * Structs the caller provides (options, iterator, field, date) start with
 * `unsigned int version`; initialize them with their _INIT macro (or
 * mox_msg_options_init()). Functions fill only the fields that the given
 * version has and return MOX_EVERSION for version 0 or a version newer
 * than the library knows.
 */
#ifndef MOX_MESSAGE_H
#define MOX_MESSAGE_H

#include <mox/common.h>
#include <mox/addr.h>

MOX_BEGIN_DECLS

/* --- opaque types --- */

/** A parsed address list (RFC 5322 3.4). Owned by the caller; free with
 * mox_msg_addrlist_free(). */
typedef struct mox_msg_addrlist mox_msg_addrlist;

/** A parsed list of message-ids (Message-ID, References, In-Reply-To).
 * Owned by the caller; free with mox_msg_idlist_free(). */
typedef struct mox_msg_idlist mox_msg_idlist;

/* --- enums --- */

/** Line-end styles seen in a header section (bits). Both bits set means
 * the section mixes CRLF and bare LF line ends. A bare CR is not a line
 * end: it is an ordinary byte of the line. */
enum mox_msg_eol {
	MOX_MSG_EOL_CRLF = 1u << 0, /**< at least one line ends in CRLF */
	MOX_MSG_EOL_LF = 1u << 1,   /**< at least one line ends in bare LF */
	MOX_MSG_EOL_MIXED = (1u << 0) | (1u << 1)
};

/** Flags of a mox_msg_field. */
enum mox_msg_field_flags {
	/** Obsolete "name WSP :" form (RFC 5322 4.5.3): WSP before the
	 * colon. The name slice excludes that WSP. */
	MOX_MSG_FIELD_OBS_WSP = 1u << 0,
	/** The field contains a NUL byte (mox_msg_iter_next() returns
	 * MOX_ENUL for it). */
	MOX_MSG_FIELD_NUL = 1u << 1,
	/** The field's last line has no line end (input ended). */
	MOX_MSG_FIELD_NO_EOL = 1u << 2,
	/** The field is folded (has continuation lines). */
	MOX_MSG_FIELD_FOLDED = 1u << 3,
	/** The field has octets >= 0x80 (RFC 6532 UTF-8 or raw 8-bit). */
	MOX_MSG_FIELD_8BIT = 1u << 4
};

/** Flags of mox_msg_addrlist_parse(). */
enum mox_msg_addr_flags {
	/** Skip entries that do not parse (up to the next ',' at the top
	 * level) instead of failing, and close unterminated groups, angle
	 * brackets, comments and quoted strings at the end of input. For
	 * IMAP ENVELOPE and display, which need what they can get. */
	MOX_MSG_ADDR_LENIENT = 1u << 0,
	/** Do not decode RFC 2047 encoded-words in display and group names. */
	MOX_MSG_ADDR_NO_2047 = 1u << 1
};

/** Kind of an address list entry. */
enum mox_msg_addr_kind {
	/** A mailbox (possibly inside a group). */
	MOX_MSG_ADDR_MAILBOX = 0,
	/** A group with no members ("undisclosed-recipients:;"); only the
	 * group fields are set. */
	MOX_MSG_ADDR_EMPTY_GROUP = 1
};

/** Flags of a mox_msg_date. */
enum mox_msg_date_flags {
	/** An obsolete form was used (two- or three-digit year, obsolete
	 * zone name, missing seconds, missing zone). */
	MOX_MSG_DATE_OBSOLETE = 1u << 0,
	/** The day-of-week does not match the date (the date wins). */
	MOX_MSG_DATE_BAD_WEEKDAY = 1u << 1,
	/** There was no zone at all (treated as -0000). */
	MOX_MSG_DATE_NO_ZONE = 1u << 2
};

/* --- option structs and caller-provided structs --- */

/** Limits for scanning a header section. */
typedef struct mox_msg_options {
	unsigned int version;    /**< MOX_MSG_OPTIONS_VERSION */
	/** Largest header section in octets, the empty line included.
	 * Default 1 MiB. 0 means no limit. */
	size_t max_header_size;
	/** Most fields in a header section (malformed lines count). Default
	 * 10000. 0 means no limit. */
	size_t max_fields;
	/** Longest physical line in octets, line end excluded. RFC 5322
	 * allows 998, real mail has longer lines. Default 0: no limit other
	 * than max_header_size. */
	size_t max_line_length;
} mox_msg_options;

#define MOX_MSG_OPTIONS_VERSION 1
#define MOX_MSG_OPTIONS_INIT                                                \
	{ MOX_MSG_OPTIONS_VERSION, (size_t)1 << 20, 10000, 0 }

/**
 * One header field, as mox_msg_iter_next() finds it. Every slice points
 * into the message buffer. Initialize with MOX_MSG_FIELD_INIT.
 */
typedef struct mox_msg_field {
	unsigned int version;    /**< MOX_MSG_FIELD_VERSION */
	/** Field name as written, without the colon and without obsolete WSP
	 * before it. Empty for a malformed line. */
	mox_slice name;
	/** The whole field: name, colon, value, every continuation line and
	 * the final line end (CRLF or LF; absent at end of input). This is
	 * what DKIM canonicalizes. */
	mox_slice raw;
	/** The value: everything after the colon up to, not including, the
	 * final line end; folding line ends are kept. For a malformed line
	 * (no colon) the whole line without its final line end. */
	mox_slice value;
	/** Offset of raw.ptr from the start of the message. */
	size_t offset;
	/** mox_msg_field_flags */
	unsigned int flags;
} mox_msg_field;

#define MOX_MSG_FIELD_VERSION 1
#define MOX_MSG_FIELD_INIT                                                  \
	{ MOX_MSG_FIELD_VERSION, { NULL, 0 }, { NULL, 0 }, { NULL, 0 }, 0, 0 }

/**
 * Result of mox_msg_header_scan(). Initialize with MOX_MSG_HEADER_INIT.
 */
typedef struct mox_msg_header {
	unsigned int version;    /**< MOX_MSG_HEADER_VERSION */
	/** Octets of header fields, from the start up to (not including) the
	 * empty line. */
	size_t header_len;
	/** Offset of the body: just after the empty line, or the input
	 * length when there is no empty line. */
	size_t body_offset;
	/** Whether the empty line separating header and body was found.
	 * When false, the whole input is header. */
	bool has_separator;
	/** mox_msg_eol bits for every line of the section, the empty line
	 * included; 0 when the section has no line end at all. */
	unsigned int eol;
	/** Number of fields, malformed ones included. */
	size_t nfields;
	/** Number of malformed fields (no colon, bad name, leading
	 * continuation line). */
	size_t nmalformed;
	/** Number of fields with a NUL byte. */
	size_t nnul;
	/** Offset of the first malformed or NUL field, or of the limit that
	 * was exceeded; SIZE_MAX when there is none. */
	size_t err_offset;
} mox_msg_header;

#define MOX_MSG_HEADER_VERSION 1
#define MOX_MSG_HEADER_INIT                                                 \
	{ MOX_MSG_HEADER_VERSION, 0, 0, false, 0, 0, 0, 0, 0 }

/**
 * Iterator over the fields of a header section. Caller-allocated (on the
 * stack is fine), set up by mox_msg_iter_init(); it holds no resources and
 * needs no cleanup. Its members are private: use the functions.
 */
typedef struct mox_msg_iter {
	unsigned int version;    /**< set by mox_msg_iter_init() */
	const uint8_t *msg_;
	size_t len_;
	size_t pos_;
	size_t nfields_;
	size_t max_header_size_;
	size_t max_fields_;
	size_t max_line_length_;
	size_t err_offset_;
	size_t header_end_;
	unsigned int eol_;
	int state_;
	void *reserved_[4];
} mox_msg_iter;

#define MOX_MSG_ITER_VERSION 1

/** A parsed date-time. Initialize with MOX_MSG_DATE_INIT. */
typedef struct mox_msg_date {
	unsigned int version;    /**< MOX_MSG_DATE_VERSION */
	/** Seconds since 1970-01-01T00:00:00Z (leap second 60 counts as the
	 * next second's start). */
	int64_t unix_seconds;
	/** Zone offset east of UTC in minutes, as written (-0000 and unknown
	 * zones give 0). */
	int zone_minutes;
	/** False for "-0000", military letters, missing zone: the local
	 * time of the sender is unknown (RFC 5322 3.3 and 4.3). */
	bool zone_known;
	/** mox_msg_date_flags */
	unsigned int flags;
} mox_msg_date;

#define MOX_MSG_DATE_VERSION 1
#define MOX_MSG_DATE_INIT { MOX_MSG_DATE_VERSION, 0, 0, false, 0 }

/**
 * One entry of a parsed address list. Owned by its list: pointers are
 * valid until mox_msg_addrlist_free(). Every string is NUL-terminated and
 * also has a length (it may contain no NUL: inputs with NUL fail).
 * The library allocates these; fields may be appended in later versions.
 */
typedef struct mox_msg_mailbox {
	/** mox_msg_addr_kind */
	int kind;
	/** Display name, UTF-8, RFC 2047 decoded, quoting removed, words
	 * joined by one space; "" when there is none. When a mailbox has no
	 * display name but a comment follows its address, as in
	 * "a@b (Name)", the comment text is used. */
	const char *display_name;
	size_t display_name_len;
	/** Localpart, unquoted (quoted-pairs resolved, obsolete CFWS around
	 * dots removed), UTF-8 allowed (RFC 6532). "" for empty groups. */
	const char *localpart;
	size_t localpart_len;
	/** Domain as written, comments and whitespace removed; a domain
	 * literal keeps its brackets. "" for empty groups. */
	const char *domain;
	size_t domain_len;
	/** Domain through mox_domain_parse(): lowercase A-label and U-label
	 * forms; NULL when the domain is not a valid name (a literal, or
	 * invalid IDNA). */
	const char *domain_ascii;
	const char *domain_unicode;
	/** Name of the group the entry is in, decoded as display_name; NULL
	 * when not in a group. */
	const char *group;
	size_t group_len;
	/** 1-based index of that group in the list, 0 when not in a group:
	 * tells consecutive groups of the same name apart. */
	unsigned int group_index;
	/** Offset in the input where the entry starts. */
	size_t offset;
} mox_msg_mailbox;

/* --- lifecycle --- */

/**
 * Fill options with the defaults for the given version.
 *
 * @param[out] opts     options to fill
 * @param[in]  version  MOX_MSG_OPTIONS_VERSION, or an older version
 * @return MOX_OK, MOX_EINVAL (NULL), MOX_EVERSION (0 or too new)
 */
MOX_API int mox_msg_options_init(mox_msg_options *opts, unsigned int version);

/**
 * Free memory the library returned (mox_msg_decode_2047() strings).
 * NULL does nothing.
 */
MOX_API void mox_msg_free(void *p);

/* --- header section --- */

/**
 * Scan a message's header section in one pass: find where it ends (the
 * empty line, or the end of input), count fields and check limits. No
 * allocation, no copy.
 *
 * @param[out] out   result; version must be set (MOX_MSG_HEADER_INIT).
 *                   Filled also on MOX_ELIMIT (err_offset is where the
 *                   limit was exceeded).
 * @param[in]  msg   message bytes (borrowed for the call)
 * @param[in]  len   length of msg
 * @param[in]  opts  limits, NULL for defaults
 * @return MOX_OK (malformed and NUL fields are counted, not errors),
 *         MOX_EINVAL (NULL out, or NULL msg with len > 0), MOX_EVERSION,
 *         MOX_ELIMIT (a limit was exceeded)
 */
MOX_API int mox_msg_header_scan(mox_msg_header *out, const uint8_t *msg,
    size_t len, const mox_msg_options *opts);

/**
 * Set up an iterator over the header fields of a message. The message
 * buffer is borrowed and must outlive the iterator. Never fails for valid
 * arguments; the iterator does nothing after an error.
 *
 * @param[out] it    iterator (caller-allocated)
 * @param[in]  msg   message, or only its header section
 * @param[in]  len   length of msg
 * @param[in]  opts  limits, NULL for defaults (copied)
 * @return MOX_OK, MOX_EINVAL (NULL it, NULL msg with len > 0),
 *         MOX_EVERSION (opts version)
 */
MOX_API int mox_msg_iter_init(mox_msg_iter *it, const uint8_t *msg,
    size_t len, const mox_msg_options *opts);

/**
 * Next field of the header section.
 *
 * Per-field problems are reported and the iterator moves past the field,
 * so a lenient caller simply calls again: for MOX_ESYNTAX and MOX_ENUL the
 * field is filled (raw, value, offset; name for MOX_ENUL).
 *
 * @param[in,out] it   iterator
 * @param[out]    out  the field; version must be set (MOX_MSG_FIELD_INIT)
 * @return MOX_OK; MOX_ENOTFOUND at the end of the header section;
 *         MOX_ESYNTAX for a malformed line (no colon, empty or invalid
 *         name, a continuation line with no field before it); MOX_ENUL for
 *         a field with a NUL byte; MOX_ELIMIT when a limit is exceeded
 *         (sticky: later calls return it too; see mox_msg_iter_offset());
 *         MOX_EINVAL, MOX_EVERSION
 */
MOX_API int mox_msg_iter_next(mox_msg_iter *it, mox_msg_field *out);

/**
 * Next field whose name equals name, ignoring ASCII case. Malformed
 * fields and fields with NUL bytes are skipped. Call again for the next
 * one; start a new iterator to look up another name from the top.
 *
 * @param[in]  name  NUL-terminated field name, such as "Subject"
 * @return MOX_OK, MOX_ENOTFOUND, MOX_ELIMIT, MOX_EINVAL, MOX_EVERSION
 */
MOX_API int mox_msg_iter_find(mox_msg_iter *it, const char *name,
    mox_msg_field *out);

/**
 * Offset of the iterator: where the next field starts; after the end of
 * the header section, the body offset; after MOX_ELIMIT, where the limit
 * was exceeded.
 */
MOX_API size_t mox_msg_iter_offset(const mox_msg_iter *it);

/**
 * mox_msg_eol bits of the lines the iterator has passed so far (all of the
 * section once mox_msg_iter_next() returned MOX_ENOTFOUND).
 */
MOX_API unsigned int mox_msg_iter_eol(const mox_msg_iter *it);

/**
 * Whether a field's name equals name, ignoring ASCII case.
 */
MOX_API bool mox_msg_field_is(const mox_msg_field *f, const char *name);

/**
 * Unfold a field value (RFC 5322 2.2.3): remove every CRLF or LF, and
 * leading and trailing whitespace (SP, HTAB; also a CR before a removed
 * LF). Other bytes, NUL and 8-bit included, are copied unchanged.
 * snprintf contract; a buffer of len + 1 always fits.
 *
 * @param[out] buf  output, NUL-terminated when cap > 0 (may be NULL when
 *                  cap is 0, to measure)
 * @param[in]  cap  size of buf
 * @param[in]  p, len  value, usually mox_msg_field.value
 * @return the length the whole output needs (excluding NUL); truncated
 *         when >= cap
 */
MOX_API size_t mox_msg_unfold(char *buf, size_t cap, const uint8_t *p,
    size_t len);

/* --- RFC 2047 --- */

/**
 * Decode unstructured header text with RFC 2047 encoded-words into UTF-8.
 * Input may be a raw (folded) value: line ends are removed. Tolerant of
 * real mail: 'q'/'b' in either case; whitespace between adjacent
 * encoded-words dropped, and their octets joined before charset
 * conversion (a character split between two words survives); encoded-words
 * inside a word decoded; invalid base64 decoded as far as possible; an
 * unknown charset leaves the word as written; charset aliases (utf8,
 * latin1, ks_c_5601-1987 = CP949, gb2312 = GB18030, ...) and RFC 2231
 * language suffixes ("utf-8*en") understood. Charsets are converted with
 * iconv(3). Octets that are invalid in their charset, and raw text that is
 * not UTF-8, become U+FFFD, so the result is always valid UTF-8; so
 * does U+0000, so the result never contains a NUL before its end.
 *
 * @param[out] out      newly allocated NUL-terminated UTF-8; free with
 *                      mox_msg_free(); NULL on error
 * @param[out] out_len  its length (may be NULL)
 * @param[in]  p, len   input text
 * @return MOX_OK, MOX_EINVAL, MOX_ENOMEM
 */
MOX_API int mox_msg_decode_2047(char **out, size_t *out_len,
    const uint8_t *p, size_t len);

/* --- address lists --- */

/**
 * Parse an address list (From, To, Cc, Bcc, Reply-To, Sender, Resent-*:
 * RFC 5322 3.4 and 4.4, RFC 6532 UTF-8), groups, nested comments, quoted
 * strings and obsolete forms included: obs-route "<@a,@b:user@host>",
 * obs-local-part "john . doe", obs-phrase with dots, empty list elements.
 * Input may be a raw (folded) value.
 *
 * @param[out] out         the list on MOX_OK (possibly empty), else NULL
 * @param[in]  p, len      input (a field value)
 * @param[in]  flags       mox_msg_addr_flags
 * @param[out] err_offset  on MOX_ESYNTAX, offset of the error in the input
 *                         (may be NULL)
 * @return MOX_OK, MOX_EINVAL, MOX_ENOMEM, MOX_ENUL (a NUL byte),
 *         MOX_ESYNTAX (strict mode only)
 */
MOX_API int mox_msg_addrlist_parse(mox_msg_addrlist **out, const uint8_t *p,
    size_t len, unsigned int flags, size_t *err_offset);

/** Free a list; NULL does nothing. */
MOX_API void mox_msg_addrlist_free(mox_msg_addrlist *l);

/** Number of entries (mailboxes and empty groups). */
MOX_API size_t mox_msg_addrlist_count(const mox_msg_addrlist *l);

/**
 * Entry i of the list.
 *
 * @return borrowed, valid until mox_msg_addrlist_free(); NULL when i is
 *         out of range
 */
MOX_API const mox_msg_mailbox *mox_msg_addrlist_get(
    const mox_msg_addrlist *l, size_t i);

/** Number of entries the lenient mode skipped. */
MOX_API size_t mox_msg_addrlist_skipped(const mox_msg_addrlist *l);

/* --- dates --- */

/**
 * Parse an RFC 5322 date-time (3.3), with the obsolete forms of 4.3:
 * optional day-of-week, two-digit years (< 50 is 20xx) and three-digit
 * years (+1900), missing seconds, zone names UT GMT EST EDT CST CDT MST
 * MDT PST PDT, military single letters (treated as -0000), comments and
 * extra whitespace anywhere. A missing zone is accepted as -0000 with
 * MOX_MSG_DATE_NO_ZONE.
 *
 * @param[out] out  result; version must be set (MOX_MSG_DATE_INIT)
 * @return MOX_OK, MOX_EINVAL, MOX_EVERSION, MOX_ESYNTAX, MOX_ERANGE
 *         (field out of range, such as 31 February or hour 24)
 */
MOX_API int mox_msg_date_parse(mox_msg_date *out, const uint8_t *p,
    size_t len);

/* --- message-ids --- */

/**
 * Parse a list of msg-ids (Message-ID, References, In-Reply-To: RFC 5322
 * 3.6.4 and 4.5.4). Each "<id-left@id-right>" becomes one entry without
 * brackets, CFWS inside removed. Obsolete phrases between ids are
 * skipped. A word with '@' outside brackets is taken as an id (obsolete
 * and broken mailers); "<>" is skipped.
 *
 * @param[out] out  the list (possibly empty) on MOX_OK, else NULL
 * @return MOX_OK, MOX_EINVAL, MOX_ENOMEM, MOX_ENUL, MOX_ESYNTAX (an
 *         unterminated "<", comment or quoted string)
 */
MOX_API int mox_msg_idlist_parse(mox_msg_idlist **out, const uint8_t *p,
    size_t len);

/** Free a list; NULL does nothing. */
MOX_API void mox_msg_idlist_free(mox_msg_idlist *l);

/** Number of ids. */
MOX_API size_t mox_msg_idlist_count(const mox_msg_idlist *l);

/**
 * Id i, NUL-terminated, without angle brackets.
 *
 * @param[out] len  its length (may be NULL)
 * @return borrowed, valid until mox_msg_idlist_free(); NULL when i is out
 *         of range
 */
MOX_API const char *mox_msg_idlist_get(const mox_msg_idlist *l, size_t i,
    size_t *len);

/* --- MIME header fields --- */

/** A parsed Content-Type or Content-Disposition value. Owned by the
 * caller; free with mox_msg_ctype_free(). Immutable once parsed: any
 * number of threads may read it at once; freeing must not race with
 * readers. */
typedef struct mox_msg_ctype mox_msg_ctype;

/** Flags of mox_msg_ctype_parse(). */
enum mox_msg_ctype_flags {
	/** Parse a Content-Disposition value (RFC 2183): a single type
	 * such as "attachment", no '/' and no subtype (the subtype is ""). */
	MOX_MSG_CTYPE_DISPOSITION = 1u << 0,
	/** Strict RFC 2045 syntax: fail with MOX_ESYNTAX on a missing ';'
	 * between parameters, a parameter without '=', an unquoted value
	 * that is not a token, or an unterminated quoted string. The
	 * default is lenient and skips or accepts these. */
	MOX_MSG_CTYPE_STRICT = 1u << 1
};

/** Content-Transfer-Encoding values (RFC 2045 6.1). */
enum mox_msg_cte {
	MOX_MSG_CTE_7BIT = 0,
	MOX_MSG_CTE_8BIT = 1,
	MOX_MSG_CTE_BINARY = 2,
	MOX_MSG_CTE_QUOTED_PRINTABLE = 3,
	MOX_MSG_CTE_BASE64 = 4,
	/** Anything else (x-token, ietf-token, uuencode, garbage). */
	MOX_MSG_CTE_OTHER = 5
};

/** Most parameters in one value (each RFC 2231 section counts). */
#define MOX_MSG_CTYPE_MAX_PARAMS 1000
/** Highest RFC 2231 continuation index ("name*999"). */
#define MOX_MSG_CTYPE_MAX_SECTION 999

/**
 * Parse a Content-Type value (RFC 2045 5.1), or with
 * MOX_MSG_CTYPE_DISPOSITION a Content-Disposition value (RFC 2183). Input
 * may be a raw (folded) value; comments (nested) are skipped.
 *
 * Type and subtype are lowercased. Parameter names are lowercased and
 * values unquoted (quoted-pairs resolved, line ends removed). RFC 2231:
 * continuations (name*0, name*1, ...) are joined in numeric order,
 * whatever their order in the input, gaps skipped; extended values
 * (name*=charset'lang'%XX, name*0*=...) are percent-decoded and converted
 * from their charset to UTF-8 (as mox_msg_decode_2047(); an unknown
 * charset keeps the octets when they are UTF-8, else invalid octets become
 * U+FFFD). RFC 2047 encoded-words in other values are decoded (real mail
 * puts them in filename). Every name and value is NUL-terminated valid
 * UTF-8 without NUL inside (U+0000 becomes U+FFFD). When a parameter
 * appears more than once, the first wins (a plain "name" and an RFC 2231
 * "name*" are the same parameter).
 *
 * The default is lenient: missing or extra semicolons, whitespace around
 * '=', unquoted values with specials ('/', '@', ...) and parameters
 * without '=' (skipped) are accepted. A missing or broken type or subtype
 * is always MOX_ESYNTAX: the caller then uses text/plain (RFC 2045 5.2).
 *
 * @param[out] out     the result on MOX_OK, else NULL
 * @param[in]  p, len  input (a field value)
 * @param[in]  flags   mox_msg_ctype_flags
 * @return MOX_OK, MOX_EINVAL, MOX_ENOMEM, MOX_ENUL (a NUL byte),
 *         MOX_ESYNTAX, MOX_ELIMIT (more than MOX_MSG_CTYPE_MAX_PARAMS
 *         parameters, or a section index above MOX_MSG_CTYPE_MAX_SECTION)
 */
MOX_API int mox_msg_ctype_parse(mox_msg_ctype **out, const uint8_t *p,
    size_t len, unsigned int flags);

/** Free a result; NULL does nothing. */
MOX_API void mox_msg_ctype_free(mox_msg_ctype *ct);

/** Type, lowercase ("text"; the disposition type for
 * MOX_MSG_CTYPE_DISPOSITION). Borrowed, valid until mox_msg_ctype_free();
 * "" for NULL. */
MOX_API const char *mox_msg_ctype_type(const mox_msg_ctype *ct);

/** Subtype, lowercase ("plain"); "" for a disposition or NULL. */
MOX_API const char *mox_msg_ctype_subtype(const mox_msg_ctype *ct);

/** Number of parameters (after joining RFC 2231 sections and dropping
 * duplicates), in order of first appearance. */
MOX_API size_t mox_msg_ctype_param_count(const mox_msg_ctype *ct);

/**
 * Parameter i.
 *
 * @param[out] name   lowercase name without RFC 2231 '*' suffixes
 *                    (may be NULL); borrowed like the value
 * @param[out] value  decoded UTF-8 value (may be NULL); borrowed, valid
 *                    until mox_msg_ctype_free()
 * @return MOX_OK, MOX_ENOTFOUND (i out of range; outputs set to NULL),
 *         MOX_EINVAL (NULL ct)
 */
MOX_API int mox_msg_ctype_param(const mox_msg_ctype *ct, size_t i,
    const char **name, const char **value);

/**
 * Value of the parameter with the given name, ignoring ASCII case (such
 * as "charset", "boundary", "filename").
 *
 * @return borrowed value, valid until mox_msg_ctype_free(); NULL when
 *         absent or for NULL arguments
 */
MOX_API const char *mox_msg_ctype_get(const mox_msg_ctype *ct,
    const char *name);

/**
 * Parse a Content-Transfer-Encoding value (RFC 2045 6.1), ignoring case;
 * whitespace and comments around the token are allowed. An empty value
 * (or only comments) is 7bit, the default of RFC 2045 6.1.
 *
 * @return a mox_msg_cte value (>= 0), or MOX_EINVAL (NULL p with len > 0)
 */
MOX_API int mox_msg_cte_parse(const uint8_t *p, size_t len);

/* --- List-Id and Received --- */

/**
 * Parse a List-Id value (RFC 2919): an optional phrase, then
 * "<list-label.list-domain>". Comments are skipped. Lenient: a value
 * without angle brackets that is a single dot-atom is taken as the id.
 *
 * @param[out] id       the id without brackets, borrowed from p
 * @param[out] phrase   the phrase before it, trimmed, undecoded, borrowed
 *                      from p (may be NULL; empty slice when absent)
 * @return MOX_OK, MOX_EINVAL, MOX_ESYNTAX (no id), MOX_ENUL
 */
MOX_API int mox_msg_listid_parse(mox_slice *id, mox_slice *phrase,
    const uint8_t *p, size_t len);

/**
 * Count the Received fields of a header section: the number of hops a
 * message has taken (RFC 5321 6.3 loop detection). Malformed fields and
 * fields with NUL bytes are not counted.
 *
 * @param[in] msg, len  the message or its header section
 * @param[in] opts      limits (NULL: defaults)
 * @return the count (>= 0), or MOX_EINVAL, MOX_EVERSION, MOX_ELIMIT
 */
MOX_API int mox_msg_received_count(const uint8_t *msg, size_t len,
    const mox_msg_options *opts);

/* --- MIME part tree --- */

/** A parsed MIME part tree (RFC 2045, 2046). Owned by the caller; free
 * with mox_msg_tree_free(). It borrows the message buffer it was parsed
 * from, which must stay valid and unchanged while the tree lives: the
 * tree stores offsets, never a copy of the message. Immutable once
 * parsed: any number of threads may read it at once. */
typedef struct mox_msg_tree mox_msg_tree;

/** Flags of a mox_msg_part. */
enum mox_msg_part_flags {
	/** A multipart without its close-delimiter ("--boundary--"): the
	 * last part runs to the end of the enclosing body (or to a
	 * delimiter line of an enclosing multipart). Set only when the
	 * multipart has parts. */
	MOX_MSG_PART_MISSING_CLOSE = 1u << 0,
	/** A multipart in which no delimiter line was found at all: it has
	 * no children, its whole body is preamble. Also set when only a
	 * close-delimiter was found. */
	MOX_MSG_PART_NO_PARTS = 1u << 1,
	/** A multipart without a boundary parameter (treated as a leaf, as
	 * RFC 2046 5.1.1 makes the parameter mandatory). */
	MOX_MSG_PART_NO_BOUNDARY = 1u << 2,
	/** The part would be a container (multipart, message/rfc822,
	 * message/global) but max_depth or max_parts was reached; it is
	 * kept as a leaf. */
	MOX_MSG_PART_TRUNCATED = 1u << 3,
	/** The Content-Type field is present but does not parse; the part
	 * has the default type (text/plain, or message/rfc822 in a
	 * multipart/digest). */
	MOX_MSG_PART_BAD_CTYPE = 1u << 4,
	/** The header section has malformed fields, NUL bytes or exceeded a
	 * header limit (only the fields before it are used). Malformed
	 * fields and fields with NUL bytes are skipped, as
	 * mox_msg_iter_find() does; a limit does not move the end of the
	 * section, which is still the empty line. */
	MOX_MSG_PART_BAD_HEADER = 1u << 5,
	/** The header section has no empty line: the part has a header and
	 * an empty body. */
	MOX_MSG_PART_NO_BODY_SEP = 1u << 6,
	/** The body has octets >= 0x80. */
	MOX_MSG_PART_BODY_8BIT = 1u << 7,
	/** The body has a NUL octet. */
	MOX_MSG_PART_BODY_NUL = 1u << 8,
	/** The body has a line end that is a bare LF. */
	MOX_MSG_PART_BODY_BARE_LF = 1u << 9
};

/** Kind of part, derived from its media type. */
enum mox_msg_part_kind {
	/** A leaf: any media type that is not a container below. */
	MOX_MSG_PART_LEAF = 0,
	/** multipart/<any>: children are the body parts. */
	MOX_MSG_PART_MULTIPART = 1,
	/** message/rfc822 or message/global (RFC 6532): one child, the
	 * encapsulated message (a part with its own header). A message part
	 * with an encoding other than 7bit/8bit/binary is a leaf. */
	MOX_MSG_PART_MESSAGE = 2
};

/** Limits of mox_msg_tree_parse(). Initialize with
 * MOX_MSG_TREE_OPTIONS_INIT. */
typedef struct mox_msg_tree_options {
	unsigned int version;    /**< MOX_MSG_TREE_OPTIONS_VERSION */
	/** Deepest nesting of containers; the root is depth 0. A container
	 * at depth max_depth or deeper becomes a leaf with
	 * MOX_MSG_PART_TRUNCATED, so no part is deeper than max_depth.
	 * Default 64. */
	unsigned int max_depth;
	/** Most parts in the tree (the root included); later containers
	 * become leaves with MOX_MSG_PART_TRUNCATED: a message/rfc822 part
	 * when there is no room for its child, a multipart when there is no
	 * room for its next part (the parts it had are dropped). Default
	 * 10000; 0 means no limit. */
	size_t max_parts;
	/** Limits for each part's header section. */
	mox_msg_options header;
} mox_msg_tree_options;

#define MOX_MSG_TREE_OPTIONS_VERSION 1
#define MOX_MSG_TREE_OPTIONS_INIT                                           \
	{ MOX_MSG_TREE_OPTIONS_VERSION, 64, 10000, MOX_MSG_OPTIONS_INIT }

/**
 * One part of a tree. Owned by the tree: every pointer is valid until
 * mox_msg_tree_free(). The library allocates these; fields may be
 * appended in later versions.
 *
 * Offsets are from the start of the message buffer. The header section
 * is [header_offset, body_offset) (its empty line included); the body is
 * [body_offset, end_offset). For a body part of a multipart, end_offset
 * is where the line end before the next delimiter line starts: that line
 * end belongs to the delimiter (RFC 2046 5.1.1). The encapsulated message
 * of a message/rfc822 part covers that part's body: its header_offset is
 * the parent's body_offset and its end_offset the parent's end_offset.
 * When a body part's header is followed by an empty line and then
 * directly by a delimiter line of an enclosing multipart, that empty line
 * is the delimiter's line end: the header section ends before it, the
 * body is empty and MOX_MSG_PART_NO_BODY_SEP is set (as Dovecot reads
 * it). The exception is a multipart part whose own first delimiter line
 * is there (a nested multipart reusing its parent's boundary): its header
 * ends with the empty line and its parts follow. A header section that a
 * delimiter line ends (no empty line) does not include the line end
 * before the delimiter.
 */
typedef struct mox_msg_part {
	/** Index in the tree: parts are numbered in depth-first pre-order,
	 * the root (the whole message) is 0. */
	size_t index;
	/** Index of the parent; SIZE_MAX for the root. */
	size_t parent;
	/** Index of the first child and of the next sibling; SIZE_MAX when
	 * there is none. */
	size_t first_child;
	size_t next_sibling;
	/** Number of children. */
	size_t nchildren;
	/** Depth: 0 for the root. */
	unsigned int depth;
	/** mox_msg_part_kind */
	int kind;
	/** mox_msg_part_flags */
	unsigned int flags;
	size_t header_offset;
	size_t body_offset;
	size_t end_offset;
	/** Body octets: end_offset - body_offset (IMAP body-fld-octets). */
	size_t body_size;
	/** Lines in the body (IMAP body-fld-lines): the number of LF
	 * octets. A last line without a line end is not counted, as IMAP
	 * servers count (the last line of a body part has none: its line
	 * end belongs to the next delimiter). */
	size_t body_lines;
	/** mox_msg_eol bits of the header section. */
	unsigned int header_eol;
	/** Media type and subtype, lowercase. Defaults as in RFC 2045 5.2
	 * and RFC 2046 5.1.5: "text"/"plain", or "message"/"rfc822" in a
	 * multipart/digest. */
	const char *type;
	const char *subtype;
	/** The parsed Content-Type (parameters: charset, boundary, name,
	 * ...); NULL when the field is absent or does not parse. */
	const mox_msg_ctype *ctype;
	/** mox_msg_cte of Content-Transfer-Encoding (7bit when absent). */
	int cte;
	/** The encoding as a lowercase token, "7bit" when absent; for
	 * MOX_MSG_CTE_OTHER the token as written, lowercased (after leading
	 * comments), or the whole unfolded value lowercased when it does
	 * not start with a token. */
	const char *cte_name;
	/** Content-Disposition, parsed; NULL when absent or invalid. */
	const mox_msg_ctype *disposition;
	/** Content-ID, Content-Description, Content-MD5,
	 * Content-Language, Content-Location: the unfolded value with
	 * leading and trailing whitespace removed, undecoded (as IMAP
	 * BODYSTRUCTURE sends them); NULL when absent. The first of repeated
	 * fields wins. NUL-terminated; a field with a NUL byte is skipped
	 * (a later one of the same name can then be used). */
	const char *content_id;
	const char *description;
	const char *md5;
	const char *language;
	const char *location;
} mox_msg_part;

/**
 * Fill tree options with the defaults for the given version.
 *
 * @return MOX_OK, MOX_EINVAL (NULL), MOX_EVERSION (0 or too new)
 */
MOX_API int mox_msg_tree_options_init(mox_msg_tree_options *opts,
    unsigned int version);

/**
 * Parse the MIME structure of a message: the root part (the message
 * itself), multiparts (nested, with preamble and epilogue, a missing
 * close-delimiter tolerated), and message/rfc822 and message/global
 * bodies as nested messages. Bodies are scanned for delimiter lines and
 * line counts only, never decoded or copied. Lines may end in CRLF or bare
 * LF; a bare CR is an ordinary octet.
 *
 * Malformed input is not an error: problems are part flags (see
 * mox_msg_part_flags) and the tree always covers the whole message.
 *
 * @param[out] out   the tree on MOX_OK, else NULL
 * @param[in]  msg   the message; borrowed for the life of the tree
 * @param[in]  len   its length
 * @param[in]  opts  limits, NULL for defaults (copied)
 * @return MOX_OK, MOX_EINVAL (NULL out, NULL msg with len > 0),
 *         MOX_EVERSION, MOX_ENOMEM
 */
MOX_API int mox_msg_tree_parse(mox_msg_tree **out, const uint8_t *msg,
    size_t len, const mox_msg_tree_options *opts);

/** Free a tree; NULL does nothing. The message buffer is not touched. */
MOX_API void mox_msg_tree_free(mox_msg_tree *t);

/** Number of parts (at least 1). 0 for NULL. */
MOX_API size_t mox_msg_tree_count(const mox_msg_tree *t);

/**
 * Part i (pre-order index; 0 is the root).
 *
 * @return borrowed, valid until mox_msg_tree_free(); NULL when i is out
 *         of range
 */
MOX_API const mox_msg_part *mox_msg_tree_part(const mox_msg_tree *t,
    size_t i);

/** Child i of part p, or NULL. */
MOX_API const mox_msg_part *mox_msg_tree_child(const mox_msg_tree *t,
    const mox_msg_part *p, size_t i);

/** The message buffer the tree was parsed from (borrowed), and its
 * length (may be NULL). */
MOX_API const uint8_t *mox_msg_tree_message(const mox_msg_tree *t,
    size_t *len);

/**
 * Serialize the tree's structure compactly for a cache (the store keeps
 * it next to the message): offsets, line counts and flags as
 * variable-length integers, about 10 octets per part. Header values are
 * not stored: mox_msg_tree_load() parses each part's header section again,
 * which is fast, and skips the scan of bodies, which is slow. The format
 * starts with a version octet and is stable across releases of the same
 * soname.
 *
 * @param[out] out      newly allocated bytes, free with mox_msg_free()
 * @param[out] out_len  their length
 * @return MOX_OK, MOX_EINVAL, MOX_ENOMEM
 */
MOX_API int mox_msg_tree_save(uint8_t **out, size_t *out_len,
    const mox_msg_tree *t);

/**
 * Rebuild a tree from mox_msg_tree_save() output and the same message.
 * The serialized bytes are checked (a corrupt or foreign cache entry is
 * refused, never trusted): every offset must be inside the message and
 * properly nested, and the header of each part must parse to the same
 * kind of part.
 *
 * @param[out] out   the tree on MOX_OK (equal to the parsed one), else NULL
 * @param[in]  msg, len  the message; borrowed for the life of the tree
 * @param[in]  data, data_len  serialized tree
 * @param[in]  opts  limits as for mox_msg_tree_parse(), NULL for defaults
 * @return MOX_OK, MOX_EINVAL, MOX_EVERSION (an unknown format version),
 *         MOX_ESYNTAX (corrupt data, or not this message), MOX_ENOMEM
 */
MOX_API int mox_msg_tree_load(mox_msg_tree **out, const uint8_t *msg,
    size_t len, const uint8_t *data, size_t data_len,
    const mox_msg_tree_options *opts);

/* --- body decoding --- */

/** Room that mox_msg_decoder_update() may need beyond the input length,
 * for octets held back from earlier calls. */
#define MOX_MSG_DECODE_SLACK 80

/** Decoder errors (bits, see mox_msg_decoder_errors()). */
enum mox_msg_decode_errors {
	/** base64: octets outside the alphabet (other than line ends and
	 * whitespace) were skipped. */
	MOX_MSG_DECODE_BAD_CHAR = 1u << 0,
	/** base64: data after '=' padding, or a final incomplete quantum. */
	MOX_MSG_DECODE_BAD_PADDING = 1u << 1,
	/** quoted-printable: '=' not followed by two hex digits or a line
	 * end; kept literally. */
	MOX_MSG_DECODE_BAD_ESCAPE = 1u << 2,
	/** quoted-printable: a line of more than 76 octets (decoded
	 * anyway). */
	MOX_MSG_DECODE_LONG_LINE = 1u << 3
};

/**
 * Streaming decoder of a Content-Transfer-Encoding. Caller-allocated (on
 * the stack is fine), set up by mox_msg_decoder_init(); it holds no
 * resources. Members are private. One thread at a time.
 */
typedef struct mox_msg_decoder {
	unsigned int version;    /**< set by mox_msg_decoder_init() */
	int cte_;
	unsigned int state_;
	unsigned int errors_;
	uint32_t bits_;
	size_t pending_len_;
	size_t line_len_;
	uint8_t pending_[MOX_MSG_DECODE_SLACK];
	void *reserved_[2];
} mox_msg_decoder;

/**
 * Set up a decoder. base64 ignores line ends and whitespace, skips other
 * octets outside the alphabet and stops at padding. quoted-printable
 * (RFC 2045 6.7) removes soft line breaks ("=" at line end) and
 * whitespace at the end of lines, decodes "=XX" (either case of hex
 * digits) and keeps hard line breaks as written (CRLF or LF); an invalid
 * "=" is kept literally. 7bit, 8bit, binary and other encodings are
 * copied unchanged.
 *
 * @param[out] d    decoder
 * @param[in]  cte  a mox_msg_cte value
 * @return MOX_OK, MOX_EINVAL (NULL, or cte out of range)
 */
MOX_API int mox_msg_decoder_init(mox_msg_decoder *d, int cte);

/**
 * Decode the next chunk. Chunks may split the input anywhere (inside a
 * base64 quantum, an "=XX" escape or a CRLF).
 *
 * @param[in,out] d        decoder
 * @param[out]    out      output buffer of at least
 *                         in_len + MOX_MSG_DECODE_SLACK octets
 * @param[out]    out_len  octets written
 * @param[in]     in, in_len  encoded input
 * @return MOX_OK, MOX_EINVAL
 */
MOX_API int mox_msg_decoder_update(mox_msg_decoder *d, uint8_t *out,
    size_t *out_len, const uint8_t *in, size_t in_len);

/**
 * End of input: write what was held back (at most MOX_MSG_DECODE_SLACK
 * octets; quoted-printable whitespace at the very end is dropped, an
 * incomplete "=X" is kept literally; base64 decodes a final incomplete
 * quantum as far as it goes). The decoder can then be initialized again.
 *
 * @return MOX_OK, MOX_EINVAL
 */
MOX_API int mox_msg_decoder_final(mox_msg_decoder *d, uint8_t *out,
    size_t *out_len);

/** mox_msg_decode_errors bits seen so far. */
MOX_API unsigned int mox_msg_decoder_errors(const mox_msg_decoder *d);

/**
 * Decode a whole body in one call (the decoder above, in one pass).
 *
 * @param[out] out      newly allocated decoded bytes (NUL-terminated for
 *                      convenience, the NUL not counted); free with
 *                      mox_msg_free(); NULL on error
 * @param[out] out_len  decoded length
 * @param[out] errors   mox_msg_decode_errors (may be NULL)
 * @param[in]  cte      a mox_msg_cte value
 * @return MOX_OK, MOX_EINVAL, MOX_ENOMEM
 */
MOX_API int mox_msg_decode(uint8_t **out, size_t *out_len,
    unsigned int *errors, int cte, const uint8_t *p, size_t len);

/**
 * Decode the body of a part with its Content-Transfer-Encoding, as
 * mox_msg_decode().
 *
 * @return MOX_OK, MOX_EINVAL, MOX_ENOMEM, MOX_EUNSUPPORTED (an encoding
 *         that is not 7bit, 8bit, binary, quoted-printable or base64:
 *         IMAP's [UNKNOWN-CTE])
 */
MOX_API int mox_msg_part_decode(uint8_t **out, size_t *out_len,
    unsigned int *errors, const mox_msg_tree *t, const mox_msg_part *p);

/* --- IMAP views (RFC 3501 7.4.2 and 6.4.5, RFC 9051) --- */

/** Flags of the IMAP functions. */
enum mox_msg_imap_flags {
	/** mox_msg_imap_fetch(): BINARY[section] (RFC 3516, RFC 9051):
	 * decode the part's Content-Transfer-Encoding. The section must be
	 * empty or a part number. */
	MOX_MSG_IMAP_BINARY = 1u << 0,
	/** mox_msg_imap_bodystructure(): include extension data (FETCH
	 * BODYSTRUCTURE); without it, the FETCH BODY form. */
	MOX_MSG_IMAP_EXTENDED = 1u << 1,
	/** Strings may be UTF-8 in quoted strings (IMAP4rev2, or
	 * UTF8=ACCEPT enabled); invalid UTF-8 becomes U+FFFD. Without it
	 * (IMAP4rev1) a string with octets >= 0x80 is sent as a literal. */
	MOX_MSG_IMAP_UTF8 = 1u << 2
};

/**
 * IMAP BODYSTRUCTURE (or BODY) of a message: the parenthesized list as a
 * server sends it after "BODYSTRUCTURE ". Media types, subtypes,
 * parameter names and encodings are uppercase, as in the RFC examples;
 * parameter values are RFC 2231-decoded (RFC 9051 7.5.2); other values
 * (id, description, md5, language, location) are as written. Strings are
 * quoted ('"' and '\\' escaped) unless they must be literals
 * ("{n}" CRLF octets), see MOX_MSG_IMAP_UTF8; an absent value is NIL.
 * Content-Language is one string, or a list when it has several tags.
 * body-fld-lines counts the line ends of the body (as Dovecot: the last
 * line of a multipart's body part has none, its CRLF belongs to the
 * delimiter). The syntax stays valid for broken structure: a multipart
 * without body parts (or without boundary, or truncated) gets one empty
 * TEXT/PLAIN part, as Dovecot sends; a message/rfc822 part that is not
 * parsed as a message (encoded, or truncated) gets an envelope of NILs
 * and that empty body. MESSAGE/GLOBAL gets envelope, body and lines only
 * with MOX_MSG_IMAP_UTF8 (RFC 9051; RFC 3501 has no such form).
 *
 * @param[out] out      newly allocated NUL-terminated text; free with
 *                      mox_msg_free(); NULL on error
 * @param[out] out_len  its length (may be NULL)
 * @param[in]  t        tree
 * @param[in]  part     the message: the root, or the encapsulated message
 *                      (child) of a message/rfc822 part; NULL for the root
 * @param[in]  flags    mox_msg_imap_flags (EXTENDED, UTF8)
 * @return MOX_OK, MOX_EINVAL (NULL t or out, part not a message),
 *         MOX_ENOMEM
 */
MOX_API int mox_msg_imap_bodystructure(char **out, size_t *out_len,
    const mox_msg_tree *t, const mox_msg_part *part, unsigned int flags);

/**
 * IMAP ENVELOPE of a message (RFC 3501 7.4.2): date, subject, from,
 * sender, reply-to, to, cc, bcc, in-reply-to, message-id, with sender and
 * reply-to defaulting to from. Field values are sent undecoded (RFC 2047
 * words left as written), as IMAP requires; addresses are parsed leniently
 * and sent as (name adl mailbox host), groups as start and end markers.
 *
 * @param[in]  part   the message (root or encapsulated); NULL for the root
 * @param[in]  flags  mox_msg_imap_flags (UTF8)
 * @return as mox_msg_imap_bodystructure()
 */
MOX_API int mox_msg_imap_envelope(char **out, size_t *out_len,
    const mox_msg_tree *t, const mox_msg_part *part, unsigned int flags);

/**
 * Result of mox_msg_imap_fetch(). Initialize with MOX_MSG_IMAP_DATA_INIT;
 * release with mox_msg_imap_data_release().
 */
typedef struct mox_msg_imap_data {
	unsigned int version;    /**< MOX_MSG_IMAP_DATA_VERSION */
	/** The section's octets: either a slice of the message (no copy) or
	 * of a buffer owned by this struct. Valid until release, and as long
	 * as the message buffer. */
	mox_slice data;
	/** For MOX_MSG_IMAP_BINARY: true when the decoded data contains a
	 * NUL octet (a server must then send it as literal8). */
	bool has_nul;
	void *owned_;
} mox_msg_imap_data;

#define MOX_MSG_IMAP_DATA_VERSION 1
#define MOX_MSG_IMAP_DATA_INIT { MOX_MSG_IMAP_DATA_VERSION, { NULL, 0 }, false, NULL }

/**
 * The octets of FETCH BODY[section] (RFC 3501 6.4.5, RFC 9051 6.4.5) or,
 * with MOX_MSG_IMAP_BINARY, BINARY[section]. section is the text between
 * the brackets, without the brackets and without a partial <n.m>: "",
 * "HEADER", "TEXT", "1", "1.2", "3.MIME", "2.HEADER",
 * "HEADER.FIELDS (From To)", "1.HEADER.FIELDS.NOT (Received)". Keywords
 * and field names are case-insensitive.
 *
 * Part numbering: a non-multipart message has part 1 (its body); the
 * parts of a multipart are numbered from 1; a part that is
 * message/rfc822 has HEADER, TEXT and MIME sections and its parts are
 * those of the encapsulated message's body. HEADER.FIELDS returns the
 * matching fields in message order followed by the empty line (even when
 * nothing matched), as servers do, except for a message that has no
 * empty line (RFC 3501 6.4.5: "no body and no blank line"). MIME returns
 * the part's header section, empty line included; for part 1 of a
 * non-multipart message that is the message's header. HEADER and TEXT
 * of a part that is not message/rfc822 do not exist.
 *
 * @param[out] out      result; version must be set
 * @param[in]  t        tree
 * @param[in]  section, section_len  the section text
 * @param[in]  flags    mox_msg_imap_flags (BINARY)
 * @return MOX_OK; MOX_ESYNTAX (invalid section syntax); MOX_ENOTFOUND (a
 *         part that does not exist: servers send an empty string or NIL);
 *         MOX_EUNSUPPORTED (BINARY of an unknown encoding, IMAP
 *         [UNKNOWN-CTE]); MOX_EINVAL; MOX_EVERSION; MOX_ENOMEM
 */
MOX_API int mox_msg_imap_fetch(mox_msg_imap_data *out,
    const mox_msg_tree *t, const char *section, size_t section_len,
    unsigned int flags);

/** Free what a mox_msg_imap_data owns and reset it; the version stays. */
MOX_API void mox_msg_imap_data_release(mox_msg_imap_data *d);

MOX_END_DECLS

#endif
