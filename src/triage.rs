//! What a decided report means for the build and what to fix first, for the viewer: each
//! image's effect on the exit code (a STOP that fails the build, or one that is not enforced),
//! the top reasons per image (gate and trigger, how many, the worst example), and the fixes
//! (vulnerabilities grouped by installed package, with the version that fixes them all).
//! Pure functions of the report: the rules are [`decision`]'s, nothing is decided again here.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use serde::Serialize;

use crate::decision::{self, GateOptions};
use crate::policy::{Action, EvalStatus};
use crate::report::{ImageResult, Report, Status};
use crate::vuln::{Severity, Vulnerability};

/// How many reasons an image lists; the rest are counted in `more_reasons`.
pub const MAX_REASONS: usize = 3;

/// What one image does to the build's exit code under the report's options.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Passes every rule in force.
    Passes,
    /// Fails a rule that is enforced: exit 1.
    Fails,
    /// Fails only a rule that is off (a STOP with fail-on-stop off): the build still passes.
    NotEnforced,
    /// An error, with fail-on-error: exit 2.
    Error,
    /// An error with fail-on-error off.
    ErrorNotEnforced,
    /// No error, but no policy evaluation among the files read (e.g. only the plugin's
    /// anchore_security.json): nothing to decide.
    NotEvaluated,
}

/// The run as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Exit 0.
    Passes,
    /// Exit 1.
    Fails,
    /// Exit 2: the gate could not decide.
    CouldNotDecide,
}

/// Why an image fails (or would fail): a policy gate and trigger with its findings, or the
/// vulnerability rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reason {
    /// `policy` or `vulnerabilities`.
    pub kind: &'static str,
    /// The policy gate (`policy`), or the threshold severity (`vulnerabilities`).
    pub gate: String,
    /// The trigger (`policy`), empty for `vulnerabilities`.
    pub trigger: String,
    /// The findings' action (`policy`); the worst severity counted (`vulnerabilities`).
    pub action: String,
    pub count: u32,
    /// The worst finding's message, or the worst vulnerability (`CVE-… in openssl-3.0.2`).
    pub example: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImageTriage {
    pub effect: Effect,
    /// The most important first: STOP groups, then WARN, most findings first; the
    /// vulnerability rule when it is on and counts something.
    pub reasons: Vec<Reason>,
    pub more_reasons: u32,
}

/// One installed package and the upgrade that fixes every fixable vulnerability it has.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Fix {
    pub package_name: String,
    pub package_version: String,
    pub package_type: String,
    /// The highest of the fixed versions the engine gives (comparing digit runs as numbers).
    pub to: String,
    /// Distinct vulnerability ids fixed.
    pub count: u32,
    /// Distinct ids per severity, most severe first (Critical … Unknown).
    pub by_severity: [u32; 6],
    /// Indexes into `report.images` of the images that have the package.
    pub images: Vec<u32>,
    /// Up to 5 ids, most severe first.
    pub examples: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Triage {
    pub exit_code: i32,
    pub outcome: Outcome,
    /// Images per effect, for the headline.
    pub effects: BTreeMap<&'static str, u32>,
    /// One per image, in `report.images` order.
    pub images: Vec<ImageTriage>,
    /// Most severe first (by the count per severity, Critical first), then most fixed.
    pub fixes: Vec<Fix>,
    /// The severities, most severe first: the order the viewer sorts by.
    pub severities: [&'static str; 6],
}

const SEVERITIES: [Severity; 6] =
    [Severity::Critical, Severity::High, Severity::Medium, Severity::Low, Severity::Negligible, Severity::Unknown];

/// Whether the gate counts a vulnerability as having a fix (`--only-fixed`).
pub fn fixable(v: &Vulnerability) -> bool {
    v.fix.is_some()
}

/// The gate options the report was decided with.
pub fn options_of(report: &Report) -> GateOptions {
    let o = &report.options;
    GateOptions {
        fail_on_stop: o.fail_on_stop,
        fail_on_error: o.fail_on_error,
        fail_on_warn: o.fail_on_warn,
        fail_on_severity: o.fail_on_severity,
        only_fixed: o.only_fixed,
        ..GateOptions::default()
    }
}

pub fn triage(report: &Report) -> Triage {
    let options = options_of(report);
    let images: Vec<ImageTriage> = report
        .images
        .iter()
        .map(|image| ImageTriage {
            effect: effect(image, &options),
            ..reasons(image, &options)
        })
        .collect();
    let mut effects = BTreeMap::new();
    for i in &images {
        *effects.entry(effect_name(i.effect)).or_insert(0) += 1;
    }
    let outcome = match report.exit_code {
        0 => Outcome::Passes,
        1 => Outcome::Fails,
        _ => Outcome::CouldNotDecide,
    };
    Triage {
        exit_code: report.exit_code,
        outcome,
        effects,
        images,
        fixes: fixes(&report.images),
        severities: SEVERITIES.map(Severity::as_str),
    }
}

fn effect_name(e: Effect) -> &'static str {
    match e {
        Effect::Passes => "passes",
        Effect::Fails => "fails",
        Effect::NotEnforced => "not_enforced",
        Effect::Error => "error",
        Effect::ErrorNotEnforced => "error_not_enforced",
        Effect::NotEvaluated => "not_evaluated",
    }
}

fn effect(image: &ImageResult, options: &GateOptions) -> Effect {
    match image.status {
        Status::Pass => Effect::Passes,
        Status::Error if image.error.is_none() && image.policy_status.is_none() && !image.no_policy => Effect::NotEvaluated,
        Status::Error if options.fail_on_error => Effect::Error,
        Status::Error => Effect::ErrorNotEnforced,
        Status::Fail => {
            // The image alone, as the gate would weigh it: exit 1 exactly when one of its
            // failures is enforced (it has no error, so exit 2 cannot come from it).
            let alone = GateOptions { fail_on_error: false, ..options.clone() };
            if decision::exit_code(std::slice::from_ref(image), None, &alone) == 1 {
                Effect::Fails
            } else {
                Effect::NotEnforced
            }
        }
    }
}

fn reasons(image: &ImageResult, options: &GateOptions) -> ImageTriage {
    // (action, gate, trigger) → (count, worst message); STOP sorts before WARN.
    let mut groups: BTreeMap<(Action, &str, &str), (u32, &str)> = BTreeMap::new();
    for f in &image.findings {
        if f.action == Action::Go || f.allowlisted {
            continue;
        }
        let g = groups.entry((f.action, f.gate.as_str(), f.trigger.as_str())).or_insert((0, f.message.as_str()));
        g.0 += 1;
    }
    let mut list: Vec<Reason> = groups
        .into_iter()
        .map(|((action, gate, trigger), (count, example))| Reason {
            kind: "policy",
            gate: gate.to_owned(),
            trigger: trigger.to_owned(),
            action: action.as_str().to_owned(),
            count,
            example: example.to_owned(),
        })
        .collect();
    // STOP first (the policy's verdict), then the biggest groups; stable for equal counts.
    let rank = |r: &Reason| Action::parse(&r.action).unwrap_or(Action::Go);
    list.sort_by(|a, b| rank(a).cmp(&rank(b)).then(b.count.cmp(&a.count)));
    if let Some(threshold) = options.fail_on_severity {
        let counted = image
            .vulnerabilities
            .iter()
            .filter(|v| v.allowlisted.is_none() && v.severity <= threshold && (!options.only_fixed || fixable(v)));
        let mut count = 0;
        let mut worst: Option<&Vulnerability> = None;
        for v in counted {
            count += 1;
            if worst.is_none_or(|w| (v.severity, !fixable(v)) < (w.severity, !fixable(w))) {
                worst = Some(v);
            }
        }
        if let Some(w) = worst {
            let reason = Reason {
                kind: "vulnerabilities",
                gate: threshold.as_str().to_owned(),
                trigger: String::new(),
                action: w.severity.as_str().to_owned(),
                count,
                example: format!("{} in {}", w.id, w.package),
            };
            // After the STOP groups when the policy stops the image, else first.
            let at = if image.policy_status == Some(EvalStatus::Fail) { list.iter().take_while(|r| r.action == "stop").count() } else { 0 };
            list.insert(at, reason);
        }
    }
    let more = list.len().saturating_sub(MAX_REASONS) as u32;
    list.truncate(MAX_REASONS);
    ImageTriage { effect: Effect::Passes, reasons: list, more_reasons: more }
}

/// Compares version strings with runs of digits as numbers: `3.0.13` > `3.0.9`.
fn version_cmp(a: &str, b: &str) -> Ordering {
    let mut x = a.as_bytes();
    let mut y = b.as_bytes();
    loop {
        match (x.first(), y.first()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let n = x.iter().take_while(|c| c.is_ascii_digit()).count();
                let m = y.iter().take_while(|c| c.is_ascii_digit()).count();
                let (p, q) = (&x[..n], &y[..m]);
                let strip = |s: &[u8]| -> usize { s.iter().take_while(|c| **c == b'0').count() };
                let (p, q) = (&p[strip(p)..], &q[strip(q)..]);
                let by = p.len().cmp(&q.len()).then_with(|| p.cmp(q));
                if by != Ordering::Equal {
                    return by;
                }
                x = &x[n..];
                y = &y[m..];
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(d);
                }
                x = &x[1..];
                y = &y[1..];
            }
        }
    }
}

fn fixes(images: &[ImageResult]) -> Vec<Fix> {
    struct Group<'a> {
        to: &'a str,
        ids: BTreeMap<&'a str, Severity>,
        images: Vec<u32>,
    }
    let mut groups: BTreeMap<(&str, &str, &str), Group> = BTreeMap::new();
    for (n, image) in images.iter().enumerate() {
        for v in image.vulnerabilities.iter().filter(|v| fixable(v)) {
            let to = v.fix.as_deref().unwrap_or_default();
            let key = (v.package_name.as_str(), v.package_version.as_str(), v.package_type.as_str());
            let g = groups.entry(key).or_insert_with(|| Group { to, ids: BTreeMap::new(), images: Vec::new() });
            if version_cmp(to, g.to) == Ordering::Greater {
                g.to = to;
            }
            let s = g.ids.entry(v.id.as_str()).or_insert(v.severity);
            *s = (*s).min(v.severity);
            if g.images.last() != Some(&(n as u32)) {
                g.images.push(n as u32);
            }
        }
    }
    let mut out: Vec<Fix> = groups
        .into_iter()
        .map(|((name, version, kind), g)| {
            let mut by_severity = [0u32; 6];
            let mut ids: Vec<(Severity, &str)> = g.ids.iter().map(|(id, s)| (*s, *id)).collect();
            for (s, _) in &ids {
                by_severity[*s as usize] += 1;
            }
            ids.sort();
            Fix {
                package_name: name.to_owned(),
                package_version: version.to_owned(),
                package_type: kind.to_owned(),
                to: g.to.to_owned(),
                count: ids.len() as u32,
                by_severity,
                images: g.images,
                examples: ids.iter().take(5).map(|(_, id)| (*id).to_owned()).collect(),
            }
        })
        .collect();
    // Most Critical first, then High, …; then most images; then by name (BTreeMap order, stable).
    out.sort_by(|a, b| b.by_severity.cmp(&a.by_severity).then(b.images.len().cmp(&a.images.len())));
    out
}

#[cfg(test)]
mod tests;
