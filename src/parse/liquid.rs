//! The Liquid that Jekyll posts use inside their text, turned into what Quire renders, so the
//! posts build unedited (issue 9):
//!
//! - `{% highlight lang [linenos] %}`…`{% endhighlight %}` becomes a ```` ``` ```` fence with
//!   the same language and options, so it is highlighted exactly like one;
//! - `{% raw %}`…`{% endraw %}` becomes its text, which nothing later reads as a template tag
//!   (its `{` before `{` or `%` is written `&#123;`, which Markdown and browsers show as `{`);
//! - `{{ site.url }}` becomes the base URL's origin (`https://example.com`) and
//!   `{{ site.baseurl }}` its path without the final slash (`/blog`, `""` at the root), as in
//!   Jekyll, so `{{ site.url }}{{ site.baseurl }}/x/` is the absolute URL of `/x/`.
//!
//! Nothing else is run: other tags stay as written, for `foreign_syntax` to warn about. Code
//! (fences, indented blocks, inline code spans) is never changed, since there the syntax is
//! the subject of the text. Line numbers are kept, except that code written on the same line
//! as a `highlight` tag moves to a line of its own.

use std::borrow::Cow;

use crate::parse::kramdown::{closes_fence, opens_fence};

/// What `site.url` and `site.baseurl` stand for.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SiteUrls {
    /// `https://example.com`: the base URL's scheme and host (empty for a `/` base URL).
    pub url: String,
    /// `/blog`: the base URL's path without its final slash (empty at the root).
    pub baseurl: String,
}

impl SiteUrls {
    /// Splits a normalized base URL (`https://example.com/blog/`) into origin and path.
    pub fn from_base_url(base_url: &str) -> SiteUrls {
        let base = base_url.trim_end_matches('/');
        let path_start = match base.find("://") {
            Some(scheme_end) => base[scheme_end + 3..].find('/').map_or(base.len(), |i| scheme_end + 3 + i),
            None => 0,
        };
        SiteUrls { url: base[..path_start].to_string(), baseurl: base[path_start..].to_string() }
    }
}

/// The body with the Liquid above converted; borrowed when it has none.
pub fn convert<'a>(body: &'a str, urls: &SiteUrls) -> Cow<'a, str> {
    if !super::has_brace_pair(body, b"{%") {
        return Cow::Borrowed(body);
    }
    let mut converter = Converter { urls, out: String::with_capacity(body.len()), open_span: None };
    let mut state = State::Prose;
    for line in body.split_inclusive('\n') {
        if line.trim().is_empty() {
            // A code span never crosses a blank line.
            converter.open_span = None;
        }
        state = match state {
            State::Fence { open, raw } => {
                converter.out.push_str(line);
                match (closes_fence(line.trim(), open), raw) {
                    (false, _) => State::Fence { open, raw },
                    (true, true) => State::Raw,
                    (true, false) => State::Prose,
                }
            }
            State::Highlight(mut block) => match end_highlight(line) {
                Some((code, after)) => {
                    if !code.trim().is_empty() {
                        block.code.push_str(code);
                        block.code.push('\n');
                    }
                    block.write(&mut converter.out);
                    converter.after_fence(after)
                }
                None => {
                    block.code.push_str(line);
                    State::Highlight(block)
                }
            },
            State::Prose | State::Raw => converter.prose_line(line, state),
        };
    }
    let mut out = converter.out;
    // A `highlight` with no `endhighlight`: give the text back as written.
    if let State::Highlight(block) = state {
        out.push_str(&block.opening);
        out.push_str(&block.code[block.code_on_opening_line..]);
    }
    Cow::Owned(out)
}

/// The conversion's output so far, and what it needs to know between lines.
struct Converter<'u> {
    urls: &'u SiteUrls,
    out: String,
    /// The backtick run of an inline code span still open at the end of the last line.
    open_span: Option<usize>,
}

enum State {
    Prose,
    /// Inside `{% raw %}`, outside code.
    Raw,
    /// Inside a fenced code block; `raw` when it is inside `{% raw %}`.
    Fence {
        open: (char, usize),
        raw: bool,
    },
    Highlight(HighlightBlock),
}

/// A `{% highlight %}` block being collected.
struct HighlightBlock {
    /// The line's indentation, given to the fence lines.
    indent: String,
    /// The fence info string: `ruby,linenos`.
    info: String,
    /// The opening line as written, in case no `endhighlight` comes.
    opening: String,
    /// Bytes of `code` that were written on the opening line.
    code_on_opening_line: usize,
    code: String,
}

impl HighlightBlock {
    fn write(&self, out: &mut String) {
        // Longer than any run of backticks in the code, so the code cannot close the fence.
        let longest = longest_run(&self.code, '`');
        let fence = "`".repeat(longest.max(2) + 1);
        out.push_str(&format!("{}{fence}{}\n{}{}{fence}", self.indent, self.info, self.code, self.indent));
    }
}

impl Converter<'_> {
    /// Converts one line outside fences and highlight blocks; returns the state after it.
    fn prose_line(&mut self, line: &str, state: State) -> State {
        let raw = matches!(state, State::Raw);
        if let Some(open) = opens_fence(line.trim()) {
            self.out.push_str(line);
            self.open_span = None;
            return State::Fence { open, raw };
        }
        if !raw {
            if let Some((mut block, after)) = start_highlight(line) {
                // `{% highlight c %}int x;{% endhighlight %}` on one line.
                let Some((code, rest)) = end_highlight(after) else {
                    if !after.trim().is_empty() {
                        block.code.push_str(after.trim_end_matches('\n'));
                        block.code.push('\n');
                        block.code_on_opening_line = block.code.len();
                    }
                    return State::Highlight(block);
                };
                if !code.trim().is_empty() {
                    block.code.push_str(code);
                    block.code.push('\n');
                }
                block.write(&mut self.out);
                return self.after_fence(rest);
            }
        }
        if line.starts_with("    ") || line.starts_with('\t') {
            self.out.push_str(line);
            return state;
        }
        let mut raw = raw;
        for (text, is_code) in code_spans(line, &mut self.open_span) {
            if is_code {
                self.out.push_str(text);
            } else {
                raw = self.prose_text(text, raw);
            }
        }
        if raw {
            State::Raw
        } else {
            State::Prose
        }
    }

    /// The rest of the line after `{% endhighlight %}`: text there goes on a line of its own,
    /// since a closing fence can have nothing after it.
    fn after_fence(&mut self, rest: &str) -> State {
        if rest.trim().is_empty() {
            self.out.push_str(rest);
            return State::Prose;
        }
        self.out.push('\n');
        self.prose_line(rest.trim_start(), State::Prose)
    }

    /// Converts prose text: raw sections, `site.url` and `site.baseurl`. Returns whether a raw
    /// section is still open at its end.
    fn prose_text(&mut self, mut text: &str, mut raw: bool) -> bool {
        loop {
            if raw {
                match find_tag(text, "endraw") {
                    Some((start, end)) => {
                        push_inert(&text[..start], &mut self.out);
                        text = &text[end..];
                        raw = false;
                    }
                    None => {
                        push_inert(text, &mut self.out);
                        return true;
                    }
                }
                continue;
            }
            let Some(start) = text.find('{') else {
                self.out.push_str(text);
                return false;
            };
            self.out.push_str(&text[..start]);
            text = &text[start..];
            if let Some(end) = tag_named(text, "raw") {
                // `-%}` strips the spaces after the tag, as Liquid does (on this line only, so
                // line numbers stay): left there, they could start an indented code block.
                let trims = text[..end].ends_with("-%}");
                text = &text[end..];
                if trims {
                    text = text.trim_start_matches([' ', '\t']);
                }
                raw = true;
            } else if let Some((value, len)) = site_variable(text, self.urls) {
                self.out.push_str(value);
                text = &text[len..];
            } else {
                self.out.push('{');
                text = &text[1..];
            }
        }
    }
}

/// Writes text so that no later stage reads a template tag in it.
fn push_inert(text: &str, out: &mut String) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' && matches!(chars.peek(), Some('{' | '%')) {
            out.push_str("&#123;");
        } else {
            out.push(c);
        }
    }
}

/// `{{ site.url }}` or `{{ site.baseurl }}` at the start of `text`: its value and length.
fn site_variable<'u>(text: &str, urls: &'u SiteUrls) -> Option<(&'u str, usize)> {
    let inner_start = text.strip_prefix("{{")?;
    let end = inner_start.find("}}")?;
    let inner = inner_start[..end].trim_matches('-').trim();
    let value = match inner {
        "site.url" => &urls.url,
        "site.baseurl" => &urls.baseurl,
        _ => return None,
    };
    Some((value, end + 4))
}

/// The length of a `{% name %}` tag at the start of `text`.
fn tag_named(text: &str, name: &str) -> Option<usize> {
    let rest = text.strip_prefix("{%")?;
    let end = rest.find("%}")?;
    (rest[..end].trim_matches('-').trim() == name).then_some(end + 4)
}

/// Where the first `{% name %}` tag in `text` starts and ends.
fn find_tag(text: &str, name: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(offset) = text[from..].find("{%") {
        let start = from + offset;
        if let Some(len) = tag_named(&text[start..], name) {
            return Some((start, start + len));
        }
        from = start + 2;
    }
    None
}

/// A line that opens a highlight block (`{% highlight ruby linenos %}`): the block, and the
/// rest of the line after the tag.
fn start_highlight(line: &str) -> Option<(HighlightBlock, &str)> {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    let rest = trimmed.strip_prefix("{%")?;
    let end = rest.find("%}")?;
    let words = words(rest[..end].trim_matches('-'));
    let mut words = words.into_iter();
    if words.next()? != "highlight" {
        return None;
    }
    let language = words.next()?;
    let mut info = language.to_string();
    for option in words {
        let (key, value) = option.split_once('=').unwrap_or((option, ""));
        let value = value.trim_matches('"');
        match key {
            "linenos" => info.push_str(",linenos"),
            "hl_lines" | "mark_lines" if is_line_list(value) => info.push_str(&format!(",hl_lines={value}")),
            "linenostart" if value.parse::<usize>().is_ok() => {
                info.push_str(&format!(",linenostart={value}"))
            }
            // Pygments' presentation options (`cssclass`, `lineanchors`…) have no equivalent.
            _ => {}
        }
    }
    let block = HighlightBlock {
        indent: indent.to_string(),
        info,
        opening: line.to_string(),
        code_on_opening_line: 0,
        code: String::new(),
    };
    Some((block, &rest[end + 2..]))
}

/// `1 2 4-6`: what a fence's `hl_lines` accepts (anything else is dropped, not an error).
fn is_line_list(value: &str) -> bool {
    value.chars().any(|c| c.is_ascii_digit())
        && value.chars().all(|c| c.is_ascii_digit() || c == ' ' || c == '-')
}

/// The words of a tag, a quoted value (`mark_lines="1 2"`) staying in its word.
fn words(text: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut start = None;
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c.is_whitespace() && !quoted => {
                if let Some(s) = start.take() {
                    words.push(&text[s..i]);
                }
                continue;
            }
            _ => {}
        }
        start.get_or_insert(i);
    }
    if let Some(s) = start {
        words.push(&text[s..]);
    }
    words
}

/// A line holding `{% endhighlight %}`: the code before it, and the rest of the line after it.
fn end_highlight(line: &str) -> Option<(&str, &str)> {
    let (start, end) = find_tag(line, "endhighlight")?;
    Some((&line[..start], &line[end..]))
}

/// The line cut into text and inline code spans (`` `…` `` with matching backtick runs). A
/// span still open at the end of the line is code until its closing run (`open` carries it to
/// the next line), so a stray backtick leaves the rest of its paragraph alone.
fn code_spans<'l>(line: &'l str, open: &mut Option<usize>) -> Vec<(&'l str, bool)> {
    let mut parts = Vec::new();
    let mut rest = line;
    if let Some(ticks) = *open {
        match find_run(rest, ticks) {
            Some(close) => {
                parts.push((&rest[..close + ticks], true));
                rest = &rest[close + ticks..];
                *open = None;
            }
            None => return vec![(line, true)],
        }
    }
    while let Some(start) = rest.find('`') {
        let ticks = rest[start..].chars().take_while(|c| *c == '`').count();
        let after = &rest[start + ticks..];
        parts.push((&rest[..start], false));
        let Some(close) = find_run(after, ticks) else {
            parts.push((&rest[start..], true));
            *open = Some(ticks);
            return parts;
        };
        let end = start + ticks + close + ticks;
        parts.push((&rest[start..end], true));
        rest = &rest[end..];
    }
    parts.push((rest, false));
    parts
}

/// Where a run of exactly `n` backticks starts in `text`.
fn find_run(text: &str, n: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
            if run == n {
                return Some(i);
            }
            i += run;
        } else {
            i += 1;
        }
    }
    None
}

fn longest_run(text: &str, c: char) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for x in text.chars() {
        current = if x == c { current + 1 } else { 0 };
        longest = longest.max(current);
    }
    longest
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls() -> SiteUrls {
        SiteUrls::from_base_url("https://example.com/blog/")
    }

    fn convert_text(body: &str) -> String {
        convert(body, &urls()).into_owned()
    }

    #[test]
    fn base_urls_split_into_origin_and_path() {
        assert_eq!(urls(), SiteUrls { url: "https://example.com".into(), baseurl: "/blog".into() });
        let root = SiteUrls::from_base_url("https://example.com/");
        assert_eq!((root.url.as_str(), root.baseurl.as_str()), ("https://example.com", ""));
        let relative = SiteUrls::from_base_url("/");
        assert_eq!((relative.url.as_str(), relative.baseurl.as_str()), ("", ""));
    }

    #[test]
    fn site_variables_become_the_base_url() {
        assert_eq!(
            convert_text("[a]({{ site.url }}{{ site.baseurl }}/x/) {{site.url}} {{- site.baseurl -}}\n"),
            "[a](https://example.com/blog/x/) https://example.com /blog\n"
        );
        assert_eq!(convert_text("{{ site.title }}\n"), "{{ site.title }}\n");
    }

    #[test]
    fn highlight_blocks_become_fences_keeping_line_numbers() {
        let body = "Text\n{% highlight ruby linenos %}\ndef x\n```\nend\n{% endhighlight %}\nAfter\n";
        assert_eq!(convert_text(body), "Text\n````ruby,linenos\ndef x\n```\nend\n````\nAfter\n");
        assert_eq!(
            convert_text(
                "  {%- highlight sh mark_lines=\"1 2\" hl_lines=x cssclass=x -%}\n  ls\n  {% endhighlight %}\n"
            ),
            "  ```sh,hl_lines=1 2\n  ls\n  ```\n"
        );
    }

    #[test]
    fn highlight_tags_with_code_on_their_lines_still_close() {
        assert_eq!(convert_text("{% highlight c %}int x;{% endhighlight %}\n"), "```c\nint x;\n```\n");
        assert_eq!(convert_text("{% highlight c %}\nint x;{% endhighlight %}\n"), "```c\nint x;\n```\n");
    }

    #[test]
    fn text_after_endhighlight_goes_below_the_fence() {
        assert_eq!(
            convert_text("{% highlight c %}\nx\n{% endhighlight %} and {{ site.url }}\nnext\n"),
            "```c\nx\n```\nand https://example.com\nnext\n"
        );
        assert_eq!(
            convert_text("{% highlight c %}x{% endhighlight %}{% raw %}{{a}}{% endraw %}\n"),
            "```c\nx\n```\n&#123;{a}}\n"
        );
    }

    #[test]
    fn an_unclosed_highlight_is_left_as_written() {
        for body in ["{% highlight ruby %}\nputs 1\n", "{% highlight ruby %}puts 1\nputs 2\n"] {
            assert_eq!(convert_text(body), body);
        }
    }

    #[test]
    fn raw_sections_become_inert_text() {
        assert_eq!(
            convert_text("a {% raw %}{{ x }} {% if %}{% endraw %} {{ site.url }}\n"),
            "a &#123;{ x }} &#123;% if %} https://example.com\n"
        );
        assert_eq!(convert_text("{%- raw -%}    {{ a }}{% endraw %}\n"), "&#123;{ a }}\n");
        assert_eq!(
            convert_text("{%- raw -%}\n{{ a }}\n```\n{{ b }}\n```\n{% endraw %}\n"),
            "\n&#123;{ a }}\n```\n{{ b }}\n```\n\n"
        );
    }

    #[test]
    fn code_is_never_changed() {
        let body = "```\n{{ site.url }} {% raw %}\n```\n    {{ site.url }}\nUse `{{ site.url }}` and ``{% raw %}``.\n~~~\n{% highlight x %}\n~~~\n";
        assert_eq!(convert_text(body), body);
    }

    #[test]
    fn code_spans_across_lines_are_code() {
        let body = "A `span\n{{ site.url }}` then {{ site.url }}\nstray ` {{ site.url }}\n\n{{ site.url }}\n";
        assert_eq!(
            convert_text(body),
            "A `span\n{{ site.url }}` then https://example.com\nstray ` {{ site.url }}\n\nhttps://example.com\n"
        );
    }

    #[test]
    fn bodies_without_liquid_are_borrowed() {
        assert!(matches!(convert("plain { text }\n", &urls()), Cow::Borrowed(_)));
    }
}
