//! The state machine in virtual time against a scripted engine that answers with the real
//! recorded bodies. No clock, no sockets: `Sim` moves time to the next event, like quinn's `Pair`.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::model::Status;

/// The digest the recorded `v1-check-fail-detail.json` is keyed by.
const FAIL_DIGEST: &str = "sha256:8fdd536f0caa79bb924b9c1b9451b49957322d1b07ab23def8c9a49448e5d462";
const PASS_DIGEST: &str = "sha256:d05ecd4520cab5d9e5d877595fb0532aadcd6c90f4bbc837bc11679f704c4c82";
const T0: Millis = 1_796_012_576_000;

enum Reply {
    Http(u16, String),
    HttpRetryAfter(u16, String, String),
    Fail(FailureKind, &'static str),
}

fn ok(body: impl Into<String>) -> Reply {
    Reply::Http(200, body.into())
}

struct Sim {
    now: Millis,
    latency: Millis,
    pending: Vec<(Millis, Input)>,
    /// (time sent, image, method and URL)
    sent: Vec<(Millis, Option<usize>, String)>,
    events: Vec<Event>,
    /// Per request id, its method and URL.
    urls: BTreeMap<RequestId, String>,
    /// (the request whose answer is to be saved, the file name)
    saves: Vec<(String, String)>,
}

impl Sim {
    fn new() -> Sim {
        Sim { now: T0, latency: 20, pending: Vec::new(), sent: Vec::new(), events: Vec::new(), urls: BTreeMap::new(), saves: Vec::new() }
    }

    /// Runs the gate to `Done`, answering each request with `engine(request, now)`.
    fn run(&mut self, gate: &mut Gate, engine: &mut dyn FnMut(&Transmit, Millis) -> Reply) {
        for _ in 0..100_000 {
            match gate.poll_output() {
                Output::Transmit(t) => {
                    let method = match t.request.method {
                        engine::Method::Get => "GET",
                        engine::Method::Post => "POST",
                    };
                    self.sent.push((self.now, t.image, format!("{method} {}", t.request.url)));
                    self.urls.insert(t.id, format!("{method} {}", t.request.url));
                    let input = match engine(&t, self.now) {
                        Reply::Http(status, body) => Input::Response { id: t.id, status, body, retry_after: None },
                        Reply::HttpRetryAfter(status, body, after) => Input::Response { id: t.id, status, body, retry_after: Some(after) },
                        Reply::Fail(kind, message) => Input::Failure { id: t.id, kind, message: message.into() },
                    };
                    self.pending.push((self.now + self.latency, input));
                }
                Output::Event(e) => self.events.push(e),
                Output::SaveBody { id, file } => self.saves.push((self.urls[&id].clone(), file)),
                Output::Timeout { at } => {
                    assert!(at >= self.now, "asked to wake in the past");
                    let next = self.pending.iter().map(|p| p.0).min().unwrap_or(at).min(at);
                    self.now = next;
                    let (due, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.pending).into_iter().partition(|p| p.0 <= self.now);
                    self.pending = rest;
                    if due.is_empty() {
                        gate.handle_input(self.now, Input::Timeout);
                    }
                    for (_, input) in due {
                        gate.handle_input(self.now, input);
                    }
                }
                Output::Done => return,
            }
        }
        panic!("the gate did not finish");
    }

    fn requests_of(&self, image: usize) -> Vec<&str> {
        self.sent.iter().filter(|s| s.1 == Some(image)).map(|s| s.2.as_str()).collect()
    }

    fn messages(&self) -> Vec<String> {
        self.events.iter().map(|e| format!("{:?} {:?} {}", e.image, e.kind, e.message)).collect()
    }
}

fn input(image: &str) -> ImageInput {
    ImageInput { entry: image_list::parse_image_arg(image), dockerfile_content: None, dockerfile_error: None }
}

fn config(url: &str, images: &[&str]) -> Config {
    Config { engine_url: url.into(), images: images.iter().map(|i| input(i)).collect(), ..Default::default() }
}

fn v1_record(digest: &str, status: &str) -> String {
    format!(r#"[{{"imageDigest":"{digest}","analysis_status":"{status}","image_detail":[]}}]"#)
}

fn v2_record(digest: &str, status: &str) -> String {
    format!(r#"{{"image_digest":"{digest}","analysis_status":"{status}","image_detail":[]}}"#)
}

fn not_analyzed(state: &str) -> Reply {
    Reply::Http(404, format!(r#"{{"detail":{{"error_codes":[]}},"httpcode":404,"message":"image is not analyzed - analysis_status: {state}"}}"#))
}

/// A v1 engine: one image per digest, analyzed `analysis_ms` after it was added.
fn v1_engine(digest: &'static str, analysis_ms: Millis, check: &'static str, vulns: &'static str) -> impl FnMut(&Transmit, Millis) -> Reply {
    let mut added_at = None;
    move |t, now| {
        let url = t.request.url.as_str();
        let state = |added: Option<Millis>| match added {
            Some(a) if now >= a + analysis_ms => "analyzed",
            Some(a) if now >= a + analysis_ms / 4 => "analyzing",
            _ => "not_analyzed",
        };
        if url.ends_with("/version") {
            ok(fixture!("v1-version-literal.json"))
        } else if url.contains("/images?") {
            added_at.get_or_insert(now);
            ok(v1_record(digest, "not_analyzed"))
        } else if url.contains("/check?") {
            match state(added_at) {
                "analyzed" => ok(check),
                other => not_analyzed(other),
            }
        } else if url.contains("/vuln/") {
            ok(vulns)
        } else {
            ok(v1_record(digest, state(added_at)))
        }
    }
}

#[test]
fn v1_stop_end_to_end_on_the_recorded_bodies() {
    let mut gate = Gate::new(config("http://engine:8228", &["gcr.io/jenkinsxio/builder-maven:latest"]), T0);
    let mut sim = Sim::new();
    let mut engine = v1_engine(FAIL_DIGEST, 7_000, fixture!("v1-check-fail-detail.json"), fixture!("v1-vuln-os-debian.json"));
    sim.run(&mut gate, &mut engine);

    let report = gate.report().cloned().unwrap();
    assert_eq!(report.engine.api, Some(ApiVersion::V1));
    assert_eq!(report.engine.url, "http://engine:8228");
    let image = &report.images[0];
    assert_eq!(image.status, Status::Fail, "{:?}", image.error);
    assert_eq!(image.final_action, Some(crate::policy::Action::Stop));
    assert_eq!((image.counts.stop, image.counts.warn, image.counts.go), (41, 16, 0));
    assert_eq!(image.findings.len(), 57);
    assert_eq!(image.vulnerabilities.len(), 23);
    assert_eq!(image.digest.as_deref(), Some(FAIL_DIGEST));
    assert_eq!(image.stop_action_details, "Policy evaluation failed");
    assert_eq!(report.verdict, Status::Fail);
    assert_eq!(report.exit_code, 1);
    // The engine's answers are saved by the caller under the plugin's names, once each.
    let saves: Vec<(&str, &str)> = sim.saves.iter().map(|(url, file)| (url.split('?').next().unwrap(), file.as_str())).collect();
    assert_eq!(saves, [
        (format!("GET http://engine:8228/v1/images/{FAIL_DIGEST}/check").as_str(), "anchoreengine-api-response-evaluation-1.json"),
        (format!("GET http://engine:8228/v1/images/{FAIL_DIGEST}/vuln/all").as_str(), "anchoreengine-api-response-vulnerabilities-1.json"),
    ]);

    let requests = sim.requests_of(0);
    assert_eq!(requests[0], "POST http://engine:8228/v1/images?autosubscribe=true&force=false");
    assert!(requests[1].starts_with(&format!("GET http://engine:8228/v1/images/{FAIL_DIGEST}")));
    let check = format!("GET http://engine:8228/v1/images/{FAIL_DIGEST}/check?tag=gcr.io%2Fjenkinsxio%2Fbuilder-maven%3Alatest&detail=true");
    assert!(requests.contains(&check.as_str()), "{requests:#?}");
    assert_eq!(*requests.last().unwrap(), format!("GET http://engine:8228/v1/images/{FAIL_DIGEST}/vuln/all"));
    // Polls come 1 s apart, then a sixteenth of the time waited (capped at the 5 s poll interval),
    // so the 7 s analysis is seen within about a second of its end.
    let polls: Vec<Millis> = sim.sent.iter().filter(|s| s.2.ends_with(FAIL_DIGEST)).map(|s| s.0 - T0).collect();
    let gaps: Vec<Millis> = polls.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps.windows(2).all(|g| g[1] >= g[0]) && gaps.iter().all(|g| *g <= 5_000 + sim.latency), "{gaps:?}");
    assert!(polls[0] <= 1_100, "first poll at {}", polls[0]);
    let analyzed_seen = *polls.last().unwrap();
    assert!(analyzed_seen >= 7_000 && analyzed_seen <= 7_000 + 1_000 + 2 * sim.latency, "{polls:?}");

    let kinds: Vec<EventKind> = sim.events.iter().filter(|e| e.image == Some(0)).map(|e| e.kind).collect();
    assert_eq!(kinds.first(), Some(&EventKind::Submitted));
    for kind in [EventKind::Analysis, EventKind::Analyzed, EventKind::Evaluated, EventKind::Finished] {
        assert!(kinds.contains(&kind), "{kind:?} missing from {kinds:?}");
    }
}

#[test]
fn v2_pass_with_base_image_exclusion() {
    let digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    let base = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    // Built from PolicyEvaluation in v2-openapi.yaml: no v2 body was ever recorded (SOURCES.md).
    let check = format!(
        r#"{{"policy_id":"p1","image_digest":"{digest}","evaluated_tag":"docker.io/app:1","evaluations":[{{"status":"pass","final_action":"warn","final_action_reason":"policy_evaluation","evaluation_time":"2026-01-01T00:00:00Z","details":{{"findings":[
        {{"trigger_id":"a","gate":"vulnerabilities","trigger":"package","message":"m1","action":"warn","policy_id":"p1","recommendation":"","rule_id":"r1","allowlisted":false,"allowlist_match":null,"inherited_from_base":true}},
        {{"trigger_id":"b","gate":"dockerfile","trigger":"instruction","message":"m2","action":"warn","policy_id":"p1","recommendation":"","rule_id":"r2","allowlisted":false,"allowlist_match":null,"inherited_from_base":false}}]}}}}]}}"#
    );
    let vulns = format!(
        r#"{{"image_digest":"{digest}","base_digest":"{base}","vulnerability_type":"all","vulnerabilities":[
        {{"vuln":"CVE-1","severity":"High","package":"a-1","package_name":"a","package_version":"1","package_type":"dpkg","fix":"None","url":"https://x/CVE-1","feed_group":"debian:12","inherited_from_base":true}},
        {{"vuln":"CVE-2","severity":"Low","package":"b-1","package_name":"b","package_version":"1","package_type":"npm","fix":"1.2","url":"https://x/CVE-2","feed_group":"github:npm","inherited_from_base":false}}]}}"#
    );
    let mut cfg = config("https://enterprise.example.com/v2/", &["app:1"]);
    cfg.exclude_base = true;
    cfg.policy_id = Some("p1".into());
    let mut gate = Gate::new(cfg, T0);
    let mut sim = Sim::new();
    let mut polls = 0;
    let mut engine = |t: &Transmit, _now: Millis| {
        let url = t.request.url.as_str();
        if url.contains("/images?") {
            ok(v2_record(digest, "analyzing"))
        } else if url.ends_with("/ancestors") {
            ok(format!(r#"[{{"image_digest":"{base}","chosen_base_image":true,"tags":[],"layers":[]}}]"#))
        } else if url.contains("/check?") {
            ok(check.clone())
        } else if url.contains("/vuln/") {
            ok(vulns.clone())
        } else {
            polls += 1;
            ok(v2_record(digest, if polls < 3 { "analyzing" } else { "analyzed" }))
        }
    };
    sim.run(&mut gate, &mut engine);
    let report = gate.report().cloned().unwrap();
    let image = &report.images[0];
    assert_eq!(image.status, Status::Pass, "{:?}", image.error);
    assert_eq!(image.final_action, Some(crate::policy::Action::Warn));
    assert_eq!(image.findings.len(), 1);
    assert_eq!(image.findings[0].trigger_id, "b");
    assert_eq!(image.vulnerabilities.len(), 1);
    assert_eq!(image.excluded_inherited, crate::model::ExcludedCounts { findings: 1, vulnerabilities: 1 });
    assert_eq!(image.base_digest.as_deref(), Some(base));
    assert_eq!(report.exit_code, 0);
    let requests = sim.requests_of(0);
    assert_eq!(requests[0], "POST https://enterprise.example.com/v2/images?auto_subscribe=true&force=false");
    let check_url = requests.iter().find(|r| r.contains("/check?")).unwrap();
    assert!(check_url.ends_with(&format!("&policy_id=p1&base_digest=sha256%3A{}", &base[7..])), "{check_url}");
    assert!(requests.last().unwrap().ends_with(&format!("/vuln/all?base_digest=sha256%3A{}", &base[7..])));
    assert!(!sim.sent.iter().any(|s| s.2.ends_with("/version")), "a /v2 URL needs no detection");
}

#[test]
fn analysis_failed_ends_the_image_at_once() {
    let mut cfg = config("http://e/v1", &["alpine:3.9", "debian:12"]);
    cfg.timeout_ms = 30_000;
    let mut gate = Gate::new(cfg, T0);
    let mut sim = Sim::new();
    let mut engine = |t: &Transmit, _now: Millis| {
        let digest = if t.request.body.as_deref().unwrap_or("").contains("alpine") || t.request.url.contains(PASS_DIGEST) { PASS_DIGEST } else { FAIL_DIGEST };
        if t.request.url.contains("/images?") {
            ok(v1_record(digest, "not_analyzed"))
        } else if digest == PASS_DIGEST {
            ok(v1_record(digest, "analysis_failed"))
        } else {
            ok(v1_record(digest, "analyzing"))
        }
    };
    sim.run(&mut gate, &mut engine);
    let report = gate.report().cloned().unwrap();
    let failed = report.images[0].error.as_ref().unwrap();
    assert_eq!(failed.kind, ErrorKind::AnalysisFailed);
    assert!(failed.message.contains("analysis_failed") && failed.message.contains("alpine:3.9"), "{}", failed.message);
    // One submit and one status poll: nothing more was asked about the failed image.
    assert_eq!(sim.requests_of(0).len(), 2, "{:?}", sim.requests_of(0));
    assert!(report.images[0].duration_ms < 2_000);
    // The other image was still analyzing when its own timeout came, and says so.
    let stuck = report.images[1].error.as_ref().unwrap();
    assert_eq!(stuck.kind, ErrorKind::Timeout);
    assert!(stuck.message.starts_with("timed out after 30 s waiting for analysis: the engine still reports analysis_status \"analyzing\""), "{}", stuck.message);
    assert_eq!(report.verdict, Status::Error);
    assert_eq!(report.exit_code, 2);
}

#[test]
fn unauthorized_ends_the_whole_run_after_the_first_401() {
    let images: Vec<String> = (0..5).map(|i| format!("app{i}:1")).collect();
    let refs: Vec<&str> = images.iter().map(String::as_str).collect();
    let mut cfg = config("http://admin:s3cret@e:8228/v1", &refs);
    cfg.concurrency = 2;
    let mut gate = Gate::new(cfg, T0);
    let mut sim = Sim::new();
    sim.run(&mut gate, &mut |_t, _now| Reply::Http(401, "Unauthorized".into()));
    let report = gate.report().cloned().unwrap();
    assert_eq!(sim.sent.len(), 2, "only the two requests already in flight: {:?}", sim.sent);
    assert!(report.images.iter().all(|i| i.error.as_ref().map(|e| e.kind) == Some(ErrorKind::Unauthorized)));
    assert_eq!(report.error.as_ref().unwrap().kind, ErrorKind::Unauthorized);
    assert_eq!(report.exit_code, 2);
    let everything = format!("{:?}{:?}", report, sim.events);
    assert!(!everything.contains("s3cret"), "the password leaked");
    assert!(report.error.unwrap().message.contains("--password"));
}

#[test]
fn registry_error_on_submit_is_permanent_and_explained() {
    let mut gate = Gate::new(config("http://e/v1", &["harbor:8443/testproject/alpine:latest"]), T0);
    let mut sim = Sim::new();
    sim.run(&mut gate, &mut |_t, _now| Reply::Http(400, fixture!("v1-error-400-registry-permission-denied.json").into()));
    let error = gate.report().cloned().unwrap().images[0].error.clone().unwrap();
    assert_eq!(error.kind, ErrorKind::Registry);
    assert!(error.message.starts_with("the engine could not add harbor:8443/testproject/alpine:latest: cannot fetch image digest/manifest from registry (REGISTRY_PERMISSION_DENIED)"), "{}", error.message);
    assert!(error.message.contains("authentication required"));
    assert_eq!(sim.sent.len(), 1);
}

#[test]
fn transient_faults_are_retried_with_backoff_and_retry_after() {
    let mut gate = Gate::new(config("http://e/v1", &["alpine:3.9"]), T0);
    let mut sim = Sim::new();
    let mut submits = 0;
    let mut engine = |t: &Transmit, _now: Millis| {
        let url = t.request.url.as_str();
        if url.contains("/images?") {
            submits += 1;
            match submits {
                1 => Reply::Fail(FailureKind::Network, "ECONNRESET"),
                2 => Reply::Http(503, "<html>Service Unavailable</html>".into()),
                3 => Reply::HttpRetryAfter(429, r#"{"message":"slow down"}"#.into(), "7".into()),
                _ => ok(v1_record(PASS_DIGEST, "analyzed")),
            }
        } else if url.contains("/check?") {
            ok(fixture!("v1-check-pass.json"))
        } else {
            ok(fixture!("v1-vuln-all-alpine.json"))
        }
    };
    sim.run(&mut gate, &mut engine);
    let report = gate.report().cloned().unwrap();
    assert_eq!(report.images[0].status, Status::Pass, "{:?}", report.images[0].error);
    let submit_times: Vec<Millis> = sim.sent.iter().filter(|s| s.2.contains("/images?")).map(|s| s.0).collect();
    assert_eq!(submit_times.len(), 4);
    let gaps: Vec<Millis> = submit_times.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps[0] >= 500 && gaps[0] <= 1_000 + sim.latency, "{gaps:?}");
    assert!(gaps[1] >= 1_000 && gaps[1] <= 2_000 + sim.latency, "{gaps:?}");
    assert!(gaps[2] >= 7_000, "Retry-After ignored: {gaps:?}");
    let retries: Vec<&Event> = sim.events.iter().filter(|e| e.kind == EventKind::Retrying).collect();
    assert_eq!(retries.len(), 3);
    assert!(retries[1].message.contains("HTTP 503"), "{}", retries[1].message);
    assert_eq!(report.images[0].final_action, None, "a pass without detail cannot tell GO from WARN");
    assert_eq!(report.images[0].requests, 6);
}

#[test]
fn a_timeout_names_what_kept_failing() {
    let mut cfg = config("http://e/v1", &["alpine:3.9"]);
    cfg.timeout_ms = 20_000;
    let mut gate = Gate::new(cfg, T0);
    let mut sim = Sim::new();
    let mut engine = |t: &Transmit, _now: Millis| {
        if t.request.url.contains("/images?") {
            ok(v1_record(PASS_DIGEST, "analyzed"))
        } else {
            Reply::Http(502, "Bad Gateway".into())
        }
    };
    sim.run(&mut gate, &mut engine);
    let error = gate.report().cloned().unwrap().images[0].error.clone().unwrap();
    assert_eq!(error.kind, ErrorKind::Timeout);
    assert!(error.message.starts_with("timed out after 20 s waiting for the policy evaluation (GET …/check)"), "{}", error.message);
    assert!(error.message.contains("HTTP 502 from GET /images/sha256:"), "{}", error.message);
    let ended = sim.events.iter().find(|e| e.kind == EventKind::Finished && e.image == Some(0)).unwrap();
    assert!(sim.now - T0 <= 20_000 + sim.latency, "ended at {}", sim.now - T0);
    assert_eq!(ended.level, Level::Error);
    // Bounded: backoff, not a tight loop.
    assert!(sim.sent.len() < 15, "{} requests", sim.sent.len());
}

#[test]
fn unknown_policy_ends_the_image() {
    let mut cfg = config("http://e/v1", &["alpine:3.9"]);
    cfg.policy_id = Some("no-such-bundle".into());
    let mut gate = Gate::new(cfg, T0);
    let mut sim = Sim::new();
    let mut engine = |t: &Transmit, _now: Millis| {
        if t.request.url.contains("/check?") {
            // The catalog's answer, passed through by apiext (engine source, see js/engine-double/server.js).
            Reply::Http(404, r#"{"detail":{"error_codes":[]},"httpcode":404,"message":"Policy bundle no-such-bundle not found in DB"}"#.into())
        } else {
            ok(v1_record(PASS_DIGEST, "analyzed"))
        }
    };
    sim.run(&mut gate, &mut engine);
    let error = gate.report().cloned().unwrap().images[0].error.clone().unwrap();
    assert_eq!(error.kind, ErrorKind::PolicyNotFound);
    assert!(error.message.contains("\"no-such-bundle\""), "{}", error.message);
    assert_eq!(sim.sent.iter().filter(|s| s.2.contains("/check?")).count(), 1);
}

#[test]
fn concurrency_cap_and_parallel_progress() {
    let images: Vec<String> = (0..10).map(|i| format!("app{i}:1")).collect();
    let refs: Vec<&str> = images.iter().map(String::as_str).collect();
    let digest_of = |i: usize| format!("sha256:{}", format!("{i:x}").repeat(64)[..64].to_owned());
    let mut cfg = config("http://e/v1", &refs);
    cfg.concurrency = 4;
    let mut gate = Gate::new(cfg, T0);
    let mut sim = Sim::new();
    let mut added: BTreeMap<usize, Millis> = BTreeMap::new();
    let mut engine = |t: &Transmit, now: Millis| {
        let i = t.image.unwrap();
        let url = t.request.url.as_str();
        if url.contains("/images?") {
            added.insert(i, now);
            return ok(v1_record(&digest_of(i), "not_analyzed"));
        }
        let analysis = 3_000 + 1_000 * i as Millis;
        let done = now >= added[&i] + analysis;
        if url.contains("/check?") {
            ok(fixture!("v1-check-pass.json").replace(PASS_DIGEST, &digest_of(i)))
        } else if url.contains("/vuln/") {
            ok(fixture!("v1-vuln-os-empty.json"))
        } else {
            ok(v1_record(&digest_of(i), if done { "analyzed" } else { "analyzing" }))
        }
    };
    sim.run(&mut gate, &mut engine);
    let report = gate.report().cloned().unwrap();
    assert!(report.images.iter().all(|i| i.status == Status::Pass), "{:?}", report.images.iter().map(|i| &i.error).collect::<Vec<_>>());
    // Every image is submitted at once (four requests at a time), not when an earlier one is done.
    let submits: Vec<Millis> = sim.sent.iter().filter(|s| s.2.starts_with("POST")).map(|s| s.0).collect();
    assert_eq!(submits.len(), 10);
    assert!(submits.iter().all(|t| *t <= T0 + 2 * sim.latency), "{submits:?}");
    // Never more than 4 requests in flight (an answer comes `latency` after its request).
    for (sent, _, _) in &sim.sent {
        let in_flight = sim.sent.iter().filter(|s| s.0 <= *sent && s.0 + sim.latency > *sent).count();
        assert!(in_flight <= 4, "{in_flight} requests in flight at {}", sent - T0);
    }
    // The analyses ran side by side: the slowest (12 s) bounds the run, plus a poll's lag of at
    // most a second and the evaluation and listing.
    assert!(sim.now - T0 <= 12_000 + 1_000 + 10 * sim.latency, "the run took {} ms", sim.now - T0);
}

#[test]
fn an_unreachable_engine_ends_the_run_quickly() {
    let mut gate = Gate::new(config("http://nowhere:8228", &["alpine:3.9"]), T0);
    let mut sim = Sim::new();
    sim.run(&mut gate, &mut |_t, _now| Reply::Fail(FailureKind::Network, "connect ECONNREFUSED 127.0.0.1:8228"));
    let report = gate.report().cloned().unwrap();
    let error = report.error.clone().unwrap();
    assert_eq!(error.kind, ErrorKind::EngineUnreachable);
    assert!(error.message.contains("ECONNREFUSED") && error.message.contains("http://nowhere:8228"), "{}", error.message);
    assert_eq!(sim.sent.len() as u32, UNREACHABLE_LIMIT);
    assert!(sim.now - T0 < 30_000);
    assert_eq!(report.images[0].error.as_ref().unwrap().kind, ErrorKind::EngineUnreachable);
}

#[test]
fn tls_failures_are_not_retried() {
    let mut gate = Gate::new(config("https://e/v2", &["alpine:3.9"]), T0);
    let mut sim = Sim::new();
    sim.run(&mut gate, &mut |_t, _now| Reply::Fail(FailureKind::Tls, "self-signed certificate"));
    let error = gate.report().cloned().unwrap().error.unwrap();
    assert!(error.message.contains("--ca-cert") && error.message.contains("self-signed certificate"), "{}", error.message);
    assert_eq!(sim.sent.len(), 1);
}

#[test]
fn bad_input_still_gives_every_image_a_row() {
    let mut images = vec![input("alpine:3.9"), input("Bad:Ref"), input("alpine:3.9")];
    images.push(ImageInput { entry: image_list::parse_image_arg("debian:12=Dockerfile.missing"), dockerfile_content: None, dockerfile_error: Some("ENOENT: no such file or directory".into()) });
    let cfg = Config { engine_url: "http://e/v1".into(), images, ..Default::default() };
    let mut gate = Gate::new(cfg, T0);
    let mut sim = Sim::new();
    let mut engine = |t: &Transmit, _now: Millis| {
        if t.request.url.contains("/check?") {
            ok(fixture!("v1-check-pass.json"))
        } else if t.request.url.contains("/vuln/") {
            ok(fixture!("v1-vuln-all-alpine.json"))
        } else {
            ok(v1_record(PASS_DIGEST, "analyzed"))
        }
    };
    sim.run(&mut gate, &mut engine);
    let report = gate.report().cloned().unwrap();
    let kinds: Vec<Option<ErrorKind>> = report.images.iter().map(|i| i.error.as_ref().map(|e| e.kind)).collect();
    assert_eq!(kinds, [None, Some(ErrorKind::ImageList), Some(ErrorKind::DuplicateImage), Some(ErrorKind::Dockerfile)]);
    assert!(report.images[3].error.as_ref().unwrap().message.contains("Dockerfile.missing"));
    assert_eq!(report.images[0].status, Status::Pass);
    assert_eq!(report.exit_code, 2);
    let lenient = GateOptions { fail_on_error: false, ..Default::default() };
    assert_eq!(decision::exit_code(&report.images, None, &lenient), 0);
    assert!(sim.sent.iter().all(|s| s.1 == Some(0)), "only the good image was sent");
}

#[test]
fn an_empty_list_or_a_bad_url_still_reports() {
    let mut cfg = config("http://e/v1", &[]);
    cfg.image_list_name = Some("anchore_images".into());
    let mut gate = Gate::new(cfg, T0);
    assert_eq!(gate.poll_output(), Output::Event(Event {
        kind: EventKind::Aborted,
        level: Level::Error,
        image: None,
        message: "anchore_images lists no images: add a line `IMAGE [DOCKERFILE]` per image, or pass --image".into(),
    }));
    assert!(matches!(gate.poll_output(), Output::Event(_)));
    assert_eq!(gate.poll_output(), Output::Done);
    let report = gate.report().cloned().unwrap();
    assert_eq!((report.verdict, report.exit_code), (Status::Error, 2));

    let mut gate = Gate::new(config("anchore:8228", &["alpine"]), T0);
    let mut sim = Sim::new();
    sim.run(&mut gate, &mut |_t, _now| panic!("nothing may be sent"));
    let report = gate.report().cloned().unwrap();
    assert_eq!(report.images.len(), 1);
    assert_eq!(report.images[0].error.as_ref().unwrap().kind, ErrorKind::Config);
}

#[test]
fn version_detection_picks_v2() {
    let digest = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    let mut gate = Gate::new(config("http://e:8228/", &["app:1"]), T0);
    let mut sim = Sim::new();
    sim.run(&mut gate, &mut |t, _now| {
        let url = t.request.url.as_str();
        if url.ends_with("/version") {
            assert_eq!(t.image, None);
            ok(fixture!("v2-version-literal.json"))
        } else if url.contains("/check?") {
            ok(format!(r#"{{"policy_id":"p","image_digest":"{digest}","evaluated_tag":"docker.io/app:1","evaluations":[{{"status":"pass","final_action":"go","final_action_reason":"policy_evaluation","details":{{"findings":[]}}}}]}}"#))
        } else if url.contains("/vuln/") {
            ok(format!(r#"{{"image_digest":"{digest}","vulnerability_type":"all","vulnerabilities":[]}}"#))
        } else {
            ok(v2_record(digest, "analyzed"))
        }
    });
    assert_eq!(sim.sent[0].2, "GET http://e:8228/version");
    assert_eq!(sim.sent[1].2, "POST http://e:8228/v2/images?auto_subscribe=true&force=false");
    let report = gate.report().cloned().unwrap();
    assert_eq!(report.engine.api, Some(ApiVersion::V2));
    assert_eq!(report.images[0].final_action, Some(crate::policy::Action::Go));
    assert!(sim.messages().iter().any(|m| m.contains("speaks API v2")));
}

#[test]
fn late_answers_after_an_abort_are_ignored() {
    let mut gate = Gate::new(config("http://e/v1", &["a:1", "b:1"]), T0);
    let Output::Transmit(first) = gate.poll_output() else { panic!() };
    let Output::Transmit(second) = gate.poll_output() else { panic!() };
    gate.handle_input(T0 + 5, Input::Response { id: first.id, status: 401, body: "Unauthorized".into(), retry_after: None });
    gate.handle_input(T0 + 6, Input::Response { id: second.id, status: 200, body: v1_record(PASS_DIGEST, "analyzed"), retry_after: None });
    gate.handle_input(T0 + 7, Input::Response { id: 999, status: 200, body: String::new(), retry_after: None });
    while let Output::Event(_) = gate.poll_output() {}
    assert!(gate.is_done());
    assert!(gate.report().cloned().unwrap().images.iter().all(|i| i.error.as_ref().unwrap().kind == ErrorKind::Unauthorized));
}

#[test]
fn resets_of_some_concurrent_first_attempts_do_not_end_the_run() {
    // Eight images start at once; the first attempts of four of them are reset (a bad node
    // behind a load balancer) before any answer arrives. That is one failed attempt each, not
    // four attempts at an unreachable engine: the run goes on and every image passes.
    let images: Vec<String> = (0..8).map(|i| format!("app{i}:1")).collect();
    let refs: Vec<&str> = images.iter().map(String::as_str).collect();
    let mut gate = Gate::new(config("http://e/v1", &refs), T0);
    let mut sim = Sim::new();
    let mut reset = std::collections::BTreeSet::new();
    let mut engine = |t: &Transmit, _now: Millis| {
        let url = t.request.url.as_str();
        let image = t.image.unwrap();
        if url.contains("/images?") && image < 4 && reset.insert(image) {
            Reply::Fail(FailureKind::Network, "read ECONNRESET")
        } else if url.contains("/check?") {
            ok(fixture!("v1-check-pass.json"))
        } else if url.contains("/vuln/") {
            ok(fixture!("v1-vuln-all-alpine.json"))
        } else {
            ok(v1_record(PASS_DIGEST, "analyzed"))
        }
    };
    sim.run(&mut gate, &mut engine);
    let report = gate.report().cloned().unwrap();
    assert_eq!(report.error, None, "{:?}", sim.messages());
    assert!(report.images.iter().all(|i| i.status == Status::Pass), "{:?}", sim.messages());
    assert_eq!(sim.sent.iter().filter(|s| s.2.contains("/images?")).count(), 12);
}

#[test]
fn an_engine_down_from_the_start_still_ends_the_run_after_four_attempts_of_one_request() {
    let mut gate = Gate::new(config("http://e/v1", &["a:1", "b:1", "c:1"]), T0);
    let mut sim = Sim::new();
    sim.run(&mut gate, &mut |_t, _now| Reply::Fail(FailureKind::Network, "connect ECONNREFUSED 127.0.0.1:8228"));
    let error = gate.report().cloned().unwrap().error.unwrap();
    assert_eq!(error.kind, ErrorKind::EngineUnreachable);
    assert!(error.message.contains("(4 attempts)"), "{}", error.message);
    // Each image tried at most four times, after backoffs of about 1, 2 and 4 s.
    for image in 0..3 {
        assert!(sim.requests_of(image).len() <= UNREACHABLE_LIMIT as usize);
    }
    assert!(sim.now - T0 >= 500 + 1_000 + 2_000, "no backoff before giving up: {} ms", sim.now - T0);
}

#[test]
fn a_damaged_body_is_asked_for_again_and_a_persistently_damaged_one_ends_the_image() {
    // A 200 whose body is cut off or is a proxy's HTML page is transient; JSON of the wrong shape is not.
    let check = fixture!("v1-check-pass.json");
    let mut gate = Gate::new(config("http://e/v1", &["alpine:3.9"]), T0);
    let mut sim = Sim::new();
    let mut checks = 0;
    let mut engine = |t: &Transmit, _now: Millis| {
        let url = t.request.url.as_str();
        if url.contains("/check?") {
            checks += 1;
            match checks {
                1 => ok(&check[..check.len() / 2]),
                2 => ok("<html><body>Proxy error</body></html>"),
                3 => ok(""),
                _ => ok(check),
            }
        } else if url.contains("/vuln/") {
            ok(fixture!("v1-vuln-all-alpine.json"))
        } else {
            ok(v1_record(PASS_DIGEST, "analyzed"))
        }
    };
    sim.run(&mut gate, &mut engine);
    let report = gate.report().cloned().unwrap();
    assert_eq!(report.images[0].status, Status::Pass, "{:?}", report.images[0].error);
    let retries: Vec<&Event> = sim.events.iter().filter(|e| e.kind == EventKind::Retrying).collect();
    assert_eq!(retries.len(), 3);
    assert!(retries[0].message.contains("not valid JSON"), "{}", retries[0].message);

    let mut gate = Gate::new(config("http://e/v1", &["alpine:3.9"]), T0);
    let mut sim = Sim::new();
    sim.run(&mut gate, &mut |t, _now| {
        if t.request.url.contains("/check?") { ok("[{\"sha256:") } else { ok(v1_record(PASS_DIGEST, "analyzed")) }
    });
    let error = gate.report().cloned().unwrap().images[0].error.clone().unwrap();
    assert_eq!(error.kind, ErrorKind::BadResponse);
    assert!(error.message.contains("4 times in a row with a body that is not JSON"), "{}", error.message);
    assert_eq!(sim.sent.iter().filter(|s| s.2.contains("/check?")).count(), 4);

    // Valid JSON of the wrong shape: permanent at once.
    let mut gate = Gate::new(config("http://e/v1", &["alpine:3.9"]), T0);
    let mut sim = Sim::new();
    sim.run(&mut gate, &mut |t, _now| {
        if t.request.url.contains("/check?") { ok(r#"{"unexpected": true}"#) } else { ok(v1_record(PASS_DIGEST, "analyzed")) }
    });
    assert_eq!(gate.report().cloned().unwrap().images[0].error.clone().unwrap().kind, ErrorKind::BadResponse);
    assert_eq!(sim.sent.iter().filter(|s| s.2.contains("/check?")).count(), 1);
}

#[test]
fn a_refused_url_is_reported_without_its_credentials() {
    for url in ["ftp://admin:Sekr1t@anchore/v1", "https://admin:Sek/r1t@anchore/v1", "https://anchore/v1?token=Sekr1t"] {
        let mut gate = Gate::new(config(url, &["alpine:3.9"]), T0);
        let mut sim = Sim::new();
        sim.run(&mut gate, &mut |_t, _now| panic!("nothing may be sent"));
        let report = gate.report().cloned().unwrap();
        let text = serde_json::to_string(&report).unwrap() + &sim.messages().join("\n");
        assert!(!text.contains("Sekr1t") && !text.contains("r1t@"), "{url}: {text}");
        assert_eq!(report.error.unwrap().kind, ErrorKind::Config);
        for file in crate::output::run_files(&gate.finish(), &Default::default()) {
            assert!(!file.content.contains("Sek"), "{url} in {}", file.name);
        }
    }
}
