// SPDX-License-Identifier: MIT
//! Finds libmox-core, libmox-spf, libmox-dkim and libmox-dmarc with the
//! pkg-config program (no crates: this builds offline with a distribution's
//! cargo). `pkg-config --libs mox-core mox-spf mox-dkim mox-dmarc` gives the
//! search directories and libraries; each directory is also put into the
//! run path of the crate's test, example and benchmark programs, so that
//! they run against a library installed in a temporary prefix (for example
//! with PKG_CONFIG_SYSROOT_DIR set) without LD_LIBRARY_PATH.
//!
//! Environment: PKG_CONFIG (the program, default "pkg-config"),
//! PKG_CONFIG_PATH, PKG_CONFIG_LIBDIR, PKG_CONFIG_SYSROOT_DIR as pkg-config
//! reads them; MOXMAIL_NO_RPATH=1 leaves the run path out.

use std::env;
use std::process::Command;

const MODULES: [&str; 4] = ["mox-core", "mox-spf", "mox-dkim", "mox-dmarc"];

fn main() {
    for var in ["PKG_CONFIG", "PKG_CONFIG_PATH", "PKG_CONFIG_LIBDIR", "PKG_CONFIG_SYSROOT_DIR", "MOXMAIL_NO_RPATH"] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    println!("cargo:rerun-if-changed=build.rs");

    let program = env::var("PKG_CONFIG").unwrap_or_else(|_| "pkg-config".to_string());
    let output = Command::new(&program).arg("--libs").args(MODULES).output().unwrap_or_else(|e| {
        panic!(
            "moxmail: cannot run {program} ({e}); install pkg-config and the mox \
                 libraries, or set PKG_CONFIG"
        )
    });
    if !output.status.success() {
        panic!(
            "moxmail: `{program} --libs {}` failed: {}\nSet PKG_CONFIG_PATH to the directory \
             holding mox-core.pc (and PKG_CONFIG_SYSROOT_DIR for a DESTDIR install).",
            MODULES.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let libs = String::from_utf8(output.stdout).expect("moxmail: pkg-config output is not UTF-8");
    let rpath = env::var_os("MOXMAIL_NO_RPATH").map_or(true, |v| v.is_empty() || v == "0");
    let mut dirs: Vec<String> = Vec::new();
    for word in libs.split_whitespace() {
        if let Some(dir) = word.strip_prefix("-L") {
            if !dirs.iter().any(|d| d == dir) {
                dirs.push(dir.to_string());
                println!("cargo:rustc-link-search=native={dir}");
                if rpath {
                    println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
                }
            }
        } else if let Some(lib) = word.strip_prefix("-l") {
            println!("cargo:rustc-link-lib=dylib={lib}");
        } else if word == "-pthread" {
            // The mox libraries link their own threads library.
        } else {
            println!("cargo:warning=moxmail: ignoring pkg-config flag {word}");
        }
    }
    if let Some(dir) = dirs.first() {
        // For dependents' build scripts (DEP_MOX_CORE_LIBDIR).
        println!("cargo:libdir={dir}");
    }
}
