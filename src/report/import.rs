//! Import: the files a user opens in the report viewer, turned into one [`Report`].
//!
//! Accepted, detected from the content (never trusted from the file name alone):
//! * our `anchore-gate.json`, taken as it is;
//! * the Jenkins plugin's `anchore_gates.json` (v1 object of tables, v2 array of images) and
//!   `anchore_security.json` (DataTables `{columns, data}`), so old Jenkins reports can be read;
//! * raw engine bodies: policy evaluations (`/check`, v1 and v2) and vulnerability listings
//!   (`/vuln/{type}`, v1 and v2), read with [`policy::parse_v1`], [`policy::parse_v2`] and
//!   [`vuln::parse`];
//! * grype's JSON output (`grype -o json`), whose rows have no policy verdict: only the
//!   vulnerability rules of the gate apply to them.
//!
//! Each format has one detector (a test on the document's top-level [`Shape`]) and one
//! converter (to a [`Report`] or to [`Piece`]s of images). Pieces of one image — a policy file
//! and a vulnerability file — are joined by digest, by the `-N.json` number of the plugin's raw
//! files, or by image name, and the result is decided with [`decision::decide`] under the
//! default options. To add a format: a [`Format`] variant, its detector in [`detect`], its
//! converter in [`convert`].
//!
//! When one set of files holds the same run in several forms (a whole `AnchoreReport` folder),
//! the richest form wins: `anchore-gate.json`, then the plugin's files, then the raw bodies; the
//! others are listed in [`Imported::sources`] as not used. Every error names the file, and
//! where it can the JSON path.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::decision::{self, GateOptions};
use crate::engine::ApiVersion;
use crate::error::ParseError;
use crate::gate::time::Millis;
use crate::image_list;
use crate::json::{json_error, push_index, FlexBool, Object, Text};
use crate::policy::{self, Action, AllowlistMatch, EvalStatus, Evaluation, Finding};
use crate::report::{self, grype, DecisionOptions, EngineInfo, ImageResult, Report, Status, Tool, Totals};
use crate::vuln::{self, Severity, Vulnerability};

/// One file as the viewer read it. `name` may carry folder components (`AnchoreReport/x.json`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
pub struct InputFile {
    pub name: String,
    pub content: String,
}

/// What a file was recognised as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Our `anchore-gate.json`.
    GateReport,
    /// The plugin's `anchore_gates.json` of a v1 engine: `{image_id: {result: table}}`.
    JenkinsGatesV1,
    /// The plugin's `anchore_gates.json` of a v2 engine: `[{image_digest, repo_tag, …, gate_results}]`.
    JenkinsGatesV2,
    /// The plugin's `anchore_security.json`: `{columns: [{title}], data: [[…]]}`.
    JenkinsSecurity,
    /// A raw v1 `/check` body: `[{digest: {tag: [evaluation]}}]`.
    EngineCheckV1,
    /// A raw v2 `/check` body: `{image_digest, evaluated_tag, evaluations: […]}`.
    EngineCheckV2,
    /// A raw `/vuln/{type}` body (either API): `{imageDigest | image_digest, vulnerabilities: […]}`.
    EngineVulnerabilities,
    /// grype's JSON output (`grype -o json`): `{matches, source, descriptor: {name: "grype"}}`.
    Grype,
}

impl Format {
    pub fn describe(self) -> &'static str {
        match self {
            Format::GateReport => "anchore-gate report",
            Format::JenkinsGatesV1 => "Jenkins plugin anchore_gates.json (v1)",
            Format::JenkinsGatesV2 => "Jenkins plugin anchore_gates.json (v2)",
            Format::JenkinsSecurity => "Jenkins plugin anchore_security.json",
            Format::EngineCheckV1 => "engine policy evaluation (v1)",
            Format::EngineCheckV2 => "engine policy evaluation (v2)",
            Format::EngineVulnerabilities => "engine vulnerability listing",
            Format::Grype => "grype report",
        }
    }

    /// Which form of a run: 0 our report, 1 the plugin's files, 2 raw bodies (lower wins).
    fn tier(self) -> u8 {
        match self {
            Format::GateReport => 0,
            Format::JenkinsGatesV1 | Format::JenkinsGatesV2 | Format::JenkinsSecurity => 1,
            Format::EngineCheckV1 | Format::EngineCheckV2 | Format::EngineVulnerabilities | Format::Grype => 2,
        }
    }
}

/// What happened to one input file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Source {
    pub name: String,
    /// `None` for a file that was skipped unread.
    pub format: Option<Format>,
    pub used: bool,
    pub note: Option<String>,
}

/// The report, and what each file contributed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Imported {
    pub report: Report,
    pub sources: Vec<Source>,
}

/// Why the files could not be read. `file` is `None` for a problem of the whole set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportError {
    pub file: Option<String>,
    pub path: String,
    pub message: String,
}

impl ImportError {
    fn of_set(message: impl Into<String>) -> Self {
        ImportError {
            file: None,
            path: String::new(),
            message: message.into(),
        }
    }

    fn of_file(file: &str, path: impl Into<String>, message: impl Into<String>) -> Self {
        ImportError {
            file: Some(file.to_owned()),
            path: path.into(),
            message: message.into(),
        }
    }

    fn parse(file: &str, format: Format, e: ParseError) -> Self {
        ImportError::of_file(
            file,
            e.path,
            format!("not a valid {}: {}", format.describe(), e.message),
        )
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        f.write_str(&self.message)?;
        if !self.path.is_empty() {
            write!(f, " (at `{}`)", self.path)?;
        }
        Ok(())
    }
}

impl std::error::Error for ImportError {}

/// Reads `files` into one report. `now` (ms since the epoch) dates the decision of reports
/// assembled from the plugin's files or raw bodies; an `anchore-gate.json` keeps its own.
pub fn import(files: &[InputFile], now: Millis) -> Result<Imported, ImportError> {
    let (report, sources) = import_with(files, now, |_, report| report, |report| report)?;
    Ok(Imported { report, sources })
}

/// [`import`] as the JSON text of an [`Imported`], for the viewer. An `anchore-gate.json` is
/// checked against the model and then passed on as it was written, not written again: for a
/// report of 100,000 rows that halves the time.
pub fn import_json(files: &[InputFile], now: Millis) -> Result<String, ImportError> {
    let (report, sources) = import_with(
        files,
        now,
        // serde_json checked it as a whole document: it is one valid JSON value.
        |file, _checked| file.content.trim().to_owned(),
        |report| to_json(&report),
    )?;
    Ok(format!(
        r#"{{"report":{report},"sources":{}}}"#,
        to_json(&sources)
    ))
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("the report model serialises (its maps have string keys)")
}

fn import_with<T>(
    files: &[InputFile],
    now: Millis,
    take_report: impl FnOnce(&InputFile, Report) -> T,
    built: impl FnOnce(Report) -> T,
) -> Result<(T, Vec<Source>), ImportError> {
    if files.is_empty() {
        return Err(ImportError::of_set("no files were opened"));
    }
    let mut sources = Vec::with_capacity(files.len());
    let mut recognised: Vec<(usize, Format, Shape)> = Vec::new();
    for (i, file) in files.iter().enumerate() {
        // In a folder, only JSON files can be ours (report.html, anchore_images … are skipped);
        // a single file is read whatever its name.
        if files.len() > 1 && !basename(&file.name).to_ascii_lowercase().ends_with(".json") {
            sources.push(Source {
                name: file.name.clone(),
                format: None,
                used: false,
                note: Some("skipped: not a .json file".into()),
            });
            continue;
        }
        let shape = sniff(&file.content).map_err(|e| {
            ImportError::of_file(&file.name, e.path, format!("cannot be read: {}", e.message))
        })?;
        // Our GitLab container-scanning report is made from anchore-gate.json and holds less.
        if shape.kind == Kind::Object && shape.has("scan") && shape.has("vulnerabilities") && shape.has("version") {
            if files.len() == 1 {
                return Err(ImportError::of_file(&file.name, "", "a GitLab container-scanning report: open anchore-gate.json (or the whole report folder) instead"));
            }
            sources.push(Source {
                name: file.name.clone(),
                format: None,
                used: false,
                note: Some("skipped: GitLab's container-scanning report, made from anchore-gate.json".into()),
            });
            continue;
        }
        let format = detect(&file.name, &shape)
            .ok_or_else(|| ImportError::of_file(&file.name, "", unrecognised(&shape)))?;
        sources.push(Source {
            name: file.name.clone(),
            format: Some(format),
            used: false,
            note: None,
        });
        recognised.push((i, format, shape));
    }
    let Some(tier) = recognised.iter().map(|(_, f, _)| f.tier()).min() else {
        return Err(ImportError::of_set(format!(
            "none of the {} files opened is a report file (.json): open anchore-gate.json, the Jenkins plugin's anchore_gates.json / anchore_security.json, or engine responses",
            files.len()
        )));
    };
    let winners: Vec<&(usize, Format, Shape)> = recognised
        .iter()
        .filter(|(_, f, _)| f.tier() == tier)
        .collect();
    let winner_names = winners
        .iter()
        .map(|(i, _, _)| files[*i].name.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    for (i, format, _) in &recognised {
        let source = sources.iter_mut().find(|s| {
            s.name == files[*i].name && s.format == Some(*format) && !s.used && s.note.is_none()
        });
        if let Some(source) = source {
            if format.tier() == tier {
                source.used = true;
            } else {
                source.note = Some(format!(
                    "not used: the same run is read from {winner_names}"
                ));
            }
        }
    }

    let report = if tier == 0 {
        if winners.len() > 1 {
            return Err(ImportError::of_set(format!(
                "several anchore-gate reports were opened ({winner_names}): open one run at a time"
            )));
        }
        let (i, _, _) = winners[0];
        let file = &files[*i];
        take_report(file, gate_report(file)?)
    } else {
        let mut pieces = Vec::new();
        for (i, format, shape) in &winners {
            pieces.extend(convert(&files[*i], *format, shape)?);
        }
        built(assemble(pieces, now))
    };
    Ok((report, sources))
}

fn basename(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

// --- the top level of a document -----------------------------------------------------------

/// A document's top level, read in one pass with every nested value skipped: enough to tell
/// the formats apart and to pick up the digest of a raw body.
#[derive(Debug, Default)]
struct Shape {
    kind: Kind,
    /// Object: its keys. Array: the keys of its first element when that is an object.
    keys: Vec<String>,
    /// Object: the keys of its first value when that is an object.
    first_value_keys: Option<Vec<String>>,
    /// Object: its string-valued entries.
    strings: Vec<(String, String)>,
    /// Number of entries (object) or elements (array).
    len: usize,
}

#[derive(Debug, Default, PartialEq, Eq, Clone, Copy)]
enum Kind {
    Object,
    Array,
    #[default]
    Other,
}

impl Shape {
    fn has(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
    }

    fn string(&self, key: &str) -> Option<&str> {
        self.strings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A value seen at the top level: its keys if an object, its text if a string.
enum Peek {
    Keys(Vec<String>),
    Str(String),
    Other,
}

impl<'de> Deserialize<'de> for Peek {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Peek;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Peek, A::Error> {
                let mut keys = Vec::new();
                while let Some(k) = map.next_key::<Text>()? {
                    map.next_value::<IgnoredAny>()?;
                    keys.push(k.0.into_owned());
                }
                Ok(Peek::Keys(keys))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Peek, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Peek::Other)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Peek, E> {
                Ok(Peek::Str(s.to_owned()))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Peek, E> {
                Ok(Peek::Other)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Peek, E> {
                Ok(Peek::Other)
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Peek, E> {
                Ok(Peek::Other)
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Peek, E> {
                Ok(Peek::Other)
            }
            fn visit_unit<E: de::Error>(self) -> Result<Peek, E> {
                Ok(Peek::Other)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Shape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Shape;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a JSON document")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Shape, A::Error> {
                let mut shape = Shape {
                    kind: Kind::Object,
                    ..Shape::default()
                };
                while let Some(k) = map.next_key::<Text>()? {
                    let key = k.0.into_owned();
                    match map.next_value::<Peek>()? {
                        Peek::Keys(keys) if shape.len == 0 => shape.first_value_keys = Some(keys),
                        Peek::Str(s) => shape.strings.push((key.clone(), s)),
                        _ => {}
                    }
                    shape.keys.push(key);
                    shape.len += 1;
                }
                Ok(shape)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Shape, A::Error> {
                let mut shape = Shape {
                    kind: Kind::Array,
                    ..Shape::default()
                };
                if let Some(first) = seq.next_element::<Peek>()? {
                    shape.len = 1;
                    if let Peek::Keys(keys) = first {
                        shape.keys = keys;
                    }
                    while seq.next_element::<IgnoredAny>()?.is_some() {
                        shape.len += 1;
                    }
                }
                Ok(shape)
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Shape, E> {
                Ok(Shape::default())
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Shape, E> {
                Ok(Shape::default())
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Shape, E> {
                Ok(Shape::default())
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Shape, E> {
                Ok(Shape::default())
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Shape, E> {
                Ok(Shape::default())
            }
            fn visit_unit<E: de::Error>(self) -> Result<Shape, E> {
                Ok(Shape::default())
            }
        }
        d.deserialize_any(V)
    }
}

fn sniff(content: &str) -> Result<Shape, ParseError> {
    serde_json::from_str(content).map_err(|e| json_error("file", content, e))
}

/// The detectors, most specific first.
fn detect(name: &str, s: &Shape) -> Option<Format> {
    let named_gates = basename(name).eq_ignore_ascii_case("anchore_gates.json");
    match s.kind {
        Kind::Object if s.has("schema") && s.has("images") => Some(Format::GateReport),
        Kind::Object if s.has("evaluations") => Some(Format::EngineCheckV2),
        Kind::Object if s.has("vulnerabilities") => Some(Format::EngineVulnerabilities),
        Kind::Object if s.has("matches") && s.has("descriptor") => Some(Format::Grype),
        Kind::Object if s.has("columns") && s.has("data") => Some(Format::JenkinsSecurity),
        Kind::Object
            if s.first_value_keys
                .as_ref()
                .is_some_and(|k| k.iter().any(|k| k == "result")) =>
        {
            Some(Format::JenkinsGatesV1)
        }
        Kind::Object if s.len == 0 && named_gates => Some(Format::JenkinsGatesV1),
        Kind::Array
            if ["gate_results", "repo_tag", "final_action"]
                .iter()
                .any(|k| s.has(k)) =>
        {
            Some(Format::JenkinsGatesV2)
        }
        Kind::Array if s.len == 0 && named_gates => Some(Format::JenkinsGatesV2),
        Kind::Array if !s.keys.is_empty() => Some(Format::EngineCheckV1),
        _ => None,
    }
}

fn unrecognised(s: &Shape) -> String {
    let found = match s.kind {
        Kind::Object if s.keys.is_empty() => "an empty object".to_owned(),
        Kind::Object => format!("an object with the keys {}", list_keys(&s.keys)),
        Kind::Array if s.len == 0 => "an empty list".to_owned(),
        Kind::Array if s.keys.is_empty() => {
            "a list whose first element is not an object".to_owned()
        }
        Kind::Array => format!("a list of objects with the keys {}", list_keys(&s.keys)),
        Kind::Other => "a JSON value that is neither an object nor a list".to_owned(),
    };
    format!(
        "not a report file this viewer knows: expected anchore-gate.json, the Jenkins plugin's anchore_gates.json or anchore_security.json, an engine policy evaluation or vulnerability listing, or grype's JSON; found {found}"
    )
}

fn list_keys(keys: &[String]) -> String {
    let shown: Vec<String> = keys
        .iter()
        .take(8)
        .map(|k| format!("`{}`", k.chars().take(80).collect::<String>()))
        .collect();
    let more = if keys.len() > 8 {
        format!(" and {} more", keys.len() - 8)
    } else {
        String::new()
    };
    format!("{}{more}", shown.join(", "))
}

// --- our own report ------------------------------------------------------------------------

fn gate_report(file: &InputFile) -> Result<Report, ImportError> {
    let format = Format::GateReport;
    let report: Report = serde_json::from_str(&file.content).map_err(|e| {
        ImportError::parse(
            &file.name,
            format,
            json_error("anchore-gate report", &file.content, e),
        )
    })?;
    if report.schema != report::SCHEMA {
        return Err(ImportError::of_file(
            &file.name,
            "schema",
            format!(
                "unsupported report schema `{}`: this viewer reads `{}`",
                report.schema,
                report::SCHEMA
            ),
        ));
    }
    Ok(report)
}

// --- pieces of images ----------------------------------------------------------------------

/// What one file says about one image. Pieces of the same image are joined in [`assemble`].
#[derive(Debug, Default)]
struct Piece {
    files: Vec<String>,
    image: Option<String>,
    digest: Option<String>,
    /// The `N` of `…-N.json` (the plugin's raw files are numbered by image).
    number: Option<u32>,
    api: Option<ApiVersion>,
    evaluation: Option<Evaluation>,
    /// The evaluation's verdict is known (the plugin may have written `final_action: null`).
    verdict_known: bool,
    /// The plugin's own `failure_details`, when it wrote one.
    stop_action_details: Option<String>,
    vulnerabilities: Option<Vec<Vulnerability>>,
    vuln_type: Option<String>,
    /// From a scanner without a policy engine (grype).
    no_policy: bool,
}

/// The converters.
fn convert(file: &InputFile, format: Format, shape: &Shape) -> Result<Vec<Piece>, ImportError> {
    let err = |e: ParseError| ImportError::parse(&file.name, format, e);
    let piece = || Piece {
        files: vec![file.name.clone()],
        number: file_number(&file.name),
        ..Piece::default()
    };
    match format {
        Format::GateReport => unreachable!("read by gate_report"),
        Format::JenkinsGatesV1 => jenkins_gates_v1(file).map_err(err),
        Format::JenkinsGatesV2 => jenkins_gates_v2(file).map_err(err),
        Format::JenkinsSecurity => jenkins_security(file).map_err(err),
        Format::EngineCheckV1 => {
            let digest = shape.keys.first().cloned().unwrap_or_default();
            let evaluation = policy::parse_v1(&file.content, &digest).map_err(err)?;
            Ok(vec![Piece {
                digest: Some(digest),
                api: Some(ApiVersion::V1),
                verdict_known: evaluation.is_some(),
                evaluation,
                ..piece()
            }])
        }
        Format::EngineCheckV2 => {
            let evaluation = policy::parse_v2(&file.content).map_err(err)?;
            Ok(vec![Piece {
                digest: shape.string("image_digest").map(str::to_owned),
                api: Some(ApiVersion::V2),
                verdict_known: evaluation.is_some(),
                evaluation,
                ..piece()
            }])
        }
        Format::Grype => {
            let row = grype::image(&file.content, &file.name).map_err(err)?;
            Ok(vec![Piece {
                image: Some(row.image),
                digest: row.digest,
                vulnerabilities: Some(row.vulnerabilities),
                no_policy: true,
                ..piece()
            }])
        }
        Format::EngineVulnerabilities => {
            let listing = vuln::parse(&file.content).map_err(err)?;
            let (digest, api) = match (shape.string("imageDigest"), shape.string("image_digest")) {
                (Some(d), _) => (Some(d), Some(ApiVersion::V1)),
                (None, Some(d)) => (Some(d), Some(ApiVersion::V2)),
                (None, None) => (None, None),
            };
            Ok(vec![Piece {
                digest: digest.map(str::to_owned),
                api,
                vuln_type: Some(listing.vulnerability_type).filter(|t| !t.is_empty()),
                vulnerabilities: Some(listing.vulnerabilities),
                ..piece()
            }])
        }
    }
}

/// `anchoreengine-api-response-evaluation-3.json` → 3.
fn file_number(name: &str) -> Option<u32> {
    let stem = basename(name).strip_suffix(".json")?;
    let (_, n) = stem.rsplit_once('-')?;
    n.parse().ok()
}

/// An evaluation built from the plugin's files, which keep only the final action and the rows.
fn jenkins_evaluation(
    final_action: Option<Action>,
    tag: Option<&str>,
    image_id: Option<String>,
    findings: Vec<Finding>,
) -> Evaluation {
    Evaluation {
        status: if final_action == Some(Action::Stop) {
            EvalStatus::Fail
        } else {
            EvalStatus::Pass
        },
        final_action,
        final_action_reason: None,
        evaluated_tag: tag.unwrap_or_default().to_owned(),
        policy_id: findings
            .first()
            .map(|f| f.policy_id.clone())
            .unwrap_or_default(),
        image_id,
        last_evaluation: None,
        findings,
        policy_action: final_action,
    }
}

/// The plugin's v2 `repo_tag` is `"<ui link> <tag>"` when `anchoreui` was set: keep the tag.
fn plugin_tag(repo_tag: &str) -> &str {
    let t = repo_tag.trim();
    match t.rsplit_once(char::is_whitespace) {
        Some((link, tag)) if link.starts_with("http://") || link.starts_with("https://") => tag,
        _ => t,
    }
}

fn jenkins_gates_v1(file: &InputFile) -> Result<Vec<Piece>, ParseError> {
    let tables = policy::parse_v1_tables(&file.content)?;
    Ok(tables
        .into_iter()
        .map(|t| Piece {
            files: vec![file.name.clone()],
            image: t.repo_tag.clone().or_else(|| Some(t.image_id.clone())),
            api: Some(ApiVersion::V1),
            verdict_known: t.final_action.is_some(),
            evaluation: Some(jenkins_evaluation(
                t.final_action,
                t.repo_tag.as_deref(),
                Some(t.image_id),
                t.findings,
            )),
            ..Piece::default()
        })
        .collect())
}

const WHAT_GATES_V2: &str = "Jenkins plugin anchore_gates.json (v2)";

fn null_as_empty<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

#[derive(Deserialize)]
struct GatesV2Image<'a> {
    #[serde(default)]
    image_digest: Option<String>,
    #[serde(default)]
    repo_tag: Option<String>,
    #[serde(borrow, default)]
    final_action: Option<Text<'a>>,
    #[serde(default)]
    failure_details: Option<String>,
    #[serde(borrow, default)]
    gate_results: Option<Vec<Object<GatesV2Finding<'a>>>>,
}

#[derive(Deserialize)]
struct GatesV2Finding<'a> {
    #[serde(default, deserialize_with = "null_as_empty")]
    trigger_id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    gate: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    trigger: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    message: String,
    #[serde(borrow)]
    action: Text<'a>,
    #[serde(default)]
    allowlisted: FlexBool,
    #[serde(default)]
    allowlist_match: Option<GatesV2Match>,
    #[serde(default)]
    inherited_from_base: FlexBool,
    #[serde(default, deserialize_with = "null_as_empty")]
    policy_id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    recommendation: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    rule_id: String,
}

#[derive(Deserialize)]
struct GatesV2Match {
    #[serde(default, deserialize_with = "null_as_empty")]
    id: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    name: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    matched_rule_id: String,
}

fn parse_action(text: &str, path: String, what: &'static str) -> Result<Action, ParseError> {
    Action::parse(text).ok_or_else(|| {
        ParseError::new(
            what,
            path,
            format!("unknown action `{text}` (expected stop, warn or go)"),
        )
    })
}

fn jenkins_gates_v2(file: &InputFile) -> Result<Vec<Piece>, ParseError> {
    let body = &file.content;
    let images: Vec<Object<GatesV2Image>> =
        serde_json::from_str(body).map_err(|e| json_error(WHAT_GATES_V2, body, e))?;
    let mut pieces = Vec::with_capacity(images.len());
    for (i, Object(img)) in images.into_iter().enumerate() {
        let at = |rest: &str| {
            let mut p = String::new();
            push_index(&mut p, i);
            p.push_str(rest);
            p
        };
        let final_action = match &img.final_action {
            Some(a) => Some(parse_action(&a.0, at(".final_action"), WHAT_GATES_V2)?),
            None => None,
        };
        let raw = img.gate_results.unwrap_or_default();
        let mut findings = Vec::with_capacity(raw.len());
        for (j, Object(f)) in raw.into_iter().enumerate() {
            let action = parse_action(
                &f.action.0,
                at(&format!(".gate_results[{j}].action")),
                WHAT_GATES_V2,
            )?;
            let allowlist_match = f.allowlist_match.map(|m| AllowlistMatch {
                id: m.id,
                name: m.name,
                matched_rule_id: m.matched_rule_id,
            });
            findings.push(Finding {
                trigger_id: f.trigger_id,
                gate: f.gate,
                trigger: f.trigger,
                message: f.message,
                action,
                allowlisted: f.allowlisted.0.unwrap_or(allowlist_match.is_some()),
                allowlist_match,
                inherited_from_base: f.inherited_from_base.0,
                policy_id: f.policy_id,
                recommendation: f.recommendation,
                rule_id: f.rule_id,
            });
        }
        let tag = img
            .repo_tag
            .as_deref()
            .map(plugin_tag)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        pieces.push(Piece {
            files: vec![file.name.clone()],
            image: tag.clone().or_else(|| img.image_digest.clone()),
            digest: img.image_digest,
            api: Some(ApiVersion::V2),
            verdict_known: final_action.is_some(),
            stop_action_details: img.failure_details,
            evaluation: Some(jenkins_evaluation(
                final_action,
                tag.as_deref(),
                None,
                findings,
            )),
            ..Piece::default()
        });
    }
    Ok(pieces)
}

const WHAT_SECURITY: &str = "Jenkins plugin anchore_security.json";

#[derive(Deserialize)]
struct Security<'a> {
    columns: Vec<Object<Title>>,
    #[serde(borrow)]
    data: Vec<Vec<Loose<'a>>>,
}

#[derive(Deserialize)]
struct Title {
    #[serde(default)]
    title: Option<String>,
}

/// A DataTables cell: text, or a boolean/number/null read as text.
struct Loose<'a>(Option<Cow<'a, str>>);

impl<'de: 'a, 'a> Deserialize<'de> for Loose<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Loose<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table cell (text, a boolean, a number or null)")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Loose<'a>, E> {
                Ok(Loose(Some(Cow::Borrowed(s))))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Loose<'a>, E> {
                Ok(Loose(Some(Cow::Owned(s.to_owned()))))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Loose<'a>, E> {
                Ok(Loose(Some(Cow::Owned(s))))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Loose<'a>, E> {
                Ok(Loose(Some(Cow::Borrowed(if b { "true" } else { "false" }))))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Loose<'a>, E> {
                Ok(Loose(Some(Cow::Owned(n.to_string()))))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Loose<'a>, E> {
                Ok(Loose(Some(Cow::Owned(n.to_string()))))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Loose<'a>, E> {
                Ok(Loose(Some(Cow::Owned(n.to_string()))))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Loose<'a>, E> {
                Ok(Loose(None))
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// The plugin ≤ 1.0.24 wrote the URL cell as `<a href='…'>…</a>`: take the address out (it is
/// only ever shown as text or, for http(s), as a link the viewer builds itself).
fn plugin_url(cell: &str) -> &str {
    let t = cell.trim();
    // `get`: a cell may start with a multi-byte character, and slicing inside it panics.
    if t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("<a ")) {
        if let Some(at) = t.find("href=") {
            let rest = &t[at + 5..];
            if let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') {
                if let Some(end) = rest[1..].find(q) {
                    return &rest[1..1 + end];
                }
            }
        }
    }
    cell
}

/// `"None"`, `""` and null mean "none", as in the engine's bodies.
fn plugin_opt(cell: Option<&Loose>) -> Option<String> {
    cell.and_then(|c| c.0.as_deref())
        .filter(|s| !s.trim().is_empty() && s.trim() != "None")
        .map(str::to_owned)
}

fn jenkins_security(file: &InputFile) -> Result<Vec<Piece>, ParseError> {
    let body = &file.content;
    let Object(sec): Object<Security> =
        serde_json::from_str(body).map_err(|e| json_error(WHAT_SECURITY, body, e))?;
    let titles: Vec<String> = sec
        .columns
        .into_iter()
        .map(|Object(t)| t.title.unwrap_or_default())
        .collect();
    let col = |name: &str| {
        titles
            .iter()
            .position(|t| t.trim().eq_ignore_ascii_case(name))
    };
    let need = |name: &str| {
        col(name).ok_or_else(|| {
            ParseError::new(
                WHAT_SECURITY,
                "columns",
                format!("no `{name}` column (found: {})", titles.join(", ")),
            )
        })
    };
    let (tag, id, severity) = (need("Tag")?, need("CVE ID")?, need("Severity")?);
    let (package, fix, inherited, url) = (
        col("Vulnerability Package"),
        col("Fix Available"),
        col("Inherited From Base"),
        col("URL"),
    );
    let width = titles.len();
    let mut pieces: Vec<Piece> = Vec::new();
    for (i, row) in sec.data.into_iter().enumerate() {
        if row.len() < width {
            let mut p = "data".to_owned();
            push_index(&mut p, i);
            return Err(ParseError::new(
                WHAT_SECURITY,
                p,
                format!(
                    "the row has {} cells but there are {width} columns",
                    row.len()
                ),
            ));
        }
        let text = |c: usize| row[c].0.as_deref().unwrap_or_default().to_owned();
        let image = text(tag);
        let package_text = package.map(text).unwrap_or_default();
        let v = Vulnerability {
            id: text(id),
            severity: Severity::parse(&text(severity)),
            package: package_text,
            package_name: String::new(),
            package_version: String::new(),
            package_type: String::new(),
            package_path: None,
            fix: plugin_opt(fix.map(|c| &row[c])),
            url: plugin_opt(url.map(|c| &row[c])).map(|u| plugin_url(&u).to_owned()),
            feed_group: None,
            inherited_from_base: inherited.and_then(|c| {
                row[c]
                    .0
                    .as_deref()
                    .and_then(crate::json::flex_bool_str)
                    .flatten()
            }),
            allowlisted: None,
        };
        match pieces
            .iter_mut()
            .find(|p| p.image.as_deref() == Some(image.as_str()))
        {
            Some(p) => p.vulnerabilities.get_or_insert_with(Vec::new).push(v),
            None => pieces.push(Piece {
                files: vec![file.name.clone()],
                image: Some(image),
                api: Some(if inherited.is_some() {
                    ApiVersion::V2
                } else {
                    ApiVersion::V1
                }),
                vulnerabilities: Some(vec![v]),
                ..Piece::default()
            }),
        }
    }
    Ok(pieces)
}

// --- joining pieces into a report ----------------------------------------------------------

impl Piece {
    /// Whether `other` completes this piece: one has the evaluation, the other the
    /// vulnerabilities, and they name the same image by `key`.
    fn completed_by(&self, other: &Piece, key: fn(&Piece) -> Option<String>) -> bool {
        let policy_only = |p: &Piece| p.evaluation.is_some() && p.vulnerabilities.is_none();
        let vulns_only = |p: &Piece| p.evaluation.is_none() && p.vulnerabilities.is_some();
        let complementary =
            (policy_only(self) && vulns_only(other)) || (vulns_only(self) && policy_only(other));
        complementary && matches!((key(self), key(other)), (Some(a), Some(b)) if a == b)
    }

    fn absorb(&mut self, other: Piece) {
        self.files.extend(other.files);
        self.image = self.image.take().or(other.image);
        self.digest = self.digest.take().or(other.digest);
        self.api = self.api.or(other.api);
        if other.evaluation.is_some() {
            self.evaluation = other.evaluation;
            self.verdict_known = other.verdict_known;
            self.stop_action_details = other.stop_action_details;
            // The evaluated tag names the image better than a digest.
            if let Some(tag) = self
                .evaluation
                .as_ref()
                .map(|e| e.evaluated_tag.clone())
                .filter(|t| !t.is_empty())
            {
                self.image = Some(tag);
            }
        }
        if other.vulnerabilities.is_some() {
            self.vulnerabilities = other.vulnerabilities;
            self.vuln_type = other.vuln_type;
        }
        // An engine evaluation makes it an engine result again.
        self.no_policy = (self.no_policy || other.no_policy) && self.evaluation.is_none();
    }
}

fn by_digest(p: &Piece) -> Option<String> {
    p.digest.clone()
}

fn by_number(p: &Piece) -> Option<String> {
    p.number.map(|n| n.to_string())
}

fn by_image(p: &Piece) -> Option<String> {
    p.image
        .as_deref()
        .or(p.evaluation.as_ref().map(|e| e.evaluated_tag.as_str()))
        .filter(|s| !s.is_empty())
        .map(image_list::normalize)
}

fn assemble(pieces: Vec<Piece>, now: Millis) -> Report {
    let mut joined: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        let keys: [fn(&Piece) -> Option<String>; 3] = [by_digest, by_number, by_image];
        let at = keys
            .iter()
            .find_map(|key| joined.iter().position(|j| j.completed_by(&piece, *key)));
        match at {
            Some(at) => joined[at].absorb(piece),
            None => joined.push(piece),
        }
    }
    let api = joined.iter().find_map(|p| p.api);
    let vuln_type = joined
        .iter()
        .find_map(|p| p.vuln_type.clone())
        .unwrap_or_else(|| "all".into());
    let images: Vec<ImageResult> = joined.into_iter().map(image_result).collect();
    let mut report = Report {
        schema: report::SCHEMA.to_owned(),
        tool: Tool {
            name: "anchore-gate".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
        },
        engine: EngineInfo {
            url: String::new(),
            api,
        },
        verdict: Status::Error,
        exit_code: 0,
        started_at: String::new(),
        finished_at: String::new(),
        options: DecisionOptions {
            policy_id: None,
            exclude_base: false,
            vuln_type,
            fail_on_stop: true,
            fail_on_error: true,
            fail_on_warn: false,
            fail_on_severity: None,
            only_fixed: false,
            timeout_seconds: 0.0,
        },
        totals: Totals::default(),
        error: None,
        allowlist: None,
        decided_at: None,
        images,
    };
    decision::decide(&mut report, &GateOptions::default(), now);
    report
}

fn image_result(p: Piece) -> ImageResult {
    let vulnerabilities = p.vulnerabilities.unwrap_or_default();
    let ev = p.evaluation;
    let tag = ev
        .as_ref()
        .map(|e| e.evaluated_tag.clone())
        .filter(|t| !t.is_empty());
    let image = p
        .image
        .or_else(|| tag.clone())
        .or_else(|| p.digest.clone())
        .unwrap_or_else(|| p.files.first().cloned().unwrap_or_default());
    let stop_action_details = match (&p.stop_action_details, &ev) {
        (Some(d), _) => d.clone(),
        (None, Some(e)) => e.stop_action_details(false),
        (None, None) => String::new(),
    };
    ImageResult {
        image,
        source: p.files.join(", "),
        digest: p.digest,
        policy_status: ev.as_ref().filter(|_| p.verdict_known).map(|e| e.status),
        final_action: ev.as_ref().and_then(|e| e.final_action),
        final_action_reason: ev.as_ref().and_then(|e| e.final_action_reason.clone()),
        stop_action_details,
        evaluated_tag: tag,
        policy_id: ev
            .as_ref()
            .map(|e| e.policy_id.clone())
            .filter(|p| !p.is_empty()),
        counts: ev.as_ref().map(Evaluation::counts).unwrap_or_default(),
        vulnerability_counts: report::count_by_severity(&vulnerabilities),
        findings: ev.map(|e| e.findings).unwrap_or_default(),
        vulnerabilities,
        no_policy: p.no_policy,
        ..ImageResult::default()
    }
}

#[cfg(test)]
mod tests;
