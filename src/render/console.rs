//! The table the CLI prints after a run: a row per image (result, final action, STOP/WARN/GO
//! counts, vulnerabilities by severity), then the errors.

use crate::model::Report;
use crate::vuln::Severity;

/// The table, lines joined by `\n`, without a trailing newline. Text from the engine or the
/// image list goes through [`printable`].
pub fn table(report: &Report) -> String {
    const HEADER: [&str; 7] = ["IMAGE", "RESULT", "ACTION", "STOP", "WARN", "GO", "VULNS C/H/M/L"];
    let rows: Vec<[String; 7]> = report
        .images
        .iter()
        .map(|i| {
            let v = |s: Severity| i.vulnerability_counts.get(&s).copied().unwrap_or(0).to_string();
            [
                printable(&i.image),
                status_word(i.status).to_owned(),
                i.final_action.map_or_else(|| "-".to_owned(), |a| a.as_str().to_ascii_uppercase()),
                i.counts.stop.to_string(),
                i.counts.warn.to_string(),
                i.counts.go.to_string(),
                [Severity::Critical, Severity::High, Severity::Medium, Severity::Low].map(v).join("/"),
            ]
        })
        .collect();
    let width = |c: usize| rows.iter().map(|r| r[c].chars().count()).chain([HEADER[c].chars().count()]).max().unwrap_or(0);
    let widths: Vec<usize> = (0..HEADER.len()).map(width).collect();
    let line = |cells: &[&str]| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                // By hand: `format!`'s width must fit in 16 bits, an image name need not.
                let pad = " ".repeat(widths[c].saturating_sub(cell.chars().count()));
                if (3..=5).contains(&c) { format!("{pad}{cell}") } else { format!("{cell}{pad}") }
            })
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut lines = vec![line(&HEADER)];
    for r in &rows {
        lines.push(line(&r.each_ref().map(String::as_str)));
    }
    for i in &report.images {
        if let Some(e) = &i.error {
            lines.push(format!("  {}: {}: {}", printable(&i.image), e.kind.as_str(), printable(&e.message)));
        }
    }
    lines.join("\n")
}

pub fn status_word(status: crate::model::Status) -> &'static str {
    match status {
        crate::model::Status::Pass => "PASS",
        crate::model::Status::Fail => "FAIL",
        crate::model::Status::Error => "ERROR",
    }
}

/// Text from image lists, files and the engine, made safe to print on one line: control and
/// bidirectional-override characters become `\u{…}`, so no terminal escape and no forged log
/// line gets through.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let code = c as u32;
        if code < 0x20 || (0x7f..=0x9f).contains(&code) || matches!(code, 0x2028 | 0x2029 | 0x202a..=0x202e | 0x2066..=0x2069) {
            out.push_str(&format!("\\u{{{code:x}}}"));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::testdata;

    #[test]
    fn a_row_per_image_numbers_right_aligned_then_the_errors() {
        let table = table(&testdata::mixed());
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with("IMAGE "), "{table}");
        assert!(lines[0].ends_with("STOP  WARN  GO  VULNS C/H/M/L"), "{table}");
        assert!(lines.iter().any(|l| l.starts_with("gcr.io/team/app:1") && l.contains(" FAIL ") && l.contains(" STOP ")), "{table}");
        assert!(lines.iter().any(|l| l.starts_with("  registry.example.com/team/broken:1: analysis_failed: ")), "{table}");
        assert!(table.lines().all(|l| l == l.trim_end()));
    }

    #[test]
    fn a_name_longer_than_a_format_width_pads_too() {
        let mut report = testdata::mixed();
        report.images[0].image = "a".repeat(100_000);
        let table = table(&report);
        assert_eq!(table.lines().next().unwrap().find("RESULT"), Some(100_002));
    }

    #[test]
    fn engine_text_cannot_break_the_line() {
        assert_eq!(printable("a\nb\u{1b}[31m\u{202e}c"), "a\\u{a}b\\u{1b}[31m\\u{202e}c");
        assert!(!table(&testdata::hostile()).contains('\u{1b}'));
    }
}
