//! The gate decision: from what the engine said about each image to pass / fail / error per
//! image, the run's verdict and the exit code. Besides the engine's policy verdict (STOP fails),
//! opt-in rules: WARN fails too (`--fail-on-warn`, the plugin users' "UNSTABLE" request), and
//! vulnerabilities at or above a severity fail (`--fail-on-severity`, optionally only those with
//! a fix, `--only-fixed`), minus those covered by an allowlist whose entries may expire.
//!
//! [`decide`] is a pure function of a report, the options and today's date, so the same report
//! can be decided again offline (`anchore-gate evaluate`) or in the viewer with other options.

use serde::{Deserialize, Serialize};

use crate::error::{ErrorKind, GateError};
use crate::gate::time::{rfc3339, Millis};
use crate::image_list;
use crate::policy::{Action, EvalStatus};
use crate::report::{self, ImageResult, Report, Status};
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

/// One allowlist entry: every field given must match; at least one of `vulnerability`,
/// `package` and `image` is given; `reason` is required; `expires` is a UTC date (the entry
/// applies through that day) or an RFC 3339 date-time.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowlistEntry {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vulnerability: Option<String>,
    /// A package name (`openssl`) or name-version as the engine writes it (`openssl-1.1.1k`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub package: Option<String>,
    /// An image reference; compared after Docker's normalisation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default)]
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// Which entry covers a vulnerability, as shown in the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowlistHit {
    /// 1-based position in the allowlist.
    pub entry: u32,
    pub reason: String,
    pub expires: Option<String>,
}

/// What the allowlist did in this run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowlistSummary {
    pub source: Option<String>,
    pub entries: u32,
    /// The entries themselves, so the report can be decided again with the same allowlist
    /// (the viewer starts from them).
    #[serde(default)]
    pub rules: Vec<AllowlistEntry>,
    /// Vulnerabilities covered, over all images.
    pub applied: u32,
    /// Entries past their expiry date: they no longer apply.
    pub expired: Vec<ExpiredEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiredEntry {
    pub entry: u32,
    pub expires: String,
    pub reason: String,
    /// The entry in short, e.g. `CVE-2019-1543 in libssl1.1`.
    pub matches: String,
}

/// Reads an allowlist already turned into JSON (the front ends read YAML or JSON files):
/// a list of entries, or `{"entries": [...]}`. Errors name the source and the entry.
pub fn parse_allowlist(json: &str, source: &str) -> Result<Vec<AllowlistEntry>, GateError> {
    let bad = |message: String| GateError::new(ErrorKind::Config, format!("{source}: {message}"));
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| bad(format!("not valid JSON: {e}")))?;
    let list = match value {
        serde_json::Value::Array(list) => list,
        serde_json::Value::Object(mut map) => match map.remove("entries") {
            Some(serde_json::Value::Array(list)) if map.is_empty() => list,
            _ => return Err(bad("expected a list of entries, or an object with only `entries: [...]`".into())),
        },
        serde_json::Value::Null => Vec::new(),
        _ => return Err(bad("expected a list of entries".into())),
    };
    let mut entries = Vec::with_capacity(list.len());
    for (i, item) in list.into_iter().enumerate() {
        let n = i + 1;
        let entry: AllowlistEntry = serde_json::from_value(item).map_err(|e| bad(format!("entry {n}: {e}")))?;
        let blank = |f: &Option<String>| f.as_deref().is_some_and(|s| s.trim().is_empty());
        if entry.vulnerability.is_none() && entry.package.is_none() && entry.image.is_none() {
            return Err(bad(format!("entry {n}: give at least one of `vulnerability`, `package`, `image`")));
        }
        if blank(&entry.vulnerability) || blank(&entry.package) || blank(&entry.image) {
            return Err(bad(format!("entry {n}: a field is empty")));
        }
        if entry.reason.trim().is_empty() {
            return Err(bad(format!("entry {n}: `reason` is required: say why this is acceptable")));
        }
        if let Some(expires) = &entry.expires {
            expiry_end(expires).map_err(|why| bad(format!("entry {n}: `expires` {why}")))?;
        }
        entries.push(entry);
    }
    Ok(entries)
}

/// The first millisecond at which an entry no longer applies.
fn expiry_end(expires: &str) -> Result<Millis, String> {
    let date = |s: &str| -> Option<(i64, u32, u32)> {
        let mut parts = s.splitn(3, '-');
        let y = parts.next()?.parse().ok()?;
        let m = parts.next()?.parse().ok()?;
        let d = parts.next()?.parse().ok()?;
        (s.len() == 10 && (1..=12).contains(&m) && (1..=days_in_month(y, m)).contains(&d)).then_some((y, m, d))
    };
    let invalid = || format!("\"{expires}\" is not a date (YYYY-MM-DD, UTC) or an RFC 3339 date-time");
    if let Some((y, m, d)) = date(expires) {
        // Through the whole day, in UTC.
        return to_millis(y, m, d, 0).map(|start| start + 86_400_000).ok_or_else(invalid);
    }
    // 2026-12-31T18:00:00Z or with an offset.
    let (day, time) = expires.split_once(['T', 't']).ok_or_else(invalid)?;
    let (y, m, d) = date(day).ok_or_else(invalid)?;
    let (clock, offset_min) = if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        (clock, 0i64)
    } else {
        let at = time.rfind(['+', '-']).ok_or_else(invalid)?;
        let (clock, offset) = time.split_at(at);
        let sign = if offset.starts_with('-') { -1 } else { 1 };
        let (h, mm) = offset[1..].split_once(':').ok_or_else(invalid)?;
        let h: i64 = h.parse().map_err(|_| invalid())?;
        let mm: i64 = mm.parse().map_err(|_| invalid())?;
        (clock, sign * (h * 60 + mm))
    };
    let mut hms = clock.split(':');
    let h: i64 = hms.next().and_then(|v| v.parse().ok()).ok_or_else(invalid)?;
    let mi: i64 = hms.next().and_then(|v| v.parse().ok()).ok_or_else(invalid)?;
    let s: f64 = hms.next().unwrap_or("0").parse().map_err(|_| invalid())?;
    if !(0..24).contains(&h) || !(0..60).contains(&mi) || !(0.0..61.0).contains(&s) {
        return Err(invalid());
    }
    let seconds = h * 3600 + mi * 60 + s as i64 - offset_min * 60;
    to_millis(y, m, d, seconds).ok_or_else(invalid)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn to_millis(y: i64, m: u32, d: u32, seconds: i64) -> Option<Millis> {
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let days = era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468;
    u64::try_from(days * 86_400 + seconds).ok().map(|s| s * 1000)
}

impl AllowlistEntry {
    fn covers(&self, image: &str, v: &Vulnerability) -> bool {
        let vuln_ok = self.vulnerability.as_deref().is_none_or(|id| id.eq_ignore_ascii_case(&v.id));
        let package_ok = self.package.as_deref().is_none_or(|p| p == v.package_name || p == v.package);
        let image_ok = self.image.as_deref().is_none_or(|i| i == image || image_list::normalize(i) == image_list::normalize(image));
        vuln_ok && package_ok && image_ok
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(v) = &self.vulnerability {
            parts.push(v.clone());
        }
        if let Some(p) = &self.package {
            parts.push(format!("in {p}"));
        }
        if let Some(i) = &self.image {
            parts.push(format!("for {i}"));
        }
        parts.join(" ")
    }
}

/// Decides every image, the verdict and the exit code of `report` under `options` on the day
/// of `now`. Idempotent: deciding again with other options replaces the earlier decision.
pub fn decide(report: &mut Report, options: &GateOptions, now: Millis) {
    let (active, expired) = active_entries(options, now);
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
    report.verdict = report::verdict(&report.images, run_error);
    report.exit_code = exit_code(&report.images, run_error, options);
    report.totals = report::totals(&report.images);
}

/// Decides one image alone (for the progress line when it finishes).
pub(crate) fn decide_image_at(image: &mut ImageResult, options: &GateOptions, now: Millis) {
    decide_image(image, options, &active_entries(options, now).0);
}

/// The entries that apply on the day of `now` (with their 1-based numbers), and the expired ones.
/// An unreadable date (refused by [`parse_allowlist`], so only from a hand-made options object)
/// does not apply: a gate errs on the side of failing.
fn active_entries(options: &GateOptions, now: Millis) -> (Vec<(u32, &AllowlistEntry)>, Vec<ExpiredEntry>) {
    let mut active = Vec::new();
    let mut expired = Vec::new();
    for (i, entry) in options.allowlist.iter().enumerate() {
        let n = i as u32 + 1;
        match entry.expires.as_deref().map(expiry_end) {
            None => active.push((n, entry)),
            Some(Ok(end)) if now < end => active.push((n, entry)),
            Some(Ok(_)) => expired.push(ExpiredEntry {
                entry: n,
                expires: entry.expires.clone().unwrap_or_default(),
                reason: entry.reason.clone(),
                matches: entry.describe(),
            }),
            Some(Err(_)) => {}
        }
    }
    (active, expired)
}

/// Returns how many vulnerabilities the allowlist covered.
fn decide_image(image: &mut ImageResult, options: &GateOptions, active: &[(u32, &AllowlistEntry)]) -> u32 {
    let mut covered = 0;
    for v in &mut image.vulnerabilities {
        v.allowlisted = active.iter().find(|(_, e)| e.covers(&image.image, v)).map(|(n, e)| AllowlistHit {
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
