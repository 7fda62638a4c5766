//! Aliases: old URLs become redirect pages; an alias on a real page's URL, or one that
//! leaves the site, fails the build naming the files.

use crate::support::TestSite;

#[test]
fn each_alias_gets_a_redirect_page_with_refresh_and_canonical_link() {
    let site = TestSite::from_fixture("aliases");
    site.build().success();
    for path in ["old/moved/index.html", "2019/05/moved.html"] {
        let redirect = site.read(path);
        assert!(
            redirect
                .contains(r#"<meta http-equiv="refresh" content="0; url=https://example.com/blog/moved/">"#),
            "{path}:\n{redirect}"
        );
        assert!(
            redirect.contains(r#"<link rel="canonical" href="https://example.com/blog/moved/">"#),
            "{path}"
        );
    }
    assert!(!site.output("2019/05/moved.html/index.html").exists());
    assert!(!site.read("sitemap.xml").contains("old/moved"), "a redirect is in the sitemap");
}

#[test]
fn an_alias_on_the_url_of_a_real_page_fails_naming_both_files() {
    let site = TestSite::from_fixture("errors/alias_collision");
    let run = site.build().failure();
    let stderr = run.stderr();
    assert!(
        stderr.contains(
            "error: the alias `/blog/real/` of `content/blog/other.md` is the URL of `content/blog/real.md`"
        ),
        "{stderr}"
    );
    assert_eq!(site.output_tree(), "", "a failed build wrote files");
}

#[test]
fn issue_4_an_alias_that_leaves_the_site_fails_naming_the_file() {
    let site = TestSite::from_fixture("errors/invalid_alias");
    let run = site.build().failure();
    let stderr = run.stderr();
    assert!(stderr.contains("error: invalid URL for `content/blog/escape.md`"), "{stderr}");
    assert!(stderr.contains("`aliases`: `../../etc/passwd` leaves the site"), "{stderr}");
    assert_eq!(site.output_tree(), "");
}
