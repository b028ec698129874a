//! Policy evaluations: the engine's `/check` response, v1 (nested digest → tag → table) and
//! v2 (`evaluations[].details.findings[]`), read into one list of [`Finding`]s.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::error::ParseError;
use crate::json::*;

/// A policy rule's action. The engine orders them STOP < WARN < GO (most severe first).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Stop,
    Warn,
    Go,
}

impl Action {
    /// Case-insensitive, as the plugin reads `Gate_Action`.
    pub fn parse(s: &str) -> Option<Action> {
        match s.to_ascii_lowercase().as_str() {
            "stop" => Some(Action::Stop),
            "warn" => Some(Action::Warn),
            "go" => Some(Action::Go),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Stop => "stop",
            Action::Warn => "warn",
            Action::Go => "go",
        }
    }
}

/// `pass` when the final action is GO or WARN, `fail` when STOP.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvalStatus {
    Pass,
    Fail,
}

/// The allowlist (v1: whitelist) entry that matched a finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct AllowlistMatch {
    pub id: String,
    pub name: String,
    pub matched_rule_id: String,
}

/// One row of a policy evaluation, in the v2 names (v1's `Check_Output` is `message`, and so on).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub trigger_id: String,
    pub gate: String,
    pub trigger: String,
    pub message: String,
    pub action: Action,
    pub allowlisted: bool,
    pub allowlist_match: Option<AllowlistMatch>,
    /// `None` when the engine did not say (v1 tables without the column, v2 `null`).
    pub inherited_from_base: Option<bool>,
    pub policy_id: String,
    pub recommendation: String,
    pub rule_id: String,
}

/// A parsed policy evaluation of one image and tag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub status: EvalStatus,
    /// After allow/deny-listing of the whole image. `None` when the response had no detail
    /// and the action cannot be known (a `pass` may be GO or WARN).
    pub final_action: Option<Action>,
    /// `policy_evaluation`, `allowlisted`/`whitelisted`, `denylisted`/`blacklisted`.
    pub final_action_reason: Option<String>,
    /// The tag the engine evaluated (normalised by the engine, e.g. `docker.io/alpine:3.9`).
    pub evaluated_tag: String,
    /// The policy (bundle) id the engine used.
    pub policy_id: String,
    /// Docker image id (v1 tables are keyed by it).
    pub image_id: Option<String>,
    pub last_evaluation: Option<String>,
    pub findings: Vec<Finding>,
    /// The policy's own decision before the image allow/deny-list override (v1: the table's
    /// `final_action`, v2: `details.policy_action`); `None` without detail.
    pub policy_action: Option<Action>,
}

/// Per-image counts as the plugin reports them: stop/warn/go exclude allowlisted rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub stop: u32,
    pub warn: u32,
    pub go: u32,
    pub allowlisted: u32,
}

/// `what` of the errors [`parse_v1`] returns.
pub const WHAT_V1: &str = "policy evaluation (v1)";
/// `what` of the errors [`parse_v2`] returns.
pub const WHAT_V2: &str = "policy evaluation (v2)";

impl EvalStatus {
    /// Case-insensitive `pass` / `fail`.
    pub fn parse(s: &str) -> Option<EvalStatus> {
        if s.eq_ignore_ascii_case("pass") {
            Some(EvalStatus::Pass)
        } else if s.eq_ignore_ascii_case("fail") {
            Some(EvalStatus::Fail)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EvalStatus::Pass => "pass",
            EvalStatus::Fail => "fail",
        }
    }
}

impl Evaluation {
    /// Per-action counts as the plugin reports them (jenkins-plugin.md §3.1/§3.2): allowlisted
    /// findings are left out of stop/warn/go and counted in `allowlisted` instead.
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in &self.findings {
            if f.allowlisted {
                c.allowlisted += 1;
                continue;
            }
            match f.action {
                Action::Stop => c.stop += 1,
                Action::Warn => c.warn += 1,
                Action::Go => c.go += 1,
            }
        }
        c
    }

    /// Drops the findings the engine marked as inherited from the base image (the plugin's
    /// `excludeFromBaseImage`); returns how many were dropped. `status` and `final_action` stay:
    /// the exclusion changes the tables, not the verdict.
    pub fn remove_inherited(&mut self) -> usize {
        let before = self.findings.len();
        self.findings
            .retain(|f| f.inherited_from_base != Some(true));
        before - self.findings.len()
    }

    /// The plugin's (3.2.0+) "Stop Action Details" / `failure_details` text: empty unless the
    /// final action is STOP. `removed_all_by_exclusion`: the base-image exclusion removed every
    /// finding of this evaluation.
    pub fn stop_action_details(&self, removed_all_by_exclusion: bool) -> String {
        if self.final_action != Some(Action::Stop) {
            return String::new();
        }
        match self.final_action_reason.as_deref() {
            // No reason is known when the response had no detail; the policy is the usual cause.
            None | Some("policy_evaluation") => {
                if removed_all_by_exclusion {
                    "Failure inherited from base image".to_string()
                } else {
                    "Policy evaluation failed".to_string()
                }
            }
            Some(reason) => format!("Failed due to {reason}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// v1: `[ { "<digest>": { "<tag>": [ {status, policyId, last_evaluation, detail} ] } } ]`

/// One tag evaluation record. Undeclared keys (the `policy` bundle) are skipped by serde.
#[derive(Deserialize)]
struct V1Eval<'a> {
    #[serde(borrow, default)]
    status: Option<Text<'a>>,
    #[serde(rename = "policyId", default)]
    policy_id: Option<String>,
    #[serde(default)]
    last_evaluation: Option<String>,
    /// Only in the engine's status-less edge case (`"final_action": "fail"`).
    #[serde(borrow, default)]
    final_action: Option<Text<'a>>,
    #[serde(borrow, default)]
    detail: Option<V1Detail<'a>>,
}

#[derive(Deserialize)]
struct V1Detail<'a> {
    #[serde(borrow, default)]
    result: Option<V1Result<'a>>,
}

/// `detail.result`: the policy engine's evaluation (its `bundle` copy is skipped).
#[derive(Deserialize)]
struct V1Result<'a> {
    #[serde(borrow, default)]
    final_action: Option<Text<'a>>,
    #[serde(default)]
    final_action_reason: Option<String>,
    #[serde(default)]
    image_id: Option<String>,
    #[serde(borrow, default)]
    result: Option<V1Tables<'a>>,
}

/// `detail.result.result`: `{<image_id>: {result: {header, rows, final_action}}}` next to the
/// scalar/array keys `policy_data`, `policy_name`, `whitelist_data`, `whitelist_names`, which,
/// like any entry without `result.header`/`rows`, are skipped (as the plugin does).
struct V1Tables<'a>(Vec<(Text<'a>, V1Table<'a>)>);

impl<'de: 'a, 'a> Deserialize<'de> for V1Tables<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Vis<'a> {
            type Value = V1Tables<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<Text<'a>>()? {
                    if let MaybeTable(Some(t)) = map.next_value::<MaybeTable<'a>>()? {
                        out.push((k, t));
                    }
                }
                Ok(V1Tables(out))
            }
        }
        d.deserialize_map(Vis(PhantomData))
    }
}

/// An entry of `detail.result.result`: a table when it is an object with `result.header/rows`.
struct MaybeTable<'a>(Option<V1Table<'a>>);

#[derive(Deserialize)]
struct V1TableWrapper<'a> {
    #[serde(borrow, default)]
    result: Option<V1Table<'a>>,
}

#[derive(Deserialize)]
struct V1Table<'a> {
    #[serde(borrow, default)]
    header: Option<Vec<Text<'a>>>,
    #[serde(borrow, default)]
    rows: Option<Vec<Row<'a>>>,
    #[serde(borrow, default)]
    final_action: Option<Text<'a>>,
}

impl<'de: 'a, 'a> Deserialize<'de> for MaybeTable<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Vis<'a> {
            type Value = MaybeTable<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                let w = V1TableWrapper::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(MaybeTable(
                    w.result.filter(|t| t.header.is_some() && t.rows.is_some()),
                ))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(MaybeTable(None))
            }
            fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
                Ok(MaybeTable(None))
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
                Ok(MaybeTable(None))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
                Ok(MaybeTable(None))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
                Ok(MaybeTable(None))
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(MaybeTable(None))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(MaybeTable(None))
            }
        }
        d.deserialize_any(Vis(PhantomData))
    }
}

/// One v1 table row. Read with room for the engine's 9 or 10 columns up front: serde's `Vec`
/// would grow 4 → 8 → 16, three allocations per row.
struct Row<'a>(Vec<Cell<'a>>);

impl<'de: 'a, 'a> Deserialize<'de> for Row<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Vis<'a> {
            type Value = Row<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table row (an array)")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Row<'a>, A::Error> {
                let mut cells = Vec::with_capacity(10);
                while let Some(c) = seq.next_element::<Cell<'a>>()? {
                    cells.push(c);
                }
                Ok(Row(cells))
            }
        }
        d.deserialize_seq(Vis(PhantomData))
    }
}

/// One cell of a v1 table row.
enum Cell<'a> {
    Str(Cow<'a, str>),
    Bool(bool),
    Null,
    /// The `Whitelisted` object.
    Match(Box<V1Match>),
    Other(&'static str),
}

/// `{whitelist_name, whitelist_id, matched_rule_id}` (also accepted in the allowlist spelling).
#[derive(Deserialize)]
struct V1Match {
    #[serde(default, alias = "allowlist_name", alias = "name")]
    whitelist_name: Option<String>,
    #[serde(default, alias = "allowlist_id", alias = "id")]
    whitelist_id: Option<String>,
    #[serde(default)]
    matched_rule_id: Option<String>,
}

impl<'de: 'a, 'a> Deserialize<'de> for Cell<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Vis<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for Vis<'a> {
            type Value = Cell<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a table cell")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Cell<'a>, E> {
                Ok(Cell::Str(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Cell<'a>, E> {
                Ok(Cell::Str(Cow::Owned(s.to_owned())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Cell<'a>, E> {
                Ok(Cell::Str(Cow::Owned(s)))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Cell<'a>, E> {
                Ok(Cell::Bool(b))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Cell<'a>, E> {
                Ok(Cell::Null)
            }
            fn visit_i64<E: de::Error>(self, _: i64) -> Result<Cell<'a>, E> {
                Ok(Cell::Other("a number"))
            }
            fn visit_u64<E: de::Error>(self, _: u64) -> Result<Cell<'a>, E> {
                Ok(Cell::Other("a number"))
            }
            fn visit_f64<E: de::Error>(self, _: f64) -> Result<Cell<'a>, E> {
                Ok(Cell::Other("a number"))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Cell<'a>, A::Error> {
                V1Match::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|m| Cell::Match(Box::new(m)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Cell<'a>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Cell::Other("an array"))
            }
        }
        d.deserialize_any(Vis(PhantomData))
    }
}

impl Cell<'_> {
    fn kind(&self) -> &'static str {
        match self {
            Cell::Str(_) => "a string",
            Cell::Bool(_) => "a boolean",
            Cell::Null => "null",
            Cell::Match(_) => "an object",
            Cell::Other(k) => k,
        }
    }
}

/// Column positions of one table, found by header name.
struct Columns {
    width: usize,
    trigger_id: usize,
    gate: usize,
    trigger: usize,
    check_output: usize,
    gate_action: usize,
    whitelisted: usize,
    policy_id: usize,
    inherited: Option<usize>,
}

impl Columns {
    fn find(header: &[Text], path: &str) -> Result<Columns, ParseError> {
        let pos = |names: &[&str]| header.iter().position(|h| names.contains(&h.0.as_ref()));
        let need = |names: &[&str]| {
            pos(names).ok_or_else(|| {
                ParseError::new(
                    WHAT_V1,
                    path,
                    format!("the table header has no `{}` column", names[0]),
                )
            })
        };
        Ok(Columns {
            width: header.len(),
            trigger_id: need(&["Trigger_Id"])?,
            gate: need(&["Gate"])?,
            trigger: need(&["Trigger"])?,
            check_output: need(&["Check_Output"])?,
            gate_action: need(&["Gate_Action"])?,
            whitelisted: need(&["Whitelisted", "Allowlisted"])?,
            policy_id: need(&["Policy_Id"])?,
            inherited: pos(&["Inherited_From_Base"]),
        })
    }
}

/// Builds the findings of one table, in row order, skipping the `FINAL` rows.
fn table_findings(
    header: &[Text],
    rows: Vec<Row>,
    path: &str,
    out: &mut Vec<Finding>,
) -> Result<(), ParseError> {
    let cols = Columns::find(header, &with_key(path, "header"))?;
    let rows_path = with_key(path, "rows");
    out.reserve(rows.len());
    for (i, Row(mut row)) in rows.into_iter().enumerate() {
        let cell_err = |col: usize, msg: String| {
            let mut p = rows_path.clone();
            push_index(&mut p, i);
            push_index(&mut p, col);
            ParseError::new(WHAT_V1, p, msg)
        };
        if row.len() != cols.width {
            let mut p = rows_path.clone();
            push_index(&mut p, i);
            return Err(ParseError::new(
                WHAT_V1,
                p,
                format!(
                    "row {i} has {} cells but the header has {} columns",
                    row.len(),
                    cols.width
                ),
            ));
        }
        let text = |row: &mut Vec<Cell>, col: usize, name: &str| -> Result<String, ParseError> {
            match std::mem::replace(&mut row[col], Cell::Null) {
                Cell::Str(s) => Ok(s.into_owned()),
                Cell::Null => Ok(String::new()),
                other => Err(cell_err(
                    col,
                    format!("`{name}` should be a string, found {}", other.kind()),
                )),
            }
        };
        let gate = text(&mut row, cols.gate, "Gate")?;
        // The engine's old summary row; the plugin ignores it too.
        if gate.eq_ignore_ascii_case("FINAL") {
            continue;
        }
        let action_text = text(&mut row, cols.gate_action, "Gate_Action")?;
        let action = Action::parse(&action_text).ok_or_else(|| {
            cell_err(
                cols.gate_action,
                format!("unknown Gate_Action `{action_text}` (expected stop, warn or go)"),
            )
        })?;
        let (allowlisted, allowlist_match) =
            match std::mem::replace(&mut row[cols.whitelisted], Cell::Null) {
                Cell::Bool(b) => (b, None),
                Cell::Null => (false, None),
                // The plugin's rule: anything but "none"/"false" means allowlisted.
                Cell::Str(s) => (
                    !(s.eq_ignore_ascii_case("none")
                        || s.eq_ignore_ascii_case("false")
                        || s.is_empty()),
                    None,
                ),
                Cell::Match(m) => (
                    true,
                    Some(AllowlistMatch {
                        id: m.whitelist_id.unwrap_or_default(),
                        name: m.whitelist_name.unwrap_or_default(),
                        matched_rule_id: m.matched_rule_id.unwrap_or_default(),
                    }),
                ),
                other => {
                    return Err(cell_err(
                        cols.whitelisted,
                        format!(
                            "`Whitelisted` should be false or an object, found {}",
                            other.kind()
                        ),
                    ))
                }
            };
        let inherited_from_base = match cols.inherited {
            None => None,
            Some(col) => match &row[col] {
                Cell::Bool(b) => Some(*b),
                Cell::Null => None,
                Cell::Str(s) if flex_bool_str(s).is_some() => flex_bool_str(s).flatten(),
                other => {
                    return Err(cell_err(
                        col,
                        format!(
                            "`Inherited_From_Base` should be a boolean, found {}",
                            other.kind()
                        ),
                    ))
                }
            },
        };
        out.push(Finding {
            trigger_id: text(&mut row, cols.trigger_id, "Trigger_Id")?,
            gate,
            trigger: text(&mut row, cols.trigger, "Trigger")?,
            message: text(&mut row, cols.check_output, "Check_Output")?,
            action,
            allowlisted,
            allowlist_match,
            inherited_from_base,
            policy_id: text(&mut row, cols.policy_id, "Policy_Id")?,
            recommendation: String::new(),
            rule_id: String::new(),
        });
    }
    Ok(())
}

type V1Body<'a> = FirstOf<Entries<'a, FirstEntry<'a, FirstOf<Object<V1Eval<'a>>>>>>;

/// Reads a v1 `/check` response for the image `digest`: `[0][<digest>][<first tag>][0]`.
/// `Ok(None)` when the engine has no evaluation for the tag yet (the caller polls again).
pub fn parse_v1(body: &str, digest: &str) -> Result<Option<Evaluation>, ParseError> {
    let parsed: V1Body = serde_json::from_str(body).map_err(|e| json_error(WHAT_V1, body, e))?;
    let images = parsed
        .0
        .ok_or_else(|| ParseError::new(WHAT_V1, "", "empty list: the response names no image"))?;
    let mut images = images.0;
    let at = match images.iter().position(|(k, _)| k.0 == digest) {
        Some(i) => i,
        None if images.len() == 1 => 0,
        None => {
            let found: Vec<&str> = images.iter().map(|(k, _)| k.0.as_ref()).collect();
            return Err(ParseError::new(
                WHAT_V1,
                "[0]",
                format!(
                    "no entry for image digest `{digest}` (found: {})",
                    found.join(", ")
                ),
            ));
        }
    };
    let (digest_key, tags) = images.swap_remove(at);
    let mut path = "[0]".to_string();
    push_key(&mut path, &digest_key.0);
    let (tag, evals) = tags.0.ok_or_else(|| {
        ParseError::new(
            WHAT_V1,
            path.clone(),
            "no tag key: the engine returned no evaluation records",
        )
    })?;
    push_key(&mut path, &tag.0);
    let Some(Object(eval)) = evals.0 else {
        return Ok(None);
    };
    path.push_str("[0]");

    let status = match (&eval.status, &eval.final_action) {
        (Some(s), _) => EvalStatus::parse(&s.0).ok_or_else(|| {
            ParseError::new(
                WHAT_V1,
                with_key(&path, "status"),
                format!("unknown status `{}` (expected pass or fail)", s.0),
            )
        })?,
        // engine-api.md §2.4: a record without eval id gets `final_action: "fail"` and no status.
        (None, Some(_)) => EvalStatus::Fail,
        (None, None) => return Err(ParseError::new(WHAT_V1, path, "missing field `status`")),
    };

    let mut ev = Evaluation {
        status,
        final_action: None,
        final_action_reason: None,
        evaluated_tag: tag.0.into_owned(),
        policy_id: eval.policy_id.unwrap_or_default(),
        image_id: None,
        last_evaluation: eval.last_evaluation.filter(|s| s != "N/A"),
        findings: Vec::new(),
        policy_action: None,
    };
    let result = eval.detail.and_then(|d| d.result);
    let Some(result) = result else {
        // detail=false: a fail can only be a STOP; a pass may be GO or WARN.
        ev.final_action = (status == EvalStatus::Fail).then_some(Action::Stop);
        return Ok(Some(ev));
    };
    let result_path = format!("{path}.detail.result");
    ev.final_action = match &result.final_action {
        Some(a) => Some(Action::parse(&a.0).ok_or_else(|| {
            ParseError::new(
                WHAT_V1,
                format!("{result_path}.final_action"),
                format!("unknown final_action `{}`", a.0),
            )
        })?),
        None => (status == EvalStatus::Fail).then_some(Action::Stop),
    };
    ev.final_action_reason = result.final_action_reason;
    ev.image_id = result.image_id;
    for (key, table) in result.result.map(|t| t.0).unwrap_or_default() {
        let mut tpath = format!("{result_path}.result");
        push_key(&mut tpath, &key.0);
        tpath.push_str(".result");
        if ev.policy_action.is_none() {
            ev.policy_action = table
                .final_action
                .as_ref()
                .and_then(|a| Action::parse(&a.0));
        }
        if ev.image_id.is_none() {
            ev.image_id = Some(key.0.into_owned());
        }
        let (Some(header), Some(rows)) = (table.header, table.rows) else {
            continue;
        };
        table_findings(&header, rows, &tpath, &mut ev.findings)?;
    }
    Ok(Some(ev))
}

/// One table of a v1 `detail.result.result` object, as [`parse_v1_tables`] reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct V1TableEvaluation {
    /// The table's key: the Docker image id.
    pub image_id: String,
    /// The `Repo_Tag` of the first row (`None` without rows or without the column).
    pub repo_tag: Option<String>,
    /// The table's own `final_action` (the policy's decision).
    pub final_action: Option<Action>,
    pub findings: Vec<Finding>,
}

/// Reads a bare v1 `detail.result.result` object, `{<image_id>: {result: {header, rows,
/// final_action}}}` — the shape the Jenkins plugin's v1 `anchore_gates.json` has — one table per
/// image id, in file order, with the same column rules as [`parse_v1`]. Paths in errors start at
/// the image id.
pub fn parse_v1_tables(body: &str) -> Result<Vec<V1TableEvaluation>, ParseError> {
    let tables: V1Tables = serde_json::from_str(body).map_err(|e| json_error(WHAT_V1, body, e))?;
    let mut out = Vec::with_capacity(tables.0.len());
    for (key, table) in tables.0 {
        let mut path = String::new();
        push_key(&mut path, &key.0);
        path.push_str(".result");
        let path = path.strip_prefix('.').map(str::to_owned).unwrap_or(path);
        let (Some(header), Some(rows)) = (table.header, table.rows) else {
            continue;
        };
        let repo_tag = header
            .iter()
            .position(|h| h.0 == "Repo_Tag")
            .and_then(|c| match rows.first().and_then(|r| r.0.get(c)) {
                Some(Cell::Str(s)) => Some(s.to_string()),
                _ => None,
            });
        let mut findings = Vec::new();
        table_findings(&header, rows, &path, &mut findings)?;
        out.push(V1TableEvaluation {
            image_id: key.0.into_owned(),
            repo_tag,
            final_action: table.final_action.and_then(|a| Action::parse(&a.0)),
            findings,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// v2: `PolicyEvaluation` (v2-openapi.yaml)

#[derive(Deserialize)]
struct V2Body<'a> {
    #[serde(default)]
    policy_id: Option<String>,
    #[serde(default)]
    evaluated_tag: Option<String>,
    #[serde(borrow)]
    evaluations: FirstOf<Object<V2Eval<'a>>>,
}

#[derive(Deserialize)]
struct V2Eval<'a> {
    #[serde(borrow)]
    status: Text<'a>,
    #[serde(borrow, default)]
    final_action: Option<Text<'a>>,
    #[serde(default)]
    final_action_reason: Option<String>,
    #[serde(default)]
    evaluation_time: Option<String>,
    /// `null` when the check was asked with detail=false. Its `policy` document is skipped.
    #[serde(borrow, default)]
    details: Option<V2Details<'a>>,
}

#[derive(Deserialize)]
struct V2Details<'a> {
    #[serde(default)]
    findings: Option<Vec<V2Finding<'a>>>,
    #[serde(borrow, default)]
    policy_action: Option<Text<'a>>,
}

#[derive(Deserialize)]
struct V2Finding<'a> {
    trigger_id: String,
    gate: String,
    trigger: String,
    #[serde(default)]
    message: String,
    #[serde(borrow)]
    action: Text<'a>,
    #[serde(default)]
    policy_id: String,
    #[serde(default)]
    recommendation: String,
    #[serde(default)]
    rule_id: String,
    #[serde(default)]
    allowlisted: bool,
    #[serde(default)]
    allowlist_match: Option<V2Match>,
    #[serde(default)]
    inherited_from_base: FlexBool,
}

#[derive(Deserialize)]
struct V2Match {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    matched_rule_id: Option<String>,
}

/// Reads a v2 `/check` response (`evaluations[0]`). `Ok(None)` when `evaluations` is empty.
pub fn parse_v2(body: &str) -> Result<Option<Evaluation>, ParseError> {
    let Object(parsed): Object<V2Body> =
        serde_json::from_str(body).map_err(|e| json_error(WHAT_V2, body, e))?;
    let Some(Object(eval)) = parsed.evaluations.0 else {
        return Ok(None);
    };
    let path = "evaluations[0]";
    let status = EvalStatus::parse(&eval.status.0).ok_or_else(|| {
        ParseError::new(
            WHAT_V2,
            format!("{path}.status"),
            format!("unknown status `{}` (expected pass or fail)", eval.status.0),
        )
    })?;
    let final_action = match &eval.final_action {
        Some(a) => Some(Action::parse(&a.0).ok_or_else(|| {
            ParseError::new(
                WHAT_V2,
                format!("{path}.final_action"),
                format!("unknown final_action `{}`", a.0),
            )
        })?),
        None => (status == EvalStatus::Fail).then_some(Action::Stop),
    };
    let (raw, policy_action) = match eval.details {
        Some(d) => (
            d.findings.unwrap_or_default(),
            d.policy_action.and_then(|a| Action::parse(&a.0)),
        ),
        None => (Vec::new(), None),
    };
    let mut findings = Vec::with_capacity(raw.len());
    for (i, f) in raw.into_iter().enumerate() {
        let action = Action::parse(&f.action.0).ok_or_else(|| {
            ParseError::new(
                WHAT_V2,
                format!("{path}.details.findings[{i}].action"),
                format!(
                    "unknown action `{}` (expected stop, warn or go)",
                    f.action.0
                ),
            )
        })?;
        findings.push(Finding {
            trigger_id: f.trigger_id,
            gate: f.gate,
            trigger: f.trigger,
            message: f.message,
            action,
            allowlisted: f.allowlisted,
            allowlist_match: f.allowlist_match.map(|m| AllowlistMatch {
                id: m.id.unwrap_or_default(),
                name: m.name.unwrap_or_default(),
                matched_rule_id: m.matched_rule_id.unwrap_or_default(),
            }),
            inherited_from_base: f.inherited_from_base.0,
            policy_id: f.policy_id,
            recommendation: f.recommendation,
            rule_id: f.rule_id,
        });
    }
    Ok(Some(Evaluation {
        status,
        final_action,
        final_action_reason: eval.final_action_reason,
        evaluated_tag: parsed.evaluated_tag.unwrap_or_default(),
        policy_id: parsed.policy_id.unwrap_or_default(),
        image_id: None,
        last_evaluation: eval.evaluation_time,
        findings,
        policy_action,
    }))
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    const DETAIL_DIGEST: &str =
        "sha256:8fdd536f0caa79bb924b9c1b9451b49957322d1b07ab23def8c9a49448e5d462";
    const ALPINE_DIGEST: &str =
        "sha256:d05ecd4520cab5d9e5d877595fb0532aadcd6c90f4bbc837bc11679f704c4c82";

    fn v1(body: &str, digest: &str) -> Evaluation {
        parse_v1(body, digest)
            .expect("parses")
            .expect("has an evaluation")
    }

    fn v1_err(body: &str) -> ParseError {
        match parse_v1(body, "sha256:abc") {
            Err(e) => e,
            Ok(ev) => panic!("expected an error, got {ev:?}"),
        }
    }

    fn v2_err(body: &str) -> ParseError {
        match parse_v2(body) {
            Err(e) => e,
            Ok(ev) => panic!("expected an error, got {ev:?}"),
        }
    }

    /// A v1 body around one table, in the engine's nesting.
    fn v1_table(header: &str, rows: &str) -> String {
        format!(
            r#"[{{"sha256:abc": {{"docker.io/a:1": [{{"status": "fail", "policyId": "p1",
                "detail": {{"policy": {{"id": "p1"}}, "result": {{"final_action": "stop",
                "final_action_reason": "policy_evaluation", "image_id": "img1",
                "result": {{"img1": {{"result": {{"final_action": "stop", "header": {header},
                "row_count": 0, "rows": {rows}}}}}, "policy_data": [], "policy_name": "",
                "whitelist_data": [], "whitelist_names": []}}}}}}}}]}}}}]"#
        )
    }

    const HEADER9: &str = r#"["Image_Id","Repo_Tag","Trigger_Id","Gate","Trigger","Check_Output","Gate_Action","Whitelisted","Policy_Id"]"#;

    // --- recorded v1 bodies ---

    #[test]
    fn v1_fail_detail_fixture() {
        let ev = v1(fixture!("v1-check-fail-detail.json"), DETAIL_DIGEST);
        assert_eq!(ev.status, EvalStatus::Fail);
        assert_eq!(ev.final_action, Some(Action::Stop));
        assert_eq!(ev.policy_action, Some(Action::Stop));
        assert_eq!(ev.final_action_reason.as_deref(), Some("policy_evaluation"));
        assert_eq!(ev.evaluated_tag, "gcr.io/jenkinsxio/builder-maven:latest");
        assert_eq!(ev.policy_id, "2c53a13c-1765-11e8-82ef-23527761d060");
        assert_eq!(
            ev.image_id.as_deref(),
            Some("c1d974aa689be7e7bd02120230be10de2ea3f3beb85b1c4975cfb218b8468ef0")
        );
        assert_eq!(ev.last_evaluation.as_deref(), Some("2020-03-06T13:40:10Z"));
        assert_eq!(ev.findings.len(), 57);
        assert_eq!(
            ev.counts(),
            Counts {
                stop: 41,
                warn: 16,
                go: 0,
                allowlisted: 0
            }
        );

        let first = &ev.findings[0];
        assert_eq!(first.trigger_id, "41cb7cdf04850e33a11f80c42bf660b3");
        assert_eq!(first.gate, "dockerfile");
        assert_eq!(first.trigger, "instruction");
        assert_eq!(
            first.message,
            "Dockerfile directive 'HEALTHCHECK' not found, matching condition 'not_exists' check"
        );
        assert_eq!(first.action, Action::Warn);
        assert!(!first.allowlisted && first.allowlist_match.is_none());
        assert_eq!(first.policy_id, "48e6f7d6-1765-11e8-b5f9-8b6f228548b6");
        // The 9-column table has no Inherited_From_Base column.
        assert!(ev.findings.iter().all(|f| f.inherited_from_base.is_none()));
        let cve = ev
            .findings
            .iter()
            .find(|f| f.trigger_id == "CVE-2015-6420+commons-collections-3.2.1.jar")
            .unwrap();
        assert_eq!(
            (cve.gate.as_str(), cve.trigger.as_str(), cve.action),
            ("vulnerabilities", "package", Action::Stop)
        );
    }

    #[test]
    fn v1_single_digest_key_is_taken_when_the_given_one_differs() {
        // The engine keys by the digest as stored; a caller holding another spelling still gets it.
        let ev = v1(
            fixture!("v1-check-fail-detail.json"),
            "sha256:something-else",
        );
        assert_eq!(ev.findings.len(), 57);
    }

    #[test]
    fn v1_pass_without_detail() {
        let ev = v1(fixture!("v1-check-pass.json"), ALPINE_DIGEST);
        assert_eq!(ev.status, EvalStatus::Pass);
        assert_eq!(
            ev.final_action, None,
            "a pass without detail may be GO or WARN"
        );
        assert_eq!(ev.evaluated_tag, "docker.io/alpine:3.9");
        assert_eq!(ev.policy_id, "97b33e2c-3b57-4a3f-a12b-a8c0daa472a0");
        assert_eq!(ev.last_evaluation.as_deref(), Some("2019-03-24T15:18:00Z"));
        assert_eq!(
            (ev.image_id, ev.findings.len(), ev.policy_action),
            (None, 0, None)
        );
    }

    #[test]
    fn v1_fail_without_detail_is_stop() {
        let ev = v1(fixture!("v1-check-fail.json"), ALPINE_DIGEST);
        assert_eq!(ev.status, EvalStatus::Fail);
        assert_eq!(ev.final_action, Some(Action::Stop));
        assert_eq!(ev.evaluated_tag, "docker.io/3.9:latest");
        assert_eq!(ev.policy_id, "a81d4e45-6021-4b42-a217-a6554015d431");
        assert_eq!(ev.counts(), Counts::default());
    }

    #[test]
    fn v1_pass_shortname_tag_keeps_the_engine_key() {
        let ev = v1(fixture!("v1-check-pass-shortname-tag.json"), ALPINE_DIGEST);
        assert_eq!(ev.status, EvalStatus::Pass);
        assert_eq!(ev.evaluated_tag, "docker.io/3.9:latest");
        assert_eq!(ev.last_evaluation.as_deref(), Some("2019-03-24T15:33:24Z"));
    }

    // --- v1 edge cases ---

    #[test]
    fn v1_empty_evaluation_list_is_none() {
        assert_eq!(
            parse_v1(r#"[{"sha256:abc": {"docker.io/a:1": []}}]"#, "sha256:abc"),
            Ok(None)
        );
    }

    #[test]
    fn v1_first_tag_and_first_evaluation_are_used() {
        let body = r#"[{"sha256:abc": {"docker.io/a:1": [{"status": "pass", "detail": {}},
            {"status": "fail", "detail": {}}], "docker.io/a:2": [{"status": "fail"}]}}]"#;
        let ev = v1(body, "sha256:abc");
        assert_eq!(
            (ev.evaluated_tag.as_str(), ev.status),
            ("docker.io/a:1", EvalStatus::Pass)
        );
    }

    #[test]
    fn v1_record_without_status_is_a_fail() {
        // engine-api.md §2.4: the catalog's entry for a record with no eval/policy id.
        let body = r#"[{"sha256:abc": {"docker.io/a:1": [{"policyId": "N/A", "final_action": "fail",
            "last_evaluation": "N/A", "detail": {}}]}}]"#;
        let ev = v1(body, "sha256:abc");
        assert_eq!(ev.status, EvalStatus::Fail);
        assert_eq!(ev.final_action, Some(Action::Stop));
        assert_eq!(ev.policy_id, "N/A");
        assert_eq!(ev.last_evaluation, None);
    }

    #[test]
    fn v1_allowlisted_inherited_and_final_rows() {
        // The new spelling `Allowlisted`, the later `Inherited_From_Base` column, and a FINAL row.
        let header = r#"["Image_Id","Repo_Tag","Trigger_Id","Gate","Trigger","Check_Output","Gate_Action","Allowlisted","Policy_Id","Inherited_From_Base"]"#;
        let rows = r#"[
            ["img1","docker.io/a:1","t1","vulnerabilities","package","m1","stop",false,"p1",true],
            ["img1","docker.io/a:1","t2","vulnerabilities","package","m2","STOP",{"whitelist_name":"WL","whitelist_id":"wl1","matched_rule_id":"r9"},"p1","false"],
            ["img1","docker.io/a:1","t3","dockerfile","instruction","m3","warn",false,"p1",null],
            ["img1","docker.io/a:1","t4","dockerfile","instruction","m4","go","false","p1",false],
            ["img1","docker.io/a:1","","FINAL","","","stop",false,"p1",null]
        ]"#;
        let ev = v1(&v1_table(header, rows), "sha256:abc");
        assert_eq!(ev.findings.len(), 4, "the FINAL row is dropped");
        assert_eq!(
            ev.counts(),
            Counts {
                stop: 1,
                warn: 1,
                go: 1,
                allowlisted: 1
            }
        );
        let wl = &ev.findings[1];
        assert!(wl.allowlisted);
        assert_eq!(
            wl.allowlist_match,
            Some(AllowlistMatch {
                id: "wl1".into(),
                name: "WL".into(),
                matched_rule_id: "r9".into()
            })
        );
        assert!(
            !ev.findings[3].allowlisted,
            "the string \"false\" is not allowlisted"
        );
        let inherited: Vec<_> = ev.findings.iter().map(|f| f.inherited_from_base).collect();
        assert_eq!(inherited, [Some(true), Some(false), None, Some(false)]);
    }

    #[test]
    fn v1_columns_are_found_by_name_not_position() {
        let header = r#"["Gate_Action","Gate","Whitelisted","Policy_Id","Trigger","Trigger_Id","Check_Output"]"#;
        let rows = r#"[["warn","dockerfile",false,"p1","instruction","t1","msg"]]"#;
        let f = &v1(&v1_table(header, rows), "sha256:abc").findings[0];
        assert_eq!(
            (
                f.action,
                f.gate.as_str(),
                f.policy_id.as_str(),
                f.trigger.as_str(),
                f.trigger_id.as_str(),
                f.message.as_str()
            ),
            (Action::Warn, "dockerfile", "p1", "instruction", "t1", "msg")
        );
    }

    #[test]
    fn v1_escaped_strings_are_decoded() {
        let rows =
            r#"[["img1","docker.io/a:1","t1","g","t","say \"hi\"\n\u00e9","stop",false,"p1"]]"#;
        let ev = v1(&v1_table(HEADER9, rows), "sha256:abc");
        assert_eq!(ev.findings[0].message, "say \"hi\"\né");
    }

    // --- v1 errors ---

    #[test]
    fn v1_row_length_mismatch_names_the_row() {
        let rows = r#"[["img1","docker.io/a:1","t1","g","t","m","stop",false,"p1"],
                       ["img1","docker.io/a:1","t2","g","t","m","stop",false]]"#;
        let e = v1_err(&v1_table(HEADER9, rows));
        assert_eq!(e.what, WHAT_V1);
        assert_eq!(
            e.path,
            r#"[0]["sha256:abc"]["docker.io/a:1"][0].detail.result.result.img1.result.rows[1]"#
        );
        assert!(
            e.message.contains("row 1 has 8 cells") && e.message.contains("9 columns"),
            "{}",
            e.message
        );
    }

    #[test]
    fn v1_missing_header_column_is_named() {
        let header = r#"["Image_Id","Repo_Tag","Trigger_Id","Gate","Trigger","Check_Output","Whitelisted","Policy_Id"]"#;
        let e = v1_err(&v1_table(header, "[]"));
        assert!(e.path.ends_with(".result.header"), "{}", e.path);
        assert!(e.message.contains("`Gate_Action`"), "{}", e.message);
    }

    #[test]
    fn v1_unknown_gate_action_names_the_cell() {
        let rows = r#"[["img1","docker.io/a:1","t1","g","t","m","block",false,"p1"]]"#;
        let e = v1_err(&v1_table(HEADER9, rows));
        assert!(e.path.ends_with(".rows[0][6]"), "{}", e.path);
        assert!(e.message.contains("`block`"), "{}", e.message);
    }

    #[test]
    fn v1_wrong_cell_type_names_the_cell() {
        let rows = r#"[["img1","docker.io/a:1",42,"g","t","m","stop",false,"p1"]]"#;
        let e = v1_err(&v1_table(HEADER9, rows));
        assert!(e.path.ends_with(".rows[0][2]"), "{}", e.path);
        assert!(
            e.message.contains("Trigger_Id") && e.message.contains("a number"),
            "{}",
            e.message
        );
    }

    #[test]
    fn v1_missing_status_names_the_record() {
        let e = v1_err(r#"[{"sha256:abc": {"docker.io/a:1": [{"policyId": "p", "detail": {}}]}}]"#);
        assert_eq!(e.path, r#"[0]["sha256:abc"]["docker.io/a:1"][0]"#);
        assert!(e.message.contains("status"), "{}", e.message);
    }

    #[test]
    fn v1_status_of_wrong_type_is_located_by_serde_position() {
        let e = v1_err("[{\"sha256:abc\": {\"docker.io/a:1\": [\n  {\"policyId\": \"p\",\n   \"status\": 3}]}}]");
        assert_eq!(e.path, r#"[0]["sha256:abc"]["docker.io/a:1"][0].status"#);
        assert!(
            e.message.contains("invalid type: integer `3`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn v1_unknown_status_value() {
        let e = v1_err(r#"[{"sha256:abc": {"docker.io/a:1": [{"status": "maybe"}]}}]"#);
        assert!(
            e.path.ends_with("[0].status") && e.message.contains("`maybe`"),
            "{e}"
        );
    }

    #[test]
    fn v1_not_json() {
        let e = v1_err("<html>502 Bad Gateway</html>");
        assert_eq!(e.path, "");
        assert!(e.message.starts_with("not valid JSON"), "{}", e.message);
        assert!(
            e.to_string()
                .starts_with("unexpected policy evaluation (v1) response"),
            "{e}"
        );
        assert!(v1_err("").message.starts_with("not valid JSON"));
    }

    #[test]
    fn v1_wrong_shapes() {
        // A v2 body sent to the v1 reader.
        let e = v1_err(r#"{"evaluations": []}"#);
        assert!(e.message.contains("expected an array"), "{}", e.message);
        let e = v1_err("[]");
        assert!(e.message.contains("empty list"), "{}", e.message);
        let e = v1_err(r#"[{"sha256:abc": {}}]"#);
        assert_eq!(e.path, r#"[0]["sha256:abc"]"#);
        assert!(e.message.contains("no tag key"), "{}", e.message);
        let e = v1_err(r#"[{"sha256:one": {}, "sha256:two": {}}]"#);
        assert!(
            e.message.contains("sha256:abc") && e.message.contains("sha256:two"),
            "{}",
            e.message
        );
        let e = v1_err(
            r#"[{"sha256:abc": {"docker.io/a:1": [{"status": "fail", "detail": {"result": {"result": {"img1": {"result": {"header": [], "rows": {}}}}}}}]}}]"#,
        );
        assert!(e.path.ends_with(".result.img1.result.rows"), "{}", e.path);
        assert!(e.message.contains("expected a sequence"), "{}", e.message);
    }

    // --- v2 (no recorded v2 body exists: these are built from v2-openapi.yaml `PolicyEvaluation`) ---

    const V2_BODY: &str = r#"{
      "policy_id": "anchore_secure_default",
      "image_digest": "sha256:aaaa",
      "evaluated_tag": "docker.io/library/debian:latest",
      "evaluations": [{
        "status": "fail",
        "final_action": "stop",
        "final_action_reason": "policy_evaluation",
        "evaluation_time": "2024-08-06T10:00:00Z",
        "evaluation_problems": [{"severity": "warn", "problem_type": "x", "details": "y"}],
        "number_of_findings": 3,
        "image_allowlisted": false, "matched_allowlisted_images_rule": null,
        "image_denylisted": false, "matched_denylisted_images_rule": null,
        "image_mapped_to_rule": true,
        "matched_mapping_rule": {"id": "m1", "name": "default", "registry": "*", "repository": "*",
                                 "image": {"type": "tag", "value": "*"}, "rule_set_ids": ["r"], "allowlist_ids": []},
        "comparison_image_digest": "sha256:bbbb",
        "details": {
          "policy": {"id": "anchore_secure_default", "rule_sets": [{"rules": [{"gate": "g", "params": []}]}]},
          "policy_action": "stop",
          "findings": [
            {"trigger_id": "CVE-2023-4911+libc6", "gate": "vulnerabilities", "trigger": "package",
             "message": "HIGH Vulnerability found in os package type (dpkg) - libc6", "action": "stop",
             "policy_id": "anchore_secure_default", "recommendation": "", "rule_id": "rule-1",
             "allowlisted": false, "allowlist_match": null, "inherited_from_base": true},
            {"trigger_id": "CVE-2024-0001+zlib", "gate": "vulnerabilities", "trigger": "package",
             "message": "MEDIUM", "action": "warn", "policy_id": "anchore_secure_default",
             "recommendation": "upgrade", "rule_id": "rule-2", "allowlisted": true,
             "allowlist_match": {"id": "al-1", "name": "Known", "matched_rule_id": "ar-7"},
             "inherited_from_base": false},
            {"trigger_id": "abc123", "gate": "dockerfile", "trigger": "instruction", "message": "m",
             "action": "go", "policy_id": "anchore_secure_default", "recommendation": "", "rule_id": "rule-3",
             "allowlisted": false, "allowlist_match": null, "inherited_from_base": null}
          ],
          "remediations": null
        }
      }]
    }"#;

    #[test]
    fn v2_body_from_the_spec() {
        let ev = parse_v2(V2_BODY).unwrap().unwrap();
        assert_eq!(ev.status, EvalStatus::Fail);
        assert_eq!(ev.final_action, Some(Action::Stop));
        assert_eq!(ev.policy_action, Some(Action::Stop));
        assert_eq!(ev.final_action_reason.as_deref(), Some("policy_evaluation"));
        assert_eq!(ev.evaluated_tag, "docker.io/library/debian:latest");
        assert_eq!(ev.policy_id, "anchore_secure_default");
        assert_eq!(ev.last_evaluation.as_deref(), Some("2024-08-06T10:00:00Z"));
        assert_eq!(ev.findings.len(), 3);
        assert_eq!(
            ev.counts(),
            Counts {
                stop: 1,
                warn: 0,
                go: 1,
                allowlisted: 1
            }
        );
        let f = &ev.findings[1];
        assert_eq!(
            (
                f.trigger_id.as_str(),
                f.action,
                f.recommendation.as_str(),
                f.rule_id.as_str()
            ),
            ("CVE-2024-0001+zlib", Action::Warn, "upgrade", "rule-2")
        );
        assert_eq!(
            f.allowlist_match,
            Some(AllowlistMatch {
                id: "al-1".into(),
                name: "Known".into(),
                matched_rule_id: "ar-7".into()
            })
        );
        let inherited: Vec<_> = ev.findings.iter().map(|f| f.inherited_from_base).collect();
        assert_eq!(inherited, [Some(true), Some(false), None]);
    }

    #[test]
    fn v2_empty_evaluations_is_none() {
        assert_eq!(
            parse_v2(r#"{"evaluated_tag": "docker.io/a:1", "evaluations": []}"#),
            Ok(None)
        );
    }

    #[test]
    fn v2_null_details_and_history() {
        let body = r#"{"evaluated_tag": "docker.io/a:1", "evaluations": [
            {"status": "pass", "final_action": "warn", "final_action_reason": "policy_evaluation", "details": null},
            {"status": "fail", "final_action": "stop", "details": null}]}"#;
        let ev = parse_v2(body).unwrap().unwrap();
        assert_eq!(
            (ev.status, ev.final_action),
            (EvalStatus::Pass, Some(Action::Warn)),
            "evaluations[0] wins"
        );
        assert!(ev.findings.is_empty());
        assert_eq!(ev.policy_action, None);
    }

    #[test]
    fn v2_inherited_from_base_as_string_or_missing() {
        let body = r#"{"evaluations": [{"status": "fail", "final_action": "stop", "details": {"findings": [
            {"trigger_id": "t", "gate": "g", "trigger": "x", "action": "STOP", "inherited_from_base": "true"},
            {"trigger_id": "t", "gate": "g", "trigger": "x", "action": "warn", "inherited_from_base": "False"},
            {"trigger_id": "t", "gate": "g", "trigger": "x", "action": "go"}]}}]}"#;
        let ev = parse_v2(body).unwrap().unwrap();
        let got: Vec<_> = ev
            .findings
            .iter()
            .map(|f| (f.action, f.inherited_from_base))
            .collect();
        assert_eq!(
            got,
            [
                (Action::Stop, Some(true)),
                (Action::Warn, Some(false)),
                (Action::Go, None)
            ]
        );
    }

    #[test]
    fn v2_missing_status_names_the_evaluation() {
        let e = v2_err(r#"{"evaluations": [{"final_action": "stop", "details": null}]}"#);
        assert_eq!(e.what, WHAT_V2);
        assert_eq!(e.path, "evaluations[0]");
        assert!(
            e.message.contains("missing field `status`"),
            "{}",
            e.message
        );
    }

    #[test]
    fn v2_bad_values_name_their_place() {
        let e = v2_err(
            r#"{"evaluations": [{"status": "fail", "details": {"findings": [
            {"trigger_id": "t", "gate": "g", "trigger": "x", "action": "go"},
            {"trigger_id": "t", "gate": "g", "trigger": "x", "action": "halt"}]}}]}"#,
        );
        assert_eq!(e.path, "evaluations[0].details.findings[1].action");
        let e = v2_err(
            r#"{"evaluations": [{"status": "fail", "details": {"findings": [
            {"trigger_id": "t", "gate": "g", "trigger": "x", "action": "go", "inherited_from_base": "maybe"}]}}]}"#,
        );
        assert_eq!(
            e.path,
            "evaluations[0].details.findings[0].inherited_from_base"
        );
        assert!(e.message.contains("maybe"), "{}", e.message);
        let e = v2_err(
            r#"{"evaluations": [{"status": "fail", "details": {"findings": [{"gate": "g"}]}}]}"#,
        );
        assert_eq!(e.path, "evaluations[0].details.findings[0]");
        assert!(e.message.contains("trigger_id"), "{}", e.message);
    }

    #[test]
    fn v2_wrong_shape_and_not_json() {
        // A v1 body sent to the v2 reader.
        let e = v2_err(fixture!("v1-check-pass.json"));
        assert!(
            e.message
                .contains("invalid type: sequence, expected an object"),
            "{}",
            e.message
        );
        let e = v2_err(r#"{"evaluated_tag": "x"}"#);
        assert!(
            e.message.contains("missing field `evaluations`"),
            "{}",
            e.message
        );
        assert!(v2_err("{\"evaluations\": [")
            .message
            .starts_with("not valid JSON"));
    }

    // --- counts, exclusion, stop action details ---

    #[test]
    fn remove_inherited_drops_only_true() {
        let mut ev = parse_v2(V2_BODY).unwrap().unwrap();
        assert_eq!(ev.remove_inherited(), 1);
        assert_eq!(ev.findings.len(), 2);
        assert!(ev
            .findings
            .iter()
            .all(|f| f.inherited_from_base != Some(true)));
        assert_eq!(
            ev.counts(),
            Counts {
                stop: 0,
                warn: 0,
                go: 1,
                allowlisted: 1
            }
        );
        assert_eq!(
            ev.final_action,
            Some(Action::Stop),
            "the verdict is not changed"
        );
        assert_eq!(ev.remove_inherited(), 0);
    }

    #[test]
    fn stop_action_details_per_reason() {
        let mut ev = parse_v2(V2_BODY).unwrap().unwrap();
        assert_eq!(ev.stop_action_details(false), "Policy evaluation failed");
        assert_eq!(
            ev.stop_action_details(true),
            "Failure inherited from base image"
        );
        ev.final_action_reason = Some("denylisted".into());
        assert_eq!(ev.stop_action_details(false), "Failed due to denylisted");
        assert_eq!(ev.stop_action_details(true), "Failed due to denylisted");
        ev.final_action_reason = None;
        assert_eq!(ev.stop_action_details(false), "Policy evaluation failed");
        for action in [Action::Warn, Action::Go] {
            ev.final_action = Some(action);
            ev.final_action_reason = Some("allowlisted".into());
            assert_eq!(ev.stop_action_details(true), "");
        }
        ev.final_action = None;
        assert_eq!(ev.stop_action_details(false), "");
        let fail = v1(fixture!("v1-check-fail.json"), ALPINE_DIGEST);
        assert_eq!(fail.stop_action_details(false), "Policy evaluation failed");
    }
}
