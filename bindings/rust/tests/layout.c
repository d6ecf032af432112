/* SPDX-License-Identifier: MIT */
/*
 * layout.c -- prints the size and alignment of every C struct the Rust
 * bindings declare by hand, and the offset of each field, one per line:
 *   struct NAME SIZE ALIGN
 *   field NAME.FIELD OFFSET
 * tests/bindings/run-rust-tests.sh compiles it against the installed
 * headers and hands the output to the crate's layout unit test
 * (MOXMAIL_C_LAYOUT=FILE), which compares it with the Rust declarations.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdio.h>

#include <mox/dkim.h>
#include <mox/dmarc.h>
#include <mox/dns.h>
#include <mox/spf.h>

#define S(t) printf("struct %s %zu %zu\n", #t, sizeof(t), alignof(t))
#define F(t, f) printf("field %s.%s %zu\n", #t, #f, offsetof(t, f))

int
main(void)
{
	S(mox_slice); F(mox_slice, ptr); F(mox_slice, len);
	S(mox_ip); F(mox_ip, family); F(mox_ip, addr);

	S(mox_dns_rr);
	F(mox_dns_rr, name); F(mox_dns_rr, type); F(mox_dns_rr, rclass);
	F(mox_dns_rr, ttl); F(mox_dns_rr, rdata); F(mox_dns_rr, rdlen);
	F(mox_dns_rr, ip); F(mox_dns_rr, target); F(mox_dns_rr, preference);
	F(mox_dns_rr, weight); F(mox_dns_rr, port); F(mox_dns_rr, text);
	F(mox_dns_rr, text_len); F(mox_dns_rr, strings);
	F(mox_dns_rr, nstrings); F(mox_dns_rr, tlsa_usage);
	F(mox_dns_rr, tlsa_selector); F(mox_dns_rr, tlsa_mtype);
	F(mox_dns_rr, tlsa_data); F(mox_dns_rr, tlsa_len);

	S(mox_unbound_options);
	F(mox_unbound_options, version); F(mox_unbound_options, mode);
	F(mox_unbound_options, resolvconf); F(mox_unbound_options, forwarders);
	F(mox_unbound_options, nforwarders); F(mox_unbound_options, stubs);
	F(mox_unbound_options, nstubs);
	F(mox_unbound_options, trust_anchor_file);
	F(mox_unbound_options, trust_anchors);
	F(mox_unbound_options, ntrust_anchors);
	F(mox_unbound_options, timeout_ms);
	F(mox_unbound_options, unbound_options);
	F(mox_unbound_options, nunbound_options);

	S(mox_resolver_ops);
	F(mox_resolver_ops, version); F(mox_resolver_ops, query);
	F(mox_resolver_ops, cancel); F(mox_resolver_ops, fd);
	F(mox_resolver_ops, process); F(mox_resolver_ops, destroy);

	S(mox_spf_limits);
	F(mox_spf_limits, dns_terms); F(mox_spf_limits, void_lookups);
	F(mox_spf_limits, mx_names); F(mox_spf_limits, ptr_names);
	F(mox_spf_limits, max_name); F(mox_spf_limits, max_record);

	S(mox_spf_request);
	F(mox_spf_request, version); F(mox_spf_request, identity);
	F(mox_spf_request, ip); F(mox_spf_request, sender);
	F(mox_spf_request, helo); F(mox_spf_request, receiver);
	F(mox_spf_request, now); F(mox_spf_request, limits);
	F(mox_spf_request, explanation);

	S(mox_spf_result);
	F(mox_spf_result, version); F(mox_spf_result, verdict);
	F(mox_spf_result, identity); F(mox_spf_result, domain);
	F(mox_spf_result, checked); F(mox_spf_result, mechanism);
	F(mox_spf_result, mechanism_domain); F(mox_spf_result, explanation);
	F(mox_spf_result, reason); F(mox_spf_result, authentic);
	F(mox_spf_result, dns_terms); F(mox_spf_result, void_lookups);
	F(mox_spf_result, queries); F(mox_spf_result, owned_);

	S(mox_spf_question); F(mox_spf_question, name); F(mox_spf_question, type);

	S(mox_spf_term);
	F(mox_spf_term, kind); F(mox_spf_term, qualifier);
	F(mox_spf_term, explicit_qualifier); F(mox_spf_term, domain_spec);
	F(mox_spf_term, name); F(mox_spf_term, ip); F(mox_spf_term, cidr4);
	F(mox_spf_term, cidr6); F(mox_spf_term, offset);

	S(mox_dkim_sign_options);
	F(mox_dkim_sign_options, version); F(mox_dkim_sign_options, domain);
	F(mox_dkim_sign_options, selector); F(mox_dkim_sign_options, identity);
	F(mox_dkim_sign_options, key); F(mox_dkim_sign_options, header_canon);
	F(mox_dkim_sign_options, body_canon); F(mox_dkim_sign_options, headers);
	F(mox_dkim_sign_options, nheaders); F(mox_dkim_sign_options, oversign);
	F(mox_dkim_sign_options, noversign);
	F(mox_dkim_sign_options, timestamp);
	F(mox_dkim_sign_options, expiration);
	F(mox_dkim_sign_options, body_length);

	S(mox_dkim_verify_options);
	F(mox_dkim_verify_options, version); F(mox_dkim_verify_options, flags);
	F(mox_dkim_verify_options, now);
	F(mox_dkim_verify_options, max_clock_skew);
	F(mox_dkim_verify_options, max_signatures);
	F(mox_dkim_verify_options, min_rsa_bits);
	F(mox_dkim_verify_options, max_header_size);

	S(mox_dkim_result);
	F(mox_dkim_result, version); F(mox_dkim_result, verdict);
	F(mox_dkim_result, domain); F(mox_dkim_result, selector);
	F(mox_dkim_result, identity); F(mox_dkim_result, algorithm);
	F(mox_dkim_result, b); F(mox_dkim_result, reason);
	F(mox_dkim_result, authentic); F(mox_dkim_result, testing);
	F(mox_dkim_result, has_length); F(mox_dkim_result, offset);
	F(mox_dkim_result, owned_);

	S(mox_dkim_question); F(mox_dkim_question, name); F(mox_dkim_question, id);

	S(mox_dmarc_record_info);
	F(mox_dmarc_record_info, p); F(mox_dmarc_record_info, sp);
	F(mox_dmarc_record_info, np);
	F(mox_dmarc_record_info, policy_effective);
	F(mox_dmarc_record_info, psd); F(mox_dmarc_record_info, testing);
	F(mox_dmarc_record_info, adkim); F(mox_dmarc_record_info, aspf);
	F(mox_dmarc_record_info, fo); F(mox_dmarc_record_info, rua);
	F(mox_dmarc_record_info, nrua); F(mox_dmarc_record_info, ruf);
	F(mox_dmarc_record_info, nruf); F(mox_dmarc_record_info, pct);
	F(mox_dmarc_record_info, has_pct); F(mox_dmarc_record_info, rf);
	F(mox_dmarc_record_info, ri); F(mox_dmarc_record_info, has_ri);
	F(mox_dmarc_record_info, policy_fallback);

	S(mox_dmarc_spf);
	F(mox_dmarc_spf, result); F(mox_dmarc_spf, domain); F(mox_dmarc_spf, helo);

	S(mox_dmarc_dkim);
	F(mox_dmarc_dkim, result); F(mox_dmarc_dkim, domain);
	F(mox_dmarc_dkim, selector);

	S(mox_dmarc_options);
	F(mox_dmarc_options, version); F(mox_dmarc_options, flags);
	F(mox_dmarc_options, psl); F(mox_dmarc_options, random);
	F(mox_dmarc_options, random_arg);

	S(mox_dmarc_question); F(mox_dmarc_question, name); F(mox_dmarc_question, type);

	S(mox_dmarc_result);
	F(mox_dmarc_result, version); F(mox_dmarc_result, verdict);
	F(mox_dmarc_result, policy); F(mox_dmarc_result, policy_requested);
	F(mox_dmarc_result, testing); F(mox_dmarc_result, sampled_out);
	F(mox_dmarc_result, reject); F(mox_dmarc_result, from_domain);
	F(mox_dmarc_result, org_domain); F(mox_dmarc_result, record_domain);
	F(mox_dmarc_result, record); F(mox_dmarc_result, spf_aligned);
	F(mox_dmarc_result, dkim_aligned); F(mox_dmarc_result, dkim_domain);
	F(mox_dmarc_result, dkim_selector); F(mox_dmarc_result, reason);
	F(mox_dmarc_result, authentic); F(mox_dmarc_result, queries);
	F(mox_dmarc_result, owned_);
	return fflush(stdout) == 0 ? 0 : 1;
}
