/* SPDX-License-Identifier: MIT */
/*
 * sconf.h -- mox's config file format ("sconf"), parsed through a key
 * table that also prints the annotated example config ("describe").
 *
 * Syntax, one item per line:
 *
 *   # comment (a line whose first non-blank character is '#')
 *   Key: value           a string, bool, integer, duration or enum
 *   Block:               a nested block: its keys follow, one tab deeper
 *   	Inner: value
 *   List:                a list: its items follow, one tab deeper
 *   	- value           an item of a list of values
 *   	-                 an item of a list of blocks: the block's keys
 *   		Key: value    follow, one tab deeper than the "-"
 *
 * Indentation is tabs only; a space used for indentation is an error.
 * Blank lines are ignored. The value is the rest of the line after ": ",
 * without surrounding blanks and never quoted. Keys are case-sensitive.
 * Unknown keys and keys given twice in one block are errors. A block or
 * list key with nothing indented below it is an empty block or list. A
 * list given in a file replaces the list's earlier value (its default).
 *
 * Values: bool "true" or "false"; integers in decimal; durations as Go
 * writes them ("250ms", "10s", "5m", "1h30m", "0"); enum values exactly
 * as listed.
 *
 * Errors name the file, line and key path, such as
 *   mox-milter.conf:12: DMARC.Quarantine: unknown value "x", want header,
 *   hold or none
 * with list items as "DKIM.Sign[0].Domain" (counted from 0).
 *
 * Limits: files of at most SCONF_MAX_SIZE octets, lines of at most
 * SCONF_MAX_LINE octets, blocks nested at most SCONF_MAX_DEPTH deep;
 * valid UTF-8, no control characters other than tab.
 *
 * The table: an array of struct sconf_key ending with one whose name is
 * NULL; tables nest through sub and item, never in a cycle. Each key says where its value goes (an offset into the struct the
 * caller passes as base), its type, its default in config syntax and its
 * description. sconf_defaults() sets the defaults by parsing them as
 * values, so what describe prints is what a config without the key gives.
 *
 * Memory: strings and lists are allocated with malloc() and owned by the
 * struct; sconf_free() releases what the table describes (calling the
 * release hooks for the rest). On error the struct may hold a mix of old
 * and new values; it is still valid for sconf_free().
 *
 * Threads: no global state; a table is read-only and may be used from any
 * number of threads, each call on its own struct.
 */
#ifndef MOX_SCONF_H
#define MOX_SCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Limits of the input. */
#define SCONF_MAX_SIZE ((size_t)16 << 20)
#define SCONF_MAX_LINE 4096
#define SCONF_MAX_DEPTH 16

enum sconf_type {
	/* char *, NUL-terminated, owned (the old value is freed). */
	SCONF_STRING = 1,
	/* bool (size 1) or another integer field of `size` octets. */
	SCONF_BOOL,
	/* Integer field of `size` octets (1, 2, 4, 8), signed when min < 0,
	 * in [min, max] (both 0: the field's range). */
	SCONF_INT,
	/* Integer field of `size` octets counting `unit` milliseconds
	 * (1000: seconds); a value that is not a whole number of units is
	 * an error. min and max are in units. */
	SCONF_DURATION,
	/* Integer or bool field of `size` octets: the index of the value in
	 * `choices`. */
	SCONF_ENUM,
	/* `parse` converts the text into the field; `release` frees it. */
	SCONF_CUSTOM,
	/* A nested block of `sub` keys whose fields are at base + offset
	 * (offset 0: a section of the same struct). `finish` runs after
	 * the block's lines are read, only when the block is in the file
	 * (always for list items). */
	SCONF_BLOCK,
	/* A list of `item`s: the array (void *) at offset, its length
	 * (size_t) at count_offset. item->size is the element size; a list
	 * of blocks has item->type SCONF_BLOCK with item->sub. */
	SCONF_LIST
};

enum sconf_flags {
	/* The key must be given. Checked in the blocks of list items (each
	 * item is new); elsewhere it is documentation and the application
	 * checks (values may also come from flags). */
	SCONF_REQUIRED = 1u << 0,
	/* A string that is a file name: a relative name in a file is taken
	 * relative to the file's directory. */
	SCONF_PATH = 1u << 1,
	/* A string that must not be empty. */
	SCONF_NONEMPTY = 1u << 2
};

struct sconf_key {
	const char *name;      /* NULL ends a table */
	int type;              /* enum sconf_type */
	size_t offset;         /* of the field from the block's base */
	size_t size;           /* of the field; of an element for items */
	/* Default in config syntax; list items separated by "\n". NULL:
	 * none (the field keeps what the caller set, normally zero). */
	const char *def;
	/* Description for describe: sentences, no trailing newline. */
	const char *doc;
	unsigned int flags;    /* enum sconf_flags */
	/* Shown by describe (commented out) when there is no default. */
	const char *example;
	int64_t min, max;      /* INT, DURATION */
	unsigned int unit;     /* DURATION: milliseconds per unit */
	const char *const *choices;   /* ENUM, NULL-terminated */
	const struct sconf_key *sub;  /* BLOCK: its keys */
	const struct sconf_key *item; /* LIST: what an item is */
	size_t count_offset;   /* LIST */
	/* CUSTOM: convert value into field (base: the block's base, for
	 * values that set several fields). Return 0, or -1 with a message
	 * (without file, line or key) in err. */
	int (*parse)(void *field, void *base, const char *value, char *err,
	    size_t errcap);
	/* CUSTOM: free what parse stored; BLOCK: free what finish (or an
	 * application) added beyond the table's fields. May be NULL. */
	void (*release)(void *field);
	/* BLOCK: check or complete the block after its keys were read.
	 * Return 0, or -1 with a message in err. */
	int (*finish)(void *base, char *err, size_t errcap);
};

/*
 * Set every default of the table in the struct at base (recursively for
 * blocks; list items get their defaults when they are parsed). Fields
 * without a default are not touched. Returns 0, or -1 with a message in
 * err (a default that does not parse: a bug in the table).
 */
int sconf_defaults(const struct sconf_key *table, void *base, char *err,
    size_t errcap);

/*
 * Parse a config file into the struct at base, which normally holds the
 * defaults. Errors: "FILE:LINE: KEY.PATH: message" in err. Returns 0 or
 * -1.
 */
int sconf_parse_file(const struct sconf_key *table, void *base,
    const char *path, char *err, size_t errcap);

/*
 * Parse config text (no NUL needed) into base. name is used in error
 * messages; dir (may be NULL) is where relative SCONF_PATH values are
 * taken from. Returns 0, or -1 with a message in err.
 */
int sconf_parse(const struct sconf_key *table, void *base, const char *name,
    const char *dir, const char *text, size_t len, char *err, size_t errcap);

/* Free what the table's fields of base hold and zero them. */
void sconf_free(const struct sconf_key *table, void *base);

/*
 * Print the annotated example config: every key with its description,
 * its default as the value, and keys without a default commented out
 * (with the example value if there is one). Parsing the output gives the
 * defaults.
 */
void sconf_describe(FILE *f, const struct sconf_key *table);

#endif
