//! Rounds of side-by-side measurements: every case runs once per round, cases interleaved, so a change
//! in the machine's load hits them alike. Reports min and median per case, records/s and the ratio to a
//! named baseline (medians), with the load average at the start and the end.
//!
//! `BENCH_ROUNDS=n` changes the number of rounds (at least 3 are reported as figures); `BENCH_CASES`
//! picks cases ([`enabled`]). With
//! `BENCH_JSON=path`, every sample is also appended to `path` as one JSON line
//! (`{"side":"rust","bench":..,"case":..,"round":..,"records":..,"seconds":..}`), which
//! `scripts/bench_peers.py` merges with the Python side's; `BENCH_ROUND=k` numbers the first round `k`
//! there (the peers script runs one round at a time).

use serde_json::json;
use std::io::Write;
use std::time::Duration;

/// The 1-, 5- and 15-minute load averages (`/proc/loadavg`), or `?` where there is none.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// The process's peak resident memory so far (`VmHWM` in `/proc/self/status`), e.g. `18.4 MiB`, or `?`.
/// Run one case alone (`BENCH_CASES`) against an external server to read a case's own peak.
pub fn peak_rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
            let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!("{:.1} MiB", kib / 1024.0))
        })
        .unwrap_or_else(|| "?".into())
}

/// Whether `case` runs: `BENCH_CASES` (comma-separated parts of case names, e.g. `sdk` to profile the
/// SDK's cases alone) names it, or is unset.
pub fn enabled(case: &str) -> bool {
    match std::env::var("BENCH_CASES") {
        Ok(cases) => cases
            .split(',')
            .map(str::trim)
            .any(|part| !part.is_empty() && case.contains(part)),
        Err(_) => true,
    }
}

/// Whether the bench runs as a smoke test: `cargo bench` passes `--bench` to a bench binary, `cargo test
/// --benches` (or `--all-targets`) does not. A smoke run does one quick round on small data, every
/// case's result still checked, so that a test run exercises the benches without taking minutes. Run
/// a bench binary directly (e.g. under a profiler) with `--bench` to measure.
pub fn smoke() -> bool {
    !std::env::args().any(|arg| arg == "--bench")
}

/// `BENCH_ROUNDS`, else `default` (1 in a [`smoke`] run).
pub fn rounds(default: usize) -> usize {
    std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke() { 1 } else { default })
        .max(1)
}

/// The environment variable `name` as a number, else `default` (`smoke_default` in a [`smoke`] run).
pub fn env_or<T: std::str::FromStr>(name: &str, default: T, smoke_default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if smoke() { smoke_default } else { default })
}

struct Case {
    name: String,
    note: String,
    /// (records, seconds) of each round.
    samples: Vec<(u64, f64)>,
}

/// The measurements of one bench.
pub struct Bench {
    name: String,
    unit: String,
    load_at_start: String,
    cases: Vec<Case>,
}

impl Bench {
    /// A bench whose every sample measures one `unit` (e.g. "one 500-ticket page", "100,000 tickets").
    pub fn new(name: &str, unit: &str) -> Bench {
        Bench {
            name: name.into(),
            unit: unit.into(),
            load_at_start: load(),
            cases: Vec::new(),
        }
    }

    /// Records one sample: `records` delivered in `elapsed`. `note` is shown next to the case (what it
    /// does) and only the first one given counts.
    pub fn record(
        &mut self,
        case: &str,
        note: &str,
        round: usize,
        records: u64,
        elapsed: Duration,
    ) {
        let seconds = elapsed.as_secs_f64();
        let position = match self.cases.iter().position(|c| c.name == case) {
            Some(i) => i,
            None => {
                self.cases.push(Case {
                    name: case.into(),
                    note: note.into(),
                    samples: Vec::new(),
                });
                self.cases.len() - 1
            }
        };
        self.cases[position].samples.push((records, seconds));
        if let Some(path) = std::env::var("BENCH_JSON").ok().filter(|p| !p.is_empty()) {
            let first: usize = std::env::var("BENCH_ROUND")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(1);
            let round = round + first - 1;
            let line = json!({
                "side": "rust", "bench": self.name, "unit": self.unit, "case": case, "note": note,
                "round": round, "records": records, "seconds": seconds, "load": load(),
            });
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .unwrap_or_else(|e| panic!("BENCH_JSON={path}: {e}"));
            writeln!(file, "{line}").expect("BENCH_JSON written");
        }
    }

    /// The median seconds of `case`.
    pub fn median(&self, case: &str) -> Option<f64> {
        let case = self.cases.iter().find(|c| c.name == case)?;
        Some(median(case.samples.iter().map(|s| s.1).collect()))
    }

    /// Prints the table: min and median time per unit, records/s (median), and each case's speed as a
    /// multiple of `baseline`'s (>1 is faster).
    pub fn report(&self, baseline: &str) {
        let rounds = self
            .cases
            .iter()
            .map(|c| c.samples.len())
            .max()
            .unwrap_or(0);
        println!();
        println!(
            "## {} ({}; {rounds} rounds; load {} at start, {} at end; {} cores)",
            self.name,
            self.unit,
            self.load_at_start,
            load(),
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );
        println!();
        println!("| case | min | median | records/s (median) | speed vs {baseline} | what |");
        println!("| --- | --- | --- | --- | --- | --- |");
        let base = self.rate(baseline);
        for case in &self.cases {
            let times: Vec<f64> = case.samples.iter().map(|s| s.1).collect();
            let min = times.iter().copied().fold(f64::INFINITY, f64::min);
            let rate = self.rate(&case.name).unwrap_or(0.0);
            let ratio = base.map_or("?".into(), |b| format!("{:.2}×", rate / b));
            println!(
                "| {} | {} | {} | {} | {ratio} | {} |",
                case.name,
                show(min),
                show(median(times)),
                thousands(rate),
                case.note
            );
        }
    }

    /// Records per second of `case`: median records over median seconds.
    fn rate(&self, case: &str) -> Option<f64> {
        let case = self.cases.iter().find(|c| c.name == case)?;
        let records = median(case.samples.iter().map(|s| s.0 as f64).collect());
        let seconds = median(case.samples.iter().map(|s| s.1).collect());
        (seconds > 0.0).then(|| records / seconds)
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

/// `12.3 ms` below a second, `4.56 s` above.
fn show(seconds: f64) -> String {
    if seconds < 1.0 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{seconds:.2} s")
    }
}

/// `21,700`.
pub fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
