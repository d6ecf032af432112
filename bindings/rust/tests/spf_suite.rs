// SPDX-License-Identifier: MIT
//! The openspf RFC 7208 test suite (converted into
//! tests/data/spf-rfc7208-subset.txt by tests/data/make-spf-subset.py),
//! each test run twice: through spf::check() over the in-memory resolver
//! loaded with the scenario's zone text, and through the resumable
//! SpfEval with the lookups done by the test. Both must give a verdict
//! the suite accepts, the same one, and the expected explanation.

use std::net::IpAddr;

use moxmail::spf::{self, SpfEval, Verdict};
use moxmail::Resolver;

const CASES: &str = include_str!("data/spf-rfc7208-subset.txt");

struct Case {
    id: String,
    host: String,
    mailfrom: String,
    helo: String,
    results: Vec<String>,
    explanation: Option<String>,
}

struct Scenario {
    name: String,
    zone: String,
    cases: Vec<Case>,
}

fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).expect("bad %XX"));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).expect("case value is not UTF-8")
}

fn parse() -> Vec<Scenario> {
    let mut scenarios: Vec<Scenario> = Vec::new();
    let mut case: Option<Case> = None;
    for line in CASES.lines() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let (key, val) = line.split_once(' ').unwrap_or((line, ""));
        match key {
            "scenario" => scenarios.push(Scenario { name: decode(val), zone: String::new(), cases: Vec::new() }),
            "zone" => {
                let s = scenarios.last_mut().expect("zone before scenario");
                s.zone.push_str(val);
                s.zone.push('\n');
            }
            "test" => {
                case = Some(Case {
                    id: val.to_string(),
                    host: String::new(),
                    mailfrom: String::new(),
                    helo: String::new(),
                    results: Vec::new(),
                    explanation: None,
                })
            }
            "host" => case.as_mut().unwrap().host = decode(val),
            "mailfrom" => case.as_mut().unwrap().mailfrom = decode(val),
            "helo" => case.as_mut().unwrap().helo = decode(val),
            "result" => case.as_mut().unwrap().results = val.split(' ').map(str::to_string).collect(),
            "explanation" => case.as_mut().unwrap().explanation = Some(decode(val)),
            "end" => scenarios.last_mut().unwrap().cases.push(case.take().unwrap()),
            _ => panic!("unknown line {line:?}"),
        }
    }
    scenarios
}

fn request(c: &Case) -> spf::Request {
    let ip: IpAddr = c.host.parse().unwrap_or_else(|_| panic!("{}: bad host {}", c.id, c.host));
    // The suite checks MAIL FROM, and postmaster@HELO for an empty one.
    let mut req = spf::Request::mail_from(ip, &c.mailfrom, &c.helo).with_receiver("receiver.example");
    req.now = 1_700_000_000;
    req
}

/// The same check as spf::check(), with the evaluator and blocking lookups.
fn eval(r: &Resolver, req: &spf::Request) -> spf::SpfResult {
    let mut ev = SpfEval::new(req).expect("SpfEval::new");
    let mut steps = 0;
    while let Some(q) = ev.step().expect("step") {
        steps += 1;
        assert!(steps < 200, "evaluator does not end");
        match r.lookup(&q.name, q.rtype) {
            Ok(ans) => ev.answer(Some(&ans)).expect("answer"),
            Err(_) => ev.answer(None).expect("answer none"),
        }
    }
    ev.result().expect("result")
}

#[test]
fn rfc7208_suite() {
    let scenarios = parse();
    let mut run = 0;
    let mut failures = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for s in &scenarios {
        let r = Resolver::from_zone(&s.zone, None).unwrap_or_else(|e| panic!("zone of \"{}\": {e}", s.name));
        for c in &s.cases {
            run += 1;
            let req = request(c);
            let res = spf::check(&r, &req).unwrap_or_else(|e| panic!("{}: check: {e}", c.id));
            seen.insert(res.verdict);
            let name = res.verdict.name();
            if !c.results.iter().any(|x| x == name) {
                failures.push(format!(
                    "{} ({}): got {name} (reason {:?}), want {}",
                    c.id,
                    s.name,
                    res.reason,
                    c.results.join("|")
                ));
                continue;
            }
            // Compared ignoring ASCII case: the suite writes the nibbles of
            // %{i} for IPv6 in uppercase (v-macro-ip6), RFC 7208 7.3's
            // examples in lowercase.
            if let (Some(want), Verdict::Fail) = (&c.explanation, res.verdict) {
                if !res.explanation.as_deref().map_or(false, |e| e.eq_ignore_ascii_case(want)) {
                    failures.push(format!("{}: explanation {:?}, want {want:?}", c.id, res.explanation));
                }
            }
            let ev = eval(&r, &req);
            if ev != res {
                failures.push(format!("{}: SpfEval gave {:?}, check gave {:?}", c.id, ev, res));
            }
            // The header texts name the verdict.
            assert!(res.received_spf.starts_with(name), "{}: Received-SPF {:?}", c.id, res.received_spf);
            assert!(res.authres.starts_with(&format!("spf={name}")), "{}: authres {:?}", c.id, res.authres);
        }
    }
    println!("openspf rfc7208 cases run: {run}");
    assert!(run >= 40, "only {run} cases");
    // Every verdict occurs in the suite.
    assert_eq!(seen.len(), 7, "verdicts seen: {seen:?}");
    assert!(failures.is_empty(), "{} of {run} cases failed:\n{}", failures.len(), failures.join("\n"));
}
