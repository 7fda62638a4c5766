//! Shortcode calls in Markdown: `{{ name(key="v", n=3) }}` inline and
//! `{% name(key="v") %}…{% end %}` with a body.
//!
//! Calls are found in the text before Markdown parsing (so smart punctuation never touches their
//! arguments) and replaced by an HTML comment placeholder that keeps the line count, so every
//! later line number is still a line of the file. Calls inside fenced code blocks and inline
//! code spans are left as text. This module does not render shortcodes: the render stage owns
//! the templates and expands the placeholders.

use crate::data_value::{DataTable, DataValue};

/// One shortcode call found in a document.
#[derive(Debug, Clone, PartialEq)]
pub struct ShortcodeCall {
    /// The shortcode's name: `figure`.
    pub name: String,
    /// The template that renders it: `shortcodes/figure.html`.
    pub template: String,
    /// The arguments, by name.
    pub args: DataTable,
    /// The body as HTML, for `{% name() %}…{% end %}` calls.
    pub body: Option<String>,
    /// Which call of this shortcode in the document it is, from 1 (Zola's `nth`, for unique
    /// ids in the template).
    pub nth: usize,
    /// The 1-based line of the call in its file.
    pub line: usize,
}

/// A call as found in the text, before its body is rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundCall {
    /// The shortcode's name.
    pub name: String,
    /// The arguments.
    pub args: DataTable,
    /// The body's Markdown, with the line (0-based, in the scanned text) where it starts.
    pub body: Option<(String, usize)>,
    /// 0-based line of the call in the scanned text.
    pub line: usize,
}

/// A shortcode that could not be read: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShortcodeSyntaxError {
    /// 0-based line in the scanned text.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub detail: String,
}

/// The text with calls replaced by placeholders, and the calls in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Extracted {
    /// Markdown in which call `n` is `<!--quire-shortcode:n-->` (with the call's newlines
    /// inside the comment).
    pub text: String,
    /// The calls, numbered by position.
    pub calls: Vec<FoundCall>,
}

/// The start of a placeholder; the call number and `-->` follow.
pub const PLACEHOLDER_START: &str = "<!--quire-shortcode:";

/// Whether `text` has anything that could open a call. Most pages have none, and extracting
/// from them would copy their text unchanged.
pub fn may_hold_calls(text: &str) -> bool {
    super::has_brace_pair(text, b"{%")
}

/// Finds the shortcode calls in `text` outside code.
///
/// # Errors
/// Every call that starts like a shortcode but cannot be read (bad arguments, no `{% end %}`).
pub fn extract(text: &str) -> Result<Extracted, Vec<ShortcodeSyntaxError>> {
    let mut out = String::with_capacity(text.len());
    let mut calls = Vec::new();
    let mut errors = Vec::new();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut fence: Option<(char, usize)> = None;
    let mut in_code_span: Option<usize> = None;
    let mut line_index = 0;
    // Where scanning resumes in a line that a multi-line call ended in.
    let mut start_column = 0;
    while line_index < lines.len() {
        let line = lines[line_index];
        let mut column = std::mem::take(&mut start_column);
        let mut next_line = line_index + 1;
        if column == 0 {
            if let Some(marker) = fence_marker(line) {
                fence = match fence {
                    None => Some(marker),
                    Some((c, n)) if marker.0 == c && marker.1 >= n && is_closing_fence(line, c) => None,
                    open => open,
                };
                out.push_str(line);
                line_index = next_line;
                continue;
            }
            if line.trim().is_empty() {
                in_code_span = None;
            }
            let plain = !line.contains("{{") && !line.contains("{%") && !line.contains('`');
            if fence.is_some() || plain {
                out.push_str(line);
                line_index = next_line;
                continue;
            }
        }
        let bytes = line.as_bytes();
        while column < line.len() {
            if bytes[column] == b'`' {
                let run = bytes[column..].iter().take_while(|&&b| b == b'`').count();
                in_code_span = match in_code_span {
                    None => Some(run),
                    Some(open) if open == run => None,
                    open => open,
                };
                out.push_str(&line[column..column + run]);
                column += run;
                continue;
            }
            let opens = line[column..].starts_with("{{") || line[column..].starts_with("{%");
            if in_code_span.is_none() && opens {
                match read_call(&lines, line_index, column) {
                    Ok(Some(found)) => {
                        out.push_str(PLACEHOLDER_START);
                        out.push_str(&calls.len().to_string());
                        out.push_str(&"\n".repeat(found.end_line - line_index));
                        out.push_str("-->");
                        calls.push(found.call);
                        if found.end_line == line_index {
                            column = found.end_column;
                            continue;
                        }
                        next_line = found.end_line;
                        start_column = found.end_column;
                        break;
                    }
                    Ok(None) => {}
                    Err(error) => {
                        errors.push(error);
                        out.push_str(&line[column..]);
                        break;
                    }
                }
            }
            // Up to the next byte that may start a code span or a call, in one go.
            let next = bytes[column + 1..]
                .iter()
                .position(|&b| b == b'`' || b == b'{')
                .map_or(line.len(), |offset| column + 1 + offset);
            out.push_str(&line[column..next]);
            column = next;
        }
        line_index = next_line;
    }
    if errors.is_empty() {
        Ok(Extracted { text: out, calls })
    } else {
        Err(errors)
    }
}

fn is_closing_fence(line: &str, c: char) -> bool {
    line.trim().trim_start_matches(c).is_empty()
}

/// Whether a `{{ … }}` or `{% … %}` tag, as written, is a shortcode call (`{{ name(…) }}`,
/// `{% name(…) %}`) or the `{% end %}` of one, rather than another generator's template syntax.
pub fn looks_like_call(tag: &str) -> bool {
    let inner = tag.get(2..).unwrap_or_default().trim_start();
    let name_len =
        inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(inner.len());
    let starts_with_letter = inner.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
    let is_call = starts_with_letter && name_len > 0 && inner[name_len..].trim_start().starts_with('(');
    is_call || (tag.starts_with("{%") && is_end_line(tag))
}

/// A fence line's character and length: ```` ``` ```` → ('`', 3).
fn fence_marker(line: &str) -> Option<(char, usize)> {
    let trimmed = line.trim_start();
    let first = trimmed.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let count = trimmed.chars().take_while(|c| *c == first).count();
    (count >= 3).then_some((first, count))
}

struct Found {
    call: FoundCall,
    end_line: usize,
    end_column: usize,
}

/// Reads the call starting at `lines[line][column..]` (`{{` or `{%`). `Ok(None)` when the text
/// only looks like one (`{{ user.name }}` in prose has no parentheses and is left alone).
fn read_call(lines: &[&str], line: usize, column: usize) -> Result<Option<Found>, ShortcodeSyntaxError> {
    let text = &lines[line][column..];
    let with_body = text.starts_with("{%");
    let close = if with_body { "%}" } else { "}}" };
    let mut cursor = Cursor { lines, line, column: column + 2 };
    cursor.skip_space();
    let name = cursor.identifier();
    if name.is_empty() || name == "end" || cursor.peek() != Some('(') {
        return Ok(None);
    }
    let error = |cursor: &Cursor<'_>, detail: String| ShortcodeSyntaxError {
        line: cursor.line,
        column: cursor.column + 1,
        detail,
    };
    cursor.bump();
    let args =
        read_args(&mut cursor).map_err(|detail| error(&cursor, format!("shortcode `{name}`: {detail}")))?;
    cursor.skip_space();
    if !cursor.eat(close) {
        return Err(error(&cursor, format!("shortcode `{name}`: expected `{close}` after the arguments")));
    }
    let call_line = line;
    if !with_body {
        let call = FoundCall { name, args, body: None, line: call_line };
        return Ok(Some(Found { call, end_line: cursor.line, end_column: cursor.column }));
    }
    // The body runs from the next line to a line holding only `{% end %}`.
    let body_start = cursor.line + 1;
    let end = (body_start..lines.len()).find(|&index| is_end_line(lines[index]));
    let Some(end) = end else {
        return Err(ShortcodeSyntaxError {
            line: call_line,
            column: column + 1,
            detail: format!("shortcode `{name}` has no `{{% end %}}`"),
        });
    };
    let body: String = lines[body_start..end].concat();
    let end_line = lines[end];
    let end_column = end_line.find("%}").map_or(end_line.len(), |i| i + 2);
    let call = FoundCall { name, args, body: Some((body, body_start)), line: call_line };
    Ok(Some(Found { call, end_line: end, end_column }))
}

fn is_end_line(line: &str) -> bool {
    let inner = line.trim().strip_prefix("{%").and_then(|rest| rest.strip_suffix("%}"));
    inner.is_some_and(|inner| inner.trim() == "end")
}

fn read_args(cursor: &mut Cursor<'_>) -> Result<DataTable, String> {
    let mut args = DataTable::new();
    loop {
        cursor.skip_space();
        if cursor.eat(")") {
            return Ok(args);
        }
        let key = cursor.identifier();
        if key.is_empty() {
            return Err("expected an argument name such as `src=\"…\"`, or `)`".into());
        }
        cursor.skip_space();
        if !cursor.eat("=") {
            return Err(format!("expected `=` after `{key}`; arguments are written `key=value`"));
        }
        cursor.skip_space();
        let value_start = (cursor.line, cursor.column);
        let value = match read_value(cursor) {
            Ok(value) => value,
            Err(detail) => {
                // Point at the value, not at where reading it stopped.
                (cursor.line, cursor.column) = value_start;
                return Err(format!("argument `{key}`: {detail}"));
            }
        };
        if args.insert(key.clone(), value).is_some() {
            return Err(format!("argument `{key}` is given twice"));
        }
        cursor.skip_space();
        if cursor.eat(",") {
            continue;
        }
        if cursor.eat(")") {
            return Ok(args);
        }
        return Err("expected `,` or `)` after an argument".into());
    }
}

fn read_value(cursor: &mut Cursor<'_>) -> Result<DataValue, String> {
    match cursor.peek() {
        Some(quote @ ('"' | '\'')) => {
            cursor.bump();
            let mut text = String::new();
            loop {
                match cursor.bump() {
                    None => return Err("the string is not closed".into()),
                    Some('\\') => match cursor.bump() {
                        Some('n') => text.push('\n'),
                        Some(c) => text.push(c),
                        None => return Err("the string is not closed".into()),
                    },
                    Some(c) if c == quote => return Ok(DataValue::String(text)),
                    Some(c) => text.push(c),
                }
            }
        }
        Some('[') => {
            cursor.bump();
            let mut items = Vec::new();
            loop {
                cursor.skip_space();
                if cursor.eat("]") {
                    return Ok(DataValue::Array(items));
                }
                items.push(read_value(cursor)?);
                cursor.skip_space();
                if !cursor.eat(",") && cursor.peek() != Some(']') {
                    return Err("expected `,` or `]` in the list".into());
                }
            }
        }
        _ => {
            let word = cursor.take_while(|c| c.is_ascii_alphanumeric() || "+-._".contains(c));
            match word.as_str() {
                "true" => Ok(DataValue::Bool(true)),
                "false" => Ok(DataValue::Bool(false)),
                "" => Err("expected a value: \"text\", a number, true/false or a [list]".into()),
                _ => word
                    .parse::<i64>()
                    .map(DataValue::Integer)
                    .or_else(|_| word.parse::<f64>().map(DataValue::Float))
                    .map_err(|_| format!("`{word}` is not a value; put text in quotes: \"{word}\"")),
            }
        }
    }
}

/// Reads characters across lines.
struct Cursor<'a> {
    lines: &'a [&'a str],
    line: usize,
    column: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        let mut line = self.line;
        let mut column = self.column;
        loop {
            let text = self.lines.get(line)?;
            if let Some(c) = text[column..].chars().next() {
                return Some(c);
            }
            line += 1;
            column = 0;
        }
    }

    fn bump(&mut self) -> Option<char> {
        loop {
            let text = self.lines.get(self.line)?;
            if let Some(c) = text[self.column..].chars().next() {
                self.column += c.len_utf8();
                return Some(c);
            }
            self.line += 1;
            self.column = 0;
        }
    }

    fn eat(&mut self, token: &str) -> bool {
        let Some(text) = self.lines.get(self.line) else { return false };
        if text[self.column..].starts_with(token) {
            self.column += token.len();
            true
        } else {
            false
        }
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let mut taken = String::new();
        while let Some(c) = self.peek().filter(|c| keep(*c)) {
            taken.push(c);
            self.bump();
        }
        taken
    }

    fn identifier(&mut self) -> String {
        let starts = self.peek().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if !starts {
            return String::new();
        }
        self.take_while(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(text: &str) -> Vec<FoundCall> {
        extract(text).unwrap().calls
    }

    #[test]
    fn inline_call_is_replaced_by_a_placeholder() {
        let found = extract("Before {{ youtube(id=\"abc\", start=30) }} after.\n").unwrap();
        assert_eq!(found.text, "Before <!--quire-shortcode:0--> after.\n");
        assert_eq!(found.calls[0].name, "youtube");
        assert_eq!(found.calls[0].args["id"], DataValue::String("abc".into()));
        assert_eq!(found.calls[0].args["start"], DataValue::Integer(30));
    }

    #[test]
    fn body_call_keeps_the_line_count() {
        let text = "Intro\n\n{% note(kind=\"warning\") %}\nCareful *now*.\n{% end %}\n\nLast line\n";
        let found = extract(text).unwrap();
        assert_eq!(found.text.lines().count(), text.lines().count(), "{}", found.text);
        assert_eq!(found.calls[0].body, Some(("Careful *now*.\n".to_string(), 3)));
        assert_eq!(found.calls[0].line, 2);
        assert!(found.text.ends_with("-->\n\nLast line\n"), "{}", found.text);
    }

    #[test]
    fn calls_in_code_are_left_as_text() {
        let text = "```md\n{{ figure(src=\"a.png\") }}\n```\n\nInline `{{ figure(src=\"b\") }}` too.\n";
        let found = extract(text).unwrap();
        assert!(found.calls.is_empty());
        assert_eq!(found.text, text);
    }

    #[test]
    fn template_syntax_without_parentheses_is_not_a_call() {
        assert!(calls("Hello {{ user.name }} and {% url 'home' %}.\n").is_empty());
    }

    #[test]
    fn argument_values() {
        let found = calls("{{ x(a=\"q\\\"uote\", b=-2, c=1.5, d=true, e=['x', 2]) }}\n");
        let args = &found[0].args;
        assert_eq!(args["a"], DataValue::String("q\"uote".into()));
        assert_eq!(args["b"], DataValue::Integer(-2));
        assert_eq!(args["c"], DataValue::Float(1.5));
        assert_eq!(args["d"], DataValue::Bool(true));
        assert_eq!(args["e"], DataValue::Array(vec![DataValue::String("x".into()), DataValue::Integer(2)]));
    }

    #[test]
    fn calls_are_told_from_other_template_syntax() {
        assert!(looks_like_call("{{ figure(src=\"a.png\") }}"));
        assert!(looks_like_call("{% note(kind=\"tip\") %}"));
        assert!(looks_like_call("{% end %}"));
        assert!(!looks_like_call("{{ site.url }}"));
        assert!(!looks_like_call("{% include footer.html %}"));
        assert!(!looks_like_call("{% endif %}"));
    }

    #[test]
    fn bad_arguments_name_line_and_column() {
        let errors = extract("ok\n{{ figure(src=a.png) }}\n").unwrap_err();
        assert_eq!(errors[0].line, 1);
        assert!(errors[0].detail.contains("`src`"), "{:?}", errors);
        let errors = extract("{% note() %}\nno end\n").unwrap_err();
        assert!(errors[0].detail.contains("end"), "{:?}", errors);
    }
}
