// SPDX-License-Identifier: MIT
//! DKIM: keys, sign/verify round trips with RSA and Ed25519, tampering,
//! the RFC 8463 example (fixed keys and a message signed with them),
//! options, the streaming signer and the resumable verifier, failing
//! resolvers, keys shared between threads.

use moxmail::dkim::{
    self, Canon, DkimStep, DkimVerifier, Key, KeyType, SignOptions, Timestamp, Verdict, VerifyOptions,
};
use moxmail::dns::rtype;
use moxmail::{status, Answer, DnsResult, MoxError, Resolver};

const MSG: &[u8] = b"From: Alice <alice@example.org>\r\n\
To: Bob <bob@example.net>\r\n\
Subject: Lunch\r\n\
Date: Tue, 25 Nov 2025 12:00:00 +0000\r\n\
Message-ID: <lunch-1@example.org>\r\n\
\r\n\
Shall we meet at noon?\r\n\
\r\n\
Alice\r\n";

const NOW: i64 = 1_764_072_000; // 2025-11-25 12:00:00 UTC

// RFC 8463 appendix A: the keys (A.1, A.2) and the signed example (A.3).
const RFC8463_ED25519_PEM: &str = include_str!("data/rfc8463-ed25519.pem");
const RFC8463_RSA_PEM: &str = include_str!("data/rfc8463-rsa.pem");
const RFC8463_ZONE: &str = include_str!("data/rfc8463.zone");
const RFC8463_MSG: &[u8] = include_bytes!("data/rfc8463-signed.eml");
const RFC8463_T: i64 = 1528637909;

/// A resolver publishing key at sel._domainkey.domain.
fn publish(keys: &[(&str, &str, &Key)]) -> Resolver {
    let mut zone = String::new();
    for (domain, sel, key) in keys {
        zone.push_str(&format!("{sel}._domainkey.{domain}. 300 IN TXT {}\n", key.txt_record(true).unwrap()));
    }
    Resolver::from_zone(zone, None).unwrap()
}

fn signed(header: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut m = header.to_vec();
    m.extend_from_slice(msg);
    m
}

fn round_trip(key: &Key, alg: &str) {
    let r = publish(&[("example.org", "sel", key)]);
    let opts = SignOptions::new("example.org", "sel", key).with_timestamp(Timestamp::At(NOW));
    let header = dkim::sign(MSG, &opts).unwrap();
    let text = String::from_utf8(header.clone()).unwrap();
    assert!(text.starts_with("DKIM-Signature: v=1; a="), "{text}");
    assert!(text.ends_with("\r\n"));
    assert!(text.lines().all(|l| l.len() <= 78), "folded at 78: {text}");
    assert!(text.contains(&format!("a={alg}")), "{text}");
    assert!(text.contains("t=1764072000"), "{text}");
    let msg = signed(&header, MSG);

    let res = dkim::verify(&r, &msg, &VerifyOptions::at(NOW)).unwrap();
    assert_eq!(res.len(), 1);
    let v = &res[0];
    assert_eq!(v.verdict, Verdict::Pass, "{v:?}");
    assert_eq!((v.domain.as_str(), v.selector.as_str(), v.algorithm.as_str()), ("example.org", "sel", alg));
    assert_eq!(v.identity, "@example.org");
    assert_eq!(v.reason, None);
    assert_eq!(v.offset, 0);
    assert!(!v.b.is_empty() && text.replace(['\r', '\n', ' ', '\t'], "").contains(&v.b));
    // header.b is a token unless the prefix holds a tspecial of RFC 2045
    // ('/' or '=' in base64): then a quoted-string.
    let b8 = &v.b[..8];
    let b8 = if b8.contains(['/', '=']) { format!("\"{b8}\"") } else { b8.to_string() };
    assert_eq!(v.authres, format!("dkim=pass header.d=example.org header.s=sel header.a={alg} header.b={b8}"));

    // A changed body: body hash mismatch.
    let body_changed = String::from_utf8(msg.clone()).unwrap().replace("noon", "one");
    let res = dkim::verify(&r, body_changed.as_bytes(), &VerifyOptions::at(NOW)).unwrap();
    assert_eq!(res[0].verdict, Verdict::Fail);
    assert_eq!(res[0].reason.as_deref(), Some("body hash mismatch"));
    assert!(res[0].authres.starts_with("dkim=fail ("), "{}", res[0].authres);
    // A changed signed header: the signature does not verify.
    let header_changed = String::from_utf8(msg.clone()).unwrap().replace("Subject: Lunch", "Subject: Dinner");
    let res = dkim::verify(&r, header_changed.as_bytes(), &VerifyOptions::at(NOW)).unwrap();
    assert_eq!(res[0].verdict, Verdict::Fail);
    assert_eq!(res[0].reason.as_deref(), Some("signature mismatch"));
    // An added From field (oversigned by default) breaks it too.
    let added = {
        // After the DKIM-Signature field, before the original From.
        let s = String::from_utf8(msg.clone()).unwrap();
        let at = s.find("From: Alice").unwrap();
        format!("{}From: Mallory <m@evil.example>\r\n{}", &s[..at], &s[at..])
    };
    assert_eq!(dkim::verify(&r, added.as_bytes(), &VerifyOptions::at(NOW)).unwrap()[0].verdict, Verdict::Fail);
}

#[test]
fn ed25519_round_trip() {
    let key = Key::generate_ed25519().unwrap();
    assert_eq!(key.key_type(), KeyType::Ed25519);
    assert_eq!(key.bits(), 256);
    round_trip(&key, "ed25519-sha256");
}

#[test]
fn rsa_round_trip() {
    let key = Key::generate_rsa(2048).unwrap();
    assert_eq!(key.key_type(), KeyType::Rsa);
    assert_eq!(key.bits(), 2048);
    round_trip(&key, "rsa-sha256");
}

#[test]
fn keys_pem_and_txt() {
    let ed = Key::from_pem(RFC8463_ED25519_PEM).unwrap();
    assert_eq!(ed.key_type(), KeyType::Ed25519);
    // The public key of RFC 8463's private key is the one it publishes.
    let txt = ed.txt_record(false).unwrap();
    assert_eq!(txt, "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    assert_eq!(ed.to_pem().unwrap().trim_end(), RFC8463_ED25519_PEM.trim_end());

    let rsa = Key::from_pem(RFC8463_RSA_PEM.as_bytes()).unwrap();
    assert_eq!((rsa.key_type(), rsa.bits()), (KeyType::Rsa, 1024));
    let txt = rsa.txt_record(false).unwrap();
    let p = txt.split("p=").nth(1).unwrap();
    let zone_p: String = RFC8463_ZONE
        .split("k=rsa; p=")
        .nth(1)
        .unwrap()
        .chars()
        .take_while(|c| *c != ')')
        .filter(|c| c.is_ascii_alphanumeric() || *c == '+' || *c == '/' || *c == '=')
        .collect();
    assert_eq!(p, zone_p, "RSA public key of RFC 8463 A.1");
    // PKCS#8 out, read back: the same key.
    let pem = rsa.to_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "{pem}");
    assert_eq!(Key::from_pem(&pem).unwrap().txt_record(false).unwrap(), txt);
    // Split TXT form: quoted strings of at most 255 octets.
    let big = Key::generate_rsa(2048).unwrap();
    let split = big.txt_record(true).unwrap();
    assert!(split.starts_with('"') && split.matches('"').count() >= 4, "{split}");

    let e = Key::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").unwrap_err();
    assert!(e.code() == status::ESYNTAX || e.code() == status::EUNSUPPORTED, "{e}");
    assert_eq!(Key::generate(KeyType::Rsa, 1000).unwrap_err().code(), status::EINVAL);
}

#[test]
fn rfc8463_example_verifies() {
    let r = Resolver::from_zone(RFC8463_ZONE, None).unwrap();
    let res = dkim::verify(&r, RFC8463_MSG, &VerifyOptions::at(RFC8463_T + 60)).unwrap();
    assert_eq!(res.len(), 2);
    assert_eq!(
        (res[0].verdict, res[0].selector.as_str(), res[0].algorithm.as_str()),
        (Verdict::Pass, "brisbane", "ed25519-sha256")
    );
    assert_eq!(
        (res[1].verdict, res[1].selector.as_str(), res[1].algorithm.as_str()),
        (Verdict::Pass, "test", "rsa-sha256")
    );
    for v in &res {
        assert_eq!(v.domain, "football.example.com");
        assert_eq!(v.identity, "@football.example.com");
        assert!(!v.testing && !v.has_length && !v.authentic);
    }
    assert!(res[1].offset > res[0].offset);
    // Signing the same message again with the RFC's keys gives signatures
    // that verify with the RFC's published records.
    let ed = Key::from_pem(RFC8463_ED25519_PEM).unwrap();
    let rsa = Key::from_pem(RFC8463_RSA_PEM).unwrap();
    let body_start = find(RFC8463_MSG, b"From: Joe");
    let plain = &RFC8463_MSG[body_start..];
    let h1 = dkim::sign(
        plain,
        &SignOptions::new("football.example.com", "brisbane", &ed).with_timestamp(Timestamp::At(RFC8463_T)),
    )
    .unwrap();
    let h2 = dkim::sign(
        plain,
        &SignOptions::new("football.example.com", "test", &rsa).with_timestamp(Timestamp::At(RFC8463_T)),
    )
    .unwrap();
    let msg = signed(&h2, &signed(&h1, plain));
    let res = dkim::verify(&r, &msg, &VerifyOptions::at(RFC8463_T)).unwrap();
    assert_eq!(res.iter().map(|v| v.verdict).collect::<Vec<_>>(), vec![Verdict::Pass, Verdict::Pass]);
    assert_eq!(res[0].selector, "test");
    // Ed25519 signatures are deterministic: signing twice gives the same.
    let again = dkim::sign(
        plain,
        &SignOptions::new("football.example.com", "brisbane", &ed).with_timestamp(Timestamp::At(RFC8463_T)),
    )
    .unwrap();
    assert_eq!(again, h1);
}

fn find(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).position(|w| w == needle).unwrap()
}

#[test]
fn sign_options() {
    let key = Key::generate_ed25519().unwrap();
    let r = publish(&[("example.org", "s1", &key)]);
    let opts = SignOptions::new("example.org", "s1", &key)
        .with_headers(&["From", "Subject", "X-Absent"])
        .with_oversign::<&str>(&[])
        .with_canonicalization(Canon::Simple, Canon::Simple)
        .with_identity("alice@mail.example.org")
        .with_timestamp(Timestamp::At(NOW))
        .with_expiration(3600)
        .with_body_length(true);
    let h = String::from_utf8(dkim::sign(MSG, &opts).unwrap()).unwrap();
    let flat = h.replace("\r\n", "").replace(['\t', ' '], "");
    for tag in [
        "c=simple/simple",
        "i=alice@mail.example.org",
        "t=1764072000",
        "x=1764075600",
        "h=From:Subject:X-Absent;",
        "l=",
    ] {
        assert!(flat.contains(tag), "{tag} not in {h}");
    }
    let msg = signed(h.as_bytes(), MSG);
    let strict = dkim::verify(&r, &msg, &VerifyOptions::at(NOW)).unwrap();
    assert_eq!(strict[0].verdict, Verdict::Policy, "l= is not accepted by default");
    assert!(strict[0].has_length);
    let lenient = VerifyOptions { allow_length: true, ..VerifyOptions::at(NOW) };
    let res = dkim::verify(&r, &msg, &lenient).unwrap();
    assert_eq!(res[0].verdict, Verdict::Pass);
    assert_eq!(res[0].identity, "alice@mail.example.org");
    // Expired an hour later.
    let late = dkim::verify(&r, &msg, &VerifyOptions { allow_length: true, ..VerifyOptions::at(NOW + 7200) }).unwrap();
    assert_eq!(late[0].verdict, Verdict::PermError);
    assert_eq!(late[0].reason.as_deref(), Some("signature expired"));
    let ignore = VerifyOptions { allow_length: true, ignore_expiry: true, ..VerifyOptions::at(NOW + 7200) };
    assert_eq!(dkim::verify(&r, &msg, &ignore).unwrap()[0].verdict, Verdict::Pass);

    // Without t=.
    let h = dkim::sign(MSG, &SignOptions::new("example.org", "s1", &key).with_timestamp(Timestamp::Omit)).unwrap();
    assert!(!String::from_utf8(h).unwrap().contains("t="));

    // Errors: identity outside the domain, no From field, NUL in a name.
    let e = dkim::sign(MSG, &SignOptions::new("example.org", "s1", &key).with_identity("a@other.example")).unwrap_err();
    assert_eq!(e.code(), status::EINVAL);
    let e = dkim::sign(b"Subject: x\r\n\r\nbody\r\n", &SignOptions::new("example.org", "s1", &key)).unwrap_err();
    assert_eq!(e.name(), "MOX_ESYNTAX");
    let e = dkim::sign(MSG, &SignOptions::new("exa\0mple.org", "s1", &key)).unwrap_err();
    assert_eq!(e.code(), status::ENUL);
}

#[test]
fn streaming_signer_matches_one_call() {
    let key = Key::generate_ed25519().unwrap();
    let opts = SignOptions::new("example.org", "s", &key).with_timestamp(Timestamp::At(NOW));
    let mut s = dkim::Signer::new(&opts).unwrap();
    for chunk in MSG.chunks(7) {
        s.feed(chunk).unwrap();
    }
    let streamed = s.finish().unwrap();
    assert_eq!(streamed, dkim::sign(MSG, &opts).unwrap(), "ed25519 is deterministic");
}

#[test]
fn verifier_driven_by_hand() {
    let key = Key::generate_ed25519().unwrap();
    let other = Key::generate_ed25519().unwrap();
    let h1 = dkim::sign(MSG, &SignOptions::new("example.org", "a", &key).with_timestamp(Timestamp::At(NOW))).unwrap();
    let h2 = dkim::sign(MSG, &SignOptions::new("example.net", "b", &other).with_timestamp(Timestamp::At(NOW))).unwrap();
    let msg = signed(&h2, &signed(&h1, MSG));

    let mut v = DkimVerifier::new(&VerifyOptions::at(NOW)).unwrap();
    let mut questions = Vec::new();
    let mut fed = 0;
    loop {
        match v.step().unwrap() {
            DkimStep::Done => break,
            DkimStep::Query(q) => questions.push(q),
            DkimStep::NeedData if fed < msg.len() => {
                let n = (msg.len() - fed).min(50);
                v.feed(&msg[fed..fed + n]).unwrap();
                fed += n;
            }
            DkimStep::NeedData => v.finish().unwrap(),
            DkimStep::Wait => {
                // Answer in reverse order: the key of example.org, and a
                // failed lookup for example.net.
                for q in questions.drain(..).rev() {
                    if q.name == "a._domainkey.example.org" {
                        let mut a = Answer::new(&q.name, rtype::TXT, DnsResult::Ok).unwrap();
                        a.add_txt(&q.name, 300, key.txt_record(false).unwrap().as_bytes()).unwrap();
                        v.answer(q.id, Some(&a)).unwrap();
                    } else {
                        assert_eq!(q.name, "b._domainkey.example.net");
                        v.answer(q.id, None).unwrap();
                    }
                }
            }
        }
    }
    assert_eq!(v.count(), 2);
    let res = v.results().unwrap();
    assert_eq!((res[0].verdict, res[0].domain.as_str()), (Verdict::TempError, "example.net"));
    assert_eq!((res[1].verdict, res[1].domain.as_str()), (Verdict::Pass, "example.org"));
    assert_eq!(v.result(2).unwrap_err().code(), status::ENOTFOUND);
    assert_eq!(v.finish().unwrap_err().code(), status::ESTATE);

    // No signature: done once the header is in, no results.
    let mut v = DkimVerifier::new(&VerifyOptions::default()).unwrap();
    v.feed(MSG).unwrap();
    v.finish().unwrap();
    assert_eq!(v.step().unwrap(), DkimStep::Done);
    assert_eq!(v.count(), 0);
    assert!(dkim::verify(&Resolver::new_static().unwrap(), MSG, &VerifyOptions::default()).unwrap().is_empty());
}

#[test]
fn key_lookup_failures() {
    let key = Key::generate_ed25519().unwrap();
    let msg = signed(
        &dkim::sign(MSG, &SignOptions::new("example.org", "sel", &key).with_timestamp(Timestamp::At(NOW))).unwrap(),
        MSG,
    );
    let o = VerifyOptions::at(NOW);
    // No key record: permerror.
    let res = dkim::verify(&Resolver::new_static().unwrap(), &msg, &o).unwrap();
    assert_eq!(res[0].verdict, Verdict::PermError);
    assert_eq!(res[0].reason.as_deref(), Some("no key record"));
    // DNS failure, an erroring backend and a panicking backend: temperror.
    let mut servfail = Resolver::new_static().unwrap();
    servfail.set_result("sel._domainkey.example.org", DnsResult::ServFail).unwrap();
    let erroring = Resolver::custom(|_: &str, _: u16| Err(MoxError::new(status::EDNS))).unwrap();
    let panicking = Resolver::custom(|_: &str, _: u16| -> moxmail::Result<Answer> { panic!("resolver bug") }).unwrap();
    for r in [&servfail, &erroring, &panicking] {
        let res = dkim::verify(r, &msg, &o).unwrap();
        assert_eq!(res[0].verdict, Verdict::TempError, "{res:?}");
        assert!(res[0].authres.starts_with("dkim=temperror"));
    }
    // A revoked key (empty p=).
    let revoked =
        Resolver::from_zone("sel._domainkey.example.org. 300 IN TXT \"v=DKIM1; k=ed25519; p=\"\n", None).unwrap();
    assert_eq!(dkim::verify(&revoked, &msg, &o).unwrap()[0].verdict, Verdict::PermError);
    // The key record in test mode (t=y) is reported.
    let txt = key.txt_record(false).unwrap().replace("v=DKIM1;", "v=DKIM1; t=y;");
    let testing = Resolver::from_zone(format!("sel._domainkey.example.org. 300 IN TXT \"{txt}\"\n"), None).unwrap();
    let res = dkim::verify(&testing, &msg, &o).unwrap();
    assert_eq!(res[0].verdict, Verdict::Pass);
    assert!(res[0].testing);
}

#[test]
fn keys_and_resolver_shared_between_threads() {
    let ed = Key::generate_ed25519().unwrap();
    let rsa = Key::generate_rsa(1024).unwrap();
    let r = publish(&[("example.org", "ed", &ed), ("example.org", "rsa", &rsa)]);
    std::thread::scope(|s| {
        for i in 0..4 {
            let (ed, rsa, r) = (&ed, &rsa, &r);
            s.spawn(move || {
                let (key, sel) = if i % 2 == 0 { (ed, "ed") } else { (rsa, "rsa") };
                for n in 0..20 {
                    let body = format!("From: a@example.org\r\nSubject: {i}/{n}\r\n\r\nthread {i} message {n}\r\n");
                    let h = dkim::sign(body.as_bytes(), &SignOptions::new("example.org", sel, key)).unwrap();
                    let msg = signed(&h, body.as_bytes());
                    let res = dkim::verify(r, &msg, &VerifyOptions::default()).unwrap();
                    assert_eq!(res[0].verdict, Verdict::Pass);
                    assert_eq!(res[0].selector, sel);
                }
            });
        }
    });
}
