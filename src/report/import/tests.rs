#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::report::jenkins::{anchore_gates_json, anchore_security_json, JenkinsImage};

const DETAIL_DIGEST: &str =
    "sha256:8fdd536f0caa79bb924b9c1b9451b49957322d1b07ab23def8c9a49448e5d462";
const ALPINE_DIGEST: &str =
    "sha256:d05ecd4520cab5d9e5d877595fb0532aadcd6c90f4bbc837bc11679f704c4c82";
const NOW: Millis = 1_795_000_000_000;
const HOSTILE: &str = "</script><img src=x onerror=alert(1)>&lt;b&gt; \"q\" 'q'\u{2028}";

fn file(name: &str, content: impl Into<String>) -> InputFile {
    InputFile {
        name: name.into(),
        content: content.into(),
    }
}

fn ok(files: &[InputFile]) -> Imported {
    match import(files, NOW) {
        Ok(i) => i,
        Err(e) => panic!("import failed: {e}"),
    }
}

fn err(files: &[InputFile]) -> ImportError {
    match import(files, NOW) {
        Err(e) => e,
        Ok(i) => panic!("expected an error, got {:?}", i.sources),
    }
}

/// Critical, High, Medium, Low, Negligible, Unknown.
fn severities(image: &ImageResult) -> [u32; 6] {
    let mut n = [0; 6];
    for v in &image.vulnerabilities {
        n[v.severity as usize] += 1;
    }
    n
}

fn v1_detail() -> Evaluation {
    policy::parse_v1(fixture!("v1-check-fail-detail.json"), DETAIL_DIGEST)
        .unwrap()
        .unwrap()
}

fn debian_vulns() -> Vec<Vulnerability> {
    vuln::parse(fixture!("v1-vuln-os-debian.json"))
        .unwrap()
        .vulnerabilities
}

/// A v2 policy evaluation in the PolicyEvaluation shape of v2-openapi.yaml (no v2 body was
/// ever recorded, SOURCES.md), with `text` in every string of its one finding.
fn v2_check(digest: &str, text: &str) -> String {
    let t = serde_json::to_string(text).unwrap();
    format!(
        r#"{{"policy_id":"p1","image_digest":"{digest}","evaluated_tag":"docker.io/app:1","evaluations":[{{"status":"fail","final_action":"stop","final_action_reason":"policy_evaluation","evaluation_time":"2026-01-01T00:00:00Z","details":{{"findings":[
        {{"trigger_id":{t},"gate":{t},"trigger":{t},"message":{t},"action":"stop","policy_id":{t},"recommendation":{t},"rule_id":{t},"allowlisted":false,"allowlist_match":null,"inherited_from_base":true}},
        {{"trigger_id":"b","gate":"dockerfile","trigger":"instruction","message":"m2","action":"warn","policy_id":"p1","recommendation":"","rule_id":"r2","allowlisted":true,"allowlist_match":{{"id":"al","name":"n","matched_rule_id":"x"}},"inherited_from_base":false}}]}}}}]}}"#
    )
}

fn v2_vulns(digest: &str, text: &str) -> String {
    let t = serde_json::to_string(text).unwrap();
    format!(
        r#"{{"image_digest":"{digest}","vulnerability_type":"all","vulnerabilities":[
        {{"vuln":{t},"severity":"High","package":{t},"package_name":{t},"package_version":{t},"package_type":{t},"fix":{t},"url":{t},"feed_group":{t},"inherited_from_base":true}},
        {{"vuln":"CVE-2","severity":"Low","package":"b-1","package_name":"b","package_version":"1","package_type":"npm","fix":"None","url":"https://x/CVE-2","feed_group":"github:npm","inherited_from_base":"false"}}]}}"#
    )
}

// --- raw engine bodies -----------------------------------------------------------------------

#[test]
fn raw_v1_bodies_pair_by_file_number() {
    // The debian listing's digest is redacted in the recording: the plugin's numbering pairs them.
    let got = ok(&[
        file(
            "anchoreengine-api-response-evaluation-1.json",
            fixture!("v1-check-fail-detail.json"),
        ),
        file(
            "anchoreengine-api-response-vulnerabilities-1.json",
            fixture!("v1-vuln-os-debian.json"),
        ),
    ]);
    let r = &got.report;
    assert_eq!(r.images.len(), 1);
    let i = &r.images[0];
    assert_eq!(i.image, "gcr.io/jenkinsxio/builder-maven:latest");
    assert_eq!(i.digest.as_deref(), Some(DETAIL_DIGEST));
    assert_eq!(i.final_action, Some(Action::Stop));
    assert_eq!(i.policy_status, Some(EvalStatus::Fail));
    assert_eq!(i.status, Status::Fail);
    assert_eq!(
        i.counts,
        policy::Counts {
            stop: 41,
            warn: 16,
            go: 0,
            allowlisted: 0
        }
    );
    assert_eq!(i.findings.len(), 57);
    assert_eq!(severities(i), [1, 5, 11, 1, 4, 1]);
    assert_eq!(i.vulnerability_counts.values().sum::<u32>(), 23);
    assert_eq!(i.stop_action_details, "Policy evaluation failed");
    assert_eq!(i.source, "anchoreengine-api-response-evaluation-1.json, anchoreengine-api-response-vulnerabilities-1.json");
    assert_eq!(r.engine.api, Some(ApiVersion::V1));
    assert_eq!(r.verdict, Status::Fail);
    assert_eq!(r.exit_code, 1);
    assert_eq!(r.totals.stop, 41);
    assert_eq!(r.options.vuln_type, "os");
    assert!(got.sources.iter().all(|s| s.used), "{:?}", got.sources);
    assert_eq!(got.sources[0].format, Some(Format::EngineCheckV1));
    assert_eq!(got.sources[1].format, Some(Format::EngineVulnerabilities));
}

#[test]
fn raw_v1_bodies_pair_by_digest_whatever_their_names_and_order() {
    let got = ok(&[
        file("vulns.json", fixture!("v1-vuln-all-alpine.json")),
        file("java-vulns.json", fixture!("v1-vuln-all-nvd-java.json")),
        file("check.json", fixture!("v1-check-pass.json")),
    ]);
    let images = &got.report.images;
    assert_eq!(images.len(), 2, "{images:#?}");
    // The alpine listing and check share the digest; the java listing stands alone.
    assert_eq!(images[0].image, "docker.io/alpine:3.9");
    assert_eq!(images[0].digest.as_deref(), Some(ALPINE_DIGEST));
    assert_eq!(images[0].vulnerabilities.len(), 2);
    assert_eq!(images[0].policy_status, Some(EvalStatus::Pass));
    assert_eq!(images[0].status, Status::Pass);
    assert_eq!(images[0].source, "vulns.json, check.json");
    assert_eq!(
        images[1].image,
        "sha256:91f5c377c6b3c8eabe4112057f71794a648fc7d88e06336384fb4ea1042a2dee"
    );
    assert_eq!(images[1].vulnerabilities.len(), 4);
    assert_eq!(images[1].policy_status, None, "no policy file for it");
    assert_eq!(images[1].status, Status::Error);
    assert!(images[1].findings.is_empty());
    assert_eq!(got.report.verdict, Status::Error);
}

#[test]
fn raw_v1_check_without_detail_and_empty_listing() {
    let got = ok(&[
        file("c.json", fixture!("v1-check-fail.json")),
        file("e.json", fixture!("v1-vuln-os-empty.json")),
    ]);
    let images = &got.report.images;
    assert_eq!(images.len(), 2, "the redacted digest pairs with nothing");
    assert_eq!(
        images[0].final_action,
        Some(Action::Stop),
        "a fail without detail is a STOP"
    );
    assert_eq!(images[0].status, Status::Fail);
    assert!(images[1].vulnerabilities.is_empty());
}

#[test]
fn raw_v2_bodies() {
    let d = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    let got = ok(&[
        file("check.json", v2_check(d, "t")),
        file("vuln.json", v2_vulns(d, "CVE-1")),
    ]);
    let r = &got.report;
    assert_eq!(r.engine.api, Some(ApiVersion::V2));
    let i = &r.images[0];
    assert_eq!(r.images.len(), 1);
    assert_eq!(i.image, "docker.io/app:1");
    assert_eq!(
        i.counts,
        policy::Counts {
            stop: 1,
            warn: 0,
            go: 0,
            allowlisted: 1
        }
    );
    assert_eq!(i.findings[0].inherited_from_base, Some(true));
    assert_eq!(
        i.findings[1]
            .allowlist_match
            .as_ref()
            .map(|m| m.id.as_str()),
        Some("al")
    );
    assert_eq!(i.vulnerabilities.len(), 2);
    assert_eq!(i.vulnerabilities[1].inherited_from_base, Some(false));
    assert_eq!(i.policy_id.as_deref(), Some("p1"));
    assert_eq!(i.status, Status::Fail);
}

// --- the Jenkins plugin's files, as src/report/jenkins.rs writes them -----------------------

#[test]
fn jenkins_v1_files_from_the_recorded_bodies() {
    let ev = v1_detail();
    let pass = policy::parse_v1(fixture!("v1-check-pass.json"), ALPINE_DIGEST)
        .unwrap()
        .unwrap();
    let vulns = debian_vulns();
    let alpine = vuln::parse(fixture!("v1-vuln-all-alpine.json"))
        .unwrap()
        .vulnerabilities;
    let images = [
        JenkinsImage {
            image: "gcr.io/jenkinsxio/builder-maven",
            digest: Some(DETAIL_DIGEST),
            evaluation: Some(&ev),
            vulnerabilities: Some(&vulns),
            stop_action_details: "Policy evaluation failed",
        },
        // detail=false: no table, so the plugin's v1 file has no entry for it.
        JenkinsImage {
            image: "alpine:3.9",
            digest: Some(ALPINE_DIGEST),
            evaluation: Some(&pass),
            vulnerabilities: Some(&alpine),
            stop_action_details: "",
        },
    ];
    let got = ok(&[
        file(
            "AnchoreReport/anchore_gates.json",
            anchore_gates_json(ApiVersion::V1, &images),
        ),
        file(
            "AnchoreReport/anchore_security.json",
            anchore_security_json(ApiVersion::V1, &images),
        ),
    ]);
    assert_eq!(got.sources[0].format, Some(Format::JenkinsGatesV1));
    assert_eq!(got.sources[1].format, Some(Format::JenkinsSecurity));
    let r = &got.report;
    assert_eq!(r.engine.api, Some(ApiVersion::V1));
    assert_eq!(r.images.len(), 2);
    let maven = &r.images[0];
    // The list token "gcr.io/jenkinsxio/builder-maven" and the evaluated tag "…:latest" are the same image.
    assert_eq!(maven.image, "gcr.io/jenkinsxio/builder-maven:latest");
    assert_eq!(
        maven.counts,
        policy::Counts {
            stop: 41,
            warn: 16,
            go: 0,
            allowlisted: 0
        }
    );
    assert_eq!(maven.findings, ev.findings);
    assert_eq!(maven.final_action, Some(Action::Stop));
    assert_eq!(maven.status, Status::Fail);
    assert_eq!(severities(maven), [1, 5, 11, 1, 4, 1]);
    assert_eq!(maven.vulnerabilities[0].package, vulns[0].package);
    assert_eq!(maven.vulnerabilities[0].url, vulns[0].url);
    assert_eq!(
        maven
            .vulnerabilities
            .iter()
            .filter(|v| v.fix.is_none())
            .count(),
        15,
        "\"None\" is no fix"
    );
    let alpine_image = &r.images[1];
    assert_eq!(alpine_image.image, "alpine:3.9");
    assert_eq!(alpine_image.vulnerabilities.len(), 2);
    assert_eq!(
        alpine_image.status,
        Status::Error,
        "no policy row for it in the plugin's v1 file"
    );
    assert_eq!(r.totals.stop, 41);
}

#[test]
fn jenkins_v2_files_keep_every_column() {
    let d = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    let ev = policy::parse_v2(&v2_check(d, HOSTILE)).unwrap().unwrap();
    let vulns = vuln::parse(&v2_vulns(d, HOSTILE)).unwrap().vulnerabilities;
    let images = [JenkinsImage {
        image: "app:1",
        digest: Some(d),
        evaluation: Some(&ev),
        vulnerabilities: Some(&vulns),
        stop_action_details: "Policy evaluation failed",
    }];
    let got = ok(&[
        file(
            "anchore_security.json",
            anchore_security_json(ApiVersion::V2, &images),
        ),
        file(
            "anchore_gates.json",
            anchore_gates_json(ApiVersion::V2, &images),
        ),
    ]);
    assert_eq!(got.sources[1].format, Some(Format::JenkinsGatesV2));
    let r = &got.report;
    assert_eq!(r.engine.api, Some(ApiVersion::V2));
    assert_eq!(r.images.len(), 1, "{:#?}", r.images);
    let i = &r.images[0];
    assert_eq!(i.image, "docker.io/app:1");
    assert_eq!(i.digest.as_deref(), Some(d));
    assert_eq!(
        i.findings, ev.findings,
        "every finding field survives, hostile text included"
    );
    assert_eq!(i.stop_action_details, "Policy evaluation failed");
    assert_eq!(i.counts.allowlisted, 1);
    let v = &i.vulnerabilities[0];
    assert_eq!(
        (
            v.id.as_str(),
            v.package.as_str(),
            v.fix.as_deref(),
            v.url.as_deref()
        ),
        (HOSTILE, HOSTILE, Some(HOSTILE), Some(HOSTILE))
    );
    assert_eq!(v.inherited_from_base, Some(true));
    assert_eq!(i.vulnerabilities[1].inherited_from_base, Some(false));
    assert_eq!(i.vulnerabilities[1].fix, None);
}

#[test]
fn jenkins_quirks_ui_links_old_url_cells_and_null_actions() {
    let gates = r#"[{"image_digest":"sha256:a","repo_tag":"https://ui.example/artifacts/image/docker.io/library%2Fdebian/latest/sha256:a docker.io/library/debian:latest","final_action":null,"failure_details":"","gate_results":[
        {"trigger_id":"t","gate":"g","trigger":"tr","message":null,"action":"WARN","allowlisted":false,"inherited_from_base":"true","policy_id":"p","recommendation":null,"rule_id":"r"}]}]"#;
    let security = r#"{"columns":[{"title":"Tag"},{"title":"CVE ID"},{"title":"Severity"},{"title":"Vulnerability Package"},{"title":"Fix Available"},{"title":"URL"}],
        "data":[["debian","CVE-1","critical","p-1","None","<a href='https://security-tracker.debian.org/tracker/CVE-1'>https://security-tracker.debian.org/tracker/CVE-1</a>"],
                ["debian","CVE-2","Weird",null,"2.0","None"]]}"#;
    let got = ok(&[
        file("anchore_gates.json", gates),
        file("anchore_security.json", security),
    ]);
    let i = &got.report.images[0];
    assert_eq!(
        got.report.images.len(),
        1,
        "debian and docker.io/library/debian:latest are one image"
    );
    assert_eq!(i.image, "docker.io/library/debian:latest");
    assert_eq!(i.final_action, None);
    assert_eq!(
        i.policy_status, None,
        "the plugin wrote no final action: no verdict"
    );
    assert_eq!(i.status, Status::Error);
    assert_eq!(i.findings[0].action, Action::Warn);
    assert_eq!(i.findings[0].message, "");
    assert_eq!(i.findings[0].inherited_from_base, Some(true));
    assert_eq!(
        i.vulnerabilities[0].url.as_deref(),
        Some("https://security-tracker.debian.org/tracker/CVE-1")
    );
    assert_eq!(i.vulnerabilities[0].severity, Severity::Critical);
    assert_eq!(i.vulnerabilities[1].severity, Severity::Unknown);
    assert_eq!(i.vulnerabilities[1].package, "");
    assert_eq!(i.vulnerabilities[1].fix.as_deref(), Some("2.0"));
    assert_eq!(i.vulnerabilities[1].url, None);
}

#[test]
fn empty_jenkins_files() {
    let got = ok(&[
        file("anchore_gates.json", "[]"),
        file(
            "anchore_security.json",
            r#"{"columns":[{"title":"Tag"},{"title":"CVE ID"},{"title":"Severity"}],"data":[]}"#,
        ),
    ]);
    assert!(got.report.images.is_empty());
    assert_eq!(
        got.report.verdict,
        Status::Error,
        "no images is an error, as in a run"
    );
    let got = ok(&[file("x/anchore_gates.json", "{}")]);
    assert_eq!(got.sources[0].format, Some(Format::JenkinsGatesV1));
}

// --- our own report, and several forms of one run ------------------------------------------

#[test]
fn gate_report_round_trip_and_precedence() {
    let d = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    let first = ok(&[
        file("c.json", v2_check(d, HOSTILE)),
        file("v.json", v2_vulns(d, HOSTILE)),
    ])
    .report;
    let json = serde_json::to_string_pretty(&first).unwrap();
    // A whole report folder: our report wins, the plugin's and raw files are listed as not used.
    let got = ok(&[
        file(
            "AnchoreReport/anchoreengine-api-response-evaluation-1.json",
            v2_check(d, "other"),
        ),
        file("AnchoreReport/anchore-gate.json", json.clone()),
        file("AnchoreReport/report.html", "<!doctype html>"),
        file("AnchoreReport/anchore_gates.json", "[]"),
    ]);
    assert_eq!(got.report, first, "taken as it is");
    let used: Vec<(&str, bool)> = got
        .sources
        .iter()
        .map(|s| (s.name.as_str(), s.used))
        .collect();
    assert_eq!(
        used,
        [
            (
                "AnchoreReport/anchoreengine-api-response-evaluation-1.json",
                false
            ),
            ("AnchoreReport/anchore-gate.json", true),
            ("AnchoreReport/report.html", false),
            ("AnchoreReport/anchore_gates.json", false),
        ]
    );
    assert_eq!(
        got.sources[2].note.as_deref(),
        Some("skipped: not a .json file")
    );
    assert_eq!(
        got.sources[3].note.as_deref(),
        Some("not used: the same run is read from AnchoreReport/anchore-gate.json")
    );
    assert_eq!(got.sources[1].format, Some(Format::GateReport));
    // The plugin's files beat raw bodies.
    let got = ok(&[
        file(
            "anchoreengine-api-response-evaluation-1.json",
            v2_check(d, "x"),
        ),
        file("anchore_gates.json", "[]"),
    ]);
    assert!(got.report.images.is_empty());
    assert!(!got.sources[0].used);
}

#[test]
fn a_single_file_is_read_whatever_its_name() {
    let got = ok(&[file("check.txt", fixture!("v1-check-fail-detail.json"))]);
    assert_eq!(got.report.images[0].findings.len(), 57);
}

// --- errors name the file and the field ----------------------------------------------------

#[test]
fn errors_name_the_file_and_the_field() {
    let e = err(&[]);
    assert_eq!(e.to_string(), "no files were opened");

    let e = err(&[file("a.json", "{\"x\": 1,")]);
    assert_eq!(e.file.as_deref(), Some("a.json"));
    assert!(
        e.to_string()
            .starts_with("a.json: cannot be read: not valid JSON: EOF while parsing"),
        "{e}"
    );

    let e = err(&[file("b.json", r#"{"hello": 1, "world": [2]}"#)]);
    assert_eq!(
        e.to_string(),
        "b.json: not a report file this viewer knows: expected anchore-gate.json, the Jenkins plugin's anchore_gates.json or anchore_security.json, an engine policy evaluation or vulnerability listing, or grype's JSON; found an object with the keys `hello`, `world`"
    );
    assert!(err(&[file("c.json", "42")])
        .to_string()
        .contains("neither an object nor a list"));
    assert!(err(&[file("c.json", "[]")])
        .to_string()
        .contains("found an empty list"));

    let gates = r#"[{"repo_tag":"a:1","final_action":"stop","gate_results":[{"trigger_id":"t","gate":"g","trigger":"x","message":"m","action":"go"},{"trigger_id":"t","gate":"g","trigger":"x","message":"m","action":"halt"}]}]"#;
    let e = err(&[file("AnchoreReport/anchore_gates.json", gates)]);
    assert_eq!(
        e.to_string(),
        "AnchoreReport/anchore_gates.json: not a valid Jenkins plugin anchore_gates.json (v2): unknown action `halt` (expected stop, warn or go) (at `[0].gate_results[1].action`)"
    );
    let gates = r#"[{"repo_tag":"a:1","final_action":"stop","gate_results":[{"trigger_id":"t","gate":"g","trigger":"x","message":"m","action":7}]}]"#;
    let e = err(&[file("anchore_gates.json", gates)]);
    assert_eq!(e.path, "[0].gate_results[0].action", "{e}");

    let security = r#"{"columns":[{"title":"Tag"},{"title":"Severity"}],"data":[]}"#;
    let e = err(&[file("anchore_security.json", security)]);
    assert_eq!(e.to_string(), "anchore_security.json: not a valid Jenkins plugin anchore_security.json: no `CVE ID` column (found: Tag, Severity) (at `columns`)");
    let security = r#"{"columns":[{"title":"Tag"},{"title":"CVE ID"},{"title":"Severity"}],"data":[["a","b","c"],["a","b"]]}"#;
    assert_eq!(err(&[file("s.json", security)]).path, "data[1]");

    let mut v1 = fixture!("v1-check-fail-detail.json").to_owned();
    v1 = v1.replacen("\"stop\"", "\"maybe\"", 1);
    let e = err(&[file("check.json", v1)]);
    assert!(
        e.to_string()
            .starts_with("check.json: not a valid engine policy evaluation (v1): unknown"),
        "{e}"
    );
    assert!(!e.path.is_empty());

    let tables = r#"{"c1d9": {"result": {"header": ["Image_Id","Repo_Tag","Trigger_Id","Gate","Trigger","Check_Output","Gate_Action","Whitelisted","Policy_Id"], "rows": [["c1d9","a:1","t","g","x","m","nope",false,"p"]], "final_action": "stop"}}}"#;
    let e = err(&[file("anchore_gates.json", tables)]);
    assert_eq!(e.path, "c1d9.result.rows[0][6]", "{e}");

    let report = r#"{"schema": "anchore-gate/report/9", "images": []}"#;
    let e = err(&[file("anchore-gate.json", report)]);
    assert!(
        e.to_string()
            .starts_with("anchore-gate.json: not a valid anchore-gate report: missing field"),
        "{e}"
    );

    let d = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    let mut report: serde_json::Value =
        serde_json::to_value(ok(&[file("c.json", v2_check(d, "x"))]).report).unwrap();
    report["schema"] = "anchore-gate/report/9".into();
    let e = err(&[file("r.json", report.to_string())]);
    assert_eq!(e.to_string(), "r.json: unsupported report schema `anchore-gate/report/9`: this viewer reads `anchore-gate/report/1` (at `schema`)");
    report["schema"] = report::SCHEMA.into();
    report["images"][0]["status"] = "maybe".into();
    let e = err(&[file("r.json", report.to_string())]);
    assert_eq!(e.path, "images[0].status", "{e}");

    let e = err(&[
        file(
            "a/anchore-gate.json",
            report.to_string().replace("maybe", "pass"),
        ),
        file(
            "b/anchore-gate.json",
            report.to_string().replace("maybe", "pass"),
        ),
    ]);
    assert_eq!(e.to_string(), "several anchore-gate reports were opened (a/anchore-gate.json, b/anchore-gate.json): open one run at a time");

    let e = err(&[file("a.txt", "x"), file("b.html", "y")]);
    assert!(
        e.to_string()
            .starts_with("none of the 2 files opened is a report file"),
        "{e}"
    );
}

#[test]
fn file_numbers_and_plugin_cells() {
    assert_eq!(
        file_number("AnchoreReport/anchoreengine-api-response-vulnerabilities-12.json"),
        Some(12)
    );
    assert_eq!(file_number("anchore_gates.json"), None);
    assert_eq!(file_number("check-v1.json"), None);
    assert_eq!(
        plugin_url("<a href=\"https://x/y\">https://x/y</a>"),
        "https://x/y"
    );
    assert_eq!(
        plugin_url("<A HREF='javascript:alert(1)'>z</a>"),
        "<A HREF='javascript:alert(1)'>z</a>",
        "only the lower-case form the plugin wrote"
    );
    assert_eq!(
        plugin_url(" https://x "),
        " https://x ",
        "text stays as written"
    );
    assert_eq!(
        plugin_tag("https://ui/x/sha256:a docker.io/a:1"),
        "docker.io/a:1"
    );
    assert_eq!(plugin_tag("docker.io/a:1"), "docker.io/a:1");
}

#[test]
fn import_json_is_import_as_text() {
    let d = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    let files = [file("c.json", v2_check(d, HOSTILE)), file("v.json", v2_vulns(d, HOSTILE))];
    let built = ok(&files);
    let text = import_json(&files, NOW).unwrap();
    assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), serde_json::to_value(&built).unwrap());
    // Our own report is checked, then passed on as written.
    let written = format!("\n{}\n", serde_json::to_string_pretty(&built.report).unwrap());
    let text = import_json(&[file("anchore-gate.json", written.clone())], NOW).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["report"], serde_json::to_value(&built.report).unwrap());
    assert!(text.contains(written.trim()));
    assert_eq!(value["sources"][0]["format"], "gate_report");
    let e = import_json(&[file("anchore-gate.json", "{\"schema\": 1, \"images\": []} trailing")], NOW).unwrap_err();
    assert_eq!(e.file.as_deref(), Some("anchore-gate.json"));
}

#[test]
fn grype_output_is_an_image_without_a_policy() {
    let files = [InputFile { name: "scan.json".into(), content: include_str!("../../../tests/fixtures/grype/grype-image-golden.json").into() }];
    let imported = import(&files, 0).unwrap();
    assert_eq!(imported.sources[0].format, Some(Format::Grype));
    let image = &imported.report.images[0];
    assert_eq!((image.image.as_str(), image.no_policy, image.vulnerabilities.len()), ("user-input", true, 2));
    assert_eq!(image.status, Status::Pass, "no policy and no severity rule: nothing fails");
    assert_eq!(imported.report.verdict, Status::Pass);
}

#[test]
fn our_gitlab_report_is_skipped_in_a_folder_and_refused_alone() {
    let report = crate::report::testdata::mixed();
    let files: Vec<InputFile> = crate::report::files(&report).into_iter().map(|f| file(&f.name, f.content)).collect();
    let imported = ok(&files);
    assert_eq!(imported.report.images.len(), report.images.len());
    let gitlab = imported.sources.iter().find(|s| s.name == "anchore-gate-gitlab-cs.json").expect("listed");
    assert!(!gitlab.used && gitlab.note.as_deref().unwrap().starts_with("skipped: GitLab's container-scanning report"));
    let alone = err(&files.into_iter().filter(|f| f.name == "anchore-gate-gitlab-cs.json").collect::<Vec<_>>());
    assert!(alone.to_string().contains("open anchore-gate.json"), "{alone}");
}
