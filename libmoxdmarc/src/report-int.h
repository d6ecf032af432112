/* SPDX-License-Identifier: MIT */
/*
 * report-int.h -- internals of the aggregate report code of libmoxdmarc,
 * shared by report_parse.c (expat parser into the public structs),
 * report_xml.c (XML generator), report_mail.c (subject, filename, gzip,
 * the report email) and report_unpack.c (finding the report in an email,
 * gunzip, unzip). Also used by the unit tests and the fuzz target, which
 * link these files directly.
 */
#ifndef MOX_DMARC_REPORT_INT_H
#define MOX_DMARC_REPORT_INT_H

#include <mox/dmarc.h>

#include "base.h"

/* The namespace of RFC 9990 reports. */
#define DMARC_REPORT_NS "urn:ietf:params:xml:ns:dmarc-2.0"

/* Hard cap on mox_dmarc_report_options.max_depth: the element stack is
 * allocated with this many entries at most. */
#define DMARC_REPORT_DEPTH_CAP 1024

struct mox_dmarc_report {
	/* Every string and every nested array of the report. */
	mox__arena arena;
	mox_dmarc_report_meta meta;
	mox_dmarc_report_row *rows;
	size_t nrows;
};

/*
 * Write "fmt ..." into err (snprintf contract, err may be NULL) and
 * return status, so callers can write `return dmarc_report_errf(...)`.
 */
int dmarc_report_errf(char *err, size_t errcap, int status,
    const char *fmt, ...) MOX__PRINTF(4, 5);

/* Resolve the options of a call: NULL gives the defaults; a version the
 * library does not know fails. */
int dmarc_report_opts(mox_dmarc_report_options *o,
    const mox_dmarc_report_options *in);

/* zlib allocation through mox__malloc (fault injection reaches zlib). */
void *dmarc_report_zalloc(void *opaque, unsigned int items,
    unsigned int size);
void dmarc_report_zfree(void *opaque, void *p);

/*
 * Decompress a gzip stream (members may be concatenated) into a newly
 * allocated buffer (mox__free; a NUL follows the data). More than max
 * octets of output is MOX_ELIMIT; corrupt data MOX_ESYNTAX.
 */
int dmarc_report_gunzip(uint8_t **out, size_t *out_len, const uint8_t *p,
    size_t len, size_t max, char *err, size_t errcap);

/*
 * Extract the report from a zip archive: the first entry whose name ends
 * in ".xml" (ignoring case), else the first entry. Stored and deflate
 * entries, CRC-32 checked. MOX_EUNSUPPORTED for zip64, encryption and
 * other methods; MOX_ESYNTAX for a corrupt archive; MOX_ELIMIT over max.
 */
int dmarc_report_unzip(uint8_t **out, size_t *out_len, const uint8_t *p,
    size_t len, size_t max, char *err, size_t errcap);

/* gzip (RFC 1952, mtime 0) into a newly allocated buffer (mox__free). */
int dmarc_report_gzip(uint8_t **out, size_t *out_len, const uint8_t *p,
    size_t len);

/* Whether s is a domain name as reports use them: labels of letters,
 * digits, '-' and '_' separated by single dots, at most 253 octets. */
bool dmarc_report_is_domain(const char *s);

#endif
