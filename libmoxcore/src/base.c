/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

_Thread_local unsigned long mox__fail_at;

static bool
fail_now(void)
{
	if (mox__fail_at != 0 && --mox__fail_at == 0)
		return true;
	return false;
}

void *
mox__malloc(size_t n)
{
	if (fail_now())
		return NULL;
	return malloc(n == 0 ? 1 : n);
}

void *
mox__calloc(size_t nmemb, size_t size)
{
	if (fail_now())
		return NULL;
	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	return calloc(nmemb, size);
}

void *
mox__realloc(void *p, size_t n)
{
	if (fail_now())
		return NULL;
	return realloc(p, n == 0 ? 1 : n);
}

void *
mox__reallocarray(void *p, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		return NULL;
	return mox__realloc(p, nmemb * size);
}

void
mox__free(void *p)
{
	free(p);
}

char *
mox__strndup(const char *s, size_t n)
{
	char *d;

	if (n == SIZE_MAX)
		return NULL;
	d = mox__malloc(n + 1);
	if (d == NULL)
		return NULL;
	if (n > 0)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *
mox__strdup(const char *s)
{
	return mox__strndup(s, strlen(s));
}

/* --- growable buffer --- */

int
mox__buf_grow(mox__buf *b, size_t extra)
{
	size_t need, ncap;
	char *np;

	if (b->err)
		return b->err;
	if (extra > SIZE_MAX - b->len - 1) {
		b->err = MOX_ENOMEM;
		return b->err;
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return MOX_OK;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
	np = mox__realloc(b->p, ncap);
	if (np == NULL) {
		b->err = MOX_ENOMEM;
		return b->err;
	}
	b->p = np;
	b->cap = ncap;
	return MOX_OK;
}

int
mox__buf_add(mox__buf *b, const void *data, size_t len)
{
	if (mox__buf_grow(b, len) != MOX_OK)
		return b->err;
	if (len > 0)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return MOX_OK;
}

int
mox__buf_adds(mox__buf *b, const char *s)
{
	return mox__buf_add(b, s, strlen(s));
}

int
mox__buf_addc(mox__buf *b, char c)
{
	return mox__buf_add(b, &c, 1);
}

int
mox__buf_vaddf(mox__buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (b->err)
		return b->err;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0) {
		b->err = MOX_EINVAL;
		return b->err;
	}
	if (mox__buf_grow(b, (size_t)n) != MOX_OK)
		return b->err;
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return MOX_OK;
}

int
mox__buf_addf(mox__buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = mox__buf_vaddf(b, fmt, ap);
	va_end(ap);
	return rc;
}

char *
mox__buf_detach(mox__buf *b, size_t *len)
{
	char *p;

	if (b->err) {
		mox__buf_free(b);
		return NULL;
	}
	if (b->p == NULL && mox__buf_grow(b, 0) != MOX_OK)
		return NULL;
	p = b->p;
	if (len != NULL)
		*len = b->len;
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void
mox__buf_free(mox__buf *b)
{
	mox__free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}

/* --- fixed buffer with snprintf contract --- */

void
mox__sbuf_init(mox__sbuf *s, char *p, size_t cap)
{
	s->p = p;
	s->cap = cap;
	s->len = 0;
	if (p != NULL && cap > 0)
		p[0] = '\0';
}

void
mox__sbuf_add(mox__sbuf *s, const void *data, size_t len)
{
	if (s->p != NULL && s->len + 1 < s->cap) {
		size_t room = s->cap - 1 - s->len;
		size_t n = len < room ? len : room;

		memcpy(s->p + s->len, data, n);
		s->p[s->len + n] = '\0';
	}
	s->len += len;
}

void
mox__sbuf_adds(mox__sbuf *s, const char *str)
{
	mox__sbuf_add(s, str, strlen(str));
}

void
mox__sbuf_addc(mox__sbuf *s, char c)
{
	mox__sbuf_add(s, &c, 1);
}

void
mox__sbuf_addf(mox__sbuf *s, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		mox__sbuf_add(s, tmp, (size_t)n);
		return;
	}
	/* Longer than the scratch buffer: format straight into place. */
	if (s->p != NULL && s->len < s->cap) {
		va_start(ap, fmt);
		vsnprintf(s->p + s->len, s->cap - s->len, fmt, ap);
		va_end(ap);
	}
	s->len += (size_t)n;
}

/* --- arena --- */

struct mox__arena_chunk {
	mox__arena_chunk *next;
	size_t caller; /* 1: caller memory, not freed; keeps data aligned */
	unsigned char data[];
};

/*
 * Chunks grow geometrically from ARENA_FIRST to ARENA_CHUNK: most arenas
 * (a DNS answer, a Content-Type) need a few hundred bytes, and requests of
 * 1 KiB and more make glibc consolidate its fast bins on every malloc.
 */
#define ARENA_FIRST 464
#define ARENA_CHUNK 16000

void *
mox__arena_alloc(mox__arena *a, size_t n)
{
	mox__arena_chunk *c;
	size_t size;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (n == 0)
		n = 16;
	if (a->head != NULL && a->cap - a->used >= n) {
		p = a->head->data + a->used;
		a->used += n;
		return p;
	}
	if (n > SIZE_MAX - sizeof(*c) - ARENA_CHUNK)
		return NULL;
	/* After a caller's buffer, start again from the small size. */
	size = a->head == NULL || a->head->caller ? ARENA_FIRST :
	    a->cap < ARENA_CHUNK / 2 ? a->cap * 2 : ARENA_CHUNK;
	if (n > size)
		size = n;
	c = mox__malloc(sizeof(*c) + size);
	if (c == NULL)
		return NULL;
	c->caller = 0;
	if (a->head != NULL && n > ARENA_CHUNK / 2 && a->cap - a->used > 256) {
		/* A big allocation: put it behind the head so the head's free
		 * space stays usable. */
		c->next = a->head->next;
		a->head->next = c;
		return c->data;
	}
	c->next = a->head;
	a->head = c;
	a->cap = size;
	a->used = n;
	return c->data;
}

void *
mox__arena_memdup(mox__arena *a, const void *p, size_t n)
{
	void *d = mox__arena_alloc(a, n);

	if (d != NULL && n > 0)
		memcpy(d, p, n);
	return d;
}

char *
mox__arena_strndup(mox__arena *a, const char *s, size_t n)
{
	char *d;

	if (n == SIZE_MAX)
		return NULL;
	d = mox__arena_alloc(a, n + 1);
	if (d == NULL)
		return NULL;
	if (n > 0)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

void
mox__arena_free(mox__arena *a)
{
	mox__arena_chunk *c, *next;

	for (c = a->head; c != NULL; c = next) {
		next = c->next;
		if (!c->caller)
			mox__free(c);
	}
	a->head = NULL;
	a->used = a->cap = 0;
}

void
mox__arena_init_buf(mox__arena *a, void *buf, size_t cap)
{
	mox__arena_chunk *c = buf;

	c->next = NULL;
	c->caller = 1;
	a->head = c;
	a->used = 0;
	a->cap = cap - sizeof(*c);
}

/* --- logging --- */

void
mox__logf(const mox__logger *l, int level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (l->fn == NULL || level > l->max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	l->fn(l->arg, level, msg);
}

const char *
mox__errno_text(int e, char *buf, size_t cap)
{
#if defined(__GLIBC__) && defined(_GNU_SOURCE)
	return strerror_r(e, buf, cap);
#else
	if (strerror_r(e, buf, cap) != 0)
		snprintf(buf, cap, "error %d", e);
	return buf;
#endif
}

/* --- ASCII --- */

int
mox__strcasecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int ca = mox__lower((unsigned char)*a);
		int cb = mox__lower((unsigned char)*b);

		if (ca != cb || ca == 0)
			return ca - cb;
	}
}

int
mox__strncasecmp(const char *a, const char *b, size_t n)
{
	for (; n > 0; a++, b++, n--) {
		int ca = mox__lower((unsigned char)*a);
		int cb = mox__lower((unsigned char)*b);

		if (ca != cb || ca == 0)
			return ca - cb;
	}
	return 0;
}

bool
mox__memcaseeq(const void *a, size_t alen, const char *b)
{
	const unsigned char *p = a;
	size_t i;

	for (i = 0; i < alen; i++) {
		if (b[i] == '\0' ||
		    mox__lower(p[i]) != mox__lower((unsigned char)b[i]))
			return false;
	}
	return b[alen] == '\0';
}

bool
mox__utf8_valid(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = p[i];
		size_t n;
		uint32_t cp, min;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3;
			cp = c & 0x07;
			min = 0x10000;
		} else {
			return false;
		}
		if (len - i - 1 < n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}
