//! A memo of syntect's line parser, per thread.
//!
//! Parsing a line is a pure function of the parser state before it and the line's text, and it
//! is nearly all of highlighting's cost. Code on a blog repeats lines (`}`, imports, blank
//! lines, the same boilerplate in post after post) in the same state, so each thread remembers
//! `(state before, line) → (scope ops, state after)` and replays a repeat instead of running the
//! regexes again. A hit is exactly what the parser would have produced, so the memo can never
//! change the output.
//!
//! Per thread (no lock on the hot path) and bounded: it starts over past `MAX_LINES` entries,
//! and is emptied after each parse stage, so it holds no memory while the pages render.

use std::cell::RefCell;
use std::collections::HashMap;

use syntect::parsing::{ParseState, ScopeStackOp, SyntaxSet};

/// Remembered lines per thread before the memo starts over (a few tens of MB at most).
const MAX_LINES: usize = 100_000;

/// Lines longer than this are parsed without the memo: they rarely repeat, and keeping them
/// would let one huge line (a minified file) fill the memory.
const MAX_LINE_BYTES: usize = 512;

type Ops = Vec<(usize, ScopeStackOp)>;

struct Parsed {
    line: Box<str>,
    before: ParseState,
    ops: Ops,
    after: ParseState,
}

#[derive(Default)]
struct Memo {
    by_line: HashMap<u64, Vec<Parsed>>,
    len: usize,
}

thread_local! {
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// Empties the memo of every thread of the parse stage's pool.
pub fn forget_all() {
    rayon::broadcast(|_| drop(MEMO.take()));
    drop(MEMO.take());
}

/// `state.parse_line(line, syntaxes)`, replayed from the memo when this thread has parsed the
/// same line in the same state before.
///
/// # Errors
/// The parser's error for a line a grammar cannot handle (never remembered).
pub fn parse_line(state: &mut ParseState, line: &str, syntaxes: &SyntaxSet) -> Result<Ops, String> {
    if line.len() > MAX_LINE_BYTES {
        return state.parse_line(line, syntaxes).map_err(|e| e.to_string());
    }
    let hash = xxhash_rust::xxh3::xxh3_64(line.as_bytes());
    let replayed = MEMO.with_borrow(|memo| {
        memo.by_line
            .get(&hash)?
            .iter()
            .find(|parsed| *parsed.line == *line && parsed.before == *state)
            .map(|parsed| (parsed.ops.clone(), parsed.after.clone()))
    });
    if let Some((ops, after)) = replayed {
        *state = after;
        return Ok(ops);
    }
    let before = state.clone();
    let ops = state.parse_line(line, syntaxes).map_err(|e| e.to_string())?;
    MEMO.with_borrow_mut(|memo| {
        if memo.len >= MAX_LINES {
            *memo = Memo::default();
        }
        memo.len += 1;
        memo.by_line.entry(hash).or_default().push(Parsed {
            line: line.into(),
            before,
            ops: ops.clone(),
            after: state.clone(),
        });
    });
    Ok(ops)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replayed_line_gives_what_the_parser_gives() {
        let syntaxes = two_face::syntax::extra_newlines();
        let rust = syntaxes.find_syntax_by_token("rs").unwrap();
        let code = "fn a() {\n    let s = \"}\n\";\n}\nfn a() {\n    let s = \"}\n\";\n}\n";
        let mut plain = ParseState::new(rust);
        let mut memoised = ParseState::new(rust);
        for line in code.split_inclusive('\n').chain(code.split_inclusive('\n')) {
            let expected = plain.parse_line(line, &syntaxes).unwrap();
            assert_eq!(parse_line(&mut memoised, line, &syntaxes).unwrap(), expected, "{line:?}");
            assert_eq!(memoised, plain, "state after {line:?}");
        }
    }
}
