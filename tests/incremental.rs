//! Incremental output equals a clean build, byte for byte (issue 21, "Proof that it is
//! correct").
//!
//! A generated site is edited at random (bodies, titles, dates that move posts across pagers,
//! tags, drafts, weights, slugs, aliases, summary markers, posts and sections added, deleted
//! and renamed, templates, a shortcode, config keys, a static file rewritten with its size and
//! time kept). After each edit three sites must be the same, file for file:
//! (a) what `quire serve` holds in memory: its watched builder and publisher, told of each
//!     changed path as the watcher tells them, and the link check it enforces;
//! (b) what `quire build` writes with its on-disk caches (build memo, highlight cache), run
//!     again and again in the same folder;
//! (c) a from-scratch build of a fresh copy of the folder, with the cache folder off.
//! The templates read the model in awkward ways: includes, `{% set %}` aliases,
//! `section["pages"]`, filter chains, neighbours of neighbours, `get_section(...).pages[n]`,
//! `get_taxonomy`, term pages, components and shortcodes.
//!
//! CI runs 200 cases; `QUIRE_PROPTEST_CASES=5000 cargo test --release --test incremental` is
//! the longer run before a release (`QUIRE_PROPTEST_SHOW=1` also prints each site that all
//! three refused, to see that most edits build). A failure prints the edit sequence.
//!
//! The four template shapes of issue 21 that once hid `section.pages` reads from reuse are
//! here too, each on a paginated and a single-pager section.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Once;

use proptest::prelude::*;
use quire::pipeline::Output;
use quire::project::{Overrides, Project};

/// How a run is made: the only code here that knows the builder's constructors.
mod adapter {
    use quire::check::CheckReport;
    use quire::pipeline::{self, Builder, Mode, Output};
    use quire::project::Project;
    use quire::serve::output::{script_tag, Publisher, ServedSite};
    use std::path::{Path, PathBuf};
    use std::sync::Arc;

    /// What `quire serve` keeps from run to run: a builder told of every changed path, and
    /// the site it serves from memory.
    pub struct Watched {
        builder: Builder,
        publisher: Publisher,
        served: ServedSite,
    }

    impl Watched {
        pub fn new() -> Watched {
            Watched {
                builder: Builder::new(Mode::Watch),
                publisher: Publisher::new(SERVER),
                served: ServedSite::empty(),
            }
        }

        /// One rebuild after the watcher reported `changed`: the files served then (without
        /// the live-reload script), by output path, and the link check's report; an error as
        /// the user sees it.
        pub fn run(
            &mut self,
            project: &Project,
            changed: &[PathBuf],
        ) -> Result<(super::Files, Arc<CheckReport>), String> {
            for path in changed {
                self.builder.forget(path);
                self.publisher.forget(path);
            }
            let output = self.builder.run(project).map_err(|e| e.report())?;
            pipeline::enforce_links(project, &output.links).map_err(|e| e.report())?;
            let (site, _) = self.publisher.publish(&output, &self.served).map_err(|e| e.report())?;
            self.served = site;
            let tag = script_tag(SERVER);
            let files: super::Files = output
                .files
                .iter()
                .map(|file| {
                    let served = self.served.get(&file.output_path).expect("every output is served");
                    let mut body = served.body.to_vec();
                    if served.content_type.starts_with("text/html") {
                        let at = body
                            .windows(tag.len())
                            .position(|w| w == tag.as_bytes())
                            .expect("HTML has the script");
                        body.drain(at..at + tag.len());
                    }
                    (file.output_path.clone(), body)
                })
                .collect();
            assert_eq!(files.len(), self.served.len(), "the served site has only the outputs");
            Ok((files, output.links))
        }
    }

    /// The live-reload script's server id.
    const SERVER: &str = "incremental";

    /// A run with nothing to reuse from an earlier one.
    pub fn clean_run(project: &Project) -> Result<Output, String> {
        let output = Builder::new(Mode::Once).run(project).map_err(|e| e.report())?;
        pipeline::enforce_links(project, &output.links).map_err(|e| e.report())?;
        Ok(output)
    }

    /// `quire build` in the site's own folder, with its caches.
    pub fn build(project: &Project) -> Result<(), String> {
        pipeline::build(project).map(|_| ()).map_err(|e| e.report())
    }

    /// Whether `path`, relative to the site, is one the watcher reports (it ignores hidden and
    /// editor files).
    pub fn watched_path(path: &Path) -> bool {
        !path.components().any(|c| quire::load::is_ignored_name(&c.as_os_str().to_string_lossy()))
    }
}

/// Every test's caches go to one folder of their own, never the user's.
fn private_cache_dir() {
    static SET: Once = Once::new();
    SET.call_once(|| {
        let dir = std::env::temp_dir().join(format!("quire-incremental-cache-{}", std::process::id()));
        std::env::set_var("QUIRE_CACHE_DIR", dir);
    });
}

/// Files by path relative to the site root.
type Files = BTreeMap<String, Vec<u8>>;

/// A site on disk, edited in place.
struct SiteDir {
    dir: tempfile::TempDir,
    files: Files,
}

impl SiteDir {
    fn new(files: Files) -> SiteDir {
        let mut site = SiteDir { dir: tempfile::tempdir().unwrap(), files: Files::new() };
        site.sync(files);
        site
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Brings the folder to `files`: writes what differs, removes what is gone. Returns the
    /// paths changed, as a watcher reports them.
    fn sync(&mut self, files: Files) -> Vec<PathBuf> {
        let mut changed = Vec::new();
        for (path, bytes) in &files {
            if self.files.get(path) != Some(bytes) {
                let copied = path.starts_with("static/")
                    || path.starts_with("data/")
                    || path.ends_with(".txt")
                    || path.ends_with(".png");
                write(&self.root().join(path), bytes, copied);
                changed.push(path);
            }
        }
        for path in self.files.keys().filter(|p| !files.contains_key(*p)) {
            fs::remove_file(self.root().join(path)).unwrap();
            changed.push(path);
        }
        let changed = changed
            .into_iter()
            .filter(|path| adapter::watched_path(Path::new(path)))
            .map(|path| self.root().join(path))
            .collect();
        self.files = files;
        changed
    }

    fn project(&self) -> Project {
        project(self.root())
    }
}

fn project(root: &Path) -> Project {
    Project::load(root, Overrides::default()).unwrap_or_else(|e| panic!("{}", e.report()))
}

/// Writes `bytes` at `path`; a copied file (static, or beside a post) of the same size keeps
/// its modification time, as `cp -p` or `rsync -t` leave it (issue 21, case 5).
/// A small PNG: its size and pixels depend on `variant`.
fn photo_png(variant: u8) -> Vec<u8> {
    let (width, height) = (4 + u32::from(variant % 3), 3 + u32::from(variant % 2));
    let image = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([variant.wrapping_mul(29), x as u8, y as u8])
    });
    let mut bytes = Vec::new();
    image.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).unwrap();
    bytes
}

fn write(path: &Path, bytes: &[u8], keep_time: bool) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let kept = fs::metadata(path)
        .ok()
        .filter(|meta| keep_time && meta.len() == bytes.len() as u64)
        .and_then(|meta| meta.modified().ok());
    fs::write(path, bytes).unwrap();
    if let Some(modified) = kept {
        fs::File::options().write(true).open(path).unwrap().set_modified(modified).unwrap();
    }
}

/// Every output path with its bytes (copied files read from disk).
fn output_files(output: &Output) -> Files {
    output
        .files
        .iter()
        .map(|file| {
            let bytes = file.contents.read().unwrap();
            (file.output_path.clone(), bytes)
        })
        .collect()
}

/// Every file under `dir`, by path relative to it.
fn files_under(dir: &Path) -> Files {
    let mut files = Files::new();
    if dir.is_dir() {
        for entry in walkdir(dir) {
            let rel = entry.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            files.insert(rel, fs::read(&entry).unwrap());
        }
    }
    files
}

fn walkdir(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walkdir(&path));
        } else {
            found.push(path);
        }
    }
    found
}

/// The first difference between two sites, if any, for a failure message.
fn difference(what: &str, got: &Files, clean: &Files) -> Option<String> {
    let (a, b): (BTreeSet<_>, BTreeSet<_>) = (got.keys().collect(), clean.keys().collect());
    if a != b {
        let extra: Vec<_> = a.difference(&b).collect();
        let missing: Vec<_> = b.difference(&a).collect();
        return Some(format!("{what}: files differ: extra {extra:?}, missing {missing:?}"));
    }
    let differing: Vec<&String> = clean.keys().filter(|path| got[*path] != clean[*path]).collect();
    let path = differing.first()?;
    let (got_text, clean_text) =
        (String::from_utf8_lossy(&got[*path]), String::from_utf8_lossy(&clean[*path]));
    let lines = got_text.lines().zip(clean_text.lines()).enumerate().find(|(_, (a, b))| a != b);
    let first = match lines {
        Some((n, (a, b))) => format!("line {}: {what} has {a:?}, clean has {b:?}", n + 1),
        None => {
            format!("{what} has {} lines, clean {}", got_text.lines().count(), clean_text.lines().count())
        }
    };
    Some(format!(
        "{what}: {} files differ from a clean build: {differing:?}; in `{path}`, {first}",
        differing.len()
    ))
}

/// The three ways of building the same files.
struct Runs {
    site: SiteDir,
    watched: adapter::Watched,
}

impl Runs {
    fn new(files: Files) -> Runs {
        private_cache_dir();
        Runs { site: SiteDir::new(files), watched: adapter::Watched::new() }
    }

    /// Applies `files` and checks (a) and (b) against (c). `Err` names the first difference.
    fn step(&mut self, files: Files, step: &str) -> Result<(), String> {
        let changed = self.site.sync(files);
        self.check(&changed, step)
    }

    /// Moves the folder `from` to `to` (both relative to the root) with one rename, then
    /// applies `files`; the watcher reports both folders and what else changed.
    fn move_folder(&mut self, from: &str, to: &str, files: Files, step: &str) -> Result<(), String> {
        let root = self.site.root().to_path_buf();
        let mut changed = Vec::new();
        if root.join(from).is_dir() {
            fs::rename(root.join(from), root.join(to)).unwrap();
            let moved: Files = std::mem::take(&mut self.site.files)
                .into_iter()
                .map(|(path, bytes)| match path.strip_prefix(&format!("{from}/")) {
                    Some(rest) => (format!("{to}/{rest}"), bytes),
                    None => (path, bytes),
                })
                .collect();
            self.site.files = moved;
            changed.extend([root.join(from), root.join(to)]);
        }
        changed.extend(self.site.sync(files));
        self.check(&changed, step)
    }

    fn check(&mut self, changed: &[PathBuf], step: &str) -> Result<(), String> {
        let project = self.site.project();
        // A run that keeps nothing and reads no cache folder: the folder it runs in does
        // not matter (`clean_build_in_a_fresh_folder_with_no_cache_dir` checks it against
        // the binary).
        let clean = adapter::clean_run(&project);
        let watched = self.watched.run(&project, changed);
        let built = adapter::build(&project);
        match (clean, watched, built) {
            (Ok(clean), Ok((watched, links)), Ok(())) => {
                let clean_files = output_files(&clean);
                if let Some(diff) = difference("serve", &watched, &clean_files) {
                    return Err(format!("after {step}: {diff}"));
                }
                // The link check reuses its work from run to run too: its counts and the
                // external links it hands `quire check --external` are the clean run's.
                if (links.checked, &links.external) != (clean.links.checked, &clean.links.external) {
                    return Err(format!(
                        "after {step}: serve checked {} links, external {:?}; a clean build {}, {:?}",
                        links.checked, links.external, clean.links.checked, clean.links.external
                    ));
                }
                let written = files_under(&project.paths.output);
                if let Some(diff) = difference("quire build", &written, &clean_files) {
                    return Err(format!("after {step}: {diff}"));
                }
                Ok(())
            }
            (Err(clean), Err(watched), Err(built)) => {
                if std::env::var_os("QUIRE_PROPTEST_SHOW").is_some() {
                    eprintln!("all three refused the site after {step}:\n{clean}");
                }
                if watched != clean || built != clean {
                    return Err(format!(
                        "after {step}: errors differ\nclean:\n{clean}\nserve:\n{watched}\nbuild:\n{built}"
                    ));
                }
                Ok(())
            }
            (clean, watched, built) => Err(format!(
                "after {step}: clean {:?}, serve {:?}, build {:?}",
                clean.map(|_| "ok"),
                watched.map(|_| "ok"),
                built.map(|_| "ok"),
            )),
        }
    }
}

/// Posts per site: 0-4 in `blog/`, 5-7 in the second section (`notes/` or `journal/`).
const POSTS: usize = 8;

/// One post's front matter and body, each field a small choice.
#[derive(Debug, Clone, PartialEq)]
struct Post {
    name: u8,
    title: u8,
    month: u8,
    tags: Vec<u8>,
    draft: bool,
    weight: Option<u8>,
    slug: Option<u8>,
    alias: bool,
    summary_marker: bool,
    body: u8,
}

/// The whole generated site as a handful of choices; `files` writes it out.
#[derive(Debug, Clone)]
struct Model {
    posts: Vec<Option<Post>>,
    /// Whether the second section has an `_index.md` (and sorts by weight).
    second_index: bool,
    /// The second section's folder: `notes` or `journal`.
    second_dir: bool,
    templates: [u8; 4],
    shortcode: u8,
    config: (u8, u8, bool),
    highlight: bool,
    static_file: u8,
    /// A bundle in `blog/` with a file beside its page, and which bytes that file has.
    bundle: Option<u8>,
    /// `data/talks.yaml` (read as `data.talks`), if present, and `data/books.csv` (read
    /// with `load_data`): which rows each has.
    data: (Option<u8>, u8),
}

impl Model {
    fn new() -> Model {
        let post = |i: usize| Post {
            name: i as u8,
            title: i as u8,
            month: 1 + i as u8,
            tags: vec![(i % 3) as u8],
            draft: false,
            weight: None,
            slug: None,
            alias: false,
            summary_marker: i.is_multiple_of(2),
            body: (i % 4) as u8,
        };
        Model {
            posts: (0..POSTS).map(|i| Some(post(i))).collect(),
            second_index: true,
            second_dir: false,
            templates: [0; 4],
            shortcode: 0,
            config: (0, 2, true),
            highlight: true,
            static_file: 0,
            bundle: Some(0),
            data: (Some(0), 0),
        }
    }

    fn section_dir(&self, post: usize) -> &'static str {
        match (post < 5, self.second_dir) {
            (true, _) => "blog",
            (false, false) => "notes",
            (false, true) => "journal",
        }
    }

    fn files(&self) -> Files {
        let mut files = Files::new();
        let mut photo = None;
        let mut put = |path: &str, text: String| {
            files.insert(path.to_string(), text.into_bytes());
        };
        let (title, paginate_by, feed) = self.config;
        put(
            "config.toml",
            format!(
                "title = \"Prop {title}\"\nbase_url = \"https://example.com/\"\npaginate_by = {paginate_by}\n\
                 feed_limit = 3\ntaxonomies = [{{ name = \"tags\", feed = {feed}, paginate_by = 2 }}]\n\
                 [markdown]\nhighlight_code = {}\n",
                self.highlight
            ),
        );
        if let Some(variant) = self.bundle {
            put(
                "content/blog/trip/index.md",
                "---\ntitle: Trip\ndate: 2024-06-15\ntags: [t1]\n---\n\n[The notes](notes.txt).\n\n![A photo](photo.png)\n"
                    .into(),
            );
            put("content/blog/trip/notes.txt", format!("notes, version {variant}\n"));
            // An image whose size (read from its header) and pixels (processed by
            // `resize_image` in the other page template) change with the variant.
            photo = Some(photo_png(variant));
        }
        if let Some(talks) = self.data.0 {
            put(
                "data/talks.yaml",
                format!("- title: Talk {talks}\n  year: {}\n", 2020 + u32::from(talks % 3)),
            );
        }
        put("data/books.csv", format!("title,year\nBook {0},19{0}0\nOther,2001\n", self.data.1));
        put("static/site.css", format!("body {{ color: #{:03}; }}\n", 111 * u32::from(self.static_file)));
        put("content/_index.md", "---\ntitle: Home\n---\n".into());
        put("content/about.md", "---\ntitle: About me\n---\n\nHello.\n".into());
        put("content/blog/_index.md", "---\ntitle: Blog\n---\n".into());
        if self.second_index {
            let dir = self.section_dir(POSTS - 1);
            put(&format!("content/{dir}/_index.md"), "---\ntitle: Second\nsort_by: weight\n---\n".into());
        }
        for (i, post) in self.posts.iter().enumerate() {
            if let Some(post) = post {
                put(&format!("content/{}/p{}.md", self.section_dir(i), post.name), post.text(i));
            }
        }
        for (i, variant) in self.templates.iter().enumerate() {
            let (name, text) = template(i, *variant);
            put(&format!("templates/{name}"), text.to_string());
        }
        put("templates/partials/list.html", PARTIAL.into());
        put("templates/partials/parts.html", COMPONENTS.into());
        put("templates/taxonomy_list.html", TAXONOMY_LIST.into());
        put(
            "templates/shortcodes/badge.html",
            ["<b>{{ text }}</b>", "<i>{{ text | upper }}</i>\n"][usize::from(self.shortcode % 2)].into(),
        );
        if let Some(photo) = photo {
            files.insert("content/blog/trip/photo.png".into(), photo);
        }
        files
    }
}

impl Model {
    /// Changes post `index`, if it exists.
    fn change(&mut self, index: usize, change: impl FnOnce(&mut Post)) {
        if let Some(post) = self.posts[index % POSTS].as_mut() {
            change(post);
        }
    }
}

impl Post {
    fn text(&self, index: usize) -> String {
        let mut front = format!("---\ntitle: \"T{} {}\"\ndate: 2024-0{}-01\n", self.title, index, self.month);
        if !self.tags.is_empty() {
            let tags: Vec<String> = self.tags.iter().map(|t| format!("t{t}")).collect();
            front.push_str(&format!("tags: [{}]\n", tags.join(", ")));
        }
        if self.draft {
            front.push_str("draft: true\n");
        }
        if let Some(weight) = self.weight {
            front.push_str(&format!("weight: {weight}\n"));
        }
        if let Some(slug) = self.slug {
            front.push_str(&format!("slug: s{slug}\n"));
        }
        if self.alias {
            front.push_str(&format!("aliases: [\"/old/p{index}/\"]\n"));
        }
        // Most posts are parts of one series, ordered by date: a date edit reorders the parts
        // or moves a post in or out of it, a title edit renames a part.
        if !self.month.is_multiple_of(3) {
            front.push_str("series: \"Months\"\n");
        }
        let body = match self.body % 4 {
            0 => "First words.\n\nMore words.\n".to_string(),
            1 => "## Setup\n\nSee [about](@/about.md).\n\nAnd more.\n".to_string(),
            2 => "Intro {{ badge(text=\"hi\") }} here.\n\n```rust\nfn main() {}\n```\n".to_string(),
            _ => format!("A *{}* body.\n\n```toml\nkey = {}\n```\n", self.title, self.month),
        };
        let marker = if self.summary_marker { "Lead paragraph.\n\n<!-- more -->\n\n" } else { "" };
        format!("{front}---\n\n{marker}{body}")
    }
}

/// Templates by slot (index, section, page, term page) and variant.
fn template(slot: usize, variant: u8) -> (&'static str, &'static str) {
    let variant = usize::from(variant % 2);
    match slot {
        0 => ("index.html", [INDEX, INDEX_ALT][variant]),
        1 => ("section.html", [SECTION, SECTION_ALT][variant]),
        2 => ("page.html", [PAGE, PAGE_ALT][variant]),
        _ => ("taxonomy_single.html", [TERM, TERM_ALT][variant]),
    }
}

const INDEX: &str = r#"home: {{ section.title }} {{ config.title }}
{% set blog = get_section(path="blog/_index.md") %}{% set listed = blog["pages"] %}
{% for p in listed[:3] %}<li>{{ p.title }}|{{ p.permalink }}|{{ p.date }}</li>
{% endfor %}first: {% if blog.pages | length > 0 %}{{ blog.pages[0].title | upper | truncate(length=4) }}{% endif %}
{% set tags = get_taxonomy(kind="tags") %}{% for t in tags.terms %}{{ t.name }}={{ t.count }};{% endfor %}
css: {{ get_url(path="site.css", cachebust=true) }}
"#;
const INDEX_ALT: &str = r#"home, again: {{ config.title }}
{% set blog = get_section(path="blog/_index.md") %}{{ <plist pages={blog.pages} /> }}
{% if blog.pages | length > 2 %}third: {{ blog.pages[2].title }} {{ blog.pages[2].summary | default(value="") | safe }}{% endif %}
"#;
const SECTION: &str = r#"section: {{ section.title }} {{ paginator.current_index }}/{{ paginator.number_pagers }}
{% set here = paginator.pages %}{% for p in here %}<li>{{ p.title }}|{{ p.summary | safe }}|{{ p.weight }}</li>
{% endfor %}{% include "partials/list.html" %}
"#;
const SECTION_ALT: &str = r#"{{ section.title | lower }} {{ paginator.next | default(value="") }}
{{ <plist pages={paginator.pages} /> }}
"#;
const PARTIAL: &str = r#"titles: {% for p in paginator.pages | sort(attribute="title") | reverse %}{{ p.title | lower }}, {% endfor %}{{ paginator.pages | length }}
{% if data["talks"] is defined %}talks: {{ data["talks"] | length }} {{ data.talks[0].title }}{% endif %}
"#;
const COMPONENTS: &str = r#"{% component plist(pages) -%}
<ul>{% for p in pages %}<li><a href="{{ p.permalink }}">{{ p.title }}</a> {{ p.reading_time | default(value="") }}</li>{% endfor %}</ul>
{%- endcomponent plist %}
"#;
const PAGE: &str = r#"page: {{ page.title }} slug={{ page.slug }} w={{ page.weight }}
{{ page.content | safe }}
summary: {{ page.summary | default(value="-") | safe }}
newer: {% if page.newer %}{{ page.newer.title }}{% endif %} older: {% if page.older %}{{ page.older.title }}{% endif %}
tags: {{ page.tags | join(sep=",") }}
{% set b = get_section(path="blog/_index.md") %}{% if b.pages | length > 1 %}second: {{ b.pages[1].title }}{% endif %}
series: {% if page.series %}{{ page.series.name }} {{ page.series.number }}: {% for p in page.series.parts %}{{ p.title }}{% if p.current %}*{% endif %} {% endfor %}{% endif %}
integrity: sha256-{{ get_hash(path="/site.css", sha_type=256) }}
"#;
const PAGE_ALT: &str = r#"{% set me = page %}{{ me.title | upper }} {{ me.date }}
{{ me.content | safe }}
{% if me.newer %}{{ <plist pages={[me.newer]} /> }}{% endif %}
{% set tags = get_taxonomy(kind="tags") %}{% for t in tags.terms %}{% if t.name in me.tags %}{{ t.name }}:{{ t.count }} {% endif %}{% endfor %}
{% set d = data %}{% for name, value in d %}{{ name }} {% endfor %}
{% if me.title == "Trip" %}{% set r = resize_image(path="blog/trip/photo.png", width=3, height=2, op="fill") %}<img src="{{ r.url }}" width="{{ r.width }}" alt="">{% endif %}
"#;
const TERM: &str = r#"term: {{ term.name }} {{ term.count }} {{ paginator.current_index }}/{{ paginator.number_pagers }}
{% for p in paginator.pages %}<li>{{ p.title }}|{{ p.url_path }}</li>{% endfor %}
{% set books = load_data(path="data/books.csv") %}{% if term.count > 1 %}{{ books[0].title }}{% endif %}
"#;
const TERM_ALT: &str = r#"{{ term.name | upper }}: {% for p in paginator.pages | reverse %}{{ p.slug }} {% endfor %}
"#;
const TAXONOMY_LIST: &str = r#"{{ taxonomy.name }}: {% for t in taxonomy.terms %}{{ t.name }}|{{ t.count }} {% endfor %}
"#;

/// A first test of the generator: the untouched site builds, and all three agree.
#[test]
fn the_generated_site_builds_the_same_three_ways() {
    let mut runs = Runs::new(Model::new().files());
    let output = adapter::clean_run(&runs.site.project()).unwrap_or_else(|e| panic!("{e}"));
    let files = output_files(&output);
    for path in [
        "index.html",
        "blog/index.html",
        "blog/page/2/index.html",
        "blog/p0/index.html",
        "blog/trip/notes.txt",
        "tags/t0/index.html",
    ] {
        assert!(files.contains_key(path), "{path} in {:?}", files.keys());
    }
    runs.check(&[], "the first build").unwrap();
}

/// One random edit of the model.
#[derive(Debug, Clone)]
enum Edit {
    Body {
        post: usize,
        body: u8,
    },
    Title {
        post: usize,
        title: u8,
    },
    /// Moves the post across pagers and neighbours.
    Date {
        post: usize,
        month: u8,
    },
    Tags {
        post: usize,
        tags: Vec<u8>,
    },
    /// Renames a term on every post that has it.
    RenameTerm {
        from: u8,
        to: u8,
    },
    Draft {
        post: usize,
        draft: bool,
    },
    Weight {
        post: usize,
        weight: Option<u8>,
    },
    Slug {
        post: usize,
        slug: Option<u8>,
    },
    Alias {
        post: usize,
        alias: bool,
    },
    SummaryMarker {
        post: usize,
        marker: bool,
    },
    Add {
        post: usize,
    },
    Delete {
        post: usize,
    },
    /// Renames the post's file.
    Rename {
        post: usize,
        name: u8,
    },
    SecondIndex {
        present: bool,
    },
    /// Moves the second section's folder (`notes/` to `journal/` or back), as `mv` does.
    RenameSection,
    Template {
        slot: usize,
        variant: u8,
    },
    Shortcode {
        variant: u8,
    },
    Config {
        title: u8,
        paginate_by: u8,
        feed: bool,
    },
    /// Rewrites the static file, with the same size and time when it can (issue 21, case 5):
    /// templates fingerprint it (`get_url(cachebust=true)`, `get_hash`), so its pages change.
    Static {
        variant: u8,
    },
    /// Turns code highlighting on or off.
    Highlight {
        on: bool,
    },
    /// Adds, removes or rewrites a bundle's file (same size and time kept, as for static).
    Bundle {
        variant: Option<u8>,
    },
    /// Adds, removes or rewrites `data/talks.yaml`, or rewrites `data/books.csv`.
    Data {
        talks: Option<u8>,
        books: u8,
    },
}

impl Edit {
    /// Applies the edit to `model`; returns a folder moved whole, if the edit moves one.
    fn apply(&self, model: &mut Model) -> Option<(String, String)> {
        match self {
            Edit::Body { post, body } => model.change(*post, |p| p.body = *body),
            Edit::Title { post, title } => model.change(*post, |p| p.title = *title),
            Edit::Date { post, month } => model.change(*post, |p| p.month = *month),
            Edit::Tags { post, tags } => model.change(*post, |p| p.tags = tags.clone()),
            Edit::RenameTerm { from, to } => {
                for p in model.posts.iter_mut().flatten() {
                    for tag in &mut p.tags {
                        if tag == from {
                            *tag = *to;
                        }
                    }
                    p.tags.sort();
                    p.tags.dedup();
                }
            }
            Edit::Draft { post, draft } => model.change(*post, |p| p.draft = *draft),
            Edit::Weight { post, weight } => model.change(*post, |p| p.weight = *weight),
            Edit::Slug { post, slug } => model.change(*post, |p| p.slug = *slug),
            Edit::Alias { post, alias } => model.change(*post, |p| p.alias = *alias),
            Edit::SummaryMarker { post, marker } => model.change(*post, |p| p.summary_marker = *marker),
            Edit::Add { post } => {
                let index = post % POSTS;
                if model.posts[index].is_none() {
                    model.posts[index] = Some(Post {
                        name: index as u8,
                        title: 9,
                        month: 5,
                        tags: vec![1],
                        draft: false,
                        weight: Some(1),
                        slug: None,
                        alias: false,
                        summary_marker: false,
                        body: 0,
                    });
                }
            }
            Edit::Delete { post } => model.posts[post % POSTS] = None,
            Edit::Rename { post, name } => {
                model.change(*post, |p| p.name = 10 + name % 4 * POSTS as u8 + (*post % POSTS) as u8)
            }
            Edit::SecondIndex { present } => model.second_index = *present,
            Edit::RenameSection => {
                let from = model.section_dir(POSTS - 1);
                model.second_dir = !model.second_dir;
                return Some((
                    format!("content/{from}"),
                    format!("content/{}", model.section_dir(POSTS - 1)),
                ));
            }
            Edit::Template { slot, variant } => model.templates[slot % 4] = *variant,
            Edit::Shortcode { variant } => model.shortcode = *variant,
            Edit::Config { title, paginate_by, feed } => model.config = (*title, *paginate_by, *feed),
            Edit::Static { variant } => model.static_file = *variant,
            Edit::Highlight { on } => model.highlight = *on,
            Edit::Bundle { variant } => model.bundle = *variant,
            Edit::Data { talks, books } => model.data = (*talks, *books),
        }
        None
    }
}

fn edit() -> impl Strategy<Value = Edit> {
    let post = 0..POSTS;
    prop_oneof![
        3 => (post.clone(), 0u8..4).prop_map(|(post, body)| Edit::Body { post, body }),
        3 => (post.clone(), 0u8..4).prop_map(|(post, title)| Edit::Title { post, title }),
        3 => (post.clone(), 1u8..10).prop_map(|(post, month)| Edit::Date { post, month }),
        2 => (post.clone(), proptest::collection::btree_set(0u8..4, 0..3))
            .prop_map(|(post, tags)| Edit::Tags { post, tags: tags.into_iter().collect() }),
        1 => (0u8..4, 0u8..5).prop_map(|(from, to)| Edit::RenameTerm { from, to }),
        1 => (post.clone(), any::<bool>()).prop_map(|(post, draft)| Edit::Draft { post, draft }),
        1 => (post.clone(), proptest::option::of(0u8..3)).prop_map(|(post, weight)| Edit::Weight { post, weight }),
        1 => (post.clone(), proptest::option::of(0u8..3)).prop_map(|(post, slug)| Edit::Slug { post, slug }),
        1 => (post.clone(), any::<bool>()).prop_map(|(post, alias)| Edit::Alias { post, alias }),
        1 => (post.clone(), any::<bool>()).prop_map(|(post, marker)| Edit::SummaryMarker { post, marker }),
        1 => post.clone().prop_map(|post| Edit::Add { post }),
        1 => post.clone().prop_map(|post| Edit::Delete { post }),
        1 => (post.clone(), 0u8..4).prop_map(|(post, name)| Edit::Rename { post, name }),
        1 => any::<bool>().prop_map(|present| Edit::SecondIndex { present }),
        1 => Just(Edit::RenameSection),
        2 => (0usize..4, 0u8..2).prop_map(|(slot, variant)| Edit::Template { slot, variant }),
        1 => (0u8..2).prop_map(|variant| Edit::Shortcode { variant }),
        1 => (0u8..2, 1u8..4, any::<bool>())
            .prop_map(|(title, paginate_by, feed)| Edit::Config { title, paginate_by, feed }),
        1 => (0u8..9).prop_map(|variant| Edit::Static { variant }),
        1 => any::<bool>().prop_map(|on| Edit::Highlight { on }),
        1 => proptest::option::of(0u8..9).prop_map(|variant| Edit::Bundle { variant }),
        2 => (proptest::option::of(0u8..4), 0u8..3).prop_map(|(talks, books)| Edit::Data { talks, books }),
    ]
}

/// How many random sequences to try: a few hundred in CI, more with `QUIRE_PROPTEST_CASES`.
fn cases() -> u32 {
    std::env::var("QUIRE_PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(200)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    /// After any sequence of edits, serve's builder, `quire build` with its caches and a
    /// clean build give the same files, or all three refuse the site with the same errors.
    #[test]
    fn issue_21_any_edit_sequence_builds_what_a_clean_build_does(
        edits in proptest::collection::vec(edit(), 1..8)
    ) {
        let mut model = Model::new();
        let mut runs = Runs::new(model.files());
        runs.check(&[], "the first build").map_err(TestCaseError::fail)?;
        for (step, edit) in edits.iter().enumerate() {
            let moved = edit.apply(&mut model);
            let step = format!("edit {step} ({edit:?}) of {edits:?}");
            let result = match moved {
                Some((from, to)) => runs.move_folder(&from, &to, model.files(), &step),
                None => runs.step(model.files(), &step),
            };
            result.map_err(TestCaseError::fail)?;
        }
    }
}

/// A site with `section.html` replaced by `template`, built, then another post's title edited:
/// all three ways must still agree.
fn after_a_title_edit_with_section_template(template: &str, paginate_by: u8) -> Result<(), String> {
    let mut model = Model::new();
    model.config.1 = paginate_by;
    let with_template = |model: &Model| {
        let mut files = model.files();
        files.insert("templates/section.html".into(), template.as_bytes().to_vec());
        files
    };
    let mut runs = Runs::new(with_template(&model));
    // The shape must render the section's pages, not fail alike in all three builds.
    let first = output_files(&adapter::clean_run(&runs.site.project())?);
    let listed = String::from_utf8_lossy(&first["blog/index.html"]).into_owned();
    if !listed.contains("T0 0") {
        return Err(format!("the section template lists no pages: {listed:?}"));
    }
    runs.check(&[], "the first build")?;
    for title in 1..3 {
        Edit::Title { post: 3, title }.apply(&mut model);
        runs.step(with_template(&model), "a title edit")?;
    }
    Ok(())
}

#[test]
fn issue_21_a_comment_with_an_apostrophe_hides_nothing_from_reuse() {
    let template = "{# the blog's list #}\n{% for p in section.pages %}{{ p.title }}\n{% endfor %}";
    after_a_title_edit_with_section_template(template, 2).unwrap();
    after_a_title_edit_with_section_template(template, 50).unwrap();
}

#[test]
fn issue_21_an_escaped_quote_in_a_string_hides_nothing_from_reuse() {
    let template = "{{ 'Don\\'t miss a post' }}\n{% for p in section.pages %}{{ p.title }}\n{% endfor %}";
    after_a_title_edit_with_section_template(template, 2).unwrap();
    after_a_title_edit_with_section_template(template, 50).unwrap();
}

#[test]
fn issue_21_pages_read_through_a_spread_are_seen() {
    let list = "{% set all = [...section.pages] %}{% for p in all %}{{ p.title }}\n{% endfor %}";
    after_a_title_edit_with_section_template(list, 2).unwrap();
    after_a_title_edit_with_section_template(list, 50).unwrap();
    let map = "{% set s = {...section} %}{% for p in s.pages %}{{ p.title }}\n{% endfor %}";
    after_a_title_edit_with_section_template(map, 2).unwrap();
    after_a_title_edit_with_section_template(map, 50).unwrap();
}

#[test]
fn issue_21_a_raw_comment_opener_hides_nothing_from_reuse() {
    let template = "{% raw %}{#{% endraw %}\n{% for p in section.pages %}{{ p.title }}\n{% endfor %}";
    after_a_title_edit_with_section_template(template, 2).unwrap();
    after_a_title_edit_with_section_template(template, 50).unwrap();
}

/// The clean side of the property test runs in this process; here it is checked once against
/// the real binary building a fresh copy of the folder with the cache folder off, after one
/// edit of every kind.
#[test]
fn issue_21_the_clean_run_equals_a_fresh_build_with_no_cache_dir() {
    let mut model = Model::new();
    let every_kind = [
        Edit::Body { post: 1, body: 2 },
        Edit::Title { post: 2, title: 3 },
        Edit::Date { post: 0, month: 9 },
        Edit::Tags { post: 4, tags: vec![0, 3] },
        Edit::RenameTerm { from: 0, to: 4 },
        Edit::Draft { post: 5, draft: true },
        Edit::Weight { post: 6, weight: Some(2) },
        Edit::Slug { post: 3, slug: Some(1) },
        Edit::Alias { post: 7, alias: true },
        Edit::SummaryMarker { post: 1, marker: true },
        Edit::Delete { post: 2 },
        Edit::Add { post: 2 },
        Edit::Rename { post: 0, name: 1 },
        Edit::SecondIndex { present: false },
        Edit::RenameSection,
        Edit::Template { slot: 0, variant: 1 },
        Edit::Template { slot: 2, variant: 1 },
        Edit::Shortcode { variant: 1 },
        Edit::Config { title: 1, paginate_by: 3, feed: false },
        Edit::Static { variant: 4 },
        Edit::Highlight { on: false },
        Edit::Bundle { variant: Some(3) },
    ];
    for edit in &every_kind {
        edit.apply(&mut model);
    }
    let site = SiteDir::new(model.files());
    let clean = adapter::clean_run(&site.project()).unwrap_or_else(|e| panic!("{e}"));
    let fresh = SiteDir::new(model.files());
    let out = fresh.root().join("out");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_quire"))
        .env("QUIRE_CACHE_DIR", "")
        .arg("--quiet")
        .arg("--root")
        .arg(fresh.root())
        .arg("build")
        .arg("--output-dir")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    if let Some(diff) = difference("in-process clean run", &output_files(&clean), &files_under(&out)) {
        panic!("{diff}");
    }
}
