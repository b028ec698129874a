//! The engine's HTTP API: which version it speaks, the requests the gate sends and how the
//! answers read. `v1` is Anchore Engine (and Enterprise < 4.9), `v2` is Anchore Enterprise ≥ 4.9.

use serde::{Deserialize, Serialize};

pub mod v1;
pub mod v2;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiVersion {
    V1,
    V2,
}

impl ApiVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1",
            ApiVersion::V2 => "v2",
        }
    }
}
