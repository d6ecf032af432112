/* SPDX-License-Identifier: MIT */
/**
 * mox/addr.h -- domain names (with IDNA2008), localparts, email addresses
 * and IP addresses.
 *
 * All parsers take (pointer, length) and never rely on a terminating NUL: a
 * NUL byte inside the input is an error (MOX_ENUL). Results are written into
 * caller-owned structs and buffers; nothing here allocates memory that the
 * caller must free.
 *
 * Threads: every function here is reentrant and may be called from any
 * thread; the structs are plain values that may be copied and shared
 * read-only.
 */
#ifndef MOX_ADDR_H
#define MOX_ADDR_H

#include <mox/common.h>

MOX_BEGIN_DECLS

/** Longest domain name in presentation form without trailing dot
 * (RFC 1035: 255 octets on the wire). */
#define MOX_DOMAIN_MAX 253
/** Longest label (RFC 1035). */
#define MOX_LABEL_MAX 63
/** Buffer size for the Unicode form of a domain. */
#define MOX_DOMAIN_UNICODE_SIZE 1024
/** Longest localpart accepted, in octets of its unquoted form. RFC 5321
 * allows 64; real mail (SRS, VERP) has longer ones, so the default limit is
 * this, and MOX_ADDR_STRICT applies 64. */
#define MOX_LOCALPART_MAX 255
/** Buffer size that fits any formatted IP address and NUL. */
#define MOX_IP_STRLEN 46
/** Buffer size that fits any reverse (PTR) name and NUL. */
#define MOX_IP_REVERSE_STRLEN 74

/** Flags for mox_domain_parse() and mox_address_parse(). */
enum mox_domain_flags {
	/** Allow '_' in labels (DKIM selectors, _dmarc, SRV names). */
	MOX_DOMAIN_ALLOW_UNDERSCORE = 1u << 0,
	/** Accept (and drop) one trailing dot. */
	MOX_DOMAIN_ALLOW_TRAILING_DOT = 1u << 1,
	/** Reject names of one label, such as "localhost". */
	MOX_DOMAIN_REQUIRE_DOT = 1u << 2,
	/** Reject non-ASCII input and xn-- labels (plain LDH names only). */
	MOX_DOMAIN_ASCII_ONLY = 1u << 3,
	/** mox_address_parse(): apply RFC 5321's 64-octet localpart limit. */
	MOX_ADDR_STRICT = 1u << 4,
	/** mox_address_parse(): reject non-ASCII localparts (no SMTPUTF8). */
	MOX_ADDR_ASCII_LOCALPART = 1u << 5
};

/**
 * A domain name in both forms. Plain value: copy it freely.
 * For a name without IDN labels both strings are equal.
 */
typedef struct mox_domain {
	/** Lowercase A-label form, NUL-terminated, no trailing dot. */
	char ascii[MOX_DOMAIN_MAX + 1];
	/** Lowercase U-label form (NFC), NUL-terminated, no trailing dot. */
	char unicode[MOX_DOMAIN_UNICODE_SIZE];
} mox_domain;

/** An email address: localpart and domain. Plain value. */
typedef struct mox_address {
	/** Unquoted localpart (quoted-pairs resolved), UTF-8, NUL-terminated.
	 * Case is kept: localparts are case-sensitive. May be empty only for
	 * a quoted empty string (""@example.com). */
	char localpart[MOX_LOCALPART_MAX + 1];
	size_t localpart_len;
	mox_domain domain;
} mox_address;

/** An IPv4 or IPv6 address. IPv4 addresses use the first 4 bytes of addr.
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is kept as family 6;
 * mox_ip_unmap() turns it into family 4. */
typedef struct mox_ip {
	uint8_t family; /**< 4 or 6 */
	uint8_t addr[16];
} mox_ip;

/* --- domains --- */

/**
 * Parse and normalize a domain name, ASCII or UTF-8, to its A-label and
 * U-label forms (IDNA2008 with UTS#46 non-transitional mapping, through
 * libidn2). Labels must be LDH (letters, digits, hyphen; no leading or
 * trailing hyphen), at most 63 octets in A-label form, the whole name at
 * most 253 octets. A-label input (xn--) must decode to a valid U-label.
 *
 * @param[out] out    the domain; zeroed on error
 * @param[in]  s      input bytes (no NUL needed)
 * @param[in]  len    input length
 * @param[in]  flags  mox_domain_flags
 * @return MOX_OK; MOX_EINVAL (NULL pointer), MOX_EEMPTY (empty name or
 *         empty label), MOX_ENUL, MOX_ETOOLONG (label or name too long),
 *         MOX_EUTF8 (invalid UTF-8), MOX_EIDNA (IDNA rules),
 *         MOX_ESYNTAX (character not allowed in a label)
 */
MOX_API int mox_domain_parse(mox_domain *out, const char *s, size_t len,
    unsigned int flags);

/**
 * Whether a parsed domain has IDN labels (its forms differ).
 */
MOX_API bool mox_domain_is_idn(const mox_domain *d);

/**
 * Compare two parsed domains (their A-label forms).
 *
 * @return true when equal
 */
MOX_API bool mox_domain_equal(const mox_domain *a, const mox_domain *b);

/* --- localparts and addresses --- */

/** Result bits of mox_localpart_check(). */
enum mox_localpart_info {
	MOX_LOCALPART_QUOTED = 1u << 0,  /**< needs quoting when formatted */
	MOX_LOCALPART_UTF8 = 1u << 1     /**< non-ASCII: needs SMTPUTF8 */
};

/**
 * Parse a localpart in its wire form (dot-atom or quoted-string, RFC 5321
 * section 4.1.2, with UTF-8 allowed per RFC 6531) into its unquoted form.
 *
 * @param[out] out      buffer for the unquoted localpart; NUL-terminated
 * @param[in]  cap      size of out; MOX_LOCALPART_MAX + 1 always fits
 * @param[out] out_len  length of the unquoted form (may be NULL)
 * @param[out] info     mox_localpart_info bits (may be NULL)
 * @param[in]  s, len   wire form
 * @param[in]  flags    MOX_ADDR_STRICT, MOX_ADDR_ASCII_LOCALPART
 * @return MOX_OK, MOX_EINVAL, MOX_EEMPTY, MOX_ENUL, MOX_ETOOLONG,
 *         MOX_EUTF8, MOX_ESYNTAX (not a dot-atom or quoted-string), or
 *         MOX_EBUFS when cap is too small
 */
MOX_API int mox_localpart_parse(char *out, size_t cap, size_t *out_len,
    unsigned int *info, const char *s, size_t len, unsigned int flags);

/**
 * Format an unquoted localpart in wire form, as a dot-atom where it is one
 * and as a quoted-string otherwise. snprintf contract.
 *
 * @param[out] buf  output, NUL-terminated when cap > 0
 * @param[in]  cap  size of buf
 * @param[in]  lp, len  unquoted localpart (UTF-8)
 * @return the length the full output needs (excluding NUL); the output was
 *         truncated when this is >= cap
 */
MOX_API size_t mox_localpart_format(char *buf, size_t cap, const char *lp,
    size_t len);

/**
 * Parse an address "localpart@domain" as used in SMTP paths and
 * addr-spec (no display name, no angle brackets, no comments).
 * The domain is parsed with mox_domain_parse() and the same flags; an
 * address literal domain ("[1.2.3.4]") is MOX_EUNSUPPORTED.
 *
 * @param[out] out  the address; zeroed on error
 * @return MOX_OK or an error of mox_localpart_parse() or
 *         mox_domain_parse(); MOX_ESYNTAX when there is no '@'
 */
MOX_API int mox_address_parse(mox_address *out, const char *s, size_t len,
    unsigned int flags);

/**
 * Whether delivering to/from this address needs SMTPUTF8 (a non-ASCII
 * localpart, or a domain with IDN labels when the Unicode form is used).
 */
MOX_API bool mox_address_needs_smtputf8(const mox_address *a);

/**
 * Format an address, quoting the localpart where needed. snprintf
 * contract.
 *
 * @param[in] unicode  use the U-label form of the domain
 * @return the length the full output needs (excluding NUL)
 */
MOX_API size_t mox_address_format(char *buf, size_t cap,
    const mox_address *a, bool unicode);

/* --- IP addresses --- */

/**
 * Parse an IPv4 dotted-quad (exactly four decimal parts, no leading
 * zeros) or an IPv6 address (RFC 4291 text forms, with embedded IPv4; no
 * zone index).
 *
 * @return MOX_OK, MOX_EINVAL, MOX_EEMPTY, MOX_ENUL, MOX_ETOOLONG,
 *         MOX_ESYNTAX
 */
MOX_API int mox_ip_parse(mox_ip *out, const char *s, size_t len);

/**
 * Parse "address/bits" (bits optional: a full-length prefix). The address
 * is masked to the prefix.
 *
 * @param[out] bits  prefix length
 * @return as mox_ip_parse(), MOX_ERANGE for a prefix too long for the family
 */
MOX_API int mox_cidr_parse(mox_ip *out, unsigned int *bits, const char *s,
    size_t len);

/**
 * Format an IP address: dotted-quad, or RFC 5952 canonical IPv6 (lowercase,
 * longest zero run compressed, ::ffff:a.b.c.d for IPv4-mapped). snprintf
 * contract; MOX_IP_STRLEN always fits.
 */
MOX_API size_t mox_ip_format(char *buf, size_t cap, const mox_ip *ip);

/**
 * Reverse DNS name for PTR lookups: "4.3.2.1.in-addr.arpa" or the 32-nibble
 * "....ip6.arpa" name, without trailing dot. snprintf contract;
 * MOX_IP_REVERSE_STRLEN always fits.
 */
MOX_API size_t mox_ip_reverse_name(char *buf, size_t cap, const mox_ip *ip);

/**
 * Keep the first bits of an address and zero the rest, as used for rate
 * limits and reputation classes (/32 /26 /21 for IPv4, /64 /48 /32 for
 * IPv6). out may equal in.
 *
 * @return MOX_OK, MOX_EINVAL, MOX_ERANGE (bits > 32 for IPv4 or > 128)
 */
MOX_API int mox_ip_mask(mox_ip *out, const mox_ip *in, unsigned int bits);

/**
 * Whether ip lies in net/bits. Addresses of different families never
 * match (unmap first to compare IPv4-mapped addresses with IPv4 networks).
 */
MOX_API bool mox_ip_in_prefix(const mox_ip *ip, const mox_ip *net,
    unsigned int bits);

/** Whether two addresses are equal (family and bytes). */
MOX_API bool mox_ip_equal(const mox_ip *a, const mox_ip *b);

/**
 * Turn an IPv4-mapped IPv6 address into family 4; other addresses are
 * copied unchanged. out may equal in.
 */
MOX_API void mox_ip_unmap(mox_ip *out, const mox_ip *in);

MOX_END_DECLS

#endif
