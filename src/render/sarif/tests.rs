#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use serde_json::Value;

use super::*;
use crate::testdata::{self, HOSTILE};

fn run(log: &Value) -> &Value {
    &log["runs"][0]
}

#[test]
fn sarif_rules_results_levels_and_images() {
    let log = log(&testdata::mixed());
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["$schema"], SCHEMA_URI);
    let rules = run(&log)["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    // One rule per gate/trigger and per vulnerability id, each once, in order of appearance.
    assert_eq!(ids, ["CVE-2018-16868", "dockerfile/instruction", "vulnerabilities/package", "dockerfile/effective_user", "CVE-2015-6420"]);
    assert_eq!(rules[0]["properties"]["security-severity"], "2.0");
    assert_eq!(rules[4]["properties"]["security-severity"], "8.0");
    assert_eq!(rules[4]["helpUri"], "https://nvd.nist.gov/vuln/detail/CVE-2015-6420");
    assert_eq!(rules[4]["defaultConfiguration"]["level"], "error");
    assert_eq!(rules[1]["defaultConfiguration"]["level"], "warning");
    assert_eq!(rules[3]["defaultConfiguration"]["level"], "note", "only an allowlisted STOP");

    let results = run(&log)["results"].as_array().unwrap();
    // alpine: 1 vuln; nginx: 1 finding + 1 vuln; app: 3 findings + 2 vulns; broken: none.
    assert_eq!(results.len(), 8);
    for r in results {
        let rule = &rules[r["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(r["ruleId"], rule["id"]);
        let image = r["properties"]["image"].as_str().unwrap();
        assert!(r["message"]["text"].as_str().unwrap().starts_with(&format!("{image}: ")));
        assert_eq!(r["locations"][0]["logicalLocations"][0]["name"], image);
        assert!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "anchore_images");
    }
    let levels: Vec<(&str, &str)> = results.iter().map(|r| (r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap())).collect();
    assert_eq!(levels, [
        ("CVE-2018-16868", "note"),
        ("dockerfile/instruction", "warning"),
        ("CVE-2018-16868", "note"),
        ("dockerfile/instruction", "warning"),
        ("vulnerabilities/package", "error"),
        ("dockerfile/effective_user", "error"),
        ("CVE-2015-6420", "error"),
        ("CVE-2018-16868", "note"),
    ]);
    let app_stop = &results[4];
    assert_eq!(app_stop["locations"][0]["physicalLocation"]["region"]["startLine"], 4);
    assert!(app_stop["message"]["text"].as_str().unwrap().starts_with("gcr.io/team/app:1: STOP vulnerabilities/package: HIGH Vulnerability"));
    assert!(app_stop.get("suppressions").is_none());
    assert_eq!(results[5]["suppressions"][0]["kind"], "external");
    assert_eq!(results[5]["suppressions"][0]["state"], "accepted");
    assert!(results[5]["suppressions"][0]["justification"].as_str().unwrap().contains("Global Whitelist"));
    // The same vulnerability in two images: same rule, different fingerprints.
    assert_ne!(results[0]["partialFingerprints"], results[2]["partialFingerprints"]);

    let invocation = &run(&log)["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    assert_eq!(invocation["exitCode"], 2);
    assert_eq!(invocation["startTimeUtc"], "2026-11-29T04:00:00.000Z");
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert!(notes[0]["message"]["text"].as_str().unwrap().starts_with("registry.example.com/team/broken:1: analysis_failed: "));
    assert_eq!(run(&log)["properties"]["verdict"], "error");
}

#[test]
fn sarif_fingerprints_survive_a_new_tag() {
    let a = log(&testdata::mixed());
    let mut report = testdata::mixed();
    report.images[2].image = "gcr.io/team/app:2".into();
    let b = log(&report);
    assert_eq!(run(&a)["results"][4]["partialFingerprints"], run(&b)["results"][4]["partialFingerprints"]);
    assert_eq!(repository("localhost:5000/app:1"), "localhost:5000/app");
    assert_eq!(repository("localhost:5000/app"), "localhost:5000/app");
    assert_eq!(repository("alpine@sha256:abc"), "alpine");
}

#[test]
fn sarif_locations_without_a_list_line() {
    let mut report = testdata::mixed();
    report.images[0].source = "--image".into();
    report.images[0].dockerfile = Some("services\\api/Dockerfile".into());
    report.images[1].source = "--image".into();
    report.images[1].image = "localhost:5000/team/app:1".into();
    let log = log(&report);
    let uri = |i: usize| run(&log)["results"][i]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].clone();
    assert_eq!(uri(0), "services/api/Dockerfile");
    assert_eq!(uri(1), "localhost%3A5000/team/app:1");
    assert_eq!(uri_path("a b/ü#?"), "a%20b/%C3%BC%23%3F");
}

#[test]
fn sarif_hostile_text_is_only_data() {
    let text = render(&testdata::hostile());
    let log: Value = serde_json::from_str(&text).unwrap();
    let results = run(&log)["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(results[0]["message"]["text"].as_str().unwrap().ends_with(HOSTILE));
    let rules = run(&log)["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().all(|r| r.get("helpUri").is_none()), "not a URL, so no helpUri");
    assert_eq!(rules[1]["properties"]["security-severity"], "9.5");
}

#[test]
fn sarif_run_error_and_empty_report() {
    let report = testdata::report(vec![], Some(crate::error::GateError::new(crate::error::ErrorKind::Unauthorized, "401")));
    let log = log(&report);
    assert_eq!(run(&log)["results"].as_array().unwrap().len(), 0);
    assert_eq!(run(&log)["tool"]["driver"]["rules"].as_array().unwrap().len(), 0);
    assert_eq!(run(&log)["invocations"][0]["toolExecutionNotifications"][0]["descriptor"]["id"], "unauthorized");
}

#[test]
fn sarif_results_are_capped_most_severe_first_and_unused_rules_dropped() {
    let report = testdata::mixed();
    let full = log(&report);
    assert_eq!(run(&full)["results"].as_array().unwrap().len(), 8);
    let capped = log_with_limit(&report, 3);
    let results = run(&capped)["results"].as_array().unwrap();
    let rules = run(&capped)["tool"]["driver"]["rules"].as_array().unwrap();
    // The two errors (STOP finding, High CVE), then the first warning; the allowlisted STOP goes.
    let kept: Vec<(&str, &str)> = results.iter().map(|r| (r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap())).collect();
    assert_eq!(kept, [("vulnerabilities/package", "error"), ("CVE-2015-6420", "error"), ("dockerfile/instruction", "warning")]);
    assert_eq!(results[2]["properties"]["image"], "docker.io/library/nginx:1.15");
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["dockerfile/instruction", "vulnerabilities/package", "CVE-2015-6420"]);
    for r in results {
        assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"], r["ruleId"]);
    }
    let notes = run(&capped)["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    assert!(notes.iter().any(|n| n["descriptor"]["id"] == "results-capped"
        && n["message"]["text"].as_str().unwrap().starts_with("5 of 8 results left out: GitHub code scanning accepts at most 3 per run")));
}
