//! The report-processing benchmark, natively: the same scripted one-image run as
//! `bench/report-child.js` drives through the WASM build, timed with `std::time::Instant`.
//!
//! ```sh
//! cargo run --release --example bench_core -- CHECK.json VULN.json ADD.json IMAGE [REPS] [--files]
//! ```
//!
//! Prints one JSON line: `{"reps", "medians": {step: ms}, "times": {step: [ms…]}, "peak_rss"}`
//! with the steps `check` (the policy evaluation's text handed to the gate), `vuln` (the
//! vulnerability listing's), `report` (the report model) and `report_json` (the model as JSON
//! text, what crosses to JavaScript as a string), and with `--files` also `files` (the report
//! directory's contents: SARIF, JUnit, the Jenkins files).
//! `bench/run.js` runs it with the same generated files as the WASM benchmark.

use std::collections::BTreeMap;
use std::time::Instant;

use anchore_gate::gate::{Config, Gate, Input, Output};
use anchore_gate::image_list;

fn median(xs: &[f64]) -> f64 {
    let mut s = xs.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

/// Peak resident set size (VmHWM) of this process, in bytes.
fn peak_rss() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|kb| kb.parse::<u64>().ok()))
        .map_or(0, |kb| kb * 1024)
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let with_files = args.iter().any(|a| a == "--files");
    args.retain(|a| a != "--files");
    if args.len() < 4 {
        eprintln!("usage: bench_core CHECK.json VULN.json ADD.json IMAGE [REPS] [--files]");
        std::process::exit(2);
    }
    let read = |p: &str| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{p}: {e}"));
    let (check, vuln, add) = (read(&args[0]), read(&args[1]), read(&args[2]));
    let image = args[3].as_str();
    let reps: usize = args.get(4).map_or(5, |r| r.parse().expect("REPS: a number"));

    let entry = image_list::parse_image_arg(image);
    let config_json = serde_json::json!({
        "engine_url": "http://127.0.0.1:9/v1",
        "images": [serde_json::to_value(&entry).unwrap()],
        "seed": 7,
    });
    let now = 1_700_000_000_000u64;
    let mut times: BTreeMap<&str, Vec<f64>> = BTreeMap::new();
    let mut shape = (0usize, 0usize, 0usize);

    for _ in 0..reps {
        let config: Config = serde_json::from_value(config_json.clone()).unwrap();
        let mut gate = Gate::new(config, now);
        loop {
            match gate.poll_output() {
                Output::Done => break,
                Output::Event(_) | Output::SaveBody { .. } => continue,
                Output::Timeout { at } => panic!("the scripted run stalled (timeout at {at})"),
                Output::Transmit(t) => {
                    let url = t.request.url.clone();
                    let (body, step) = if url.contains("/check") {
                        (check.clone(), Some("check"))
                    } else if url.contains("/vuln/") {
                        (vuln.clone(), Some("vuln"))
                    } else {
                        (add.clone(), None)
                    };
                    // The body is handed over as an owned String, as the WASM boundary does.
                    let started = Instant::now();
                    gate.handle_input(now, Input::Response { id: t.id, status: 200, body, retry_after: None });
                    if let Some(step) = step {
                        times.entry(step).or_default().push(ms(started));
                    }
                }
            }
        }
        let started = Instant::now();
        let run = gate.finish();
        let report = &run.report;
        let report_ms = ms(started);
        times.entry("report").or_default().push(report_ms);
        let started = Instant::now();
        let text = serde_json::to_string(&report).unwrap();
        times.entry("report_json").or_default().push(report_ms + ms(started));
        let files = if with_files {
            let started = Instant::now();
            let files = anchore_gate::output::run_files(&run, &Default::default());
            times.entry("files").or_default().push(ms(started));
            files.len()
        } else {
            0
        };
        let image = &report.images[0];
        assert!(image.error.is_none(), "the scripted run ended in error: {:?}", image.error);
        shape = (image.findings.len(), image.vulnerabilities.len(), files);
        std::hint::black_box(text);
    }

    let medians: BTreeMap<&str, f64> = times.iter().map(|(k, v)| (*k, median(v))).collect();
    let out = serde_json::json!({
        "reps": reps,
        "shape": {"findings": shape.0, "vulnerabilities": shape.1, "files": shape.2},
        "medians": medians,
        "times": times,
        "peak_rss": peak_rss(),
    });
    println!("{out}");
}
