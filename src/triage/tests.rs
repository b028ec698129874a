#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use super::*;
use crate::decision::decide;
use crate::error::{ErrorKind, GateError};
use crate::report::testdata::{finding, report, vuln};

const NOON: u64 = 1_795_953_600_000;

fn image(name: &str, action: Action) -> ImageResult {
    ImageResult {
        image: name.into(),
        policy_status: Some(if action == Action::Stop { EvalStatus::Fail } else { EvalStatus::Pass }),
        final_action: Some(action),
        ..Default::default()
    }
}

fn fixed(id: &str, severity: Severity, package: &str, fix: &str) -> Vulnerability {
    Vulnerability { fix: Some(fix.into()), ..vuln(id, severity, package) }
}

fn decided(images: Vec<ImageResult>, options: GateOptions) -> Report {
    let mut r = report(images, None);
    decide(&mut r, &options, NOON);
    r
}

#[test]
fn a_stop_fails_the_build_only_when_enforced() {
    let images = || vec![image("go:1", Action::Go), image("stop:1", Action::Stop)];
    let t = triage(&decided(images(), GateOptions::default()));
    assert_eq!((t.exit_code, t.outcome), (1, Outcome::Fails));
    assert_eq!(t.images.iter().map(|i| i.effect).collect::<Vec<_>>(), [Effect::Passes, Effect::Fails]);

    let t = triage(&decided(images(), GateOptions { fail_on_stop: false, ..Default::default() }));
    assert_eq!((t.exit_code, t.outcome), (0, Outcome::Passes));
    assert_eq!(t.images[1].effect, Effect::NotEnforced);
    assert_eq!(t.effects.get("not_enforced"), Some(&1));

    // A STOP not enforced but WARN failing under --fail-on-warn: a WARN image fails.
    let t = triage(&decided(vec![image("warn:1", Action::Warn)], GateOptions { fail_on_warn: true, ..Default::default() }));
    assert_eq!((t.outcome, t.images[0].effect), (Outcome::Fails, Effect::Fails));
}

#[test]
fn errors_and_images_without_an_evaluation() {
    let broken = ImageResult { error: Some(GateError::new(ErrorKind::AnalysisFailed, "analysis failed")), ..image("err:1", Action::Go) };
    let unevaluated = ImageResult { image: "vulns-only:1".into(), vulnerabilities: vec![vuln("CVE-1", Severity::High, "a-1")], ..Default::default() };
    let t = triage(&decided(vec![broken.clone(), unevaluated.clone()], GateOptions::default()));
    assert_eq!((t.exit_code, t.outcome), (2, Outcome::CouldNotDecide));
    assert_eq!(t.images.iter().map(|i| i.effect).collect::<Vec<_>>(), [Effect::Error, Effect::NotEvaluated]);
    let t = triage(&decided(vec![broken, unevaluated], GateOptions { fail_on_error: false, ..Default::default() }));
    assert_eq!((t.exit_code, t.outcome), (0, Outcome::Passes));
    assert_eq!(t.images[0].effect, Effect::ErrorNotEnforced);
}

#[test]
fn reasons_group_findings_by_gate_and_trigger_stop_first() {
    let mut i = image("stop:1", Action::Stop);
    i.findings = vec![
        finding("dockerfile", "instruction", Action::Warn, "w1"),
        finding("vulnerabilities", "package", Action::Stop, "CVE-A high"),
        finding("vulnerabilities", "package", Action::Stop, "CVE-B high"),
        finding("dockerfile", "instruction", Action::Warn, "w2"),
        finding("dockerfile", "instruction", Action::Warn, "w3"),
        finding("secret_scans", "content_regex_checks", Action::Stop, "AWS key"),
        finding("files", "name_match", Action::Go, "ok"),
        finding("licenses", "blacklist", Action::Warn, "GPL"),
    ];
    let t = triage(&decided(vec![i], GateOptions::default()));
    let got: Vec<(&str, &str, &str, u32, &str)> = t.images[0]
        .reasons
        .iter()
        .map(|r| (r.action.as_str(), r.gate.as_str(), r.trigger.as_str(), r.count, r.example.as_str()))
        .collect();
    assert_eq!(got, [
        ("stop", "vulnerabilities", "package", 2, "CVE-A high"),
        ("stop", "secret_scans", "content_regex_checks", 1, "AWS key"),
        ("warn", "dockerfile", "instruction", 3, "w1"),
    ]);
    assert_eq!(t.images[0].more_reasons, 1, "licenses/blacklist is left over");
}

#[test]
fn the_vulnerability_rule_is_a_reason_with_its_worst_example() {
    let mut i = image("go:1", Action::Go);
    i.vulnerabilities = vec![
        vuln("CVE-H1", Severity::High, "a-1"),
        fixed("CVE-H2", Severity::High, "b-1", "2"),
        vuln("CVE-M", Severity::Medium, "c-1"),
        vuln("CVE-L", Severity::Low, "d-1"),
    ];
    let t = triage(&decided(vec![i.clone()], GateOptions { fail_on_severity: Some(Severity::Medium), ..Default::default() }));
    assert_eq!(t.images[0].effect, Effect::Fails);
    let r = &t.images[0].reasons[0];
    assert_eq!((r.kind, r.gate.as_str(), r.action.as_str(), r.count, r.example.as_str()), ("vulnerabilities", "Medium", "High", 3, "CVE-H2 in b-1"));
    let t = triage(&decided(vec![i], GateOptions { fail_on_severity: Some(Severity::Medium), only_fixed: true, ..Default::default() }));
    assert_eq!(t.images[0].reasons[0].count, 1);
}

#[test]
fn fixes_group_by_installed_package_with_the_highest_fixed_version() {
    let mut a = image("a:1", Action::Go);
    a.vulnerabilities = vec![
        fixed("CVE-1", Severity::High, "openssl-3.0.2", "3.0.9"),
        fixed("CVE-2", Severity::Critical, "openssl-3.0.2", "3.0.13"),
        fixed("CVE-3", Severity::High, "openssl-3.0.2", "3.0.10"),
        vuln("CVE-4", Severity::Critical, "openssl-3.0.2"),
        fixed("CVE-5", Severity::Medium, "zlib-1.2", "1.3"),
    ];
    let mut b = image("b:1", Action::Go);
    b.vulnerabilities = vec![
        fixed("CVE-1", Severity::High, "openssl-3.0.2", "3.0.9"),
        fixed("CVE-6", Severity::High, "curl-7.1", "7.2"),
        fixed("CVE-7", Severity::High, "curl-7.1", "7.2"),
    ];
    let t = triage(&decided(vec![a, b], GateOptions::default()));
    type Row<'a> = (&'a str, &'a str, &'a str, u32, [u32; 6], Vec<u32>);
    let got: Vec<Row> = t
        .fixes
        .iter()
        .map(|f| (f.package_name.as_str(), f.package_version.as_str(), f.to.as_str(), f.count, f.by_severity, f.images.clone()))
        .collect();
    assert_eq!(got, [
        ("openssl", "3.0.2", "3.0.13", 3, [1, 2, 0, 0, 0, 0], vec![0, 1]),
        ("curl", "7.1", "7.2", 2, [0, 2, 0, 0, 0, 0], vec![1]),
        ("zlib", "1.2", "1.3", 1, [0, 0, 1, 0, 0, 0], vec![0]),
    ]);
    assert_eq!(t.fixes[0].examples, ["CVE-2", "CVE-1", "CVE-3"]);
}

#[test]
fn versions_compare_digit_runs_as_numbers() {
    assert_eq!(version_cmp("3.0.13", "3.0.9"), Ordering::Greater);
    assert_eq!(version_cmp("1.2.3-r1", "1.2.3-r10"), Ordering::Less);
    assert_eq!(version_cmp("1.02", "1.2"), Ordering::Equal);
    assert_eq!(version_cmp("2:1.0", "1:9.9"), Ordering::Greater);
}
