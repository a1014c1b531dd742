//! `fixed-page-server`: serves the captured ticket page to any client, for benches in other processes
//! (the Python peers of `scripts/bench-peers.sh`).
//!
//! ```text
//! fixed-page-server [--port N] [--file PATH]   answer every request with PATH (default: the captured page)
//! fixed-page-server capture [--out PATH]       capture a new page from the simulator's demo data
//! ```
//!
//! The first line printed is `fixed-page-server listening; base URL http://127.0.0.1:PORT/ATServicesRest/`;
//! it serves until interrupted (Ctrl-C) or terminated.

use autotask_bench_support::{fixed::FixedServer, fixture};
use std::net::SocketAddr;
use std::path::PathBuf;

const USAGE: &str = "usage: fixed-page-server [--port N] [--file PATH] | capture [--out PATH]";

fn value(args: &mut impl Iterator<Item = String>, flag: &str) -> String {
    args.next().unwrap_or_else(|| {
        eprintln!("{flag} needs a value\n{USAGE}");
        std::process::exit(2)
    })
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("capture") {
        args.next();
        let mut out = fixture::page_path();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--out" => out = PathBuf::from(value(&mut args, "--out")),
                _ => {
                    eprintln!("unknown argument {arg}\n{USAGE}");
                    std::process::exit(2);
                }
            }
        }
        let bytes = fixture::capture().await;
        std::fs::write(&out, &bytes).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
        println!("captured {} bytes to {}", bytes.len(), out.display());
        return;
    }
    let mut port = 0u16;
    let mut file = fixture::page_path();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--port" => {
                port = value(&mut args, "--port").parse().unwrap_or_else(|_| {
                    eprintln!("--port needs a number\n{USAGE}");
                    std::process::exit(2)
                })
            }
            "--file" => file = PathBuf::from(value(&mut args, "--file")),
            _ => {
                eprintln!("unknown argument {arg}\n{USAGE}");
                std::process::exit(2);
            }
        }
    }
    let body = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let server = FixedServer::start(body.into(), SocketAddr::from(([127, 0, 0, 1], port)))
        .await
        .expect("binds");
    println!(
        "fixed-page-server listening; base URL {}",
        server.base_url()
    );
    tokio::signal::ctrl_c().await.expect("waits for Ctrl-C");
    server.shutdown().await;
}
