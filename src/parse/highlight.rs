//! Syntax highlighting of fenced code blocks with syntect (the Oniguruma regex engine, or the
//! pure-Rust `fancy-regex` one without the `onig` feature) and bat's syntax and theme set from
//! `two-face`.
//!
//! The syntax and theme sets are read-only data, loaded once per process, lazily, and shared
//! by every thread. Everything that remembers work is a value: a [`Highlighter`] is made for a
//! parse run and holds that run's line memo, and asks the [`BlockStore`] it was given for a
//! block highlighted before (by an earlier block of this run, the last run of `quire serve`,
//! or the last `quire build`, on disk) before highlighting one. The highlighted HTML is a pure
//! function of the [`Block`], so neither can make a build differ from a clean one.
//!
//! This module does not find code blocks in Markdown (`markdown.rs` does) and writes no CSS
//! file: `quire highlight-css` prints the stylesheet for a theme.

use std::fmt::Write as _;
use std::hash::Hash;
use std::ops::RangeInclusive;
use std::sync::{Arc, LazyLock};

use syntect::highlighting::{
    Color, HighlightIterator, HighlightState, Highlighter as ThemeHighlighter, Theme,
};
use syntect::html::{self, ClassStyle, IncludeBackground};
use syntect::parsing::{ParseState, Scope, ScopeStack, ScopeStackOp, SyntaxReference, SyntaxSet};

use crate::config::HighlightStyle;
use crate::highlight_themes::{find_theme, theme_names};
use crate::incremental::{BlockStore, Digest, Helper};
use crate::parse::line_memo::LineMemo;

/// The options written after the language in a fence: ```` ```rust,linenos,hl_lines=2 4-6 ````.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FenceInfo {
    /// The language token as written (`py`, `rust`), if any.
    pub language: Option<String>,
    /// Whether lines get numbers.
    pub linenos: bool,
    /// The number of the first line (`linenostart=10`), 1 by default.
    pub linenostart: usize,
    /// Lines to mark, counted from the block's first line as 1.
    pub hl_lines: Vec<RangeInclusive<usize>>,
}

/// How blocks are highlighted: the `[markdown]` settings that change the output.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HighlightOptions {
    /// Classes or inline styles.
    pub style: HighlightStyle,
    /// The theme for inline styles.
    pub theme: String,
}

/// The CSS class prefix of token spans: `hl-keyword`, `hl-string`.
pub const CLASS_PREFIX: &str = "hl-";

const CLASS_STYLE: ClassStyle = ClassStyle::SpacedPrefixed { prefix: CLASS_PREFIX };

/// Parses a fence's info string: the language, then comma-separated options.
///
/// # Errors
/// A message when `hl_lines` or `linenostart` is not made of numbers, or an option is unknown.
pub fn parse_info(info: &str) -> Result<FenceInfo, String> {
    let info = info.trim();
    let split_at = info.find(|c: char| c == ',' || c.is_whitespace()).unwrap_or(info.len());
    let (language, rest) = info.split_at(split_at);
    let mut fence = FenceInfo {
        language: (!language.is_empty() && !language.contains('=')).then(|| language.to_string()),
        linenostart: 1,
        ..FenceInfo::default()
    };
    let rest = if fence.language.is_none() { info } else { rest };
    for option in rest.split(',').map(str::trim).filter(|o| !o.is_empty()) {
        let (key, value) = match option.split_once('=') {
            Some((key, value)) => (key.trim(), Some(value.trim().trim_matches('"'))),
            None => (option, None),
        };
        match (key, value) {
            ("linenos", None) => fence.linenos = true,
            ("linenostart", Some(value)) => {
                fence.linenostart = value
                    .parse()
                    .map_err(|_| format!("`linenostart={value}`: expected a line number such as `10`"))?;
            }
            ("hl_lines", Some(value)) => fence.hl_lines = parse_line_ranges(value)?,
            _ => {
                return Err(format!(
                    "unknown code block option `{option}`; known options are `linenos`, `linenostart=N` and `hl_lines=2 4-6`"
                ));
            }
        }
    }
    Ok(fence)
}

/// A code block to highlight: everything its HTML depends on, so a [`BlockStore`] knows
/// blocks by its [`Block::key`].
#[derive(Debug, Clone, Copy, Hash)]
pub struct Block<'a> {
    /// The code, lines ending in `\n`.
    pub code: &'a str,
    /// The language and options of the fence.
    pub fence: &'a FenceInfo,
    /// The site's highlight settings.
    pub options: &'a HighlightOptions,
}

impl Block<'_> {
    /// The key a [`BlockStore`] knows this block by: a digest of all of it.
    pub fn key(&self) -> u128 {
        let mut digest = Digest::new();
        self.hash(&mut digest);
        digest.finish_128()
    }
}

/// Highlights code blocks for one parse run, from any number of threads.
#[derive(Debug)]
pub struct Highlighter {
    blocks: Arc<dyn BlockStore>,
    /// The lines parsed in this run, forgotten when the highlighter is dropped.
    lines: Option<LineMemo>,
}

impl Highlighter {
    /// A highlighter for a parse run: it asks `blocks` before highlighting a block and tells
    /// it after, and replays lines it has parsed before.
    pub fn new(blocks: Arc<dyn BlockStore>) -> Highlighter {
        Highlighter { blocks, lines: Some(LineMemo::default()) }
    }

    /// Highlights one block of code, or returns the HTML of an equal block from the store.
    ///
    /// An unknown language (or none) gives plain, escaped text, still numbered and marked as
    /// asked.
    pub fn highlight(&self, code: &str, fence: &FenceInfo, options: &HighlightOptions) -> Arc<str> {
        let block = Block { code, fence, options };
        let key = block.key();
        if let Some(html) = self.blocks.find(key) {
            return html;
        }
        let html: Arc<str> = render_block(&block, self.lines.as_ref()).into();
        self.blocks.remember(key, &html);
        html
    }
}

impl Default for Highlighter {
    /// A highlighter that remembers nothing, for a few blocks at a time (the `markdown`
    /// filter): no run of its own to keep lines for.
    fn default() -> Highlighter {
        Highlighter { blocks: Arc::new(NoBlocks), lines: None }
    }
}

/// A store that remembers nothing.
#[derive(Debug)]
struct NoBlocks;

impl BlockStore for NoBlocks {
    fn find(&self, _: u128) -> Option<Arc<str>> {
        None
    }

    fn remember(&self, _: u128, _: &Arc<str>) {}
}

/// The highlighter is handed to the parse memo's calls, not keyed: what it holds (blocks, parsed
/// lines) is what highlighting would give again.
impl Helper for Highlighter {}

/// The stylesheet for code highlighted with classes, coloured as the theme `name`.
///
/// # Errors
/// A message naming the themes when there is no theme `name`.
pub fn css_for_theme(name: &str) -> Result<String, String> {
    let theme = find_theme(name).ok_or_else(|| {
        format!("no highlight theme `{name}`; the themes are: {}", theme_names().join(", "))
    })?;
    let mut css = html::css_for_theme_with_class_style(theme, CLASS_STYLE)
        .map_err(|error| format!("theme `{name}` cannot be written as CSS: {error}"))?;
    let marked = theme.settings.line_highlight.map_or_else(|| "rgba(127, 127, 127, 0.18)".into(), css_color);
    let gutter = theme.settings.gutter_foreground.map_or_else(|| "inherit".into(), css_color);
    let _ = write!(
        css,
        "\n.{CLASS_PREFIX}code {{ padding: 0.8em 1em; overflow-x: auto; }}\n\
         .code-line-marked {{ display: block; background-color: {marked}; }}\n\
         .code-line-number {{ display: inline-block; min-width: 2.5em; padding-right: 1em; \
         text-align: right; color: {gutter}; opacity: 0.7; user-select: none; }}\n"
    );
    Ok(css)
}

/// Bat's syntaxes, in their `\n`-terminated form (lines are highlighted with their newline).
static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(two_face::syntax::extra_newlines);

/// Names people write in fences that the syntax set does not know by extension or name.
const ALIASES: &[(&str, &str)] = &[
    ("shell", "bash"),
    ("console", "bash"),
    ("zsh", "bash"),
    ("golang", "go"),
    ("py3", "py"),
    ("python3", "py"),
    ("jsonc", "json"),
    ("docker", "Dockerfile"),
    ("c++", "cpp"),
    ("patch", "diff"),
    ("text", "txt"),
    ("plain", "txt"),
    ("plaintext", "txt"),
];

/// The syntax for a fence's language token: by file extension (`rs`, `py`, `yml`), by name
/// (`Rust`, `TypeScript`), or by one of the extra aliases.
fn find_syntax(language: &str) -> Option<&'static SyntaxReference> {
    let set = &*SYNTAXES;
    let lower = language.to_ascii_lowercase();
    let token = ALIASES.iter().find(|(alias, _)| *alias == lower).map_or(language, |(_, to)| to);
    set.find_syntax_by_token(token).or_else(|| set.find_syntax_by_token(&lower))
}

fn render_block(block: &Block<'_>, lines: Option<&LineMemo>) -> String {
    let Block { code, fence, options } = *block;
    let syntax = fence.language.as_deref().and_then(find_syntax).filter(|s| s.name != "Plain Text");
    if syntax.is_none() {
        if let Some(language) = &fence.language {
            log::debug!("no syntax for code block language `{language}`; rendered as plain text");
        }
    }
    let lines = match (syntax, options.style) {
        (None, _) => None,
        (Some(syntax), HighlightStyle::Class) => classed_lines(code, syntax, lines),
        (Some(syntax), HighlightStyle::Inline) => {
            find_theme(&options.theme).and_then(|theme| inline_lines(code, syntax, theme, lines))
        }
    };
    // A grammar that fails on some input must not fail the build: show that block plain.
    let lines = lines.unwrap_or_else(|| code.split_inclusive('\n').map(crate::html::escape).collect());
    let theme = find_theme(&options.theme);
    assemble(&lines, fence, options.style, theme)
}

/// One HTML fragment per line, every span closed at the end of its line and reopened on the
/// next, so a line can be wrapped (numbered, marked) on its own.
fn classed_lines(code: &str, syntax: &SyntaxReference, memo: Option<&LineMemo>) -> Option<Vec<String>> {
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut lines = Vec::new();
    for line in code.split_inclusive('\n') {
        let mut out = String::new();
        let open_before = stack.as_slice().len();
        for scope in stack.as_slice() {
            open_span(&mut out, *scope);
        }
        let ops = parse_line(memo, &mut state, line, syntax, &stack)?;
        let (html, delta) = html::line_tokens_to_classed_spans(line, &ops, CLASS_STYLE, &mut stack).ok()?;
        out.push_str(&html);
        let open_after = usize::try_from(open_before as isize + delta).unwrap_or(0);
        out.push_str(&"</span>".repeat(open_after));
        lines.push(out);
    }
    Some(lines)
}

fn open_span(out: &mut String, scope: Scope) {
    out.push_str("<span class=\"");
    for (index, atom) in scope.build_string().split('.').enumerate() {
        if index > 0 {
            out.push(' ');
        }
        out.push_str(CLASS_PREFIX);
        out.push_str(atom);
    }
    out.push_str("\">");
}

fn inline_lines(
    code: &str,
    syntax: &SyntaxReference,
    theme: &Theme,
    memo: Option<&LineMemo>,
) -> Option<Vec<String>> {
    let highlighter = ThemeHighlighter::new(theme);
    let mut state = ParseState::new(syntax);
    let mut highlight_state = HighlightState::new(&highlighter, ScopeStack::new());
    let background = theme.settings.background.unwrap_or(Color::WHITE);
    code.split_inclusive('\n')
        .map(|line| {
            let ops = parse_line(memo, &mut state, line, syntax, &highlight_state.path)?;
            let regions: Vec<_> =
                HighlightIterator::new(&mut highlight_state, &ops, line, &highlighter).collect();
            html::styled_line_to_highlighted_html(&regions, IncludeBackground::IfDifferent(background)).ok()
        })
        .collect()
}

/// Parses one line; for Rust, also marks the keywords bat's grammar predates.
fn parse_line(
    memo: Option<&LineMemo>,
    state: &mut ParseState,
    line: &str,
    syntax: &SyntaxReference,
    stack: &ScopeStack,
) -> Option<Vec<(usize, ScopeStackOp)>> {
    let ops = match memo {
        Some(memo) => memo.parse_line(state, line, &SYNTAXES).ok()?,
        None => state.parse_line(line, &SYNTAXES).ok()?,
    };
    if syntax.name == "Rust" {
        Some(add_rust_keywords(line, ops, stack))
    } else {
        Some(ops)
    }
}

/// The Rust grammar in bat's set predates `async`, `await` and `dyn`, and leaves them plain.
/// Rather than rebuilding the whole syntax set at start-up (half a second) to patch the
/// grammar, the keywords are scoped here, outside strings and comments, as the current
/// grammar scopes them.
fn add_rust_keywords(
    line: &str,
    ops: Vec<(usize, ScopeStackOp)>,
    start: &ScopeStack,
) -> Vec<(usize, ScopeStackOp)> {
    static KEYWORDS: LazyLock<[(&str, Scope); 3]> = LazyLock::new(|| {
        let scope = |name: &str| Scope::new(name).expect("a literal scope name is valid");
        [
            ("async", scope("storage.modifier.rust")),
            ("await", scope("keyword.control.rust")),
            ("dyn", scope("storage.type.trait.rust")),
        ]
    });
    if !KEYWORDS.iter().any(|(word, _)| line.contains(word)) {
        return ops;
    }
    let mut stack = start.clone();
    let mut out = Vec::with_capacity(ops.len() + 4);
    let mut segment_start = 0;
    let ends: Vec<usize> = ops.iter().map(|(index, _)| *index).chain([line.len()]).collect();
    let mut ops = ops.into_iter();
    // Text between two ops is under the stack as it is after the first: keywords found there
    // are pushed after that op and popped before the next, so `out` stays in order.
    for segment_end in ends {
        if segment_end > segment_start && !in_string_or_comment(&stack) {
            for (word, scope) in KEYWORDS.iter() {
                for (offset, _) in line[segment_start..segment_end].match_indices(word) {
                    let begin = segment_start + offset;
                    let end = begin + word.len();
                    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                    if !is_word(line[..begin].chars().next_back()) && !is_word(line[end..].chars().next()) {
                        out.push((begin, ScopeStackOp::Push(*scope)));
                        out.push((end, ScopeStackOp::Pop(1)));
                    }
                }
            }
        }
        if let Some((index, op)) = ops.next() {
            let _ = stack.apply(&op);
            out.push((index, op));
        }
        segment_start = segment_end;
    }
    out
}

fn in_string_or_comment(stack: &ScopeStack) -> bool {
    stack.as_slice().iter().any(|scope| {
        let name = scope.build_string();
        name.starts_with("string") || name.starts_with("comment")
    })
}

/// The attribute every `pre` code block gets: a block wider than the reader's screen scrolls,
/// and a scrolling region must be reachable by keyboard (axe's `scrollable-region-focusable`).
/// Whether it scrolls depends on the screen, so every block gets it.
const KEYBOARD_REACHABLE: &str = "tabindex=\"0\"";

/// The HTML of a code block when highlighting is off, as pulldown-cmark would write it
/// (the language is the info string's first word) but reachable by keyboard.
pub fn unhighlighted(code: &str, info: &str) -> String {
    let language = info.split(' ').next().unwrap_or_default();
    let mut out = String::with_capacity(code.len() + 64);
    let _ = write!(out, "<pre {KEYBOARD_REACHABLE}><code");
    if !language.is_empty() {
        out.push_str(" class=\"language-");
        let _ = pulldown_cmark_escape::escape_html(&mut out, language);
        out.push('"');
    }
    out.push('>');
    let _ = pulldown_cmark_escape::escape_html_body_text(&mut out, code);
    out.push_str("</code></pre>\n");
    out
}

fn assemble(lines: &[String], fence: &FenceInfo, style: HighlightStyle, theme: Option<&Theme>) -> String {
    let language = fence.language.as_deref().map(crate::html::escape);
    let mut out = String::with_capacity(lines.iter().map(String::len).sum::<usize>() + 128);
    match (style, theme) {
        (HighlightStyle::Inline, Some(theme)) => {
            let _ = write!(out, "<pre class=\"{CLASS_PREFIX}code\" {KEYBOARD_REACHABLE} style=\"");
            if let Some(background) = theme.settings.background {
                let _ = write!(out, "background-color:{};", css_color(background));
            }
            if let Some(foreground) = theme.settings.foreground {
                let _ = write!(out, "color:{};", css_color(foreground));
            }
            out.push('"');
        }
        _ => {
            let _ = write!(out, "<pre class=\"{CLASS_PREFIX}code\" {KEYBOARD_REACHABLE}");
        }
    }
    if let Some(language) = &language {
        let _ = write!(out, " data-lang=\"{language}\"><code class=\"language-{language}\">");
    } else {
        out.push_str("><code>");
    }
    let wrap = fence.linenos || !fence.hl_lines.is_empty();
    let inline_theme = theme.filter(|_| style == HighlightStyle::Inline);
    for (index, line) in lines.iter().enumerate() {
        if !wrap {
            out.push_str(line);
            continue;
        }
        let marked = fence.hl_lines.iter().any(|range| range.contains(&(index + 1)));
        open_line(&mut out, marked, inline_theme);
        if fence.linenos {
            line_number(&mut out, fence.linenostart + index, inline_theme);
        }
        out.push_str(line);
        out.push_str("</span>");
    }
    out.push_str("</code></pre>\n");
    out
}

fn open_line(out: &mut String, marked: bool, inline_theme: Option<&Theme>) {
    match (marked, inline_theme) {
        (false, _) => out.push_str("<span class=\"code-line\">"),
        (true, None) => out.push_str("<span class=\"code-line code-line-marked\">"),
        (true, Some(theme)) => {
            let color =
                theme.settings.line_highlight.map_or_else(|| "rgba(127,127,127,0.18)".into(), css_color);
            let _ = write!(
                out,
                "<span class=\"code-line code-line-marked\" style=\"display:block;background-color:{color};\">"
            );
        }
    }
}

fn line_number(out: &mut String, number: usize, inline_theme: Option<&Theme>) {
    match inline_theme {
        None => {
            let _ = write!(out, "<span class=\"code-line-number\" aria-hidden=\"true\">{number}</span>");
        }
        Some(theme) => {
            let color = theme.settings.gutter_foreground.map_or_else(|| "inherit".into(), css_color);
            let _ = write!(
                out,
                "<span class=\"code-line-number\" aria-hidden=\"true\" style=\"display:inline-block;\
                 min-width:2.5em;padding-right:1em;text-align:right;user-select:none;opacity:0.7;\
                 color:{color};\">{number}</span>"
            );
        }
    }
}

fn css_color(color: Color) -> String {
    if color.a == 0xff {
        format!("#{:02x}{:02x}{:02x}", color.r, color.g, color.b)
    } else {
        format!("rgba({}, {}, {}, {:.2})", color.r, color.g, color.b, f32::from(color.a) / 255.0)
    }
}

/// `2 4-6` (also `2,4-6` or `[2, "4-6"]`) → `[2..=2, 4..=6]`.
fn parse_line_ranges(value: &str) -> Result<Vec<RangeInclusive<usize>>, String> {
    let bad = || format!("`hl_lines={value}`: expected line numbers and ranges such as `2 4-6`");
    value
        .split(|c: char| c.is_whitespace() || c == ';' || c == '[' || c == ']')
        .map(|part| part.trim_matches(|c| c == '"' || c == ','))
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (start, end) = part.split_once('-').unwrap_or((part, part));
            let start: usize = start.trim().parse().map_err(|_| bad())?;
            let end: usize = end.trim().parse().map_err(|_| bad())?;
            if start == 0 || end < start {
                return Err(bad());
            }
            Ok(start..=end)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes() -> HighlightOptions {
        HighlightOptions {
            style: HighlightStyle::Class,
            theme: crate::config::DEFAULT_HIGHLIGHT_THEME.into(),
        }
    }

    fn fence(info: &str) -> FenceInfo {
        parse_info(info).unwrap()
    }

    fn highlight(code: &str, fence: &FenceInfo, options: &HighlightOptions) -> Arc<str> {
        Highlighter::default().highlight(code, fence, options)
    }

    fn html(info: &str, code: &str) -> String {
        highlight(code, &fence(info), &classes()).to_string()
    }

    /// Class names of the token spans in `html`.
    fn token_classes(html: &str) -> Vec<&str> {
        html.split("<span class=\"").skip(1).filter_map(|rest| rest.split('"').next()).collect()
    }

    #[test]
    fn every_listed_language_gets_highlighted_spans() {
        let samples = [
            ("rust", "async fn fetch() -> u8 { let x = other().await; 1 }\n", "hl-keyword"),
            ("toml", "[package]\nname = \"quire\"\n", "hl-string"),
            ("typescript", "const x: number = 1;\ninterface A { b: string }\n", "hl-storage"),
            ("python", "def f(x):\n    return x + 1\n", "hl-storage"),
            ("bash", "for f in *.md; do echo \"$f\"; done\n", "hl-keyword"),
            ("yaml", "title: Hello\ntags: [a, b]\n", "hl-entity"),
            ("json", "{\"a\": [1, true]}\n", "hl-string"),
            ("html", "<p class=\"x\">Hi</p>\n", "hl-entity"),
            ("css", "body { color: red; }\n", "hl-support"),
            ("sql", "SELECT id FROM posts WHERE id = 1;\n", "hl-keyword"),
            ("go", "func main() { fmt.Println(\"hi\") }\n", "hl-storage"),
            ("diff", "--- a\n+++ b\n-old\n+new\n", "hl-markup"),
        ];
        for (language, code, expected) in samples {
            let html = html(language, code);
            let classes = token_classes(&html);
            assert!(
                classes.iter().any(|c| c.split(' ').any(|part| part == expected)),
                "{language}: no `{expected}` span in {html}"
            );
        }
    }

    #[test]
    fn rust_async_and_await_are_keywords() {
        let html = html("rust", "async fn f() { g().await; }\n");
        assert!(html.contains(">async</span>"), "{html}");
        assert!(html.contains(">await</span>"), "{html}");
    }

    #[test]
    fn aliases_find_their_languages() {
        for (alias, full) in
            [("py", "python"), ("rs", "rust"), ("sh", "bash"), ("yml", "yaml"), ("ts", "typescript")]
        {
            let code = "x = 1\n";
            let by_alias = highlight(code, &fence(alias), &classes());
            let by_name = highlight(code, &fence(full), &classes());
            let strip =
                |html: &str| html.split("<code").nth(1).unwrap().split_once('>').unwrap().1.to_string();
            assert_eq!(strip(&by_alias), strip(&by_name), "{alias} vs {full}");
            assert!(by_alias.contains("<span class="), "{alias}: {by_alias}");
        }
    }

    #[test]
    fn unknown_language_is_plain_escaped_text() {
        let html = html("klingon", "<qapla'> & more\n");
        assert_eq!(html, self::html("txt", "<qapla'> & more\n").replace("txt", "klingon"));
        assert_eq!(
            html,
            "<pre class=\"hl-code\" tabindex=\"0\" data-lang=\"klingon\"><code class=\"language-klingon\">&lt;qapla&#39;&gt; &amp; more\n</code></pre>\n"
        );
    }

    #[test]
    fn hl_lines_marks_the_listed_lines() {
        let html = html("text,hl_lines=2 4-5", "a\nb\nc\nd\ne\nf\n");
        let marked: Vec<usize> = html
            .split("<span class=\"code-line")
            .skip(1)
            .enumerate()
            .filter(|(_, line)| line.starts_with(" code-line-marked"))
            .map(|(index, _)| index + 1)
            .collect();
        assert_eq!(marked, [2, 4, 5], "{html}");
    }

    #[test]
    fn linenos_numbers_lines_from_linenostart() {
        let html = html("rust, linenos, linenostart=9", "let a = 1;\nlet b = 2;\n");
        assert!(html.contains("aria-hidden=\"true\">9</span>"), "{html}");
        assert!(html.contains("aria-hidden=\"true\">10</span>"), "{html}");
    }

    #[test]
    fn lines_are_balanced_when_a_token_spans_lines() {
        let html = html("rust,linenos", "/* one\ntwo */ fn x() {}\n");
        for line in html.split("<span class=\"code-line\">").skip(1) {
            let line = line.split("</code>").next().unwrap();
            assert_eq!(line.matches("<span").count() + 1, line.matches("</span>").count(), "{line}");
        }
    }

    #[test]
    fn inline_style_puts_colours_on_tokens() {
        let options = HighlightOptions { style: HighlightStyle::Inline, theme: "Nord".into() };
        let html = highlight("fn main() {}\n", &fence("rust"), &options);
        assert!(html.contains("style=\"color:#"), "{html}");
        assert!(
            html.starts_with("<pre class=\"hl-code\" tabindex=\"0\" style=\"background-color:#"),
            "{html}"
        );
    }

    #[test]
    fn info_string_options_are_parsed() {
        let info = fence("rust,linenos,hl_lines=2 4-6");
        assert_eq!(info.language.as_deref(), Some("rust"));
        assert!(info.linenos);
        assert_eq!(info.hl_lines, [2..=2, 4..=6]);
        assert_eq!(fence("").language, None);
        assert!(parse_info("rust,hl_lines=x").is_err());
        assert!(parse_info("rust,colour=red").is_err());
    }

    /// Blocks by their key, as a store.
    #[derive(Debug, Default)]
    struct Remembered(std::sync::Mutex<Vec<(u128, Arc<str>)>>);

    impl BlockStore for Remembered {
        fn find(&self, key: u128) -> Option<Arc<str>> {
            let blocks = self.0.lock().unwrap();
            blocks.iter().find(|(k, _)| *k == key).map(|(_, html)| Arc::clone(html))
        }

        fn remember(&self, key: u128, html: &Arc<str>) {
            self.0.lock().unwrap().push((key, Arc::clone(html)));
        }
    }

    #[test]
    fn a_block_is_known_by_everything_its_html_depends_on() {
        let fence = parse_info("rust,linenos").unwrap();
        let options = HighlightOptions { style: HighlightStyle::Class, theme: "Nord".into() };
        let block = Block { code: "fn a() {}\n", fence: &fence, options: &options };
        let other_code = Block { code: "fn b() {}\n", ..block };
        let plain = parse_info("rust").unwrap();
        let other_fence = Block { fence: &plain, ..block };
        let inline = HighlightOptions { style: HighlightStyle::Inline, ..options.clone() };
        let other_options = Block { options: &inline, ..block };
        assert_eq!(block.key(), Block { ..block }.key());
        for other in [other_code, other_fence, other_options] {
            assert_ne!(block.key(), other.key(), "{other:?}");
        }
    }

    #[test]
    fn a_block_found_in_the_store_is_not_highlighted_again() {
        let store = Arc::new(Remembered::default());
        let highlighter = Highlighter::new(Arc::clone(&store) as Arc<dyn BlockStore>);
        let code = "fn only_once_in_this_test() {}\n";
        let first = highlighter.highlight(code, &fence("rust"), &classes());
        let second = highlighter.highlight(code, &fence("rust"), &classes());
        assert!(Arc::ptr_eq(&first, &second), "the second block came from the store");
        let numbered = highlighter.highlight(code, &fence("rust,linenos"), &classes());
        assert!(!Arc::ptr_eq(&first, &numbered), "options tell blocks apart");
        assert_eq!(store.0.lock().unwrap().len(), 2);
        let again =
            Highlighter::new(store as Arc<dyn BlockStore>).highlight(code, &fence("rust"), &classes());
        assert!(Arc::ptr_eq(&first, &again), "another highlighter, the same store");
    }

    #[test]
    fn css_is_written_for_a_named_theme() {
        let css = css_for_theme("solarized-light").unwrap();
        assert!(css.contains(".hl-code {"), "{css}");
        assert!(css.contains(".hl-comment"), "{css}");
        assert!(css_for_theme("no-such-theme").unwrap_err().contains("Nord"));
    }
}
