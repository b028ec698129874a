//! Vulnerability listings: `GET /images/{digest}/vuln/{type}`, v1 (`imageDigest`) and v2
//! (`image_digest`, `inherited_from_base`) envelopes, read into one list of [`Vulnerability`].

use serde::{Deserialize, Serialize};

use crate::error::ParseError;

/// Engine severities, most severe first (the plugin sorted them alphabetically; we don't).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Negligible,
    Unknown,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// `vuln`: CVE/GHSA/RHSA id.
    pub id: String,
    pub severity: Severity,
    /// `name-version`, as the engine writes it.
    pub package: String,
    pub package_name: String,
    pub package_version: String,
    pub package_type: String,
    pub package_path: Option<String>,
    /// `None` where the engine says `"None"`.
    pub fix: Option<String>,
    pub url: Option<String>,
    pub feed_group: Option<String>,
    pub inherited_from_base: Option<bool>,
}

/// The vuln types of `/vuln/{type}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum VulnType {
    #[serde(rename = "all")]
    All,
    #[serde(rename = "os")]
    Os,
    #[serde(rename = "non-os")]
    NonOs,
}

impl VulnType {
    pub fn as_str(self) -> &'static str {
        match self {
            VulnType::All => "all",
            VulnType::Os => "os",
            VulnType::NonOs => "non-os",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VulnListing {
    pub vulnerability_type: String,
    pub vulnerabilities: Vec<Vulnerability>,
}
