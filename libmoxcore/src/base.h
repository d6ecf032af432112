/* SPDX-License-Identifier: MIT */
/*
 * base.h -- internal helpers shared by every mox library: allocation (with
 * fault injection for tests), growable buffers, arenas, logging, ASCII.
 * Built into the static archive mox-base, linked whole into each library,
 * so every symbol here is hidden.
 */
#ifndef MOX_BASE_H
#define MOX_BASE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include <mox/common.h>

#if defined(__GNUC__)
#define MOX__PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define MOX__PRINTF(f, a)
#endif

/*
 * Allocation. The only callers of malloc(3) and friends. When
 * mox__fail_at is non-zero it counts down on each allocation and the one
 * that brings it to zero fails (tests loop over it, as curl's torture mode).
 * Thread-local so parallel tests do not disturb each other.
 */
extern _Thread_local unsigned long mox__fail_at;
void *mox__malloc(size_t n);
void *mox__calloc(size_t nmemb, size_t size);
void *mox__realloc(void *p, size_t n);
void *mox__reallocarray(void *p, size_t nmemb, size_t size);
void mox__free(void *p);
char *mox__strndup(const char *s, size_t n);
char *mox__strdup(const char *s);

/*
 * Growable byte buffer, always NUL-terminated when p != NULL. After an
 * allocation failure err is set and further appends do nothing, so a
 * sequence of appends can be checked once at the end.
 */
typedef struct mox__buf {
	char *p;
	size_t len;
	size_t cap;
	int err;
} mox__buf;

#define MOX__BUF_INIT { NULL, 0, 0, 0 }
int mox__buf_grow(mox__buf *b, size_t extra);
int mox__buf_add(mox__buf *b, const void *data, size_t len);
int mox__buf_adds(mox__buf *b, const char *s);
int mox__buf_addc(mox__buf *b, char c);
int mox__buf_addf(mox__buf *b, const char *fmt, ...) MOX__PRINTF(2, 3);
int mox__buf_vaddf(mox__buf *b, const char *fmt, va_list ap)
    MOX__PRINTF(2, 0);
/* Take ownership of the NUL-terminated contents; the buffer is reset. */
char *mox__buf_detach(mox__buf *b, size_t *len);
void mox__buf_free(mox__buf *b);

/*
 * snprintf-contract writer into a fixed caller buffer: counts what the
 * whole output needs and writes what fits, NUL-terminated when cap > 0.
 */
typedef struct mox__sbuf {
	char *p;
	size_t cap;
	size_t len; /* needed length so far */
} mox__sbuf;

void mox__sbuf_init(mox__sbuf *s, char *p, size_t cap);
void mox__sbuf_add(mox__sbuf *s, const void *data, size_t len);
void mox__sbuf_adds(mox__sbuf *s, const char *str);
void mox__sbuf_addc(mox__sbuf *s, char c);
void mox__sbuf_addf(mox__sbuf *s, const char *fmt, ...) MOX__PRINTF(2, 3);

/*
 * Arena: many small allocations freed at once. Memory is 16-byte aligned.
 */
typedef struct mox__arena_chunk mox__arena_chunk;
typedef struct mox__arena {
	mox__arena_chunk *head;
	size_t used;
	size_t cap;
} mox__arena;

#define MOX__ARENA_INIT { NULL, 0, 0 }
void *mox__arena_alloc(mox__arena *a, size_t n);
void *mox__arena_memdup(mox__arena *a, const void *p, size_t n);
/* Copy n bytes and a terminating NUL. */
char *mox__arena_strndup(mox__arena *a, const char *s, size_t n);
void mox__arena_free(mox__arena *a);
/*
 * Start an empty arena whose first chunk is caller memory (buf, cap octets,
 * 16-byte aligned, cap well above 16, the chunk header): small users never
 * touch the heap. mox__arena_free() frees only the chunks added after it;
 * buf must outlive the arena.
 */
void mox__arena_init_buf(mox__arena *a, void *buf, size_t cap);

/* Logging with a level filter checked before formatting. */
typedef struct mox__logger {
	mox_log_fn fn;
	void *arg;
	int max_level;
} mox__logger;

void mox__logf(const mox__logger *l, int level, const char *fmt, ...)
    MOX__PRINTF(3, 4);
#define MOX__LOG(l, level, ...)                                            \
	do {                                                                \
		if ((l)->fn != NULL && (level) <= (l)->max_level)            \
			mox__logf((l), (level), __VA_ARGS__);                \
	} while (0)

/* ASCII helpers that ignore the locale. */
static inline int
mox__lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}
static inline bool
mox__isdigit(int c)
{
	return c >= '0' && c <= '9';
}
static inline bool
mox__isalpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
static inline bool
mox__isspace(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
	    c == '\v';
}
/*
 * memcpy(3) with a length the compiler cannot bound. GCC expands a copy
 * whose length it knows to be at most a few hundred octets (a name after
 * its length check) inline as "rep movs", whose start-up cost is several
 * times that of the library call for short names.
 */
static inline void
mox__memcpy(void *d, const void *s, size_t n)
{
#if defined(__GNUC__)
	__asm__("" : "+r"(n));
#endif
	memcpy(d, s, n);
}
/* memset(d, 0, n) with a length the compiler cannot see, for the same
 * reason ("rep stos" for a struct of a few hundred octets). */
static inline void
mox__memzero(void *d, size_t n)
{
#if defined(__GNUC__)
	__asm__("" : "+r"(n));
#endif
	memset(d, 0, n);
}
/* Big-endian (network order) reads. */
static inline uint16_t
mox__get16(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t
mox__get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3];
}
/* Value of a base64 digit (RFC 4648 alphabet), or -1. */
static inline int
mox__b64_value(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}
/* Value of a hex digit (either case), or -1. */
static inline int
mox__hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = mox__lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}
/* strerror(e) into buf (thread-safe); returns the text, never NULL. */
const char *mox__errno_text(int e, char *buf, size_t cap);

int mox__strcasecmp(const char *a, const char *b);
int mox__strncasecmp(const char *a, const char *b, size_t n);
/* Case-insensitive compare of a counted string with a NUL-terminated one. */
bool mox__memcaseeq(const void *a, size_t alen, const char *b);

/* Validate UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
bool mox__utf8_valid(const uint8_t *p, size_t len);

#endif
