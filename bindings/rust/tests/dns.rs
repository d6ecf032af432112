// SPDX-License-Identifier: MIT
//! The resolver: zone text, records, forced outcomes, answers built by
//! hand or from wire format, custom backends (closures, errors, panics),
//! logging, libunbound options, and sharing across threads.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use moxmail::dns::{rtype, LogLevel, UnboundOptions};
use moxmail::{status, Answer, DnsResult, MoxError, Resolver};

const ZONE: &str = "\
$ORIGIN example.org.
$TTL 300
@           IN A     192.0.2.10
            IN AAAA  2001:db8::10
            IN MX    10 mx.example.org.
            IN TXT   \"v=spf1 mx -all\"
mx          IN A     192.0.2.25
www         IN CNAME web
web         IN A     192.0.2.80
long        IN TXT   \"part one \" \"part two\"
$SERVFAIL broken.example.org.
$AUTHENTIC yes
signed      IN A     192.0.2.99
";

fn zone() -> Resolver {
    Resolver::from_zone(ZONE, None).expect("zone loads")
}

#[test]
fn static_zone_lookups() {
    let r = zone();
    let a = r.lookup("example.org", rtype::A).unwrap();
    assert_eq!(a.result(), DnsResult::Ok);
    assert_eq!(a.rcode(), 0);
    assert_eq!(a.qname(), "example.org");
    assert_eq!(a.qtype(), rtype::A);
    let recs = a.records();
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].ip, Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10))));
    assert_eq!(recs[0].rdata, vec![192, 0, 2, 10]);
    assert_eq!(recs[0].ttl, 300);
    assert!(recs[0].line.contains("192.0.2.10"), "{}", recs[0].line);
    assert!(!a.secure());

    let mx = r.lookup("example.org.", rtype::MX).unwrap();
    let m = &mx.records()[0];
    assert_eq!((m.preference, m.target.as_deref()), (10, Some("mx.example.org")));

    let txt = r.lookup("long.example.org", rtype::TXT).unwrap();
    assert_eq!(txt.txt(), vec![b"part one part two".to_vec()]);
    assert_eq!(txt.records()[0].strings, vec![b"part one ".to_vec(), b"part two".to_vec()]);

    let www = r.lookup("www.example.org", rtype::A).unwrap();
    assert_eq!(www.cnames(), vec!["web.example.org".to_string()]);
    assert_eq!(www.canonname(), "web.example.org");
    assert_eq!(www.records()[0].ip, Some("192.0.2.80".parse().unwrap()));

    assert_eq!(r.lookup("nowhere.example.org", rtype::A).unwrap().result(), DnsResult::NxDomain);
    let nodata = r.lookup("mx.example.org", rtype::TXT).unwrap();
    assert_eq!(nodata.result(), DnsResult::NoData);
    assert!(nodata.is_empty());
    assert_eq!(r.lookup("broken.example.org", rtype::TXT).unwrap().result(), DnsResult::ServFail);
    assert!(r.lookup("signed.example.org", rtype::A).unwrap().secure());
}

#[test]
fn zone_syntax_error_names_the_line() {
    let err = Resolver::from_zone("a.example. 300 IN A 192.0.2.1\nb.example. 300 IN A 1.2.3\n", None).unwrap_err();
    assert_eq!(err.code(), status::ESYNTAX);
    assert_eq!(err.name(), "MOX_ESYNTAX");
    assert!(err.message().contains("line 2"), "{err}");
    assert!(err.to_string().starts_with("MOX_ESYNTAX: "), "{err}");
}

#[test]
fn records_and_forced_outcomes() {
    let mut r = Resolver::new_static().unwrap();
    assert_eq!(r.lookup("host.example", rtype::A).unwrap().result(), DnsResult::NxDomain);
    r.add_record("host.example", rtype::A, 60, &[198, 51, 100, 7], true).unwrap();
    let a = r.lookup("host.example", rtype::A).unwrap();
    assert_eq!(a.records()[0].ip, Some("198.51.100.7".parse().unwrap()));
    assert!(a.secure());
    // rdata that does not decode for its type
    assert_eq!(r.add_record("bad.example", rtype::A, 60, &[1, 2, 3], false).unwrap_err().code(), status::EINVAL);

    r.set_result("host.example", DnsResult::Timeout).unwrap();
    let t = r.lookup("host.example", rtype::A).unwrap();
    assert_eq!(t.result(), DnsResult::Timeout);
    r.set_result("host.example", DnsResult::Ok).unwrap();
    assert_eq!(r.lookup("host.example", rtype::A).unwrap().result(), DnsResult::Ok);

    r.load_zone("sub 300 IN TXT \"hello\"\n", Some("example.net")).unwrap();
    assert_eq!(r.lookup("sub.example.net", rtype::TXT).unwrap().txt(), vec![b"hello".to_vec()]);

    let path = std::env::temp_dir().join(format!("moxmail-zone-{}.txt", std::process::id()));
    std::fs::write(&path, "file.example. 300 IN A 203.0.113.5\n").unwrap();
    r.load_zone_file(&path, None).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!(r.lookup("file.example", rtype::A).unwrap().result(), DnsResult::Ok);
    let err = r.load_zone_file("/nonexistent/zone.txt", None).unwrap_err();
    assert_eq!(err.name(), "MOX_EIO");
    assert!(err.message().contains("/nonexistent/zone.txt"), "{err}");
}

#[test]
fn bad_names_are_errors_not_answers() {
    let r = zone();
    let long = format!("{}.example", "a".repeat(64));
    assert_eq!(r.lookup(&long, rtype::A).unwrap_err().code(), status::EINVAL);
    let err = r.lookup("nul\0.example", rtype::A).unwrap_err();
    assert_eq!(err.name(), "MOX_ENUL");
}

#[test]
fn answers_built_by_hand() {
    let mut a = Answer::new("example.com", rtype::TXT, DnsResult::Ok).unwrap();
    a.add_txt("example.com", 120, &[b'x'; 300]).unwrap();
    a.add_txt("example.com", 60, b"").unwrap();
    a.set_secure(true);
    assert_eq!(a.len(), 2);
    assert_eq!(a.txt(), vec![vec![b'x'; 300], Vec::new()]);
    assert_eq!(a.records()[0].strings.len(), 2, "300 octets are two strings");
    assert!(a.secure());
    assert_eq!(a.ttl(), 60);

    let mut c = Answer::new("alias.example.com", rtype::A, DnsResult::Ok).unwrap();
    c.add_name("alias.example.com", rtype::CNAME, 300, "target.example.com").unwrap();
    c.add_ip("target.example.com", 300, "192.0.2.1".parse().unwrap()).unwrap();
    assert_eq!(c.canonname(), "target.example.com");
    assert_eq!(c.cnames(), vec!["target.example.com".to_string()]);
    // A record of another type at the canonical name is refused.
    assert_eq!(c.add_ip("target.example.com", 300, "2001:db8::1".parse().unwrap()).unwrap_err().code(), status::EINVAL);

    let empty = Answer::new("x.example", rtype::MX, DnsResult::Ok).unwrap();
    assert_eq!(empty.result(), DnsResult::NoData, "ok without records is nodata");
    let nx = Answer::new("x.example", rtype::MX, DnsResult::NxDomain).unwrap();
    assert_eq!((nx.result(), nx.rcode()), (DnsResult::NxDomain, 3));
    let refused = Answer::with_rcode("x.example", rtype::MX, DnsResult::Error, 5).unwrap();
    assert_eq!(refused.rcode(), 5);
}

/// A DNS response in wire format: header, question, one answer record.
fn wire_response(qname: &str, qtype: u16, ip: [u8; 4]) -> Vec<u8> {
    let mut m = vec![0x12, 0x34, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0];
    for label in qname.split('.') {
        m.push(label.len() as u8);
        m.extend_from_slice(label.as_bytes());
    }
    m.push(0);
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&[0, 1]);
    m.extend_from_slice(&[0xc0, 12]); // the question's name
    m.extend_from_slice(&qtype.to_be_bytes());
    m.extend_from_slice(&[0, 1, 0, 0, 0x0e, 0x10, 0, 4]);
    m.extend_from_slice(&ip);
    m
}

#[test]
fn answers_from_wire_format() {
    let a = Answer::from_wire(&wire_response("www.example.com", rtype::A, [192, 0, 2, 44]), true).unwrap();
    assert_eq!(a.result(), DnsResult::Ok);
    assert_eq!(a.qname(), "www.example.com");
    assert!(a.secure());
    assert_eq!(a.records()[0].ip, Some("192.0.2.44".parse().unwrap()));
    assert_eq!(a.records()[0].ttl, 3600);
    let err = Answer::from_wire(&[1, 2, 3], false).unwrap_err();
    assert_eq!(err.code(), status::ESYNTAX);
}

#[test]
fn custom_backend_closure() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    let r = Resolver::custom(move |name: &str, t: u16| {
        seen.fetch_add(1, Ordering::SeqCst);
        if name == "fail.example" {
            return Err(MoxError::new(status::EDNS));
        }
        let mut a = Answer::new(name, t, DnsResult::Ok)?;
        if t == rtype::TXT {
            a.add_txt(name, 60, format!("asked {name}").as_bytes())?;
        }
        Ok(a)
    })
    .unwrap();
    let a = r.lookup("q.example", rtype::TXT).unwrap();
    assert_eq!(a.txt(), vec![b"asked q.example".to_vec()]);
    assert_eq!(r.lookup("q.example", rtype::A).unwrap().result(), DnsResult::NoData);
    assert_eq!(r.lookup("fail.example", rtype::A).unwrap_err().code(), status::EDNS);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
}

struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

struct Table {
    _guard: Counted,
}

impl moxmail::dns::Backend for Table {
    fn lookup(&self, name: &str, t: u16) -> moxmail::Result<Answer> {
        if name == "panic.example" {
            panic!("backend panics for {name}");
        }
        if name == "wrongtype.example" {
            return Answer::new(name, rtype::MX, DnsResult::Ok);
        }
        Answer::new(name, t, DnsResult::NxDomain)
    }
}

#[test]
fn custom_backend_trait_panic_and_drop() {
    let dropped = Arc::new(AtomicUsize::new(0));
    {
        let r = Resolver::custom(Table { _guard: Counted(dropped.clone()) }).unwrap();
        // A panic does not cross into C: the lookup fails with MOX_EDNS.
        let err = r.lookup("panic.example", rtype::A).unwrap_err();
        assert_eq!(err.name(), "MOX_EDNS");
        // The resolver still works afterwards.
        assert_eq!(r.lookup("ok.example", rtype::A).unwrap().result(), DnsResult::NxDomain);
        // An answer of another type than asked becomes SERVFAIL.
        assert_eq!(r.lookup("wrongtype.example", rtype::A).unwrap().result(), DnsResult::ServFail);
        assert_eq!(dropped.load(Ordering::SeqCst), 0);
    }
    assert_eq!(dropped.load(Ordering::SeqCst), 1, "the backend is dropped with the resolver");
}

#[test]
fn log_callback() {
    let lines = Arc::new(Mutex::new(Vec::<(LogLevel, String)>::new()));
    let sink = lines.clone();
    // The custom backend goes through the generic query path, which logs
    // each question at trace level.
    let mut r = Resolver::custom(|name: &str, t: u16| Answer::new(name, t, DnsResult::NxDomain)).unwrap();
    r.set_log(LogLevel::Trace, move |level, msg| sink.lock().unwrap().push((level, msg.to_string())));
    r.lookup("mx.example.org", rtype::A).unwrap();
    r.clear_log();
    r.lookup("web.example.org", rtype::A).unwrap();
    let lines = lines.lock().unwrap();
    assert!(lines.iter().any(|(l, m)| *l == LogLevel::Trace && m.contains("mx.example.org")), "{lines:?}");
    assert!(!lines.iter().any(|(_, m)| m.contains("web.example.org")), "logged after clear_log: {lines:?}");
    assert!(lines.iter().all(|(l, _)| *l <= LogLevel::Trace));
}

#[test]
fn unbound_options_are_checked() {
    let err = Resolver::unbound(&UnboundOptions::resolv_conf("/nonexistent/resolv.conf")).unwrap_err();
    assert!(err.code() < 0);
    assert!(err.message().contains("/nonexistent/resolv.conf"), "{err}");
    let err = Resolver::unbound(&UnboundOptions::forward(&["not an address"])).unwrap_err();
    assert!(err.code() < 0, "{err}");
    let err = Resolver::unbound(&UnboundOptions {
        trust_anchor_file: Some("/nonexistent/root.key".into()),
        ..UnboundOptions::forward(&["127.0.0.1"])
    })
    .unwrap_err();
    assert!(err.message().contains("/nonexistent/root.key"), "{err}");
}

#[test]
fn unbound_forwarder_that_does_not_answer() {
    // A UDP socket that never answers: the question times out (or fails)
    // within the configured timeout, offline.
    let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = sock.local_addr().unwrap().port();
    let mut opts = UnboundOptions::forward(&[format!("127.0.0.1@{port}")]);
    opts.timeout = Some(Duration::from_millis(300));
    opts.unbound_options.push("do-not-query-localhost: no".to_string());
    let r = Resolver::unbound(&opts).unwrap();
    let start = Instant::now();
    let a = r.lookup("example.com", rtype::A).unwrap();
    assert!(matches!(a.result(), DnsResult::Timeout | DnsResult::ServFail), "{a:?}");
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());
    drop(sock);
}

#[test]
fn shared_between_threads() {
    let r = zone();
    std::thread::scope(|s| {
        for i in 0..4 {
            let r = &r;
            s.spawn(move || {
                for _ in 0..200 {
                    let name = if i % 2 == 0 { "mx.example.org" } else { "web.example.org" };
                    let a = r.lookup(name, rtype::A).unwrap();
                    assert_eq!(a.result(), DnsResult::Ok);
                }
            });
        }
    });
    // A resolver and an answer move to another thread.
    let a = r.lookup("example.org", rtype::TXT).unwrap();
    let (r, a) = std::thread::spawn(move || {
        assert_eq!(a.txt(), vec![b"v=spf1 mx -all".to_vec()]);
        (r, a)
    })
    .join()
    .unwrap();
    drop((r, a));
}

#[test]
fn type_names_and_version() {
    assert_eq!(moxmail::dns::type_name(rtype::TXT).as_deref(), Some("TXT"));
    assert_eq!(moxmail::dns::type_parse("tlsa").unwrap(), rtype::TLSA);
    assert_eq!(moxmail::dns::type_parse("TYPE65").unwrap(), 65);
    assert_eq!(moxmail::dns::type_parse("NOPE").unwrap_err().code(), status::ESYNTAX);
    assert_eq!(DnsResult::NxDomain.name(), "nxdomain");
    let v = moxmail::version();
    let n = moxmail::version_number();
    assert_eq!(v, format!("{}.{}.{}", n >> 16, (n >> 8) & 0xff, n & 0xff));
}

#[test]
fn thread_traits() {
    fn send_sync<T: Send + Sync>() {}
    fn send<T: Send>() {}
    send_sync::<Resolver>();
    send_sync::<Answer>();
    send_sync::<moxmail::spf::Record>();
    send_sync::<moxmail::dkim::Key>();
    send_sync::<moxmail::dmarc::Record>();
    send_sync::<moxmail::dmarc::Psl>();
    send_sync::<MoxError>();
    send::<moxmail::spf::SpfEval>();
    send::<moxmail::dkim::DkimVerifier>();
    send::<moxmail::dkim::Signer<'static>>();
    send::<moxmail::dmarc::DmarcEval<'static>>();
}
