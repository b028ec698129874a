//! The report model: what `anchore-gate.json` holds, and the verdict derived from it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::engine::ApiVersion;
use crate::error::GateError;
use crate::allowlist::AllowlistSummary;
use crate::policy::{Action, Counts, EvalStatus, Finding};
use crate::vuln::{Severity, Vulnerability};

pub const SCHEMA: &str = "anchore-gate/report/1";

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    /// Also the state of an image nothing was decided for yet.
    #[default]
    Error,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EngineInfo {
    /// Never with credentials.
    pub url: String,
    pub api: Option<ApiVersion>,
}

/// The options that shaped the decision, so a report explains itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecisionOptions {
    pub policy_id: Option<String>,
    pub exclude_base: bool,
    pub vuln_type: String,
    pub fail_on_stop: bool,
    pub fail_on_error: bool,
    #[serde(default)]
    pub fail_on_warn: bool,
    #[serde(default)]
    pub fail_on_severity: Option<Severity>,
    #[serde(default)]
    pub only_fixed: bool,
    pub timeout_seconds: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageResult {
    pub image: String,
    /// `anchore_images:3` or `--image`.
    pub source: String,
    pub dockerfile: Option<String>,
    pub digest: Option<String>,
    /// Decided by [`crate::decision::decide`] from the policy verdict and the gate's options.
    pub status: Status,
    /// Why the gate fails the image, one line per rule; empty when it passes.
    #[serde(default)]
    pub gate_failures: Vec<String>,
    /// The engine's own verdict: `pass` for GO/WARN, `fail` for STOP; `None` without an evaluation.
    #[serde(default)]
    pub policy_status: Option<EvalStatus>,
    /// From a scanner without a policy engine (grype): only the vulnerability rules apply.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub no_policy: bool,
    pub final_action: Option<Action>,
    pub final_action_reason: Option<String>,
    /// The plugin's "Stop Action Details" (empty unless STOP).
    pub stop_action_details: String,
    pub evaluated_tag: Option<String>,
    pub policy_id: Option<String>,
    pub base_digest: Option<String>,
    /// The last `analysis_status` the engine reported.
    pub analysis_status: Option<String>,
    pub counts: Counts,
    /// Vulnerabilities per severity, after `--exclude-base`.
    pub vulnerability_counts: BTreeMap<Severity, u32>,
    pub findings: Vec<Finding>,
    pub vulnerabilities: Vec<Vulnerability>,
    /// Findings and vulnerabilities dropped by `--exclude-base`.
    pub excluded_inherited: ExcludedCounts,
    pub error: Option<GateError>,
    pub duration_ms: u64,
    pub requests: u32,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExcludedCounts {
    pub findings: u32,
    pub vulnerabilities: u32,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Totals {
    pub images: u32,
    pub passed: u32,
    pub failed: u32,
    pub errored: u32,
    pub stop: u32,
    pub warn: u32,
    pub go: u32,
    pub allowlisted: u32,
    pub vulnerabilities: BTreeMap<Severity, u32>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema: String,
    pub tool: Tool,
    pub engine: EngineInfo,
    pub verdict: Status,
    /// 0 pass, 1 STOP with fail-on-stop, 2 error with fail-on-error (2 wins over 1).
    pub exit_code: i32,
    pub started_at: String,
    pub finished_at: String,
    pub options: DecisionOptions,
    pub totals: Totals,
    /// A problem of the whole run (no images listed, bad engine URL, 401, …).
    pub error: Option<GateError>,
    /// What `--allowlist` did; `None` without one.
    #[serde(default)]
    pub allowlist: Option<AllowlistSummary>,
    /// When the decision was made (differs from `finished_at` for `anchore-gate evaluate`).
    #[serde(default)]
    pub decided_at: Option<String>,
    pub images: Vec<ImageResult>,
}

/// Any error → `error`; else any STOP → `fail`; else `pass`. A run with no images is an
/// error (the plugin passed an empty list; an empty list is almost always a broken build step).
pub fn verdict(images: &[ImageResult], run_error: Option<&GateError>) -> Status {
    if run_error.is_some() || images.is_empty() || images.iter().any(|i| i.status == Status::Error)
    {
        Status::Error
    } else if images.iter().any(|i| i.status == Status::Fail) {
        Status::Fail
    } else {
        Status::Pass
    }
}

pub fn totals(images: &[ImageResult]) -> Totals {
    let mut t = Totals {
        images: images.len() as u32,
        ..Default::default()
    };
    for i in images {
        match i.status {
            Status::Pass => t.passed += 1,
            Status::Fail => t.failed += 1,
            Status::Error => t.errored += 1,
        }
        t.stop += i.counts.stop;
        t.warn += i.counts.warn;
        t.go += i.counts.go;
        t.allowlisted += i.counts.allowlisted;
        for (severity, n) in &i.vulnerability_counts {
            *t.vulnerabilities.entry(*severity).or_default() += n;
        }
    }
    t
}

pub fn count_by_severity(vulnerabilities: &[Vulnerability]) -> BTreeMap<Severity, u32> {
    let mut counts = BTreeMap::new();
    for v in vulnerabilities {
        *counts.entry(v.severity).or_default() += 1;
    }
    counts
}
