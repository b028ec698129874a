//! Policy evaluations: the engine's `/check` response, v1 (nested digest → tag → table) and
//! v2 (`evaluations[].details.findings[]`), read into one list of [`Finding`]s.

use serde::{Deserialize, Serialize};

use crate::error::ParseError;

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
}

/// Per-image counts as the plugin reports them: stop/warn/go exclude allowlisted rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub stop: u32,
    pub warn: u32,
    pub go: u32,
    pub allowlisted: u32,
}
