// SPDX-License-Identifier: MIT
//! DKIM verification throughput through the Rust bindings, the Rust half
//! of tests/bench/run-bench-rust.sh (tests/bench/bench_dkim_verify_c.c is
//! the C half: the same calls on the same material).
//!
//!   bench_dkim_verify --prepare DIR   write the material: zone.txt (the
//!                                     keys' TXT records), rsa2048.eml and
//!                                     ed25519.eml (a 2 KB message signed
//!                                     with a 2048-bit RSA key and with an
//!                                     Ed25519 key), now.txt (signing time)
//!   bench_dkim_verify DIR LOOPS       verify each message LOOPS times with
//!                                     dkim::verify() over an in-memory
//!                                     resolver holding zone.txt
//!
//! Output of a run, one line per message:
//!   rust rsa2048: LOOPS verifications in SECONDS s: RATE/s
//! Every verification must pass (exit 1 otherwise).

use std::fs;
use std::path::Path;
use std::process::exit;
use std::time::Instant;

use moxmail::dkim::{self, Key, SignOptions, Timestamp, Verdict, VerifyOptions};
use moxmail::Resolver;

const DOMAIN: &str = "example.org";
const NOW: i64 = 1_764_072_000;
const KINDS: [&str; 2] = ["rsa2048", "ed25519"];

/// A message of about 2 KB: common header fields and a plain text body.
fn message() -> Vec<u8> {
    let mut m = String::new();
    m.push_str("From: Alice Example <alice@example.org>\r\n");
    m.push_str("To: Bob Example <bob@example.net>\r\n");
    m.push_str("Cc: Carol <carol@example.net>\r\n");
    m.push_str("Subject: Quarterly report draft for review\r\n");
    m.push_str("Date: Tue, 25 Nov 2025 12:00:00 +0000\r\n");
    m.push_str("Message-ID: <bench-2kb-0001@example.org>\r\n");
    m.push_str("MIME-Version: 1.0\r\n");
    m.push_str("Content-Type: text/plain; charset=utf-8\r\n");
    m.push_str("Content-Transfer-Encoding: 7bit\r\n");
    m.push_str("\r\n");
    let mut n = 0;
    while m.len() < 2000 {
        n += 1;
        m.push_str(&format!("Line {n:02} of the report: figures, notes and remarks   for review.\r\n"));
    }
    m.into_bytes()
}

fn die(msg: &str) -> ! {
    eprintln!("bench_dkim_verify: {msg}");
    exit(1)
}

fn prepare(dir: &Path) {
    fs::create_dir_all(dir).unwrap_or_else(|e| die(&format!("{}: {e}", dir.display())));
    let msg = message();
    let mut zone = String::new();
    for kind in KINDS {
        let key = if kind == "rsa2048" { Key::generate_rsa(2048) } else { Key::generate_ed25519() }
            .unwrap_or_else(|e| die(&format!("key: {e}")));
        zone.push_str(&format!("{kind}._domainkey.{DOMAIN}. 300 IN TXT {}\n", key.txt_record(true).unwrap()));
        let opts = SignOptions::new(DOMAIN, kind, &key).with_timestamp(Timestamp::At(NOW));
        let mut signed = dkim::sign(&msg, &opts).unwrap_or_else(|e| die(&format!("sign: {e}")));
        signed.extend_from_slice(&msg);
        fs::write(dir.join(format!("{kind}.eml")), signed).unwrap();
    }
    fs::write(dir.join("zone.txt"), zone).unwrap();
    fs::write(dir.join("now.txt"), format!("{NOW}\n")).unwrap();
}

fn run(dir: &Path, loops: u64) {
    let zone = fs::read(dir.join("zone.txt")).unwrap_or_else(|e| die(&format!("zone.txt: {e}")));
    let now: i64 = fs::read_to_string(dir.join("now.txt")).unwrap().trim().parse().unwrap();
    let r = Resolver::from_zone(zone, None).unwrap_or_else(|e| die(&format!("zone: {e}")));
    let opts = VerifyOptions::at(now);
    for kind in KINDS {
        let msg = fs::read(dir.join(format!("{kind}.eml"))).unwrap();
        let verify = || {
            let res = dkim::verify(&r, &msg, &opts).unwrap_or_else(|e| die(&format!("verify: {e}")));
            if res.len() != 1 || res[0].verdict != Verdict::Pass {
                die(&format!("{kind}: not a pass: {res:?}"));
            }
        };
        for _ in 0..loops.min(50) {
            verify();
        }
        let start = Instant::now();
        for _ in 0..loops {
            verify();
        }
        let secs = start.elapsed().as_secs_f64();
        println!("rust {kind}: {loops} verifications in {secs:.3} s: {:.1}/s", loops as f64 / secs);
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.as_slice() {
        [_, flag, dir] if flag == "--prepare" => prepare(Path::new(dir)),
        [_, dir, loops] => run(Path::new(dir), loops.parse().unwrap_or_else(|_| die("LOOPS is a number"))),
        _ => {
            eprintln!("usage: bench_dkim_verify --prepare DIR | bench_dkim_verify DIR LOOPS");
            exit(2)
        }
    }
}
