//! The step summary (GitHub-flavoured Markdown) and the CI annotations of a report: one rendering
//! for every front end. The action writes [`markdown`] to `$GITHUB_STEP_SUMMARY` and prints the
//! [`annotations`]' workflow commands; the CLI writes the same Markdown with `--summary FILE`.
//!
//! Everything taken from the engine or the image list is escaped: a finding's text cannot open a
//! link, end a table cell or inject a workflow command.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::error::GateError;
use crate::policy::{Action, Finding};
use crate::model::{ImageResult, Report, Status};
use crate::vuln::Severity;

/// Most severe first, as the summary's columns.
pub const SEVERITIES: [Severity; 6] =
    [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Negligible, Severity::Unknown];

/// The runner refuses a step summary above 1024 KiB; stay well under it.
pub const DEFAULT_MAX_BYTES: usize = 1_000_000;
/// The smallest cap honoured: the header and the notes always fit.
const MIN_MAX_BYTES: usize = 4_096;
/// Room kept for the closing notes while tables are filled.
const TAIL_RESERVE: usize = 2_000;
/// Longest finding or error text in a table cell or annotation, in characters.
const MAX_TEXT: usize = 300;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SummaryOptions {
    /// The report directory as the user named it, for the pointer at the end.
    pub report_dir: Option<String>,
    /// The CI run's page, where uploaded artifacts are listed.
    pub run_url: Option<String>,
    /// Cap of the whole Markdown in bytes (UTF-8); at least 4096.
    pub max_bytes: usize,
    /// STOP findings listed before a "N more" line.
    pub max_stop_findings: usize,
    /// What the SARIF file left out (the core's own line, see `sarif::Cut::line`).
    pub sarif_left_out: Option<String>,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions { report_dir: None, run_url: None, max_bytes: DEFAULT_MAX_BYTES, max_stop_findings: 50, sarif_left_out: None }
    }
}

/// The summary: verdict, a row per image (final action, STOP/WARN/GO counts, vulnerabilities by
/// severity), why images failed or errored, the STOP findings (capped) and where the full report
/// is. Never longer than `options.max_bytes`; what did not fit is named in a visible note.
pub fn markdown(report: &Report, options: &SummaryOptions) -> String {
    let max = options.max_bytes.max(MIN_MAX_BYTES);
    let budget = max - TAIL_RESERVE;
    let mut out = String::new();
    let mut cut: Vec<String> = Vec::new();

    header(&mut out, report);

    // One row per image.
    let t = &report.totals;
    if !report.images.is_empty() {
        out.push_str("\n| Image | Result | Final action | STOP | WARN | GO |");
        for s in SEVERITIES {
            let _ = write!(out, " {} |", s.as_str());
        }
        out.push_str("\n| :-- | :-- | :-- | --: | --: | --: |");
        out.push_str(&" --: |".repeat(SEVERITIES.len()));
        out.push('\n');
        let mut shown = 0;
        for image in &report.images {
            let row = image_row(image);
            if out.len() + row.len() > budget {
                break;
            }
            out.push_str(&row);
            shown += 1;
        }
        if shown < report.images.len() {
            cut.push(format!("{} of {} image rows", report.images.len() - shown, report.images.len()));
        }
        if report.images.len() > 1 {
            let _ = write!(out, "| **Total: {} images** | | | {} | {} | {} |", t.images, t.stop, t.warn, t.go);
            for s in SEVERITIES {
                let _ = write!(out, " {} |", t.vulnerabilities.get(&s).copied().unwrap_or(0));
            }
            out.push('\n');
        }
    }

    // Why images failed or errored.
    let problems: Vec<&ImageResult> = report.images.iter().filter(|i| i.status != Status::Pass).collect();
    if !problems.is_empty() {
        out.push_str("\n#### Failed and errored images\n\n");
        let mut shown = 0;
        for image in &problems {
            let line = problem_line(image);
            if out.len() + line.len() > budget {
                break;
            }
            out.push_str(&line);
            shown += 1;
        }
        if shown < problems.len() {
            cut.push(format!("{} of {} failed or errored images", problems.len() - shown, problems.len()));
        }
    }

    // The STOP findings, capped.
    let stops: Vec<(&ImageResult, &Finding)> = report
        .images
        .iter()
        .flat_map(|i| i.findings.iter().filter(|f| is_stop(f)).map(move |f| (i, f)))
        .collect();
    if !stops.is_empty() {
        // The table only when at least one row fits.
        let mut table = String::from("\n#### STOP findings\n\n| Image | Gate | Trigger | Check output |\n| :-- | :-- | :-- | :-- |\n");
        let mut shown = 0;
        for (image, finding) in stops.iter().take(options.max_stop_findings) {
            let row = format!(
                "| {} | {} | {} | {} |\n",
                md_code(&image.image),
                md_text(&finding.gate, 80),
                md_text(&finding.trigger, 80),
                md_text(&finding.message, MAX_TEXT)
            );
            if out.len() + table.len() + row.len() > budget {
                cut.push(format!("{} of {} STOP findings", stops.len() - shown, stops.len()));
                break;
            }
            table.push_str(&row);
            shown += 1;
        }
        if shown > 0 {
            out.push_str(&table);
        } else {
            out.push_str("\n#### STOP findings\n");
        }
        if shown < stops.len() {
            let _ = writeln!(
                out,
                "\n… and {} more STOP finding{} (all of them are in `anchore-gate.json`).",
                stops.len() - shown,
                plural(stops.len() - shown)
            );
        }
    }

    // Where the rest is.
    let dir = options.report_dir.as_deref().unwrap_or("AnchoreReport");
    let _ = write!(
        out,
        "\n---\nThe full report is in {}: `report.html` (open it in a browser), `anchore-gate.json` \
         (every finding and vulnerability), `anchore-gate.sarif` (code scanning), \
         `anchore-gate-junit.xml` (test reports) and the Jenkins plugin's files.",
        md_code(&ellipsis(dir.trim_end_matches('/'), 200))
    );
    if let Some(url) = options.run_url.as_deref().filter(|u| safe_url(u)) {
        let _ = write!(
            out,
            " Upload it with `actions/upload-artifact` (`if: always()`) and it is listed under \
             Artifacts on the [run page]({url})."
        );
    }
    out.push('\n');
    if let Some(line) = &options.sarif_left_out {
        let _ = writeln!(out, "\n> **Note:** {}", md_text(line, 2 * MAX_TEXT));
    }
    if !cut.is_empty() {
        let _ = write!(
            out,
            "\n> **Note:** this summary was cut to stay under the runner's 1024 KiB step-summary \
             limit: {} not shown. The report has everything.\n",
            cut.join(", ")
        );
    }
    if out.len() > max {
        // Only user-chosen strings (report dir, run URL) can get here; they were capped above.
        truncate_bytes(&mut out, max);
    }
    out
}

fn header(out: &mut String, report: &Report) {
    let (icon, word) = match report.verdict {
        Status::Pass => ("✅", "PASS"),
        Status::Fail => ("❌", "FAIL"),
        Status::Error => ("⚠️", "ERROR"),
    };
    let t = &report.totals;
    let _ = write!(
        out,
        "## {icon} anchore-gate: {word}\n\n**{}** image{}: **{}** passed, **{}** failed, **{}** errored · exit code **{}**",
        t.images,
        plural(t.images as usize),
        t.passed,
        t.failed,
        t.errored,
        report.exit_code
    );
    let api = report.engine.api.map(|a| format!(" (API {})", a.as_str())).unwrap_or_default();
    if !report.engine.url.is_empty() {
        let _ = write!(out, " · engine {}{api}", md_code(&ellipsis(&report.engine.url, 200)));
    }
    if let Some(policy) = &report.options.policy_id {
        let _ = write!(out, " · policy {}", md_code(&ellipsis(policy, 100)));
    }
    out.push('\n');
    if report.exit_code == 0 && report.verdict != Status::Pass {
        let off = if report.verdict == Status::Error { "fail-on-error" } else { "fail-on-stop" };
        let _ = write!(out, "\n_The verdict is {word}, but the step passes: {off} is off._\n");
    }
    if let Some(error) = &report.error {
        let _ = write!(out, "\n> **Error** {}\n", error_text(error));
    }
}

fn image_row(image: &ImageResult) -> String {
    let mut row = format!(
        "| {} | {} | {} | {} | {} | {} |",
        md_code(&image.image),
        status_cell(image.status),
        image.final_action.map(action_word).unwrap_or("—"),
        image.counts.stop,
        image.counts.warn,
        image.counts.go
    );
    for s in SEVERITIES {
        let _ = write!(row, " {} |", image.vulnerability_counts.get(&s).copied().unwrap_or(0));
    }
    row.push('\n');
    row
}

fn problem_line(image: &ImageResult) -> String {
    let mut line = format!("- {} {} ({})", status_icon(image.status), md_code(&image.image), md_text(&image.source, 200));
    if let Some(error) = &image.error {
        let _ = write!(line, ": {}", error_text(error));
    } else {
        let _ = write!(line, ": {}", md_text(&fail_reasons(image).join("; "), 2 * MAX_TEXT));
    }
    line.push('\n');
    line
}

fn error_text(error: &GateError) -> String {
    format!("`{}`: {}", error.kind.as_str(), md_text(&error.message, 2 * MAX_TEXT))
}

/// Why an image failed: the decision's own lines, else the policy's STOP.
fn fail_reasons(image: &ImageResult) -> Vec<String> {
    if !image.gate_failures.is_empty() {
        return image.gate_failures.clone();
    }
    let mut reason = "the policy says STOP".to_owned();
    if !image.stop_action_details.is_empty() {
        let _ = write!(reason, " ({})", image.stop_action_details);
    }
    vec![reason]
}

fn is_stop(finding: &Finding) -> bool {
    finding.action == Action::Stop && !finding.allowlisted
}

fn status_icon(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅",
        Status::Fail => "❌",
        Status::Error => "⚠️",
    }
}

fn status_cell(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅ pass",
        Status::Fail => "❌ fail",
        Status::Error => "⚠️ error",
    }
}

pub(crate) fn action_word(action: Action) -> &'static str {
    match action {
        Action::Stop => "STOP",
        Action::Warn => "WARN",
        Action::Go => "GO",
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `s` cut to `max` characters, with `…` when cut.
pub(crate) fn ellipsis(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &s[..at]),
        None => s.to_owned(),
    }
}

fn truncate_bytes(s: &mut String, max: usize) {
    let mut at = max.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    s.truncate(at);
}

/// Text from outside as inert Markdown on one line, safe inside a table cell.
pub(crate) fn md_text(s: &str, max_chars: usize) -> String {
    let mut out = String::with_capacity(s.len());
    for c in ellipsis(s, max_chars).chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '!' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '@' => out.push_str("&#64;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// An image reference or path as inline code (escaped text when a code span cannot hold it).
pub(crate) fn md_code(s: &str) -> String {
    if s.is_empty() || s.contains('`') || s.chars().any(char::is_control) {
        return md_text(s, MAX_TEXT);
    }
    // Inside a table a pipe must be escaped even in a code span.
    format!("`{}`", ellipsis(s, MAX_TEXT).replace('|', "\\|"))
}

fn safe_url(url: &str) -> bool {
    (url.starts_with("https://") || url.starts_with("http://"))
        && !url.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '(' | ')' | '<' | '>' | '"'))
}

/// `anchore_images:3` → (`anchore_images`, 3); `--image` → `None`.
pub(crate) fn source_location(source: &str) -> Option<(&str, u32)> {
    let (file, line) = source.rsplit_once(':')?;
    let line: u32 = line.parse().ok()?;
    (!file.is_empty() && line > 0).then_some((file, line))
}

// ---------------------------------------------------------------------------------------------
// Annotations

/// The runner shows at most 10 annotations of each level per step and drops the rest.
pub const MAX_ANNOTATIONS_PER_LEVEL: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnnotationLevel {
    Error,
    Warning,
    Notice,
}

impl AnnotationLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            AnnotationLevel::Error => "error",
            AnnotationLevel::Warning => "warning",
            AnnotationLevel::Notice => "notice",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Annotation {
    pub level: AnnotationLevel,
    /// Names the image.
    pub title: String,
    pub message: String,
    /// The image list line that names the image, when there is one.
    pub file: Option<String>,
    pub line: Option<u32>,
    /// The workflow command, escaped: `::error file=…,line=…,title=…::message`.
    pub command: String,
}

impl Annotation {
    fn new(level: AnnotationLevel, title: String, message: String, source: Option<&str>) -> Annotation {
        let location = source.and_then(source_location);
        let file = location.map(|(f, _)| f.replace('\\', "/"));
        let line = location.map(|(_, l)| l);
        let mut properties = Vec::new();
        if let Some(file) = &file {
            properties.push(format!("file={}", escape_property(file)));
        }
        if let Some(line) = line {
            properties.push(format!("line={line}"));
        }
        properties.push(format!("title={}", escape_property(&title)));
        let command = format!("::{} {}::{}", level.as_str(), properties.join(","), escape_data(&message));
        Annotation { level, title, message, file, line, command }
    }
}

/// `::error` for each image the gate fails (a policy STOP, or a fail-on rule), `::warning` for
/// each errored image, each image whose policy says WARN and a run error no image carries; at
/// most `max_per_level` of each level: past that, the last one says how many more there are.
pub fn annotations(report: &Report, max_per_level: usize) -> Vec<Annotation> {
    let max = max_per_level.max(1);
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    for image in report.images.iter().filter(|i| i.status == Status::Fail) {
        let word = if image.final_action == Some(Action::Stop) { "STOP" } else { "FAIL" };
        let mut message = format!("{}: {}", image.image, fail_reasons(image).join("; "));
        let stops: Vec<&Finding> = image.findings.iter().filter(|f| is_stop(f)).collect();
        append_findings(&mut message, "STOP", &stops);
        errors.push((format!("anchore-gate {word}: {}", image.image), message, Some(image.source.as_str())));
    }
    for image in report.images.iter().filter(|i| i.status == Status::Error) {
        let message = match &image.error {
            Some(e) => format!("{}: {}: {}", image.image, e.kind.as_str(), ellipsis(&e.message, 4 * MAX_TEXT)),
            None => format!("{}: no complete decision", image.image),
        };
        warnings.push((format!("anchore-gate error: {}", image.image), message, Some(image.source.as_str())));
    }
    let carried = report.images.iter().any(|i| i.error.is_some());
    if let (Some(error), false) = (&report.error, carried) {
        warnings.push((
            "anchore-gate error".to_owned(),
            format!("{}: {}", error.kind.as_str(), ellipsis(&error.message, 4 * MAX_TEXT)),
            None,
        ));
    }
    for image in report.images.iter().filter(|i| i.status == Status::Pass && i.final_action == Some(Action::Warn)) {
        let warns: Vec<&Finding> =
            image.findings.iter().filter(|f| f.action == Action::Warn && !f.allowlisted).collect();
        let mut message = format!("{}: the policy says WARN", image.image);
        append_findings(&mut message, "WARN", &warns);
        warnings.push((format!("anchore-gate WARN: {}", image.image), message, Some(image.source.as_str())));
    }
    let mut out = capped(AnnotationLevel::Error, errors, max, "images the gate fails");
    out.extend(capped(AnnotationLevel::Warning, warnings, max, "warnings (errors and WARN)"));
    out
}

type Pending<'a> = (String, String, Option<&'a str>);

fn capped(level: AnnotationLevel, items: Vec<Pending<'_>>, max: usize, what: &str) -> Vec<Annotation> {
    let total = items.len();
    let keep = if total > max { max - 1 } else { total };
    let mut out: Vec<Annotation> =
        items.iter().take(keep).map(|(t, m, s)| Annotation::new(level, t.clone(), m.clone(), *s)).collect();
    if total > keep {
        let rest: Vec<&str> = items[keep..].iter().map(|(t, _, _)| t.as_str()).collect();
        let mut names = rest.iter().take(20).map(|t| t.trim_start_matches("anchore-gate ")).collect::<Vec<_>>().join("; ");
        if rest.len() > 20 {
            let _ = write!(names, "; … ({} more)", rest.len() - 20);
        }
        out.push(Annotation::new(
            level,
            format!("anchore-gate: {} more {what}", total - keep),
            format!("{} more {what} (the runner shows {max} per level; see the step summary): {names}", total - keep),
            None,
        ));
    }
    out
}

fn append_findings(message: &mut String, word: &str, findings: &[&Finding]) {
    if findings.is_empty() {
        return;
    }
    let _ = write!(message, "\n{} {word} finding{}:", findings.len(), plural(findings.len()));
    for f in findings.iter().take(3) {
        let _ = write!(message, "\n- {}/{}: {}", f.gate, f.trigger, ellipsis(&f.message, MAX_TEXT));
    }
    if findings.len() > 3 {
        let _ = write!(message, "\n- … and {} more", findings.len() - 3);
    }
}

/// A workflow command's message: `%`, CR and LF escaped.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// A workflow command's property value: as data, plus `:` and `,`.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests;
