// SPDX-License-Identifier: MIT
//! SPF beyond the openspf suite: record parsing and formatting, the
//! header texts, HELO checks, the evaluator's state rules, custom
//! resolvers that fail or panic.

use moxmail::dns::rtype;
use moxmail::spf::{self, Identity, SpfEval, TermKind, Verdict};
use moxmail::{status, Answer, DnsResult, MoxError, Resolver};

const ZONE: &str = "\
example.org.         300 IN TXT \"v=spf1 ip4:192.0.2.0/24 include:_spf.example.net -all\"
_spf.example.net.    300 IN TXT \"v=spf1 a:out.example.net ~all\"
out.example.net.     300 IN A   198.51.100.20
mx.example.org.      300 IN TXT \"v=spf1 a -all\"
mx.example.org.      300 IN A   192.0.2.25
exp.example.com.     300 IN TXT \"v=spf1 -all exp=why.example.com\"
why.example.com.     300 IN TXT \"%{i} is not one of %{d}'s designated mail servers.\"
";

fn ip(s: &str) -> std::net::IpAddr {
    s.parse().unwrap()
}

#[test]
fn record_parse_terms_and_format() {
    let r = spf::Record::parse("v=spf1  +ip4:192.0.2.0/24 ip6:2001:DB8:0:0::/32 a mx:mail.example.org/28 ~include:x.example ?all redirect=y.example foo=bar").unwrap();
    let terms = r.terms();
    assert_eq!(r.len(), terms.len());
    let kinds: Vec<TermKind> = terms.iter().map(|t| t.kind).collect();
    assert_eq!(
        kinds,
        vec![
            TermKind::Ip4,
            TermKind::Ip6,
            TermKind::A,
            TermKind::Mx,
            TermKind::Include,
            TermKind::All,
            TermKind::Redirect,
            TermKind::UnknownModifier
        ]
    );
    assert_eq!(terms[0].qualifier, Some('+'));
    assert!(terms[0].explicit_qualifier);
    assert_eq!(terms[0].ip, Some(ip("192.0.2.0")));
    assert_eq!(terms[0].cidr4, 24);
    assert_eq!(terms[0].offset, 8);
    assert_eq!(terms[1].cidr6, 32);
    assert_eq!(terms[2].qualifier, Some('+'));
    assert!(!terms[2].explicit_qualifier);
    assert_eq!(terms[3].domain_spec.as_deref(), Some("mail.example.org"));
    assert_eq!(terms[3].cidr4, 28);
    assert_eq!(terms[4].qualifier, Some('~'));
    assert_eq!(terms[6].qualifier, None);
    assert_eq!(terms[7].name.as_deref(), Some("foo"));
    assert_eq!(terms[7].domain_spec.as_deref(), Some("bar"));
    assert_eq!(terms[4].text, "~include:x.example");
    // Canonical form: single spaces, implicit '+', RFC 5952 IPv6.
    let text = r.format();
    assert_eq!(text, r.to_string());
    assert!(text.starts_with("v=spf1 +ip4:192.0.2.0/24 ip6:2001:db8::/32 a mx:"), "{text}");
    let again = spf::Record::parse(&text).unwrap();
    assert_eq!(again.format(), text);
    assert_eq!(again.terms(), spf::Record::parse(text.as_bytes()).unwrap().terms());
}

#[test]
fn record_parse_errors() {
    let e = spf::Record::parse("v=spf1 ip4:192.0.2.0/24 frobnicate -all").unwrap_err();
    assert_eq!(e.code(), status::ESYNTAX);
    assert_eq!(e.name(), "MOX_ESYNTAX");
    assert!(e.message().contains("offset 24"), "{e}");
    assert_eq!(spf::Record::parse("v=DKIM1; p=abc").unwrap_err().code(), status::ENOTFOUND);
    assert_eq!(spf::Record::parse(b"v=spf1 a\0 -all").unwrap_err().code(), status::ENUL);
    assert_eq!(spf::Record::parse("v=spf1 redirect=a.example redirect=b.example").unwrap_err().code(), status::ESYNTAX);
    assert!(spf::Record::parse("v=spf1").unwrap().is_empty());
}

#[test]
fn check_pass_fail_and_header_texts() {
    let r = Resolver::from_zone(ZONE, None).unwrap();
    let req = spf::Request::mail_from(ip("198.51.100.20"), "alice@example.org", "out.example.net")
        .with_receiver("mx.receiver.example");
    let res = spf::check(&r, &req).unwrap();
    // The include's a: mechanism matches: a pass of the include is a match
    // of "include" (RFC 7208 5.2), whatever the included record's ~all.
    assert_eq!(res.verdict, Verdict::Pass);
    assert_eq!(res.domain, "example.org");
    assert_eq!(res.checked, "alice@example.org");
    assert_eq!(res.identity, Identity::MailFrom);
    assert_eq!(res.mechanism.as_deref(), Some("include:_spf.example.net"));
    assert_eq!(res.mechanism_domain.as_deref(), Some("example.org"));
    assert_eq!(res.dns_terms, 2);
    assert_eq!(res.queries, 3);
    assert!(!res.authentic);
    assert!(res.received_spf.starts_with("pass "), "{}", res.received_spf);
    for part in ["client-ip=198.51.100.20", "envelope-from=\"alice@example.org\"", "receiver=mx.receiver.example"] {
        assert!(res.received_spf.contains(part), "{part} not in {}", res.received_spf);
    }
    assert_eq!(res.authres, "spf=pass smtp.mailfrom=alice@example.org");

    let fail = spf::check(&r, &spf::Request::mail_from(ip("203.0.113.9"), "bob@example.org", "x.example")).unwrap();
    assert_eq!(fail.verdict, Verdict::Fail);
    assert_eq!(fail.mechanism.as_deref(), Some("-all"));

    let exp = spf::check(&r, &spf::Request::mail_from(ip("203.0.113.9"), "c@exp.example.com", "x.example")).unwrap();
    assert_eq!(exp.verdict, Verdict::Fail);
    assert_eq!(
        exp.explanation.as_deref(),
        Some("203.0.113.9 is not one of exp.example.com's designated mail servers.")
    );
    let mut no_exp = spf::Request::mail_from(ip("203.0.113.9"), "c@exp.example.com", "x.example");
    no_exp.explanation = false;
    assert_eq!(spf::check(&r, &no_exp).unwrap().explanation, None);

    let none = spf::check(&r, &spf::Request::mail_from(ip("192.0.2.1"), "d@nothing.example", "x.example")).unwrap();
    assert_eq!(none.verdict, Verdict::None);
    assert!(none.reason.is_some());
}

#[test]
fn helo_and_null_sender() {
    let r = Resolver::from_zone(ZONE, None).unwrap();
    let helo = spf::check(&r, &spf::Request::helo(ip("192.0.2.25"), "mx.example.org")).unwrap();
    assert_eq!(helo.verdict, Verdict::Pass);
    assert_eq!(helo.identity, Identity::Helo);
    assert_eq!(helo.checked, "postmaster@mx.example.org");
    assert_eq!(helo.authres, "spf=pass smtp.helo=mx.example.org");
    let null = spf::check(&r, &spf::Request::mail_from(ip("192.0.2.26"), "", "mx.example.org")).unwrap();
    assert_eq!(null.verdict, Verdict::Fail);
    assert_eq!(null.checked, "postmaster@mx.example.org");
}

#[test]
fn verdict_names() {
    for (v, n) in [
        (Verdict::None, "none"),
        (Verdict::Neutral, "neutral"),
        (Verdict::Pass, "pass"),
        (Verdict::Fail, "fail"),
        (Verdict::SoftFail, "softfail"),
        (Verdict::TempError, "temperror"),
        (Verdict::PermError, "permerror"),
    ] {
        assert_eq!(v.name(), n);
        assert_eq!(v.to_string(), n);
        assert_eq!(n.to_uppercase().parse::<Verdict>().unwrap(), v);
    }
    assert_eq!("maybe".parse::<Verdict>().unwrap_err().code(), status::ESYNTAX);
}

#[test]
fn nul_in_request_is_an_error() {
    let r = Resolver::new_static().unwrap();
    let e = spf::check(&r, &spf::Request::mail_from(ip("192.0.2.1"), "a\0b@example.org", "h.example")).unwrap_err();
    assert_eq!(e.name(), "MOX_ENUL");
}

#[test]
fn evaluator_driven_by_hand() {
    // No resolver: the test answers each question itself.
    let req = spf::Request::mail_from(ip("192.0.2.77"), "x@hand.example", "h.example");
    let mut ev = SpfEval::new(&req).unwrap();
    let q = ev.step().unwrap().expect("a question");
    assert_eq!((q.name.as_str(), q.rtype), ("hand.example", rtype::TXT));
    // Stepping again before answering is a state error.
    assert_eq!(ev.step().unwrap_err().code(), status::ESTATE);
    // An answer of another type is refused; the question stays.
    let wrong = Answer::new("hand.example", rtype::A, DnsResult::NxDomain).unwrap();
    assert_eq!(ev.answer(Some(&wrong)).unwrap_err().code(), status::EINVAL);
    let mut ans = Answer::new("hand.example", rtype::TXT, DnsResult::Ok).unwrap();
    ans.add_txt("hand.example", 300, b"v=spf1 ip4:192.0.2.77 -all").unwrap();
    ans.set_secure(true);
    ev.answer(Some(&ans)).unwrap();
    assert_eq!(ev.step().unwrap(), None);
    let res = ev.result().unwrap();
    assert_eq!(res.verdict, Verdict::Pass);
    assert!(res.authentic, "the only answer was authentic");
    assert_eq!(res.queries, 1);
    // Answering when nothing is asked is a state error.
    assert_eq!(ev.answer(Some(&ans)).unwrap_err().code(), status::ESTATE);

    // A lookup that failed without an answer is a temporary error.
    let mut ev = SpfEval::new(&req).unwrap();
    assert!(ev.step().unwrap().is_some());
    assert_eq!(ev.result().unwrap_err().code(), status::ESTATE, "no result before done");
    ev.answer(None).unwrap();
    assert_eq!(ev.step().unwrap(), None);
    assert_eq!(ev.result().unwrap().verdict, Verdict::TempError);
}

#[test]
fn failing_and_panicking_resolvers_give_temperror() {
    let erroring = Resolver::custom(|_: &str, _: u16| Err(MoxError::new(status::EDNS))).unwrap();
    let panicking =
        Resolver::custom(|name: &str, _: u16| -> moxmail::Result<Answer> { panic!("no DNS for {name}") }).unwrap();
    let timing_out = Resolver::custom(|name: &str, t: u16| Answer::new(name, t, DnsResult::Timeout)).unwrap();
    let req = spf::Request::mail_from(ip("192.0.2.1"), "a@example.org", "h.example");
    for r in [&erroring, &panicking, &timing_out] {
        let res = spf::check(r, &req).unwrap();
        assert_eq!(res.verdict, Verdict::TempError);
        assert!(res.reason.is_some());
        assert!(res.authres.starts_with("spf=temperror ("), "{}", res.authres);
    }
    // A backend that says the name cannot be asked (MOX_EINVAL): the name
    // cannot exist, which is not a temporary error: for the checked domain
    // itself RFC 7208 4.3 says none.
    let refusing = Resolver::custom(|_: &str, _: u16| Err(MoxError::new(status::EINVAL))).unwrap();
    let res = spf::check(&refusing, &req).unwrap();
    assert_eq!(res.verdict, Verdict::None, "{res:?}");
    assert_eq!(res.reason.as_deref(), Some("domain is not a valid domain name"), "{res:?}");
}

#[test]
fn checks_share_a_resolver_across_threads() {
    let r = Resolver::from_zone(ZONE, None).unwrap();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let r = &r;
                s.spawn(move || {
                    let host = if i % 2 == 0 { "192.0.2.9" } else { "203.0.113.9" };
                    let req = spf::Request::mail_from(ip(host), "a@example.org", "h.example");
                    (0..100).map(|_| spf::check(r, &req).unwrap().verdict).collect::<Vec<_>>()
                })
            })
            .collect();
        for (i, h) in handles.into_iter().enumerate() {
            let want = if i % 2 == 0 { Verdict::Pass } else { Verdict::Fail };
            assert!(h.join().unwrap().iter().all(|v| *v == want));
        }
    });
}
