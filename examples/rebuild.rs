//! Times one `serve`-style rebuild: a clean `Builder` run over a site, then one edit to one
//! post, then the run `quire serve` would make. Prints each run's stats and, with `-v`, the
//! pipeline's per-stage debug lines. A benchmark, not a test: the numbers vary by machine.
//!
//! `cargo run --release --example rebuild -- SITE [--config FILE] [--edit word|sentence|title|date|none] [--repeat N] [-v]`
//!
//! The edit is made to the last post under `content/blog/` and undone after each run;
//! `--repeat N` makes each edit N times (take the minimum on a busy machine).

use std::path::PathBuf;
use std::time::Instant;

use quire::pipeline::{Builder, Mode};
use quire::project::{Overrides, Project};

/// The allocator `quire` itself uses, so that the timings are the command's.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut root = None;
    let mut config = None;
    let mut edits = Vec::new();
    let mut verbose = false;
    let mut repeat = 1;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--config" => config = args.next().map(PathBuf::from),
            "--edit" => edits.push(args.next().expect("--edit takes a kind")),
            "-v" => verbose = true,
            "--repeat" => repeat = args.next().and_then(|n| n.parse().ok()).expect("--repeat takes a count"),
            _ => root = Some(PathBuf::from(arg)),
        }
    }
    if edits.is_empty() {
        edits = ["none", "word", "sentence", "title", "date"].map(String::from).to_vec();
    }
    let logger: &'static Stderr = Box::leak(Box::new(Stderr { started: Instant::now() }));
    log::set_logger(logger).expect("no logger yet");
    log::set_max_level(if verbose { log::LevelFilter::Debug } else { log::LevelFilter::Warn });
    let root = root.expect("usage: rebuild SITE [--config FILE] [--edit KIND] [-v]");
    // As `quire serve` does: links point at the local server.
    let base_url = Some("http://127.0.0.1:1111/".to_string());
    let overrides = Overrides { config_file: config, base_url, ..Overrides::default() };
    let project = || Project::load(&root, overrides.clone()).expect("the site's config loads");

    // As `quire serve` does: every change is reported through `forget`.
    let mut builder = Builder::new(Mode::Watch);
    let started = Instant::now();
    let clean = builder.run(&project()).expect("the site builds");
    println!("clean: {:?} files={} {:?}", started.elapsed(), clean.files.len(), clean.stats);
    let started = Instant::now();
    let again = builder.run(&project()).expect("the site builds");
    println!("no change: {:?} {:?}", started.elapsed(), again.stats);

    let post = newest_post(&root);
    let original = std::fs::read_to_string(&post).expect("the post is readable");
    for edit in edits.iter().flat_map(|edit| std::iter::repeat_n(edit, repeat)) {
        let text = edited(&original, edit);
        std::fs::write(&post, &text).expect("the post is writable");
        builder.forget(&post);
        settle();
        let started = Instant::now();
        let output = builder.run(&project()).expect("the site builds");
        println!("edit {edit}: {:.1} ms {:?}", ms(started), output.stats);
        std::fs::write(&post, &original).expect("the post is writable");
        builder.forget(&post);
        settle();
        let started = Instant::now();
        let output = builder.run(&project()).expect("the site builds");
        println!("undo {edit}: {:.1} ms rendered={}", ms(started), output.stats.rendered);
    }
}

/// Waits as a person does between two saves. A run frees the previous run's data on another
/// thread; back-to-back runs would time that freeing too, which `quire serve` does not see.
fn settle() {
    std::thread::sleep(std::time::Duration::from_millis(400));
}

/// The last published post under `content/blog/` by file name.
fn newest_post(root: &std::path::Path) -> PathBuf {
    let mut posts: Vec<PathBuf> = std::fs::read_dir(root.join("content/blog"))
        .expect("the site has content/blog/")
        .map(|e| e.expect("a readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("_index.md"))
        .filter(|p| !std::fs::read_to_string(p).is_ok_and(|t| t.contains("draft: true")))
        .collect();
    posts.sort();
    posts.pop().expect("content/blog/ has a post")
}

fn edited(text: &str, kind: &str) -> String {
    match kind {
        "none" => text.to_string(),
        // The first word of the last prose line (after the summary), so the summary and the
        // word count stay the same.
        "word" => {
            let line = text
                .lines()
                .rfind(|l| l.starts_with(|c: char| c.is_ascii_uppercase()) && l.ends_with('.'))
                .expect("the post has a paragraph");
            let word = line.split(' ').next().expect("a line has a word");
            text.replacen(line, &format!("Edited{}", &line[word.len()..]), 1)
        }
        "sentence" => format!("{}\nOne more sentence at the end.\n", text.trim_end()),
        "title" => {
            text.replacen("title: ", "title: Edited ", 1).replacen("title = \"", "title = \"Edited ", 1)
        }
        "date" => {
            let line = text.lines().find(|l| l.starts_with("date")).expect("the post has a date");
            text.replacen(line, "date: 2001-01-01", 1)
        }
        other => panic!("unknown edit `{other}`"),
    }
}

struct Stderr {
    started: Instant,
}

impl log::Log for Stderr {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level()
    }
    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!("[{:>9.3?}] {}", self.started.elapsed(), record.args());
        }
    }
    fn flush(&self) {}
}

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}
