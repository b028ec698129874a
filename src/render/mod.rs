//! The report's renderings: `anchore-gate.json`, SARIF and JUnit streamed into an `io::Write`,
//! the Markdown summary and CI annotations, the console table, and the Jenkins plugin's files.

pub mod console;
pub mod jenkins;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod summary;

pub(crate) use summary::{action_word, source_location};
