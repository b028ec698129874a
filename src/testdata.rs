//! Reports for the renderers' tests (SARIF, JUnit, summary): a GO, a WARN, a STOP and an
//! errored image, with engine text that tries to break out of every format.

use serde_json::json;

use crate::error::{ErrorKind, GateError};
use crate::policy::{Action, AllowlistMatch, Counts, Finding};
use crate::model::{totals, ImageResult, Report, Status};
use crate::vuln::{Severity, Vulnerability};

/// Text that is markup in Markdown, XML, HTML and workflow commands.
pub const HOSTILE: &str =
    "</failure><x a=\"1\"> & 'q' | [link](http://evil) `code` @team %0A::error::x\nsecond line\r\u{1}end";

pub fn report(images: Vec<ImageResult>, run_error: Option<GateError>) -> Report {
    let mut report: Report = serde_json::from_value(json!({
        "schema": "anchore-gate/report/1",
        "tool": { "name": "anchore-gate", "version": "0.1.0" },
        "engine": { "url": "http://127.0.0.1:8228/v1", "api": "v1" },
        "verdict": "pass",
        "exit_code": 0,
        "started_at": "2026-11-29T04:00:00.000Z",
        "finished_at": "2026-11-29T04:01:30.250Z",
        "options": {
            "policy_id": null, "exclude_base": false, "vuln_type": "all",
            "fail_on_stop": true, "fail_on_error": true, "timeout_seconds": 1500.0
        },
        "totals": { "images": 0, "passed": 0, "failed": 0, "errored": 0, "stop": 0, "warn": 0, "go": 0,
                    "allowlisted": 0, "vulnerabilities": {} },
        "error": null,
        "images": []
    }))
    .expect("the test report deserialises");
    report.totals = totals(&images);
    report.verdict = if run_error.is_some() || report.totals.errored > 0 {
        Status::Error
    } else if report.totals.failed > 0 {
        Status::Fail
    } else {
        Status::Pass
    };
    report.exit_code = match report.verdict {
        Status::Error => 2,
        Status::Fail => 1,
        Status::Pass => 0,
    };
    report.error = run_error;
    report.images = images;
    report
}

pub fn finding(gate: &str, trigger: &str, action: Action, message: &str) -> Finding {
    Finding {
        trigger_id: format!("{gate}-{trigger}-{}", message.len()),
        gate: gate.into(),
        trigger: trigger.into(),
        message: message.into(),
        action,
        allowlisted: false,
        allowlist_match: None,
        inherited_from_base: None,
        policy_id: "48e6f7d6-1765-11e8-b5f9-8b6f228548b6".into(),
        recommendation: String::new(),
        rule_id: "rule-1".into(),
    }
}

pub fn vuln(id: &str, severity: Severity, package: &str) -> Vulnerability {
    let (name, version) = package.rsplit_once('-').unwrap_or((package, ""));
    Vulnerability {
        id: id.into(),
        severity,
        package: package.into(),
        package_name: name.into(),
        package_version: version.into(),
        package_type: "dpkg".into(),
        package_path: None,
        fix: None,
        url: Some(format!("https://nvd.nist.gov/vuln/detail/{id}")),
        feed_group: Some("debian:9".into()),
        inherited_from_base: None,
        allowlisted: None,
    }
}

pub fn image(name: &str, line: u32, status: Status, action: Option<Action>, findings: Vec<Finding>, vulns: Vec<Vulnerability>) -> ImageResult {
    let mut counts = Counts::default();
    for f in findings.iter() {
        if f.allowlisted {
            counts.allowlisted += 1;
            continue;
        }
        match f.action {
            Action::Stop => counts.stop += 1,
            Action::Warn => counts.warn += 1,
            Action::Go => counts.go += 1,
        }
    }
    ImageResult {
        image: name.into(),
        source: format!("anchore_images:{line}"),
        digest: Some(format!("sha256:{:064x}", line)),
        status,
        final_action: action,
        stop_action_details: if action == Some(Action::Stop) { "Policy evaluation failed".into() } else { String::new() },
        counts,
        vulnerability_counts: crate::model::count_by_severity(&vulns),
        findings,
        vulnerabilities: vulns,
        duration_ms: 1234,
        ..Default::default()
    }
}

/// GO, WARN, STOP (one STOP allowlisted) and an `analysis_failed` image.
pub fn mixed() -> Report {
    let mut allowlisted = finding("dockerfile", "effective_user", Action::Stop, "User root found as effective user");
    allowlisted.allowlisted = true;
    allowlisted.allowlist_match = Some(AllowlistMatch { id: "w1".into(), name: "Global Whitelist".into(), matched_rule_id: "r9".into() });
    report(
        vec![
            image("docker.io/library/alpine:3.9", 1, Status::Pass, Some(Action::Go), vec![], vec![vuln("CVE-2018-16868", Severity::Low, "libgnutls30-3.5.8")]),
            image(
                "docker.io/library/nginx:1.15",
                3,
                Status::Pass,
                Some(Action::Warn),
                vec![finding("dockerfile", "instruction", Action::Warn, "Dockerfile directive 'HEALTHCHECK' not found")],
                vec![vuln("CVE-2018-16868", Severity::Low, "libgnutls30-3.5.8")],
            ),
            image(
                "gcr.io/team/app:1",
                4,
                Status::Fail,
                Some(Action::Stop),
                vec![
                    finding("dockerfile", "instruction", Action::Warn, "Dockerfile directive 'HEALTHCHECK' not found"),
                    finding("vulnerabilities", "package", Action::Stop, "HIGH Vulnerability found in non-os package type (java) - /root/.m2/commons-collections-3.2.1.jar (CVE-2015-6420)"),
                    allowlisted,
                ],
                vec![vuln("CVE-2015-6420", Severity::High, "commons-collections-3.2.1"), vuln("CVE-2018-16868", Severity::Low, "libgnutls30-3.5.8")],
            ),
            ImageResult {
                error: Some(GateError::new(ErrorKind::AnalysisFailed, "the engine could not analyze registry.example.com/team/broken:1 (analysis_status \"analysis_failed\")")),
                ..image("registry.example.com/team/broken:1", 5, Status::Error, None, vec![], vec![])
            },
        ],
        None,
    )
}

/// One STOP image whose every engine string is [`HOSTILE`].
pub fn hostile() -> Report {
    let mut f = finding(HOSTILE, HOSTILE, Action::Stop, HOSTILE);
    f.recommendation = HOSTILE.into();
    f.trigger_id = HOSTILE.into();
    let mut v = vuln(HOSTILE, Severity::Critical, HOSTILE);
    v.url = Some(HOSTILE.into());
    v.fix = Some(HOSTILE.into());
    let mut failing = image("docker.io/x/y:1", 2, Status::Fail, Some(Action::Stop), vec![f], vec![v]);
    failing.gate_failures = vec![HOSTILE.into()];
    let errored = ImageResult {
        error: Some(GateError::new(ErrorKind::Registry, HOSTILE)),
        ..image("docker.io/x/z:1", 3, Status::Error, None, vec![], vec![])
    };
    report(vec![failing, errored], None)
}
