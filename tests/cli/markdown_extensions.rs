//! Markdown that technical bloggers write (issue 23): math, alerts, definition lists, images.

use crate::support::TestSite;

/// The page's `<div class="prose">`, where the built-in theme puts the body.
fn prose(page: &str) -> &str {
    let start = page.find("<div class=\"prose\">").expect("a prose block");
    let end = page[start..].find("</article>").map_or(page.len(), |at| start + at);
    &page[start..end]
}

#[test]
fn issue_23_math_is_mathml_written_at_build_time() {
    let site = TestSite::from_fixture("math");
    site.build().success();
    let page = site.read("formulas/index.html");
    let body = prose(&page);
    assert!(body.contains("<math display=\"inline\"><semantics><mrow><msup><mi>e</mi>"), "{body}");
    assert!(body.contains("<math display=\"block\">"), "{body}");
    // `\{`, `\,` reached the converter as written: braces are operators, the thin space a space.
    assert!(body.contains("<mo symmetric=\"false\" stretchy=\"false\">{</mo>"), "{body}");
    assert!(body.contains("<mspace width=\"0.16666667em\" />"), "{body}");
    assert!(body.contains("it costs $5 and $10, or $3 with a backslash."), "currency is text: {body}");
    assert!(body.contains("$not = &quot;math in code&quot;") || body.contains("$not"), "{body}");
    assert!(body.contains("<code>$x$</code>"), "{body}");
    assert!(!page.contains("<script"), "no script for math: {page}");
    let plain = site.read("plain/index.html");
    assert!(!plain.contains("<math") && !plain.contains("katex") && !plain.contains("mathjax"), "{plain}");
}

#[test]
fn issue_23_math_is_off_unless_the_config_turns_it_on() {
    let site = TestSite::from_fixture("math");
    site.write_file("config.toml", "title = \"Math\"\nbase_url = \"https://example.com/\"\n");
    site.build().success();
    let body = site.read("formulas/index.html");
    assert!(!body.contains("<math"), "{body}");
    assert!(body.contains("$e^{i\\pi} + 1 = 0$"), "{body}");
}

#[test]
fn issue_23_a_formula_that_cannot_be_converted_fails_at_its_line() {
    let site = TestSite::from_fixture("errors/math_formula");
    let run = site.build().failure();
    let stderr = run.stderr();
    assert!(stderr.contains("content/broken.md:6:11"), "{stderr}");
    assert!(stderr.contains("`\\sqrt{x} \\mod 2`"), "the formula is shown: {stderr}");
    assert!(stderr.contains("math_errors"), "{stderr}");
    assert_eq!(site.output_tree(), "", "a failed build wrote files");
}

#[test]
fn issue_23_with_math_errors_warn_the_formula_is_shown_as_latex() {
    let site = TestSite::from_fixture("errors/math_formula");
    let config =
        std::fs::read_to_string(site.root().join("config.toml")).unwrap() + "math_errors = \"warn\"\n";
    site.write_file("config.toml", &config);
    let run = site.build().success();
    let output = run.all_output();
    assert!(output.contains("content/broken.md:6: the formula `\\sqrt{x} \\mod 2`"), "{output}");
    let body = site.read("broken/index.html");
    assert!(body.contains("<code class=\"math-error\">\\sqrt{x} \\mod 2</code>"), "{body}");
    assert!(body.contains("<math display=\"inline\">"), "the good formula is still math: {body}");
}

#[test]
fn issue_23_alerts_are_written_as_github_writes_them() {
    let site = TestSite::from_fixture("alerts");
    site.build().success();
    let page = site.read("alerts/index.html");
    let body = prose(&page);
    for (class, title) in [
        ("note", "Note"),
        ("tip", "Tip"),
        ("important", "Important"),
        ("warning", "Warning"),
        ("caution", "Caution"),
    ] {
        let expected = format!(
            "<div class=\"markdown-alert markdown-alert-{class}\" role=\"note\">\n<p class=\"markdown-alert-title\">{title}</p>\n<p>"
        );
        assert!(body.contains(&expected), "{expected}\n{body}");
    }
    assert!(
        body.contains("<p>Urgent info that needs <strong>immediate</strong> attention.</p>\n</div>"),
        "{body}"
    );
    assert!(
        body.contains("<blockquote>\n<p>[!DANGER]\nAn unknown kind is a plain quote.</p>\n</blockquote>"),
        "{body}"
    );
}

#[test]
fn issue_23_definition_lists() {
    let site = TestSite::from_fixture("definition_lists");
    site.build().success();
    let body = site.read("glossary/index.html");
    assert!(
        body.contains("<dl>\n<dt>Slug</dt>\n<dd>The last segment of a page’s URL.</dd>\n<dt>Permalink</dt>\n<dd>A page’s absolute URL.</dd>\n<dd>It never changes once published.</dd>\n</dl>"),
        "{body}"
    );
}

#[test]
fn issue_23_bare_urls_become_links() {
    let site = TestSite::from_fixture("autolinks");
    site.build().success();
    let page = site.read("links/index.html");
    let body = prose(&page);
    assert!(
        body.contains("at <a href=\"https://docs.rs/linkify/\">https://docs.rs/linkify/</a>, the book"),
        "{body}"
    );
    assert!(
        body.contains("<a href=\"http://www.rust-lang.org\">www.rust-lang.org</a> (see there)"),
        "{body}"
    );
    assert!(body.contains("<a href=\"mailto:help@example.org\">help@example.org</a>."), "{body}");
    assert!(body.contains("<a href=\"https://example.net/\">written link</a>"), "{body}");
    assert!(body.contains("<code>https://in.code/</code>"), "{body}");
}

#[test]
fn issue_23_emoji_shortcodes() {
    let site = TestSite::from_fixture("emoji");
    site.build().success();
    let body = site.read("party/index.html");
    assert!(body.contains("Shipped 🎉 at 12:30:00 👍, but <code>:tada:</code> in code stays."), "{body}");
}

#[test]
fn issue_23_images_after_the_first_are_lazy_and_one_without_alt_text_is_a_warning() {
    let site = TestSite::from_fixture("images");
    let run = site.build().success();
    let body = site.read("trip/index.html");
    assert!(
        body.contains("<img src=\"https://example.com/trip/diagram.svg\" alt=\"The pipeline\" />"),
        "the first image is not lazy: {body}"
    );
    assert!(
        body.contains(
            "<img src=\"https://example.com/trip/second.svg\" alt=\"\" loading=\"lazy\" decoding=\"async\" />"
        ),
        "{body}"
    );
    let output = run.all_output();
    assert!(output.contains("content/trip/index.md:8: the image `second.svg` has no alt text"), "{output}");
}

#[test]
fn issue_23_a_missing_image_is_a_link_check_error_at_its_line() {
    let site = TestSite::from_fixture("images");
    site.remove_file("content/trip/second.svg");
    let run = site.build().failure();
    let stderr = run.stderr();
    assert!(stderr.contains("content/trip/index.md:8"), "{stderr}");
    assert!(stderr.contains("second.svg"), "{stderr}");
}

#[test]
fn issue_23_a_mermaid_fence_is_an_svg_drawn_at_build_time() {
    let site = TestSite::from_fixture("diagrams");
    site.build().success();
    let page = site.read("flow/index.html");
    let body = prose(&page);
    assert_eq!(body.matches("<figure class=\"diagram\"><svg").count(), 2, "{body}");
    for label in ["Write a draft", "Publish it", "Author", "quire build"] {
        assert!(body.contains(label), "{label} is drawn: {body}");
    }
    assert!(!body.contains("language-mermaid"), "no diagram left as code: {body}");
    assert!(body.contains("<pre"), "other fences stay code: {body}");
    // No id is used twice on the page, so the diagrams' arrow markers and styles do not
    // collide with each other or with the page's own ids.
    let ids: Vec<&str> = page
        .match_indices(" id=\"")
        .map(|(at, found)| {
            let value = &page[at + found.len()..];
            &value[..value.find('"').unwrap()]
        })
        .collect();
    let unique: std::collections::BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(unique.len(), ids.len(), "an id is used twice: {ids:?}");
    assert_eq!(ids.iter().filter(|id| id.starts_with("mermaid-") && id.len() == 24).count(), 2, "{ids:?}");
    assert!(!page.contains("<script"), "no script for diagrams: {page}");
    let plain = site.read("plain/index.html");
    assert!(!plain.contains("class=\"diagram\""), "{plain}");
}

#[test]
fn issue_23_diagrams_off_leaves_mermaid_fences_as_code() {
    let site = TestSite::from_fixture("diagrams");
    site.write_file(
        "config.toml",
        "title = \"D\"\nbase_url = \"https://example.com/\"\n[markdown]\ndiagrams = false\n",
    );
    site.build().success();
    let body = site.read("flow/index.html");
    assert!(!body.contains("class=\"diagram\""), "{body}");
    assert!(body.contains("Draft[Write a draft] --&gt; Review{Ready?}"), "{body}");
}

#[test]
fn issue_23_a_diagram_that_cannot_be_drawn_fails_at_its_line() {
    let site = TestSite::from_fixture("errors/diagram");
    let run = site.build().failure();
    let stderr = run.stderr();
    assert!(stderr.contains("content/broken.md:6"), "{stderr}");
    assert!(stderr.contains("cannot draw the Mermaid diagram"), "{stderr}");
    assert!(stderr.contains("diagram_errors"), "the hint names the setting: {stderr}");
    assert_eq!(site.output_tree(), "", "a failed build wrote files");

    let config = std::fs::read_to_string(site.root().join("config.toml")).unwrap()
        + "[markdown]\ndiagram_errors = \"warn\"\n";
    site.write_file("config.toml", &config);
    let run = site.build().success();
    let output = run.all_output();
    assert!(output.contains("content/broken.md:6: the Mermaid diagram is shown as code"), "{output}");
    let body = site.read("broken/index.html");
    assert!(body.contains("A[[[ --&gt;"), "the source is shown: {body}");
}
