/* SPDX-License-Identifier: MIT */
/**
 * mox/common.h -- status codes, version, slices and logging shared by every
 * mox library.
 *
 * Threads: every function here is safe to call from any thread at any time;
 * none keeps state.
 */
#ifndef MOX_COMMON_H
#define MOX_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#ifdef __cplusplus
#define MOX_BEGIN_DECLS extern "C" {
#define MOX_END_DECLS }
#else
#define MOX_BEGIN_DECLS
#define MOX_END_DECLS
#endif

#if defined(MOX_BUILDING_LIBRARY) && defined(__GNUC__)
#define MOX_API __attribute__((visibility("default")))
#else
#define MOX_API
#endif

MOX_BEGIN_DECLS

/**
 * X-macro of every status code: name, number, message. Numbers are never
 * reused or changed; new codes are appended at the end.
 */
#define MOX_STATUS_MAP(X)                                                    \
	X(MOX_OK, 0, "success")                                              \
	X(MOX_ENOMEM, -1, "out of memory")                                   \
	X(MOX_EINVAL, -2, "invalid argument")                                \
	X(MOX_ESYNTAX, -3, "syntax error")                                   \
	X(MOX_EVERSION, -4, "unsupported structure version")                 \
	X(MOX_ECANCELED, -5, "operation canceled")                           \
	X(MOX_EBUFS, -6, "buffer too small")                                 \
	X(MOX_ETOOLONG, -7, "input too long")                                \
	X(MOX_EUTF8, -8, "invalid UTF-8")                                    \
	X(MOX_EIDNA, -9, "invalid internationalized domain name")            \
	X(MOX_EEMPTY, -10, "empty input")                                    \
	X(MOX_ENUL, -11, "NUL byte in input")                                \
	X(MOX_ENOTFOUND, -12, "not found")                                   \
	X(MOX_EDNS, -13, "DNS resolver failure")                             \
	X(MOX_ETIMEOUT, -14, "timed out")                                    \
	X(MOX_EIO, -15, "I/O error")                                         \
	X(MOX_ELIMIT, -16, "limit exceeded")                                 \
	X(MOX_EUNSUPPORTED, -17, "not supported")                            \
	X(MOX_ESTATE, -18, "call not valid in this state")                   \
	X(MOX_EEXIST, -19, "already exists")                                 \
	X(MOX_ERANGE, -20, "value out of range")

/** Status codes returned by every mox library. 0 is success, errors are
 * negative. A protocol verdict (SPF fail, DKIM fail) is not an error: it is
 * a result returned with MOX_OK. */
typedef enum mox_status {
#define MOX__STATUS_ENUM(name, num, msg) name = num,
	MOX_STATUS_MAP(MOX__STATUS_ENUM)
#undef MOX__STATUS_ENUM
} mox_status;

/** Log levels, most severe first. A handle's filter passes every message
 * whose level is less than or equal to the configured maximum. */
typedef enum mox_log_level {
	MOX_LOG_ERROR = 0,
	MOX_LOG_WARN = 1,
	MOX_LOG_INFO = 2,
	MOX_LOG_DEBUG = 3,
	MOX_LOG_TRACE = 4,
	MOX_LOG_TRACEAUTH = 5, /**< protocol traces including credentials */
	MOX_LOG_TRACEDATA = 6  /**< protocol traces including message data */
} mox_log_level;

/** Borrowed byte range. Never NUL-terminated by contract. */
typedef struct mox_slice {
	const uint8_t *ptr;
	size_t len;
} mox_slice;

/**
 * Log callback. Libraries never print; each handle takes one of these with
 * a level filter, checked before any formatting.
 *
 * @param[in] arg    the pointer given with the callback
 * @param[in] level  a mox_log_level
 * @param[in] msg    NUL-terminated message without trailing newline;
 *                   borrowed, valid only during the call
 */
typedef void (*mox_log_fn)(void *arg, int level, const char *msg);

/** Version of these headers; compare with mox_version_number() at run time. */
#define MOX_VERSION_MAJOR 0
#define MOX_VERSION_MINOR 1
#define MOX_VERSION_PATCH 0
#define MOX_VERSION_NUMBER \
	((MOX_VERSION_MAJOR << 16) | (MOX_VERSION_MINOR << 8) | MOX_VERSION_PATCH)

/**
 * Message for a status code.
 *
 * @param[in] status  a mox_status value, or any other int
 * @return static NUL-terminated string, never NULL ("unknown status" for
 *         numbers that are not codes)
 */
MOX_API const char *mox_strerror(int status);

/**
 * Symbolic name of a status code, such as "MOX_ENOMEM"; bindings map it to
 * exception names.
 *
 * @return static string, or NULL for numbers that are not codes
 */
MOX_API const char *mox_status_name(int status);

/**
 * Version of the loaded libmoxcore as "MAJOR.MINOR.PATCH".
 *
 * @return static string, never NULL
 */
MOX_API const char *mox_version(void);

/** Version of the loaded libmoxcore, encoded as MOX_VERSION_NUMBER. */
MOX_API unsigned int mox_version_number(void);

/**
 * Name of a log level: "error", "warn", "info", "debug", "trace",
 * "traceauth", "tracedata".
 *
 * @return static string, or NULL for an unknown level
 */
MOX_API const char *mox_log_level_name(int level);

/**
 * Parse a log level name (as mox_log_level_name() prints it, ASCII case
 * ignored).
 *
 * @param[out] out  the level
 * @return MOX_OK, MOX_EINVAL for a NULL argument, MOX_ESYNTAX for an
 *         unknown name
 */
MOX_API int mox_log_level_parse(int *out, const char *name);

MOX_END_DECLS

#endif
