//! Command-line types, parsed by clap. No logic lives here.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Quire: a fast static site generator for personal websites and blogs.
#[derive(Debug, Parser)]
#[command(name = "quire", version, about)]
pub struct Cli {
    /// The site folder.
    #[arg(short, long, global = true, default_value = ".")]
    pub root: PathBuf,
    /// The config file, when not `ROOT/config.toml`.
    #[arg(short, long, global = true)]
    pub config: Option<PathBuf>,
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Print what each stage does.
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the site into the output folder.
    Build(BuildArgs),
    /// Serve the site locally, rebuild on every change and reload the browser.
    Serve(ServeArgs),
    /// Create a new site, ready to build, in DIR (default: the `--root` folder).
    Init(InitArgs),
    /// Write a new draft page under `content/` and print its path.
    ///
    /// `quire new blog/my-first-post` writes `content/blog/my-first-post.md`;
    /// `quire new post "My first post"` writes the same file, named after the title.
    New(NewArgs),
    /// Build the site in memory (writing nothing) and report every broken link.
    Check(CheckArgs),
    /// Print the stylesheet for code highlighted with a named theme.
    HighlightCss(HighlightCssArgs),
    /// Write a Quire `config.toml` from a Jekyll, Hugo or Zola site's config (title, base URL,
    /// permalinks, pagination, taxonomies); the content is read as it is.
    Import(ImportArgs),
    /// Upload the built site (`public/`) to a target of `[[deploy.targets]]`: only new and
    /// changed files, assets before pages, deletes last.
    ///
    /// Credentials come from the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `GOOGLE_APPLICATION_CREDENTIALS`, `AZURE_STORAGE_ACCOUNT_KEY`, …). Run `quire build` first.
    Deploy(DeployArgs),
    /// Print the completion script for a shell.
    ///
    /// For bash: `quire completions bash > ~/.local/share/bash-completion/completions/quire`;
    /// for zsh, a file `_quire` in a folder of `$fpath`; for fish,
    /// `~/.config/fish/completions/quire.fish`.
    Completions(CompletionsArgs),
    /// Print the manual page of `quire` (roff), or write one page per command into a folder.
    ///
    /// `quire man > ~/.local/share/man/man1/quire.1`, then `man quire`.
    Man(ManArgs),
}

/// Options of `quire completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The shells `quire completions` writes scripts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
    /// Elvish.
    Elvish,
    /// PowerShell.
    #[value(name = "powershell")]
    PowerShell,
}

/// Options of `quire man`.
#[derive(Debug, Args)]
pub struct ManArgs {
    /// Write `quire.1` and a `quire-COMMAND.1` for each command into this folder instead.
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
}

/// Options of `quire check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Also request every external link (HEAD, with `[link_checker]` timeout and skip list).
    #[arg(long)]
    pub external: bool,
    /// Include pages marked as drafts.
    #[arg(long)]
    pub drafts: bool,
}

/// Options of `quire deploy`.
#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The target's `name` in `[[deploy.targets]]`; the first target when absent.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
    /// List what would be uploaded and deleted, and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Upload every file, changed or not (to apply new headers), and ignore `--max-deletes`.
    #[arg(long)]
    pub force: bool,
    /// Refuse to deploy if more remote files than this would be deleted.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_deletes: usize,
    /// Requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=256))]
    pub workers: u16,
    /// The output folder to deploy (default: `public`).
    #[arg(short, long)]
    pub output_dir: Option<PathBuf>,
}

/// Options of `quire highlight-css`.
#[derive(Debug, Args)]
pub struct HighlightCssArgs {
    /// The theme, such as `InspiredGitHub` or `base16-ocean-dark` (case and punctuation ignored).
    #[arg(required_unless_present = "list")]
    pub theme: Option<String>,
    /// Wrap the rules in `@media (prefers-color-scheme: dark)`, for a dark theme beside a light one.
    #[arg(long)]
    pub dark: bool,
    /// List the theme names instead.
    #[arg(long, conflicts_with = "theme")]
    pub list: bool,
}

/// Options of `quire build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Where to write the site (default: `ROOT/public`).
    #[arg(short, long)]
    pub output_dir: Option<PathBuf>,
    /// Override `base_url` from the config.
    #[arg(short = 'u', long)]
    pub base_url: Option<String>,
    /// Include pages marked as drafts.
    #[arg(long)]
    pub drafts: bool,
    /// Include pages dated in the future (scheduled posts).
    #[arg(long)]
    pub future: bool,
    /// Include pages whose `expires` date has passed.
    #[arg(long)]
    pub expired: bool,
}

/// Options of `quire init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder to create the site in (created if missing).
    pub dir: Option<PathBuf>,
    /// Write the site's files even if the folder is not empty (files with the same names are
    /// replaced; nothing else is touched).
    #[arg(long)]
    pub force: bool,
}

/// Options of `quire new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The page's path under `content/` (`blog/my-first-post`), or with TITLE, the section to
    /// put it in (`post` means `blog`).
    pub path: String,
    /// The page's title; the file is named after it.
    pub title: Option<String>,
}

/// Options of `quire serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(short, long, default_value = "127.0.0.1")]
    pub interface: IpAddr,
    /// The port to listen on; 0 picks a free one. When it is taken, the next free one is used.
    #[arg(short, long, default_value_t = 1111)]
    pub port: u16,
    /// Override `base_url` (default: `http://INTERFACE:PORT/`, the address being served).
    #[arg(short = 'u', long)]
    pub base_url: Option<String>,
    /// Include pages marked as drafts.
    #[arg(long)]
    pub drafts: bool,
    /// Include pages dated in the future (scheduled posts).
    #[arg(long)]
    pub future: bool,
    /// Include pages whose `expires` date has passed.
    #[arg(long)]
    pub expired: bool,
    /// Open the site in the default browser.
    #[arg(long)]
    pub open: bool,
}

/// Options of `quire import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The generator the site comes from.
    #[arg(long, value_enum)]
    pub from: ImportOrigin,
    /// The site's folder (holding `_config.yml`, `hugo.toml` or `config.toml`).
    pub source: PathBuf,
    /// Where to write `config.toml` (default: SOURCE); an existing one is never replaced.
    pub dest: Option<PathBuf>,
}

/// The generators `quire import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportOrigin {
    /// Jekyll: `_config.yml`.
    Jekyll,
    /// Hugo: `hugo.toml`, `hugo.yaml`, `config.toml` or `config.yaml`.
    Hugo,
    /// Zola: `config.toml`.
    Zola,
}
