//! SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer), from a [`Report`].
//!
//! - Rules: one per policy gate/trigger (`dockerfile/instruction`) and one per vulnerability id
//!   (`CVE-2015-6420`, with `security-severity` so code scanning ranks it).
//! - Results: one per policy finding (STOP → `error`, WARN → `warning`, GO → `note`) and one
//!   per vulnerability and package (Critical/High → `error`, Medium → `warning`, else `note`).
//!   Allowlisted ones carry a `suppressions` entry (status `accepted`) instead of disappearing.
//! - At most `max_results` results (GitHub code scanning keeps 5,000 of a run and rejects more
//!   than 25,000): they are chosen from light indices before anything is built — STOP findings
//!   and Critical vulnerabilities first, then High, then WARN and Medium, …, allowlisted ones
//!   last, and within a class every image's first before any image's second, so every image
//!   with a STOP or a Critical keeps some. A notification says what was left out.
//! - Every result names its image in the message and in `properties.image`; its location is the
//!   image list line that names the image (`anchore_images:3`), else the image's Dockerfile, else
//!   the image reference itself, so an alert points at something in the repository.
//! - Errors (an image that could not be decided, a run error) are tool execution notifications.

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde::Serialize;

use crate::model::{ImageResult, Report, Status, Totals};
use crate::policy::{Action, Finding};
use crate::render::{action_word, source_location};
use crate::vuln::{Severity, Vulnerability};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub const FILE: &str = "anchore-gate.sarif";

/// What GitHub code scanning keeps of a run; `--sarif-max-results` changes it.
pub const DEFAULT_MAX_RESULTS: usize = 5_000;

/// The SARIF log (compact JSON), with the default cap.
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    write(report, DEFAULT_MAX_RESULTS, &mut out).expect("writing to a Vec cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// The SARIF log as a JSON value (tests).
pub fn log(report: &Report) -> serde_json::Value {
    log_with_limit(report, DEFAULT_MAX_RESULTS)
}

/// [`log`] with at most `max_results` results.
pub fn log_with_limit(report: &Report, max_results: usize) -> serde_json::Value {
    let mut out = Vec::new();
    write(report, max_results, &mut out).expect("writing to a Vec cannot fail");
    serde_json::from_slice(&out).expect("the log is JSON")
}

/// The SARIF log with at most `max_results` results, streamed into `w`; says what was left out.
pub fn write(report: &Report, max_results: usize, w: &mut dyn Write) -> io::Result<Option<Cut>> {
    let (kept, cut) = select(report, max_results);
    let locations: Vec<Location> = report.images.iter().map(location).collect();
    let mut rules = Rules::default();
    let ids: Vec<usize> = kept.iter().map(|p| rules.add(report, p)).collect();
    let mut notifications = Vec::new();
    if let Some(cut) = &cut {
        notifications.push(Notification {
            level: "warning",
            message: Text { text: cut.line() },
            descriptor: Descriptor { id: "results-capped" },
            locations: None,
            properties: None,
        });
    }
    if let Some(error) = &report.error {
        notifications.push(Notification {
            level: "error",
            message: Text { text: format!("{}: {}", error.kind.as_str(), error.message) },
            descriptor: Descriptor { id: error.kind.as_str() },
            locations: None,
            properties: None,
        });
    }
    for (image, at) in report.images.iter().zip(&locations).filter(|(i, _)| i.status == Status::Error) {
        let (kind, message) = match &image.error {
            Some(e) => (e.kind.as_str(), e.message.as_str()),
            None => ("error", "no complete decision"),
        };
        notifications.push(Notification {
            level: "error",
            message: Text { text: format!("{}: {kind}: {message}", image.image) },
            descriptor: Descriptor { id: kind },
            locations: Some([at]),
            properties: Some(ImageName { image: &image.image }),
        });
    }
    let timed = is_timestamp(&report.started_at) && is_timestamp(&report.finished_at);
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver { name: &report.tool.name, version: &report.tool.version, semantic_version: &report.tool.version, rules: &rules.list },
            },
            invocations: [Invocation {
                execution_successful: !notifications.iter().any(|n| n.level == "error"),
                exit_code: report.exit_code,
                tool_execution_notifications: notifications,
                start_time_utc: timed.then_some(report.started_at.as_str()),
                end_time_utc: timed.then_some(report.finished_at.as_str()),
            }],
            results: Results { report, kept: &kept, rules: &ids, rule_list: &rules.list, locations: &locations },
            column_kind: "unicodeCodePoints",
            properties: RunProperties {
                verdict: report.verdict,
                exit_code: report.exit_code,
                totals: &report.totals,
                engine: EngineProperties { url: &report.engine.url, api: report.engine.api.map(|a| a.as_str()) },
            },
        }],
    };
    serde_json::to_writer(w, &log)?;
    Ok(cut)
}

// --- which results ------------------------------------------------------------------------

/// One candidate result, light: what ranks it and where its row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Pick {
    /// 0 STOP or Critical, 1 High, 2 WARN or Medium, 3 Low, 4 GO or Negligible, 5 Unknown,
    /// 6 allowlisted.
    class: u8,
    /// How many of the image's results of this class come before it.
    nth: u32,
    image: u32,
    /// A vulnerability (else a policy finding).
    vuln: bool,
    row: u32,
}

const CLASSES: usize = 7;

fn finding_class(f: &Finding) -> u8 {
    match (f.allowlisted, f.action) {
        (true, _) => 6,
        (false, Action::Stop) => 0,
        (false, Action::Warn) => 2,
        (false, Action::Go) => 4,
    }
}

fn vuln_class(v: &Vulnerability) -> u8 {
    if v.allowlisted.is_some() {
        return 6;
    }
    match v.severity {
        Severity::Critical => 0,
        Severity::High => 1,
        Severity::Medium => 2,
        Severity::Low => 3,
        Severity::Negligible => 4,
        Severity::Unknown => 5,
    }
}

/// What a result is called in the "left out" line.
fn label(report: &Report, p: &Pick) -> &'static str {
    let image = &report.images[p.image as usize];
    if p.class == 6 {
        "allowlisted"
    } else if p.vuln {
        image.vulnerabilities[p.row as usize].severity.as_str()
    } else {
        action_word(image.findings[p.row as usize].action)
    }
}

/// What the SARIF file left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cut {
    pub total: usize,
    pub kept: usize,
    /// How many of each kind were left out, most severe first (`STOP`, `Critical`, … `allowlisted`).
    pub left_out: Vec<(&'static str, usize)>,
}

impl Cut {
    /// One line for the SARIF notification, the console and the step summary.
    pub fn line(&self) -> String {
        let counts: Vec<String> = self.left_out.iter().map(|(what, n)| format!("{n} {what}")).collect();
        format!(
            "{} of {} results left out of the SARIF file ({}); it keeps the {} most severe, every image's first: anchore-gate.json has them all",
            self.total - self.kept,
            self.total,
            counts.join(", "),
            self.kept
        )
    }
}

/// The results to write, in report order, and what was left out.
fn select(report: &Report, max: usize) -> (Vec<Pick>, Option<Cut>) {
    let total: usize = report.images.iter().map(|i| i.findings.len() + i.vulnerabilities.len()).sum();
    let mut picks = Vec::with_capacity(total);
    for (i, image) in report.images.iter().enumerate() {
        let mut nth = [0u32; CLASSES];
        let mut push = |class: u8, vuln: bool, row: usize| {
            picks.push(Pick { class, nth: nth[class as usize], image: i as u32, vuln, row: row as u32 });
            nth[class as usize] += 1;
        };
        for (row, f) in image.findings.iter().enumerate() {
            push(finding_class(f), false, row);
        }
        for (row, v) in image.vulnerabilities.iter().enumerate() {
            push(vuln_class(v), true, row);
        }
    }
    let mut cut = None;
    if picks.len() > max {
        if max > 0 {
            picks.select_nth_unstable(max - 1);
        }
        let dropped = picks.split_off(max);
        let mut counts: BTreeMap<(u8, bool, &'static str), usize> = BTreeMap::new();
        for p in &dropped {
            // Findings before vulnerabilities within a class: STOP before Critical.
            *counts.entry((p.class, p.vuln, label(report, p))).or_default() += 1;
        }
        cut = Some(Cut { total, kept: max, left_out: counts.into_iter().map(|((_, _, what), n)| (what, n)).collect() });
    }
    picks.sort_unstable_by_key(|p| (p.image, p.vuln, p.row));
    (picks, cut)
}

// --- rules ------------------------------------------------------------------------------------

#[derive(Default)]
struct Rules {
    list: Vec<Rule>,
    index: BTreeMap<String, usize>,
    /// Per rule, the most severe level any result gave it.
    levels: Vec<u8>,
}

impl Rules {
    /// The index of the rule of `p`'s result, added on first sight.
    fn add(&mut self, report: &Report, p: &Pick) -> usize {
        let image = &report.images[p.image as usize];
        let (id, level) = if p.vuln {
            let v = &image.vulnerabilities[p.row as usize];
            (vuln_rule_id(v).to_owned(), if v.allowlisted.is_some() { "note" } else { severity_level(v.severity) })
        } else {
            let f = &image.findings[p.row as usize];
            (policy_rule_id(f), if f.allowlisted { "note" } else { action_level(f.action) })
        };
        let index = match self.index.get(&id) {
            Some(&i) => i,
            None => {
                let rule = if p.vuln { vuln_rule(&id, &image.vulnerabilities[p.row as usize]) } else { policy_rule(&id, &image.findings[p.row as usize]) };
                self.list.push(rule);
                self.levels.push(0);
                self.index.insert(id, self.list.len() - 1);
                self.list.len() - 1
            }
        };
        let rank = level_rank(level);
        if rank > self.levels[index] {
            self.levels[index] = rank;
            self.list[index].default_configuration.level = level;
        }
        if p.vuln {
            // The most severe rating any image's engine gave this id.
            let new = security_severity(image.vulnerabilities[p.row as usize].severity);
            let rule = &mut self.list[index];
            let score = |s: Option<&str>| s.and_then(|s| s.parse::<f32>().ok());
            if new.is_some() && score(new) > score(rule.properties.security_severity) {
                rule.properties.security_severity = new;
            }
        }
        index
    }
}

fn policy_rule_id(finding: &Finding) -> String {
    let part = |s: &str| if s.is_empty() { "unknown".to_owned() } else { s.to_owned() };
    format!("{}/{}", part(&finding.gate), part(&finding.trigger))
}

fn vuln_rule_id(v: &Vulnerability) -> &str {
    if v.id.is_empty() {
        "unknown-vulnerability"
    } else {
        &v.id
    }
}

/// A readable identifier in Pascal case (`AnchorePolicyDockerfileInstruction`), as SARIF's
/// `name` wants one distinct from the opaque id.
fn friendly_name(prefix: &str, parts: &[&str]) -> String {
    let mut name = prefix.to_owned();
    for word in parts.iter().flat_map(|p| p.split(|c: char| !c.is_ascii_alphanumeric())).filter(|w| !w.is_empty()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            name.push(first.to_ascii_uppercase());
            name.extend(chars.map(|c| c.to_ascii_lowercase()));
        }
    }
    name
}

fn policy_rule(id: &str, finding: &Finding) -> Rule {
    let mut help = format!(
        "The Anchore policy's {:?} gate, trigger {:?}, matched. The policy rule decides the action (STOP, WARN or GO).",
        finding.gate, finding.trigger
    );
    if !finding.recommendation.is_empty() {
        help.push_str(" Recommendation: ");
        help.push_str(&finding.recommendation);
    }
    Rule {
        id: id.to_owned(),
        name: friendly_name("AnchorePolicy", &[&finding.gate, &finding.trigger]),
        short_description: Text { text: format!("Anchore policy: gate {}, trigger {}", finding.gate, finding.trigger) },
        full_description: Text {
            text: format!(
                "A check of the Anchore policy (gate {}, trigger {}) matched the container image; the policy rule that holds it says whether that stops the build (STOP), warns (WARN) or passes (GO).",
                finding.gate, finding.trigger
            ),
        },
        help: Text { text: help },
        help_uri: None,
        default_configuration: Configuration { level: "note" },
        properties: RuleProperties { tags: vec!["anchore-policy".to_owned(), finding.gate.clone()], security_severity: None },
    }
}

fn vuln_rule(id: &str, vuln: &Vulnerability) -> Rule {
    let url = vuln.url.as_deref().filter(|u| (u.starts_with("https://") || u.starts_with("http://")) && !u.chars().any(|c| c.is_whitespace() || c.is_control()));
    let severity = vuln.severity.as_str();
    Rule {
        id: id.to_owned(),
        name: friendly_name("Vulnerability", &[id]),
        short_description: Text { text: format!("{id} ({severity})") },
        full_description: Text {
            text: format!(
                "{id}: a vulnerability the engine rates {severity}, found in a package of the container image{}.",
                url.map(|u| format!("; details: {u}")).unwrap_or_default()
            ),
        },
        help: Text { text: format!("{id} is a {severity} severity vulnerability{}.", vuln.url.as_deref().map(|u| format!(": {u}")).unwrap_or_default()) },
        help_uri: url.map(str::to_owned),
        default_configuration: Configuration { level: "note" },
        properties: RuleProperties {
            tags: vec!["security".to_owned(), "vulnerability".to_owned(), severity.to_ascii_lowercase()],
            security_severity: None,
        },
    }
}

// --- the log's shape --------------------------------------------------------------------------

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool<'a>,
    invocations: [Invocation<'a>; 1],
    results: Results<'a>,
    column_kind: &'static str,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver<'a> {
    name: &'a str,
    version: &'a str,
    semantic_version: &'a str,
    rules: &'a [Rule],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    name: String,
    short_description: Text,
    full_description: Text,
    help: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<String>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation<'a> {
    execution_successful: bool,
    exit_code: i32,
    tool_execution_notifications: Vec<Notification<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_time_utc: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_time_utc: Option<&'a str>,
}

#[derive(Serialize)]
struct Notification<'a> {
    level: &'static str,
    message: Text,
    descriptor: Descriptor<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    locations: Option<[&'a Location; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<ImageName<'a>>,
}

#[derive(Serialize)]
struct Descriptor<'a> {
    id: &'a str,
}

#[derive(Serialize)]
struct ImageName<'a> {
    image: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties<'a> {
    verdict: Status,
    exit_code: i32,
    totals: &'a Totals,
    engine: EngineProperties<'a>,
}

#[derive(Serialize)]
struct EngineProperties<'a> {
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    api: Option<&'static str>,
}

/// The kept results, each built as it is written.
struct Results<'a> {
    report: &'a Report,
    kept: &'a [Pick],
    /// Per kept result, its rule's index in `rule_list`.
    rules: &'a [usize],
    rule_list: &'a [Rule],
    /// Per image, where its results point.
    locations: &'a [Location],
}

impl Serialize for Results<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.kept.len()))?;
        for (p, &rule_index) in self.kept.iter().zip(self.rules) {
            let image = &self.report.images[p.image as usize];
            let location = &self.locations[p.image as usize];
            let rule_id = self.rule_list[rule_index].id.as_str();
            if p.vuln {
                seq.serialize_element(&vuln_result(image, &image.vulnerabilities[p.row as usize], rule_id, rule_index, location))?;
            } else {
                seq.serialize_element(&finding_result(image, &image.findings[p.row as usize], rule_id, rule_index, location))?;
            }
        }
        seq.end()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a, P: Serialize> {
    rule_id: &'a str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    partial_fingerprints: Fingerprint,
    locations: [&'a Location; 1],
    properties: P,
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressions: Option<[Suppression; 1]>,
}

struct Fingerprint {
    key: &'static str,
    value: String,
}

impl Serialize for Fingerprint {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry(self.key, &self.value)?;
        m.end()
    }
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
}

impl Suppression {
    fn accepted(justification: String) -> Suppression {
        Suppression { kind: "external", status: "accepted", justification }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct FindingProperties<'a> {
    image: &'a str,
    image_source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_digest: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_final_action: Option<Action>,
    action: Action,
    trigger_id: &'a str,
    policy_id: &'a str,
    rule_id: &'a str,
    recommendation: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    inherited_from_base: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct VulnProperties<'a> {
    image: &'a str,
    image_source: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_digest: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image_final_action: Option<Action>,
    severity: &'static str,
    package: &'a str,
    package_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    package_path: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    feed_group: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    inherited_from_base: Option<bool>,
}

fn finding_result<'a>(image: &'a ImageResult, finding: &'a Finding, id: &'a str, rule_index: usize, location: &'a Location) -> SarifResult<'a, FindingProperties<'a>> {
    let suppressions = finding.allowlisted.then(|| {
        let justification = match &finding.allowlist_match {
            Some(m) => format!("allowlisted by the policy's allowlist {:?} (rule {})", m.name, m.matched_rule_id),
            None => "allowlisted by the policy's allowlist".to_owned(),
        };
        [Suppression::accepted(justification)]
    });
    SarifResult {
        rule_id: id,
        rule_index,
        level: action_level(finding.action),
        message: Text { text: format!("{}: {} {}: {}", image.image, action_word(finding.action), id, finding.message) },
        partial_fingerprints: Fingerprint { key: "anchoreGateFinding/v1", value: fingerprint(&[&repository(&image.image), id, &finding.trigger_id]) },
        locations: [location],
        properties: FindingProperties {
            image: &image.image,
            image_source: &image.source,
            image_digest: image.digest.as_deref(),
            image_final_action: image.final_action,
            action: finding.action,
            trigger_id: &finding.trigger_id,
            policy_id: &finding.policy_id,
            rule_id: &finding.rule_id,
            recommendation: &finding.recommendation,
            inherited_from_base: finding.inherited_from_base,
        },
        suppressions,
    }
}

fn vuln_result<'a>(image: &'a ImageResult, vuln: &'a Vulnerability, id: &'a str, rule_index: usize, location: &'a Location) -> SarifResult<'a, VulnProperties<'a>> {
    let fix = match vuln.fix.as_deref() {
        Some(fix) => format!("fixed in {fix}"),
        None => "no fix available".to_owned(),
    };
    let path = vuln.package_path.as_deref().filter(|p| !p.is_empty()).map(|p| format!(" at {p}")).unwrap_or_default();
    let suppressions = vuln.allowlisted.as_ref().map(|hit| {
        let mut justification = format!("allowlisted by entry {} of the gate's allowlist: {}", hit.entry, hit.reason);
        if let Some(expires) = &hit.expires {
            justification.push_str(&format!(" (until {expires})"));
        }
        [Suppression::accepted(justification)]
    });
    SarifResult {
        rule_id: id,
        rule_index,
        level: severity_level(vuln.severity),
        message: Text { text: format!("{}: {} ({}) in {} ({}){path}; {fix}", image.image, id, vuln.severity.as_str(), vuln.package, vuln.package_type) },
        partial_fingerprints: Fingerprint {
            key: "anchoreGateVulnerability/v1",
            value: fingerprint(&[&repository(&image.image), id, &vuln.package, vuln.package_path.as_deref().unwrap_or("")]),
        },
        locations: [location],
        properties: VulnProperties {
            image: &image.image,
            image_source: &image.source,
            image_digest: image.digest.as_deref(),
            image_final_action: image.final_action,
            severity: vuln.severity.as_str(),
            package: &vuln.package,
            package_type: &vuln.package_type,
            package_path: vuln.package_path.as_deref(),
            fix: vuln.fix.as_deref(),
            feed_group: vuln.feed_group.as_deref(),
            inherited_from_base: vuln.inherited_from_base,
        },
        suppressions,
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
    logical_locations: [LogicalLocation; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

#[derive(Serialize)]
struct LogicalLocation {
    name: String,
    kind: &'static str,
}

/// Where a result about `image` points: the image list line, else the Dockerfile, else the
/// image reference as a relative URI.
fn location(image: &ImageResult) -> Location {
    let logical_locations = [LogicalLocation { name: image.image.clone(), kind: "container-image" }];
    if let Some((file, line)) = source_location(&image.source) {
        return Location {
            physical_location: PhysicalLocation { artifact_location: ArtifactLocation { uri: uri_path(file) }, region: Some(Region { start_line: line }) },
            logical_locations,
        };
    }
    let uri = match image.dockerfile.as_deref().filter(|d| !d.is_empty()) {
        Some(dockerfile) => uri_path(dockerfile),
        None => uri_path(&image.image),
    };
    Location { physical_location: PhysicalLocation { artifact_location: ArtifactLocation { uri }, region: None }, logical_locations }
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
