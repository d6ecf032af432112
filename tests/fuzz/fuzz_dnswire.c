/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dnswire.c -- DNS response messages (what libunbound hands us from
 * the network) into answers; every decoded record is formatted, and every
 * presentation name must survive the round trip through the wire encoder.
 */
#include <stdlib.h>
#include <string.h>

#include "dns-int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	mox_dns_answer *a = NULL;
	char line[70000];

	if (mox_dns_answer_from_wire(&a, data, size, false) != MOX_OK)
		return 0;
	for (size_t i = 0; i < mox_dns_answer_count(a); i++) {
		const mox_dns_rr *rr = mox_dns_answer_rr(a, i);
		uint8_t w[CORE_NAME_WIRE_MAX];
		size_t wl;

		mox_dns_rr_format(line, sizeof(line), rr);
		if (rr->name[0] != '\0' &&
		    core_name_to_wire(w, &wl, rr->name, strlen(rr->name), NULL,
		    0) != MOX_OK)
			abort();
		if (rr->target != NULL && rr->target[0] != '\0' &&
		    core_name_to_wire(w, &wl, rr->target, strlen(rr->target),
		    NULL, 0) != MOX_OK)
			abort();
		if ((rr->type == MOX_DNS_TXT || rr->type == MOX_DNS_SPF) &&
		    rr->text[rr->text_len] != '\0')
			abort();
	}
	for (size_t i = 0; i < mox_dns_answer_cname_count(a); i++) {
		if (mox_dns_answer_cname(a, i) == NULL)
			abort();
	}
	(void)mox_dns_answer_result(a);
	mox_dns_answer_free(a);
	return 0;
}
