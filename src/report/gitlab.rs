//! GitLab's container-scanning report (`anchore-gate-gitlab-cs.json`), the file a job hands to
//! `artifacts: reports: container_scanning:` so the vulnerabilities show in GitLab's security
//! dashboard and merge-request widget. Format: GitLab's security-report-schemas
//! `container-scanning-report-format.json`, version [`SCHEMA_VERSION`].
//!
//! One vulnerability per image and package (and vulnerability id): its identifier (CVE, GHSA, …
//! with the engine's link as the identifier's URL), severity, the fix as the solution, and the location GitLab tracks it
//! by (image, operating system, package and version). Allowlisted ones are listed too, with the
//! allowlist entry in the description: the allowlist is the gate's decision, not the scanner's.
//! Images that could not be decided are scan messages.
//!
//! Written straight into an `io::Write` by serde: the vulnerabilities are serialised one by one
//! from the report, never collected into a second tree.

use std::collections::BTreeSet;
use std::io;

use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;

use crate::engine::ApiVersion;
use crate::report::summary::ellipsis;
use crate::report::{ImageResult, Report, Status};
use crate::vuln::{Severity, Vulnerability};

pub const FILE_NAME: &str = "anchore-gate-gitlab-cs.json";
/// The schema version the report declares (tests/fixtures/gitlab/SOURCE.md).
pub const SCHEMA_VERSION: &str = "15.2.1";
const SCHEMA_URL: &str =
    "https://gitlab.com/gitlab-org/security-products/security-report-schemas/-/raw/v15.2.1/dist/container-scanning-report-format.json";

/// Writes the report as compact JSON.
pub fn write<W: io::Write>(report: &Report, out: W) -> io::Result<()> {
    serde_json::to_writer(out, &Document::of(report)).map_err(io::Error::from)
}

/// [`write`] into a string, for the report directory's file list.
pub fn render(report: &Report) -> String {
    let mut out = Vec::new();
    write(report, &mut out).expect("writing into memory cannot fail");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

#[derive(Serialize)]
struct Document<'a> {
    version: &'static str,
    schema: &'static str,
    scan: Scan<'a>,
    vulnerabilities: Vulnerabilities<'a>,
}

impl<'a> Document<'a> {
    fn of(report: &'a Report) -> Self {
        Document { version: SCHEMA_VERSION, schema: SCHEMA_URL, scan: Scan::of(report), vulnerabilities: Vulnerabilities(report) }
    }
}

#[derive(Serialize)]
struct Scan<'a> {
    analyzer: Component<'a>,
    scanner: Component<'a>,
    #[serde(rename = "type")]
    kind: &'static str,
    start_time: String,
    end_time: String,
    status: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    messages: Vec<Message>,
}

#[derive(Serialize)]
struct Component<'a> {
    id: &'static str,
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'static str>,
    version: &'a str,
    vendor: Vendor,
}

#[derive(Serialize)]
struct Vendor {
    name: &'static str,
}

#[derive(Serialize)]
struct Message {
    level: &'static str,
    value: String,
}

impl<'a> Scan<'a> {
    fn of(report: &'a Report) -> Self {
        let (scanner, version) = match report.engine.api {
            Some(ApiVersion::V1) => ("Anchore Engine", "API v1"),
            Some(ApiVersion::V2) => ("Anchore Enterprise", "API v2"),
            None => ("Anchore", "unknown"),
        };
        let mut messages = Vec::new();
        for image in report.images.iter().filter(|i| i.status == Status::Error) {
            let why = image.error.as_ref().map_or_else(|| "no complete decision".to_owned(), |e| format!("{}: {}", e.kind.as_str(), e.message));
            messages.push(Message { level: "warn", value: ellipsis(&format!("{}: {why}", non_empty(&image.image)), 2_000) });
        }
        if let Some(error) = &report.error {
            if !report.images.iter().any(|i| i.error.is_some()) {
                messages.push(Message { level: "fatal", value: ellipsis(&format!("{}: {}", error.kind.as_str(), error.message), 2_000) });
            }
        }
        // A scan that decided no image found nothing GitLab should take as "no vulnerabilities".
        let decided = report.images.iter().any(|i| i.status != Status::Error);
        Scan {
            analyzer: Component {
                id: "anchore-gate",
                name: "anchore-gate",
                url: None,
                version: non_empty(&report.tool.version),
                vendor: Vendor { name: "anchore-gate" },
            },
            scanner: Component { id: "anchore", name: scanner, url: None, version, vendor: Vendor { name: "Anchore" } },
            kind: "container_scanning",
            start_time: gitlab_time(&report.started_at),
            end_time: gitlab_time(&report.finished_at),
            status: if decided { "success" } else { "failure" },
            messages,
        }
    }
}

/// The report's vulnerabilities, serialised as they are visited.
struct Vulnerabilities<'a>(&'a Report);

impl Serialize for Vulnerabilities<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(None)?;
        for image in &self.0.images {
            let os = operating_system(image);
            // The engine lists a package once per path it was found at: one entry per package.
            let mut seen = BTreeSet::new();
            for vuln in &image.vulnerabilities {
                if seen.insert((vuln.id.as_str(), package_name(vuln), vuln.package_version.as_str())) {
                    seq.serialize_element(&Entry::of(image, vuln, os))?;
                }
            }
        }
        seq.end()
    }
}

#[derive(Serialize)]
struct Entry<'a> {
    id: String,
    name: String,
    description: String,
    severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    solution: Option<String>,
    identifiers: [Identifier<'a>; 1],
    location: Location<'a>,
}

#[derive(Serialize)]
struct Identifier<'a> {
    #[serde(rename = "type")]
    kind: String,
    name: &'a str,
    value: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct Location<'a> {
    dependency: Dependency<'a>,
    operating_system: &'a str,
    image: &'a str,
}

#[derive(Serialize)]
struct Dependency<'a> {
    package: Package<'a>,
    version: &'a str,
}

#[derive(Serialize)]
struct Package<'a> {
    name: &'a str,
}

impl<'a> Entry<'a> {
    fn of(image: &'a ImageResult, vuln: &'a Vulnerability, os: &'a str) -> Self {
        let id = non_empty(&vuln.id);
        let package = package_name(vuln);
        let url = vuln.url.as_deref().filter(|u| link(u));
        // Image, package and id are in the location and the identifier: the description adds
        // what they do not say.
        let mut description = format!(
            "{} severity; {} package{}.",
            vuln.severity.as_str(),
            vuln.package_type,
            vuln.package_path.as_deref().map(|p| format!(" at {p}")).unwrap_or_default(),
        );
        match &vuln.fix {
            Some(fix) => description.push_str(&format!(" Fixed in {fix}.")),
            None => description.push_str(" No fix is known."),
        }
        if vuln.inherited_from_base == Some(true) {
            description.push_str(" Inherited from the base image.");
        }
        if let Some(hit) = &vuln.allowlisted {
            description.push_str(&format!(" Allowlisted by entry {} of the gate's allowlist: {}", hit.entry, hit.reason));
            if let Some(expires) = &hit.expires {
                description.push_str(&format!(" (until {expires})"));
            }
            description.push('.');
        }
        Entry {
            id: format!("{}|{id}|{package}|{}", image.image, vuln.package_version),
            name: ellipsis(&format!("{id} in {package}"), 254),
            description: ellipsis(&description, 100_000),
            severity: severity(vuln.severity),
            solution: vuln.fix.as_ref().map(|fix| ellipsis(&format!("Upgrade {package} to {fix}."), 6_999)),
            identifiers: [Identifier { kind: identifier_type(id), name: id, value: id, url }],
            location: Location {
                dependency: Dependency { package: Package { name: package }, version: &vuln.package_version },
                operating_system: os,
                image: non_empty(&image.image),
            },
        }
    }
}

/// GitLab has no Negligible: Low, as GitLab's own container-scanning analyzer reports it.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "Critical",
        Severity::High => "High",
        Severity::Medium => "Medium",
        Severity::Low | Severity::Negligible => "Low",
        Severity::Unknown => "Unknown",
    }
}

/// `CVE-2019-1543` → `cve`, `GHSA-…` → `ghsa`, `RHSA-2019:4326` → `rhsa`; else `anchore`.
fn identifier_type(id: &str) -> String {
    let prefix = id.split(['-', ':']).next().unwrap_or("");
    if id.len() > prefix.len() && (2..=12).contains(&prefix.len()) && prefix.chars().all(|c| c.is_ascii_alphabetic()) {
        prefix.to_ascii_lowercase()
    } else {
        "anchore".to_owned()
    }
}

/// The schema's link pattern, `^(https?|ftp)://.+`, without white space.
fn link(url: &str) -> bool {
    ["https://", "http://"].iter().any(|p| url.len() > p.len() && url.starts_with(p)) && !url.chars().any(char::is_whitespace)
}

fn package_name(vuln: &Vulnerability) -> &str {
    if vuln.package_name.is_empty() {
        non_empty(&vuln.package)
    } else {
        &vuln.package_name
    }
}

/// The distribution the engine matched the image's OS packages in (its feed group, e.g.
/// `debian:9`, `alpine:3.9`); `unknown` when only language packages were matched.
fn operating_system(image: &ImageResult) -> &str {
    const NOT_A_DISTRIBUTION: [&str; 3] = ["nvd", "github", "vulndb"];
    image
        .vulnerabilities
        .iter()
        .filter_map(|v| v.feed_group.as_deref())
        .find(|g| g.contains(':') && !NOT_A_DISTRIBUTION.iter().any(|p| g.starts_with(p)))
        .unwrap_or("unknown")
}

/// `2026-11-29T04:22:56.123Z` → `2026-11-29T04:22:56`, the schema's `yyyy-mm-ddThh:mm:ss` (UTC).
fn gitlab_time(rfc3339: &str) -> String {
    let head = rfc3339.get(..19).unwrap_or("");
    let shape = head.bytes().enumerate().all(|(i, b)| match i {
        4 | 7 => b == b'-',
        10 => b == b'T',
        13 | 16 => b == b':',
        _ => b.is_ascii_digit(),
    });
    if head.len() == 19 && shape && rfc3339.ends_with('Z') {
        head.to_owned()
    } else {
        "1970-01-01T00:00:00".to_owned()
    }
}

/// The schema wants at least one character where the engine may have given none.
fn non_empty(s: &str) -> &str {
    if s.is_empty() {
        "unknown"
    } else {
        s
    }
}

#[cfg(test)]
mod tests;
