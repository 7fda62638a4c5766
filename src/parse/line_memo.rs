//! A memo of syntect's line parser, for one parse run.
//!
//! Parsing a line is a pure function of the parser state before it and the line's text, and it
//! is nearly all of highlighting's cost. Code on a blog repeats lines (`}`, imports, blank
//! lines, the same boilerplate in post after post) in the same state, so a run remembers
//! `(state before, line) → (scope ops, state after)` and replays a repeat instead of running the
//! regexes again. A hit is exactly what the parser would have produced, so the memo can never
//! change the output.
//!
//! The remembered lines live in one thread-local memo per thread, not in the [`LineMemo`]
//! value: syntect's parser state cannot move between threads (with Oniguruma its captured
//! regions are not `Send`), so a memo shared by the threads of a run could not hold it, and a
//! thread-local needs no lock on the hot path. The value owns them all the same: a thread's
//! memo answers only the `LineMemo` that filled it, and dropping the value empties the memo of
//! every thread of the pool, so nothing outlives the parse run (nor holds memory while pages
//! render). Each thread's memo is bounded: it starts over past `MAX_LINES` entries.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use syntect::parsing::{ParseState, ScopeStackOp, SyntaxSet};

/// Remembered lines per thread before the memo starts over (a few tens of MB at most).
const MAX_LINES: usize = 100_000;

/// Lines longer than this are parsed without the memo: they rarely repeat, and keeping them
/// would let one huge line (a minified file) fill the memory.
const MAX_LINE_BYTES: usize = 512;

type Ops = Vec<(usize, ScopeStackOp)>;

/// The lines parsed in one run, on every thread; dropping it forgets them.
#[derive(Debug)]
pub struct LineMemo {
    /// Tells this run's thread memos from another run's.
    run: u64,
}

impl Default for LineMemo {
    fn default() -> LineMemo {
        // A counter, not a cache: each value gets its own number.
        static RUNS: AtomicU64 = AtomicU64::new(0);
        LineMemo { run: RUNS.fetch_add(1, Ordering::Relaxed) }
    }
}

impl Drop for LineMemo {
    fn drop(&mut self) {
        let run = self.run;
        rayon::broadcast(|_| forget(run));
        forget(run);
    }
}

impl LineMemo {
    /// `state.parse_line(line, syntaxes)`, replayed from the memo when this thread has parsed
    /// the same line in the same state before, in this run.
    ///
    /// # Errors
    /// The parser's error for a line a grammar cannot handle (never remembered).
    pub fn parse_line(
        &self,
        state: &mut ParseState,
        line: &str,
        syntaxes: &SyntaxSet,
    ) -> Result<Ops, String> {
        if line.len() > MAX_LINE_BYTES {
            return state.parse_line(line, syntaxes).map_err(|e| e.to_string());
        }
        let hash = xxhash_rust::xxh3::xxh3_64(line.as_bytes());
        let replayed = MEMO.with_borrow(|memo| {
            memo.as_ref()
                .filter(|memo| memo.run == self.run)?
                .by_line
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
            let memo = match memo {
                Some(memo) if memo.run == self.run && memo.len < MAX_LINES => memo,
                _ => memo.insert(Memo { run: self.run, by_line: HashMap::new(), len: 0 }),
            };
            memo.len += 1;
            memo.by_line.entry(hash).or_default().push(ParsedLine {
                line: line.into(),
                before,
                ops: ops.clone(),
                after: state.clone(),
            });
        });
        Ok(ops)
    }
}

struct ParsedLine {
    line: Box<str>,
    before: ParseState,
    ops: Ops,
    after: ParseState,
}

/// One thread's lines of one run.
struct Memo {
    run: u64,
    by_line: HashMap<u64, Vec<ParsedLine>>,
    len: usize,
}

thread_local! {
    static MEMO: RefCell<Option<Memo>> = const { RefCell::new(None) };
}

/// Empties this thread's memo if it holds the lines of `run`.
fn forget(run: u64) {
    let lines = MEMO.with_borrow_mut(|memo| memo.take_if(|memo| memo.run == run));
    drop(lines);
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
        let memo = LineMemo::default();
        for line in code.split_inclusive('\n').chain(code.split_inclusive('\n')) {
            let expected = plain.parse_line(line, &syntaxes).unwrap();
            assert_eq!(memo.parse_line(&mut memoised, line, &syntaxes).unwrap(), expected, "{line:?}");
            assert_eq!(memoised, plain, "state after {line:?}");
        }
    }

    #[test]
    fn a_dropped_memo_leaves_nothing_on_its_threads() {
        let syntaxes = two_face::syntax::extra_newlines();
        let rust = syntaxes.find_syntax_by_token("rs").unwrap();
        let memo = LineMemo::default();
        memo.parse_line(&mut ParseState::new(rust), "fn a() {}\n", &syntaxes).unwrap();
        assert!(MEMO.with_borrow(Option::is_some));
        drop(memo);
        assert!(MEMO.with_borrow(Option::is_none));
    }
}
