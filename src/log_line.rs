//! One line of a CI log with text we do not control in it (engine answers, image lists, saved
//! reports, allowlists): made so that no CI runner reads it as a command.
//!
//! GitHub's runner reads every line of a step's stdout and stderr (split at CR, LF and CRLF, as
//! .NET's `StreamReader.ReadLine` does) as a workflow command when, after leading white space,
//! it starts with `::` (`ActionCommand.TryParseV2`), or when it holds `##[` anywhere (the legacy
//! `ActionCommand.TryParse`); a `stop-commands` token makes any string a command name, so every
//! `::`-line and every `##[` counts, not only the known names. The comparisons there are
//! culture-sensitive .NET string calls, which ignore format characters (a soft hyphen or a
//! zero-width space between the two `#`), so those are escaped too.

use std::fmt::Write as _;

/// `text` as one printable log line: control characters (CR and LF included), line and
/// paragraph separators, bidirectional overrides and other invisible format characters become
/// `\u{…}`; a leading `::` (after white space) becomes `\u{3a}:` and every `##[` becomes
/// `##\u{5b}`. Text that needs none of it comes back unchanged, and the result is a fixed
/// point (escaping it again changes nothing).
pub fn log_line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if escaped(c) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    let body = out.trim_start();
    if body.starts_with("::") {
        let at = out.len() - body.len();
        out.replace_range(at..at + 1, "\\u{3a}");
    }
    if out.contains("##[") {
        out = out.replace("##[", "##\\u{5b}");
    }
    out
}

/// Characters that end a line, move the cursor, reorder the text or are invisible (and ignored
/// by culture-sensitive comparison): the control characters and Unicode's format characters
/// (general category Cf), plus the variation selectors and the combining grapheme joiner.
fn escaped(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00ad}' | '\u{034f}' | '\u{061c}' | '\u{06dd}' | '\u{070f}' | '\u{08e2}' | '\u{180e}'
            | '\u{0600}'..='\u{0605}' | '\u{0890}'..='\u{0891}'
            | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2060}'..='\u{206f}'
            | '\u{fe00}'..='\u{fe0f}' | '\u{feff}' | '\u{fff9}'..='\u{fffb}'
            | '\u{110bd}' | '\u{110cd}' | '\u{13430}'..='\u{1343f}' | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}' | '\u{e0001}' | '\u{e0020}'..='\u{e007f}' | '\u{e0100}'..='\u{e01ef}')
}

#[cfg(test)]
mod tests {
    use super::log_line;

    #[test]
    fn plain_text_is_unchanged() {
        for s in ["", "policy evaluation: GO (stop 0, warn 1, go 2), policy 2c53a13c", "a::b", "C# [x]", "#[", ": :x", "ünïcødé ✓"] {
            assert_eq!(log_line(s), s);
        }
    }

    #[test]
    fn line_start_commands_are_neutralised() {
        assert_eq!(log_line("::error::x"), "\\u{3a}:error::x");
        assert_eq!(log_line("   ::add-mask::x"), "   \\u{3a}:add-mask::x");
        // Unicode white space is trimmed by the runner too.
        assert_eq!(log_line("\u{3000}\u{a0}::stop-commands::t"), "\u{3000}\u{a0}\\u{3a}:stop-commands::t");
        assert_eq!(log_line("::"), "\\u{3a}:");
        // Not at the start: no command (TryParseV2 needs the start; the legacy form needs `##[`).
        assert_eq!(log_line("image x::error::y"), "image x::error::y");
    }

    #[test]
    fn the_legacy_form_is_neutralised_anywhere() {
        assert_eq!(log_line("policy pol##[stop-commands]x"), "policy pol##\\u{5b}stop-commands]x");
        assert_eq!(log_line("##[error]a ##[warning]b"), "##\\u{5b}error]a ##\\u{5b}warning]b");
        assert_eq!(log_line("###[x]"), "###\\u{5b}x]");
    }

    #[test]
    fn line_breaks_and_invisible_characters_are_escaped() {
        assert_eq!(log_line("a\nb\r\nc\rd"), "a\\u{a}b\\u{d}\\u{a}c\\u{d}d");
        assert_eq!(log_line("x\n::error::forged"), "x\\u{a}::error::forged");
        assert_eq!(log_line("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(log_line("a\u{2028}b\u{202e}c"), "a\\u{2028}b\\u{202e}c");
        // ICU ignores these in culture-sensitive IndexOf/StartsWith: `#\u{ad}#[` would match `##[`.
        assert_eq!(log_line("#\u{ad}#[error]x"), "#\\u{ad}#[error]x");
        assert_eq!(log_line("\u{200b}::error::x"), "\\u{200b}::error::x");
        assert_eq!(log_line(":\u{feff}:error::x"), ":\\u{feff}:error::x");
    }

    #[test]
    fn escaping_twice_changes_nothing() {
        for s in ["::error::x", "a##[b", "\n::x", " \t::y", "#\u{ad}#[z"] {
            let once = log_line(s);
            assert_eq!(log_line(&once), once, "{s:?}");
        }
    }
}
