// SPDX-License-Identifier: MIT
//! DMARC: evaluation from SPF and DKIM results (aligned DKIM pass,
//! p=reject fail, no record, p=none, strict and relaxed alignment, t=y,
//! temperror from failing resolvers), RFC 7489 mode with a Public Suffix
//! List and pct= sampling, the evaluator driven by hand, record parsing,
//! and the whole receiver path (SPF + DKIM + DMARC) as `mox dmarc verify`
//! runs it.

use std::path::Path;

use moxmail::dkim::{self, Key, SignOptions, Timestamp, VerifyOptions};
use moxmail::dmarc::{self, Alignment, DkimInput, DmarcEval, Options, Policy, Psd, Psl, SpfInput, Verdict};
use moxmail::dns::rtype;
use moxmail::spf;
use moxmail::{status, Answer, DnsResult, MoxError, Resolver};

const ZONE: &str = "\
_dmarc.example.org.      300 IN TXT \"v=DMARC1; p=reject; rua=mailto:dmarc@example.org\"
_dmarc.relaxed.example.  300 IN TXT \"v=DMARC1; p=quarantine\"
_dmarc.strict.example.   300 IN TXT \"v=DMARC1; p=reject; adkim=s; aspf=s\"
_dmarc.monitor.example.  300 IN TXT \"v=DMARC1; p=none\"
_dmarc.testing.example.  300 IN TXT \"v=DMARC1; p=reject; t=y\"
_dmarc.shop.co.example.  300 IN TXT \"v=DMARC1; p=reject; sp=quarantine; pct=50\"
";

fn zone() -> Resolver {
    Resolver::from_zone(ZONE, None).unwrap()
}

fn msg_from(domain: &str) -> Vec<u8> {
    format!("From: Someone <someone@{domain}>\r\nTo: x@example.net\r\nSubject: hi\r\n\r\nbody\r\n").into_bytes()
}

fn dkim_in(result: dkim::Verdict, domain: &str) -> DkimInput {
    DkimInput { result, domain: domain.to_string(), selector: Some("sel".to_string()) }
}

fn spf_in(result: spf::Verdict, domain: &str) -> SpfInput {
    SpfInput { result, domain: Some(domain.to_string()), helo: false }
}

fn psl() -> Psl {
    Psl::load(Some(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/test-psl.dat")))).unwrap()
}

#[test]
fn aligned_dkim_pass() {
    let r = zone();
    let res = dmarc::evaluate(
        &r,
        &msg_from("example.org"),
        Some(&spf_in(spf::Verdict::Fail, "bounces.example.net")),
        &[dkim_in(dkim::Verdict::Fail, "example.org"), dkim_in(dkim::Verdict::Pass, "example.org")],
        &Options::new(),
    )
    .unwrap();
    assert_eq!(res.verdict, Verdict::Pass);
    assert!(res.dkim_aligned && !res.spf_aligned);
    assert_eq!(res.dkim_domain.as_deref(), Some("example.org"));
    assert_eq!(res.dkim_selector.as_deref(), Some("sel"));
    assert_eq!(res.policy, Policy::None);
    assert_eq!(res.policy_requested, Some(Policy::Reject));
    assert!(!res.reject);
    assert_eq!(res.from_domain, "example.org");
    assert_eq!(res.record_domain.as_deref(), Some("example.org"));
    assert_eq!(res.record.as_deref(), Some("v=DMARC1; p=reject; rua=mailto:dmarc@example.org"));
    assert_eq!(res.reason, None);
    assert!(res.queries >= 1);
    assert!(res.authres.starts_with("dmarc=pass"), "{}", res.authres);
    assert!(res.authres.contains("header.from=example.org"), "{}", res.authres);
}

#[test]
fn reject_fail() {
    let res = dmarc::evaluate(
        &zone(),
        &msg_from("example.org"),
        Some(&spf_in(spf::Verdict::Pass, "bounces.example.net")),
        &[dkim_in(dkim::Verdict::Pass, "example.net")],
        &Options::new(),
    )
    .unwrap();
    assert_eq!(res.verdict, Verdict::Fail);
    assert_eq!(res.policy, Policy::Reject);
    assert!(res.reject);
    assert!(!res.spf_aligned && !res.dkim_aligned);
    assert!(res.reason.is_some());
    assert!(res.authres.starts_with("dmarc=fail"), "{}", res.authres);
    assert!(res.authres.contains("policy.dmarc=reject"), "{}", res.authres);
}

#[test]
fn no_record_is_none_and_p_none_monitors() {
    let r = zone();
    let none = dmarc::evaluate(&r, &msg_from("nodmarc.example"), None, &[], &Options::new()).unwrap();
    assert_eq!(none.verdict, Verdict::None);
    assert_eq!(none.record, None);
    assert_eq!(none.policy, Policy::None);
    assert!(none.reason.is_some());
    assert!(none.authres.starts_with("dmarc=none"), "{}", none.authres);

    let monitor = dmarc::evaluate(&r, &msg_from("monitor.example"), None, &[], &Options::new()).unwrap();
    assert_eq!(monitor.verdict, Verdict::Fail);
    assert_eq!(monitor.policy, Policy::None);
    assert_eq!(monitor.policy_requested, Some(Policy::None));
    assert!(!monitor.reject);

    let testing = dmarc::evaluate(&r, &msg_from("testing.example"), None, &[], &Options::new()).unwrap();
    assert_eq!(testing.verdict, Verdict::Fail);
    assert!(testing.testing);
    // t=y lowers the policy one level (RFC 9989 4.7; the eval.c comment
    // says so, dmarc.h's "lowered to none" is not what happens).
    assert_eq!(testing.policy, Policy::Quarantine, "t=y lowers the policy one level");
    assert_eq!(testing.policy_requested, Some(Policy::Reject));
    assert!(!testing.reject);

    // No From field, and two From fields.
    let nofrom = dmarc::evaluate(&r, b"Subject: x\r\n\r\nbody\r\n", None, &[], &Options::new()).unwrap();
    assert_eq!(nofrom.verdict, Verdict::None);
    let two = b"From: a@example.org\r\nFrom: b@example.org\r\n\r\nbody\r\n";
    assert_eq!(dmarc::evaluate(&r, two, None, &[], &Options::new()).unwrap().verdict, Verdict::PermError);
}

#[test]
fn strict_and_relaxed_alignment() {
    let r = zone();
    let o = Options::new();
    // Relaxed: a subdomain signature aligns, and the record of the
    // organizational domain applies to a subdomain From.
    let relaxed = dmarc::evaluate(
        &r,
        &msg_from("relaxed.example"),
        None,
        &[dkim_in(dkim::Verdict::Pass, "mail.relaxed.example")],
        &o,
    )
    .unwrap();
    assert_eq!(relaxed.verdict, Verdict::Pass);
    assert!(relaxed.dkim_aligned);
    let sub = dmarc::evaluate(
        &r,
        &msg_from("news.relaxed.example"),
        Some(&spf_in(spf::Verdict::Pass, "bounce.relaxed.example")),
        &[],
        &o,
    )
    .unwrap();
    assert_eq!(sub.verdict, Verdict::Pass);
    assert!(sub.spf_aligned);
    assert_eq!(sub.record_domain.as_deref(), Some("relaxed.example"));

    // Strict: only the exact domain aligns.
    let strict = dmarc::evaluate(
        &r,
        &msg_from("strict.example"),
        Some(&spf_in(spf::Verdict::Pass, "bounce.strict.example")),
        &[dkim_in(dkim::Verdict::Pass, "mail.strict.example")],
        &o,
    )
    .unwrap();
    assert_eq!(strict.verdict, Verdict::Fail);
    assert!(!strict.spf_aligned && !strict.dkim_aligned);
    assert!(strict.reject);
    let exact =
        dmarc::evaluate(&r, &msg_from("strict.example"), Some(&spf_in(spf::Verdict::Pass, "strict.example")), &[], &o)
            .unwrap();
    assert_eq!(exact.verdict, Verdict::Pass);
    assert!(exact.spf_aligned);
}

#[test]
fn failing_resolvers_give_temperror() {
    let erroring = Resolver::custom(|_: &str, _: u16| Err(MoxError::new(status::EDNS))).unwrap();
    let servfail = Resolver::custom(|name: &str, t: u16| Answer::new(name, t, DnsResult::ServFail)).unwrap();
    let panicking =
        Resolver::custom(|name: &str, _: u16| -> moxmail::Result<Answer> { panic!("resolver broke on {name}") })
            .unwrap();
    for r in [&erroring, &servfail, &panicking] {
        let res = dmarc::evaluate(
            r,
            &msg_from("example.org"),
            None,
            &[dkim_in(dkim::Verdict::Pass, "example.org")],
            &Options::new(),
        )
        .unwrap();
        assert_eq!(res.verdict, Verdict::TempError, "{res:?}");
        assert_eq!(res.policy, Policy::None);
        assert!(!res.reject);
        assert!(res.authres.starts_with("dmarc=temperror"), "{}", res.authres);
    }
}

#[test]
fn rfc7489_mode_with_psl_and_sampling() {
    let list = psl();
    assert_eq!(list.org_domain("a.b.shop.co.example").unwrap(), "shop.co.example");
    assert_eq!(list.org_domain("x.y.wild.example").unwrap(), "x.y.wild.example");
    assert_eq!(list.org_domain("a.www.wild.example").unwrap(), "www.wild.example");

    let r = zone();
    let from = msg_from("a.b.shop.co.example");
    let applied = dmarc::evaluate(&r, &from, None, &[], &Options::rfc7489(&list).with_random(|| 10)).unwrap();
    assert_eq!(applied.verdict, Verdict::Fail);
    assert_eq!(applied.record_domain.as_deref(), Some("shop.co.example"));
    assert_eq!(applied.org_domain.as_deref(), Some("shop.co.example"));
    assert_eq!(applied.policy_requested, Some(Policy::Quarantine), "sp= for a subdomain");
    assert_eq!(applied.policy, Policy::Quarantine);
    assert!(!applied.sampled_out);

    let sampled = dmarc::evaluate(&r, &from, None, &[], &Options::rfc7489(&list).with_random(|| 90)).unwrap();
    assert_eq!(sampled.verdict, Verdict::Fail);
    assert!(sampled.sampled_out);
    assert_eq!(sampled.policy, Policy::None);

    // A panicking sampler counts as 0: the policy applies.
    let panicky =
        dmarc::evaluate(&r, &from, None, &[], &Options::rfc7489(&list).with_random(|| panic!("rng"))).unwrap();
    assert_eq!(panicky.policy, Policy::Quarantine);

    // The RFC 9989 tree walk finds the record too (the PSL is not used).
    let walk = dmarc::evaluate(&r, &from, None, &[], &Options::new()).unwrap();
    assert_eq!(walk.record_domain.as_deref(), Some("shop.co.example"));
    assert!(!walk.sampled_out);

    if Path::new("/usr/share/publicsuffix/public_suffix_list.dat").exists() {
        let system = Psl::load(None).unwrap();
        assert_eq!(system.org_domain("www.example.co.uk").unwrap(), "example.co.uk");
    }
    assert_eq!(Psl::load(Some(Path::new("/nonexistent/psl.dat"))).unwrap_err().code(), status::EIO);
}

#[test]
fn from_value_and_evaluator_by_hand() {
    let r = zone();
    let dk = [dkim_in(dkim::Verdict::Pass, "example.org")];
    let by_value = dmarc::evaluate_from(&r, b"Alice <alice@example.org>", None, &dk, &Options::new()).unwrap();
    let by_msg = dmarc::evaluate(&r, &msg_from("example.org"), None, &dk, &Options::new()).unwrap();
    assert_eq!(by_value, by_msg);
    assert_eq!(by_value.verdict, Verdict::Pass);
    let two_domains = dmarc::evaluate_from(&r, b"a@example.org, b@example.net", None, &dk, &Options::new()).unwrap();
    assert_eq!(two_domains.verdict, Verdict::PermError);

    // Sans-I/O: the test answers the questions.
    let o = Options::new();
    let mut ev =
        DmarcEval::new(&msg_from("hand.example"), None, &[dkim_in(dkim::Verdict::Pass, "hand.example")], &o).unwrap();
    let q = ev.step().unwrap().expect("a question");
    assert_eq!((q.name.as_str(), q.rtype), ("_dmarc.hand.example", rtype::TXT));
    assert_eq!(ev.step().unwrap_err().code(), status::ESTATE);
    let mut a = Answer::new(&q.name, rtype::TXT, DnsResult::Ok).unwrap();
    a.add_txt(&q.name, 300, b"v=DMARC1; p=quarantine; adkim=s").unwrap();
    a.set_secure(true);
    ev.answer(Some(&a)).unwrap();
    assert_eq!(ev.step().unwrap(), None);
    let res = ev.result().unwrap();
    assert_eq!(res.verdict, Verdict::Pass);
    assert!(res.authentic);
    assert_eq!(res.policy_requested, Some(Policy::Quarantine));

    // A lookup that failed: temperror.
    let mut ev = DmarcEval::from_header(b"x@hand.example", None, &[], &o).unwrap();
    ev.step().unwrap().expect("a question");
    ev.answer(None).unwrap();
    while let Some(q) = ev.step().unwrap() {
        ev.answer(Some(&Answer::new(&q.name, q.rtype, DnsResult::NxDomain).unwrap())).unwrap();
    }
    assert_eq!(ev.result().unwrap().verdict, Verdict::TempError);
}

#[test]
fn record_parse_and_format() {
    let rec = dmarc::Record::parse(
        "v=DMARC1; p=reject; sp=none; adkim=s; rua=mailto:a@example.org,mailto:b@example.net!10m; pct=20; fo=1; t=y",
    )
    .unwrap();
    let i = rec.info();
    assert_eq!((i.p, i.sp, i.np), (Some(Policy::Reject), Some(Policy::None), None));
    assert_eq!(i.policy_effective, Some(Policy::Reject));
    assert_eq!((i.adkim, i.aspf), (Alignment::Strict, Alignment::Relaxed));
    assert_eq!(i.rua, vec!["mailto:a@example.org".to_string(), "mailto:b@example.net!10m".to_string()]);
    assert!(i.ruf.is_empty());
    assert_eq!((i.pct, i.has_pct), (20, true));
    assert_eq!((i.ri, i.has_ri), (86400, false));
    assert_eq!(i.fo, "1");
    assert_eq!(i.rf, "afrf");
    assert_eq!(i.psd, Psd::Unset);
    assert!(i.testing && !i.policy_fallback);
    let text = rec.format();
    assert!(text.starts_with("v=DMARC1; p=reject"), "{text}");
    assert_eq!(dmarc::Record::parse(&text).unwrap().info(), i, "format parses back");
    assert_eq!(rec.to_string(), text);

    let fallback = dmarc::Record::parse("v=DMARC1; p=bogus; rua=mailto:a@example.org").unwrap().info();
    assert!(fallback.policy_fallback);
    assert_eq!(fallback.p, None);
    assert_eq!(fallback.policy_effective, Some(Policy::None));
    assert_eq!(dmarc::Record::parse("v=spf1 -all").unwrap_err().code(), status::ENOTFOUND);
    let e = dmarc::Record::parse("v=DMARC1; p=bogus").unwrap_err();
    assert_eq!(e.name(), "MOX_ESYNTAX");
    assert!(e.message().len() > "syntax error".len(), "{e}");
    assert_eq!(Verdict::TempError.name(), "temperror");
    assert_eq!(Policy::Quarantine.to_string(), "quarantine");
}

/// The receiver's whole path, as `mox dmarc verify` runs it: SPF for MAIL
/// FROM, DKIM for every signature, DMARC from both.
#[test]
fn receiver_path_spf_dkim_dmarc() {
    let key = Key::generate_ed25519().unwrap();
    let zone = format!(
        "{ZONE}\
example.org. 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"
sel._domainkey.example.org. 300 IN TXT {}\n",
        key.txt_record(true).unwrap()
    );
    let r = Resolver::from_zone(zone, None).unwrap();
    let body = msg_from("example.org");
    let header =
        dkim::sign(&body, &SignOptions::new("example.org", "sel", &key).with_timestamp(Timestamp::At(1_764_072_000)))
            .unwrap();
    let mut msg = header;
    msg.extend_from_slice(&body);

    let verify = |msg: &[u8], ip: &str| {
        let req = spf::Request::mail_from(ip.parse().unwrap(), "bounce@example.org", "mail.example.org")
            .with_receiver("mx.example.net");
        let s = spf::check(&r, &req).unwrap();
        let d = dkim::verify(&r, msg, &VerifyOptions::at(1_764_072_000)).unwrap();
        let inputs: Vec<DkimInput> = d.iter().map(DkimInput::from).collect();
        let m = dmarc::evaluate(&r, msg, Some(&SpfInput::from_check(&s, &req)), &inputs, &Options::new()).unwrap();
        let mut field = "Authentication-Results: mx.example.net".to_string();
        for resinfo in
            std::iter::once(&s.authres).chain(d.iter().map(|x| &x.authres)).chain(std::iter::once(&m.authres))
        {
            field.push_str(";\r\n\t");
            field.push_str(resinfo);
        }
        (s, d, m, field)
    };

    let (s, d, m, field) = verify(&msg, "192.0.2.7");
    assert_eq!(s.verdict, spf::Verdict::Pass);
    assert_eq!(d[0].verdict, dkim::Verdict::Pass);
    assert_eq!(m.verdict, Verdict::Pass);
    assert!(m.spf_aligned && m.dkim_aligned);
    assert!(field.contains("spf=pass smtp.mailfrom=bounce@example.org"), "{field}");
    assert!(field.contains("dkim=pass header.d=example.org header.s=sel"), "{field}");
    assert!(field.contains("dmarc=pass"), "{field}");

    // From elsewhere, and changed on the way: both fail, DMARC rejects.
    let changed = String::from_utf8(msg.clone()).unwrap().replace("body", "spam");
    let (s, d, m, _) = verify(changed.as_bytes(), "203.0.113.66");
    assert_eq!(s.verdict, spf::Verdict::Fail);
    assert_eq!(d[0].verdict, dkim::Verdict::Fail);
    assert_eq!(m.verdict, Verdict::Fail);
    assert!(m.reject);

    // SpfInput from a null reverse-path check is the HELO identity.
    let req = spf::Request::mail_from("192.0.2.7".parse().unwrap(), "", "mail.example.org");
    let s = spf::check(&r, &req).unwrap();
    assert!(SpfInput::from_check(&s, &req).helo);
}
