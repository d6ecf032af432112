/* SPDX-License-Identifier: MIT */
/*
 * report_unpack.c -- the aggregate report inside a report email: the MIME
 * part that carries it, its transfer encoding, then gzip (RFC 1952, what
 * RFC 9990 asks for), zip (what Google and others long sent) or bare
 * XML.
 *
 * Archives are untrusted (RFC 9990 security considerations, "zip bomb"): output is bounded by
 * the options' max_size whatever the headers claim, zip offsets and sizes
 * are checked against the buffer, and only stored and deflate entries are
 * read.
 */
#include <string.h>

#include <zlib.h>

#include <mox/message.h>

#include "report-int.h"

/* Largest piece zlib gets at once (its lengths are uInt). */
#define Z_PIECE ((size_t)1 << 30)

/*
 * Inflate p into a new buffer of at most max octets. windowBits 15 + 16
 * reads gzip, -15 raw deflate. With gzip, members that follow one another
 * are all read (RFC 1952 2.2); anything else after the end is ignored.
 */
static int
inflate_all(uint8_t **out, size_t *out_len, const uint8_t *p, size_t len,
    size_t max, int window, char *err, size_t errcap)
{
	z_stream z;
	mox__buf b = MOX__BUF_INIT;
	size_t off = 0;
	int zr, rc = MOX_OK;

	*out = NULL;
	*out_len = 0;
	memset(&z, 0, sizeof(z));
	z.zalloc = dmarc_report_zalloc;
	z.zfree = dmarc_report_zfree;
	zr = inflateInit2(&z, window);
	if (zr != Z_OK)
		return dmarc_report_errf(err, errcap,
		    zr == Z_MEM_ERROR ? MOX_ENOMEM : MOX_EINVAL,
		    "cannot start decompression");
	for (;;) {
		size_t room;

		if (z.avail_in == 0 && off < len) {
			size_t in = len - off > Z_PIECE ? Z_PIECE : len - off;

			z.next_in = (Bytef *)(uintptr_t)(p + off);
			z.avail_in = (uInt)in;
			off += in;
		}
		if (b.len > max) {
			rc = dmarc_report_errf(err, errcap, MOX_ELIMIT,
			    "decompressed report larger than %zu octets", max);
			break;
		}
		/* Room for one octet beyond max, to see it is exceeded. */
		room = max + 1 - b.len;
		if (room > 1 << 20)
			room = 1 << 20;
		if (mox__buf_grow(&b, room) != MOX_OK) {
			rc = dmarc_report_errf(err, errcap, MOX_ENOMEM,
			    "out of memory");
			break;
		}
		z.next_out = (Bytef *)b.p + b.len;
		z.avail_out = (uInt)room;
		zr = inflate(&z, Z_NO_FLUSH);
		b.len += room - z.avail_out;
		if (zr == Z_STREAM_END) {
			size_t left = z.avail_in + (len - off);
			const uint8_t *next = z.next_in;

			if (window > 15 && left >= 2 && z.avail_in >= 2 &&
			    next[0] == 0x1f && next[1] == 0x8b) {
				inflateReset(&z);
				continue;
			}
			if (b.len > max)
				rc = dmarc_report_errf(err, errcap, MOX_ELIMIT,
				    "decompressed report larger than %zu octets",
				    max);
			break;
		}
		if (zr == Z_MEM_ERROR) {
			rc = dmarc_report_errf(err, errcap, MOX_ENOMEM,
			    "out of memory");
			break;
		}
		if (zr == Z_DATA_ERROR || zr == Z_NEED_DICT ||
		    zr == Z_STREAM_ERROR) {
			rc = dmarc_report_errf(err, errcap, MOX_ESYNTAX,
			    "corrupt compressed data: %s",
			    z.msg != NULL ? z.msg : "invalid");
			break;
		}
		if (zr == Z_BUF_ERROR && z.avail_in == 0 && off == len) {
			rc = dmarc_report_errf(err, errcap, MOX_ESYNTAX,
			    "truncated compressed data");
			break;
		}
	}
	inflateEnd(&z);
	if (rc != MOX_OK) {
		mox__buf_free(&b);
		return rc;
	}
	*out = (uint8_t *)mox__buf_detach(&b, out_len);
	if (*out == NULL)
		return dmarc_report_errf(err, errcap, MOX_ENOMEM,
		    "out of memory");
	return MOX_OK;
}

int
dmarc_report_gunzip(uint8_t **out, size_t *out_len, const uint8_t *p,
    size_t len, size_t max, char *err, size_t errcap)
{
	return inflate_all(out, out_len, p, len, max, 15 + 16, err, errcap);
}

/* --- zip (PKWARE APPNOTE 4.3) --- */

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

#define ZIP_EOCD 0x06054b50u
#define ZIP_CENTRAL 0x02014b50u
#define ZIP_LOCAL 0x04034b50u

struct zentry {
	uint16_t flags, method, name_len;
	uint32_t crc, csize, usize, local;
	const uint8_t *name;
};

static bool
ends_xml(const uint8_t *name, size_t n)
{
	return n >= 4 && mox__memcaseeq(name + n - 4, 4, ".xml");
}

int
dmarc_report_unzip(uint8_t **out, size_t *out_len, const uint8_t *p,
    size_t len, size_t max, char *err, size_t errcap)
{
	struct zentry e, pick = { 0, 0, 0, 0, 0, 0, 0, NULL };
	size_t eocd, i, pos, cd_end, data;
	uint32_t crc;
	uint16_t count;
	bool have = false;
	int rc;

	*out = NULL;
	*out_len = 0;
	/* End of central directory: 22 octets and a comment of at most
	 * 65535, so it is in the last 65557 octets. */
	if (len < 22)
		return dmarc_report_errf(err, errcap, MOX_ESYNTAX,
		    "zip archive too short");
	for (eocd = len - 22;; eocd--) {
		/* Its comment must fit; junk after it is tolerated. */
		if (le32(p + eocd) == ZIP_EOCD &&
		    eocd + 22 + le16(p + eocd + 20) <= len)
			break;
		if (eocd == 0 || len - eocd >= 22 + 65535)
			return dmarc_report_errf(err, errcap, MOX_ESYNTAX,
			    "no zip end of central directory");
	}
	count = le16(p + eocd + 10);
	pos = le32(p + eocd + 16);
	if (le16(p + eocd + 4) != 0 || le16(p + eocd + 6) != 0)
		return dmarc_report_errf(err, errcap, MOX_EUNSUPPORTED,
		    "multi-disk zip archive");
	if (count == 0xffff || pos == 0xffffffffu ||
	    le32(p + eocd + 12) == 0xffffffffu)
		return dmarc_report_errf(err, errcap, MOX_EUNSUPPORTED,
		    "zip64 archive");
	cd_end = pos + le32(p + eocd + 12);
	if (pos > eocd || cd_end > eocd || cd_end < pos)
		return dmarc_report_errf(err, errcap, MOX_ESYNTAX,
		    "zip central directory outside the archive");
	for (i = 0; i < count; i++) {
		if (pos + 46 > cd_end || le32(p + pos) != ZIP_CENTRAL)
			return dmarc_report_errf(err, errcap, MOX_ESYNTAX,
			    "corrupt zip central directory");
		e.flags = le16(p + pos + 8);
		e.method = le16(p + pos + 10);
		e.crc = le32(p + pos + 16);
		e.csize = le32(p + pos + 20);
		e.usize = le32(p + pos + 24);
		e.name_len = le16(p + pos + 28);
		e.local = le32(p + pos + 42);
		e.name = p + pos + 46;
		pos += 46 + (size_t)e.name_len + le16(p + pos + 30) +
		    le16(p + pos + 32);
		if (pos > cd_end)
			return dmarc_report_errf(err, errcap, MOX_ESYNTAX,
			    "corrupt zip central directory");
		/* Directories are not reports. */
		if (e.name_len > 0 && e.name[e.name_len - 1] == '/')
			continue;
		if (!have || (!ends_xml(pick.name, pick.name_len) &&
			ends_xml(e.name, e.name_len))) {
			pick = e;
			have = true;
		}
	}
	if (!have)
		return dmarc_report_errf(err, errcap, MOX_ESYNTAX,
		    "zip archive without a file");
	e = pick;
	if (e.flags & 1)
		return dmarc_report_errf(err, errcap, MOX_EUNSUPPORTED,
		    "encrypted zip entry");
	if (e.csize == 0xffffffffu || e.usize == 0xffffffffu ||
	    e.local == 0xffffffffu)
		return dmarc_report_errf(err, errcap, MOX_EUNSUPPORTED,
		    "zip64 entry");
	if ((size_t)e.local + 30 > len || le32(p + e.local) != ZIP_LOCAL)
		return dmarc_report_errf(err, errcap, MOX_ESYNTAX,
		    "corrupt zip local header");
	data = (size_t)e.local + 30 + le16(p + e.local + 26) +
	    le16(p + e.local + 28);
	if (data > len || len - data < e.csize)
		return dmarc_report_errf(err, errcap, MOX_ESYNTAX,
		    "zip entry outside the archive");
	if (e.usize > max)
		return dmarc_report_errf(err, errcap, MOX_ELIMIT,
		    "decompressed report larger than %zu octets", max);
	if (e.method == 0) {
		if (e.csize != e.usize)
			return dmarc_report_errf(err, errcap, MOX_ESYNTAX,
			    "stored zip entry with two sizes");
		*out = mox__malloc((size_t)e.usize + 1);
		if (*out == NULL)
			return dmarc_report_errf(err, errcap, MOX_ENOMEM,
			    "out of memory");
		memcpy(*out, p + data, e.usize);
		(*out)[e.usize] = 0;
		*out_len = e.usize;
	} else if (e.method == 8) {
		rc = inflate_all(out, out_len, p + data, e.csize, max, -15,
		    err, errcap);
		if (rc != MOX_OK)
			return rc;
		if (*out_len != e.usize) {
			mox__free(*out);
			*out = NULL;
			*out_len = 0;
			return dmarc_report_errf(err, errcap, MOX_ESYNTAX,
			    "zip entry size does not match its data");
		}
	} else {
		return dmarc_report_errf(err, errcap, MOX_EUNSUPPORTED,
		    "zip compression method %u", e.method);
	}
	crc = (uint32_t)crc32(0L, Z_NULL, 0);
	for (i = 0; i < *out_len; i += Z_PIECE) {
		size_t n = *out_len - i > Z_PIECE ? Z_PIECE : *out_len - i;

		crc = (uint32_t)crc32(crc, *out + i, (uInt)n);
	}
	if (crc != e.crc) {
		mox__free(*out);
		*out = NULL;
		*out_len = 0;
		return dmarc_report_errf(err, errcap, MOX_ESYNTAX,
		    "zip entry CRC mismatch");
	}
	return MOX_OK;
}

/* --- the message --- */

static bool
has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && mox__strcasecmp(s + n - m, suffix) == 0;
}

/* Whether a leaf part may carry the report. */
static bool
candidate(const mox_msg_part *part)
{
	static const char *const types[] = {
		"application/gzip", "application/x-gzip",
		"application/gzip-compressed", "application/x-gzip-compressed",
		"application/zip", "application/x-zip",
		"application/x-zip-compressed", "application/xml", "text/xml",
	};
	static const char *const names[] = {
		".xml", ".gz", ".gzip", ".zip"
	};
	const char *fn = NULL;
	size_t i, tl;

	tl = strlen(part->type);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const char *slash = strchr(types[i], '/');

		if ((size_t)(slash - types[i]) == tl &&
		    strncmp(types[i], part->type, tl) == 0 &&
		    strcmp(slash + 1, part->subtype) == 0)
			return true;
	}
	if (part->disposition != NULL)
		fn = mox_msg_ctype_get(part->disposition, "filename");
	if (fn == NULL && part->ctype != NULL)
		fn = mox_msg_ctype_get(part->ctype, "name");
	if (fn == NULL)
		return false;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (has_suffix(fn, names[i]))
			return true;
	}
	return false;
}

/* Decode one part, unpack it by its content and parse the XML. */
static int
try_part(mox_dmarc_report **out, const mox_msg_tree *t,
    const mox_msg_part *part, const mox_dmarc_report_options *opts,
    size_t max, char *err, size_t errcap)
{
	uint8_t *body = NULL, *xml = NULL;
	size_t blen = 0, xlen = 0;
	int rc;

	rc = mox_msg_part_decode(&body, &blen, NULL, t, part);
	if (rc != MOX_OK)
		return dmarc_report_errf(err, errcap, rc,
		    "cannot decode the report part: %s", mox_strerror(rc));
	if (blen >= 2 && body[0] == 0x1f && body[1] == 0x8b) {
		rc = dmarc_report_gunzip(&xml, &xlen, body, blen, max, err,
		    errcap);
	} else if (blen >= 4 && memcmp(body, "PK\3\4", 4) == 0) {
		rc = dmarc_report_unzip(&xml, &xlen, body, blen, max, err,
		    errcap);
	} else {
		/* Bare XML: parse the decoded body itself. */
		rc = mox_dmarc_report_parse_opts(out, body, blen, opts, err,
		    errcap);
		mox_msg_free(body);
		return rc;
	}
	mox_msg_free(body);
	if (rc != MOX_OK)
		return rc;
	rc = mox_dmarc_report_parse_opts(out, xml, xlen, opts, err, errcap);
	mox__free(xml);
	return rc;
}

int
mox_dmarc_report_from_message(mox_dmarc_report **out, const uint8_t *msg,
    size_t len, const mox_dmarc_report_options *opts, char *err,
    size_t errcap)
{
	mox_dmarc_report_options o;
	mox_msg_tree *t = NULL;
	char scratch[256];
	size_t i, n;
	int rc, first = MOX_ENOTFOUND;

	if (err != NULL && errcap > 0)
		err[0] = '\0';
	if (out == NULL)
		return MOX_EINVAL;
	*out = NULL;
	if (msg == NULL && len > 0)
		return MOX_EINVAL;
	if ((rc = dmarc_report_opts(&o, opts)) != MOX_OK)
		return dmarc_report_errf(err, errcap, rc,
		    "unsupported options version");
	rc = mox_msg_tree_parse(&t, msg, len, NULL);
	if (rc != MOX_OK)
		return dmarc_report_errf(err, errcap, rc,
		    "cannot parse the message: %s", mox_strerror(rc));
	n = mox_msg_tree_count(t);
	for (i = 0; i < n; i++) {
		const mox_msg_part *part = mox_msg_tree_part(t, i);

		if (part->kind != MOX_MSG_PART_LEAF || !candidate(part))
			continue;
		/* The first failure's message is kept; later ones go to
		 * scratch. */
		if (first == MOX_ENOTFOUND)
			rc = try_part(out, t, part, opts, o.max_size, err,
			    errcap);
		else
			rc = try_part(out, t, part, opts, o.max_size, scratch,
			    sizeof(scratch));
		if (rc == MOX_OK) {
			if (err != NULL && errcap > 0)
				err[0] = '\0';
			break;
		}
		if (rc == MOX_ENOMEM) {
			first = rc;
			break;
		}
		if (first == MOX_ENOTFOUND)
			first = rc;
	}
	mox_msg_tree_free(t);
	if (rc == MOX_OK && *out != NULL)
		return MOX_OK;
	if (first == MOX_ENOMEM)
		return dmarc_report_errf(err, errcap, MOX_ENOMEM,
		    "out of memory");
	if (first == MOX_ENOTFOUND)
		return dmarc_report_errf(err, errcap, MOX_ENOTFOUND,
		    "no DMARC report attachment in the message");
	return first;
}
