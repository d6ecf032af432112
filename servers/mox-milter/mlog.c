/* SPDX-License-Identifier: MIT */
/*
 * mlog.c -- logfmt lines to stderr or syslog, as mox logs:
 *
 *   level=info pkg=milter msg="message checked" cid=1a2b dmarc=pass
 *
 * One call is one line: values with spaces, '=', quotes or control
 * characters are quoted and escaped, so a hostile HELO name or header
 * value cannot start a new line or forge a key. Lines are built in a
 * buffer on the stack and written with one write(2) (or syslog(3)) call,
 * so lines of different threads never interleave.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>

#include "milter.h"

/* A line longer than this is cut (and ends in "..."). */
#define LINE_MAX_LEN 4096

static atomic_int log_level = MLOG_INFO;
static atomic_bool log_syslog = false;

static const char *const level_names[] = { "error", "warn", "info",
	"debug", "trace" };

void
mlog_init(int level, bool use_syslog, const char *ident)
{
	if (level < MLOG_ERROR)
		level = MLOG_ERROR;
	if (level > MLOG_TRACE)
		level = MLOG_TRACE;
	atomic_store(&log_level, level);
	if (use_syslog && !atomic_load(&log_syslog))
		openlog(ident != NULL ? ident : "mox-milter",
		    LOG_PID | LOG_NDELAY, LOG_MAIL);
	else if (!use_syslog && atomic_load(&log_syslog))
		closelog();
	atomic_store(&log_syslog, use_syslog);
}

bool
mlog_enabled(int level)
{
	return level <= atomic_load_explicit(&log_level, memory_order_relaxed);
}

const char *
mlog_level_name(int level)
{
	if (level < MLOG_ERROR || level > MLOG_TRACE)
		return NULL;
	return level_names[level];
}

int
mlog_level_parse(const char *name)
{
	size_t i;

	if (name == NULL)
		return -1;
	for (i = 0; i < sizeof(level_names) / sizeof(*level_names); i++)
		if (strcasecmp(name, level_names[i]) == 0)
			return (int)i;
	return -1;
}

/* A line under construction; overflow marks it cut. */
struct line {
	char buf[LINE_MAX_LEN];
	size_t len;
	bool cut;
};

static void
put(struct line *l, const char *s, size_t n)
{
	size_t room;

	/* Keep room for "...\n". */
	if (l->len + 5 >= sizeof(l->buf)) {
		l->cut = true;
		return;
	}
	room = sizeof(l->buf) - 5 - l->len;
	if (n > room) {
		n = room;
		l->cut = true;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void
putc_(struct line *l, char c)
{
	put(l, &c, 1);
}

/* Whether a value must be quoted. */
static bool
needs_quote(const char *v)
{
	const unsigned char *p;

	if (*v == '\0')
		return true;
	for (p = (const unsigned char *)v; *p != '\0'; p++)
		if (*p <= ' ' || *p == '=' || *p == '"' || *p == '\\' ||
		    *p == 0x7f)
			return true;
	return false;
}

static void
put_value(struct line *l, const char *v)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;

	if (!needs_quote(v)) {
		put(l, v, strlen(v));
		return;
	}
	putc_(l, '"');
	for (p = (const unsigned char *)v; *p != '\0'; p++) {
		char esc[4];

		switch (*p) {
		case '"':
			put(l, "\\\"", 2);
			break;
		case '\\':
			put(l, "\\\\", 2);
			break;
		case '\n':
			put(l, "\\n", 2);
			break;
		case '\r':
			put(l, "\\r", 2);
			break;
		case '\t':
			put(l, "\\t", 2);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				esc[0] = '\\';
				esc[1] = 'x';
				esc[2] = hex[*p >> 4];
				esc[3] = hex[*p & 0xf];
				put(l, esc, 4);
			} else {
				putc_(l, (char)*p);
			}
		}
	}
	putc_(l, '"');
}

/* A key: only the characters logfmt keys may have; others become '_'. */
static void
put_key(struct line *l, const char *k)
{
	for (; *k != '\0'; k++) {
		unsigned char c = (unsigned char)*k;

		putc_(l, c > ' ' && c < 0x7f && c != '=' && c != '"' ?
		    (char)c : '_');
	}
}

static void
emit(int level, struct line *l)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG,
		LOG_DEBUG };
	const char *p;
	size_t n;

	if (l->cut) {
		l->len = l->len > sizeof(l->buf) - 5 ? sizeof(l->buf) - 5 :
		    l->len;
		memcpy(l->buf + l->len, "...", 3);
		l->len += 3;
	}
	if (atomic_load(&log_syslog)) {
		l->buf[l->len] = '\0';
		syslog(prio[level], "%s", l->buf);
		return;
	}
	l->buf[l->len++] = '\n';
	/* One write(2): lines of different threads do not interleave. */
	p = l->buf;
	n = l->len;
	while (n > 0) {
		ssize_t w = write(STDERR_FILENO, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

static void
start(struct line *l, int level, const char *msg)
{
	l->len = 0;
	l->cut = false;
	put(l, "level=", 6);
	put(l, level_names[level], strlen(level_names[level]));
	put(l, " pkg=milter msg=", 16);
	put_value(l, msg != NULL ? msg : "");
}

void
mlog(int level, const char *msg, ...)
{
	struct line l;
	const char *k, *v;
	va_list ap;

	if (level < MLOG_ERROR)
		level = MLOG_ERROR;
	if (level > MLOG_TRACE)
		level = MLOG_TRACE;
	if (!mlog_enabled(level))
		return;
	start(&l, level, msg);
	va_start(ap, msg);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		if (v == NULL)
			continue;
		putc_(&l, ' ');
		put_key(&l, k);
		putc_(&l, '=');
		put_value(&l, v);
	}
	va_end(ap);
	emit(level, &l);
}

void
mlog_lib(void *arg, int level, const char *msg)
{
	if (level > MLOG_TRACE)
		level = MLOG_TRACE;
	mlog(level, msg, "lib", arg != NULL ? (const char *)arg : "mox",
	    (const char *)NULL);
}
