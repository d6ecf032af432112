/* SPDX-License-Identifier: MIT */
#include <mox/common.h>

#include "base.h"

const char *
mox_strerror(int status)
{
	switch (status) {
#define X(name, num, msg) \
	case num:         \
		return msg;
		MOX_STATUS_MAP(X)
#undef X
	default:
		return "unknown status";
	}
}

const char *
mox_status_name(int status)
{
	switch (status) {
#define X(name, num, msg) \
	case num:         \
		return #name;
		MOX_STATUS_MAP(X)
#undef X
	default:
		return NULL;
	}
}

#define STR2(x) #x
#define STR(x) STR2(x)

const char *
mox_version(void)
{
	return STR(MOX_VERSION_MAJOR) "." STR(MOX_VERSION_MINOR) "." STR(
	    MOX_VERSION_PATCH);
}

unsigned int
mox_version_number(void)
{
	return MOX_VERSION_NUMBER;
}

static const char *const level_names[] = {
	"error", "warn", "info", "debug", "trace", "traceauth", "tracedata",
};

const char *
mox_log_level_name(int level)
{
	if (level < 0 || (size_t)level >= sizeof(level_names) / sizeof(*level_names))
		return NULL;
	return level_names[level];
}

int
mox_log_level_parse(int *out, const char *name)
{
	size_t i;

	if (out == NULL || name == NULL)
		return MOX_EINVAL;
	for (i = 0; i < sizeof(level_names) / sizeof(*level_names); i++) {
		if (mox__strcasecmp(name, level_names[i]) == 0) {
			*out = (int)i;
			return MOX_OK;
		}
	}
	return MOX_ESYNTAX;
}
