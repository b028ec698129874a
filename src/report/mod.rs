//! The report: the model behind `anchore-gate.json`, the verdict, and the files of the report
//! directory (including the Jenkins plugin's, for scripts written against the plugin).

pub mod import;
pub mod grype;
pub mod jenkins;
pub mod junit;
mod model;
pub mod sarif;
pub mod summary;
#[cfg(test)]
mod testdata;

pub use model::*;
