#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::allowlist::parse_allowlist;
use crate::error::ErrorKind;

/// 2026-11-29T12:00:00Z
const NOON: Millis = 1_795_953_600_000;
const DAY: Millis = 86_400_000;

fn vuln(id: &str, severity: Severity, package: &str, fix: Option<&str>) -> Vulnerability {
    Vulnerability { fix: fix.map(str::to_owned), ..crate::testdata::vuln(id, severity, package) }
}

fn image(name: &str, action: Action, vulnerabilities: Vec<Vulnerability>) -> ImageResult {
    ImageResult {
        image: name.into(),
        policy_status: Some(if action == Action::Stop { EvalStatus::Fail } else { EvalStatus::Pass }),
        final_action: Some(action),
        vulnerabilities,
        ..Default::default()
    }
}

fn report(images: Vec<ImageResult>) -> Report {
    crate::testdata::report(images, None)
}

fn every_severity() -> Vec<Vulnerability> {
    vec![
        vuln("CVE-C", Severity::Critical, "a-1", Some("2")),
        vuln("CVE-H", Severity::High, "b-1", None),
        vuln("CVE-M", Severity::Medium, "c-1", Some("2")),
        vuln("CVE-L", Severity::Low, "d-1", None),
        vuln("CVE-N", Severity::Negligible, "e-1", None),
        vuln("CVE-U", Severity::Unknown, "f-1", Some("2")),
    ]
}

fn with_threshold(threshold: Option<Severity>) -> GateOptions {
    GateOptions { fail_on_severity: threshold, ..Default::default() }
}

#[test]
fn the_engine_policy_alone_decides_by_default() {
    let mut r = report(vec![image("go:1", Action::Go, every_severity()), image("warn:1", Action::Warn, vec![]), image("stop:1", Action::Stop, vec![])]);
    decide(&mut r, &GateOptions::default(), NOON);
    assert_eq!(r.images.iter().map(|i| i.status).collect::<Vec<_>>(), [Status::Pass, Status::Pass, Status::Fail]);
    assert_eq!(r.images[2].gate_failures, ["policy: STOP"]);
    assert_eq!((r.verdict, r.exit_code), (Status::Fail, 1));
    assert_eq!(r.decided_at.as_deref(), Some("2026-11-29T12:00:00.000Z"));
    assert_eq!(r.allowlist, None);
}

#[test]
fn severity_threshold_boundaries() {
    // How many of the six severities count at each threshold: at or above, Unknown lowest.
    let expected = [
        (Severity::Critical, 1),
        (Severity::High, 2),
        (Severity::Medium, 3),
        (Severity::Low, 4),
        (Severity::Negligible, 5),
        (Severity::Unknown, 6),
    ];
    for (threshold, count) in expected {
        let mut r = report(vec![image("app:1", Action::Go, every_severity())]);
        decide(&mut r, &with_threshold(Some(threshold)), NOON);
        let failure = &r.images[0].gate_failures[0];
        let noun = if count == 1 { "vulnerability" } else { "vulnerabilities" };
        assert!(failure.starts_with(&format!("{count} {noun} at or above {}", threshold.as_str())), "{threshold:?}: {failure}");
        assert_eq!((r.images[0].status, r.exit_code), (Status::Fail, 1));
    }
    // Below the threshold: nothing.
    let mut r = report(vec![image("app:1", Action::Go, vec![vuln("CVE-M", Severity::Medium, "c-1", None)])]);
    decide(&mut r, &with_threshold(Some(Severity::High)), NOON);
    assert_eq!((r.images[0].status, r.exit_code), (Status::Pass, 0));
}

#[test]
fn only_fixed_counts_what_has_a_fix() {
    let mut r = report(vec![image("app:1", Action::Go, every_severity())]);
    let options = GateOptions { fail_on_severity: Some(Severity::Medium), only_fixed: true, ..Default::default() };
    decide(&mut r, &options, NOON);
    // Critical and Medium have fixes; High has "None" (no fix) and does not count.
    assert_eq!(r.images[0].gate_failures, ["2 fixable vulnerabilities at or above Medium (--fail-on-severity): CVE-C, CVE-M"]);
    let mut r = report(vec![image("app:1", Action::Go, vec![vuln("CVE-H", Severity::High, "b-1", None)])]);
    decide(&mut r, &options, NOON);
    assert_eq!(r.images[0].status, Status::Pass);
}

#[test]
fn fail_on_warn() {
    let mut r = report(vec![image("warn:1", Action::Warn, vec![]), image("go:1", Action::Go, vec![])]);
    decide(&mut r, &GateOptions { fail_on_warn: true, ..Default::default() }, NOON);
    assert_eq!(r.images[0].status, Status::Fail);
    assert!(r.images[0].gate_failures[0].starts_with("policy: WARN (--fail-on-warn"));
    assert_eq!(r.images[1].status, Status::Pass);
    assert_eq!(r.exit_code, 1);
}

#[test]
fn which_failures_are_enforced() {
    let stop_only = || report(vec![image("stop:1", Action::Stop, vec![])]);
    let lenient = GateOptions { fail_on_stop: false, ..Default::default() };
    let mut r = stop_only();
    decide(&mut r, &lenient, NOON);
    // Still shown as failed, but not enforced.
    assert_eq!((r.images[0].status, r.verdict, r.exit_code), (Status::Fail, Status::Fail, 0));
    assert!(r.images[0].gate_failures[0].ends_with("not enforced (--no-fail-on-stop)"));
    // An opt-in rule is enforced even when STOP is not.
    let mut r = report(vec![image("stop:1", Action::Stop, every_severity())]);
    decide(&mut r, &GateOptions { fail_on_severity: Some(Severity::Critical), ..lenient.clone() }, NOON);
    assert_eq!(r.exit_code, 1);
    // An error wins, unless errors are not enforced.
    let mut errored = image("broken:1", Action::Go, vec![]);
    errored.error = Some(GateError::new(ErrorKind::AnalysisFailed, "x"));
    let mut r = report(vec![errored.clone(), image("stop:1", Action::Stop, vec![])]);
    decide(&mut r, &GateOptions::default(), NOON);
    assert_eq!((r.verdict, r.exit_code), (Status::Error, 2));
    decide(&mut r, &GateOptions { fail_on_error: false, ..Default::default() }, NOON);
    assert_eq!(r.exit_code, 1);
    decide(&mut r, &GateOptions { fail_on_error: false, fail_on_stop: false, ..Default::default() }, NOON);
    assert_eq!(r.exit_code, 0);
    // No evaluation (e.g. the vulnerability listing failed) is an error, not a pass.
    let mut half = image("half:1", Action::Go, vec![]);
    half.policy_status = None;
    let mut r = report(vec![half]);
    decide(&mut r, &GateOptions::default(), NOON);
    assert_eq!(r.images[0].status, Status::Error);
}

fn allowlist(json: &str) -> Vec<AllowlistEntry> {
    parse_allowlist(json, "allowlist.yaml").unwrap()
}

#[test]
fn allowlist_entries_match_on_every_field_given() {
    let entries = allowlist(
        r#"{"entries": [
        {"vulnerability": "cve-h", "reason": "not reachable"},
        {"package": "c-1", "reason": "vendored, patched in place"},
        {"package": "a", "image": "other/app:1", "reason": "only in the other image"},
        {"image": "docker.io/library/legacy:1", "reason": "frozen legacy image", "expires": "2027-01-31"}
    ]}"#,
    );
    let options = GateOptions { fail_on_severity: Some(Severity::Medium), allowlist: entries, allowlist_source: Some("allowlist.yaml".into()), ..Default::default() };
    let mut r = report(vec![image("app:1", Action::Go, every_severity()), image("legacy:1", Action::Go, every_severity())]);
    decide(&mut r, &options, NOON);
    let covered = |i: usize| r.images[i].vulnerabilities.iter().map(|v| v.allowlisted.as_ref().map(|h| h.entry)).collect::<Vec<_>>();
    // CVE-H by id (case-insensitive), c-1 by package; entry 3 is for another image.
    assert_eq!(covered(0), [None, Some(1), Some(2), None, None, None]);
    // Everything in the legacy image, `legacy:1` and `docker.io/library/legacy:1` being one image.
    assert_eq!(covered(1), [Some(4), Some(1), Some(2), Some(4), Some(4), Some(4)]);
    assert_eq!(r.images[0].gate_failures, ["1 vulnerability at or above Medium (--fail-on-severity): CVE-C"]);
    assert_eq!(r.images[1].status, Status::Pass);
    let hit = r.images[0].vulnerabilities[1].allowlisted.as_ref().unwrap();
    assert_eq!((hit.reason.as_str(), hit.expires.as_deref()), ("not reachable", None));
    let summary = r.allowlist.as_ref().unwrap();
    assert_eq!((summary.entries, summary.applied, summary.expired.len()), (4, 8, 0));
    assert_eq!(summary.rules, options.allowlist, "the report keeps the entries it was decided with");
    // Allowlisted rows stay in the report: shown, not hidden.
    assert_eq!(r.images[0].vulnerabilities.len(), 6);
}

#[test]
fn allowlist_expiry_is_on_the_utc_day_boundary() {
    let options = |expires: &str| GateOptions {
        fail_on_severity: Some(Severity::High),
        allowlist: allowlist(&format!(r#"[{{"vulnerability": "CVE-H", "reason": "r", "expires": "{expires}"}}]"#)),
        ..Default::default()
    };
    let last_ms_of_the_29th = NOON + DAY / 2 - 1;
    let check = |expires: &str, now: Millis| {
        let mut r = report(vec![image("app:1", Action::Go, vec![vuln("CVE-H", Severity::High, "b-1", None)])]);
        decide(&mut r, &options(expires), now);
        (r.images[0].status, r.allowlist.unwrap().expired.len())
    };
    assert_eq!(check("2026-11-29", last_ms_of_the_29th), (Status::Pass, 0), "applies through its day");
    assert_eq!(check("2026-11-29", last_ms_of_the_29th + 1), (Status::Fail, 1), "expired at midnight UTC");
    assert_eq!(check("2026-11-29T12:00:00Z", NOON - 1), (Status::Pass, 0));
    assert_eq!(check("2026-11-29T12:00:00Z", NOON), (Status::Fail, 1));
    // 13:00 at +01:00 is noon UTC.
    assert_eq!(check("2026-11-29T13:00:00+01:00", NOON), (Status::Fail, 1));
    assert_eq!(check("2026-11-29T13:00:00+01:00", NOON - 1), (Status::Pass, 0));

    let mut r = report(vec![image("app:1", Action::Go, vec![vuln("CVE-H", Severity::High, "b-1", None)])]);
    decide(&mut r, &options("2026-11-28"), NOON);
    let expired = &r.allowlist.as_ref().unwrap().expired[0];
    assert_eq!((expired.entry, expired.expires.as_str(), expired.matches.as_str()), (1, "2026-11-28", "CVE-H"));
    assert_eq!(r.images[0].vulnerabilities[0].allowlisted, None);
    assert_eq!(r.exit_code, 1);
}

#[test]
fn malformed_allowlists_name_the_entry() {
    let error = |json: &str| parse_allowlist(json, "allow.yml").unwrap_err().message;
    assert_eq!(error(r#"[{"vulnerability": "CVE-1"}]"#), "allow.yml: entry 1: `reason` is required: say why this is acceptable");
    assert!(error(r#"[{"vulnerability": "CVE-1", "reason": "r"}, {"vulnerabilty": "CVE-2", "reason": "r"}]"#)
        .starts_with("allow.yml: entry 2: unknown field `vulnerabilty`"));
    assert_eq!(error(r#"[{"reason": "everything"}]"#), "allow.yml: entry 1: give at least one of `vulnerability`, `package`, `image`");
    assert!(error(r#"[{"package": "x", "reason": "r", "expires": "2026-02-30"}]"#).starts_with("allow.yml: entry 1: `expires` \"2026-02-30\" is not a date"));
    assert!(error(r#"[{"package": "x", "reason": "r", "expires": "next week"}]"#).contains("is not a date"));
    assert!(error(r#"[{"package": " ", "reason": "r"}]"#).contains("entry 1: a field is empty"));
    assert!(error(r#"{"entries": [], "extra": 1}"#).contains("only `entries"));
    assert!(error("[1, 2").contains("not valid JSON"));
    assert_eq!(parse_allowlist("null", "empty.yml").unwrap(), []);
    assert_eq!(parse_allowlist(r#"{"entries": [{"image": "a:1", "reason": "r", "expires": "2024-02-29"}]}"#, "x").unwrap().len(), 1);
}

#[test]
fn deciding_again_replaces_the_earlier_decision() {
    let mut r = report(vec![image("app:1", Action::Go, every_severity())]);
    let strict = GateOptions {
        fail_on_severity: Some(Severity::Low),
        allowlist: allowlist(r#"[{"vulnerability": "CVE-C", "reason": "r"}]"#),
        ..Default::default()
    };
    decide(&mut r, &strict, NOON);
    assert_eq!((r.verdict, r.exit_code), (Status::Fail, 1));
    assert_eq!(r.options.fail_on_severity, Some(Severity::Low));
    decide(&mut r, &GateOptions::default(), NOON);
    assert_eq!((r.verdict, r.exit_code, r.images[0].status), (Status::Pass, 0, Status::Pass));
    assert!(r.images[0].gate_failures.is_empty());
    assert!(r.images[0].vulnerabilities.iter().all(|v| v.allowlisted.is_none()));
    assert_eq!(r.options.fail_on_severity, None);
    assert_eq!(r.totals.passed, 1);
}

#[test]
fn scanner_rows_without_a_policy_are_decided_by_the_vulnerability_rules_alone() {
    let mut grype = ImageResult { image: "scanned:1".into(), no_policy: true, vulnerabilities: every_severity(), ..Default::default() };
    grype.policy_status = None;
    let mut r = report(vec![grype]);
    decide(&mut r, &GateOptions::default(), NOON);
    assert_eq!((r.images[0].status, r.exit_code), (Status::Pass, 0));
    decide(&mut r, &with_threshold(Some(Severity::High)), NOON);
    assert_eq!((r.images[0].status, r.exit_code), (Status::Fail, 1));
    assert_eq!(r.images[0].gate_failures.len(), 1, "no policy line: {:?}", r.images[0].gate_failures);
}
