//! Quire: a static site generator for personal websites and blogs.
//!
//! The build is a pipeline of stages, each in its own module: `load` reads the site, `parse`
//! turns files into documents, `site` models them, `render` produces files in memory and
//! `write` brings the output folder up to date. `pipeline::Builder` runs them in order,
//! reusing what a previous run produced; `pipeline::build` is one run and a write.

// Errors carry their location and source line for the report; they are built only on the
// failure path, so their size costs nothing in a build that succeeds.

pub mod blocking_io;
pub mod check;
pub mod cli;
pub mod cli_docs;
pub mod config;
pub mod data_value;
pub mod deploy;
pub mod error;
pub mod highlight_themes;
pub mod html;
pub mod images;
pub mod incremental;
pub mod load;
pub mod parse;
pub mod pipeline;
pub mod project;
pub mod render;
pub mod resident_memory;
pub mod sass;
pub mod scaffold;
pub mod serve;
pub mod shared_text;
pub mod site;
pub mod terminal;
pub mod theme;
pub mod write;

pub use error::{Error, Result};
