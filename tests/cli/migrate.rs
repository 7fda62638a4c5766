//! Bring your blog (issue 9): small Jekyll, Hugo and Zola sites, one family of cases each,
//! build unedited with the URLs, dates, terms and redirects their authors expect.

use crate::support::TestSite;

/// The value of `name: ...` on its own line in a fixture template's output.
fn line(text: &str, name: &str) -> String {
    let prefix = format!("{name}: ");
    text.lines().find_map(|l| l.strip_prefix(&prefix)).unwrap_or_default().to_string()
}

fn redirects_to(site: &TestSite, output: &str, target: &str) {
    let html = site.read(output);
    assert!(html.contains(&format!("url=https://example.com{target}\"")), "{output}:\n{html}");
}

#[test]
fn jekyll_front_matter_builds_unedited() {
    let site = TestSite::from_fixture("migrate/jekyll");
    site.build().success();
    // `layout: post` uses the site's `post.html`; `layout: default` has no template, so `page.html`.
    assert!(site.read("blog/first-post/index.html").starts_with("kind: post layout"));
    let permalinked = site.read("old/permalinked/index.html");
    assert_eq!(line(&permalinked, "kind"), "page");
    assert_eq!(line(&permalinked, "date"), "2015-06-01");
    redirects_to(&site, "old/permalinked.html", "/old/permalinked/");
    redirects_to(&site, "perm.html", "/old/permalinked/");
    redirects_to(&site, "2014/03/05/first-post.html", "/blog/first-post/");
    redirects_to(&site, "Blog/First-Post/index.html", "/blog/first-post/");
    assert!(!site.output("blog/unpublished/index.html").exists(), "published: false is a draft");
    assert_eq!(line(&site.read("blog/dated-by-name/index.html"), "date"), "2017-02-03");
    assert_eq!(line(&site.read("blog/front-matter-wins/index.html"), "date"), "2018-05-06");
    assert!(site.output("categories/travel/index.html").exists());
    assert!(site.output("categories/food/index.html").exists());
    assert!(site.output("tags/perf/index.html").exists());
}

#[test]
fn jekyll_dates_excerpts_and_extra_are_read() {
    let site = TestSite::from_fixture("migrate/jekyll");
    site.write_file("templates/post.html", "date: {{ page.date }}\nsummary: {{ page.summary | safe }}\nextra: {% for k, v in page.extra %}{{ k }};{% endfor %}\ncategories: {{ page.categories | join(sep=\",\") }}\n");
    let run = site.build().success();
    let post = site.read("blog/first-post/index.html");
    assert_eq!(line(&post, "date"), "2014-03-05T10:11:12+01:00");
    assert_eq!(line(&post, "summary"), "<p>The excerpt.</p>");
    assert_eq!(line(&post, "extra"), "comments;", "layout is not left in extra");
    assert_eq!(line(&post, "categories"), "travel,food");
    assert!(run.stderr().contains("`perf,`") && run.stderr().contains("merged into the term `Perf`"));
}

#[test]
fn hugo_front_matter_builds_unedited() {
    let site = TestSite::from_fixture("migrate/hugo");
    let run = site.build().success();
    assert!(
        run.stdout().contains("held back 1 scheduled (--future), 1 expired (--expired)"),
        "{}",
        run.stdout()
    );
    let hello = site.read("2024/01/27/hello-hugo/index.html");
    assert_eq!(line(&hello, "date"), "2024-01-27", "the date inside `url` is the date");
    assert_eq!(line(&hello, "updated"), "2024-02-01T08:00:00Z");
    assert_eq!(line(&hello, "extra"), "mood;", "`[params]` is extra");
    assert_eq!(line(&hello, "terms"), "/tags/go/;/tags/static-sites/;");
    redirects_to(&site, "posts/hello-old/index.html", "/2024/01/27/hello-hugo/");
    redirects_to(&site, "hello.html", "/2024/01/27/hello-hugo/");
    assert_eq!(line(&site.read("posts/publish-only/index.html"), "date"), "2023-06-01");
    let yaml = site.read("posts/yaml/index.html");
    assert_eq!(line(&yaml, "date"), "2022-03-04T05:06:07+02:00");
    assert_eq!(line(&yaml, "extra"), "series;");
    for hidden in ["posts/scheduled/index.html", "posts/expired/index.html", "posts/draft/index.html"] {
        assert!(!site.output(hidden).exists(), "{hidden}");
    }
    site.build_with(&["--future", "--drafts", "--expired"]).success();
    assert_eq!(line(&site.read("posts/scheduled/index.html"), "date"), "2020-01-01");
    assert!(site.output("posts/draft/index.html").exists());
}

#[test]
fn zola_front_matter_builds_unedited() {
    let site = TestSite::from_fixture("migrate/zola");
    site.build().success();
    let blog = site.read("blog/index.html");
    assert!(blog.contains("<li>Old|/blog/2019/old/</li>"), "transparent section's page missing:\n{blog}");
    assert!(blog.contains("<li>New|/writing/new/</li>"), "{blog}");
    let old = site.read("blog/2019/old/index.html");
    assert_eq!(line(&old, "date"), "2019-04-05");
    assert_eq!(line(&old, "updated"), "2019-05-06");
    assert_eq!(line(&old, "extra"), "cover;links;");
    assert_eq!(line(&old, "categories"), "notes");
    redirects_to(&site, "2019/old-post/index.html", "/blog/2019/old/");
    // `render = false`: no file, in no list or sitemap, but templates can read it.
    assert!(!site.output("hidden/index.html").exists());
    assert!(site.read("index.html").contains("hidden: kept"));
    assert!(!site.read("sitemap.xml").contains("hidden"));
}

#[test]
fn permalink_patterns_file_names_and_assets() {
    let site = TestSite::from_fixture("migrate/urls");
    let run = site.build().success();
    let hello = site.read("2024/01/02/hello-world/index.html");
    assert_eq!(line(&hello, "date"), "2024-01-02");
    assert!(site.output("blog/undated/index.html").exists(), "a pattern needing a date falls back");
    assert_eq!(line(&site.read("2020/02/03/explicit/index.html"), "date"), "2020-02-03");
    let note = site.read("notes/my-note-2x/index.html");
    assert_eq!(
        line(&note, "terms"),
        "/tags/machine-learning/;/tags/perf/;",
        "names that slugify alike are one term: one URL, never two pages for it"
    );
    assert!(run.stderr().contains("are merged into the term"), "{}", run.stderr());
    assert!(site.output("notes/bundle/my photo.jpg").exists());
    assert!(site.output("files/report 2020.txt").exists());
    // Relative links become permalinks, percent-encoded.
    let bundle = site.read("notes/bundle/index.html");
    assert!(bundle.contains(r#"src="https://example.com/notes/bundle/my%20photo.jpg""#), "{bundle}");
}

#[test]
fn markdown_dialects_render_and_foreign_tags_are_warned() {
    let site = TestSite::from_fixture("migrate/markdown");
    let big = format!("<img alt=\"big\" src=\"data:image/png;base64,{}\">\n", "A".repeat(100_000));
    site.write_file("content/big.md", &format!("---\ntitle: Big\n---\n{big}\nAfter.\n"));
    let run = site.build().success();
    let stderr = run.stderr();
    let page = site.read("dialects/index.html");
    assert_eq!(line(&page, "summary"), "<p>Intro paragraph.</p>");
    assert_eq!(line(&site.read("spaced/index.html"), "summary"), "<p>Before.</p>");
    assert!(page.contains(r#"<code class="language-ruby">"#) && page.contains(">tilde fence<"), "{page}");
    assert!(page.contains(r#"<a href="https://example.com/ref">reference link</a>"#));
    assert!(page.contains(r#"<a href="/collapsed/">collapsed one</a>"#));
    // Relative links become permalinks (issue 5).
    assert!(
        page.contains(r#"href="https://example.com/dialects/some%20page/with%20space.html" title="Title""#)
    );
    for raw in ["<script>var x = 1 < 2;</script>", "<style>.a > .b { color: red; }</style>", "<iframe src="] {
        assert!(page.contains(raw), "{raw} not kept raw");
    }
    assert!(page.contains(r#"<h2 id="custom-id">Heading</h2>"#));
    assert!(!page.contains("{:"), "a kramdown attribute list was printed:\n{page}");
    // Foreign tags stay visible, each with a warning naming file and line; code is never warned.
    for (tag, warning) in [
        ("{% include note.html %}", "content/dialects.md:29: Liquid tag `{% include note.html %}`"),
        ("{{&lt; youtube abc &gt;}}", "content/dialects.md:31: Hugo shortcode `{{< youtube abc >}}`"),
    ] {
        assert!(page.contains(tag), "{tag} missing");
        assert!(stderr.contains(warning), "{warning} missing:\n{stderr}");
    }
    assert!(page.contains(" and https://example.com."), "`{{{{ site.url }}}}` is the base URL:\n{page}");
    assert_eq!(stderr.matches("is not run by Quire").count(), 2, "{stderr}");
    assert!(site.read("big/index.html").contains(&big.trim_end()[..200]));
}

#[test]
fn issue_9_built_in_fallbacks_do_not_break_a_site_base_with_only_content() {
    let site = TestSite::from_fixture("migrate/own-base");
    site.build().success();
    // The fallbacks that fit the site's layout use it…
    for output in ["tags/index.html", "tags/notes/index.html", "archive/index.html"] {
        assert!(
            site.read(output).contains("<body class=\"own-layout\">"),
            "{output}:\n{}",
            site.read(output)
        );
    }
    // …and 404.html, which fills `title` and `description`, uses the built-in layout.
    let not_found = site.read("404.html");
    assert!(not_found.contains("<title>Page not found · Own layout</title>"), "{not_found}");
    assert!(!not_found.contains("own-layout"));
    assert!(site.read("blog/hello/index.html").contains("<h1>Hello</h1>"));
}

#[test]
fn a_site_template_filling_a_missing_block_gets_a_block_hint() {
    let site = TestSite::from_fixture("migrate/own-base");
    site.write_file(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block title %}x{% endblock title %}",
    );
    let run = site.build().failure();
    assert!(run.stderr().contains("templates/404.html"), "{}", run.stderr());
    assert!(
        run.stderr().contains("hint: a template can only fill the blocks its parent template defines"),
        "{}",
        run.stderr()
    );
}

#[test]
fn liquid_highlight_raw_and_site_urls_are_converted() {
    let site = TestSite::from_fixture("migrate/liquid");
    let run = site.build().success();
    let stderr = run.stderr();
    // `{% highlight ruby linenos %}` gives exactly the HTML of a ```ruby,linenos fence.
    let highlighted = site.read("posts/highlight/index.html");
    assert!(
        highlighted.contains("<pre class=\"hl-code\" tabindex=\"0\" data-lang=\"ruby\">"),
        "{highlighted}"
    );
    assert!(highlighted.contains("code-line-number"), "linenos is kept:\n{highlighted}");
    assert_eq!(highlighted, site.read("posts/fence/index.html"));
    let page = site.read("posts/tags/index.html");
    // `site.url` is the origin and `site.baseurl` the path of `base_url`.
    assert!(page.contains(r#"<a href="https://example.com/blog/">home</a>"#), "{page}");
    assert!(page.contains(r#"<img src="/blog/logo.png" alt="logo">"#), "{page}");
    assert!(page.contains("Origin https://example.com.</p>"), "{page}");
    // `{% raw %}` leaves its text, uninterpreted and unwarned.
    assert!(page.contains("<p>Write {{ page.title }} and {% if x %}.</p>"), "{page}");
    assert!(!page.contains("{% raw %}Write") && !page.contains("endraw %}."), "{page}");
    // Code is never converted.
    assert!(page.contains("{{ site.url }} {% raw %}{{ kept }}{% endraw %}\n</code>"), "{page}");
    assert!(page.contains("<code>{{ site.baseurl }} indented"), "{page}");
    assert!(page.contains("Inline <code>{{ site.url }}</code> and <code>{% raw %}</code>."), "{page}");
    // Other tags stay visible, each with a warning at its file line, and only they are warned.
    assert!(page.contains("<p>{% include figure.html"), "{page}");
    assert!(page.contains("<p>{{&lt; youtube abc &gt;}}</p>"), "{page}");
    assert!(
        stderr.contains(
            "content/posts/2020-01-02-tags.md:10: Liquid tag `{% include figure.html src=\"x.png\" %}`"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("content/posts/2020-01-02-tags.md:12: Hugo shortcode `{{< youtube abc >}}`"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("is not run by Quire").count(), 2, "{stderr}");
}

#[test]
fn kramdown_attribute_lists_apply_ids_and_classes() {
    let site = TestSite::from_fixture("migrate/kramdown");
    site.build().success();
    let page = site.read("attributes/index.html");
    for expected in [
        r#"<h2 id="install" class="step">Setup</h2>"#,
        r#"<p class="note">A paragraph with a class.</p>"#,
        r#"<p id="intro" class="lead">A paragraph with an id.</p>"#,
        r#"<h2 id="use">Usage</h2>"#,
        "<ul class=\"checklist\">\n<li>one</li>",
        "<blockquote class=\"aside\">\n<p>Quoted.</p>",
        r#"<pre class="hl-code terminal" tabindex="0" data-lang="sh">"#,
        r#"<p><img src="/d.png" alt="diagram" /></p>"#,
        r#"<h2 id="kept">Kept</h2>"#,
    ] {
        assert!(page.contains(expected), "{expected} missing:\n{page}");
    }
    // `* TOC` + `{:toc}` is kramdown's table of contents: neither is printed.
    assert!(!page.contains("TOC"), "{page}");
    for leaked in ["{:", "{#", "quire-attributes", "width="] {
        assert!(!page.contains(leaked), "{leaked} leaked:\n{page}");
    }
}

#[test]
fn zola_shortcodes_render_with_the_site_templates() {
    let site = TestSite::from_fixture("migrate/zola-shortcodes");
    let run = site.build().success();
    let page = site.read("blog/calls/index.html");
    // Inline calls with string and number arguments, numbered per shortcode with `nth`.
    assert!(
        page.contains(r#"Intro with <span class="badge badge-1">new×3</span> and <span class="badge badge-2">old×1</span> inline."#),
        "{page}"
    );
    // The site's `youtube.html` replaces the built-in one; undefined `autoplay` is false.
    assert!(
        page.contains(
            "<div class=\"video\">\n    <iframe src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\" "
        ),
        "{page}"
    );
    // Calls with a body get it as `body`, and `nth` counts them apart from other shortcodes.
    assert!(
        page.contains("<blockquote id=\"quote-1\">\n<p>The <em>first</em> quote.</p>\n\n<cite>Ada</cite>"),
        "{page}"
    );
    assert!(page.contains("<blockquote id=\"quote-2\">\n<p>The second.</p>\n\n<cite>Grace</cite>"), "{page}");
    // In code, a call is text.
    assert!(page.contains("<code>{{ youtube(id=&quot;literal&quot;) }}"), "{page}");
    assert!(!page.contains("{%") && !run.stderr().contains("warning"), "{page}\n{}", run.stderr());

    // Without the site's template, Zola's `youtube` arguments work with the built-in one.
    site.remove_file("templates/shortcodes/youtube.html");
    site.build().success();
    let page = site.read("blog/calls/index.html");
    assert!(page.contains(r#"<div class="video-embed video""#), "{page}");
}

#[test]
fn clashing_urls_name_both_files_and_the_lines_that_set_them() {
    let site = TestSite::from_fixture("migrate/duplicate-urls");
    let run = site.build().failure();
    let stderr = run.stderr();
    for error in [
        "error: `content/blog/2020-01-01-jekyll.md:3` and `content/blog/hugo.md:4` both want the URL `/same/`",
        "error: `content/blog/named.md` and `content/zola.md:3` both want the URL `/blog/named/`",
    ] {
        assert!(stderr.contains(error), "{error} missing:\n{stderr}");
    }
    assert!(!site.output("same/index.html").exists());
}

#[test]
fn import_writes_a_quire_config_from_each_generator() {
    // Jekyll: `_config.yml` beside the content; `permalink: pretty` and `baseurl` carry over.
    let site = TestSite::from_fixture("migrate/import/jekyll");
    let root = site.root().to_str().expect("a UTF-8 temp path").to_string();
    let run = site.run(&["import", "--from", "jekyll", &root]).success();
    assert!(run.stdout().contains("`plugins`: no Quire setting"), "{}", run.stdout());
    let config = std::fs::read_to_string(site.root().join("config.toml")).expect("the config is written");
    assert!(config.contains("base_url = \"https://example.com/blog/\""), "{config}");
    assert!(config.contains("paginate_by = 5"), "{config}");
    site.build().success();
    let hello = site.read("2020/05/06/hello/index.html");
    assert!(hello.contains("https://example.com/blog/2020/05/06/hello/"), "{hello}");
    // An existing config is never replaced.
    let again = site.run(&["import", "--from", "jekyll", &root]).failure();
    assert!(again.stderr().contains("already exists"), "{}", again.stderr());

    // Hugo: `[permalinks]` with `:filename`, `[taxonomies]` by plural, `[params]` as extra.
    let site = TestSite::from_fixture("migrate/import/hugo");
    let root = site.root().to_str().expect("a UTF-8 temp path").to_string();
    let run = site.run(&["import", "--from", "hugo", &root]).success();
    assert!(run.stdout().contains("`enableRobotsTXT`: no Quire setting"), "{}", run.stdout());
    site.build().success();
    assert!(site.output("2021/03/hello/index.html").exists());
    assert!(site.output("series/intro/index.html").exists());
    let config = std::fs::read_to_string(site.root().join("config.toml")).expect("the config is written");
    assert!(
        config.contains("description = \"A Hugo site\"") && config.contains("[extra]\nmood = \"calm\""),
        "{config}"
    );

    // Zola: its config is `config.toml` too, so the Quire one goes to DEST.
    let site = TestSite::from_fixture("migrate/import/zola");
    let root = site.root().to_str().expect("a UTF-8 temp path").to_string();
    let same = site.run(&["import", "--from", "zola", &root]).failure();
    assert!(same.stderr().contains("name a DEST folder"), "{}", same.stderr());
    let dest = site.tmp().join("quire");
    let run = site.run(&["import", "--from", "zola", &root, dest.to_str().expect("UTF-8")]).success();
    assert!(run.stdout().contains("`compile_sass`: no Quire setting"), "{}", run.stdout());
    let config = std::fs::read_to_string(dest.join("config.toml")).expect("the config is written");
    assert!(config.contains("[[taxonomies]]\nname = \"tags\"\nfeed = true"), "{config}");
    assert!(config.contains("[[extra.menu]]\nname = \"Blog\""), "{config}");
}
