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
    assert_eq!(results[5]["suppressions"][0]["status"], "accepted", "SARIF 2.1.0 final: status, not the drafts' state");
    assert!(results[5]["suppressions"][0].get("state").is_none());
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
    assert!(run(&full)["invocations"][0]["toolExecutionNotifications"].as_array().unwrap().iter().all(|n| n["descriptor"]["id"] != "results-capped"));
    let capped = log_with_limit(&report, 3);
    let results = run(&capped)["results"].as_array().unwrap();
    let rules = run(&capped)["tool"]["driver"]["rules"].as_array().unwrap();
    // Kept: the STOP finding and the High CVE (both app's), then the WARNs' first of every image
    // (nginx before app, in list order); written in report order. The allowlisted STOP goes.
    let kept: Vec<(&str, &str, &str)> =
        results.iter().map(|r| (r["properties"]["image"].as_str().unwrap(), r["ruleId"].as_str().unwrap(), r["level"].as_str().unwrap())).collect();
    assert_eq!(kept, [
        ("docker.io/library/nginx:1.15", "dockerfile/instruction", "warning"),
        ("gcr.io/team/app:1", "vulnerabilities/package", "error"),
        ("gcr.io/team/app:1", "CVE-2015-6420", "error"),
    ]);
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["dockerfile/instruction", "vulnerabilities/package", "CVE-2015-6420"]);
    for r in results {
        assert_eq!(rules[r["ruleIndex"].as_u64().unwrap() as usize]["id"], r["ruleId"]);
    }
    let notes = run(&capped)["invocations"][0]["toolExecutionNotifications"].as_array().unwrap();
    let note = notes.iter().find(|n| n["descriptor"]["id"] == "results-capped").expect("a notification says what was left out");
    assert_eq!(note["level"], "warning");
    assert_eq!(
        note["message"]["text"],
        "5 of 8 results left out of the SARIF file (1 WARN, 3 Low, 1 allowlisted); it keeps the 3 most severe, every image's first: anchore-gate.json has them all"
    );
    // write() says the same to the console and the summary.
    let cut = write(&report, 3, &mut Vec::new()).unwrap().unwrap();
    assert_eq!(cut.line(), note["message"]["text"]);
    assert_eq!(write(&report, 8, &mut Vec::new()).unwrap(), None);
    assert_eq!(run(&log_with_limit(&report, 0))["results"].as_array().unwrap().len(), 0);
}

/// Twelve images: two with thousands of Highs listed first, ten with a few STOP findings and
/// Criticals each. The cut keeps every STOP and Critical of every image before any High, and
/// within a class every image's first before any image's second.
#[test]
fn sarif_cut_ranks_across_images() {
    use crate::model::Status;
    use crate::policy::Action;
    use crate::vuln::Severity;
    let mut images = Vec::new();
    for i in 0..2 {
        let vulns = (0..3_000).map(|n| testdata::vuln(&format!("CVE-H-{n}"), Severity::High, "h-1")).collect();
        images.push(testdata::image(&format!("noisy/{i}:1"), i + 1, Status::Fail, Some(Action::Warn), vec![], vulns));
    }
    for i in 2..12 {
        let findings = (0..i as usize).map(|n| testdata::finding("vulnerabilities", &format!("stop{n}"), Action::Stop, "x")).collect();
        let mut vulns: Vec<_> = (0..3).map(|n| testdata::vuln(&format!("CVE-C-{i}-{n}"), Severity::Critical, "c-1")).collect();
        vulns.push(testdata::vuln("CVE-H-0", Severity::High, "h-1"));
        images.push(testdata::image(&format!("team/app{i}:1"), i + 1, Status::Fail, Some(Action::Stop), findings, vulns));
    }
    let report = testdata::report(images, None);
    let stops_and_criticals: usize = (2..12).map(|i| i + 3).sum(); // 95
    let max = 40;
    let log = log_with_limit(&report, max);
    let results = run(&log)["results"].as_array().unwrap();
    assert_eq!(results.len(), max);
    let of = |image: &str, level: &str| results.iter().filter(|r| r["properties"]["image"] == image && r["level"] == level).count();
    for i in 2..12 {
        // 40 over 10 images: 4 each, all STOP or Critical.
        assert_eq!(of(&format!("team/app{i}:1"), "error"), 4, "image {i}");
    }
    assert!(results.iter().all(|r| r["properties"]["severity"] != "High"), "no High before every STOP and Critical");
    let note = &run(&log)["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"];
    let left = stops_and_criticals - max;
    let cut = write(&report, max, &mut Vec::new()).unwrap().unwrap();
    let left_out: usize = cut.left_out.iter().filter(|(w, _)| *w == "STOP" || *w == "Critical").map(|(_, n)| n).sum();
    assert_eq!(left_out, left);
    assert_eq!(cut.left_out.iter().find(|(w, _)| *w == "High").map(|(_, n)| *n), Some(6_000 + 10));
    // A larger cap keeps every STOP and Critical, then Highs of every image in turn.
    let log = log_with_limit(&report, stops_and_criticals + 12);
    let results = run(&log)["results"].as_array().unwrap();
    for i in 2..12 {
        assert_eq!(results.iter().filter(|r| r["properties"]["image"] == format!("team/app{i}:1").as_str()).count(), i + 4, "image {i}");
    }
    assert_eq!(results.iter().filter(|r| r["properties"]["image"] == "noisy/0:1").count(), 1);
}

#[test]
fn sarif_rules_have_a_full_description_and_a_name_that_is_not_the_id() {
    let log = log(&testdata::mixed());
    for rule in run(&log)["tool"]["driver"]["rules"].as_array().unwrap() {
        let name = rule["name"].as_str().unwrap();
        assert_ne!(name, rule["id"].as_str().unwrap());
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric()) && name.starts_with(|c: char| c.is_ascii_uppercase()), "{name}");
        assert!(rule["fullDescription"]["text"].as_str().unwrap().len() > 40, "{rule}");
    }
    assert_eq!(friendly_name("AnchorePolicy", &["dockerfile", "effective_user"]), "AnchorePolicyDockerfileEffectiveUser");
    assert_eq!(friendly_name("Vulnerability", &["CVE-2015-6420"]), "VulnerabilityCve20156420");
}
