//! `anchore-gate.json`: the report model as JSON, compact unless asked to be pretty.

use std::io::{self, Write};

use crate::model::Report;

pub const FILE: &str = "anchore-gate.json";

pub fn write(report: &Report, pretty: bool, w: &mut dyn Write) -> io::Result<()> {
    let result = if pretty { serde_json::to_writer_pretty(w, report) } else { serde_json::to_writer(w, report) };
    result.map_err(io::Error::from)
}
