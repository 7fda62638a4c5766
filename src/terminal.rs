//! Colour for the reports printed on stderr (errors, warnings, hints), when stderr is a
//! terminal that wants it.
//!
//! The only module that uses `anstream` and `anstyle`. Reports are written as plain text (see
//! `error.rs`); this module styles their labels and gutters, and `anstream` drops the styles
//! again unless stderr is a terminal and neither `NO_COLOR` nor `CLICOLOR=0` is set
//! (`CLICOLOR_FORCE=1` keeps them off a terminal). It never changes the text itself.

use std::io::Write as _;

use anstyle::{AnsiColor, Style};

const ERROR: Style = AnsiColor::Red.on_default().bold();
const WARNING: Style = AnsiColor::Yellow.on_default().bold();
const HINT: Style = AnsiColor::Cyan.on_default().bold();
const NOTE: Style = AnsiColor::Green.on_default().bold();
const GUTTER: Style = AnsiColor::Blue.on_default().bold();
const MESSAGE: Style = Style::new().bold();

/// Prints `report` (lines such as `error: …`, `  --> file:3:7`, ` 3 | text`, `hint: …`) on
/// stderr, coloured when stderr is a terminal that wants colour. A closed stderr is ignored.
pub fn eprint_report(report: &str) {
    let mut stderr = anstream::stderr().lock();
    let _ = stderr.write_all(styled(report).as_bytes());
    let _ = stderr.flush();
}

/// `report` with ANSI styles around its labels, arrows, gutters and carets; the same text
/// once the styles are stripped.
pub fn styled(report: &str) -> String {
    let mut out = String::with_capacity(report.len() + report.len() / 4);
    for line in report.split_inclusive('\n') {
        let (body, newline) = match line.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (line, ""),
        };
        style_line(body, &mut out);
        out.push_str(newline);
    }
    out
}

fn style_line(line: &str, out: &mut String) {
    for (label, style) in
        [("error", ERROR), ("warning", WARNING), ("hint", HINT), ("info", NOTE), ("debug", NOTE)]
    {
        if let Some(message) = line.strip_prefix(label).and_then(|rest| rest.strip_prefix(':')) {
            let message_style = if style == HINT { Style::new() } else { MESSAGE };
            out.push_str(&format!("{style}{label}:{style:#}{message_style}{message}{message_style:#}"));
            return;
        }
    }
    if let Some(rest) = line.strip_prefix("  -->") {
        out.push_str(&format!("  {GUTTER}-->{GUTTER:#}{rest}"));
    } else if let Some(rest) = line.strip_prefix("   =") {
        out.push_str(&format!("   {GUTTER}={GUTTER:#}{rest}"));
    } else if let Some((gutter, text)) = split_gutter(line) {
        out.push_str(&format!("{GUTTER}{gutter}{GUTTER:#}"));
        let marks = text.trim_start();
        if !marks.is_empty() && marks.chars().all(|c| c == '^') && gutter.trim() == "|" {
            // A caret line: the gutter has no line number and the rest is padding and carets.
            let padding = &text[..text.len() - marks.len()];
            out.push_str(&format!("{padding}{ERROR}{marks}{ERROR:#}"));
        } else {
            out.push_str(text);
        }
    } else {
        out.push_str(line);
    }
}

/// ` 12 | text` → (` 12 |`, ` text`): a source line's gutter, a line number or blanks, then `|`.
fn split_gutter(line: &str) -> Option<(&str, &str)> {
    let bar = line.find('|')?;
    let before = &line[..bar];
    let is_gutter =
        before.starts_with(' ') && before.ends_with(' ') && before.trim().chars().all(|c| c.is_ascii_digit());
    is_gutter.then(|| line.split_at(bar + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = "error: invalid front matter in `content/a.md`\n  --> content/a.md:3:7\n   |\n 3 | date: 2024-13-01 | x\n   |       ^^^^\n   = month must be between 1 and 12\nhint: dates are written YYYY-MM-DD\n";

    fn strip(text: &str) -> String {
        let mut plain = Vec::new();
        let mut stream = anstream::StripStream::new(&mut plain);
        stream.write_all(text.as_bytes()).expect("write into memory");
        String::from_utf8(plain).expect("UTF-8")
    }

    #[test]
    fn styles_leave_the_text_as_it_was() {
        let styled = styled(REPORT);
        assert_ne!(styled, REPORT);
        assert_eq!(strip(&styled), REPORT);
    }

    #[test]
    fn labels_gutters_and_carets_are_coloured() {
        let styled = styled(REPORT);
        assert!(styled.starts_with(&format!("{ERROR}error:{ERROR:#}")), "{styled:?}");
        assert!(styled.contains(&format!("  {GUTTER}-->{GUTTER:#} content/a.md:3:7")), "{styled:?}");
        assert!(styled.contains(&format!("{GUTTER} 3 |{GUTTER:#} date: 2024-13-01 | x\n")), "{styled:?}");
        assert!(
            styled.contains(&format!("{GUTTER}   |{GUTTER:#}       {ERROR}^^^^{ERROR:#}\n")),
            "{styled:?}"
        );
        assert!(styled.contains(&format!("{HINT}hint:{HINT:#}")), "{styled:?}");
    }

    #[test]
    fn other_lines_are_left_alone() {
        for line in ["errors: 2", "  x | y", "a | b", ""] {
            assert_eq!(styled(line), line);
        }
    }
}
