//! LaTeX formulas to MathML Core, at build time, with pulldown-latex: the `$…$` and `$$…$$`
//! that pulldown-cmark's math extension finds become `<math>` elements that browsers render
//! themselves, so a page with math loads no script, font or stylesheet for it.
//!
//! This module converts one formula; it does not find formulas (pulldown-cmark does, with
//! GitHub's rules, so `$5 and $10` stays text) or decide what an error does to the build.

/// How a formula is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MathDisplay {
    /// `$…$`, in the line.
    Inline,
    /// `$$…$$`, a block of its own.
    Block,
}

/// Why a formula could not be converted, in one line (`unknown primitive command found`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvertMathError {
    /// What pulldown-latex reported, without its drawn context.
    pub reason: String,
}

/// The MathML of a LaTeX formula, its source kept as a TeX annotation (copied with the
/// formula, read by tools that know TeX).
///
/// # Errors
/// [`ConvertMathError`] for a formula pulldown-latex cannot read: an unknown command, an
/// unbalanced brace, a `\\` outside an environment. Nothing is written for it: a half-read
/// formula is never shown as if it were right.
pub fn to_mathml(latex: &str, display: MathDisplay) -> Result<String, ConvertMathError> {
    match convert(latex, latex, display) {
        // KaTeX and MathJax break a display formula's lines at a `\\` outside any environment,
        // and posts written for them do (6 of 3,150 formulas in the sample): the lines are
        // centred, as in `gathered`.
        Err(error) if display == MathDisplay::Block && error.reason.starts_with(NEW_LINE_NOT_ALLOWED) => {
            let gathered = format!("\\begin{{gathered}}{latex}\\end{{gathered}}");
            convert(&gathered, latex, display).map_err(|_| error)
        }
        converted => converted,
    }
}

/// How pulldown-latex starts its message for a `\\` outside an environment.
const NEW_LINE_NOT_ALLOWED: &str = "new line command not allowed";

/// The MathML of `latex`, annotated with `source`.
fn convert(latex: &str, source: &str, display: MathDisplay) -> Result<String, ConvertMathError> {
    let storage = pulldown_latex::Storage::new();
    let mut events = Vec::new();
    for event in pulldown_latex::Parser::new(latex, &storage) {
        match event {
            Ok(event) => events.push(Ok::<_, pulldown_latex::ParserError>(event)),
            Err(error) => return Err(ConvertMathError { reason: first_line(&error.to_string()) }),
        }
    }
    let config = pulldown_latex::RenderConfig {
        display_mode: match display {
            MathDisplay::Inline => pulldown_latex::config::DisplayMode::Inline,
            MathDisplay::Block => pulldown_latex::config::DisplayMode::Block,
        },
        annotation: Some(source.trim()),
        ..pulldown_latex::RenderConfig::default()
    };
    let mut mathml = String::with_capacity(latex.len() * 8);
    pulldown_latex::push_mathml(&mut mathml, events.into_iter(), config)
        .map_err(|error| ConvertMathError { reason: error.to_string() })?;
    Ok(mathml)
}

/// The message of a pulldown-latex error without the box it draws around the context: the
/// user sees the formula in Quire's own report.
fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or(message).trim();
    line.strip_prefix("parsing error: ").unwrap_or(line).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_and_block_formulas_become_math_elements() {
        let inline = to_mathml(r"\frac{a}{b}", MathDisplay::Inline).unwrap();
        assert!(inline.starts_with("<math"), "{inline}");
        assert!(inline.contains("<mfrac>"), "{inline}");
        assert!(!inline.contains("display=\"block\""), "{inline}");
        let block = to_mathml(r"\sum_{i=1}^n i", MathDisplay::Block).unwrap();
        assert!(block.contains("display=\"block\""), "{block}");
        assert!(block.contains("<annotation encoding=\"application/x-tex\">"), "{block}");
    }

    #[test]
    fn latex_escapes_survive() {
        // The damage issue 23 names: `\{x\}`, `\\` and `\,` reach the converter as written.
        let mathml = to_mathml(r"\{x\}\,y", MathDisplay::Inline).unwrap();
        assert!(mathml.contains("<mo stretchy=\"false\">{</mo>") || mathml.contains(">{<"), "{mathml}");
        let matrix = to_mathml(r"\begin{pmatrix}a & b \\ c & d\end{pmatrix}", MathDisplay::Block).unwrap();
        assert_eq!(matrix.matches("<mtr>").count(), 2, "{matrix}");
    }

    #[test]
    fn lines_of_a_display_formula_break_as_in_katex() {
        let lines = to_mathml("a = b \\\\\n c = d", MathDisplay::Block).unwrap();
        assert_eq!(lines.matches("<mtr>").count(), 2, "{lines}");
        assert!(lines.contains(">a = b \\\\\n c = d</annotation>"), "{lines}");
        assert!(to_mathml("a \\\\ b", MathDisplay::Inline).is_err(), "inline formulas have one line");
    }

    #[test]
    fn an_unknown_command_is_an_error_in_one_line() {
        let error = to_mathml(r"x \notacommand y", MathDisplay::Inline).unwrap_err();
        assert!(!error.reason.contains('\n'), "{error:?}");
        assert!(!error.reason.is_empty());
        assert!(to_mathml(r"\frac{a}{b", MathDisplay::Inline).is_err());
    }
}
