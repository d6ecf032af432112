/* SPDX-License-Identifier: MIT */
/*
 * cmd_message.c -- mox message parse: the MIME part tree of a message as
 * JSON, or with -imap the BODYSTRUCTURE and ENVELOPE an IMAP server sends.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <mox/message.h>

#include "mox.h"

/* Largest message read from a pipe (a file is mapped whatever its size). */
#define MAX_STDIN ((size_t)1 << 30)

struct input {
	uint8_t *p;
	size_t len;
	bool mapped;
};

static void
parse_usage(FILE *f)
{
	fputs("usage: mox message parse [-imap] FILE|-\n"
	      "\n"
	      "Parses the message in FILE (- for standard input) and prints its\n"
	      "MIME part tree as JSON: media types, parameters, encodings, byte\n"
	      "offsets (header start, body start, end), sizes, line counts,\n"
	      "flags for broken structure, and the decoded header fields of\n"
	      "each part. With -imap it prints exactly two lines instead,\n"
	      "\"BODYSTRUCTURE (...)\" and \"ENVELOPE (...)\", as an IMAP server\n"
	      "sends them for the message (strings as UTF-8 quoted strings).\n"
	      "Exit status 0 when the message was parsed (MIME problems are\n"
	      "reported in the output, not as failure), 1 when it could not be\n"
	      "read, 2 on a usage error.\n",
	    f);
}

static int
read_input(struct input *in, const char *path)
{
	struct stat st;
	size_t cap = 0;
	int fd;

	memset(in, 0, sizeof(*in));
	if (strcmp(path, "-") == 0) {
		fd = STDIN_FILENO;
	} else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		mox_errorf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fd != STDIN_FILENO && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_size > 0) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
		    fd, 0);

		if (m != MAP_FAILED) {
			close(fd);
			in->p = m;
			in->len = (size_t)st.st_size;
			in->mapped = true;
			return 0;
		}
	}
	for (;;) {
		ssize_t n;

		if (in->len == cap) {
			uint8_t *np;

			if (cap >= MAX_STDIN) {
				mox_errorf("%s: message larger than %zu octets",
				    path, MAX_STDIN);
				goto fail;
			}
			cap = cap == 0 ? 65536 : cap * 2;
			if ((np = realloc(in->p, cap)) == NULL) {
				mox_errorf("%s: out of memory", path);
				goto fail;
			}
			in->p = np;
		}
		n = read(fd, in->p + in->len, cap - in->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			mox_errorf("%s: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		in->len += (size_t)n;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return 0;
fail:
	if (fd != STDIN_FILENO)
		close(fd);
	free(in->p);
	in->p = NULL;
	return -1;
}

static void
free_input(struct input *in)
{
	if (in->mapped)
		munmap(in->p, in->len);
	else
		free(in->p);
}

/* Length of the valid UTF-8 sequence at p[0..len), or 0 when invalid. */
static size_t
utf8_seq(const uint8_t *p, size_t len)
{
	size_t n, i;
	uint32_t c;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, c = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, c = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, c = p[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)))
		return 0;
	return n;
}

/* A JSON string; invalid UTF-8 becomes U+FFFD. NULL prints null. */
static void
jstr_len(FILE *f, const char *s, size_t len)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0;

	if (s == NULL) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	while (i < len) {
		uint8_t c = p[i];
		size_t n;

		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c == '\n') {
			fputs("\\n", f);
			i++;
		} else if (c == '\r') {
			fputs("\\r", f);
			i++;
		} else if (c == '\t') {
			fputs("\\t", f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
		} else if ((n = utf8_seq(p + i, len - i)) == 0) {
			fputs("\xef\xbf\xbd", f);
			i++;
		} else {
			fwrite(p + i, 1, n, f);
			i += n;
		}
	}
	fputc('"', f);
}

static void
jstr(FILE *f, const char *s)
{
	jstr_len(f, s, s != NULL ? strlen(s) : 0);
}

static void
indent(FILE *f, unsigned int n)
{
	fputc('\n', f);
	while (n-- > 0)
		fputs("  ", f);
}

static void
print_params(FILE *f, const mox_msg_ctype *ct)
{
	size_t i, n = mox_msg_ctype_param_count(ct);

	fputc('{', f);
	for (i = 0; i < n; i++) {
		const char *name, *value;

		if (mox_msg_ctype_param(ct, i, &name, &value) != MOX_OK)
			break;
		if (i > 0)
			fputs(", ", f);
		jstr(f, name);
		fputs(": ", f);
		jstr(f, value);
	}
	fputc('}', f);
}

static void
print_flags(FILE *f, unsigned int flags)
{
	static const struct {
		unsigned int bit;
		const char *name;
	} names[] = {
		{ MOX_MSG_PART_MISSING_CLOSE, "missing-close-delimiter" },
		{ MOX_MSG_PART_NO_PARTS, "no-parts" },
		{ MOX_MSG_PART_NO_BOUNDARY, "no-boundary" },
		{ MOX_MSG_PART_TRUNCATED, "truncated" },
		{ MOX_MSG_PART_BAD_CTYPE, "bad-content-type" },
		{ MOX_MSG_PART_BAD_HEADER, "bad-header" },
		{ MOX_MSG_PART_NO_BODY_SEP, "no-body-separator" },
		{ MOX_MSG_PART_BODY_8BIT, "body-8bit" },
		{ MOX_MSG_PART_BODY_NUL, "body-nul" },
		{ MOX_MSG_PART_BODY_BARE_LF, "body-bare-lf" },
	};
	bool first = true;

	fputc('[', f);
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		if (flags & names[i].bit) {
			fputs(first ? "" : ", ", f);
			jstr(f, names[i].name);
			first = false;
		}
	}
	fputc(']', f);
}

static bool
is_address_field(const mox_msg_field *fl)
{
	static const char *const names[] = { "From", "Sender", "Reply-To",
		"To", "Cc", "Bcc", "Resent-From", "Resent-Sender", "Resent-To",
		"Resent-Cc", "Resent-Bcc" };

	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		if (mox_msg_field_is(fl, names[i]))
			return true;
	}
	return false;
}

/* Extra members for structured fields: addresses, dates, ids, list-id. */
static int
print_structured(FILE *f, const mox_msg_field *fl, unsigned int depth)
{
	const uint8_t *v = fl->value.ptr;
	size_t vlen = fl->value.len;

	if (is_address_field(fl)) {
		mox_msg_addrlist *l = NULL;
		size_t i, n;
		int rc;

		rc = mox_msg_addrlist_parse(&l, v, vlen, MOX_MSG_ADDR_LENIENT,
		    NULL);
		if (rc == MOX_ENOMEM)
			return rc;
		if (rc != MOX_OK)
			return MOX_OK;
		n = mox_msg_addrlist_count(l);
		fputs(", \"addresses\": [", f);
		for (i = 0; i < n; i++) {
			const mox_msg_mailbox *m = mox_msg_addrlist_get(l, i);

			fputs(i > 0 ? "," : "", f);
			indent(f, depth + 1);
			fputs("{\"name\": ", f);
			jstr_len(f, m->display_name, m->display_name_len);
			fputs(", \"localpart\": ", f);
			jstr_len(f, m->localpart, m->localpart_len);
			fputs(", \"domain\": ", f);
			jstr_len(f, m->domain, m->domain_len);
			if (m->domain_ascii != NULL) {
				fputs(", \"domain_ascii\": ", f);
				jstr(f, m->domain_ascii);
			}
			if (m->group != NULL) {
				fputs(", \"group\": ", f);
				jstr_len(f, m->group, m->group_len);
			}
			if (m->kind == MOX_MSG_ADDR_EMPTY_GROUP)
				fputs(", \"empty_group\": true", f);
			fputc('}', f);
		}
		fputc(']', f);
		mox_msg_addrlist_free(l);
	} else if (mox_msg_field_is(fl, "Date") ||
	    mox_msg_field_is(fl, "Resent-Date")) {
		mox_msg_date d = MOX_MSG_DATE_INIT;
		char buf[64];
		time_t t;
		struct tm tm;

		if (mox_msg_date_parse(&d, v, vlen) != MOX_OK)
			return MOX_OK;
		t = (time_t)d.unix_seconds;
		if (gmtime_r(&t, &tm) == NULL ||
		    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
			return MOX_OK;
		fprintf(f, ", \"utc\": \"%s\", \"unix\": %" PRId64
		    ", \"zone_minutes\": %d", buf, d.unix_seconds,
		    d.zone_minutes);
	} else if (mox_msg_field_is(fl, "Message-ID") ||
	    mox_msg_field_is(fl, "References") ||
	    mox_msg_field_is(fl, "In-Reply-To") ||
	    mox_msg_field_is(fl, "Resent-Message-ID") ||
	    mox_msg_field_is(fl, "Content-ID")) {
		mox_msg_idlist *l = NULL;
		size_t i, n, len;
		int rc;

		rc = mox_msg_idlist_parse(&l, v, vlen);
		if (rc == MOX_ENOMEM)
			return rc;
		if (rc != MOX_OK)
			return MOX_OK;
		n = mox_msg_idlist_count(l);
		fputs(", \"ids\": [", f);
		for (i = 0; i < n; i++) {
			const char *id = mox_msg_idlist_get(l, i, &len);

			fputs(i > 0 ? ", " : "", f);
			jstr_len(f, id, len);
		}
		fputc(']', f);
		mox_msg_idlist_free(l);
	} else if (mox_msg_field_is(fl, "List-Id")) {
		mox_slice id;

		if (mox_msg_listid_parse(&id, NULL, v, vlen) == MOX_OK) {
			fputs(", \"list_id\": ", f);
			jstr_len(f, (const char *)id.ptr, id.len);
		}
	}
	return MOX_OK;
}

static int
print_headers(FILE *f, const uint8_t *msg, const mox_msg_part *p,
    unsigned int depth)
{
	mox_msg_iter it;
	mox_msg_field fl = MOX_MSG_FIELD_INIT;
	bool first = true;
	int rc;

	rc = mox_msg_iter_init(&it, msg + p->header_offset,
	    p->body_offset - p->header_offset, NULL);
	if (rc != MOX_OK)
		return rc;
	fputs("[", f);
	for (;;) {
		char *dec = NULL;
		size_t declen = 0;

		rc = mox_msg_iter_next(&it, &fl);
		if (rc == MOX_ENOTFOUND || rc == MOX_ELIMIT)
			break;
		if (rc != MOX_OK && rc != MOX_ESYNTAX && rc != MOX_ENUL)
			return rc;
		fputs(first ? "" : ",", f);
		first = false;
		indent(f, depth + 1);
		fputs("{\"name\": ", f);
		jstr_len(f, (const char *)fl.name.ptr, fl.name.len);
		fprintf(f, ", \"offset\": %zu", p->header_offset + fl.offset);
		if (rc != MOX_OK) {
			fputs(rc == MOX_ESYNTAX ? ", \"malformed\": true" :
			    ", \"nul\": true", f);
		}
		rc = mox_msg_decode_2047(&dec, &declen, fl.value.ptr,
		    fl.value.len);
		if (rc != MOX_OK)
			return rc;
		{
			/* Unfolded and decoded: without the leading and
			 * trailing whitespace that is not part of the value. */
			const char *v = dec;

			while (declen > 0 && (*v == ' ' || *v == '\t'))
				v++, declen--;
			while (declen > 0 && (v[declen - 1] == ' ' ||
			    v[declen - 1] == '\t'))
				declen--;
			fputs(", \"value\": ", f);
			jstr_len(f, v, declen);
		}
		mox_msg_free(dec);
		if (fl.name.len > 0 && (rc = print_structured(f, &fl,
		    depth + 1)) != MOX_OK)
			return rc;
		fputc('}', f);
	}
	fputc(']', f);
	return MOX_OK;
}

static int
print_part(FILE *f, const mox_msg_tree *t, const uint8_t *msg,
    const mox_msg_part *p, unsigned int depth)
{
	size_t i;
	int rc;

	fputc('{', f);
	indent(f, depth + 1);
	fprintf(f, "\"index\": %zu, \"kind\": \"%s\",", p->index,
	    p->kind == MOX_MSG_PART_MULTIPART ? "multipart" :
	    p->kind == MOX_MSG_PART_MESSAGE ? "message" : "leaf");
	indent(f, depth + 1);
	fputs("\"type\": ", f);
	jstr(f, p->type);
	fputs(", \"subtype\": ", f);
	jstr(f, p->subtype);
	fputs(", \"params\": ", f);
	print_params(f, p->ctype);
	fputc(',', f);
	indent(f, depth + 1);
	fputs("\"encoding\": ", f);
	jstr(f, p->cte_name);
	fputs(", \"disposition\": ", f);
	if (p->disposition != NULL) {
		fputs("{\"type\": ", f);
		jstr(f, mox_msg_ctype_type(p->disposition));
		fputs(", \"params\": ", f);
		print_params(f, p->disposition);
		fputc('}', f);
	} else {
		fputs("null", f);
	}
	fputc(',', f);
	indent(f, depth + 1);
	fputs("\"id\": ", f);
	jstr(f, p->content_id);
	fputs(", \"description\": ", f);
	jstr(f, p->description);
	fputs(", \"md5\": ", f);
	jstr(f, p->md5);
	fputs(", \"language\": ", f);
	jstr(f, p->language);
	fputs(", \"location\": ", f);
	jstr(f, p->location);
	fputc(',', f);
	indent(f, depth + 1);
	fprintf(f, "\"header_offset\": %zu, \"body_offset\": %zu, "
	    "\"end_offset\": %zu,", p->header_offset, p->body_offset,
	    p->end_offset);
	indent(f, depth + 1);
	fprintf(f, "\"header_size\": %zu, \"body_size\": %zu, "
	    "\"body_lines\": %zu,", p->body_offset - p->header_offset,
	    p->body_size, p->body_lines);
	indent(f, depth + 1);
	fputs("\"flags\": ", f);
	print_flags(f, p->flags);
	fputc(',', f);
	indent(f, depth + 1);
	fputs("\"headers\": ", f);
	if ((rc = print_headers(f, msg, p, depth + 1)) != MOX_OK)
		return rc;
	fputc(',', f);
	indent(f, depth + 1);
	fputs("\"parts\": [", f);
	for (i = 0; i < p->nchildren; i++) {
		const mox_msg_part *c = mox_msg_tree_child(t, p, i);

		if (c == NULL)
			break;
		fputs(i > 0 ? ", " : "", f);
		if ((rc = print_part(f, t, msg, c, depth + 1)) != MOX_OK)
			return rc;
	}
	fputs("]", f);
	indent(f, depth);
	fputc('}', f);
	return MOX_OK;
}

static int
parse_imap(const mox_msg_tree *t)
{
	unsigned int fl = MOX_MSG_IMAP_EXTENDED | MOX_MSG_IMAP_UTF8;
	char *bs = NULL, *env = NULL;
	int rc;

	if ((rc = mox_msg_imap_bodystructure(&bs, NULL, t, NULL, fl)) !=
	    MOX_OK || (rc = mox_msg_imap_envelope(&env, NULL, t, NULL,
	    MOX_MSG_IMAP_UTF8)) != MOX_OK) {
		mox_msg_free(bs);
		mox_errorf("imap: %s", mox_strerror(rc));
		return 1;
	}
	printf("BODYSTRUCTURE %s\nENVELOPE %s\n", bs, env);
	mox_msg_free(bs);
	mox_msg_free(env);
	return 0;
}

static int
message_parse(int argc, char **argv)
{
	struct input in;
	mox_msg_tree *t = NULL;
	const char *path = NULL;
	bool imap = false;
	int i, rc, ret = 0;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-imap") == 0) {
			imap = true;
		} else if (strcmp(argv[i], "-help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			parse_usage(stdout);
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			mox_errorf("unknown flag %s", argv[i]);
			parse_usage(stderr);
			return EXIT_USAGE;
		} else if (path == NULL) {
			path = argv[i];
		} else {
			parse_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (path == NULL) {
		parse_usage(stderr);
		return EXIT_USAGE;
	}
	if (read_input(&in, path) != 0)
		return 1;
	rc = mox_msg_tree_parse(&t, in.p, in.len, NULL);
	if (rc != MOX_OK) {
		mox_errorf("%s: %s", path, mox_strerror(rc));
		free_input(&in);
		return 1;
	}
	if (imap) {
		ret = parse_imap(t);
	} else {
		fprintf(stdout, "{\"size\": %zu, \"parts\": %zu, \"root\": ",
		    in.len, mox_msg_tree_count(t));
		rc = print_part(stdout, t, in.p, mox_msg_tree_part(t, 0), 0);
		fputs("}\n", stdout);
		if (rc != MOX_OK) {
			mox_errorf("%s: %s", path, mox_strerror(rc));
			ret = 1;
		}
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		mox_errorf("writing output: %s", strerror(errno));
		ret = 1;
	}
	mox_msg_tree_free(t);
	free_input(&in);
	return ret;
}

int
cmd_message(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "parse") == 0)
		return message_parse(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "-help") == 0 ||
	    strcmp(argv[1], "-h") == 0)) {
		parse_usage(stdout);
		return 0;
	}
	parse_usage(stderr);
	return EXIT_USAGE;
}
