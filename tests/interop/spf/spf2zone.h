/* SPDX-License-Identifier: MIT */
/*
 * spf2zone.h -- load the zone text of the SPF differential tests (the subset
 * written by gen_cases.py and tests/bench/spf_suite.py, see spfzone.py) into
 * libspf2's in-memory zone layer, the way a real resolver would answer:
 * CNAME chains followed, NO_DATA for the types a name lacks, forced
 * outcomes ($NXDOMAIN, $SERVFAIL, $TIMEOUT) first, NXDOMAIN of the asked
 * type for names it does not hold. Used by
 * libspf2_driver.c and tests/bench/bench_spf.c. Errors end the process.
 */
#ifndef SPF2ZONE_H
#define SPF2ZONE_H

#include <stdbool.h>
#include <netinet/in.h> /* libspf2's headers need it first */
#include <spf2/spf.h>

struct spf2zone;

/* Read a zone file; exits with a message on error. */
struct spf2zone *spf2zone_load(const char *path);

void spf2zone_free(struct spf2zone *z);

/* A new libspf2 zone layer holding the zone's answers (over a layer that
 * answers NXDOMAIN); free both with SPF_dns_free(). Without full, the
 * NODATA entries are left out (NXDOMAIN instead; check_host() makes no
 * difference), which keeps the zone layer's linear search short for the
 * benchmark. */
SPF_dns_server_t *spf2zone_dns(const struct spf2zone *z, bool full);

#endif
