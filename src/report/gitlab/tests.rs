#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use serde_json::{json, Value};

use super::*;
use crate::decision::AllowlistHit;
use crate::report::testdata::{self, HOSTILE};

fn parse(report: &Report) -> Value {
    serde_json::from_str(&render(report)).expect("the GitLab report is JSON")
}

#[test]
fn one_vulnerability_per_image_and_package_with_its_location() {
    let doc = parse(&testdata::mixed());
    assert_eq!(doc["version"], "15.2.1");
    let vulns = doc["vulnerabilities"].as_array().unwrap();
    // alpine 1, nginx 1, app 2, broken 0.
    assert_eq!(vulns.len(), 4);
    let app: Vec<&Value> = vulns.iter().filter(|v| v["location"]["image"] == "gcr.io/team/app:1").collect();
    assert_eq!(
        app[0]["location"],
        json!({"dependency": {"package": {"name": "commons-collections"}, "version": "3.2.1"}, "operating_system": "debian:9", "image": "gcr.io/team/app:1"})
    );
    assert_eq!(app[0]["severity"], "High");
    assert_eq!(app[0]["name"], "CVE-2015-6420 in commons-collections");
    assert_eq!(
        app[0]["identifiers"],
        json!([{"type": "cve", "name": "CVE-2015-6420", "value": "CVE-2015-6420", "url": "https://nvd.nist.gov/vuln/detail/CVE-2015-6420"}])
    );
    assert_eq!(app[0]["description"], "High severity; dpkg package. No fix is known.");
    assert!(app[0].get("solution").is_none(), "no fix, no solution");
    // Ids are unique within the file.
    let ids: std::collections::BTreeSet<&str> = vulns.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), vulns.len());
}

#[test]
fn the_scan_block_names_analyzer_scanner_times_and_errors() {
    let doc = parse(&testdata::mixed());
    let scan = &doc["scan"];
    assert_eq!(scan["type"], "container_scanning");
    assert_eq!(scan["status"], "success");
    assert_eq!(scan["start_time"], "2026-11-29T04:00:00");
    assert_eq!(scan["end_time"], "2026-11-29T04:01:30");
    assert_eq!(scan["analyzer"]["id"], "anchore-gate");
    assert_eq!(scan["analyzer"]["version"], "0.1.0");
    assert_eq!(scan["scanner"]["name"], "Anchore Engine");
    assert_eq!(scan["messages"].as_array().unwrap().len(), 1);
    assert!(scan["messages"][0]["value"].as_str().unwrap().starts_with("registry.example.com/team/broken:1: analysis_failed: "));

    let nothing = testdata::report(vec![], Some(crate::error::GateError::new(crate::error::ErrorKind::ImageList, "anchore_images lists no images")));
    let doc = parse(&nothing);
    assert_eq!(doc["scan"]["status"], "failure");
    assert_eq!(doc["scan"]["messages"], json!([{"level": "fatal", "value": "image_list: anchore_images lists no images"}]));
    assert_eq!(doc["vulnerabilities"], json!([]));
}

#[test]
fn fix_allowlist_severity_and_duplicates() {
    let mut report = testdata::mixed();
    let app = &mut report.images[2];
    app.vulnerabilities[1].fix = Some("3.5.8-5+deb9u5".into());
    app.vulnerabilities[1].severity = Severity::Negligible;
    app.vulnerabilities[1].allowlisted = Some(AllowlistHit { entry: 2, reason: "not reachable".into(), expires: Some("2027-01-15".into()) });
    // The same package found at a second path: still one entry.
    let mut again = app.vulnerabilities[0].clone();
    again.package_path = Some("/other/commons-collections-3.2.1.jar".into());
    app.vulnerabilities.push(again);
    let doc = parse(&report);
    let app: Vec<&Value> = doc["vulnerabilities"].as_array().unwrap().iter().filter(|v| v["location"]["image"] == "gcr.io/team/app:1").collect();
    assert_eq!(app.len(), 2);
    let gnutls = app[1];
    assert_eq!(gnutls["solution"], "Upgrade libgnutls30 to 3.5.8-5+deb9u5.");
    assert_eq!(gnutls["severity"], "Low");
    let description = gnutls["description"].as_str().unwrap();
    assert!(description.starts_with("Negligible severity; dpkg package. Fixed in 3.5.8-5+deb9u5."), "{description}");
    assert!(description.ends_with("Allowlisted by entry 2 of the gate's allowlist: not reachable (until 2027-01-15)."), "{description}");
}

#[test]
fn identifier_types_links_times_and_hostile_text() {
    assert_eq!(identifier_type("CVE-2019-1543"), "cve");
    assert_eq!(identifier_type("GHSA-jfh8-c2jp-5v3q"), "ghsa");
    assert_eq!(identifier_type("RHSA-2019:4326"), "rhsa");
    assert_eq!(identifier_type("2019-1543"), "anchore");
    assert_eq!(identifier_type("CVE"), "anchore");
    assert!(link("https://x.example/a") && !link("https://") && !link("None") && !link("https://a b") && !link("javascript:alert(1)"));
    assert_eq!(gitlab_time("2026-11-29T04:22:56.123Z"), "2026-11-29T04:22:56");
    assert_eq!(gitlab_time(""), "1970-01-01T00:00:00");
    assert_eq!(gitlab_time("2026-11-29 04:22:56"), "1970-01-01T00:00:00");

    let doc = parse(&testdata::hostile());
    let v = &doc["vulnerabilities"][0];
    assert_eq!(v["identifiers"][0]["value"], HOSTILE);
    assert!(v["identifiers"][0].get("url").is_none(), "a hostile URL is not a link");
    assert!(v["name"].as_str().unwrap().chars().count() <= 255);
    assert_eq!(v["location"]["dependency"]["package"]["name"].as_str().unwrap(), HOSTILE.rsplit_once('-').map_or(HOSTILE, |(n, _)| n));
}

