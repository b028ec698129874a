//! The report: the model behind `anchore-gate.json`, the verdict, and the files of the report
//! directory (including the Jenkins plugin's, for scripts written against the plugin).

pub mod grype;
pub mod jenkins;
mod model;

pub use model::*;
