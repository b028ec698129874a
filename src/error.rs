//! Error types. Every message names what failed and, where the user can do something about
//! it, what to do. None of them ever carries a password: credentials never enter the core.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A response body that does not have the shape the engine's API gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What was being read, e.g. `policy evaluation (v1)`.
    pub what: &'static str,
    /// Where in the body, as a JSON path such as `[0].<digest>.<tag>[0].status` (empty for the whole body).
    pub path: String,
    pub message: String,
}

impl ParseError {
    pub fn new(what: &'static str, path: impl Into<String>, message: impl Into<String>) -> Self {
        ParseError { what, path: path.into(), message: message.into() }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "unexpected {} response: {}", self.what, self.message)
        } else {
            write!(f, "unexpected {} response at `{}`: {}", self.what, self.path, self.message)
        }
    }
}

impl std::error::Error for ParseError {}

/// Why one image (or the whole run) ended without a complete decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A line of the image list (or an `--image` value) is not usable.
    ImageList,
    /// The same image is listed twice.
    DuplicateImage,
    /// The Dockerfile named for an image could not be read.
    Dockerfile,
    /// The engine could not fetch the image from its registry (submit answered 400).
    Registry,
    /// The engine refused the request for another reason (a 4xx other than 401/403/429).
    Rejected,
    /// 401: the credentials were refused. Ends the whole run.
    Unauthorized,
    /// 403: the user may not act in this account.
    Forbidden,
    /// The policy bundle id is unknown, or the account has no active policy.
    PolicyNotFound,
    /// The engine's analysis of the image failed.
    AnalysisFailed,
    /// The image's timeout passed.
    Timeout,
    /// A response body could not be read.
    BadResponse,
    /// The engine could not be reached at all.
    EngineUnreachable,
    /// Something inside the gate itself went wrong.
    Internal,
    /// Bad options or configuration.
    Config,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::ImageList => "image_list",
            ErrorKind::DuplicateImage => "duplicate_image",
            ErrorKind::Dockerfile => "dockerfile",
            ErrorKind::Registry => "registry",
            ErrorKind::Rejected => "rejected",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::PolicyNotFound => "policy_not_found",
            ErrorKind::AnalysisFailed => "analysis_failed",
            ErrorKind::Timeout => "timeout",
            ErrorKind::BadResponse => "bad_response",
            ErrorKind::EngineUnreachable => "engine_unreachable",
            ErrorKind::Internal => "internal",
            ErrorKind::Config => "config",
        }
    }
}

/// An error with its kind, as it appears in the report (`{"kind", "message"}`) and as it
/// crosses to JavaScript (an `Error` with a `kind` field).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GateError {
    pub kind: ErrorKind,
    pub message: String,
}

impl GateError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        GateError { kind, message: message.into() }
    }
}

impl fmt::Display for GateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for GateError {}

impl From<ParseError> for GateError {
    fn from(e: ParseError) -> Self {
        GateError::new(ErrorKind::BadResponse, e.to_string())
    }
}
