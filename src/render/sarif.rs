//! SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer), from a [`Report`].
//!
//! - Rules: one per policy gate/trigger (`dockerfile/instruction`) and one per vulnerability id
//!   (`CVE-2015-6420`, with `security-severity` so code scanning ranks it).
//! - Results: one per policy finding (STOP → `error`, WARN → `warning`, GO → `note`) and one
//!   per vulnerability and package (Critical/High → `error`, Medium → `warning`, else `note`).
//!   Allowlisted ones carry a `suppressions` entry instead of disappearing.
//! - Every result names its image in the message and in `properties.image`; its location is the
//!   image list line that names the image (`anchore_images:3`), else the image's Dockerfile, else
//!   the image reference itself, so an alert points at something in the repository.
//! - Errors (an image that could not be decided, a run error) are tool execution notifications.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::policy::{Action, Finding};
use crate::render::{action_word, source_location};
use crate::model::{ImageResult, Report, Status};
use crate::vuln::{Severity, Vulnerability};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub const FILE: &str = "anchore-gate.sarif";

/// What GitHub code scanning stores of a run; `--sarif-max-results` changes it.
pub const DEFAULT_MAX_RESULTS: usize = 5_000;

/// The SARIF log, pretty-printed.
pub fn render(report: &Report) -> String {
    serde_json::to_string_pretty(&log(report)).expect("SARIF serialises")
}

/// What the SARIF file left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cut {
    pub total: usize,
    pub kept: usize,
}

impl Cut {
    /// The line for the console and the step summary.
    pub fn line(&self) -> String {
        format!(
            "the SARIF file holds {} of {} results (the most severe); anchore-gate.json has them all",
            self.kept, self.total
        )
    }
}

/// The SARIF log with at most `max_results` results, streamed into `w`; says what was left out.
pub fn write(report: &Report, max_results: usize, w: &mut dyn std::io::Write) -> std::io::Result<Option<Cut>> {
    let log = log_with_limit(report, max_results);
    let kept = log["runs"][0]["results"].as_array().map_or(0, Vec::len);
    let total: usize = report.images.iter().map(|i| i.findings.len() + i.vulnerabilities.len()).sum();
    serde_json::to_writer_pretty(w, &log)?;
    Ok((kept < total).then_some(Cut { total, kept }))
}

/// GitHub code scanning rejects a run with more results than this.
pub const MAX_RESULTS: usize = 25_000;

/// The SARIF log as a JSON value.
pub fn log(report: &Report) -> Value {
    log_with_limit(report, MAX_RESULTS)
}

/// [`log`] with at most `max_results` results: past that, the most severe are kept (errors, then
/// warnings, then notes, then allowlisted ones, each in report order), the rules only the left-out
/// results used are dropped, and a warning notification says how many were left out.
pub fn log_with_limit(report: &Report, max_results: usize) -> Value {
    let mut rules = Rules::default();
    let mut results = Vec::new();
    for image in &report.images {
        for finding in &image.findings {
            let index = rules.policy(finding);
            results.push(finding_result(image, finding, index));
        }
        for vuln in &image.vulnerabilities {
            let index = rules.vulnerability(vuln);
            results.push(vuln_result(image, vuln, index));
        }
    }
    let mut notifications = Vec::new();
    let total = results.len();
    if total > max_results {
        // Suppressed (allowlisted) last; stable, so within a level report order stays.
        results.sort_by_key(|r| {
            let rank = if r.get("suppressions").is_some() { 0 } else { level_rank(r["level"].as_str().unwrap_or("note")) };
            std::cmp::Reverse(rank)
        });
        results.truncate(max_results);
        let mut used: Vec<usize> = results.iter().filter_map(|r| r["ruleIndex"].as_u64()).map(|i| i as usize).collect();
        used.sort_unstable();
        used.dedup();
        let mut remap = vec![usize::MAX; rules.list.len()];
        for (new, &old) in used.iter().enumerate() {
            remap[old] = new;
        }
        for r in &mut results {
            let old = r["ruleIndex"].as_u64().unwrap_or(0) as usize;
            r["ruleIndex"] = json!(remap[old]);
        }
        let list = std::mem::take(&mut rules.list);
        rules.list = list.into_iter().enumerate().filter(|(i, _)| remap[*i] != usize::MAX).map(|(_, rule)| rule).collect();
        notifications.push(json!({
            "level": "warning",
            "message": { "text": format!(
                "{} of {total} results left out: GitHub code scanning accepts at most {max_results} per run; the most severe are kept and anchore-gate.json has them all",
                total - max_results
            ) },
            "descriptor": { "id": "results-capped" },
        }));
    }
    if let Some(error) = &report.error {
        notifications.push(json!({
            "level": "error",
            "message": { "text": format!("{}: {}", error.kind.as_str(), error.message) },
            "descriptor": { "id": error.kind.as_str() },
        }));
    }
    for image in report.images.iter().filter(|i| i.status == Status::Error) {
        let (kind, message) = match &image.error {
            Some(e) => (e.kind.as_str(), e.message.as_str()),
            None => ("error", "no complete decision"),
        };
        notifications.push(json!({
            "level": "error",
            "message": { "text": format!("{}: {kind}: {message}", image.image) },
            "descriptor": { "id": kind },
            "locations": [location(image)],
            "properties": { "image": image.image },
        }));
    }
    let mut invocation = json!({
        "executionSuccessful": !notifications.iter().any(|n| n["level"] == "error"),
        "exitCode": report.exit_code,
    });
    invocation["toolExecutionNotifications"] = Value::Array(notifications);
    if is_timestamp(&report.started_at) && is_timestamp(&report.finished_at) {
        invocation["startTimeUtc"] = json!(report.started_at);
        invocation["endTimeUtc"] = json!(report.finished_at);
    }
    let mut engine = Map::new();
    engine.insert("url".into(), json!(report.engine.url));
    if let Some(api) = report.engine.api {
        engine.insert("api".into(), json!(api.as_str()));
    }
    // `json!` copies every interpolated `Value` through `to_value`: the big parts (rules,
    // results) and the built ones are moved in afterwards instead.
    let mut run = json!({
        "tool": { "driver": {
            "name": report.tool.name,
            "version": report.tool.version,
            "semanticVersion": report.tool.version,
        }},
        "columnKind": "unicodeCodePoints",
        "properties": {
            "verdict": report.verdict,
            "exitCode": report.exit_code,
            "totals": report.totals,
        },
    });
    run["tool"]["driver"]["rules"] = Value::Array(rules.list);
    run["invocations"] = Value::Array(vec![invocation]);
    run["results"] = Value::Array(results);
    run["properties"]["engine"] = Value::Object(engine);
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [run],
    })
}

#[derive(Default)]
struct Rules {
    list: Vec<Value>,
    index: BTreeMap<String, usize>,
    /// Per rule, the most severe level any result gave it.
    levels: Vec<u8>,
}

impl Rules {
    fn add(&mut self, id: String, rule: impl FnOnce() -> Value, level: &str) -> usize {
        let index = match self.index.get(&id) {
            Some(&i) => i,
            None => {
                self.list.push(rule());
                self.levels.push(0);
                self.index.insert(id, self.list.len() - 1);
                self.list.len() - 1
            }
        };
        let rank = level_rank(level);
        if rank > self.levels[index] {
            self.levels[index] = rank;
            self.list[index]["defaultConfiguration"] = json!({ "level": level });
        }
        index
    }

    fn policy(&mut self, finding: &Finding) -> usize {
        let id = policy_rule_id(finding);
        let level = if finding.allowlisted { "note" } else { action_level(finding.action) };
        self.add(
            id.clone(),
            || {
                let mut help = format!(
                    "The Anchore policy's {:?} gate, trigger {:?}, matched. The policy rule decides the action (STOP, WARN or GO).",
                    finding.gate, finding.trigger
                );
                if !finding.recommendation.is_empty() {
                    help.push_str(" Recommendation: ");
                    help.push_str(&finding.recommendation);
                }
                json!({
                    "id": id,
                    "name": id,
                    "shortDescription": { "text": format!("Anchore policy: gate {}, trigger {}", finding.gate, finding.trigger) },
                    "help": { "text": help },
                    "properties": { "tags": ["anchore-policy", finding.gate] },
                })
            },
            level,
        )
    }

    fn vulnerability(&mut self, vuln: &Vulnerability) -> usize {
        let id = if vuln.id.is_empty() { "unknown-vulnerability".to_owned() } else { vuln.id.clone() };
        let level = if vuln.allowlisted.is_some() { "note" } else { severity_level(vuln.severity) };
        let index = self.add(
            id.clone(),
            || {
                let mut rule = json!({
                    "id": id,
                    "name": id,
                    "shortDescription": { "text": format!("{} ({})", id, vuln.severity.as_str()) },
                    "help": { "text": format!("{} is a {} severity vulnerability{}.", id, vuln.severity.as_str(),
                        vuln.url.as_deref().map(|u| format!(": {u}")).unwrap_or_default()) },
                    "properties": { "tags": ["security", "vulnerability", vuln.severity.as_str().to_ascii_lowercase()] },
                });
                if let Some(url) = vuln.url.as_deref().filter(|u| u.starts_with("https://") || u.starts_with("http://")) {
                    if !url.chars().any(|c| c.is_whitespace() || c.is_control()) {
                        rule["helpUri"] = json!(url);
                    }
                }
                rule
            },
            level,
        );
        // The most severe rating any image's engine gave this id.
        let rule = &mut self.list[index];
        let new = security_severity(vuln.severity);
        let old = rule["properties"]["security-severity"].as_str().and_then(|s| s.parse::<f32>().ok());
        if let Some(new) = new {
            let higher = match old {
                Some(old) => new.parse::<f32>().unwrap_or(0.0) > old,
                None => true,
            };
            if higher {
                rule["properties"]["security-severity"] = json!(new);
            }
        }
        index
    }
}

fn policy_rule_id(finding: &Finding) -> String {
    let part = |s: &str| if s.is_empty() { "unknown".to_owned() } else { s.to_owned() };
    format!("{}/{}", part(&finding.gate), part(&finding.trigger))
}

fn finding_result(image: &ImageResult, finding: &Finding, rule_index: usize) -> Value {
    let id = policy_rule_id(finding);
    let mut result = json!({
        "ruleId": id,
        "ruleIndex": rule_index,
        "level": action_level(finding.action),
        "message": { "text": format!("{}: {} {}: {}", image.image, action_word(finding.action), id, finding.message) },
        "partialFingerprints": { "anchoreGateFinding/v1": fingerprint(&[&repository(&image.image), &id, &finding.trigger_id]) },
    });
    result["locations"] = Value::Array(vec![location(image)]);
    result["properties"] = properties(image, [
            ("action", json!(finding.action)),
            ("triggerId", json!(finding.trigger_id)),
            ("policyId", json!(finding.policy_id)),
            ("ruleId", json!(finding.rule_id)),
            ("recommendation", json!(finding.recommendation)),
            ("inheritedFromBase", json!(finding.inherited_from_base)),
        ]);
    if finding.allowlisted {
        let justification = match &finding.allowlist_match {
            Some(m) => format!("allowlisted by the policy's allowlist {:?} (rule {})", m.name, m.matched_rule_id),
            None => "allowlisted by the policy's allowlist".to_owned(),
        };
        result["suppressions"] = json!([{ "kind": "external", "state": "accepted", "justification": justification }]);
    }
    result
}

fn vuln_result(image: &ImageResult, vuln: &Vulnerability, rule_index: usize) -> Value {
    let id = if vuln.id.is_empty() { "unknown-vulnerability" } else { &vuln.id };
    let fix = match vuln.fix.as_deref() {
        Some(fix) => format!("fixed in {fix}"),
        None => "no fix available".to_owned(),
    };
    let path = vuln.package_path.as_deref().filter(|p| !p.is_empty()).map(|p| format!(" at {p}")).unwrap_or_default();
    let mut result = json!({
        "ruleId": id,
        "ruleIndex": rule_index,
        "level": severity_level(vuln.severity),
        "message": { "text": format!("{}: {} ({}) in {} ({}){path}; {fix}", image.image, id, vuln.severity.as_str(), vuln.package, vuln.package_type) },
        "partialFingerprints": { "anchoreGateVulnerability/v1": fingerprint(&[&repository(&image.image), id, &vuln.package, vuln.package_path.as_deref().unwrap_or("")]) },
    });
    result["locations"] = Value::Array(vec![location(image)]);
    result["properties"] = properties(image, [
            ("severity", json!(vuln.severity.as_str())),
            ("package", json!(vuln.package)),
            ("packageType", json!(vuln.package_type)),
            ("packagePath", json!(vuln.package_path)),
            ("fix", json!(vuln.fix)),
            ("feedGroup", json!(vuln.feed_group)),
            ("inheritedFromBase", json!(vuln.inherited_from_base)),
        ]);
    if let Some(hit) = &vuln.allowlisted {
        let mut justification = format!("allowlisted by entry {} of the gate's allowlist: {}", hit.entry, hit.reason);
        if let Some(expires) = &hit.expires {
            justification.push_str(&format!(" (until {expires})"));
        }
        result["suppressions"] = json!([{ "kind": "external", "state": "accepted", "justification": justification }]);
    }
    result
}

fn properties<const N: usize>(image: &ImageResult, extra: [(&str, Value); N]) -> Value {
    let mut map = Map::new();
    map.insert("image".into(), json!(image.image));
    map.insert("imageSource".into(), json!(image.source));
    if let Some(digest) = &image.digest {
        map.insert("imageDigest".into(), json!(digest));
    }
    if let Some(action) = image.final_action {
        map.insert("imageFinalAction".into(), json!(action));
    }
    for (key, value) in extra {
        if !value.is_null() {
            map.insert(key.into(), value);
        }
    }
    Value::Object(map)
}

/// Where a result about `image` points: the image list line, else the Dockerfile, else the
/// image reference as a relative URI.
fn location(image: &ImageResult) -> Value {
    let logical = json!([{ "name": image.image, "kind": "container-image" }]);
    if let Some((file, line)) = source_location(&image.source) {
        return json!({
            "physicalLocation": { "artifactLocation": { "uri": uri_path(file) }, "region": { "startLine": line } },
            "logicalLocations": logical,
        });
    }
    let uri = match image.dockerfile.as_deref().filter(|d| !d.is_empty()) {
        Some(dockerfile) => uri_path(dockerfile),
        None => uri_path(&image.image),
    };
    json!({
        "physicalLocation": { "artifactLocation": { "uri": uri } },
        "logicalLocations": logical,
    })
}

/// A path as a relative URI reference: `\` → `/`, and everything outside RFC 3986 path
/// characters percent-encoded, including a `:` in the first segment (it would read as a scheme).
pub(crate) fn uri_path(path: &str) -> String {
    let path = path.replace('\\', "/");
    let mut out = String::with_capacity(path.len());
    let mut first_segment = true;
    for c in path.chars() {
        if c == '/' {
            first_segment = false;
        }
        let keep = c.is_ascii_alphanumeric()
            || matches!(c, '-' | '.' | '_' | '~' | '/' | '!' | '$' | '&' | '\'' | '(' | ')' | '*' | '+' | ',' | ';' | '=' | '@')
            || (c == ':' && !first_segment);
        if keep {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// The image without its tag or digest, so a fingerprint survives a new tag of the same image.
fn repository(image: &str) -> String {
    let name = image.split('@').next().unwrap_or(image);
    match name.rfind(':') {
        Some(at) if !name[at..].contains('/') => name[..at].to_owned(),
        _ => name.to_owned(),
    }
}

/// 64-bit FNV-1a of the parts, as hex: stable across runs and platforms.
fn fingerprint(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0u8)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

fn action_level(action: Action) -> &'static str {
    match action {
        Action::Stop => "error",
        Action::Warn => "warning",
        Action::Go => "note",
    }
}

fn severity_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Negligible | Severity::Unknown => "note",
    }
}

fn level_rank(level: &str) -> u8 {
    match level {
        "error" => 3,
        "warning" => 2,
        _ => 1,
    }
}

/// GitHub's code scanning ranks by `security-severity`: ≥ 9 critical, ≥ 7 high, ≥ 4 medium, > 0 low.
fn security_severity(severity: Severity) -> Option<&'static str> {
    match severity {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("2.0"),
        Severity::Negligible => Some("0.5"),
        Severity::Unknown => None,
    }
}

/// `2024-05-01T10:00:00.000Z`, as the report writes times (a report read back from elsewhere
/// might not).
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20 && b[4] == b'-' && b[7] == b'-' && b[10] == b'T' && b[13] == b':' && s.ends_with('Z')
}

#[cfg(test)]
mod tests;
