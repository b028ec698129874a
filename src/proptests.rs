//! Property tests — fuzzing on the stable toolchain — for everything that reads hostile input:
//! the image list, the engine URL, `Retry-After`, and every engine body the gate parses (image
//! records, policy evaluations, vulnerability listings, ancestors, error bodies, `/version`),
//! as arbitrary text, as arbitrary JSON with the engine's field names, and as mutations of the
//! real recorded responses; the files read back (the viewer's import of our report, the Jenkins
//! plugin's files and raw bodies; grype JSON; allowlists), as mutations of a real run's report
//! directory; and the whole gate state machine against a random engine.
//!
//! Every property is the same promise: no panic (an error value instead), output bounded by the
//! input, and for the gate: it always finishes, in a bounded number of steps, with one result row
//! per image, requests only to the engine, and report files under fixed names.
//!
//! Native only: proptest does not build for wasm32-unknown-unknown (no entropy source there).
//! Cases per property: `ANCHORE_GATE_FUZZ_CASES` (default 256, so `npm test` stays quick):
//!
//! ```sh
//! ANCHORE_GATE_FUZZ_CASES=20000 cargo test --release --lib proptests
//! ```
//!
//! Each property prints its count of executions (cases plus shrinking steps) on stderr.

use std::fmt::Debug;
use std::io::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use proptest::test_runner::{Config as RunnerConfig, TestCaseError, TestRunner};
use serde_json::Value;

use crate::engine::{self, v1, v2, ApiVersion, EngineError, EngineUrl};
use crate::error::ParseError;
use crate::gate::{time, Config, FailureKind, Gate, ImageInput, Input, Output};
use crate::image_list;
use crate::policy;
use crate::vuln;

const DIGEST: &str = "sha256:d05ecd4520cab5d9e5d877595fb0532aadcd6c90f4bbc837bc11679f704c4c82";

fn cases() -> u32 {
    std::env::var("ANCHORE_GATE_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
}

/// Runs `test` on `cases()` values of `strategy`, prints how many executions ran, and panics
/// with the (shrunk) failing input if one failed.
fn check<S>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    let executions = AtomicU64::new(0);
    let config = RunnerConfig { cases: cases(), failure_persistence: None, max_shrink_iters: 4_096, ..RunnerConfig::default() };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&strategy, |value| {
        executions.fetch_add(1, Ordering::Relaxed);
        test(value)
    });
    // Straight to stderr: the test harness captures print!/eprintln! of passing tests.
    let line = format!("proptest {name}: {} executions ({} cases asked)\n", executions.load(Ordering::Relaxed), cases());
    let _ = std::io::stderr().write_all(line.as_bytes());
    if let Err(e) = result {
        panic!("{name}: {e}");
    }
}

// ---------------------------------------------------------------------------------------------
// inputs
// ---------------------------------------------------------------------------------------------

/// Real recorded engine answers (and v2 bodies in the spec's shapes) to mutate.
const SEEDS: &[&str] = &[
    fixture!("v1-check-fail-detail.json"),
    fixture!("v1-check-fail.json"),
    fixture!("v1-check-pass.json"),
    fixture!("v1-check-pass-shortname-tag.json"),
    fixture!("v1-vuln-all-alpine.json"),
    fixture!("v1-vuln-all-nvd-java.json"),
    fixture!("v1-vuln-os-debian.json"),
    fixture!("v1-vuln-os-empty.json"),
    fixture!("v1-image-add-analyzed.json"),
    fixture!("v1-image-analyzing.json"),
    fixture!("v1-image-get-detail-false-analyzed.json"),
    fixture!("v1-error-400-registry-permission-denied.json"),
    fixture!("v1-error-404-not-analyzed-analyzing.json"),
    fixture!("v1-error-500-registry-exists.json"),
    fixture!("v1-version-literal.json"),
    fixture!("v2-version-literal.json"),
    V2_CHECK,
    V2_VULNS,
    V2_RECORD,
    V2_ANCESTORS,
];

const V2_CHECK: &str = r#"{"policy_id":"anchore_secure_default","image_digest":"sha256:d05ecd4520cab5d9e5d877595fb0532aadcd6c90f4bbc837bc11679f704c4c82","evaluated_tag":"docker.io/library/debian:latest","evaluations":[{"status":"fail","final_action":"stop","final_action_reason":"policy_evaluation","evaluation_time":"2024-08-06T10:00:00Z","evaluation_problems":[],"number_of_findings":2,"image_allowlisted":false,"image_denylisted":false,"image_mapped_to_rule":true,"comparison_image_digest":null,"details":{"policy":{"id":"anchore_secure_default"},"policy_action":"stop","findings":[{"trigger_id":"CVE-2023-4911+libc6","gate":"vulnerabilities","trigger":"package","message":"HIGH Vulnerability found in os package type (dpkg) - libc6","action":"stop","policy_id":"p","recommendation":"","rule_id":"rule-1","allowlisted":false,"allowlist_match":null,"inherited_from_base":true},{"trigger_id":"abc","gate":"dockerfile","trigger":"instruction","message":"m","action":"warn","policy_id":"p","recommendation":"","rule_id":"rule-3","allowlisted":true,"allowlist_match":{"id":"a","name":"n","matched_rule_id":"r"},"inherited_from_base":null}],"remediations":null}}]}"#;

const V2_VULNS: &str = r#"{"image_digest":"sha256:d05ecd4520cab5d9e5d877595fb0532aadcd6c90f4bbc837bc11679f704c4c82","base_digest":null,"base_image_problems":[],"vulnerability_type":"all","vulnerabilities":[{"vuln":"CVE-2023-4911","severity":"High","fix":"2.36-9+deb12u3","package":"libc6-2.36-9","package_name":"libc6","package_version":"2.36-9","package_type":"dpkg","package_path":"pkgdb","url":"https://security-tracker.debian.org/tracker/CVE-2023-4911","feed_group":"debian:12","will_not_fix":false,"nvd_data":[{"id":"CVE-2023-4911","cvss_v3":{"base_score":7.8}}],"inherited_from_base":"true"},{"vuln":"GHSA-x","severity":"critical","fix":"None","package":"lodash-4.17.20","package_type":"npm","inherited_from_base":null}]}"#;

const V2_RECORD: &str = r#"{"image_digest":"sha256:d05ecd4520cab5d9e5d877595fb0532aadcd6c90f4bbc837bc11679f704c4c82","parent_digest":"sha256:d05ecd4520cab5d9e5d877595fb0532aadcd6c90f4bbc837bc11679f704c4c82","analysis_status":"analyzed","image_status":"active","image_detail":[{"full_tag":"docker.io/library/debian:latest","registry":"docker.io","repo":"library/debian","tag":"latest"}]}"#;

const V2_ANCESTORS: &str = r#"[{"image_digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","parent_digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111","tags":["docker.io/library/debian:12"],"layers":[],"user_marked_base":false,"chosen_base_image":true}]"#;

/// Field names the engine uses, so random JSON often has the right keys with the wrong values.
const KEYS: &[&str] = &[
    "status", "final_action", "final_action_reason", "policyId", "policy_id", "last_evaluation", "detail", "details",
    "result", "header", "rows", "row_count", "evaluations", "findings", "action", "gate", "trigger", "message",
    "allowlisted", "allowlist_match", "inherited_from_base", "image_id", "image_digest", "imageDigest", "evaluated_tag",
    "analysis_status", "image_detail", "vulnerabilities", "vulnerability_type", "vuln", "severity", "fix", "package",
    "package_name", "package_version", "package_type", "nvd_data", "url", "feed_group", "httpcode", "error_codes",
    "api", "version", "chosen_base_image", "title", DIGEST, "docker.io/library/debian:latest",
];

fn arb_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => any::<String>(),
        2 => "[ -~]{0,40}",
        1 => Just("None".to_owned()),
        1 => Just(DIGEST.to_owned()),
        1 => prop::sample::select(KEYS).prop_map(str::to_owned),
        1 => prop::sample::select(&["pass", "fail", "stop", "warn", "go", "STOP", "analyzed", "analysis_failed", "analyzing", "not_analyzed", "Critical", "true", "false", ""][..]).prop_map(str::to_owned),
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        arb_text().prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 96, 8, |inner| {
        let key = prop_oneof![3 => prop::sample::select(KEYS).prop_map(str::to_owned), 1 => arb_text()];
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(Value::Array),
            btree_map(key, inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

#[derive(Clone, Debug)]
enum Mutation {
    Truncate(prop::sample::Index),
    Flip(prop::sample::Index, u8),
    Insert(prop::sample::Index, String),
    Delete(prop::sample::Index, usize),
    Repeat(prop::sample::Index, usize, usize),
    Token(prop::sample::Index, &'static str),
    /// Replace one JSON value (the n-th in document order) with another.
    Value(prop::sample::Index, Value),
    /// Drop one key of one object.
    DropKey(prop::sample::Index),
}

const TOKENS: &[&str] = &[
    "null", "true", "0", "-1", "1e999", "-0", "1.5", "18446744073709551616", "\"\"", "[]", "{}", "\"None\"", "\"x\"",
    "[[[[[[[[", "]]]]", "\"\\u0000\"", "\"\\ud800\"", "\\", "\"", ",", ":", "\u{feff}", "\u{1b}[31m", "\r\n",
];

fn arb_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        1 => any::<prop::sample::Index>().prop_map(Mutation::Truncate),
        3 => (any::<prop::sample::Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        2 => (any::<prop::sample::Index>(), arb_text()).prop_map(|(i, s)| Mutation::Insert(i, s)),
        2 => (any::<prop::sample::Index>(), 1usize..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        1 => (any::<prop::sample::Index>(), 1usize..256, 1usize..8).prop_map(|(i, n, k)| Mutation::Repeat(i, n, k)),
        3 => (any::<prop::sample::Index>(), prop::sample::select(TOKENS)).prop_map(|(i, t)| Mutation::Token(i, t)),
        4 => (any::<prop::sample::Index>(), arb_json()).prop_map(|(i, v)| Mutation::Value(i, v)),
        2 => any::<prop::sample::Index>().prop_map(Mutation::DropKey),
    ]
}

fn count_values(v: &Value) -> usize {
    1 + match v {
        Value::Array(a) => a.iter().map(count_values).sum(),
        Value::Object(o) => o.values().map(count_values).sum(),
        _ => 0,
    }
}

/// Calls `f` on the `n`-th value in document order (pre-order).
fn with_nth(v: &mut Value, n: &mut usize, f: &mut dyn FnMut(&mut Value)) -> bool {
    if *n == 0 {
        f(v);
        return true;
    }
    *n -= 1;
    match v {
        Value::Array(a) => a.iter_mut().any(|c| with_nth(c, n, f)),
        Value::Object(o) => o.values_mut().any(|c| with_nth(c, n, f)),
        _ => false,
    }
}

fn apply(seed: &str, mutations: &[Mutation]) -> String {
    let mut bytes = seed.as_bytes().to_vec();
    for m in mutations {
        let len = bytes.len().max(1);
        match m {
            Mutation::Truncate(i) => bytes.truncate(i.index(len)),
            Mutation::Flip(i, b) => {
                if !bytes.is_empty() {
                    let at = i.index(bytes.len());
                    bytes[at] = *b;
                }
            }
            Mutation::Insert(i, s) => {
                let at = i.index(len + 1).min(bytes.len());
                bytes.splice(at..at, s.bytes());
            }
            Mutation::Delete(i, n) => {
                let at = i.index(len).min(bytes.len());
                let end = (at + n).min(bytes.len());
                bytes.drain(at..end);
            }
            Mutation::Repeat(i, n, k) => {
                let at = i.index(len).min(bytes.len());
                let end = (at + n).min(bytes.len());
                let piece = bytes[at..end].to_vec();
                for _ in 0..*k {
                    bytes.splice(end..end, piece.iter().copied());
                }
            }
            Mutation::Token(i, t) => {
                let at = i.index(len + 1).min(bytes.len());
                bytes.splice(at..at, t.bytes());
            }
            Mutation::Value(i, replacement) => {
                if let Ok(mut doc) = serde_json::from_slice::<Value>(&bytes) {
                    let mut n = i.index(count_values(&doc));
                    with_nth(&mut doc, &mut n, &mut |v| *v = replacement.clone());
                    bytes = serde_json::to_vec(&doc).unwrap();
                }
            }
            Mutation::DropKey(i) => {
                if let Ok(mut doc) = serde_json::from_slice::<Value>(&bytes) {
                    let mut n = i.index(count_values(&doc));
                    with_nth(&mut doc, &mut n, &mut |v| {
                        if let Value::Object(o) = v {
                            if let Some(k) = o.keys().next().cloned() {
                                o.remove(&k);
                            }
                        }
                    });
                    bytes = serde_json::to_vec(&doc).unwrap();
                }
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// An engine body: a mutated recording, random JSON with the engine's keys, or any text.
fn arb_body() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (prop::sample::select(SEEDS), vec(arb_mutation(), 1..5)).prop_map(|(seed, ms)| apply(seed, &ms)),
        1 => prop::sample::select(SEEDS).prop_map(str::to_owned),
        3 => arb_json().prop_map(|v| v.to_string()),
        1 => any::<String>(),
        1 => (1usize..200_000).prop_map(|depth| "[".repeat(depth)),
        1 => (1usize..20_000).prop_map(|depth| format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth))),
    ]
}

// ---------------------------------------------------------------------------------------------
// what every parse result must satisfy
// ---------------------------------------------------------------------------------------------

/// Errors say what and where, and are bounded by the input (no blow-up from a hostile body).
fn check_error(body: &str, e: &ParseError) -> Result<(), TestCaseError> {
    let text = e.to_string();
    prop_assert!(!e.message.is_empty(), "an error without a message");
    prop_assert!(text.len() <= 2 * body.len() + 1_024, "error of {} bytes for a body of {}", text.len(), body.len());
    Ok(())
}

/// Parsed data is bounded by the input: nothing is invented or multiplied out of a small body.
fn check_size(body: &str, parsed: &impl serde::Serialize) -> Result<(), TestCaseError> {
    let out = serde_json::to_string(parsed).unwrap().len();
    // Linear, with room for the defaults a hostile `{}` per finding expands to; what this
    // catches is super-linear growth (a body that multiplies itself into the model).
    prop_assert!(out <= 256 * body.len() + 4_096, "{out} bytes of output from a body of {}", body.len());
    Ok(())
}

#[test]
fn engine_bodies_never_panic() {
    check("engine bodies (policy v1/v2, vulnerabilities, records, ancestors, errors, /version)", arb_body(), |body| {
        match policy::parse_v1(&body, DIGEST) {
            Ok(e) => check_size(&body, &e)?,
            Err(e) => check_error(&body, &e)?,
        }
        match policy::parse_v2(&body) {
            Ok(e) => check_size(&body, &e)?,
            Err(e) => check_error(&body, &e)?,
        }
        match vuln::parse(&body) {
            Ok(l) => check_size(&body, &l)?,
            Err(e) => check_error(&body, &e)?,
        }
        for record in [v1::image_record(&body), v2::image_record(&body)] {
            match record {
                Ok(r) => {
                    prop_assert!(r.digest.contains(':') && !r.digest.contains(['/', '?', '#', '@', ' ']), "digest {:?} would go into a URL", r.digest);
                }
                Err(e) => check_error(&body, &e)?,
            }
        }
        match v2::base_digest(&body) {
            Ok(Some(d)) => prop_assert!(!d.contains(['/', '?', '#', '@', '&', ' ']), "base digest {d:?} would go into a URL"),
            Ok(None) => {}
            Err(e) => check_error(&body, &e)?,
        }
        let error = EngineError::parse(&body);
        let described = error.describe();
        prop_assert!(described.len() <= body.len() + 1_024);
        let _ = engine::api_from_version(&body);
        Ok(())
    });
}

/// Characters that must not reach a terminal or a log raw: controls and bidirectional overrides.
fn unprintable(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[test]
fn image_lists_never_panic_and_every_line_is_accounted_for() {
    let token = prop_oneof![
        3 => "[a-z0-9]{1,12}(\\.[a-z]{2,4})?(:[0-9]{1,5})?(/[a-z0-9._-]{1,12}){0,3}(:[A-Za-z0-9_.-]{1,20})?",
        1 => Just("../../etc/passwd".to_owned()),
        1 => Just("/abs/path".to_owned()),
        1 => Just("#".to_owned()),
        1 => "[\\x00-\\x1f\\x7f\u{202e}\u{2066}\u{85}]{1,3}",
        1 => "[a-z]{300,700}",
        1 => any::<String>(),
    ];
    let line = vec(token, 0..5).prop_map(|ts| ts.join(" "));
    let text = prop_oneof![
        3 => vec(line, 0..30).prop_map(|ls| ls.join("\n")),
        1 => any::<String>(),
    ];
    check("image list", text, |text| {
        let entries = image_list::parse(&text, "anchore_images");
        prop_assert!(entries.len() <= text.lines().count());
        let mut last_line = 0;
        for e in &entries {
            let n: usize = e.source.strip_prefix("anchore_images:").and_then(|n| n.parse().ok()).expect("source is file:line");
            prop_assert!(n > last_line && n <= text.lines().count());
            last_line = n;
            prop_assert!(!e.image.is_empty() && e.image.len() <= text.len());
            if e.problem.is_none() {
                prop_assert!(image_list::validate_reference(&e.image).is_ok());
                prop_assert!(!e.image.chars().any(|c| c.is_control() || c.is_whitespace()));
            }
            if let Some(p) = &e.problem {
                prop_assert!(!p.message.chars().any(unprintable), "raw control character in {:?}", p.message);
            }
            let _ = image_list::normalize(&e.image);
        }
        let mut marked = entries.clone();
        image_list::mark_duplicates(&mut marked);
        let arg = image_list::parse_image_arg(&text);
        if let Some(p) = &arg.problem {
            prop_assert!(!p.message.chars().any(unprintable), "raw control character in {:?}", p.message);
        }
        Ok(())
    });
}

#[test]
fn engine_urls_and_retry_after_never_panic_and_never_show_a_password() {
    let url = (
        prop::sample::select(&["http", "https", "HTTPS", "ftp", ""][..]),
        "[a-z0-9._-]{0,12}",
        "[ -~]{0,16}",
        "[a-z0-9.-]{0,16}(:[0-9]{0,6})?",
        "(/[ -~]{0,10}){0,3}(/v1|/v2)?/?",
    );
    check("engine URL", (url, any::<String>()), |((scheme, user, pass, host, path), junk)| {
        // The marker `§` cannot come from the other parts (printable ASCII), so finding the
        // password anywhere means it leaked.
        let pass = format!("Pw§{pass}");
        let raw = format!("{scheme}://{user}:{pass}@{host}{path}");
        for candidate in [raw.as_str(), junk.as_str()] {
            match EngineUrl::parse(candidate) {
                Ok(u) => {
                    let base = u.base(ApiVersion::V1);
                    prop_assert!(base.starts_with("http://") || base.starts_with("https://"));
                    if candidate == raw {
                        prop_assert!(!u.display.contains(&pass), "{:?} shown as {:?}", raw, u.display);
                    }
                }
                Err(e) => {
                    if candidate == raw {
                        prop_assert!(!e.message.contains(&pass), "{:?} in {:?}", raw, e.message);
                    }
                }
            }
        }
        let shown = engine::redacted_url(&raw);
        prop_assert!(!shown.contains(&pass), "{:?} redacted to {:?}", raw, shown);
        let _ = time::retry_after(&junk, 1_796_012_576_000);
        let _ = time::retry_after(&junk, 0);
        let _ = time::retry_after(&junk, u64::MAX);
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// the whole gate against a random engine
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Reply {
    Http { status: u16, body: Body, retry_after: Option<String> },
    Fail(FailureKind, String),
}

/// A body: a sane answer for the request (so runs get far), or a hostile one.
#[derive(Clone, Debug)]
enum Body {
    Sane,
    Record(&'static str),
    Hostile(String),
}

fn arb_reply() -> impl Strategy<Value = (Reply, u64)> {
    let status = prop_oneof![
        12 => Just(200u16),
        1 => Just(201u16), 1 => Just(204u16), 1 => Just(400u16), 1 => Just(401u16), 1 => Just(403u16),
        2 => Just(404u16), 1 => Just(405u16), 1 => Just(409u16), 2 => Just(429u16), 2 => Just(500u16),
        2 => Just(503u16), 1 => any::<u16>(),
    ];
    let body = prop_oneof![
        8 => Just(Body::Sane),
        2 => prop::sample::select(&["not_analyzed", "analyzing", "analyzed", "analysis_failed", "weird"][..]).prop_map(Body::Record),
        3 => arb_body().prop_map(Body::Hostile),
    ];
    let retry_after = prop::option::weighted(0.2, prop_oneof![
        "[0-9]{1,12}".boxed(),
        Just("Sun, 06 Nov 1994 08:49:37 GMT".to_owned()).boxed(),
        any::<String>().boxed(),
    ]);
    let kind = prop::sample::select(&[FailureKind::Network, FailureKind::Timeout, FailureKind::Tls, FailureKind::TooLarge][..]);
    let reply = prop_oneof![
        8 => (status, body, retry_after).prop_map(|(status, body, retry_after)| Reply::Http { status, body, retry_after }),
        1 => (kind, arb_text()).prop_map(|(k, m)| Reply::Fail(k, m)),
    ];
    (reply, prop_oneof![4 => 0u64..200, 1 => 0u64..120_000])
}

#[derive(Clone, Debug)]
struct Script {
    url: &'static str,
    images: Vec<String>,
    exclude_base: bool,
    policy: Option<String>,
    concurrency: u32,
    timeout_ms: u64,
    poll_interval_ms: u64,
    seed: u64,
    replies: Vec<(Reply, u64)>,
}

fn arb_script() -> impl Strategy<Value = Script> {
    let image = prop_oneof![
        4 => "[a-z]{1,8}(/[a-z0-9]{1,8})?:[0-9]{1,3}",
        1 => Just("../../etc/passwd".to_owned()),
        1 => any::<String>(),
    ];
    (
        prop::sample::select(&["http://e:8228/v1", "https://e/v2", "http://e:8228", "https://admin:pw@e/v1", "ftp://e/v1"][..]),
        vec(image, 1..7),
        any::<bool>(),
        prop::option::weighted(0.2, arb_text()),
        1u32..5,
        1u64..400_000,
        1u64..10_000,
        any::<u64>(),
        vec(arb_reply(), 1..120),
    )
        .prop_map(|(url, images, exclude_base, policy, concurrency, timeout_ms, poll_interval_ms, seed, replies)| Script {
            url, images, exclude_base, policy, concurrency, timeout_ms, poll_interval_ms, seed, replies,
        })
}

/// The answer a well-behaved engine would give, so that random runs get past the first step.
fn sane_body(url: &str, status: &str) -> String {
    let v2 = url.contains("/v2/") || !url.contains("/v1/");
    if url.ends_with("/version") {
        return fixture!("v2-version-literal.json").to_owned();
    }
    if url.contains("/ancestors") {
        return V2_ANCESTORS.to_owned();
    }
    if url.contains("/check") {
        return if v2 { V2_CHECK.to_owned() } else { fixture!("v1-check-fail-detail.json").replace("sha256:8fdd536f0caa79bb924b9c1b9451b49957322d1b07ab23def8c9a49448e5d462", DIGEST) };
    }
    if url.contains("/vuln/") {
        return if v2 { V2_VULNS.to_owned() } else { fixture!("v1-vuln-os-debian.json").to_owned() };
    }
    if v2 {
        format!(r#"{{"image_digest":"{DIGEST}","analysis_status":"{status}","image_detail":[]}}"#)
    } else {
        format!(r#"[{{"imageDigest":"{DIGEST}","analysis_status":"{status}","image_detail":[]}}]"#)
    }
}

#[test]
fn the_gate_always_finishes_with_a_row_per_image_against_a_random_engine() {
    const T0: u64 = 1_796_012_576_000;
    const MAX_STEPS: usize = 200_000;
    check("gate state machine", arb_script(), |script| {
        let images: Vec<ImageInput> = script
            .images
            .iter()
            .map(|i| ImageInput { entry: image_list::parse_image_arg(i), dockerfile_content: None, dockerfile_error: None })
            .collect();
        let config = Config {
            engine_url: script.url.to_owned(),
            images,
            exclude_base: script.exclude_base,
            policy_id: script.policy.clone(),
            concurrency: script.concurrency,
            timeout_ms: script.timeout_ms,
            poll_interval_ms: script.poll_interval_ms,
            seed: script.seed,
            ..Config::default()
        };
        let mut gate = Gate::new(config, T0);
        let mut now = T0;
        let mut pending: Vec<(u64, Input)> = Vec::new();
        let mut next_reply = 0usize;
        let mut steps = 0usize;
        let origin = script.url.split_once("://").map(|(s, r)| {
            let host = r.split('/').next().unwrap_or_default();
            format!("{}://{}/", s.to_ascii_lowercase(), host.rsplit_once('@').map_or(host, |(_, h)| h))
        });
        loop {
            steps += 1;
            prop_assert!(steps < MAX_STEPS, "the gate did not finish within {MAX_STEPS} steps");
            match gate.poll_output() {
                Output::Transmit(t) => {
                    let url = t.request.url.clone();
                    prop_assert!(origin.as_ref().is_some_and(|o| url.starts_with(o.as_str())), "request to {url} for engine {}", script.url);
                    let path = url.split('?').next().unwrap_or_default();
                    prop_assert!(!url.contains("pw@") && !path.contains("..") && !url.contains('#'), "request URL {url}");
                    // Once the replies run out, the engine behaves, so every run can end.
                    let (reply, latency) = script.replies.get(next_reply).cloned().unwrap_or((Reply::Http { status: 200, body: Body::Sane, retry_after: None }, 10));
                    next_reply += 1;
                    let input = match reply {
                        Reply::Http { status, body, retry_after } => {
                            let body = match body {
                                Body::Sane => sane_body(&url, "analyzed"),
                                Body::Record(state) => sane_body(&url, state),
                                Body::Hostile(b) => b,
                            };
                            Input::Response { id: t.id, status, body, retry_after }
                        }
                        Reply::Fail(kind, message) => Input::Failure { id: t.id, kind, message },
                    };
                    pending.push((now + latency, input));
                }
                Output::Event(e) => prop_assert!(!e.message.contains("pw@")),
                Output::Timeout { at } => {
                    prop_assert!(at >= now, "asked to wake in the past: {at} < {now}");
                    let next = pending.iter().map(|p| p.0).min().unwrap_or(at).min(at);
                    now = now.max(next);
                    let (due, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut pending).into_iter().partition(|p| p.0 <= now);
                    pending = rest;
                    if due.is_empty() {
                        gate.handle_input(now, Input::Timeout);
                    }
                    for (_, input) in due {
                        gate.handle_input(now, input);
                    }
                }
                Output::Done => break,
            }
        }
        let report = gate.report();
        prop_assert_eq!(report.images.len(), script.images.len());
        let files = gate.files();
        for f in &files {
            // Plain names of the gate's own making: never a path, never from engine data or image names.
            let plain = f.name.len() <= 64
                && f.name.split('.').count() >= 2
                && f.name.split('.').all(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'));
            prop_assert!(plain, "report file name {:?}", f.name);
            if let Some(rest) = f.name.strip_prefix("anchoreengine-api-response-") {
                let n = rest.trim_end_matches(".json").rsplit('-').next().and_then(|n| n.parse::<usize>().ok());
                prop_assert!(n.is_some_and(|n| n >= 1 && n <= script.images.len()), "report file name {:?}", f.name);
            }
            prop_assert!(!f.content.contains("admin:pw"), "credentials in {}", f.name);
            if f.name.ends_with(".json") && !f.name.starts_with("anchoreengine-") {
                prop_assert!(serde_json::from_str::<serde::de::IgnoredAny>(&f.content).is_ok(), "{} is not JSON", f.name);
            }
        }
        Ok(())
    });
}

// ---------------------------------------------------------------------------------------------
// the files a report viewer or `evaluate` reads back: our report, the plugin's files, raw
// engine bodies, grype JSON, allowlists
// ---------------------------------------------------------------------------------------------

/// The report directory of a whole run against a well-behaved engine, for `url`'s API.
fn sample_report_files(url: &str) -> Vec<crate::gate::ReportFile> {
    const T0: u64 = 1_796_012_576_000;
    let images = ["docker.io/library/debian:latest", "docker.io/library/alpine:3.9"]
        .iter()
        .map(|i| ImageInput { entry: image_list::parse_image_arg(i), dockerfile_content: None, dockerfile_error: None })
        .collect();
    let mut gate = Gate::new(Config { engine_url: url.to_owned(), images, ..Config::default() }, T0);
    let mut now = T0;
    for _ in 0..10_000 {
        match gate.poll_output() {
            Output::Transmit(t) => {
                let body = sane_body(&t.request.url, "analyzed");
                gate.handle_input(now, Input::Response { id: t.id, status: 200, body, retry_after: None });
            }
            Output::Event(_) => {}
            Output::Timeout { at } => {
                now = now.max(at);
                gate.handle_input(now, Input::Timeout);
            }
            Output::Done => break,
        }
    }
    gate.files()
}

fn report_seeds() -> &'static [(String, String)] {
    static SEEDS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut seeds: Vec<(String, String)> = ["http://e/v1", "https://e/v2"]
            .iter()
            .flat_map(|url| sample_report_files(url))
            .map(|f| (f.name, f.content))
            .collect();
        seeds.push(("grype.json".into(), include_str!("../tests/fixtures/grype/grype-image-golden.json").into()));
        seeds.push(("grype-empty.json".into(), include_str!("../tests/fixtures/grype/grype-empty-golden.json").into()));
        seeds.push(("allowlist.json".into(), r#"[{"id":"CVE-2023-4911","package":"libc6","reason":"not reachable","expires":"2099-01-01"}]"#.into()));
        seeds
    })
}

#[test]
fn report_files_read_back_never_panic() {
    let file = (0..report_seeds().len(), vec(arb_mutation(), 0..4), prop::option::weighted(0.1, arb_text()));
    let files = vec(file, 1..4);
    check("report import (anchore-gate.json, plugin files, raw bodies), grype, allowlists", files, |picked| {
        let seeds = report_seeds();
        let files: Vec<crate::report::import::InputFile> = picked
            .iter()
            .map(|(i, mutations, name)| {
                let (seed_name, seed) = &seeds[*i];
                crate::report::import::InputFile { name: name.clone().unwrap_or_else(|| seed_name.clone()), content: apply(seed, mutations) }
            })
            .collect();
        let total: usize = files.iter().map(|f| f.content.len() + f.name.len()).sum();
        match crate::report::import::import(&files, 1_796_012_576_000) {
            Ok(imported) => {
                let mut report = imported.report;
                crate::decision::decide(&mut report, &crate::decision::GateOptions::default(), 1_796_012_576_000);
                let out = serde_json::to_string(&report).unwrap().len();
                prop_assert!(out <= 256 * total + 65_536, "{out} bytes of report from {total} bytes of files");
            }
            Err(e) => {
                let text = e.to_string();
                prop_assert!(!text.is_empty() && text.len() <= 2 * total + 1_024, "error of {} bytes for {total} bytes of files", text.len());
            }
        }
        for f in &files {
            if crate::report::grype::is_grype(&f.content) {
                let _ = crate::report::grype::image(&f.content, &f.name);
            }
            let _ = crate::decision::parse_allowlist(&f.content, &f.name);
        }
        Ok(())
    });
}

#[test]
fn the_report_seeds_are_real_runs_that_read_back() {
    let seeds = report_seeds();
    for api in ["v1", "v2"] {
        let files = sample_report_files(&format!("http://e/{api}"));
        let report: serde_json::Value = serde_json::from_str(&files[0].content).unwrap();
        assert_eq!(files[0].name, "anchore-gate.json");
        assert!(report["images"].as_array().unwrap().iter().all(|i| i["status"] == "fail" || i["status"] == "pass"), "{api}: {report}");
        assert!(files.iter().any(|f| f.name == "anchoreengine-api-response-evaluation-2.json"));
        let inputs: Vec<_> = files.iter().map(|f| crate::report::import::InputFile { name: f.name.clone(), content: f.content.clone() }).collect();
        assert!(crate::report::import::import(&inputs, 0).is_ok(), "{api}");
    }
    assert!(seeds.len() > 10);
}

/// Found by `report_files_read_back_never_panic` (50,000 cases): a URL cell of the plugin's
/// anchore_security.json whose second character is multi-byte made the importer slice inside it.
#[test]
fn a_multibyte_character_early_in_a_plugin_url_cell_is_no_panic() {
    for api in ["v1", "v2"] {
        let files: Vec<_> = sample_report_files(&format!("http://e/{api}"))
            .into_iter()
            .filter(|f| f.name == "anchore_security.json")
            .map(|f| crate::report::import::InputFile { name: f.name, content: f.content.replace("https://", "h\u{fffd}tps://") })
            .collect();
        assert!(files[0].content.contains('\u{fffd}'));
        let _ = crate::report::import::import(&files, 0);
    }
}

/// Pieces the runner's command parsing turns on, so random text hits them often.
fn arb_log_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => any::<String>(),
        2 => prop::sample::select(&["::", "##[", "#", "[", ":", " ", "\u{3000}", "\n", "\r", "\u{ad}", "\u{200b}", "\u{feff}", "error", "stop-commands", "]"][..]).prop_map(str::to_owned),
    ];
    vec(piece, 0..12).prop_map(|p| p.concat())
}

#[test]
fn log_lines_hold_no_runner_command() {
    check("log lines (crate::log_line)", arb_log_text(), |text| {
        let line = crate::log_line::log_line(&text);
        prop_assert!(!line.contains(['\n', '\r']), "a line break: {line:?}");
        prop_assert!(!line.contains("##["), "the legacy form: {line:?}");
        prop_assert!(!line.trim_start().starts_with("::"), "a command at the start: {line:?}");
        // Invisible characters a culture-sensitive comparison skips are escaped too.
        prop_assert!(!line.chars().any(|c| c.is_control() || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{feff}')), "{line:?}");
        prop_assert_eq!(crate::log_line::log_line(&line), line.clone(), "escaping is a fixed point");
        Ok(())
    });
}
