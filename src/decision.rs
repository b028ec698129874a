//! The gate decision: from what the engine said about each image to pass / fail / error per
//! image, the run's verdict and the exit code. Besides the engine's policy verdict (STOP fails),
//! opt-in rules: WARN fails too (`--fail-on-warn`, the plugin users' "UNSTABLE" request), and
//! vulnerabilities at or above a severity fail (`--fail-on-severity`, optionally only those with
//! a fix, `--only-fixed`), minus those covered by an allowlist whose entries may expire.
//!
//! [`decide`] is a pure function of a report, the options and today's date, so the same report
//! can be decided again offline (`anchore-gate evaluate`) or in the viewer with other options.

use serde::{Deserialize, Serialize};

use crate::error::GateError;
use crate::allowlist::{active_entries, AllowlistEntry, AllowlistSummary};
use crate::clock::{rfc3339, Millis};
use crate::policy::{Action, EvalStatus};
use crate::model::{self, ImageResult, Report, Status};
use crate::vuln::{Severity, Vulnerability};

/// The options that turn findings into a verdict.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GateOptions {
    /// Exit 1 when a policy says STOP (the plugin's `bailOnFail`).
    pub fail_on_stop: bool,
    /// Exit 2 after errors (the plugin's `bailOnPluginFail`).
    pub fail_on_error: bool,
    /// A policy WARN fails the image too.
    pub fail_on_warn: bool,
    /// A vulnerability at or above this severity fails the image.
    pub fail_on_severity: Option<Severity>,
    /// With `fail_on_severity`: count only vulnerabilities that have a fix.
    pub only_fixed: bool,
    pub allowlist: Vec<AllowlistEntry>,
    /// Where the allowlist came from, for messages.
    pub allowlist_source: Option<String>,
}

impl Default for GateOptions {
    fn default() -> Self {
        GateOptions {
            fail_on_stop: true,
            fail_on_error: true,
            fail_on_warn: false,
            fail_on_severity: None,
            only_fixed: false,
            allowlist: Vec::new(),
            allowlist_source: None,
        }
    }
}

/// Decides every image, the verdict and the exit code of `report` under `options` on the day
/// of `now`. Idempotent: deciding again with other options replaces the earlier decision.
pub fn decide(report: &mut Report, options: &GateOptions, now: Millis) {
    let (active, expired) = active_entries(&options.allowlist, now);
    let mut summary = AllowlistSummary {
        source: options.allowlist_source.clone(),
        entries: options.allowlist.len() as u32,
        rules: options.allowlist.clone(),
        expired,
        ..Default::default()
    };
    for image in &mut report.images {
        summary.applied += decide_image(image, options, &active);
    }
    report.options.fail_on_stop = options.fail_on_stop;
    report.options.fail_on_error = options.fail_on_error;
    report.options.fail_on_warn = options.fail_on_warn;
    report.options.fail_on_severity = options.fail_on_severity;
    report.options.only_fixed = options.only_fixed;
    report.allowlist = (!options.allowlist.is_empty() || options.allowlist_source.is_some()).then_some(summary);
    report.decided_at = Some(rfc3339(now));
    let run_error = report.error.as_ref();
    report.verdict = model::verdict(&report.images, run_error);
    report.exit_code = exit_code(&report.images, run_error, options);
    report.totals = model::totals(&report.images);
}

/// Decides one image alone (for the progress line when it finishes).
pub(crate) fn decide_image_at(image: &mut ImageResult, options: &GateOptions, now: Millis) {
    decide_image(image, options, &active_entries(&options.allowlist, now).0);
}

/// Returns how many vulnerabilities the allowlist covered.
fn decide_image(image: &mut ImageResult, options: &GateOptions, active: &[(u32, &AllowlistEntry)]) -> u32 {
    let mut covered = 0;
    for v in &mut image.vulnerabilities {
        v.allowlisted = active.iter().find(|(_, e)| e.covers(&image.image, v)).map(|(n, e)| crate::vuln::AllowlistHit {
            entry: *n,
            reason: e.reason.clone(),
            expires: e.expires.clone(),
        });
        covered += u32::from(v.allowlisted.is_some());
    }
    image.gate_failures.clear();
    if image.error.is_some() || (image.policy_status.is_none() && !image.no_policy) {
        image.status = Status::Error;
        return covered;
    }
    if image.policy_status == Some(EvalStatus::Fail) {
        let mut why = "policy: STOP".to_owned();
        if !image.stop_action_details.is_empty() {
            why.push_str(&format!(" ({})", image.stop_action_details));
        }
        if !options.fail_on_stop {
            why.push_str(" — not enforced (--no-fail-on-stop)");
        }
        image.gate_failures.push(why);
    }
    if options.fail_on_warn && image.final_action == Some(Action::Warn) {
        image.gate_failures.push(format!("policy: WARN (--fail-on-warn; warn {})", image.counts.warn));
    }
    if let Some(threshold) = options.fail_on_severity {
        let hits: Vec<&Vulnerability> = image
            .vulnerabilities
            .iter()
            .filter(|v| v.allowlisted.is_none() && v.severity <= threshold && (!options.only_fixed || v.fix.is_some()))
            .collect();
        if !hits.is_empty() {
            let mut ids: Vec<&str> = hits.iter().map(|v| v.id.as_str()).collect();
            ids.dedup();
            let shown = ids.iter().take(5).copied().collect::<Vec<_>>().join(", ");
            let more = if ids.len() > 5 { format!(" and {} more", ids.len() - 5) } else { String::new() };
            image.gate_failures.push(format!(
                "{} {}vulnerabilit{} at or above {} (--fail-on-severity): {shown}{more}",
                hits.len(),
                if options.only_fixed { "fixable " } else { "" },
                if hits.len() == 1 { "y" } else { "ies" },
                threshold.as_str()
            ));
        }
    }
    image.status = if image.gate_failures.is_empty() { Status::Pass } else { Status::Fail };
    covered
}

/// 2 for an error when errors fail; else 1 when a failure is enforced; else 0. A STOP is
/// enforced only with `fail_on_stop`; the opt-in rules are enforced whenever they are on.
pub fn exit_code(images: &[ImageResult], run_error: Option<&GateError>, options: &GateOptions) -> i32 {
    let errored = run_error.is_some() || images.is_empty() || images.iter().any(|i| i.status == Status::Error);
    let enforced = images.iter().any(|i| {
        let stop = i.policy_status == Some(EvalStatus::Fail);
        let other_rules = i.gate_failures.len() > usize::from(stop);
        (stop && options.fail_on_stop) || other_rules
    });
    if errored && options.fail_on_error {
        2
    } else if enforced {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests;
